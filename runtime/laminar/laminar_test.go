package laminar

import (
	"context"
	"sync"
	"testing"
)

func TestSubscribers(t *testing.T) {
	var s Subscribers[int]
	var got []int
	remove := s.Add(func(r int, op Op) { got = append(got, r) })
	s.Add(func(r int, op Op) { got = append(got, -r) })
	one := 1
	s.Emit(&one, Insert)
	remove()
	two := 2
	s.Emit(&two, Delete)
	if len(got) != 3 || got[0] != 1 || got[1] != -1 || got[2] != -2 {
		t.Fatalf("got %v", got)
	}
}

func TestStream(t *testing.T) {
	var mu sync.Mutex
	var s Subscribers[int]
	subscribe := func(f func(int, Op)) func() {
		mu.Lock()
		defer mu.Unlock()
		r := s.Add(f)
		return func() { mu.Lock(); r(); mu.Unlock() }
	}
	ctx := context.Background()
	seq := Stream(ctx, 1, subscribe)
	done := make(chan []int)
	go func() {
		var got []int
		for r, op := range seq {
			if op != Insert {
				t.Error("op")
			}
			got = append(got, r)
			if len(got) == 3 {
				break
			}
		}
		done <- got
	}()
	// emit until the reader has subscribed and taken three rows; extra rows
	// after it left must not block
	for i := 0; ; i++ {
		select {
		case got := <-done:
			if len(got) != 3 {
				t.Fatalf("got %v", got)
			}
			mu.Lock()
			for j := 0; j < 10; j++ {
				s.Emit(&j, Insert)
			}
			n := len(s.list)
			mu.Unlock()
			if n != 0 {
				t.Fatal("subscriber not removed")
			}
			return
		default:
			mu.Lock()
			s.Emit(&i, Insert)
			mu.Unlock()
		}
	}
}
