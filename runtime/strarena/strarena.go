// Package strarena keeps values whose only pointers are strings in memory
// the garbage collector does not scan, with the bytes of their strings in an
// arena of chunks that a scanned slice keeps alive: state of hundreds of
// thousands of rows then costs the collector nothing to mark at each cycle,
// and writing a row sets no write barrier.
//
// A value is written only through Store (into zeroed memory) and zeroed only
// through Clear, both by bytes and words: no write barrier ever reads the
// old contents, which may point into a chunk already dropped. A string read
// out of a stored value and kept elsewhere (a row handed on) holds its own
// reference to its chunk, so a chunk is never written again once a string
// was copied into it: a cleared value's bytes are counted dead, and once the
// dead bytes outweigh the live ones Compact moves the live strings to new
// chunks and the old go to the collector.
//
// A string whose bytes are immortal (runtime/immortal: a source's pools) is
// kept as it is: nothing frees it, so no copy is needed.
//
// runtime/join's arena sides follow the same layout (runtime/join/arena.go) and find their strings with Offsets.
package strarena

import (
	"reflect"
	"runtime"
	"unsafe"

	"github.com/laminar-sql/laminar/runtime/immortal"
	"github.com/laminar-sql/laminar/runtime/internal/prefault"
)

// chunkSize is the size of an arena chunk; a string longer than a quarter
// of it gets one of its own.
const chunkSize = 64 << 10

// compactMin is the dead bytes below which an arena is not compacted.
const compactMin = 1 << 20

// Offsets returns the offsets of the strings in a value of type t, and
// whether strings are its only pointers (false: it must live in typed,
// scanned memory).
func Offsets(t reflect.Type) ([]uintptr, bool) { return offsets(t, 0, nil) }

func offsets(t reflect.Type, base uintptr, out []uintptr) ([]uintptr, bool) {
	switch t.Kind() {
	case reflect.String:
		return append(out, base), true
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			var ok bool
			if out, ok = offsets(f.Type, base+f.Offset, out); !ok {
				return nil, false
			}
		}
		return out, true
	case reflect.Array:
		for i := range t.Len() {
			var ok bool
			if out, ok = offsets(t.Elem(), base+uintptr(i)*t.Elem().Size(), out); !ok {
				return nil, false
			}
		}
		return out, true
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return out, true
	}
	return nil, false
}

// New returns a zero T in memory the collector does not scan (T's only
// pointers must be strings, stored with Store).
// Its pages are mapped writable at once (prefault.New): a slab's chunk is
// read before it is written (a slot's flag), and on fresh memory that read
// would map the zero page, which the write then faults out again with a
// TLB flush on every CPU (Nexmark q18's deduplication: a third of its
// page faults).
func New[T any]() *T {
	var v T
	words := make([]uint64, (unsafe.Sizeof(v)+7)/8)
	prefault.New(unsafe.Pointer(unsafe.SliceData(words)), unsafe.Sizeof(v))
	return (*T)(unsafe.Pointer(unsafe.SliceData(words)))
}

// Arena holds the bytes of the strings stored in unscanned memory.
type Arena struct {
	chunks [][]byte // every chunk in use; the last is being filled
	free   []byte   // the unused rest of the last chunk
	live   int      // bytes of the strings stored and not cleared
	dead   int      // bytes of cleared strings, still in chunks
}

// reserve returns n bytes (n > 0) of the arena: the first n of the slice
// returned, whose rest is not the caller's.
func (a *Arena) reserve(n int) []byte {
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
func (a *Arena) grow(n int) []byte {
	a.live += n
	if n > chunkSize/4 {
		b := make([]byte, n)
		a.chunks = append(a.chunks, b)
		return b
	}
	b := make([]byte, chunkSize)
	a.chunks = append(a.chunks, b)
	a.free = b[n:]
	return b
}

// strHeader is a string's two words as plain numbers.
type strHeader struct {
	data uintptr
	len  int
}

// Store sets *dst, zero memory the collector does not scan, to *src, with
// the bytes of src's strings (at offsets strs) copied into a, all in one
// piece, but empty and immortal ones. It copies by bytes: no write barrier.
func Store[T any](a *Arena, strs []uintptr, dst, src *T) {
	size := unsafe.Sizeof(*dst)
	copy(unsafe.Slice((*byte)(unsafe.Pointer(dst)), size), unsafe.Slice((*byte)(unsafe.Pointer(src)), size))
	n := 0
	for _, off := range strs {
		h := (*strHeader)(unsafe.Add(unsafe.Pointer(dst), off))
		switch str := *(*string)(unsafe.Add(unsafe.Pointer(src), off)); {
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
	b := a.reserve(n)
	for _, off := range strs {
		h := (*strHeader)(unsafe.Add(unsafe.Pointer(dst), off))
		if h.data != 1 {
			continue
		}
		copy(b, *(*string)(unsafe.Add(unsafe.Pointer(src), off)))
		h.data = uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		b = b[h.len:]
	}
}

// Clear zeroes *dst, a value stored with Store, by bytes, counting the bytes
// of its strings in a dead.
func Clear[T any](a *Arena, strs []uintptr, dst *T) {
	for _, off := range strs {
		if str := *(*string)(unsafe.Add(unsafe.Pointer(dst), off)); len(str) > 0 && !immortal.Contains(str) {
			a.live -= len(str)
			a.dead += len(str)
		}
	}
	clear(unsafe.Slice((*byte)(unsafe.Pointer(dst)), unsafe.Sizeof(*dst)))
}

// Wasteful tells whether the arena's dead bytes outweigh its live ones
// (and are many): time to Compact.
func (a *Arena) Wasteful() bool { return a.dead >= compactMin && a.dead >= a.live }

// Live is the bytes of the strings stored and not cleared.
func (a *Arena) Live() int { return a.live }

// Compact moves the strings of every value still stored into new chunks:
// each calls its argument with each such value (and may call it with zero
// memory). The old chunks go to the collector, with the strings handed on
// that still point into them.
func Compact[T any](a *Arena, strs []uintptr, each func(move func(v *T))) {
	old := a.chunks
	a.Reset()
	each(func(v *T) {
		for _, off := range strs {
			h := (*strHeader)(unsafe.Add(unsafe.Pointer(v), off))
			str := *(*string)(unsafe.Add(unsafe.Pointer(v), off))
			if len(str) == 0 || immortal.Contains(str) {
				continue
			}
			b := a.reserve(h.len)
			copy(b, str) // old is alive: the bytes are still there
			h.data = uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		}
	})
	runtime.KeepAlive(old)
}

// Reset forgets every string stored (their values must be dropped too),
// keeping the unused rest of the last chunk, never handed out.
func (a *Arena) Reset() {
	free := a.free
	*a = Arena{free: free}
	if len(free) > 0 {
		a.chunks = append(a.chunks, free)
	}
}
