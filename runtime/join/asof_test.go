package join

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

type asofRow struct {
	id int
	ts int64
}

// TestAsofMatchesBatch feeds random out-of-order rows of two inputs, with
// watermarks trailing each input's maximum time, and checks that every left
// row that was not late comes out once with the match a batch ASOF join over
// the non-late rows gives.
func TestAsofMatchesBatch(t *testing.T) {
	modes := []AsofMode{
		{Backward, math.MinInt64, 0}, {Backward, math.MinInt64, -1}, {Backward, -5, 0},
		{Forward, 0, math.MaxInt64}, {Forward, 1, math.MaxInt64}, {Forward, 0, 4},
		{Nearest, math.MinInt64, math.MaxInt64}, {Nearest, -3, 3},
	}
	for seed := range uint64(60) {
		for _, mode := range modes {
			t.Run(fmt.Sprintf("%v/%d", mode, seed), func(t *testing.T) { checkAsof(t, mode, seed) })
		}
	}
}

func checkAsof(t *testing.T, mode AsofMode, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	delay := [2]int64{rng.Int64N(6), rng.Int64N(6)}
	type ev struct {
		side int
		key  int
		row  asofRow
	}
	var evs []ev
	base := [2]int64{}
	for i := range 60 {
		s := rng.IntN(2)
		base[s] += rng.Int64N(3)
		ts := base[s] - rng.Int64N(8) // out of order, sometimes late
		evs = append(evs, ev{s, rng.IntN(3), asofRow{i, ts}})
	}
	type out struct{ l, r int }
	var got []out
	a := NewAsof[int, asofRow, asofRow](mode, func(l *asofRow, r *asofRow) {
		o := out{l.id, -1}
		if r != nil {
			o.r = r.id
		}
		got = append(got, o)
	})
	maxTS := [2]int64{math.MinInt64, math.MinInt64}
	var lefts, rights []ev
	for _, e := range evs {
		var ok bool
		if e.side == 0 {
			ok = a.PushLeft(e.key, e.row, e.row.ts)
		} else {
			ok = a.PushRight(e.key, e.row, e.row.ts)
		}
		if ok {
			if e.side == 0 {
				lefts = append(lefts, e)
			} else {
				rights = append(rights, e)
			}
		}
		maxTS[e.side] = max(maxTS[e.side], e.row.ts)
		wm := [2]int64{}
		for i := range wm {
			wm[i] = math.MinInt64
			if maxTS[i] != math.MinInt64 {
				wm[i] = maxTS[i] - delay[i]
			}
		}
		a.Advance(wm[0], wm[1])
		// a snapshot taken now and restored goes on alike
		if e.row.id%17 == 0 {
			b := NewAsof[int, asofRow, asofRow](mode, a.emit)
			a.EachRight(func(k int, x *Entry[asofRow]) { b.RestoreRight(k, *x) })
			a.EachLeft(func(k int, x *Entry[asofRow]) { b.RestoreLeft(k, *x) })
			b.Restored(a.Watermarks())
			b.added = a.added
			a = b
		}
	}
	a.Advance(math.MaxInt64, math.MaxInt64)
	if r, l := a.Len(); l != 0 {
		t.Fatalf("%d left rows still waiting (%d right rows) at the end", l, r)
	}
	var want []out
	for _, l := range lefts {
		best := -1
		var bestTS int64
		for _, r := range rights { // rights in arrival order: ties go to the first (forward) or last (backward)
			if r.key != l.key {
				continue
			}
			d := r.row.ts - l.row.ts
			if d < mode.Lo || d > mode.Hi {
				continue
			}
			better := false
			switch mode.Dir {
			case Backward:
				better = best < 0 || r.row.ts >= bestTS
			case Forward:
				better = best < 0 || r.row.ts < bestTS
			case Nearest:
				dist, bd := abs(d), abs(bestTS-l.row.ts)
				better = best < 0 || dist < bd || (dist == bd && r.row.ts < bestTS) ||
					(dist == bd && r.row.ts == bestTS && r.row.ts <= l.row.ts)
			}
			if better {
				best, bestTS = r.row.id, r.row.ts
			}
		}
		want = append(want, out{l.row.id, best})
	}
	cmp := func(x, y out) int {
		if x.l != y.l {
			return x.l - y.l
		}
		return x.r - y.r
	}
	slices.SortFunc(got, cmp)
	slices.SortFunc(want, cmp)
	if !slices.Equal(got, want) {
		t.Fatalf("delay %v\n got %v\nwant %v", delay, got, want)
	}
}

// TestAsofPrune: after Prune a worker holds, and emits, only its keys' rows:
// the waiting left rows of the others leave, with their times to look again.
func TestAsofPrune(t *testing.T) {
	var got []int
	a := NewAsof[int, asofRow, asofRow](AsofMode{Backward, math.MinInt64, 0}, func(l *asofRow, r *asofRow) {
		got = append(got, l.id)
	})
	for k := range 4 {
		a.PushRight(k, asofRow{100 + k, 1}, 1)
		a.PushLeft(k, asofRow{k, 5}, 5) // waits: a closer right row may come
	}
	a.Prune(func(k int) bool { return k%2 == 0 })
	if r, l := a.Len(); r != 2 || l != 2 {
		t.Fatalf("kept %d right and %d left rows, want 2 and 2", r, l)
	}
	a.Advance(10, 10)
	if !slices.Equal(got, []int{0, 2}) {
		t.Fatalf("emitted %v, want the left rows of keys 0 and 2", got)
	}
}
