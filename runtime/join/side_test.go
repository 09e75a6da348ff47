package join

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"unsafe"
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

func TestEvictByTime(t *testing.T) {
	s := NewSide[int, int64]()
	r := rand.New(rand.NewPCG(1, 2))
	var times []int64
	for i := range 1000 {
		ts := r.Int64N(10_000)
		times = append(times, ts)
		// Row is the arrival index: a bucket keeps the arrival order
		s.Add(int(ts%7), Entry[int64]{Row: int64(i), W: 1, TS: ts}, false, true)
	}
	var gone []int64
	for _, cut := range []int64{100, 5000, 5000, 7000, 10_001} {
		s.Evict(cut, func(_ int, e *Entry[int64]) {
			if e.TS >= cut {
				t.Fatalf("evicted %d before %d", e.TS, cut)
			}
			gone = append(gone, e.TS)
		})
		left := 0
		for k := range 7 {
			b := s.Bucket(k)
			left += len(b)
			for i := range b {
				if b[i].TS < cut || (i > 0 && b[i].Row < b[i-1].Row) {
					t.Fatalf("after evicting before %d, key %d keeps %v", cut, k, b)
				}
			}
		}
		if left != s.Len() || left+len(gone) != len(times) {
			t.Fatalf("after evicting before %d: %d left (Len %d), %d gone of %d", cut, left, s.Len(), len(gone), len(times))
		}
	}
	slices.Sort(gone)
	slices.Sort(times)
	if !slices.Equal(gone, times) || s.Len() != 0 {
		t.Fatalf("evicted %d of %d rows, %d left", len(gone), len(times), s.Len())
	}
}

func TestEvictAllAtTheEnd(t *testing.T) {
	s := NewSide[int, int64]()
	for i := range 100 {
		s.Add(i%5, Entry[int64]{Row: int64(i), W: 1, TS: int64(i)}, false, true)
	}
	s.Add(9, Entry[int64]{Row: -1, W: 1, TS: math.MaxInt64}, false, true)
	s.Evict(math.MaxInt64, nil)
	if s.Len() != 1 || len(s.Bucket(9)) != 1 || len(s.times) != 1 {
		t.Fatalf("a watermark past every row leaves %d rows, %d times", s.Len(), len(s.times))
	}
	s.Add(1, Entry[int64]{Row: 7, W: 1, TS: 5}, false, true)
	s.Evict(6, nil)
	if s.Len() != 1 {
		t.Fatalf("rows added after the sweep are evicted by time: %d left", s.Len())
	}
}

// bidRow is a Nexmark bid as the join of q20 keeps it: four numbers and
// three strings (the strings' bytes are the generator's, shared, not counted).
type bidRow struct {
	Auction, Bidder, Price int64
	Channel, URL           string
	DateTime               int64
	Extra                  string
}

// BenchmarkSideBytesPerRow reports the heap bytes a side holds per retained
// row (b.N rows over b.N/10 keys), beside the row's own size: the overhead of
// the entry's weight, match count and time, of the bucket slices' spare
// capacity and of the map. Run it once: go test -run - -bench SideBytes
// -benchtime 1x ./runtime/join
func BenchmarkSideBytesPerRow(b *testing.B) {
	for _, timed := range []bool{false, true} {
		name := "regular"
		if timed {
			name = "interval"
		}
		b.Run(name, func(b *testing.B) {
			const rows = 1_000_000
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			s := NewSide[int64, bidRow]()
			for i := range rows {
				s.Add(int64(i%(rows/10)), Entry[bidRow]{Row: bidRow{Auction: int64(i), Extra: "x"}, W: 1, TS: int64(i)}, false, timed)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/rows, "B/row")
			b.ReportMetric(float64(unsafe.Sizeof(bidRow{})), "row-B")
			runtime.KeepAlive(s)
			for range b.N {
			}
		})
	}
}

// Prune keeps the keys of one worker: their rows, and their times for Evict.
func TestPrune(t *testing.T) {
	s := NewSide[int, int64]()
	for i := range 100 {
		s.Add(i%10, Entry[int64]{Row: int64(i), W: 1, TS: int64(i)}, false, true)
	}
	s.Prune(func(k int) bool { return k%2 == 0 })
	if s.Len() != 50 || s.Bucket(1) != nil || len(s.Bucket(2)) != 10 {
		t.Fatalf("after Prune: %d rows, key 1 %v, key 2 %v", s.Len(), s.Bucket(1), s.Bucket(2))
	}
	var gone []int64
	s.Evict(math.MaxInt64-1, func(k int, e *Entry[int64]) {
		if k%2 != 0 {
			t.Fatalf("evicted a pruned key's row %v", e)
		}
		gone = append(gone, e.Row)
	})
	if len(gone) != 50 || s.Len() != 0 {
		t.Fatalf("evicted %d rows, %d left", len(gone), s.Len())
	}
}
