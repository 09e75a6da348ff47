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
	if s.Len() != 1 || len(s.Bucket(9)) != 1 || s.times.n != 1 {
		t.Fatalf("a watermark past every row leaves %d rows, %d times", s.Len(), s.times.n)
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

// TestSlabReuseKeepsOrder: entries removed from the middle and the ends of
// a key's list leave the others in arrival order, and their slots are
// reused by later rows (of any key) without disturbing other lists.
func TestSlabReuseKeepsOrder(t *testing.T) {
	s := NewSide[int, int64]()
	for i := range 3 * chunkSize {
		s.Add(i%3, Entry[int64]{Row: int64(i), W: 1}, true, false)
	}
	// retract every row of key 0 whose value is a multiple of 6, and the first and last of key 1
	for i := 0; i < 3*chunkSize; i += 6 {
		s.Add(0, Entry[int64]{Row: int64(i), W: -1}, true, false)
	}
	s.Add(1, Entry[int64]{Row: 1, W: -1}, true, false)
	s.Add(1, Entry[int64]{Row: 3*chunkSize - 2, W: -1}, true, false)
	used := s.used
	for i := range chunkSize / 2 {
		s.Add(7, Entry[int64]{Row: int64(1000 + i), W: 1}, true, false)
	}
	if s.used != used {
		t.Fatalf("freed slots were not reused: %d slots handed out, was %d", s.used, used)
	}
	for k := range 3 {
		var want []int64
		for i := k; i < 3*chunkSize; i += 3 {
			if (k == 0 && i%6 == 0) || (k == 1 && (i == 1 || i == 3*chunkSize-2)) {
				continue
			}
			want = append(want, int64(i))
		}
		var got []int64
		for _, e := range s.Bucket(k) {
			got = append(got, e.Row)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("key %d keeps %v, want %v", k, got, want)
		}
	}
	// the tail of key 1 moved back: an append goes after the new last row
	s.Add(1, Entry[int64]{Row: -5, W: 1}, true, false)
	if b := s.Bucket(1); b[len(b)-1].Row != -5 {
		t.Fatalf("appended after a removed tail: %v", b[len(b)-3:])
	}
	if got := len(s.Bucket(7)); got != chunkSize/2 || s.Len() != 3*chunkSize-chunkSize/2-2+chunkSize/2+1 {
		t.Fatalf("key 7 has %d rows, side %d", got, s.Len())
	}
}

// TestEvictAllKeepsUntimed: at the end of input a side with untimed
// entries (state_ttl rows from before the first watermark) keeps them.
func TestEvictAllKeepsUntimed(t *testing.T) {
	s := NewSide[int, int64]()
	s.Put(1, Entry[int64]{Row: 1, W: 1, TS: math.MinInt64}, false)
	s.Put(1, Entry[int64]{Row: 2, W: 1, TS: 5}, false)
	s.Put(2, Entry[int64]{Row: 3, W: 1, TS: 6}, false)
	s.Evict(math.MaxInt64, nil)
	if b := s.Bucket(1); s.Len() != 1 || len(b) != 1 || b[0].Row != 1 || s.Bucket(2) != nil {
		t.Fatalf("left %d rows: %v %v", s.Len(), b, s.Bucket(2))
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

// TestKeySlotsReused: keys that empty give their slots back and new keys
// take them, each starting an empty list; against a model, in random
// order of adds and retractions over many keys, every key reads back its
// own rows in arrival order and the slots never outnumber the most keys
// held at once.
func TestKeySlotsReused(t *testing.T) {
	testKeySlotsReused(t, NewSide[int, int64](), func(k int) int { return k })
	// a key of two words, found through a keyIndex
	testKeySlotsReused(t, NewKeyedSide[[2]int64, int64](), func(k int) [2]int64 { return [2]int64{int64(k), -int64(k)} })
}

func testKeySlotsReused[K comparable](t *testing.T, s *Side[K, int64], key func(int) K) {
	r := rand.New(rand.NewPCG(3, 4))
	model := map[int][]int64{}
	most := 0
	for i := range 20_000 {
		k := r.IntN(300)
		if rows := model[k]; len(rows) > 0 && r.IntN(2) == 0 {
			j := r.IntN(len(rows))
			s.Add(key(k), Entry[int64]{Row: rows[j], W: -1}, true, false)
			model[k] = slices.Delete(rows, j, j+1)
			if len(model[k]) == 0 {
				delete(model, k)
			}
		} else {
			s.Add(key(k), Entry[int64]{Row: int64(i), W: 1}, true, false)
			model[k] = append(model[k], int64(i))
		}
		most = max(most, len(model))
	}
	for k := range 300 {
		var got []int64
		for _, e := range s.Bucket(key(k)) {
			got = append(got, e.Row)
		}
		if !slices.Equal(got, model[k]) {
			t.Fatalf("key %d reads back %v, want %v", k, got, model[k])
		}
	}
	if s.keyCount() != len(model) || len(s.heads) > most {
		t.Fatalf("%d keys in %d slots; want %d keys in at most %d", s.keyCount(), len(s.heads), len(model), most)
	}
}

// TestRemoveKey: a key's entries all go, with their strings' bytes counted
// dead; the other keys stay as they were; its times left in the heap are
// skipped by Evict, also once the key has new entries; the slots are
// reused.
func TestRemoveKey(t *testing.T) {
	type row struct {
		S string
		N int64
	}
	s := NewSide[int, row]()
	for i := range 40 {
		s.Add(i%4, Entry[row]{Row: row{S: string(rune('a'+i%26)) + "-long-enough-string", N: int64(i)}, W: 1, TS: int64(i)}, false, true)
	}
	live := s.arena.live
	s.RemoveKey(1)
	s.RemoveKey(9) // no such key
	if s.Bucket(1) != nil || s.Len() != 30 || len(s.Bucket(0)) != 10 || len(s.Bucket(2)) != 10 {
		t.Fatalf("after RemoveKey(1): len %d, buckets %d %d %d", s.Len(), len(s.Bucket(0)), len(s.Bucket(1)), len(s.Bucket(2)))
	}
	if s.arena.live >= live {
		t.Fatalf("the removed rows' strings are still counted live: %d, before %d", s.arena.live, live)
	}
	used := s.used
	s.Add(1, Entry[row]{Row: row{S: "back", N: 100}, W: 1, TS: 100}, false, true)
	if s.used != used {
		t.Fatalf("a new entry took a new slot (%d, was %d), not a freed one", s.used, used)
	}
	var gone []int64
	s.Evict(50, func(k int, e *Entry[row]) { gone = append(gone, e.Row.N) })
	if len(gone) != 30 || slices.Contains(gone, 100) {
		t.Fatalf("Evict(50) dropped %v: want the 30 rows kept before 50, not the new row of the removed key", gone)
	}
	if b := s.Bucket(1); len(b) != 1 || b[0].Row.S != "back" || s.Len() != 1 {
		t.Fatalf("the removed key's new row: %v (len %d)", b, s.Len())
	}
}

// TestRemoveKeyPrunesTimes checks that the heap of times does not keep
// those of every row RemoveKey took (Nexmark q9's early bids, which all go
// that way, grew it to every bid ever held) and that Evict still drops
// exactly the rows it should after the times were pruned: the keys held
// keep theirs, and a key removed and added again is swept by its new row's.
func TestRemoveKeyPrunesTimes(t *testing.T) {
	s := NewSide[int, int64]()
	// key 0 is held throughout; of keys 1.., one row each, every third
	// stays and the others go at once
	s.Add(0, Entry[int64]{Row: -1, W: 1, TS: 5}, false, true)
	for i := 1; i <= 100_000; i++ {
		s.Add(i, Entry[int64]{Row: int64(i), W: 1, TS: int64(1000 + i*7919%100_003)}, false, true) // times out of order
		if i%3 != 0 {
			s.RemoveKey(i)
		}
	}
	if s.times.n > 2*s.Len()+shrinkKeys {
		t.Fatalf("%d times held for %d rows held", s.times.n, s.Len())
	}
	for i := 1; i < len(s.times.heap); i++ {
		if s.times.heap[(i-1)/2].ts > s.times.heap[i].ts {
			t.Fatalf("the times are not a heap at %d", i)
		}
	}
	held := s.Len()
	// key 3 removed above is added again, later than every other row
	s.RemoveKey(3)
	s.Add(3, Entry[int64]{Row: 3, W: 1, TS: 1_000_000}, false, true)
	var gone []int64
	s.Evict(500_000, func(k int, e *Entry[int64]) { gone = append(gone, e.Row) })
	if len(gone) != held-1 || s.Len() != 1 || len(s.Bucket(3)) != 1 || s.Bucket(3)[0].TS != 1_000_000 {
		t.Fatalf("Evict dropped %d rows of %d held, %d left (key 3: %v)", len(gone), held, s.Len(), s.Bucket(3))
	}
}

// TestKeylessSide: a keyless side (a unique side whose rows a
// deduplication finds by id) keeps no map: AddUnique hands out ids that
// Entry finds, EvictKeyless drops the rows by time telling gone each
// one's key (from keyOf), a slot given back is handed out again, Each
// and Prune see the rows held, and the end of input drops them at once.
func TestKeylessSide(t *testing.T) {
	type row struct {
		K  int64
		S  string
		TS int64
	}
	s := NewSide[int64, row]()
	s.Keyless(func(r *row) int64 { return r.K })
	ids := map[int64]uint32{}
	for k := range int64(40) {
		r := row{K: k, S: string(rune('a' + k%26)), TS: k * 10}
		ids[k] = s.AddUnique(k, Entry[row]{Row: r, W: 1, TS: r.TS}, true)
	}
	for k, id := range ids {
		if e := s.Entry(id); e.Row.K != k || s.First(k) != nil {
			t.Fatalf("id %d of key %d holds %v", id, k, e.Row)
		}
	}
	var gone []int64
	s.EvictKeyless(100, func(k int64, e *Entry[row]) {
		if e.Row.K != k {
			t.Fatalf("gone with key %d for row %v", k, e.Row)
		}
		gone = append(gone, k)
	})
	if !slices.Equal(gone, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) || s.Len() != 30 {
		t.Fatalf("evicted %v, %d left", gone, s.Len())
	}
	// a new row takes a slot given back
	id := s.AddUnique(100, Entry[row]{Row: row{K: 100, S: "z", TS: 1000}, W: 1, TS: 1000}, true)
	if !slices.Contains([]uint32{ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[7], ids[8], ids[9]}, id) {
		t.Fatalf("the new row's id %d is not a slot given back", id)
	}
	seen := map[int64]bool{}
	s.Each(func(k int64, e *Entry[row]) { seen[k] = true })
	if len(seen) != 31 || !seen[100] || seen[0] {
		t.Fatalf("Each saw %d keys: %v", len(seen), seen)
	}
	s.Prune(func(k int64) bool { return k%2 == 0 })
	if s.Len() != 16 {
		t.Fatalf("%d rows after Prune, want 16", s.Len())
	}
	gone = gone[:0]
	s.EvictKeyless(math.MaxInt64-1, func(k int64, e *Entry[row]) { gone = append(gone, k) })
	if len(gone) != 16 || gone[len(gone)-1] != 100 || s.Len() != 0 {
		t.Fatalf("evicted %v after Prune, %d left", gone, s.Len())
	}
	s.AddUnique(7, Entry[row]{Row: row{K: 7}, W: 1, TS: 5}, true)
	s.EvictKeyless(math.MaxInt64, nil)
	if s.Len() != 0 || len(s.chunks) != 0 {
		t.Fatalf("the end of input left %d rows, %d chunks", s.Len(), len(s.chunks))
	}
}

// TestSideGrowsModel checks a side of a one-word key against a model
// through its growth: on a map, moved to a keyIndex past growKeys keys
// (toTab), probed as a join's generated code does (FirstMap, then First
// once Grown), with rows added, keys removed and rows evicted by time, and
// back on a map once every row has gone.
func TestSideGrowsModel(t *testing.T) {
	type key struct{ K0 int64 }
	s := NewGrowingSide[key, int64]()
	if !s.grows || s.Grown() || NewSide[key, int64]().grows {
		t.Fatal("a growing side of one BIGINT starts on a map and may grow; NewSide's does not")
	}
	r := rand.New(rand.NewPCG(7, 8))
	model := map[key][]int64{} // rows by key, oldest first (a row is its TS)
	probe := func(step int, k key) {
		t.Helper()
		first := s.FirstMap(k)
		if first == nil && s.Grown() {
			first = s.First(k)
		}
		var got []int64
		for e := first; e != nil; e = s.Next(e) {
			got = append(got, e.Row)
		}
		slices.Reverse(got) // newest first
		if want := model[k]; !slices.Equal(got, want) {
			t.Fatalf("step %d (grown %v): key %v holds %v, want %v", step, s.Grown(), k, got, want)
		}
	}
	grew, shrank := false, false
	cut := int64(0)
	for step := range 200_000 {
		// keys of a range that grows the side past growKeys, and shrinks
		// it again as rows are evicted; the zero key among them
		span := int64(3 * growKeys)
		if step > 150_000 {
			span = 64
		}
		k := key{r.Int64N(span)}
		switch op := r.IntN(32); {
		case op < 20:
			ts := int64(step)
			s.Add(k, Entry[int64]{Row: ts, W: 1, TS: ts}, false, true)
			model[k] = append(model[k], ts)
		case op < 22:
			s.RemoveKey(k)
			delete(model, k)
		case op < 23 && step%4 == 0:
			cut = max(cut, int64(step)-60_000-int64(r.IntN(10_000)))
			s.Evict(cut, nil)
			for mk, rows := range model {
				rows = slices.DeleteFunc(rows, func(ts int64) bool { return ts < cut })
				if len(rows) == 0 {
					delete(model, mk)
				} else {
					model[mk] = rows
				}
			}
		default:
			probe(step, k)
		}
		grew = grew || s.Grown()
		if s.keyCount() != len(model) {
			t.Fatalf("step %d: %d keys, want %d", step, s.keyCount(), len(model))
		}
	}
	for k := range model {
		probe(-1, k)
	}
	s.Evict(math.MaxInt64, func(key, *Entry[int64]) {})
	shrank = !s.Grown() && s.keyCount() == 0
	if !grew || !shrank {
		t.Fatalf("grew %v, back on a map once empty %v: want both", grew, shrank)
	}
	s.Add(key{5}, Entry[int64]{Row: 1, W: 1}, false, false)
	if first := s.FirstMap(key{5}); first == nil || first.Row != 1 {
		t.Fatal("a side back on its map finds its keys there")
	}
	// other keys cannot grow: a string's, a float's, one of two words (a
	// keyIndex from the start, NewKeyedSide), one smaller than a word
	for name, f := range map[string]func(){
		"string": func() { NewGrowingSide[string, int64]() }, "float64": func() { NewGrowingSide[struct{ F float64 }, int64]() },
		"two words": func() { NewGrowingSide[struct{ A, B int64 }, int64]() }, "int32": func() { NewGrowingSide[int32, int64]() },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewGrowingSide of a %s key did not panic", name)
				}
			}()
			f()
		}()
	}
}
