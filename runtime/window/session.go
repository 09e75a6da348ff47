package window

import (
	"cmp"
	"math"
	mbits "math/bits"
	"slices"
)

// Session is one open session window of a key: [Start, End), where End is
// the last row's time plus the gap. Generated code reads Key, Start, End and
// State when it emits the session's row.
type Session[K comparable, S any] struct {
	Key        K
	Start, End int64
	State      S
	seq        uint64 // creation order: sessions closing together emit in it
	next       int32  // the key's next open session, by Start (its id; 0 for none)
	closed     bool   // merged into another session, or closed
	dirty      bool   // changed since its last emitted row (EMIT CHANGES)
}

// Dirty reports whether the session changed since the last Clean.
func (s *Session[K, S]) Dirty() bool { return s.dirty }

// Live reports whether the session is still open (not closed or merged away).
func (s *Session[K, S]) Live() bool { return !s.closed }

// Clean marks the session's changes emitted.
func (s *Session[K, S]) Clean() { s.dirty = false }

// sessionChunk is the number of sessions of a chunk of the slots. A chunk
// never moves: a *Session stays valid while its slot is not reused.
const (
	sessionChunkBits = 10
	sessionChunk     = 1 << sessionChunkBits
)

// Sessions holds the open session windows of one operator, per key. A row
// at time t opens the window [t, t+Gap); windows of a key that overlap or
// touch merge (two rows are in one session when at most Gap apart), as in
// Flink. A session closes once the watermark passes its End: a row at the
// watermark (not late) could still extend a session ending there.
//
// The sessions live in slots of fixed-size chunks, known by id (slot + 1),
// and link to each other and the map by id: with a key and state without
// pointers, nothing of it is for the garbage collector to scan (Nexmark q11
// holds 200K open sessions), and opening one allocates nothing. A closed
// session's slot is reused once nothing can still read it: the closing
// heap's entries check the session's seq, Dirty is cleared by Flushed.
type Sessions[K comparable, S any] struct {
	Gap int64
	// maxT is the last time t for which t+Gap does not overflow
	maxT  int64
	merge func(dst, src *S)
	// byKey is a key's first open session; the others follow it through
	// next, by Start (a key rarely has more than one: no slice to allocate)
	byKey  map[K]int32
	chunks []*[sessionChunk]Session[K, S]
	slots  int32 // slots handed out so far (the fresh ones follow)
	// free are ids to reuse; freed are those closed since the last Flushed,
	// while Dirty may hold them (changes tracked)
	free, freed []int32
	order       closing
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
	return &Sessions[K, S]{Gap: gap, maxT: math.MaxInt64 - max(gap, 0), merge: merge, byKey: map[K]int32{}, track: changes, fast: !changes}
}

// Len is the number of open sessions.
func (ss *Sessions[K, S]) Len() int { return ss.n }

// at is the session of id (not 0).
func (ss *Sessions[K, S]) at(id int32) *Session[K, S] {
	i := uint32(id - 1)
	return &ss.chunks[i>>sessionChunkBits][i&(sessionChunk-1)]
}

// alloc returns the id of an empty slot.
func (ss *Sessions[K, S]) alloc() int32 {
	if n := len(ss.free); n > 0 {
		id := ss.free[n-1]
		ss.free = ss.free[:n-1]
		return id
	}
	if int(ss.slots) == len(ss.chunks)*sessionChunk {
		ss.chunks = append(ss.chunks, new([sessionChunk]Session[K, S]))
	}
	ss.slots++
	return ss.slots
}

// open puts a new session in a slot; its id is returned.
func (ss *Sessions[K, S]) open(k K, start, end int64, state S, next int32) (int32, *Session[K, S]) {
	id := ss.alloc()
	s := ss.at(id)
	*s = Session[K, S]{Key: k, Start: start, End: end, State: state, seq: ss.seq, next: next}
	ss.seq++
	ss.n++
	ss.order.push(s.End, s.seq, id)
	ss.sorted = false
	ss.touch(s)
	return id, s
}

// release marks a session closed and its slot for reuse. Its state is
// cleared when the slot is reused, not here: the caller may still read it.
func (ss *Sessions[K, S]) release(id int32, s *Session[K, S]) {
	s.closed = true // its next stays: a drain's settle walks through it
	ss.n--
	if ss.track {
		ss.freed = append(ss.freed, id)
	} else {
		ss.free = append(ss.free, id)
	}
}

// Assign puts a row of key k at time t into its session, merging the
// sessions it bridges, and returns the session's state to fold the row
// into. It returns nil when the row is late: it joins no open session and
// its own window [t, t+Gap) ends before the watermark wm.
func (ss *Sessions[K, S]) Assign(k K, t, wm int64) *S {
	// most rows fall inside their key's only open session
	id := ss.byKey[k]
	if id != 0 && ss.fast {
		if s := ss.at(id); s.next == 0 && s.Start <= t && t <= s.End && t <= ss.maxT {
			s.End = max(s.End, t+ss.Gap)
			return &s.State
		}
	}
	return ss.assign(k, id, t, wm)
}

// assign is Assign past its fast path; head is byKey[k] (no second lookup
// of a new key's).
func (ss *Sessions[K, S]) assign(k K, head int32, t, wm int64) *S {
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
	var dst *Session[K, S]
	id := head
	for id != 0 {
		dst = ss.at(id)
		if dst.End >= lo {
			break
		}
		prev, id, dst = dst, dst.next, nil
	}
	if dst == nil || dst.Start > hi {
		if hi < wm {
			return nil
		}
		var s *Session[K, S]
		var zero S
		id, s = ss.open(k, lo, hi, zero, id)
		if prev == nil {
			ss.byKey[k] = id
		} else {
			prev.next = id
		}
		return &s.State
	}
	dst.Start = min(dst.Start, lo)
	dst.End = max(dst.End, hi)
	// the sessions after it that the row bridges to (open sessions of a key
	// neither overlap nor touch, so each starts after the one before ends)
	for oid := dst.next; oid != 0; oid = dst.next {
		o := ss.at(oid)
		if o.Start > hi {
			break
		}
		ss.merge(&dst.State, &o.State)
		dst.End = max(dst.End, o.End)
		dst.next = o.next
		if ss.track {
			ss.Absorbed = append(ss.Absorbed, o.State)
		}
		ss.release(oid, o)
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
// come out in the order they opened. The session stays valid until the
// next Assign or Restore (with changes tracked, until Flushed).
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

// live is the session of a closing heap entry, nil if it closed (its slot
// may hold another session since).
func (ss *Sessions[K, S]) live(e *closingEntry) *Session[K, S] {
	if s := ss.at(e.id); !s.closed && s.seq == e.seq {
		return s
	}
	return nil
}

// popClosed is nextClosed but for the end of a drain.
func (ss *Sessions[K, S]) popClosed(wm int64) *Session[K, S] {
	for len(ss.order) > 0 {
		e := &ss.order[0]
		id := e.id
		s := ss.live(e)
		switch {
		case s == nil:
			ss.popOrder()
		case e.end != s.End: // it grew since it was queued
			e.end = s.End
			ss.order.down(0)
			ss.sorted = false
		case s.End >= wm:
			return nil
		default:
			ss.popOrder()
			if !ss.draining {
				ss.unlink(id, s)
			}
			ss.release(id, s)
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
		var first int32
		var last *Session[K, S]
		for id := head; id != 0; {
			s := ss.at(id)
			next := s.next
			if !s.closed {
				if last == nil {
					first = id
				} else {
					last.next = id
				}
				last = s
			}
			id = next
		}
		if last != nil {
			last.next = 0
		}
		if first == 0 {
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
		if s := ss.live(&e); s != nil {
			e.end = s.End
			ss.order[n] = e
			n++
		}
	}
	ss.order = ss.order[:n]
	ss.order.sort()
	ss.sorted = true
}

// sort orders the entries by end, then seq. Many are sorted by radix (a
// least significant digit sort, a byte a pass, each key over its range):
// q11's 200K sessions at the end of input took 2% of the job in a
// comparison sort's calls of its comparison.
func (h closing) sort() {
	if len(h) < 1024 {
		slices.SortFunc(h, func(a, b closingEntry) int {
			if a.end != b.end {
				return cmp.Compare(a.end, b.end)
			}
			return cmpUint(a.seq, b.seq)
		})
		return
	}
	minEnd, maxEnd := h[0].end, h[0].end
	minSeq, maxSeq := h[0].seq, h[0].seq
	bySeq := true // already in order of seq: one stable sort by end is enough
	for i := range h {
		e := &h[i]
		minEnd, maxEnd = min(minEnd, e.end), max(maxEnd, e.end)
		minSeq, maxSeq = min(minSeq, e.seq), max(maxSeq, e.seq)
		if i > 0 && e.seq < h[i-1].seq {
			bySeq = false
		}
	}
	src, dst := h, make(closing, len(h))
	var counts [256]int
	radix := func(bySeq bool, base uint64, bits int) {
		for shift := 0; shift < bits; shift += 8 {
			clear(counts[:])
			for i := range src {
				counts[byte(src[i].key(bySeq, base)>>shift)]++
			}
			at := 0
			for d, c := range counts {
				counts[d] = at
				at += c
			}
			for i := range src {
				d := byte(src[i].key(bySeq, base) >> shift)
				dst[counts[d]] = src[i]
				counts[d]++
			}
			src, dst = dst, src
		}
	}
	if !bySeq {
		radix(true, minSeq, mbits.Len64(maxSeq-minSeq))
	}
	radix(false, uint64(minEnd), mbits.Len64(uint64(maxEnd)-uint64(minEnd)))
	if &src[0] != &h[0] {
		copy(h, src)
	}
}

// key is the entry's seq or end, less base (the least of them), for sort.
func (e *closingEntry) key(bySeq bool, base uint64) uint64 {
	if bySeq {
		return e.seq - base
	}
	return uint64(e.end) - base
}

// popOrder removes the least entry of the closing heap.
func (ss *Sessions[K, S]) popOrder() {
	if ss.sorted {
		ss.order = ss.order[1:]
		return
	}
	ss.order.pop()
}

// unlink removes an open session from its key's list.
func (ss *Sessions[K, S]) unlink(id int32, s *Session[K, S]) {
	head := ss.byKey[s.Key]
	switch {
	case head == id && s.next == 0:
		delete(ss.byKey, s.Key)
	case head == id:
		ss.byKey[s.Key] = s.next
	default:
		for p := ss.at(head); ; p = ss.at(p.next) {
			if p.next == id {
				p.next = s.next
				break
			}
		}
	}
	s.next = 0
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
	// no closed session is in Dirty now: their slots can be reused
	ss.free = append(ss.free, ss.freed...)
	ss.freed = ss.freed[:0]
}

// EndAt is the end of the i-th open window (by start).
func (w *Windows[K, S]) EndAt(i int) int64 { return w.starts[i] + w.Size }

// Open returns the open sessions in the order they opened, for snapshots.
func (ss *Sessions[K, S]) Open() []*Session[K, S] {
	out := make([]*Session[K, S], 0, ss.n)
	for i := range ss.order {
		if s := ss.live(&ss.order[i]); s != nil {
			out = append(out, s)
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
	var prev *Session[K, S]
	next := ss.byKey[k]
	for next != 0 {
		s := ss.at(next)
		if s.Start >= start {
			break
		}
		prev, next = s, s.next
	}
	id, _ := ss.open(k, start, end, state, next)
	if prev == nil {
		ss.byKey[k] = id
	} else {
		prev.next = id
	}
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
// keys they are ordered by: comparing through the sessions missed the cache
// at every level (Nexmark q11, 200K open sessions: a tenth of the job's time
// in down).
type closing []closingEntry

// closingEntry is a session in the closing heap: the End it was queued
// with (a lower bound of its End), its creation order and its id. An entry
// whose session closed (or merged into another) stays until it comes to the
// top: its slot may hold a newer session then, of another seq.
type closingEntry struct {
	end int64
	seq uint64
	id  int32
}

func (h closing) less(i, j int) bool {
	if h[i].end != h[j].end {
		return h[i].end < h[j].end
	}
	return h[i].seq < h[j].seq
}

func (h *closing) push(end int64, seq uint64, id int32) {
	*h = append(*h, closingEntry{end: end, seq: seq, id: id})
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
func (h *closing) pop() {
	q := *h
	n := len(q) - 1
	q[0] = q[n]
	*h = q[:n]
	if n > 0 {
		h.down(0)
	}
}

// down moves entry i down to its place.
func (h closing) down(i int) {
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
	for k, id := range ss.byKey {
		if keep(k) {
			continue
		}
		for id != 0 {
			s := ss.at(id)
			next := s.next
			s.next = 0
			ss.release(id, s) // its entries in the closing heap and Dirty are skipped
			id = next
		}
		delete(ss.byKey, k)
	}
}

// Groups is the number of open sessions (the operator's state rows).
func (ss *Sessions[K, S]) Groups() int { return ss.n }
