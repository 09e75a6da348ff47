package join

import "math"

// timeQueue holds the times of a side's rows (timedKey: a row's TS and its
// key), for Evict to take them earliest first.
//
// Times pushed in order, none earlier than the last one so pushed (the rows
// of windows that close in order, all of one window at its start: Nexmark
// q8's 200K persons at the end of input; the rows of an input in event-time
// order), go to a queue of chunks that never move, and come out at its
// front; only the others go to a heap. A heap of them all grew by append,
// copying itself at each growth of a quarter (five times its size in all,
// in fresh pages: q8's join spent 30 ms of its 230 and 5K of its 16K page
// faults on it, at 10M events), and each pop sifted a time down through it.
type timeQueue[K any] struct {
	// full are the filled chunks of the times pushed in order, oldest
	// first, and tail the chunk being filled after them; the front chunk
	// (full[0], or tail when there is none) is taken from off on. tail
	// grows by doubling up to timeChunk while it is the first; a full one
	// moves to full, and the next is made whole
	full [][]timedKey[K]
	tail []timedKey[K]
	off  int
	heap timeHeap[K] // the times pushed out of order
	n    int         // times held
	// queued is how many of them are in the chunks, last the time of the
	// latest pushed there, min the earliest held (when n > 0)
	queued    int
	last, min int64
}

// timeChunk is the most times in a chunk of the queue: 1,024 (24 KB of a
// 16-byte key's times).
const timeChunk = 1024

// push adds x. Only a new chunk writes a pointer (append into tail, in
// place, writes its length): a write barrier per push, while the GC
// marks, cost q4 1% more instructions.
func (q *timeQueue[K]) push(x timedKey[K]) {
	if q.n == 0 || x.ts < q.min {
		q.min = x.ts
	}
	q.n++
	if q.queued > 0 && x.ts < q.last {
		q.heap.push(x)
		return
	}
	if len(q.tail) == cap(q.tail) {
		q.grow()
	}
	q.tail = append(q.tail, x)
	q.queued++
	q.last = x.ts
}

// grow makes room in tail (full): the first chunk doubles, up to
// timeChunk; a full chunk moves to full, and a new one is made.
func (q *timeQueue[K]) grow() {
	if c := cap(q.tail); c < timeChunk {
		q.tail = append(make([]timedKey[K], 0, min(max(2*c, 8), timeChunk)), q.tail...)
		return
	}
	q.full = append(q.full, q.tail)
	q.tail = make([]timedKey[K], 0, timeChunk)
}

// pop removes and returns the earliest time (n > 0): the queue's front or
// the heap's top, the queue's on a tie.
func (q *timeQueue[K]) pop() timedKey[K] {
	var x timedKey[K]
	front := q.tail
	if len(q.full) > 0 {
		front = q.full[0]
	}
	if q.queued > 0 && (len(q.heap) == 0 || front[q.off].ts <= q.heap[0].ts) {
		x = front[q.off]
		front[q.off] = timedKey[K]{} // its key may hold strings
		q.off++
		q.queued--
		if q.off == len(front) {
			q.off = 0
			if len(q.full) > 0 {
				q.full[0] = nil
				q.full = q.full[1:]
			} else {
				q.tail = q.tail[:0] // the one chunk, kept for the next times
			}
		}
	} else {
		x = q.heap.pop()
	}
	q.n--
	q.min = math.MaxInt64
	if q.queued > 0 {
		front = q.tail
		if len(q.full) > 0 {
			front = q.full[0]
		}
		q.min = front[q.off].ts
	}
	if len(q.heap) > 0 {
		q.min = min(q.min, q.heap[0].ts)
	}
	return x
}

// chunks calls f with the queued times, in order.
func (q *timeQueue[K]) chunks(f func(x timedKey[K])) {
	off := q.off
	for _, c := range q.full {
		for _, x := range c[off:] {
			f(x)
		}
		off = 0
	}
	for _, x := range q.tail[off:] {
		f(x)
	}
}

// each calls f with every time held, in no particular order.
func (q *timeQueue[K]) each(f func(x timedKey[K])) {
	q.chunks(f)
	for _, x := range q.heap {
		f(x)
	}
}

// filter keeps the times keep reports true for.
func (q *timeQueue[K]) filter(keep func(x timedKey[K]) bool) {
	old := *q
	*q = timeQueue[K]{}
	push := func(x timedKey[K]) {
		if keep(x) {
			q.push(x) // the queued ones in order, as they were
		}
	}
	old.chunks(push)
	for _, x := range old.heap {
		push(x)
	}
}

// reset empties q, dropping its memory.
func (q *timeQueue[K]) reset() { *q = timeQueue[K]{} }

// large tells whether q holds more memory than a small side needs.
func (q *timeQueue[K]) large() bool {
	return len(q.full) > 0 || cap(q.tail) > shrinkKeys || cap(q.heap) > shrinkKeys
}
