package window

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"unsafe"
)

type key struct{ s string }
type acc struct{ n int64 }

func TestGroupsOrderAndReset(t *testing.T) {
	g := NewGroups[key, acc]()
	for _, k := range []string{"b", "a", "b", "c", "a"} {
		i, _ := g.Find(key{k})
		g.State(i).n++
	}
	want := []struct {
		k string
		n int64
	}{{"b", 2}, {"a", 2}, {"c", 1}}
	if g.Len() != len(want) {
		t.Fatalf("len %d", g.Len())
	}
	for i, w := range want {
		if g.Key(int32(i)).s != w.k || g.State(int32(i)).n != w.n {
			t.Errorf("group %d = %v %v, want %v", i, *g.Key(int32(i)), *g.State(int32(i)), w)
		}
	}
	g.Reset()
	if g.Len() != 0 {
		t.Fatal("reset kept groups")
	}
	if i, added := g.Find(key{"a"}); i != 0 || !added || g.State(0).n != 0 {
		t.Fatal("state not zeroed after reset")
	}
}

func TestWindowsCloseInOrder(t *testing.T) {
	w := NewWindows[key, acc](10)
	if w.NextEnd() != math.MaxInt64 {
		t.Fatal("empty windows must never close")
	}
	for _, s := range []int64{20, 0, 10, 20, -10} {
		g := w.Window(s)
		i, _ := g.Find(key{"x"})
		g.State(i).n++
	}
	var got []int64
	var counts []int64
	for w.NextEnd() <= 25 {
		s, g := w.PopEarliest()
		got = append(got, s)
		counts = append(counts, g.State(0).n)
		w.Release(g)
	}
	if len(got) != 3 || got[0] != -10 || got[1] != 0 || got[2] != 10 {
		t.Fatalf("closed %v", got)
	}
	if w.Len() != 1 || w.NextEnd() != 30 {
		t.Fatalf("open %d next %d", w.Len(), w.NextEnd())
	}
	if counts[0] != 1 || counts[1] != 1 {
		t.Fatalf("counts %v", counts)
	}
	// a recycled window starts empty
	g := w.Window(100)
	if g.Len() != 0 {
		t.Fatal("recycled window not empty")
	}
	if s, g2 := w.At(0); s != 20 || g2.State(0).n != 2 {
		t.Fatalf("window 20 = %d %v", s, *g2.State(0))
	}
}

func BenchmarkFindSteadyState(b *testing.B) {
	w := NewWindows[key, acc](1000)
	keys := []key{{"AAPL"}, {"MSFT"}, {"GOOG"}, {"AMZN"}}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ts := int64(i)
		start := ts - ts%1000
		g := w.Window(start)
		j, _ := g.Find(keys[i&3])
		g.State(j).n++
		for w.NextEnd() <= ts-500 {
			_, g := w.PopEarliest()
			w.Release(g)
		}
	}
}

// TestGroupsIndex checks the open-addressing index against a map over many
// keys, across rehashes, Grow and Reset, with the map's semantics for float
// keys (+0 and -0 are one group, every NaN a new one).
func TestGroupsIndex(t *testing.T) {
	type k2 struct {
		s string
		n int64
	}
	g := NewGroups[k2, int]()
	ref := map[k2]int32{}
	for round := 0; round < 3; round++ {
		for i := 0; i < 50_000; i++ {
			k := k2{strconv.Itoa(i % 7919), int64(i % 13)}
			gi, added := g.Find(k)
			want, ok := ref[k]
			if !ok {
				want = int32(len(ref))
				ref[k] = want
			}
			if gi != want || added == ok || *g.Key(gi) != k {
				t.Fatalf("round %d: Find(%v) = %d, %v; want %d, %v", round, k, gi, added, want, !ok)
			}
			*g.State(gi)++
		}
		if g.Len() != len(ref) {
			t.Fatalf("len %d, want %d", g.Len(), len(ref))
		}
		g.Reset()
		clear(ref)
		g.Grow(round * 1000)
	}
	var z Groups[key, acc] // the zero value works too
	if i, added := z.Find(key{"a"}); i != 0 || !added {
		t.Fatal("zero Groups")
	}
	f := NewGroups[float64, int]()
	a, _ := f.Find(0)
	b, _ := f.Find(math.Copysign(0, -1))
	n1, _ := f.Find(math.NaN())
	n2, _ := f.Find(math.NaN())
	if a != b || n1 == n2 {
		t.Errorf("float keys: +0 %d -0 %d, NaN %d %d", a, b, n1, n2)
	}
}

// TestLiveCountsGroups: Live counts the groups added and released.
func TestLiveCountsGroups(t *testing.T) {
	g0, b0 := Live()
	g := NewGroups[key, acc]()
	for i := 0; i < 100; i++ {
		g.Find(key{strconv.Itoa(i)})
	}
	g1, b1 := Live()
	if g1-g0 != 100 || b1-b0 < 100*int64(unsafe.Sizeof(key{})+unsafe.Sizeof(acc{})) {
		t.Errorf("after 100 groups: %d groups, %d bytes more", g1-g0, b1-b0)
	}
	g.Reset()
	if g2, b2 := Live(); g2 != g0 || b2 != b0 {
		t.Errorf("after Reset: %d groups, %d bytes; want %d, %d", g2, b2, g0, b0)
	}
}

// TestGroupsRemove: removing groups (backward-shift deletion in the index,
// the last group moved into the hole) keeps every other key findable, with
// its state, across many rounds of adds and removes.
func TestGroupsRemove(t *testing.T) {
	g := NewGroups[int64, int64]()
	ref := map[int64]int64{} // key -> state
	rng := rand.New(rand.NewPCG(7, 8))
	live0, _ := Live()
	for round := 0; round < 200; round++ {
		for n := rng.IntN(300); n > 0; n-- {
			k := rng.Int64N(2000)
			gi, _ := g.Find(k)
			*g.State(gi)++
			ref[k]++
		}
		var idx []int32
		seen := map[int32]bool{}
		for n := rng.IntN(100); n > 0 && g.Len() > 0; n-- {
			i := int32(rng.IntN(g.Len()))
			if !seen[i] {
				seen[i] = true
				idx = append(idx, i)
				delete(ref, *g.Key(i))
			}
		}
		g.Remove(idx)
		if g.Len() != len(ref) {
			t.Fatalf("round %d: %d groups, want %d", round, g.Len(), len(ref))
		}
		for k, st := range ref {
			gi, added := g.Find(k)
			if added || *g.State(gi) != st {
				t.Fatalf("round %d: key %d: added %v state %d, want %d", round, k, added, *g.State(gi), st)
			}
		}
	}
	if n, _ := Live(); n-live0 != int64(g.Len()) {
		t.Errorf("Live counts %d groups, %d held", n-live0, g.Len())
	}
}

// TestGroupsGrowIncrementally: a doubling of the index moves the groups to
// the new table a few per Find, not all in the Find that fills the table,
// and every key stays findable while some are indexed in the old table
// only (looked up there, and found again by Find, not added twice).
func TestGroupsGrowIncrementally(t *testing.T) {
	g := NewGroups[int64, int64]()
	doublings := 0
	for k := int64(0); k < 300_000; k++ {
		slots, moved := len(g.slots), g.moved
		if g.old == nil {
			moved = 0
		}
		i, added := g.Find(k)
		if !added || i != int32(k) {
			t.Fatalf("Find(%d) = %d, %v", k, i, added)
		}
		*g.State(i) = k
		switch {
		case len(g.slots) > slots && k+1 >= incrementalGroups:
			doublings++
			if g.old == nil || g.moved > movesPerFind {
				t.Fatalf("doubling at %d groups: old %v, moved %d slots: want the groups moved a few per Find", k+1, g.old != nil, g.moved)
			}
		case g.old != nil && g.moved-moved > movesPerFind:
			t.Fatalf("Find %d moved %d slots", k, g.moved-moved)
		}
		if g.old != nil && k%97 == 0 {
			// a key of the old table that has not moved yet (in a slot
			// from moved on)
			for _, s := range g.old[g.moved:] {
				if s == 0 {
					continue
				}
				gi := int32(uint32(s)) - 1
				j := *g.Key(gi)
				if gj, added := g.Find(j); added || gj != gi || *g.State(gj) != j {
					t.Fatalf("key %d while moving: group %d (want %d) added %v state %d", j, gj, gi, added, *g.State(gj))
				}
				break
			}
		}
	}
	if doublings < 5 {
		t.Errorf("%d doublings", doublings)
	}
	for k := int64(0); k < 300_000; k++ {
		if gi, added := g.Find(k); added || *g.State(gi) != k {
			t.Fatalf("key %d: group %d added %v state %d", k, gi, added, *g.State(gi))
		}
	}
	if g.Len() != 300_000 {
		t.Errorf("%d groups", g.Len())
	}
}

// TestGroupsRemoveWhileMoving: Remove, Grow and Reset in the middle of an
// incremental doubling (some groups indexed in the old table only) keep
// every remaining key findable with its state.
func TestGroupsRemoveWhileMoving(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, op := range []string{"remove", "grow", "reset"} {
		g := NewGroups[int64, int64]()
		ref := map[int64]int64{}
		k := int64(0)
		for g.old == nil || g.moved == 0 || g.moved > len(g.old)/2 || len(g.slots) < 4*incrementalGroups {
			i, _ := g.Find(k)
			*g.State(i) = k
			ref[k] = k
			k++
		}
		switch op {
		case "remove":
			var idx []int32
			seen := map[int32]bool{}
			for range 500 {
				i := int32(rng.IntN(g.Len()))
				if !seen[i] {
					seen[i] = true
					idx = append(idx, i)
					delete(ref, *g.Key(i))
				}
			}
			g.Remove(idx)
		case "grow":
			g.Grow(100_000)
		case "reset":
			g.Reset()
			clear(ref)
		}
		if g.old != nil {
			t.Errorf("%s: the old table is still in use", op)
		}
		for key, st := range ref {
			if gi, added := g.Find(key); added || *g.State(gi) != st {
				t.Fatalf("%s: key %d: added %v state %d", op, key, added, *g.State(gi))
			}
		}
		if g.Len() != len(ref) {
			t.Errorf("%s: %d groups, want %d", op, g.Len(), len(ref))
		}
	}
}

// TestGroupsChunks: keys and states live in chunks, and a full chunk never
// moves (a pointer to a state of the second chunk still reads it after two
// more chunks),
// a small table's one chunk stays small, and Remove, Reset and Grow across
// chunk boundaries keep every group at its index.
func TestGroupsChunks(t *testing.T) {
	g := NewGroups[int64, int64]()
	for k := range int64(5) {
		gi, _ := g.Find(k)
		*g.State(gi) = k
	}
	if c := cap(g.states0); c > 8 {
		t.Errorf("5 groups hold a chunk of %d states", c)
	}
	const n = 3*chunkLen + 100
	var second *int64 // the first group of the second chunk
	for k := int64(5); k < n; k++ {
		gi, added := g.Find(k)
		if !added || gi != int32(k) {
			t.Fatalf("Find(%d) = %d, %v", k, gi, added)
		}
		*g.State(gi) = k
		if k == chunkLen {
			second = g.State(gi)
		}
	}
	*second = 42
	if gi, _ := g.Find(chunkLen); *g.State(gi) != 42 {
		t.Fatalf("the state of group %d moved: %d", chunkLen, *g.State(gi))
	}
	*second = chunkLen
	check := func(what string, ref map[int64]int64) {
		t.Helper()
		if g.Len() != len(ref) || int(g.Count()) != len(ref) {
			t.Fatalf("%s: %d groups, want %d", what, g.Len(), len(ref))
		}
		for gi := range g.Count() {
			if st, ok := ref[*g.Key(gi)]; !ok || st != *g.State(gi) {
				t.Fatalf("%s: group %d: key %d state %d, want %d (%v)", what, gi, *g.Key(gi), *g.State(gi), st, ok)
			}
		}
		for k, st := range ref {
			if gi, added := g.Find(k); added || *g.State(gi) != st {
				t.Fatalf("%s: key %d: added %v state %d, want %d", what, k, added, *g.State(gi), st)
			}
		}
	}
	ref := map[int64]int64{}
	for k := range int64(n) {
		ref[k] = k
	}
	check("added", ref)
	// remove the 200 groups from 2*chunkLen-100 on: the last groups move into
	// their places and the table ends inside the third chunk
	var idx []int32
	for i := int32(2*chunkLen - 100); i < 2*chunkLen+100; i++ {
		idx = append(idx, i)
		delete(ref, int64(i))
	}
	g.Remove(idx)
	check("removed", ref)
	for k := int64(n); k < n+chunkLen; k++ { // into the fourth chunk again
		gi, added := g.Find(k)
		if !added || *g.State(gi) != 0 {
			t.Fatalf("after remove: new key %d: added %v state %d", k, added, *g.State(gi))
		}
		*g.State(gi) = k
		ref[k] = k
	}
	check("added after remove", ref)
	g.Reset()
	check("reset", map[int64]int64{})
	g.Grow(5 * chunkLen)
	if len(g.keys) < 4 || cap(g.keys0) < chunkLen {
		t.Fatalf("Grow(%d): %d chunks after a first of %d", 5*chunkLen, len(g.keys), cap(g.keys0))
	}
	clear(ref)
	for k := range int64(5 * chunkLen) {
		gi, added := g.Find(-k)
		if !added || *g.State(gi) != 0 { // the chunks were cleared
			t.Fatalf("after reset: new key %d: added %v state %d", -k, added, *g.State(gi))
		}
		*g.State(gi) = k
		ref[-k] = k
	}
	check("grown", ref)
}

// TestGroupsSlotsKnowTheirHome: every slot's probe run starts at the home
// its own tag gives (slotHome), in the table and, while the index doubles, in
// the old one, for each kind of key, through doublings and removes: what
// lets a doubling move slots without reading their keys, and Remove's
// backward shift find a slot's home without hashing its key.
func TestGroupsSlotsKnowTheirHome(t *testing.T) {
	check := func(name string, table []uint64) {
		t.Helper()
		mask := uint64(len(table) - 1)
		for j, s := range table {
			if s == 0 {
				continue
			}
			for k := slotHome(s, mask); k != uint64(j); k = (k + 1) & mask {
				if table[k] == 0 {
					t.Fatalf("%s: slot %d (of %d) is not reachable from its home %d: slot %d is empty", name, j, len(table), slotHome(s, mask), k)
				}
			}
		}
	}
	words := NewGroups[int64, int64]()
	strs := NewGroups[key, acc]()
	pairs := NewGroups[[2]int64, int64]()
	rng := rand.New(rand.NewPCG(5, 6))
	for k := range int64(40_000) {
		words.Find(k * 7919)
		strs.Find(key{strconv.FormatInt(k, 36)})
		pairs.Find([2]int64{k, -k})
		if k%5_000 == 4_999 {
			for _, name := range []string{"words", "strings", "pairs"} {
				var slots, old []uint64
				switch name {
				case "words":
					slots, old = words.slots, words.old
				case "strings":
					slots, old = strs.slots, strs.old
				default:
					slots, old = pairs.slots, pairs.old
				}
				check(name, slots)
				if old != nil {
					check(name+" (old)", old)
				}
			}
		}
	}
	var idx []int32
	for range 3_000 {
		idx = append(idx, int32(rng.IntN(words.Len())))
	}
	seen := map[int32]bool{}
	var uniq []int32
	for _, i := range idx {
		if !seen[i] {
			seen[i] = true
			uniq = append(uniq, i)
		}
	}
	words.Remove(uniq)
	check("words after Remove", words.slots)
	for i := range words.Count() {
		if gi, added := words.Find(*words.Key(i)); added || gi != i {
			t.Fatalf("after Remove: group %d found at %d, added %v", i, gi, added)
		}
	}
}

// TestGroupsPrepareNextTable: a large index makes the table of its next
// doubling once its load passes 9/16 and maps it a piece per chunk of
// groups, all of it by the time it doubles, which then takes that table
// (no allocation and mapping of the whole in the Find that doubles); Reset
// drops it.
func TestGroupsPrepareNextTable(t *testing.T) {
	g := NewGroups[int64, int64]()
	k := int64(0)
	for len(g.slots) < prepareSlots {
		g.Find(k)
		k++
	}
	for 16*int(g.n) < 9*len(g.slots)+16*chunkLen {
		if g.next.Table != nil && 16*int(g.n) < 9*len(g.slots) {
			t.Fatalf("next table made at %d groups of %d slots", g.n, len(g.slots))
		}
		g.Find(k)
		k++
	}
	if len(g.next.Table) != 2*len(g.slots) || g.next.Mapped == 0 {
		t.Fatalf("at %d groups of %d slots: next table of %d, %d mapped", g.n, len(g.slots), len(g.next.Table), g.next.Mapped)
	}
	slots := len(g.slots)
	var next *uint64
	for len(g.slots) == slots {
		if g.next.Table != nil {
			next = &g.next.Table[0]
			if g.next.Mapped < len(g.next.Table) && 4*int(g.n+1) > 3*len(g.slots) {
				t.Fatalf("doubling at %d groups with %d of %d mapped", g.n+1, g.next.Mapped, len(g.next.Table))
			}
		}
		g.Find(k)
		k++
	}
	if &g.slots[0] != next || g.next.Table != nil {
		t.Fatalf("the doubling did not take the prepared table")
	}
	for j := range k {
		if i, added := g.Find(j); added || *g.Key(i) != j {
			t.Fatalf("key %d: group %d added %v", j, i, added)
		}
	}
	for 16*int(g.n) < 9*len(g.slots)+16*chunkLen {
		g.Find(k)
		k++
	}
	if g.next.Table == nil {
		t.Fatalf("no next table at %d groups of %d slots", g.n, len(g.slots))
	}
	g.Reset()
	if g.next.Table != nil {
		t.Errorf("Reset kept the next table")
	}
}

// TestGroupsPrepareChunk: while a chunk of groups fills, the next one is
// made at its first group and mapped a quarter per chunkLen/4 groups, and
// the chunk after it is that one, all four quarters mapped; a Groups whose
// groups were removed back into an earlier chunk makes none.
func TestGroupsPrepareChunk(t *testing.T) {
	g := NewGroups[int64, [4]int64]()
	k := int64(0)
	for g.Count() < 2*chunkLen {
		g.Find(k)
		k++
		local := int(g.Count()-1) & chunkMask
		switch {
		case g.Count() <= chunkLen:
			if g.spareKeys != nil {
				t.Fatalf("a spare chunk at %d groups", g.Count())
			}
		case g.spareStates == nil || g.spareQuarters != local/(chunkLen/4)+1:
			t.Fatalf("at %d groups: spare %v, %d quarters mapped", g.Count(), g.spareStates != nil, g.spareQuarters)
		}
	}
	spare := g.spareStates
	g.Find(k)
	k++
	if g.states[1] != spare || g.spareQuarters != 1 || g.spareStates == spare {
		t.Fatalf("the chunk after the second is not the spare one")
	}
	for j := range k {
		if i, added := g.Find(j); added || *g.Key(i) != j {
			t.Fatalf("key %d: group %d added %v", j, i, added)
		}
	}
	// back into the first chunk: the chunks after it stay, and adding
	// groups into them makes no spare
	var idx []int32
	for i := int32(chunkLen / 2); i < g.Count(); i++ {
		idx = append(idx, i)
	}
	g.spareKeys, g.spareStates, g.spareQuarters = nil, nil, 0
	g.Remove(idx)
	for g.Count() < chunkLen+chunkLen/2 {
		g.Find(k)
		k++
		if g.spareStates != nil {
			t.Fatalf("a spare chunk at %d groups with %d chunks", g.Count(), len(g.states))
		}
	}
}
