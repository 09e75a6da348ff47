// Package join holds the state of join operators: per side, the rows seen so
// far by join key, with their weights, their counts of matches (for the
// NULL-padded rows of outer joins) and their event time (for interval joins,
// whose rows are dropped once the other side's watermark has passed their
// last possible match). Generated code supplies the key and row types, so
// probing is a map lookup and a loop over plain structs.
package join

import "math"

// Entry is a row kept by one side of a join.
type Entry[R any] struct {
	Row R
	// W is the row's weight: its copies, net of retractions.
	W int64
	// Matches counts the rows of the other side it matches, by weight: an
	// outer join's row is NULL-padded while it is 0.
	Matches int64
	// TS is the event time by which an interval join drops the row.
	TS int64
}

// Side is the state of one input of a join.
type Side[K comparable, R comparable] struct {
	buckets map[K][]Entry[R]
	rows    int
	times   timeHeap[K] // interval joins: when each key's rows may go
	// peak is the most keys the map has held since it was made: a Go map
	// keeps its capacity (memory, and time to range over) when emptied, so
	// an interval join whose rows all went makes a new one (see shrink)
	peak int
}

// NewSide returns an empty side.
func NewSide[K comparable, R comparable]() *Side[K, R] {
	return &Side[K, R]{buckets: make(map[K][]Entry[R])}
}

// Bucket returns the entries of key k. They may be changed in place (W,
// Matches) until the next Add, Remove or Evict on this side.
func (s *Side[K, R]) Bucket(k K) []Entry[R] { return s.buckets[k] }

// Add keeps e under key k. With merge (an updating input) it is folded into
// an equal row's entry, which goes when its weight nets to zero; without (an
// append-only input, whose rows never retract) it is appended. timed records
// e.TS for Evict.
func (s *Side[K, R]) Add(k K, e Entry[R], merge, timed bool) {
	b := s.buckets[k]
	if merge {
		for i := range b {
			if b[i].Row == e.Row {
				b[i].W += e.W
				if b[i].W == 0 {
					s.remove(k, b, i)
				}
				return
			}
		}
	}
	s.buckets[k] = append(b, e)
	s.rows++
	if timed {
		s.times.push(timedKey[K]{e.TS, k})
		if b == nil {
			s.peak = max(s.peak, len(s.buckets))
		}
	}
}

func (s *Side[K, R]) remove(k K, b []Entry[R], i int) {
	last := len(b) - 1
	b[i] = b[last]
	var zero Entry[R]
	b[last] = zero
	if last == 0 {
		delete(s.buckets, k)
	} else {
		s.buckets[k] = b[:last]
	}
	s.rows--
}

// Evict removes every row whose TS is before t (but math.MinInt64, an
// untimed entry), calling gone with each (an outer interval join emits the
// NULL-padded rows of those that matched nothing): key by key, in order of
// each key's earliest such TS, and in arrival order within a key.
//
// Each key's bucket is swept once per call, keeping its other rows in
// arrival order: a key with many rows (a hot auction) costs one pass, not
// one per row. Without gone, a watermark past every row (the input ended)
// sweeps every bucket without sorting the times.
func (s *Side[K, R]) Evict(t int64, gone func(k K, e *Entry[R])) {
	if len(s.times) == 0 || s.times[0].ts >= t {
		return
	}
	if gone == nil && t == math.MaxInt64 {
		s.evictAll(t)
		return
	}
	var swept map[K]struct{} // keys swept by this call, after the first
	first, any := s.times[0].key, false
	for len(s.times) > 0 && s.times[0].ts < t {
		tk := s.times.pop()
		if any && tk.key == first {
			continue
		}
		if any {
			if swept == nil {
				swept = make(map[K]struct{})
			}
			if _, ok := swept[tk.key]; ok {
				continue
			}
			swept[tk.key] = struct{}{}
		} else {
			first, any = tk.key, true
		}
		s.sweep(tk.key, t, gone)
	}
	s.shrink()
}

// shrinkKeys is the peak number of keys above which an emptied side makes
// a new map.
const shrinkKeys = 1024

// shrink makes a new map and time heap once every row has gone, if the old
// ones had grown large.
func (s *Side[K, R]) shrink() {
	if len(s.buckets) == 0 && s.peak > shrinkKeys {
		s.buckets, s.peak = make(map[K][]Entry[R]), 0
	}
	if len(s.times) == 0 && cap(s.times) > shrinkKeys {
		s.times = nil
	}
}

// sweep removes the rows of key k whose TS is before t, keeping the order
// of the others.
func (s *Side[K, R]) sweep(k K, t int64, gone func(k K, e *Entry[R])) {
	b, ok := s.buckets[k]
	if !ok {
		return // its rows retracted to nothing
	}
	n := 0
	for i := range b {
		// an entry stamped math.MinInt64 is not timed (state_ttl: a row
		// from before its input's first watermark never expires)
		if b[i].TS < t && b[i].TS != math.MinInt64 {
			if gone != nil {
				gone(k, &b[i])
			}
			continue
		}
		b[n] = b[i]
		n++
	}
	s.rows -= len(b) - n
	if n == 0 {
		delete(s.buckets, k)
		return
	}
	clear(b[n:])
	s.buckets[k] = b[:n]
}

// evictAll removes every row whose TS is before t by sweeping every bucket.
func (s *Side[K, R]) evictAll(t int64) {
	for k := range s.buckets {
		s.sweep(k, t, nil)
	}
	// the times left (t itself) are few; rebuild their heap
	old := s.times
	s.times = nil
	for _, tk := range old {
		if tk.ts >= t {
			s.times.push(tk)
		}
	}
	s.shrink()
}

// Len is the number of entries kept.
func (s *Side[K, R]) Len() int { return s.rows }

// Each calls f with every entry, for snapshots (in no particular order).
func (s *Side[K, R]) Each(f func(k K, e *Entry[R])) {
	for k, b := range s.buckets {
		for i := range b {
			f(k, &b[i])
		}
	}
}

// Restore adds an entry read from a snapshot.
func (s *Side[K, R]) Restore(k K, e Entry[R], timed bool) { s.Add(k, e, false, timed) }

type timedKey[K any] struct {
	ts  int64
	key K
}

// timeHeap is a binary min-heap by time (typed, so pushing does not box).
type timeHeap[K any] []timedKey[K]

func (h *timeHeap[K]) push(x timedKey[K]) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		parent := (i - 1) / 2
		if a[parent].ts <= a[i].ts {
			break
		}
		a[parent], a[i] = a[i], a[parent]
		i = parent
	}
}

func (h *timeHeap[K]) pop() timedKey[K] {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	var zero timedKey[K]
	a[last] = zero
	a = a[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(a) && a[l].ts < a[m].ts {
			m = l
		}
		if r < len(a) && a[r].ts < a[m].ts {
			m = r
		}
		if m == i {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}

// Copies is how many times a change of weight w is emitted: |w|.
func Copies(w int64) int {
	if w < 0 {
		return int(-w)
	}
	return int(w)
}

// Prune drops the rows of the keys keep reports false for (a worker's
// share of a checkpoint loaded into every worker, codegen/parallel.go).
func (s *Side[K, R]) Prune(keep func(k K) bool) {
	for k, b := range s.buckets {
		if !keep(k) {
			s.rows -= len(b)
			delete(s.buckets, k)
		}
	}
	old := s.times
	s.times = nil
	for _, tk := range old {
		if _, ok := s.buckets[tk.key]; ok {
			s.times.push(tk)
		}
	}
	s.shrink()
}
