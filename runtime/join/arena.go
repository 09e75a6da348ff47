package join

import (
	"runtime"
	"unsafe"

	"github.com/laminar-sql/laminar/runtime/immortal"
	"github.com/laminar-sql/laminar/runtime/internal/prefault"
)

// A side whose row type holds strings and no other pointers keeps its
// entries in memory the garbage collector does not scan, and the bytes of
// their strings in an arena of its own: a side of millions of rows then
// costs the collector nothing to mark (it marked every string of every
// entry at every cycle, most of the instructions of a large regular join:
// Nexmark q20's 920K bids per 1M events took 46% of its instructions in the
// GC), and keeping a row sets no write barrier.
//
// The entries' strings point into the arena's chunks, which the side keeps
// alive; a row handed on (e.Row, copied by the join's code) holds its own
// reference to its chunk, so the arena's memory is never reused or written
// again once a string was copied into it: a released entry's bytes are
// counted dead, and once the dead bytes outweigh the live ones the live
// strings move to new chunks (compact) and the old go to the collector.
//
// A string whose bytes are immortal (runtime/immortal: a source's pools,
// such as the Nexmark generator's, which every row's strings are
// substrings of) is kept as it is: nothing frees it, so no copy is needed,
// and the side costs the memory of its entries only.
//
// Only place and release write an entry's strings (as bytes and words, so
// no write barrier reads the old contents, which may point into a chunk
// already dropped); everything else reads entries or writes their numbers.

// arenaChunk is the size of an arena chunk; a string longer than a
// quarter of it gets one of its own.
const arenaChunk = 64 << 10

// compactMin is the dead bytes below which an arena is not compacted.
const compactMin = 1 << 20

type arena struct {
	chunks [][]byte // every chunk in use; the last is being filled
	free   []byte   // the unused rest of the last chunk
	live   int      // bytes of the strings of the entries kept
	dead   int      // bytes of released entries' strings, still in chunks
}

// reserve returns n bytes (n > 0) of the arena for the strings of an
// entry: the first n of the slice returned, whose rest is not the
// caller's.
func (a *arena) reserve(n int) []byte {
	if n > len(a.free) {
		return a.grow(n)
	}
	a.live += n
	b := a.free
	a.free = b[n:]
	return b
}

// grow starts a chunk for n bytes (one of their own past a quarter of a
// chunk) and returns them.
//
//go:noinline
func (a *arena) grow(n int) []byte {
	a.live += n
	if n > arenaChunk/4 {
		b := make([]byte, n)
		a.chunks = append(a.chunks, b)
		return b
	}
	b := make([]byte, arenaChunk)
	a.chunks = append(a.chunks, b)
	a.free = b[n:]
	return b
}

// restart forgets every string stored, keeping the unused rest of the
// last chunk (never handed out, so free to fill): a side emptied after
// each row (a window join at the end of its input evicts every row as it
// comes) does not make a chunk per row.
func (a *arena) restart() {
	free := a.free
	*a = arena{free: free}
	if len(free) > 0 {
		a.chunks = append(a.chunks, free)
	}
}

// strHeader is a string's two words as plain numbers: written through it,
// an entry's string sets no write barrier.
type strHeader struct {
	data uintptr
	len  int
}

// newChunk returns an empty chunk of entries: unscanned memory when the
// side keeps its strings in its arena.
func (s *Side[K, R]) newChunk() *[chunkSize]Entry[R] {
	var c *[chunkSize]Entry[R]
	if s.strs == nil {
		c = new([chunkSize]Entry[R])
	} else {
		words := make([]uint64, (unsafe.Sizeof(*c)+7)/8)
		c = (*[chunkSize]Entry[R])(unsafe.Pointer(unsafe.SliceData(words)))
	}
	// place's first use of the chunk reads it (the nil check of its
	// pointer), which on fresh memory would map the zero page and fault
	// again, with a TLB flush on every CPU, at the write that follows
	prefault.New(unsafe.Pointer(c), unsafe.Sizeof(*c))
	return c
}

// copyEntry sets slot to e, in an arena side, and copies its strings into
// the arena, all in one piece, but those in immortal memory (a source's
// pools), which stay as they are. The slot is unscanned memory, so e is
// copied as bytes, without the write barrier a typed copy sets while the
// collector marks: that barrier reads the slot's old pointers first, and
// on a page of the slab not touched yet such a read maps the zero page,
// which the write then faults out again (Nexmark q7's side of bids).
func (s *Side[K, R]) copyEntry(slot, e *Entry[R]) {
	size := unsafe.Sizeof(*e)
	copy(unsafe.Slice((*byte)(unsafe.Pointer(slot)), size), unsafe.Slice((*byte)(unsafe.Pointer(e)), size))
	n := 0
	for _, off := range s.strs {
		str := *(*string)(unsafe.Add(unsafe.Pointer(e), off))
		h := (*strHeader)(unsafe.Add(unsafe.Pointer(slot), off))
		switch {
		case len(str) == 0:
			h.data = 0 // an empty string keeps nothing alive
		case immortal.Contains(str):
		default:
			n += len(str)
			h.data = 1 // to copy
		}
	}
	if n == 0 {
		return
	}
	b := s.arena.reserve(n)
	for _, off := range s.strs {
		h := (*strHeader)(unsafe.Add(unsafe.Pointer(slot), off))
		if h.data != 1 {
			continue
		}
		copy(b, *(*string)(unsafe.Add(unsafe.Pointer(e), off)))
		h.data = uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		b = b[h.len:]
	}
}

// inArena tells whether a slot's string (not empty) is in the arena.
func inArena(str string) bool { return !immortal.Contains(str) }

// clearEntry zeroes slot, in an arena side, by bytes, counting the bytes of
// its strings in the arena dead.
func (s *Side[K, R]) clearEntry(slot *Entry[R]) {
	for _, off := range s.strs {
		str := *(*string)(unsafe.Add(unsafe.Pointer(slot), off))
		if len(str) > 0 && inArena(str) {
			s.arena.live -= len(str)
			s.arena.dead += len(str)
		}
	}
	clear(unsafe.Slice((*byte)(unsafe.Pointer(slot)), unsafe.Sizeof(*slot)))
}

// compact moves the strings of the entries kept into new chunks once the
// dead bytes outweigh the live ones; the old chunks go to the collector
// (with the rows handed on that still point into them).
func (s *Side[K, R]) compact() {
	a := &s.arena
	if a.dead < compactMin || a.dead < a.live {
		return
	}
	old := a.chunks // alive until every string has moved
	a.restart()
	for id := uint32(1); id <= s.used; id++ {
		slot := s.at(id)
		for _, off := range s.strs {
			h := (*strHeader)(unsafe.Add(unsafe.Pointer(slot), off))
			str := *(*string)(unsafe.Add(unsafe.Pointer(slot), off))
			if len(str) == 0 || !inArena(str) {
				continue // free slots are zero
			}
			b := a.reserve(h.len)
			copy(b, str)
			h.data = uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		}
	}
	runtime.KeepAlive(old)
}

// dropSlab forgets every entry at once (the slab and its arena).
func (s *Side[K, R]) dropSlab() {
	s.chunks, s.used, s.spare = nil, 0, 0
	s.arena.restart()
}
