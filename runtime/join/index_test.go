package join

import (
	"math/rand/v2"
	"slices"
	"testing"
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
