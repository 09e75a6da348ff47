package window

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Key types of each way Groups hashes (keyKindOf).
type (
	intKey    struct{ K0 int64 }     // keyWord: GROUP BY one BIGINT
	twoKey    struct{ K0, K1 int64 } // keyWords: two BIGINTs, or a BIGINT and a TIMESTAMP
	emptyKey  struct{}               // keyEmpty: GROUP BY the window alone
	paddedKey struct {               // keyAny: == ignores the padding after b
		a int32
		b bool
	}
	nullKey struct { // keyAny: a nullable BIGINT, padded
		K0     int64
		K0Null bool
	}
	blankKey struct { // keyAny: == ignores a blank field
		K0 int32
		_  int32
	}
	floatKey  struct{ K0 float64 }   // keyAny: +0 == -0 with other bytes
	stringKey struct{ K0 string }    // keyAny
	arrKey    struct{ K0 [2]uint32 } // keyWord
	mixedKey  struct {
		a, b int32
		c    int64
	} // keyWords
)

func TestKeyKindOf(t *testing.T) {
	for _, c := range []struct {
		name string
		got  keyKind
		want keyKind
	}{
		{"int64", keyKindOf[int64](), keyWord},
		{"uint64", keyKindOf[uint64](), keyWord},
		{"intKey", keyKindOf[intKey](), keyWord},
		{"arrKey", keyKindOf[arrKey](), keyWord},
		{"twoKey", keyKindOf[twoKey](), keyWords},
		{"mixedKey", keyKindOf[mixedKey](), keyWords},
		{"emptyKey", keyKindOf[emptyKey](), keyEmpty},
		{"paddedKey", keyKindOf[paddedKey](), keyAny},
		{"nullKey", keyKindOf[nullKey](), keyAny},
		{"blankKey", keyKindOf[blankKey](), keyAny},
		{"floatKey", keyKindOf[floatKey](), keyAny},
		{"float64", keyKindOf[float64](), keyAny},
		{"stringKey", keyKindOf[stringKey](), keyAny},
		{"int32", keyKindOf[int32](), keyAny},                   // 4 bytes: hash reads 8
		{"three", keyKindOf[struct{ a, b, c int64 }](), keyAny}, // 24 bytes
		{"pointer", keyKindOf[*int](), keyAny},
	} {
		if c.got != c.want {
			t.Errorf("%s: kind %d, want %d", c.name, c.got, c.want)
		}
	}
}

// groupsModel checks a Groups against a map through a random run of Find,
// Remove, Reset and Grow over keys drawn from keys: group numbers in order
// of arrival, states kept, deletes by backward shift, doublings (incremental
// past incrementalGroups) and their moves.
func groupsModel[K comparable](t *testing.T, name string, seed uint64, keys func(*rand.Rand) K, rounds, perRound int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	g := NewGroups[K, int64]()
	ref := map[K]int64{} // key -> state
	order := []K{}       // the model's group order
	check := func(round int, what string) {
		t.Helper()
		if g.Len() != len(ref) || len(order) != len(ref) {
			t.Fatalf("%s round %d after %s: %d groups, model %d", name, round, what, g.Len(), len(ref))
		}
		for i, k := range order {
			if *g.Key(int32(i)) != k || *g.State(int32(i)) != ref[k] {
				t.Fatalf("%s round %d after %s: group %d = %v/%d, want %v/%d", name, round, what, i, *g.Key(int32(i)), *g.State(int32(i)), k, ref[k])
			}
		}
	}
	for round := range rounds {
		for n := rng.IntN(perRound); n > 0; n-- {
			k := keys(rng)
			gi, added := g.Find(k)
			st, ok := ref[k]
			if added == ok {
				t.Fatalf("%s round %d: Find(%v) added %v, model has it: %v", name, round, k, added, ok)
			}
			if !ok {
				if gi != int32(len(order)) {
					t.Fatalf("%s round %d: new key %v is group %d, want %d", name, round, k, gi, len(order))
				}
				order = append(order, k)
			} else if *g.Key(gi) != k || *g.State(gi) != st {
				t.Fatalf("%s round %d: Find(%v) = group %d of %v/%d, want state %d", name, round, k, gi, *g.Key(gi), *g.State(gi), st)
			}
			*g.State(gi)++
			ref[k]++
		}
		check(round, "finds")
		switch op := rng.IntN(10); {
		case op < 5 && g.Len() > 0: // delete some groups
			seen := map[int32]bool{}
			var idx []int32
			for n := rng.IntN(g.Len()/2 + 1); n > 0; n-- {
				i := int32(rng.IntN(g.Len()))
				if !seen[i] {
					seen[i] = true
					idx = append(idx, i)
				}
			}
			g.Remove(idx)
			// the model of Remove: descending indexes, the last group into each place
			sorted := slices.Clone(idx)
			slices.Sort(sorted)
			slices.Reverse(sorted)
			for _, i := range sorted {
				delete(ref, order[i])
				order[i] = order[len(order)-1]
				order = order[:len(order)-1]
			}
			check(round, "remove")
		case op == 5:
			g.Reset()
			clear(ref)
			order = order[:0]
			g.Grow(rng.IntN(3 * incrementalGroups))
			check(round, "reset")
		}
		// every key of the model is found where it is, none is added
		for i, k := range order {
			if gi, added := g.Find(k); added || gi != int32(i) {
				t.Fatalf("%s round %d: Find(%v) = %d (added %v), want group %d", name, round, k, gi, added, i)
			}
		}
	}
}

func TestGroupsModelKeyKinds(t *testing.T) {
	// few distinct keys: many hits, many deletes of live groups
	small := func(r *rand.Rand) int64 { return r.Int64N(3000) - 1500 }
	// keys that differ only in their high bits (a hash that kept the low
	// bits would put them all in one probe run) and spread ones
	high := func(r *rand.Rand) int64 { return r.Int64N(1<<14) << 44 }
	wide := func(r *rand.Rand) int64 { return int64(r.Uint64()>>40) * 0x10001 }
	groupsModel(t, "intKey small", 1, func(r *rand.Rand) intKey { return intKey{small(r)} }, 150, 4000)
	groupsModel(t, "intKey high", 2, func(r *rand.Rand) intKey { return intKey{high(r)} }, 60, 30000)
	groupsModel(t, "int64 wide", 3, func(r *rand.Rand) int64 { return wide(r) }, 40, 40000)
	groupsModel(t, "twoKey", 4, func(r *rand.Rand) twoKey {
		// K1 a window start: equal in many keys, as in GROUP BY auction, window_start
		return twoKey{small(r), r.Int64N(4) * 10_000_000}
	}, 120, 5000)
	groupsModel(t, "twoKey swapped", 5, func(r *rand.Rand) twoKey {
		a, b := r.Int64N(120), r.Int64N(120)
		return twoKey{a, b} // {a, b} and {b, a} are different groups
	}, 80, 5000)
	groupsModel(t, "mixedKey", 6, func(r *rand.Rand) mixedKey {
		return mixedKey{int32(r.IntN(50)), int32(r.IntN(50)), r.Int64N(3)}
	}, 80, 3000)
	groupsModel(t, "emptyKey", 7, func(r *rand.Rand) emptyKey { return emptyKey{} }, 50, 100)
	groupsModel(t, "paddedKey", 8, func(r *rand.Rand) paddedKey { return paddedKey{int32(r.IntN(500)), r.IntN(2) == 0} }, 80, 3000)
	groupsModel(t, "nullKey", 9, func(r *rand.Rand) nullKey { return nullKey{small(r), r.IntN(5) == 0} }, 80, 3000)
}

// TestGroupsWordHashSpreads: keys that are multiples of a power of two
// (auction ids times 2^k, window starts in µs) are spread over the index:
// no probe run is long. A word hash that kept the key's low bits as the
// slot (identity) puts every one of these in a few probe runs.
func TestGroupsWordHashSpreads(t *testing.T) {
	for _, step := range []int64{1, 1 << 10, 1 << 32, 10_000_000} {
		g := NewGroups[intKey, int64]()
		for i := range int64(20_000) {
			g.Find(intKey{i * step})
		}
		g.settle()
		longest, run := 0, 0
		for _, s := range g.slots {
			if s == 0 {
				run = 0
				continue
			}
			run++
			longest = max(longest, run)
		}
		if longest > 200 {
			t.Errorf("keys i*%d: a probe run of %d slots of %d", step, longest, len(g.slots))
		}
	}
}

// TestGroupsOnly: Only, the Find of a key of no bytes that generated code
// inlines, is the one group, added once, again after a Reset or its Remove.
func TestGroupsOnly(t *testing.T) {
	g := NewGroups[emptyKey, int64]()
	for round := range 3 {
		for n := range 5 {
			if gi := g.Only(); gi != 0 || g.Len() != 1 {
				t.Fatalf("round %d: Only() = %d with %d groups", round, gi, g.Len())
			}
			*g.State(0) += int64(n)
			if gi, added := g.Find(emptyKey{}); gi != 0 || added {
				t.Fatalf("round %d: Find after Only = %d, %v", round, gi, added)
			}
		}
		if *g.State(0) != 10 {
			t.Fatalf("round %d: state %d, want 10", round, *g.State(0))
		}
		if round == 0 {
			g.Reset()
		} else {
			g.Remove([]int32{0})
		}
		if g.Len() != 0 {
			t.Fatalf("round %d: %d groups left", round, g.Len())
		}
	}
	var z Groups[emptyKey, int64] // the zero value
	if z.Only() != 0 || z.Len() != 1 {
		t.Fatal("zero Groups: Only")
	}
}

// TestWindowReopensAfterPop: the window Window returned last, once popped,
// is not its cache any more: Window of its start again opens a window
// (input that the operator lets in late, as EMIT with allowed lateness).
func TestWindowReopensAfterPop(t *testing.T) {
	w := NewWindows[intKey, int64](10)
	g := w.Window(0)
	gi, _ := g.Find(intKey{1})
	*g.State(gi) = 5
	if w.Window(0) != g {
		t.Fatal("Window(0) twice: two groups")
	}
	start, popped := w.PopEarliest()
	if start != 0 || popped != g {
		t.Fatalf("popped %d", start)
	}
	w.Release(popped)
	again := w.Window(0)
	if w.Len() != 1 || again.Len() != 0 {
		t.Fatalf("Window(0) after its pop: %d windows open, %d groups in it", w.Len(), again.Len())
	}
	if s, g2 := w.At(0); s != 0 || g2 != again {
		t.Fatalf("open window %d is not the one Window returned", s)
	}
}
