package topn

import (
	"unsafe"

	"github.com/laminar-sql/laminar/runtime/window"
)

// DedupPart is the state of one partition key of a deduplication over an
// append-only input (ROW_NUMBER, N = 1, not a window top-N): the row kept
// and the output row last emitted, in one allocation without slices or
// ranks (a State's Partition is larger by two slice headers and its
// counters, and Nexmark q18 keeps hundreds of thousands of them).
type DedupPart[R comparable, O comparable] struct {
	row     [1]R
	out     [1]O
	emitted bool // out holds the row the last flush left in the output
	dirty   bool
}

// Row is the row kept.
func (p *DedupPart[R, O]) Row() *R { return &p.row[0] }

// Rows is the row kept as a slice of one (checkpoints).
func (p *DedupPart[R, O]) Rows() []R { return p.row[:] }

// Emitted is the output row last emitted, none or one (checkpoints).
func (p *DedupPart[R, O]) Emitted() []O {
	if p.emitted {
		return p.out[:]
	}
	return p.out[:0]
}

// Dedup is the state of a deduplication over an append-only input: per
// partition key the first row by cmp (ties keep the one that came first),
// and the partitions changed since the last flush, in the order first
// changed. A row that does not rank first changes nothing and costs one map
// lookup and one comparison.
type Dedup[K comparable, R comparable, O comparable] struct {
	Parts map[K]*DedupPart[R, O]
	dirty []*DedupPart[R, O]
	cmp   func(a, b *R) int
	// entry estimates a partition's bytes, for window.Live
	entry int64
	row   R // the row Add is comparing: a pointer into the state, not to Add's parameter
}

// NewDedup returns an empty deduplication ranking by cmp.
func NewDedup[K comparable, R comparable, O comparable](cmp func(a, b *R) int) *Dedup[K, R, O] {
	var k K
	var p DedupPart[R, O]
	return &Dedup[K, R, O]{Parts: map[K]*DedupPart[R, O]{}, cmp: cmp,
		entry: int64(unsafe.Sizeof(k)+unsafe.Sizeof(p)) + 16}
}

// Len is the number of partitions held.
func (s *Dedup[K, R, O]) Len() int { return len(s.Parts) }

// Best is the row kept in partition k, or nil (as State's Best: a join
// read by a deduplication leaves out the rows whose joined rows it would
// drop).
func (s *Dedup[K, R, O]) Best(k K) *R {
	if p := s.Parts[k]; p != nil {
		return &p.row[0]
	}
	return nil
}

// Add offers row to partition k: it is kept when the partition is new or
// when it ranks before the row kept, and the partition is then marked to
// flush.
func (s *Dedup[K, R, O]) Add(k K, row R) {
	p := s.Parts[k]
	if p == nil {
		p = &DedupPart[R, O]{row: [1]R{row}, dirty: true}
		s.Parts[k] = p
		window.AddLive(1, s.entry)
		s.dirty = append(s.dirty, p)
		return
	}
	// compared through a pointer into the state: handing &row to cmp (a
	// func value) would move every row to the heap
	s.row = row
	if s.cmp(&p.row[0], &s.row) <= 0 {
		return // ranked after (or tied with, arriving later) the row kept
	}
	p.row[0] = s.row
	if !p.dirty {
		p.dirty = true
		s.dirty = append(s.dirty, p)
	}
}

// Changed is the partitions changed since the last flush, in the order
// first changed; the caller emits each (Emit) and then calls Flushed.
func (s *Dedup[K, R, O]) Changed() []*DedupPart[R, O] { return s.dirty }

// Flushed ends a flush: no partition is changed any more.
func (s *Dedup[K, R, O]) Flushed() {
	for _, p := range s.dirty {
		p.dirty = false
	}
	clear(s.dirty)
	s.dirty = s.dirty[:0]
}

// Emit replaces p's output by out (none or one row): it calls emit with '-'
// for the row emitted before unless it is out's, then with '+' for out's.
func (s *Dedup[K, R, O]) Emit(p *DedupPart[R, O], out []O, emit func(r *O, op byte)) {
	if len(out) == 0 {
		if p.emitted {
			p.emitted = false
			emit(&p.out[0], '-')
		}
		return
	}
	if p.emitted {
		if p.out[0] == out[0] {
			return
		}
		emit(&p.out[0], '-')
	}
	p.out[0], p.emitted = out[0], true
	emit(&p.out[0], '+')
}

// Restore puts a partition back from a checkpoint: its row (rows holds
// one) and the output row it had emitted (none or one).
func (s *Dedup[K, R, O]) Restore(k K, rows []R, emitted []O) {
	if len(rows) == 0 {
		return // a partition keeps its row once it has one
	}
	p := s.Parts[k]
	if p == nil {
		p = &DedupPart[R, O]{}
		s.Parts[k] = p
		window.AddLive(1, s.entry)
	}
	p.row[0] = rows[0]
	if len(emitted) > 0 {
		p.out[0], p.emitted = emitted[0], true
	}
}

// Each calls f for every partition, in no particular order (checkpoints).
func (s *Dedup[K, R, O]) Each(f func(k K, p *DedupPart[R, O])) {
	for k, p := range s.Parts {
		f(k, p)
	}
}

// Prune drops the partitions whose key keep reports false for (a worker's
// share of a checkpoint's state, loaded whole: job.Partitioned), with their
// place among the changed partitions.
func (s *Dedup[K, R, O]) Prune(keep func(k K) bool) {
	gone := map[*DedupPart[R, O]]bool{}
	for k, p := range s.Parts {
		if !keep(k) {
			delete(s.Parts, k)
			window.AddLive(-1, s.entry)
			gone[p] = true
		}
	}
	if len(gone) == 0 {
		return
	}
	n := 0
	for _, p := range s.dirty {
		if !gone[p] {
			s.dirty[n] = p
			n++
		}
	}
	clear(s.dirty[n:])
	s.dirty = s.dirty[:n]
}
