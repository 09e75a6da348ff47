package join

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestKeyIndexModel checks keyIndex against a map over random adds and
// removes of two-word keys (the zero key among them) through doublings
// and backward shifts, with the keys by slot as Side keeps them.
func TestKeyIndexModel(t *testing.T) {
	type key struct{ A, B int64 }
	if !plainKey[key]() || plainKey[struct {
		A int64
		S string
	}]() || plainKey[int64]() || !plainKey[[4]int32]() || plainKey[struct {
		A int32
		B int64
	}]() {
		t.Fatal("plainKey: want plain for two words or more of integers only, without padding")
	}
	r := rand.New(rand.NewPCG(3, 4))
	x := newKeyIndex[key]()
	var keys []key
	var free []uint32
	model := map[key]uint32{}
	for i := range 200_000 {
		k := key{int64(r.IntN(5000)), int64(r.IntN(3))}
		if i%1000 == 0 {
			k = key{} // the zero key, which free slots hold too
		}
		slot, ok, h, j := x.find(k, keys)
		want, held := model[k]
		if ok != held || (ok && slot != want) {
			t.Fatalf("step %d: find(%v) = %d, %v; want %d, %v", i, k, slot, ok, want, held)
		}
		if !ok {
			if n := len(free); n > 0 {
				slot, free = free[n-1], free[:n-1]
			} else {
				slot = uint32(len(keys))
				keys = append(keys, key{})
			}
			keys[slot] = k
			x.insert(h, j, slot)
			model[k] = slot
		} else if r.IntN(3) > 0 {
			x.remove(j)
			keys[slot] = key{}
			free = append(free, slot)
			delete(model, k)
		}
		if x.n != len(model) {
			t.Fatalf("step %d: %d keys, want %d", i, x.n, len(model))
		}
	}
	if 4*x.n > 3*len(x.slots) {
		t.Fatalf("load %d/%d", x.n, len(x.slots))
	}
}

// TestKeyIndexGrowModel checks keyIndex against a map while it grows
// past incrementalKeys through many incremental doublings, with removals
// and re-adds of keys held in old, moved, and new while a move is under
// way, and after every move that ends, a find of every key held and a
// count of the slots used: a slot of old that move skipped, a stale copy
// in old found, or a tombstone moved fails it.
func TestKeyIndexGrowModel(t *testing.T) {
	type key struct{ A, B int64 }
	r := rand.New(rand.NewPCG(5, 6))
	x := newKeyIndex[key]()
	var keys []key
	var free []uint32
	model := map[key]uint32{}
	var live []key // model's keys, for picking one at random
	pos := map[key]int{}
	check := func(step int, k key) (uint32, bool, uint64, uint64) {
		t.Helper()
		slot, ok, h, j := x.find(k, keys)
		want, held := model[k]
		if ok != held || (ok && slot != want) {
			t.Fatalf("step %d: find(%v) = %d, %v; want %d, %v (old %v, moved %d/%d)",
				step, k, slot, ok, want, held, x.old != nil, x.moved, len(x.old))
		}
		return slot, ok, h, j
	}
	add := func(step int, k key) {
		slot, ok, h, j := check(step, k)
		if ok {
			return
		}
		if n := len(free); n > 0 {
			slot, free = free[n-1], free[:n-1]
		} else {
			slot = uint32(len(keys))
			keys = append(keys, key{})
		}
		keys[slot] = k
		x.insert(h, j, slot)
		model[k] = slot
		pos[k] = len(live)
		live = append(live, k)
	}
	var fromOld, fromNew, doublings, zeroMoved int
	drop := func(step int, k key) {
		slot, ok, _, j := check(step, k)
		if !ok {
			return
		}
		if x.old != nil {
			if j&inOld != 0 {
				fromOld++
			} else {
				fromNew++
			}
		}
		x.remove(j)
		keys[slot] = key{}
		free = append(free, slot)
		delete(model, k)
		i := pos[k]
		last := live[len(live)-1]
		live[i], pos[last] = last, i
		live = live[:len(live)-1]
		delete(pos, k)
	}
	moving := false
	for i := range 1_200_000 {
		switch op := r.IntN(16); {
		case op < 8: // a new key, or the zero key now and then
			k := key{int64(r.Uint64() >> 40), int64(r.IntN(4))}
			if i%5000 == 0 {
				k = key{}
			}
			add(i, k)
		case op < 12 && len(live) > 0: // a held key found, and removed
			k := live[r.IntN(len(live))]
			check(i, k)
			if op < 11 {
				drop(i, k)
				if r.IntN(2) == 0 {
					add(i, k) // back, into slots (or a freed key slot)
				}
			}
		default: // a key most likely not held
			check(i, key{int64(r.Uint64()), -1})
		}
		// the zero key, which free key slots hold too: held when a doubling
		// starts, dropped once it has moved to slots, then looked for till
		// the move ends (its copy in old, stale, names a free key slot,
		// whose key is zero)
		if _, held := model[key{}]; x.old == nil && !held {
			add(i, key{})
		} else if held && x.old != nil {
			if _, _, _, j := x.find(key{}, keys); j&inOld == 0 {
				drop(i, key{})
				zeroMoved++
			}
		} else if x.old != nil {
			check(i, key{})
		}
		if x.old != nil && !moving {
			doublings++
		}
		if moving && x.old == nil {
			for _, k := range live {
				check(i, k)
			}
			used := 0
			for _, s := range x.slots {
				if s != 0 {
					used++
				}
			}
			if used != x.n {
				t.Fatalf("step %d: %d slots used after a move, want %d (a tombstone moved?)", i, used, x.n)
			}
		}
		moving = x.old != nil
		if x.n != len(model) {
			t.Fatalf("step %d: %d keys, want %d", i, x.n, len(model))
		}
	}
	if doublings < 4 || fromOld == 0 || fromNew == 0 || zeroMoved == 0 {
		t.Fatalf("%d incremental doublings, %d removals from old and %d from slots during a move (%d of the zero key moved); want more", doublings, fromOld, fromNew, zeroMoved)
	}
	t.Logf("%d keys, %d slots, %d incremental doublings, removals during a move: %d from old, %d from slots (%d of the zero key moved)", x.n, len(x.slots), doublings, fromOld, fromNew, zeroMoved)
}

// TestSidePlainKeyEach checks a side of a two-word key (found through a
// keyIndex): Each sees every key kept once, free slots (zero keys) not,
// the zero key when it is kept, and Prune drops while walking.
func TestSidePlainKeyEach(t *testing.T) {
	type key struct{ A, B int64 }
	s := NewKeyedSide[key, int64]()
	if s.tab == nil {
		t.Fatal("a key of two BIGINTs goes through a keyIndex")
	}
	for i := range 100 {
		s.Add(key{int64(i), 1}, Entry[int64]{Row: int64(i), W: 1}, false, false)
	}
	for i := 0; i < 100; i += 2 {
		s.RemoveKey(key{int64(i), 1})
	}
	s.Add(key{}, Entry[int64]{Row: -1, W: 1}, false, false) // the zero key, in a freed slot
	var got []int64
	s.Each(func(k key, e *Entry[int64]) { got = append(got, e.Row) })
	slices.Sort(got)
	want := []int64{-1}
	for i := 1; i < 100; i += 2 {
		want = append(want, int64(i))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Each saw %v, want %v", got, want)
	}
	s.Prune(func(k key) bool { return k.A%3 == 0 })
	got = got[:0]
	s.Each(func(k key, e *Entry[int64]) { got = append(got, e.Row) })
	slices.Sort(got)
	want = []int64{-1}
	for i := 3; i < 100; i += 6 {
		want = append(want, int64(i))
	}
	if !slices.Equal(got, want) || s.keyCount() != len(want) {
		t.Fatalf("after Prune: %v (%d keys), want %v", got, s.keyCount(), want)
	}
}

// BenchmarkKeyIndexInsert4M adds 4M new two-word keys to an empty
// keyIndex (find, then insert, as Side.add does) and reports the longest
// single add (max-ns/insert), which a doubling all at once makes the time
// to rehash the whole table. A figure, not an assertion.
func BenchmarkKeyIndexInsert4M(b *testing.B) {
	type key struct{ A, B int64 }
	const n = 4 << 20
	keys := make([]key, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range keys {
		keys[i] = key{int64(r.Uint64()), int64(i)}
	}
	var worst time.Duration
	for b.Loop() {
		x := newKeyIndex[key]()
		for i := range uint32(n) {
			t := time.Now()
			_, _, h, j := x.find(keys[i], keys)
			x.insert(h, j, i)
			if d := time.Since(t); d > worst {
				worst = d
			}
		}
	}
	b.ReportMetric(float64(worst.Nanoseconds()), "max-ns/insert")
}

// TestKeyIndexPrepareNextTable: a large index makes the table of its next
// doubling once its load passes 9/16 and maps it a piece every
// prepareEvery inserts, all of it by the time it doubles, which then
// takes that table; every key is found after.
func TestKeyIndexPrepareNextTable(t *testing.T) {
	type key struct{ A, B int64 }
	x := newKeyIndex[key]()
	var keys []key
	add := func() {
		k := key{int64(len(keys)), 1}
		_, ok, h, j := x.find(k, keys)
		if ok {
			t.Fatalf("key %v found before it was added", k)
		}
		keys = append(keys, k)
		x.insert(h, j, uint32(len(keys)-1))
	}
	for len(x.slots) < prepareSlots {
		add()
	}
	for 16*x.n < 9*len(x.slots)+16*prepareEvery {
		if x.next.Table != nil && 16*x.n < 9*len(x.slots) {
			t.Fatalf("next table made at %d keys of %d slots", x.n, len(x.slots))
		}
		add()
	}
	if len(x.next.Table) != 2*len(x.slots) || x.next.Mapped == 0 {
		t.Fatalf("at %d keys of %d slots: next table of %d, %d mapped", x.n, len(x.slots), len(x.next.Table), x.next.Mapped)
	}
	slots := len(x.slots)
	var next *uint64
	for len(x.slots) == slots {
		if x.next.Table != nil {
			next = &x.next.Table[0]
			if x.next.Mapped < len(x.next.Table) && 4*(x.n+1) > 3*len(x.slots) {
				t.Fatalf("doubling at %d keys with %d of %d mapped", x.n+1, x.next.Mapped, len(x.next.Table))
			}
		}
		add()
	}
	if &x.slots[0] != next || x.next.Table != nil {
		t.Fatal("the doubling did not take the prepared table")
	}
	for i, k := range keys {
		if slot, ok, _, _ := x.find(k, keys); !ok || slot != uint32(i) {
			t.Fatalf("key %v: slot %d, %v", k, slot, ok)
		}
	}
}
