package connector

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// readBatches reads s to its end through `batches` LineBatches in turn, as
// the job's reader does, and returns its events, the Kept of the batches
// and the position after each.
func readBatches(t *testing.T, s *NexmarkSource, maxLines, batches int) (evs []nexmark.Event, kept int, positions []int64) {
	t.Helper()
	bs := make([]LineBatch, batches)
	for i := 0; ; i++ {
		b := &bs[i%batches]
		more, err := s.Next(b, maxLines)
		if err != nil {
			t.Fatal(err)
		}
		got := (*b.Typed.(*[]nexmark.Event))[:b.TypedLen]
		if len(got) > maxLines {
			t.Fatalf("a batch of %d events, asked for at most %d", len(got), maxLines)
		}
		evs = append(evs, got...)
		kept += b.Kept
		positions = append(positions, s.Position().Offset)
		if !more {
			return evs, kept, positions
		}
	}
}

// TestNexmarkPrefetch: a source generating ahead on several goroutines
// hands out the events, table counts and positions of one generator, from
// the start and resumed, in and out of order, to the stream's end.
func TestNexmarkPrefetch(t *testing.T) {
	for _, tc := range []struct {
		events, order, table string
		from                 int64
		n, maxLines, batches int
	}{
		{"50000", "1", "", 0, 2, 1024, 2},
		{"50000", "1", "bid", 0, 3, 1024, 2},
		{"50001", "1", "person", 777, 2, 1000, 3}, // resumed; a short last batch
		{"30000", "8", "auction", 0, 2, 5000, 2},  // out of order; capped at maxAheadBatch
		{"4095", "1", "", 0, 4, 100, 2},           // runs of 40 batches, the stream ends in the first
		{"9000", "1", "bid", 4096, 2, 256, 1},     // one batch in turn
	} {
		t.Run(fmt.Sprintf("%s events order %s %q from %d n=%d max=%d", tc.events, tc.order, tc.table, tc.from, tc.n, tc.maxLines), func(t *testing.T) {
			options := map[string]string{"events": tc.events, "out_of_order_group": tc.order, "seed": "3", "table": tc.table}
			one, err := OpenNexmarkAt(Env{}, options, tc.from)
			if err != nil {
				t.Fatal(err)
			}
			want, wantKept, wantPos := readBatches(t, one, 256, 2)
			ahead, err := OpenNexmarkAt(Env{}, options, tc.from)
			if err != nil {
				t.Fatal(err)
			}
			ahead.Prefetch(tc.n)
			got, gotKept, gotPos := readBatches(t, ahead, tc.maxLines, tc.batches)
			if ahead.ahead == nil {
				t.Fatal("the source did not generate ahead")
			}
			sameEvents(t, "ahead", got, want)
			if gotKept != wantKept || gotPos[len(gotPos)-1] != wantPos[len(wantPos)-1] {
				t.Fatalf("kept %d, end position %d; want %d and %d", gotKept, gotPos[len(gotPos)-1], wantKept, wantPos[len(wantPos)-1])
			}
			// every batch's position is the events gone past
			at := tc.from
			for i, p := range gotPos[:len(gotPos)-1] {
				if at += int64(min(tc.maxLines, maxAheadBatch)); p != at {
					t.Fatalf("position after batch %d: %d, want %d", i, p, at)
				}
			}
			if err := ahead.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestNexmarkPrefetchFallsBack: batches of another size than the first go
// on from the same event on the source's own generator.
func TestNexmarkPrefetchFallsBack(t *testing.T) {
	options := map[string]string{"events": "20000", "seed": "5"}
	one, _ := OpenNexmarkAt(Env{}, options, 0)
	want, _, _ := readBatches(t, one, 256, 2)
	s, _ := OpenNexmarkAt(Env{}, options, 0)
	s.Prefetch(2)
	var got []nexmark.Event
	var b LineBatch
	for range 3 {
		if _, err := s.Next(&b, 1000); err != nil {
			t.Fatal(err)
		}
		got = append(got, (*b.Typed.(*[]nexmark.Event))[:b.TypedLen]...)
	}
	rest, _, _ := readBatches(t, s, 300, 2)
	if s.ahead != nil {
		t.Fatal("still generating ahead after a batch of another size")
	}
	sameEvents(t, "ahead then not", append(got, rest...), want)
}

// TestNexmarkPrefetchCloseStops: closing an unbounded source generating
// ahead ends its goroutines; a source on a shared stream of several does
// not generate ahead.
func TestNexmarkPrefetchCloseStops(t *testing.T) {
	before := runtime.NumGoroutine()
	s, _ := OpenNexmarkAt(Env{}, map[string]string{"seed": "1"}, 0) // no end
	s.Prefetch(3)
	var b LineBatch
	for range 10 {
		if more, err := s.Next(&b, 1024); err != nil || !more {
			t.Fatalf("more %v, err %v", more, err)
		}
	}
	s.Close()
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after Close, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(time.Millisecond)
	}

	env := Env{Nexmark: NewNexmarkStreams()}
	p, _ := OpenNexmarkAt(env, map[string]string{"events": "5000", "table": "person"}, 0)
	a, _ := OpenNexmarkAt(env, map[string]string{"events": "5000", "table": "auction"}, 0)
	p.Prefetch(2)
	done := make(chan error)
	go func() {
		var b LineBatch
		for {
			if more, err := a.Next(&b, 1024); err != nil || !more {
				done <- err
				return
			}
		}
	}()
	readBatches(t, p, 1024, 2)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if p.ahead != nil {
		t.Fatal("a source of a shared stream generated ahead")
	}
}
