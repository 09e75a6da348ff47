package join

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestAddMergeAndRemove(t *testing.T) {
	s := NewSide[int, string]()
	s.Add(1, Entry[string]{Row: "a", W: 1}, true, false)
	s.Add(1, Entry[string]{Row: "a", W: 1}, true, false)
	s.Add(1, Entry[string]{Row: "b", W: 1}, true, false)
	if b := s.Bucket(1); len(b) != 2 || b[0].W != 2 || s.Len() != 2 {
		t.Fatalf("bucket %v, len %d", b, s.Len())
	}
	s.Add(1, Entry[string]{Row: "a", W: -2}, true, false)
	if b := s.Bucket(1); len(b) != 1 || b[0].Row != "b" || s.Len() != 1 {
		t.Fatalf("a row whose weight nets to zero must go: %v", b)
	}
	s.Add(1, Entry[string]{Row: "b", W: -1}, true, false)
	if s.Bucket(1) != nil || s.Len() != 0 {
		t.Fatalf("an empty key must go")
	}
	// append-only input: equal rows are separate entries
	s.Add(2, Entry[string]{Row: "x", W: 1}, false, false)
	s.Add(2, Entry[string]{Row: "x", W: 1}, false, false)
	if len(s.Bucket(2)) != 2 {
		t.Fatalf("append-only rows are not merged")
	}
}

func TestEvictInTimeOrder(t *testing.T) {
	s := NewSide[int, int64]()
	r := rand.New(rand.NewPCG(1, 2))
	var times []int64
	for range 1000 {
		ts := r.Int64N(10_000)
		times = append(times, ts)
		s.Add(int(ts%7), Entry[int64]{Row: ts, W: 1, TS: ts}, false, true)
	}
	slices.Sort(times)
	var gone []int64
	for _, cut := range []int64{100, 5000, 5000, 10_001} {
		s.Evict(cut, func(_ int, e *Entry[int64]) {
			if e.TS >= cut {
				t.Fatalf("evicted %d before %d", e.TS, cut)
			}
			gone = append(gone, e.TS)
		})
	}
	if !slices.IsSorted(gone) || len(gone) != len(times) || s.Len() != 0 {
		t.Fatalf("evicted %d of %d rows (sorted %v), %d left", len(gone), len(times), slices.IsSorted(gone), s.Len())
	}
}
