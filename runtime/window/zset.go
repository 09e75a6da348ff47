package window

import (
	"cmp"
	"math"
	"slices"
)

// ShiftWatermark moves a watermark by d (see the dataflow graph's per-edge
// watermarks): the watermark of a window_start column lags the window_end
// watermark by the window size. The ends of time stay where they are, so
// "nothing seen yet" and "input ended" keep their meaning.
func ShiftWatermark(wm, d int64) int64 {
	if wm == math.MinInt64 || wm == math.MaxInt64 {
		return wm
	}
	if d < 0 && wm < math.MinInt64-d {
		return math.MinInt64
	}
	if d > 0 && wm > math.MaxInt64-d {
		return math.MaxInt64
	}
	return wm + d
}

// OpOf is the change marker of a row of weight w on an updating edge:
// '+' for an insertion, '-' for a retraction.
func OpOf(w int64) byte {
	if w < 0 {
		return '-'
	}
	return '+'
}

// WeightOf is the weight of a row marked op ('+' or '-').
func WeightOf(op byte) int64 {
	if op == '-' {
		return -1
	}
	return 1
}

// Remove deletes the groups at the given indexes (each once), moving the
// last groups into their places. Group indexes and pointers to keys and
// states held elsewhere are invalid afterwards, and Dirty is cleared: call
// it after emitting.
func (g *Groups[K, S]) Remove(idx []int32) {
	slices.SortFunc(idx, func(a, b int32) int { return cmp.Compare(b, a) })
	g.settle()
	var zk K
	var zs S
	for _, i := range idx {
		last := g.n - 1
		g.unindex(g.slotOf(i))
		if i != last {
			j := g.slotOf(last)
			g.slots[j] = g.slots[j]&^0xffffffff | uint64(i+1)
			*g.Key(i), *g.State(i) = *g.Key(last), *g.State(last)
		}
		live.groups.Add(-1)
		live.bytes.Add(-g.entry)
		*g.Key(last), *g.State(last) = zk, zs
		if last < chunkLen {
			g.keys0, g.states0 = g.keys0[:last], g.states0[:last]
		}
		g.n = last
	}
	g.Dirty = g.Dirty[:0]
}

// Multiset is a bag of values with weights, for MIN and MAX over an
// updating input: a retraction removes one copy of a value, and the extreme
// is found again only when its last copy goes. The zero value is empty.
type Multiset[T Key] struct {
	counts map[T]int64
	n      int64 // values with a positive count, counted with multiplicity
}

// Add adds w copies of v (w < 0 removes them).
func (m *Multiset[T]) Add(v T, w int64) {
	if m.counts == nil {
		m.counts = make(map[T]int64)
	}
	c := m.counts[v] + w
	if c == 0 {
		delete(m.counts, v)
	} else {
		m.counts[v] = c
	}
	m.n += w
}

// Distinct is the number of distinct values (COUNT(DISTINCT x)).
func (m *Multiset[T]) Distinct() int64 { return int64(len(m.counts)) }

// Len is the number of values, with multiplicity.
func (m *Multiset[T]) Len() int64 { return m.n }

// Min returns the least value; ok is false when the multiset is empty.
func (m *Multiset[T]) Min() (v T, ok bool) {
	for x, c := range m.counts {
		if c > 0 && (!ok || compareKeys(x, v) < 0) {
			v, ok = x, true
		}
	}
	return v, ok
}

// Max returns the greatest value; ok is false when the multiset is empty.
func (m *Multiset[T]) Max() (v T, ok bool) {
	for x, c := range m.counts {
		if c > 0 && (!ok || compareKeys(x, v) > 0) {
			v, ok = x, true
		}
	}
	return v, ok
}

// Sorted returns the values and their counts in ascending order, for
// snapshots (a deterministic encoding).
func (m *Multiset[T]) Sorted() ([]T, []int64) {
	vals := make([]T, 0, len(m.counts))
	for x := range m.counts {
		vals = append(vals, x)
	}
	slices.SortFunc(vals, compareKeys[T])
	counts := make([]int64, len(vals))
	for i, x := range vals {
		counts[i] = m.counts[x]
	}
	return vals, counts
}
