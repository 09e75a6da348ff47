// Package topn holds the state of top-N operators (ROW_NUMBER, RANK and
// DENSE_RANK filtered by rank <= N, deduplication, ORDER BY … LIMIT): per
// partition key the rows in ranking order and the output rows last emitted,
// so that a flush emits only what changed: a retraction for each output row
// that left (or changed rank), an insertion for each that came. Generated
// code supplies the key, input-row and output-row types and the comparison of
// the ORDER BY; ties keep arrival order, so the ranking is deterministic.
package topn

import (
	"cmp"
	"math"
	"slices"
	"unsafe"

	"github.com/laminar-sql/laminar/runtime/decimal"
	"github.com/laminar-sql/laminar/runtime/window"
)

// Kind is the ranking function.
type Kind uint8

const (
	RowNumber Kind = iota // 1, 2, 3, 4: ties in arrival order
	Rank                  // 1, 2, 2, 4
	DenseRank             // 1, 2, 2, 3
)

// Partition is the state of one partition key.
type Partition[R comparable, O comparable] struct {
	// Rows are the rows in ranking order (ties in arrival order). With a
	// bounded state only those ranked within N are kept.
	Rows []R
	// Emitted are the output rows the last flush left in the output.
	Emitted []O
	dirty   bool
	// from is the first row changed since the last flush (see Unchanged);
	// 0 (recompute all) for a new or restored partition
	from int32
	// room for the first row and output row, in the partition's own
	// allocation (deduplication keeps one of each)
	row1 [1]R
	out1 [1]O
	// done counts the rows at the start of Rows an event-time OVER
	// aggregation has emitted (see Release).
	Done int
}

// State is the state of one top-N operator.
type State[K comparable, R comparable, O comparable] struct {
	Parts map[K]*Partition[R, O]
	// Dirty lists the partitions changed since the last flush, in the order
	// first changed, so that emission order does not depend on map order;
	// dirtyParts are those partitions.
	Dirty      []K
	dirtyParts []*Partition[R, O]
	kind       Kind
	n          int64
	// bounded: the input only inserts, so a row ranked past N never comes
	// back and is dropped (each partition keeps N rows, plus ties for RANK
	// and DENSE_RANK).
	bounded bool
	// final: a partition is complete once flushed (a window's rows, all
	// emitted when the window closed) and leaves the state then.
	final bool
	cmp   func(a, b *R) int
	// top1: a deduplication (ROW_NUMBER, N = 1) over an append-only input,
	// which Add places by one comparison (addTop1)
	top1 bool
	// entry estimates a partition's bytes besides its rows, for window.Live
	entry int64
	// endOf, when set, is the end of the window of a partition key (a window
	// top-N over a window TVF): partitions are emitted by Close, once the
	// watermark passes that end, not by Flush.
	endOf func(k *K) int64
	ends  []int64       // the distinct window ends of the partitions held, ascending
	byEnd map[int64][]K // the partitions of each end, in creation order
	// tsOf, when set, is the event time of a row of an OVER aggregation
	// ordered by it over an append-only input: rows are emitted by Release,
	// once the watermark passes their time, not by Flush.
	tsOf    func(r *R) int64
	frame   Frame
	pending pendingHeap[K]
	seq     uint64
	// Missing counts retractions of rows the state did not hold.
	Missing int64
	scratch map[O]int
	row     R // the row Add is placing
}

// New returns an empty state ranking by cmp with kind, keeping the rows of
// rank at most n (n <= 0: every row).
func New[K comparable, R comparable, O comparable](kind Kind, n int64, bounded, final bool, cmp func(a, b *R) int) *State[K, R, O] {
	if n <= 0 {
		n = 1<<63 - 1
		bounded = false
	}
	var k K
	var p Partition[R, O]
	entry := int64(unsafe.Sizeof(k)+unsafe.Sizeof(p)) + 16 // the key, the partition and its map slot
	return &State[K, R, O]{Parts: map[K]*Partition[R, O]{}, kind: kind, n: n, bounded: bounded, final: final, cmp: cmp, entry: entry,
		top1: bounded && kind == RowNumber && n == 1}
}

// Len is the number of partitions held.
func (s *State[K, R, O]) Len() int { return len(s.Parts) }

// part returns the partition of k, creating it, and marks it dirty.
func (s *State[K, R, O]) part(k K) *Partition[R, O] {
	p := s.Parts[k]
	if p == nil {
		p = &Partition[R, O]{}
		p.Rows, p.Emitted = p.row1[:0], p.out1[:0]
		s.Parts[k] = p
		window.AddLive(1, s.entry) // partitions count in the job's state groups
		if s.endOf != nil {
			s.track(k)
			return p
		}
	}
	if s.endOf != nil || s.tsOf != nil {
		return p
	}
	if !p.dirty {
		p.dirty = true
		s.Dirty = append(s.Dirty, k)
		s.dirtyParts = append(s.dirtyParts, p)
	}
	return p
}

// Add folds a row of weight w into partition k: w copies inserted (after
// the rows ranked equal to it), or -w copies removed.
func (s *State[K, R, O]) Add(k K, row R, w int64) {
	if w == 0 {
		return
	}
	// compared through a pointer into the state, not to the parameter:
	// handing &row to cmp (a func value) would move every row to the heap
	s.row = row
	r := &s.row
	if w == 1 && s.top1 {
		s.addTop1(k, r)
		return
	}
	p := s.part(k)
	if s.tsOf != nil {
		for ; w > 0; w-- {
			// in time order, ties in arrival order: Release emits row by row
			p.Rows = slices.Insert(p.Rows, s.upper(p.Rows, r), *r)
			s.seq++
			s.pending.push(pendingRow[K]{s.tsOf(r), s.seq, k})
		}
		return
	}
	for ; w > 0; w-- {
		i := s.upper(p.Rows, r)
		if s.bounded && s.kind == RowNumber && int64(len(p.Rows)) >= s.n {
			if int64(i) >= s.n {
				return // ranked past N: it would be dropped at once
			}
			// the last row leaves: shift in place, no allocation
			copy(p.Rows[i+1:], p.Rows[i:len(p.Rows)-1])
			p.Rows[i] = *r
			p.changed(i)
			continue
		}
		p.Rows = slices.Insert(p.Rows, i, *r)
		p.changed(i)
		if s.bounded {
			p.Rows = s.trim(p.Rows)
		}
	}
	for ; w < 0; w++ {
		lo := s.lower(p.Rows, r)
		found := false
		for i := lo; i < len(p.Rows) && s.cmp(&p.Rows[i], r) == 0; i++ {
			if p.Rows[i] == *r {
				// of equal rows the latest goes: the others keep their ranks
				j := i
				for j+1 < len(p.Rows) && p.Rows[j+1] == *r {
					j++
				}
				p.Rows = slices.Delete(p.Rows, j, j+1)
				p.changed(j)
				found = true
				break
			}
		}
		if !found {
			s.Missing++
		}
	}
}

// addTop1 inserts r into partition k of a deduplication over an
// append-only input (ROW_NUMBER, N = 1): the partition keeps one row, and
// changes, to be flushed, only when r ranks before it. A row that changes
// nothing (the bids of q9 that do not beat the best) leaves the partition
// as it was, not even marked to flush.
func (s *State[K, R, O]) addTop1(k K, r *R) {
	p := s.Parts[k]
	if p != nil && len(p.Rows) == 1 {
		if s.cmp(&p.Rows[0], r) <= 0 {
			return // ranked after (or tied with, arriving later) the row kept
		}
		p.Rows[0] = *r
	} else {
		p = s.part(k)
		p.Rows = append(p.Rows[:0], *r)
	}
	p.from = 0
	if !p.dirty {
		p.dirty = true
		s.Dirty = append(s.Dirty, k)
		s.dirtyParts = append(s.dirtyParts, p)
	}
}

// changed records that rows from index i on changed.
func (p *Partition[R, O]) changed(i int) {
	p.from = int32(min(int(p.from), i))
}

// Unchanged is how many rows at the start of p have not changed since the
// last flush, nor moved: an OVER aggregation with a ROWS frame, whose output
// is one row per row, reuses their output rows (p.Emitted[:n]) and computes
// those of the rows after only (TopFrom).
func (s *State[K, R, O]) Unchanged(p *Partition[R, O]) int {
	return min(int(p.from), len(p.Emitted), len(p.Rows))
}

// TopFrom calls f for each row of p from index start on, like Top, for a
// ROW_NUMBER ranking (a row's rank is its position).
func (s *State[K, R, O]) TopFrom(p *Partition[R, O], start int, f func(r *R, rank int64)) {
	for i := start; i < len(p.Rows) && int64(i) < s.n; i++ {
		f(&p.Rows[i], int64(i)+1)
	}
}

// lower is the index of the first row not ranked before r.
func (s *State[K, R, O]) lower(rows []R, r *R) int {
	lo, hi := 0, len(rows)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.cmp(&rows[m], r) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// upper is the index of the first row ranked after r.
func (s *State[K, R, O]) upper(rows []R, r *R) int {
	lo, hi := 0, len(rows)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.cmp(&rows[m], r) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// trim drops the rows ranked past N.
func (s *State[K, R, O]) trim(rows []R) []R {
	cut := len(rows)
	var rank, dense int64
	for i := range rows {
		if i == 0 || s.cmp(&rows[i-1], &rows[i]) != 0 {
			rank, dense = int64(i)+1, dense+1
		}
		if s.rankOf(int64(i)+1, rank, dense) > s.n {
			cut = i
			break
		}
	}
	if cut == len(rows) {
		return rows
	}
	clear(rows[cut:])
	return rows[:cut]
}

func (s *State[K, R, O]) rankOf(pos, rank, dense int64) int64 {
	switch s.kind {
	case Rank:
		return rank
	case DenseRank:
		return dense
	}
	return pos
}

// Top calls f for each row of p ranked within N, in order, with its rank.
func (s *State[K, R, O]) Top(p *Partition[R, O], f func(r *R, rank int64)) {
	if len(p.Rows) == 1 {
		f(&p.Rows[0], 1) // deduplication: no ranks to work out
		return
	}
	var rank, dense int64
	for i := range p.Rows {
		if i == 0 || s.cmp(&p.Rows[i-1], &p.Rows[i]) != 0 {
			rank, dense = int64(i)+1, dense+1
		}
		k := s.rankOf(int64(i)+1, rank, dense)
		if k > s.n {
			return
		}
		f(&p.Rows[i], k)
	}
}

// Flush calls f for each partition changed since the last flush, in the
// order first changed; f computes its output rows and calls Emit. A
// partition left with no rows and no output leaves the state, and so does
// every partition of a final state.
func (s *State[K, R, O]) Flush(f func(k K, p *Partition[R, O])) {
	for i, k := range s.Dirty {
		p := s.dirtyParts[i]
		p.dirty = false
		f(k, p)
		p.from = int32(min(len(p.Rows), math.MaxInt32))
		if s.final || (len(p.Rows) == 0 && len(p.Emitted) == 0) {
			s.drop(k)
		}
	}
	clear(s.Dirty)
	clear(s.dirtyParts)
	s.Dirty, s.dirtyParts = s.Dirty[:0], s.dirtyParts[:0]
}

// Emit replaces p's output by out: it calls emit with '-' for each row of
// the old output not in the new one (as many times as it is missing), then
// with '+' for each new row not in the old one, each in rank order.
func (s *State[K, R, O]) Emit(p *Partition[R, O], out []O, emit func(r *O, op byte)) {
	if len(out) == 1 && len(p.Emitted) <= 1 {
		// deduplication: the one row, replaced or not
		if len(p.Emitted) == 1 {
			if p.Emitted[0] == out[0] {
				return
			}
			emit(&p.Emitted[0], '-')
			p.Emitted[0] = out[0]
		} else {
			p.Emitted = append(p.Emitted, out[0])
		}
		emit(&p.Emitted[0], '+')
		return
	}
	if slices.Equal(p.Emitted, out) {
		return
	}
	// rows equal at the same place at either end cancel out: a change in a
	// long partition (an OVER aggregation's, whose new row changes the
	// outputs of a few rows after it) is diffed over the rows between,
	// not by hashing every row
	old, changed := p.Emitted, out
	if len(old) > smallOutput || len(changed) > smallOutput {
		old, changed = trimCommon(old, changed)
	}
	s.diff(old, changed, emit)
	p.Emitted = append(p.Emitted[:0], out...)
}

// smallOutput is the most rows of an output diffed by pairing rows (bit
// masks of 64), without hashing them.
const smallOutput = 64

// diff emits '-' for each row of old not in out, then '+' for each row of
// out not in old (as multisets), each in order.
func (s *State[K, R, O]) diff(old, out []O, emit func(r *O, op byte)) {
	if len(old) <= smallOutput && len(out) <= smallOutput {
		// small outputs (top-N, deduplication): match pairs without hashing rows
		var usedOld, usedOut uint64
		for i := range old {
			for j := range out {
				if usedOut&(1<<j) == 0 && old[i] == out[j] {
					usedOld |= 1 << i
					usedOut |= 1 << j
					break
				}
			}
		}
		for i := range old {
			if usedOld&(1<<i) == 0 {
				emit(&old[i], '-')
			}
		}
		for j := range out {
			if usedOut&(1<<j) == 0 {
				emit(&out[j], '+')
			}
		}
		return
	}
	if s.scratch == nil {
		s.scratch = map[O]int{}
	}
	counts := s.scratch
	for _, r := range out {
		counts[r]++
	}
	for i := range old {
		if counts[old[i]] > 0 {
			counts[old[i]]--
			continue
		}
		emit(&old[i], '-')
	}
	clear(counts)
	for _, r := range old {
		counts[r]++
	}
	for i := range out {
		if counts[out[i]] > 0 {
			counts[out[i]]--
			continue
		}
		emit(&out[i], '+')
	}
	clear(counts)
}

// trimCommon drops the rows that a and b have equal at the same place from
// their start and from their end.
func trimCommon[O comparable](a, b []O) ([]O, []O) {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	a, b = a[n:], b[n:]
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	return a, b
}

// Restore puts a partition back from a checkpoint.
func (s *State[K, R, O]) Restore(k K, rows []R, emitted []O) {
	if s.Parts[k] == nil {
		window.AddLive(1, s.entry)
	}
	s.Parts[k] = &Partition[R, O]{Rows: rows, Emitted: emitted}
	if s.endOf != nil {
		s.track(k)
	}
}

// Windowed makes the state a window top-N: endOf gives the end of the
// window of a partition key, and Close emits a partition once.
func (s *State[K, R, O]) Windowed(endOf func(k *K) int64) {
	s.endOf = endOf
	s.byEnd = map[int64][]K{}
	s.top1 = false
}

func (s *State[K, R, O]) track(k K) {
	end := s.endOf(&k)
	if _, ok := s.byEnd[end]; !ok {
		i, _ := slices.BinarySearch(s.ends, end)
		s.ends = slices.Insert(s.ends, i, end)
	}
	s.byEnd[end] = append(s.byEnd[end], k)
}

// Close calls f for each partition whose window ends at or before wm, by
// end, then in creation order, and drops them.
func (s *State[K, R, O]) Close(wm int64, f func(k K, p *Partition[R, O])) {
	n := 0
	for _, end := range s.ends {
		if end > wm {
			break
		}
		n++
		for _, k := range s.byEnd[end] {
			f(k, s.Parts[k])
			s.drop(k)
		}
		delete(s.byEnd, end)
	}
	s.ends = slices.Delete(s.ends, 0, n)
}

// Each calls f for every partition, in no particular order (checkpoints).
func (s *State[K, R, O]) Each(f func(k K, p *Partition[R, O])) {
	for k, p := range s.Parts {
		f(k, p)
	}
}

// Compare orders two NOT NULL values of an ORDER BY key.
func Compare[T cmp.Ordered](a, b T) int { return cmp.Compare(a, b) }

// CompareBool orders FALSE before TRUE.
func CompareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// FrameRows is the frame of row i for ROWS BETWEEN n PRECEDING (or
// UNBOUNDED PRECEDING) AND CURRENT ROW: the indexes [lo, hi] of its rows.
func FrameRows(i int, n int64, unbounded bool) (lo, hi int) {
	if unbounded || int64(i) < n {
		return 0, i
	}
	return i - int(n), i
}

// FrameRange is the frame of row i of p for RANGE BETWEEN d PRECEDING (or
// UNBOUNDED PRECEDING) AND CURRENT ROW: the rows whose ORDER BY key (key)
// is at least key(i) - d, through i's last peer (a row ranked equal to it).
func (s *State[K, R, O]) FrameRange(p *Partition[R, O], i int, d int64, unbounded bool, key func(r *R) int64) (lo, hi int) {
	rows := p.Rows
	hi = i
	for hi+1 < len(rows) && s.cmp(&rows[hi+1], &rows[i]) == 0 {
		hi++
	}
	if unbounded {
		return 0, hi
	}
	lo = i
	for lo > 0 && s.cmp(&rows[lo-1], &rows[i]) == 0 {
		lo--
	}
	k := key(&rows[i])
	for lo > 0 && key(&rows[lo-1]) >= k-d {
		lo--
	}
	return lo, hi
}

// Frame is the window frame of an OVER aggregation ending at the current
// row: Preceding rows (Rows) or Preceding units of the ORDER BY key before it,
// or everything before it (Unbounded).
type Frame struct {
	Rows      bool
	Unbounded bool
	Preceding int64
}

// Timed makes the state an OVER aggregation ordered by event time (tsOf)
// over an append-only input: Release emits each row once the watermark
// passes its time, and drops the rows no later frame can reach.
func (s *State[K, R, O]) Timed(tsOf func(r *R) int64, f Frame) {
	s.tsOf, s.frame = tsOf, f
	s.top1 = false
}

// Release calls f, in time order (ties in arrival order), for each row whose
// time is before the watermark wm (a row at wm may still get peers), with its partition and its index there;
// then drops the rows of those partitions that no frame of a later row can
// reach (ROWS: all but the last n emitted; RANGE: those older than wm less
// the frame's reach), and partitions left with none.
func (s *State[K, R, O]) Release(wm int64, f func(k K, p *Partition[R, O], i int)) {
	var touched []K
	for len(s.pending) > 0 && s.pending[0].ts < wm {
		e := s.pending.pop()
		p := s.Parts[e.k]
		if !p.dirty {
			p.dirty = true
			touched = append(touched, e.k)
		}
		f(e.k, p, p.Done)
		p.Done++
	}
	for _, k := range touched {
		p := s.Parts[k]
		p.dirty = false
		drop := 0
		switch {
		case s.frame.Unbounded:
		case s.frame.Rows:
			drop = max(0, p.Done-int(s.frame.Preceding))
		default:
			for drop < p.Done && s.tsOf(&p.Rows[drop]) < wm-s.frame.Preceding {
				drop++
			}
		}
		if drop > 0 {
			clear(p.Rows[:drop])
			p.Rows = p.Rows[drop:]
			p.Done -= drop
		}
		if len(p.Rows) == 0 {
			s.drop(k)
		}
	}
}

// Pending is how many rows wait for the watermark.
func (s *State[K, R, O]) Pending() int { return len(s.pending) }

type pendingRow[K comparable] struct {
	ts  int64
	seq uint64
	k   K
}

// pendingHeap orders rows waiting for the watermark by time, then arrival.
type pendingHeap[K comparable] []pendingRow[K]

func (h pendingHeap[K]) less(i, j int) bool {
	return h[i].ts < h[j].ts || (h[i].ts == h[j].ts && h[i].seq < h[j].seq)
}

func (h *pendingHeap[K]) push(e pendingRow[K]) {
	*h = append(*h, e)
	for i := len(*h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h.less(i, parent) {
			break
		}
		(*h)[i], (*h)[parent] = (*h)[parent], (*h)[i]
		i = parent
	}
}

func (h *pendingHeap[K]) pop() pendingRow[K] {
	old := *h
	top := old[0]
	n := len(old) - 1
	old[0] = old[n]
	*h = old[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h.less(l, m) {
			m = l
		}
		if r < n && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		(*h)[i], (*h)[m] = (*h)[m], (*h)[i]
		i = m
	}
	return top
}

// EachPending calls f for each row waiting for the watermark (checkpoints).
func (s *State[K, R, O]) EachPending(f func(ts int64, seq uint64, k K)) {
	for _, e := range s.pending {
		f(e.ts, e.seq, e.k)
	}
}

// RestorePending puts back a row waiting for the watermark, and Seq and
// SetSeq the arrival counter that orders ties.
func (s *State[K, R, O]) RestorePending(ts int64, seq uint64, k K) {
	s.pending.push(pendingRow[K]{ts, seq, k})
}

func (s *State[K, R, O]) Seq() uint64       { return s.seq }
func (s *State[K, R, O]) SetSeq(seq uint64) { s.seq = seq }

// drop removes partition k from the state.
func (s *State[K, R, O]) drop(k K) {
	delete(s.Parts, k)
	window.AddLive(-1, s.entry)
}

// CompareDec128 orders the 128-bit unscaled values of a DECIMAL(p > 18).
func CompareDec128(a, b decimal.Int128) int { return a.Cmp(b) }

// Prune drops the partitions whose key keep reports false for (a worker's
// share of a checkpoint's state, loaded whole: job.Partitioned), with their
// place among the dirty partitions, the window ends and the rows waiting for
// the watermark.
func (s *State[K, R, O]) Prune(keep func(k K) bool) {
	for k := range s.Parts {
		if !keep(k) {
			s.drop(k)
		}
	}
	n := 0
	for i, k := range s.Dirty {
		if _, ok := s.Parts[k]; ok {
			s.Dirty[n], s.dirtyParts[n] = k, s.dirtyParts[i]
			n++
		}
	}
	clear(s.Dirty[n:])
	clear(s.dirtyParts[n:])
	s.Dirty, s.dirtyParts = s.Dirty[:n], s.dirtyParts[:n]
	if s.endOf != nil {
		ends := s.ends[:0]
		for _, end := range s.ends {
			ks := slices.DeleteFunc(s.byEnd[end], func(k K) bool { _, ok := s.Parts[k]; return !ok })
			if len(ks) == 0 {
				delete(s.byEnd, end)
				continue
			}
			s.byEnd[end] = ks
			ends = append(ends, end)
		}
		s.ends = ends
	}
	if len(s.pending) > 0 {
		old := s.pending
		s.pending = nil
		for _, e := range old {
			if _, ok := s.Parts[e.k]; ok {
				s.pending.push(e)
			}
		}
	}
}
