package join

import (
	"math"
	"sort"
)

// AsofDir is the direction of an ASOF join's match.
type AsofDir int

const (
	// Backward matches the latest right row at or before the left row's time.
	Backward AsofDir = iota + 1
	// Forward matches the earliest right row at or after it.
	Forward
	// Nearest matches the closest right row either way (the earlier on a tie).
	Nearest
)

// AsofMode is the match of an ASOF join: the right row closest in direction
// Dir among those whose time minus the left row's lies in [Lo, Hi]
// (math.MinInt64 or math.MaxInt64: open).
type AsofMode struct {
	Dir    AsofDir
	Lo, Hi int64
}

// Asof is the state of an ASOF join. A left row waits until the right input's
// watermark makes its match final (no right row still to come could beat
// it), then it is emitted once, with its match or none. Right rows are kept
// per key in time order and dropped once no left row still to come (by the
// left watermark) or waiting can choose them. Rows behind their own side's
// watermark are late: the caller reports them.
type Asof[K comparable, L any, R any] struct {
	mode    AsofMode
	right   map[K][]Entry[R] // by TS; equal times in arrival order
	pending map[K][]Entry[L] // by arrival; W holds a waiting row's arrival number (ASOF rows carry no weight)
	seq     int64            // the next arrival number
	ready   []ready[L, R]    // matches made final by the watermark, emitted in arrival order
	due     timeHeap[K]      // when to look at a key's waiting rows again
	leftWM  int64
	rightWM int64
	emit    func(l *L, r *R) // r is nil when the row has no match
	nRight  int
	nLeft   int
	// added counts right rows since the last sweep of every key; a sweep
	// costs a pass over the keys, so it waits until that many rows came
	added int
}

// ready is a left row whose match is final, with a copy of the match.
type ready[L any, R any] struct {
	seq   int64
	l     L
	r     R
	match bool
}

// NewAsof returns an empty ASOF join state that emits through emit.
func NewAsof[K comparable, L any, R any](mode AsofMode, emit func(l *L, r *R)) *Asof[K, L, R] {
	return &Asof[K, L, R]{mode: mode, right: make(map[K][]Entry[R]), pending: make(map[K][]Entry[L]),
		leftWM: math.MinInt64, rightWM: math.MinInt64, emit: emit}
}

// Watermarks are the left and right watermarks the state was advanced to.
func (a *Asof[K, L, R]) Watermarks() (left, right int64) { return a.leftWM, a.rightWM }

// Len is the number of rows kept: right rows and waiting left rows.
func (a *Asof[K, L, R]) Len() (right, left int) { return a.nRight, a.nLeft }

// PushLeft joins a left row of time ts: at once when its match is final,
// else once the right watermark makes it so. It returns false, and keeps
// nothing, when ts is behind the left watermark (a late row: the right rows
// it could have matched may be gone).
func (a *Asof[K, L, R]) PushLeft(k K, row L, ts int64) bool {
	if ts < a.leftWM {
		return false
	}
	b := a.right[k]
	i := a.match(b, ts)
	if a.final(b, i, ts) {
		a.emitMatch(&row, b, i)
		return true
	}
	a.pending[k] = append(a.pending[k], Entry[L]{Row: row, TS: ts, W: a.seq})
	a.seq++
	a.nLeft++
	if d := a.deadline(b, i, ts); d != math.MaxInt64 {
		a.due.push(timedKey[K]{d, k})
	}
	return true
}

// PushRight keeps a right row of time ts. It returns false, and keeps
// nothing, when ts is behind the right watermark (late: a left row it would
// have matched may have been emitted).
func (a *Asof[K, L, R]) PushRight(k K, row R, ts int64) bool {
	if ts < a.rightWM {
		return false
	}
	b := a.right[k]
	at := sort.Search(len(b), func(i int) bool { return b[i].TS > ts })
	b = append(b, Entry[R]{})
	copy(b[at+1:], b[at:])
	b[at] = Entry[R]{Row: row, TS: ts}
	a.right[k] = b
	a.nRight++
	a.added++
	if p := a.pending[k]; len(p) > 0 && a.mode.Dir != Backward {
		// a closer row may make a waiting match final sooner
		if d := a.minDeadline(k); d != math.MaxInt64 {
			a.due.push(timedKey[K]{d, k})
		}
	}
	a.evict(k)
	return true
}

// Advance moves the watermarks: the right one emits the left rows whose
// match it makes final, in their order of arrival (so that output does not
// depend on map order or on what the heap held before a restart); the left
// one lets right rows go.
func (a *Asof[K, L, R]) Advance(left, right int64) {
	if right > a.rightWM {
		a.rightWM = right
		if right == math.MaxInt64 {
			// the right input ended: every match is final
			for k := range a.pending {
				a.settle(k)
			}
			a.due = a.due[:0]
		}
		for len(a.due) > 0 && a.due[0].ts <= right {
			a.settle(a.due.pop().key)
		}
		sort.Slice(a.ready, func(i, j int) bool { return a.ready[i].seq < a.ready[j].seq })
		for i := range a.ready {
			x := &a.ready[i]
			if x.match {
				a.emit(&x.l, &x.r)
			} else {
				a.emit(&x.l, nil)
			}
		}
		clear(a.ready)
		a.ready = a.ready[:0]
	}
	if left > a.leftWM {
		a.leftWM = left
		if a.added >= len(a.right) {
			a.added = 0
			for k := range a.right {
				a.evict(k)
			}
		}
	}
}

// settle emits the waiting rows of key k whose match is final.
func (a *Asof[K, L, R]) settle(k K) {
	p := a.pending[k]
	if len(p) == 0 {
		return
	}
	b := a.right[k]
	keep := p[:0]
	next := int64(math.MaxInt64)
	for i := range p {
		m := a.match(b, p[i].TS)
		if a.final(b, m, p[i].TS) {
			x := ready[L, R]{seq: p[i].W, l: p[i].Row, match: m >= 0}
			if m >= 0 {
				x.r = b[m].Row
			}
			a.ready = append(a.ready, x)
			a.nLeft--
			continue
		}
		next = min(next, a.deadline(b, m, p[i].TS))
		keep = append(keep, p[i])
	}
	clear(p[len(keep):])
	if len(keep) == 0 {
		delete(a.pending, k)
	} else {
		a.pending[k] = keep
		if next != math.MaxInt64 {
			a.due.push(timedKey[K]{next, k})
		}
	}
	a.evict(k)
}

func (a *Asof[K, L, R]) emitMatch(l *L, b []Entry[R], i int) {
	if i < 0 {
		a.emit(l, nil)
		return
	}
	a.emit(l, &b[i].Row)
}

// match is the index in b of the match of a left row of time ts, or -1.
func (a *Asof[K, L, R]) match(b []Entry[R], ts int64) int {
	lo, hi := addSat(ts, a.mode.Lo), addSat(ts, a.mode.Hi)
	// last index with TS <= x, first with TS >= x
	last := func(x int64) int { return sort.Search(len(b), func(i int) bool { return b[i].TS > x }) - 1 }
	first := func(x int64) int { return sort.Search(len(b), func(i int) bool { return b[i].TS >= x }) }
	switch a.mode.Dir {
	case Backward:
		if i := last(hi); i >= 0 && b[i].TS >= lo {
			return i
		}
	case Forward:
		if i := first(lo); i < len(b) && b[i].TS <= hi {
			return i
		}
	case Nearest:
		back := last(min(ts, hi))
		if back >= 0 && b[back].TS < lo {
			back = -1
		}
		fwd := first(max(addSat(ts, 1), lo))
		if fwd >= len(b) || b[fwd].TS > hi {
			fwd = -1
		}
		switch {
		case back < 0:
			return fwd
		case fwd < 0 || ts-b[back].TS <= b[fwd].TS-ts:
			return back
		}
		return fwd
	}
	return -1
}

// deadline is the right watermark from which the match (index i in b) of a
// left row of time ts is final: right rows still to come are at or after
// the watermark, so none then lies closer than the match or within bounds.
func (a *Asof[K, L, R]) deadline(b []Entry[R], i int, ts int64) int64 {
	d := a.mode.Hi
	if a.mode.Dir != Backward && i >= 0 {
		d = min(d, abs(b[i].TS-ts))
	}
	return addSat(addSat(ts, d), 1)
}

func (a *Asof[K, L, R]) final(b []Entry[R], i int, ts int64) bool {
	return a.rightWM == math.MaxInt64 || a.rightWM >= a.deadline(b, i, ts)
}

func (a *Asof[K, L, R]) minDeadline(k K) int64 {
	b := a.right[k]
	d := int64(math.MaxInt64)
	for _, e := range a.pending[k] {
		d = min(d, a.deadline(b, a.match(b, e.TS), e.TS))
	}
	return d
}

// evict drops the right rows of key k that no left row can choose any more:
// every left row still to come or waiting has a time of at least
// min(left watermark, the earliest waiting one), and among the rows at or
// before a time only the latest can be a backward or nearest match.
func (a *Asof[K, L, R]) evict(k K) {
	b := a.right[k]
	if len(b) == 0 {
		return
	}
	floor := a.leftWM
	for _, e := range a.pending[k] {
		floor = min(floor, e.TS)
	}
	if floor == math.MinInt64 {
		return
	}
	from := 0
	if a.mode.Lo != math.MinInt64 {
		lo := addSat(floor, a.mode.Lo)
		from = sort.Search(len(b), func(i int) bool { return b[i].TS >= lo })
	}
	if a.mode.Dir != Forward {
		x := addSat(floor, a.mode.Hi)
		if a.mode.Dir == Nearest {
			x = min(floor, x)
		}
		if last := sort.Search(len(b), func(i int) bool { return b[i].TS > x }) - 1; last > from {
			from = last
		}
	}
	if from == 0 {
		return
	}
	a.nRight -= from
	if from == len(b) {
		delete(a.right, k)
		return
	}
	rest := append(b[:0], b[from:]...)
	clear(b[len(rest):])
	a.right[k] = rest
}

// EachRight calls f with every right row kept, for snapshots.
func (a *Asof[K, L, R]) EachRight(f func(k K, e *Entry[R])) {
	for k, b := range a.right {
		for i := range b {
			f(k, &b[i])
		}
	}
}

// EachLeft calls f with every waiting left row, for snapshots.
func (a *Asof[K, L, R]) EachLeft(f func(k K, e *Entry[L])) {
	for k, p := range a.pending {
		for i := range p {
			f(k, &p[i])
		}
	}
}

// RestoreRight and RestoreLeft add rows read from a snapshot; Restored ends
// a restore with the watermarks saved.
func (a *Asof[K, L, R]) RestoreRight(k K, e Entry[R]) {
	b := a.right[k]
	at := sort.Search(len(b), func(i int) bool { return b[i].TS > e.TS })
	b = append(b, Entry[R]{})
	copy(b[at+1:], b[at:])
	b[at] = e
	a.right[k] = b
	a.nRight++
}

func (a *Asof[K, L, R]) RestoreLeft(k K, e Entry[L]) {
	p := a.pending[k]
	at := sort.Search(len(p), func(i int) bool { return p[i].W > e.W })
	p = append(p, Entry[L]{})
	copy(p[at+1:], p[at:])
	p[at] = e
	a.pending[k] = p
	a.seq = max(a.seq, e.W+1)
	a.nLeft++
}

func (a *Asof[K, L, R]) Restored(left, right int64) {
	a.leftWM, a.rightWM = left, right
	for k := range a.pending {
		if d := a.minDeadline(k); d != math.MaxInt64 {
			a.due.push(timedKey[K]{d, k})
		}
	}
}

// Prune drops the rows of the keys keep reports false for (a worker's
// share of a checkpoint loaded into every worker): right rows and waiting
// left rows, and the keys' times to look again.
func (a *Asof[K, L, R]) Prune(keep func(k K) bool) {
	for k, b := range a.right {
		if !keep(k) {
			a.nRight -= len(b)
			delete(a.right, k)
		}
	}
	for k, p := range a.pending {
		if !keep(k) {
			a.nLeft -= len(p)
			delete(a.pending, k)
		}
	}
	var due timeHeap[K]
	for _, d := range a.due {
		if keep(d.key) {
			due.push(d)
		}
	}
	a.due = due
}

func addSat(a, b int64) int64 {
	if s := a + b; (b < 0) == (s < a) {
		return s
	}
	if b < 0 {
		return math.MinInt64
	}
	return math.MaxInt64
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
