// Package prefault maps a new allocation's pages writable before their
// first access, for the runtime's large tables whose first touch of a
// page is a read (a hash probe, a nil check): see Range.
package prefault

import "unsafe"

// Min is the fewest bytes of an allocation worth prefaulting: a smaller
// one is a few pages, which a syscall would not save.
const Min = 64 << 10

// Slice maps the pages of s writable now (Range), when s is large.
func Slice[T any](s []T) {
	if len(s) == 0 {
		return
	}
	var t T
	if n := uintptr(len(s)) * unsafe.Sizeof(t); n >= Min {
		Range(unsafe.Pointer(unsafe.SliceData(s)), n)
	}
}

// Page maps the page that holds p writable now, when p's memory is new (so
// zero): its first touch is this write. For a small allocation (a chunk of
// a slab), where a syscall would not pay, whose first use would read it
// (a nil check of the chunk) before writing. It writes a zero byte at p.
//
//go:noinline
func Page(p unsafe.Pointer) { *(*byte)(p) = 0 }
