package window

import (
	"cmp"
	"math"
	"slices"
)

// Session is one open session window of a key: [Start, End), where End is
// the last row's time plus the gap. Generated code reads Key, Start, End and
// State when it emits the session's row.
type Session[K comparable, S any] struct {
	Key        K
	Start, End int64
	State      S
	seq        uint64         // creation order: sessions closing together emit in it
	closed     bool           // merged into another session, or closed
	dirty      bool           // changed since its last emitted row (EMIT CHANGES)
	next       *Session[K, S] // the key's next open session, by Start
}

// Dirty reports whether the session changed since the last Clean.
func (s *Session[K, S]) Dirty() bool { return s.dirty }

// Live reports whether the session is still open (not closed or merged away).
func (s *Session[K, S]) Live() bool { return !s.closed }

// Clean marks the session's changes emitted.
func (s *Session[K, S]) Clean() { s.dirty = false }

// Sessions holds the open session windows of one operator, per key. A row
// at time t opens the window [t, t+Gap); windows of a key that overlap or
// touch merge (two rows are in one session when at most Gap apart), as in
// Flink. A session closes once the watermark passes its End: a row at the
// watermark (not late) could still extend a session ending there.
type Sessions[K comparable, S any] struct {
	Gap int64
	// maxT is the last time t for which t+Gap does not overflow
	maxT  int64
	merge func(dst, src *S)
	// byKey is a key's first open session; the others follow it through
	// next, by Start (a key rarely has more than one: no slice to allocate)
	byKey map[K]*Session[K, S]
	order closing[K, S]
	// sorted: order is sorted (a min-heap too), by the sessions' ends, for
	// the end of input, when every session closes: popped from the front
	sorted bool
	// draining: the end of input is closing every session, which leaves
	// the closed ones in byKey (no lookup and delete each, at random places
	// of a large map) until settle clears them, when the drain stops
	draining bool
	// fast: the fast path of Assign may run (changes not tracked, no drain)
	fast bool
	seq  uint64
	n    int
	// Dirty lists the sessions changed since the last flush (EMIT CHANGES),
	// closed ones included: skip them.
	Dirty []*Session[K, S]
	// Absorbed holds the states of sessions merged into others since the
	// last flush, when the operator emits changes: their rows are retracted.
	Absorbed []S
	track    bool
}

// NewSessions returns empty sessions with the given gap (µs). merge folds
// one session's state into another's; changes keeps Dirty and Absorbed.
func NewSessions[K comparable, S any](gap int64, merge func(dst, src *S), changes bool) *Sessions[K, S] {
	return &Sessions[K, S]{Gap: gap, maxT: math.MaxInt64 - max(gap, 0), merge: merge, byKey: map[K]*Session[K, S]{}, track: changes, fast: !changes}
}

// Len is the number of open sessions.
func (ss *Sessions[K, S]) Len() int { return ss.n }

// Assign puts a row of key k at time t into its session, merging the
// sessions it bridges, and returns the session's state to fold the row
// into. It returns nil when the row is late: it joins no open session and
// its own window [t, t+Gap) ends before the watermark wm.
func (ss *Sessions[K, S]) Assign(k K, t, wm int64) *S {
	// inlined: most rows fall inside their key's only open session
	s := ss.byKey[k]
	if s != nil && s.next == nil && s.Start <= t && t <= s.End && t <= ss.maxT && ss.fast {
		s.End = max(s.End, t+ss.Gap)
		return &s.State
	}
	return ss.assign(k, s, t, wm)
}

// assign is Assign past its fast path; head is byKey[k] (no second lookup
// of a new key's).
func (ss *Sessions[K, S]) assign(k K, head *Session[K, S], t, wm int64) *S {
	if ss.draining {
		ss.settle()
		head = ss.byKey[k]
	}
	lo, hi := t, t+ss.Gap
	if t > ss.maxT {
		hi = math.MaxInt64
	}
	// the first session [Start, End) that [lo, hi) overlaps or touches
	var prev *Session[K, S]
	dst := head
	for dst != nil && dst.End < lo {
		prev, dst = dst, dst.next
	}
	if dst == nil || dst.Start > hi {
		if hi < wm {
			return nil
		}
		s := &Session[K, S]{Key: k, Start: lo, End: hi, seq: ss.seq, next: dst}
		ss.seq++
		ss.n++
		if prev == nil {
			ss.byKey[k] = s
		} else {
			prev.next = s
		}
		ss.order.push(s)
		ss.sorted = false
		ss.touch(s)
		return &s.State
	}
	dst.Start = min(dst.Start, lo)
	dst.End = max(dst.End, hi)
	// the sessions after it that the row bridges to (open sessions of a key
	// neither overlap nor touch, so each starts after the one before ends)
	for o := dst.next; o != nil && o.Start <= hi; o = dst.next {
		ss.merge(&dst.State, &o.State)
		dst.End = max(dst.End, o.End)
		dst.next, o.next = o.next, nil
		o.closed = true
		ss.n--
		if ss.track {
			ss.Absorbed = append(ss.Absorbed, o.State)
		}
	}
	ss.touch(dst)
	return &dst.State
}

func (ss *Sessions[K, S]) touch(s *Session[K, S]) {
	if ss.track && !s.dirty {
		s.dirty = true
		ss.Dirty = append(ss.Dirty, s)
	}
}

// NextClosed removes and returns the open session that ends first, if the
// watermark wm has passed its end; nil otherwise. Sessions ending together
// come out in the order they opened.
func (ss *Sessions[K, S]) NextClosed(wm int64) *Session[K, S] {
	// inlined: most watermark advances close nothing (every queued end is a
	// lower bound of its session's end)
	if len(ss.order) == 0 || ss.order[0].end >= wm {
		return nil
	}
	return ss.nextClosed(wm)
}

func (ss *Sessions[K, S]) nextClosed(wm int64) *Session[K, S] {
	if wm == math.MaxInt64 && !ss.sorted {
		ss.sortOrder()
		ss.draining, ss.fast = true, false
	}
	if s := ss.popClosed(wm); s != nil {
		return s
	}
	if ss.draining {
		ss.settle()
	}
	return nil
}

// popClosed is nextClosed but for the end of a drain.
func (ss *Sessions[K, S]) popClosed(wm int64) *Session[K, S] {
	for len(ss.order) > 0 {
		e := &ss.order[0]
		s := e.s
		switch {
		case s.closed:
			ss.popOrder()
		case e.end != s.End: // it grew since it was queued
			e.end = s.End
			ss.order.down(0)
			ss.sorted = false
		case s.End >= wm:
			return nil
		default:
			ss.popOrder()
			s.closed = true
			ss.n--
			if !ss.draining {
				ss.unlink(s)
			}
			return s
		}
	}
	return nil
}

// settle ends a drain: it removes the sessions it closed from byKey, all
// of them at once when none is left open.
func (ss *Sessions[K, S]) settle() {
	ss.draining, ss.fast = false, !ss.track
	if ss.n == 0 {
		clear(ss.byKey)
		return
	}
	for k, head := range ss.byKey {
		// a key's list keeps its open sessions, in order
		var first, last *Session[K, S]
		for s := head; s != nil; {
			next := s.next
			s.next = nil
			if !s.closed {
				if last == nil {
					first = s
				} else {
					last.next = s
				}
				last = s
			}
			s = next
		}
		if first == nil {
			delete(ss.byKey, k)
		} else {
			ss.byKey[k] = first
		}
	}
}

// sortOrder sorts the closing heap by the sessions' current ends, for the
// end of input: every session closes, and popping them off the front of
// a sorted array costs none of a heap's sifting down through memory (q11
// closes 127K sessions at its end).
func (ss *Sessions[K, S]) sortOrder() {
	n := 0
	for _, e := range ss.order {
		if !e.s.closed {
			e.end = e.s.End
			ss.order[n] = e
			n++
		}
	}
	clear(ss.order[n:])
	ss.order = ss.order[:n]
	slices.SortFunc(ss.order, func(a, b closingEntry[K, S]) int {
		if a.end != b.end {
			return cmp.Compare(a.end, b.end)
		}
		return cmpUint(a.seq, b.seq)
	})
	ss.sorted = true
}

// popOrder removes the least entry of the closing heap.
func (ss *Sessions[K, S]) popOrder() {
	if ss.sorted {
		ss.order[0] = closingEntry[K, S]{}
		ss.order = ss.order[1:]
		return
	}
	ss.order.pop()
}

// unlink removes an open session from its key's list.
func (ss *Sessions[K, S]) unlink(s *Session[K, S]) {
	head := ss.byKey[s.Key]
	switch {
	case head == s && s.next == nil:
		delete(ss.byKey, s.Key)
	case head == s:
		ss.byKey[s.Key] = s.next
	default:
		for p := head; p != nil; p = p.next {
			if p.next == s {
				p.next = s.next
				break
			}
		}
	}
	s.next = nil
}

// Flushed forgets the absorbed sessions and the dirty ones ending before
// due once their changes are out; open sessions ending later stay dirty.
func (ss *Sessions[K, S]) Flushed(due int64) {
	keep := ss.Dirty[:0]
	for _, s := range ss.Dirty {
		if s.closed || s.End < due {
			s.dirty = false
		} else if s.dirty {
			keep = append(keep, s)
		}
	}
	clear(ss.Dirty[len(keep):])
	clear(ss.Absorbed)
	ss.Dirty, ss.Absorbed = keep, ss.Absorbed[:0]
}

// EndAt is the end of the i-th open window (by start).
func (w *Windows[K, S]) EndAt(i int) int64 { return w.starts[i] + w.Size }

// Open returns the open sessions in the order they opened, for snapshots.
func (ss *Sessions[K, S]) Open() []*Session[K, S] {
	out := make([]*Session[K, S], 0, ss.n)
	for _, e := range ss.order {
		if !e.s.closed {
			out = append(out, e.s)
		}
	}
	slices.SortFunc(out, func(a, b *Session[K, S]) int { return cmpUint(a.seq, b.seq) })
	return out
}

// Restore adds a session read from a snapshot; call it in the order Open
// returned them. With changes tracked it is dirty: a change it had not
// emitted yet (EMIT AFTER WATERMARK, PERIODICALLY) is emitted when due, and
// an unchanged row emits nothing.
func (ss *Sessions[K, S]) Restore(k K, start, end int64, state S) {
	if ss.draining {
		ss.settle()
	}
	s := &Session[K, S]{Key: k, Start: start, End: end, State: state, seq: ss.seq}
	ss.seq++
	ss.n++
	var prev *Session[K, S]
	next := ss.byKey[k]
	for next != nil && next.Start < start {
		prev, next = next, next.next
	}
	s.next = next
	if prev == nil {
		ss.byKey[k] = s
	} else {
		prev.next = s
	}
	ss.order.push(s)
	ss.sorted = false
	ss.touch(s)
}

func addSat(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// closing orders open sessions by the end they were queued with, then by
// creation: a binary min-heap, typed (container/heap's interface calls and
// boxing cost a tenth of a session query's time). Its entries hold the
// keys they are ordered by: comparing through the sessions' pointers missed
// the cache at every level (Nexmark q11, 200K open sessions: a tenth of the
// job's time in down).
type closing[K comparable, S any] []closingEntry[K, S]

// closingEntry is a session in the closing heap: the End it was queued
// with (a lower bound of its End) and its creation order.
type closingEntry[K comparable, S any] struct {
	end int64
	seq uint64
	s   *Session[K, S]
}

func (h closing[K, S]) less(i, j int) bool {
	if h[i].end != h[j].end {
		return h[i].end < h[j].end
	}
	return h[i].seq < h[j].seq
}

func (h *closing[K, S]) push(s *Session[K, S]) {
	*h = append(*h, closingEntry[K, S]{end: s.End, seq: s.seq, s: s})
	q := *h
	for j := len(q) - 1; j > 0; {
		i := (j - 1) / 2
		if !q.less(j, i) {
			break
		}
		q[i], q[j] = q[j], q[i]
		j = i
	}
}

// pop removes the least entry.
func (h *closing[K, S]) pop() {
	q := *h
	n := len(q) - 1
	q[0] = q[n]
	q[n] = closingEntry[K, S]{}
	*h = q[:n]
	if n > 0 {
		h.down(0)
	}
}

// down moves entry i down to its place.
func (h closing[K, S]) down(i int) {
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n || l < 0 {
			return
		}
		j := l
		if r := l + 1; r < n && h.less(r, l) {
			j = r
		}
		if !h.less(j, i) {
			return
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
}

// Merge adds every value of o to m, with its count (sessions that merge).
func (m *Multiset[T]) Merge(o *Multiset[T]) {
	for v, c := range o.counts {
		m.Add(v, c)
	}
}

// Prune drops the open sessions of the keys keep reports false for: a
// worker of a partitioned job keeps those of its own keys once a
// checkpoint's state is loaded (runtime/job/workers.go).
func (ss *Sessions[K, S]) Prune(keep func(k K) bool) {
	if ss.draining {
		ss.settle()
	}
	for k, s := range ss.byKey {
		if keep(k) {
			continue
		}
		for s != nil {
			s.closed = true // its entries in the closing heap and Dirty are skipped
			ss.n--
			next := s.next
			s.next = nil
			s = next
		}
		delete(ss.byKey, k)
	}
}

// Groups is the number of open sessions (the operator's state rows).
func (ss *Sessions[K, S]) Groups() int { return ss.n }
