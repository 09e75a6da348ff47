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

// New maps the pages of the n bytes at p, a new allocation (so zero),
// writable now: through Range when they are many, else by writing a zero
// byte into each of its pages (no syscall). For a chunk of a slab, whose
// first use reads it (the nil check of its pointer, a test of a slot's
// flag) before writing.
func New(p unsafe.Pointer, n uintptr) {
	if n >= Min {
		Range(p, n)
		return
	}
	const page = 4096
	*(*byte)(p) = 0
	for a := (uintptr(p) + page) &^ (page - 1); a < uintptr(p)+n; a += page {
		*(*byte)(unsafe.Add(p, a-uintptr(p))) = 0
	}
}
