package window

import (
	"math/bits"
	"slices"
)

// DistinctSet holds the values of the COUNT(DISTINCT x) aggregates of one
// group over an append-only input that share their argument x, each with
// its own FILTER: per value, a bit mask of the aggregates that have seen it,
// and per aggregate (bit) the number of values it has seen. A row costs one
// map probe however many of the aggregates it reaches (Nexmark q15 has
// four per column); a multiset per aggregate would cost one each.
//
// M is the mask's type, the smallest that has a bit per aggregate: a map of
// one-byte values takes half the memory (and cache) of one of uint64s.
type DistinctSet[T Key, M Mask] struct {
	seen   map[T]M
	counts []int64
}

// Mask is the type of a DistinctSet's masks.
type Mask interface {
	~uint8 | ~uint16 | ~uint32 | ~uint64
}

// Add records that v was seen by the aggregates of mask's bits.
func (d *DistinctSet[T, M]) Add(v T, mask M) {
	if d.seen == nil {
		d.seen = make(map[T]M)
	}
	old := d.seen[v]
	added := mask &^ old
	if added == 0 {
		return
	}
	d.seen[v] = old | added
	for added != 0 {
		i := bits.TrailingZeros64(uint64(added))
		for len(d.counts) <= i {
			d.counts = append(d.counts, 0)
		}
		d.counts[i]++
		added &= added - 1
	}
}

// Count is the number of distinct values the aggregate of bit has seen.
func (d *DistinctSet[T, M]) Count(bit int) int64 {
	if bit < len(d.counts) {
		return d.counts[bit]
	}
	return 0
}

// Sorted returns the values and their masks in ascending order, for
// snapshots; Add of each restores the set.
func (d *DistinctSet[T, M]) Sorted() ([]T, []M) {
	vals := make([]T, 0, len(d.seen))
	for v := range d.seen {
		vals = append(vals, v)
	}
	slices.SortFunc(vals, compareKeys[T])
	masks := make([]M, len(vals))
	for i, v := range vals {
		masks[i] = d.seen[v]
	}
	return vals, masks
}
