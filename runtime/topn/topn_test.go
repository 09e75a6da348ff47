package topn

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

type row struct {
	K, V, ID int64
}

type out struct {
	ID, Rank int64
}

func byV(a, b *row) int { return cmp.Compare(b.V, a.V) } // V DESC

// reference ranks rows (in arrival order) from scratch.
func reference(kind Kind, n int64, rows []row) map[int64][]out {
	parts := map[int64][]row{}
	for _, r := range rows {
		parts[r.K] = append(parts[r.K], r)
	}
	res := map[int64][]out{}
	for k, rs := range parts {
		slices.SortStableFunc(rs, func(a, b row) int { return byV(&a, &b) })
		var rank, dense int64
		for i := range rs {
			if i == 0 || rs[i-1].V != rs[i].V {
				rank, dense = int64(i)+1, dense+1
			}
			r := map[Kind]int64{RowNumber: int64(i) + 1, Rank: rank, DenseRank: dense}[kind]
			if r <= n {
				res[k] = append(res[k], out{rs[i].ID, r})
			}
		}
	}
	return res
}

// net applies emitted changes to a table of output rows per partition.
type table map[out]int

func run(t *testing.T, kind Kind, n int64, bounded bool, ops []struct {
	r row
	w int64
}, batch int) (table, *State[int64, row, out]) {
	s := New[int64, row, out](kind, n, bounded, false, byV)
	tab := table{}
	flush := func() {
		s.Flush(func(k int64, p *Partition[row, out]) {
			var o []out
			s.Top(p, func(r *row, rank int64) { o = append(o, out{r.ID, rank}) })
			s.Emit(p, o, func(r *out, op byte) {
				if op == '+' {
					tab[*r]++
				} else {
					tab[*r]--
					if tab[*r] < 0 {
						t.Fatalf("retraction of %v, never inserted", *r)
					}
				}
			})
		})
	}
	for i, op := range ops {
		s.Add(op.r.K, op.r, op.w)
		if (i+1)%batch == 0 {
			flush()
		}
	}
	flush()
	for k, c := range tab {
		if c == 0 {
			delete(tab, k)
		}
	}
	return tab, s
}

func TestRankingMatchesReference(t *testing.T) {
	for seed := range 200 {
		r := rand.New(rand.NewPCG(uint64(seed), 7))
		kind := Kind(r.IntN(3))
		n := int64(1 + r.IntN(4))
		updating := r.IntN(2) == 0
		var live []row
		var ops []struct {
			r row
			w int64
		}
		for i := range 60 {
			if updating && len(live) > 0 && r.IntN(3) == 0 {
				j := r.IntN(len(live))
				ops = append(ops, struct {
					r row
					w int64
				}{live[j], -1})
				live = slices.Delete(live, j, j+1)
				continue
			}
			x := row{K: int64(r.IntN(3)), V: int64(r.IntN(6)), ID: int64(i)}
			live = append(live, x)
			ops = append(ops, struct {
				r row
				w int64
			}{x, 1})
		}
		want := table{}
		for _, os := range reference(kind, n, live) {
			for _, o := range os {
				want[o]++
			}
		}
		for _, batch := range []int{1, 7, 1000} {
			got, s := run(t, kind, n, !updating, ops, batch)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("seed %d kind %d n %d updating %v batch %d:\n got %v\nwant %v", seed, kind, n, updating, batch, got, want)
			}
			if !updating {
				for _, p := range s.Parts {
					if kind == RowNumber && int64(len(p.Rows)) > n {
						t.Fatalf("bounded state holds %d rows for N = %d", len(p.Rows), n)
					}
				}
			}
		}
	}
}

func TestWindowedClose(t *testing.T) {
	type key struct{ End, K int64 }
	s := New[key, row, out](RowNumber, 1, true, false, byV)
	s.Windowed(func(k *key) int64 { return k.End })
	s.Add(key{20, 1}, row{1, 5, 1}, 1)
	s.Add(key{10, 1}, row{1, 3, 2}, 1)
	s.Add(key{10, 1}, row{1, 4, 3}, 1)
	s.Add(key{10, 2}, row{2, 1, 4}, 1)
	if len(s.Dirty) != 0 {
		t.Fatalf("a window top-N emits on close, not on flush")
	}
	var got []string
	close := func(wm int64) {
		s.Close(wm, func(k key, p *Partition[row, out]) {
			s.Top(p, func(r *row, rank int64) { got = append(got, fmt.Sprintf("%d:%d#%d", k.End, r.ID, rank)) })
		})
	}
	close(9)
	close(10)
	if want := "[10:3#1 10:4#1]"; fmt.Sprint(got) != want {
		t.Fatalf("closed %v, want %v", got, want)
	}
	close(100)
	if want := "[10:3#1 10:4#1 20:1#1]"; fmt.Sprint(got) != want || s.Len() != 0 {
		t.Fatalf("closed %v (%d left), want %v", got, s.Len(), want)
	}
}

// Prune keeps a worker's partitions only: the others leave the map, the
// dirty list, the window ends and the rows waiting for the watermark.
func TestPrune(t *testing.T) {
	even := func(k int64) bool { return k%2 == 0 }
	var got []int64
	// plain: dirty partitions
	s := New[int64, row, out](RowNumber, 1, true, false, byV)
	for k := range int64(6) {
		s.Add(k, row{K: k, V: k, ID: k}, 1)
	}
	s.Prune(even)
	s.Flush(func(k int64, _ *Partition[row, out]) { got = append(got, k) })
	if s.Len() != 3 || !slices.Equal(got, []int64{0, 2, 4}) {
		t.Fatalf("plain: %d partitions, flushed %v", s.Len(), got)
	}
	// windowed: a partition's window end is its key
	w := New[int64, row, out](RowNumber, 2, true, false, byV)
	w.Windowed(func(k *int64) int64 { return *k / 2 })
	for k := range int64(8) {
		w.Add(k, row{K: k, V: k, ID: k}, 1)
	}
	w.Prune(func(k int64) bool { return k%4 != 0 && k != 3 })
	got = got[:0]
	w.Close(1<<62, func(k int64, _ *Partition[row, out]) { got = append(got, k) })
	if w.Len() != 0 || !slices.Equal(got, []int64{1, 2, 5, 6, 7}) {
		t.Fatalf("windowed: %d partitions left, closed %v", w.Len(), got)
	}
	// timed: rows waiting for the watermark
	ts := New[int64, row, out](RowNumber, 0, false, false, byV)
	ts.Timed(func(r *row) int64 { return r.ID }, Frame{Unbounded: true})
	for k := range int64(6) {
		ts.Add(k, row{K: k, V: k, ID: 10 + k}, 1)
	}
	ts.Prune(even)
	got = got[:0]
	ts.Release(1<<62, func(k int64, _ *Partition[row, out], _ int) { got = append(got, k) })
	if ts.Pending() != 0 || !slices.Equal(got, []int64{0, 2, 4}) {
		t.Fatalf("timed: %d pending, released %v", ts.Pending(), got)
	}
}

// Dedup.Prune keeps a worker's partitions only, in the changed list too.
func TestDedupPrune(t *testing.T) {
	s := NewDedup[int64, row, out](byV, projectRow)
	for k := range int64(6) {
		s.Add(k, row{K: k, V: 5*k + 1, ID: k})
	}
	s.Prune(func(k int64) bool { return k%2 == 0 })
	var got []int64
	s.Flush(func(o *out, _ byte) { got = append(got, o.ID) })
	if s.Len() != 3 || !slices.Equal(got, []int64{0, 2, 4}) {
		t.Fatalf("%d partitions, changed %v", s.Len(), got)
	}
}
