package join

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestPutExpireFind(t *testing.T) {
	s := NewSide[int, string]()
	s.Put(1, Entry[string]{Row: "a", W: 1, TS: 10}, true)
	s.Put(1, Entry[string]{Row: "b", W: 1, TS: 12}, true)
	s.Put(1, Entry[string]{Row: "a", W: 1, TS: 20}, true) // a second copy: the entry keeps its stamp
	s.Put(2, Entry[string]{Row: "z", W: 1, TS: math.MinInt64}, true)
	if n := s.Expire(10); n != 0 || s.Len() != 3 {
		t.Fatalf("nothing is stamped before 10: %d went, %d left", n, s.Len())
	}
	if n := s.Expire(11); n != 1 || s.Find(1, ptr("a")) != nil || s.Find(1, ptr("b")) == nil {
		t.Fatalf("a (stamped 10) goes by 11, b stays: %d went, %v", n, s.Bucket(1))
	}
	if n := s.Expire(math.MaxInt64 - 1); n != 1 || s.Len() != 1 || s.Find(2, ptr("z")) == nil {
		t.Fatalf("b goes; z, stamped before any watermark, never expires: %d went, %d left", n, s.Len())
	}
	// a retraction that nets to zero removes the entry; its stamp left in
	// the heap finds nothing later
	s.Put(3, Entry[string]{Row: "x", W: 1, TS: 5}, true)
	s.Put(3, Entry[string]{Row: "x", W: -1, TS: 6}, true)
	if s.Find(3, ptr("x")) != nil || s.Expire(100) != 0 {
		t.Fatalf("a retracted row is gone, not expired")
	}
}

func TestSpanAndWithin(t *testing.T) {
	for _, c := range []struct {
		now, base, ttl, lo, hi int64
	}{
		{100, 100, 10, 90, 110},
		{100, 95, 10, 90, 105}, // a retraction at 100 of a row stamped 95
		{math.MinInt64, math.MinInt64, 10, math.MinInt64, math.MaxInt64},
		{math.MinInt64 + 5, 7, 10, math.MinInt64, 17},
		{3, math.MaxInt64 - 5, 10, -7, math.MaxInt64},
	} {
		if lo, hi := Span(c.now, c.base, c.ttl); lo != c.lo || hi != c.hi {
			t.Errorf("Span(%d, %d, %d) = %d, %d; want %d, %d", c.now, c.base, c.ttl, lo, hi, c.lo, c.hi)
		}
	}
	if !Within(90, 90, 110) || !Within(110, 90, 110) || Within(89, 90, 110) || Within(111, 90, 110) || !Within(math.MinInt64, 90, 110) {
		t.Error("Within is [lo, hi], and a stamp before any watermark is within every span")
	}
}

func ptr[T any](v T) *T { return &v }

// TestExpireMatchesAModel puts and retracts random rows with rising stamps
// and checks after every step that Expire removes exactly the entries
// stamped before the clock.
func TestExpireMatchesAModel(t *testing.T) {
	type key struct{ k, row int }
	type ent struct{ w, ts int64 }
	s := NewSide[int, int]()
	model := map[key]ent{}
	r := rand.New(rand.NewPCG(7, 9))
	var clock int64
	for step := range 20000 {
		clock += r.Int64N(3)
		k, row := r.IntN(5), r.IntN(8)
		m, ok := model[key{k, row}]
		if r.IntN(10) < 7 || !ok { // insert a copy
			s.Put(k, Entry[int]{Row: row, W: 1, TS: clock}, true)
			if !ok {
				m.ts = clock
			}
			m.w++
			model[key{k, row}] = m
		} else { // retract one
			s.Put(k, Entry[int]{Row: row, W: -1, TS: clock}, true)
			if m.w--; m.w == 0 {
				delete(model, key{k, row})
			} else {
				model[key{k, row}] = m
			}
		}
		const ttl = 20
		var want int64
		for kr, m := range model {
			if m.ts < clock-ttl {
				want++
				delete(model, kr)
			}
		}
		if got := s.Expire(clock - ttl); got != want {
			t.Fatalf("step %d: %d expired, want %d", step, got, want)
		}
		if s.Len() != len(model) {
			t.Fatalf("step %d: %d entries, want %d", step, s.Len(), len(model))
		}
		for kr, m := range model {
			if e := s.Find(kr.k, &kr.row); e == nil || e.W != m.w || e.TS != m.ts {
				t.Fatalf("step %d: entry %v = %+v, want %+v", step, kr, e, m)
			}
		}
	}
}
