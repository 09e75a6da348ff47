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

// Ahead is the table of a hash index's next doubling, made and mapped a
// piece at a time before the doubling takes it (window.Groups', join's
// keyIndex): mapping all of it in the insert that doubles would stall that
// insert, 0.4 ms a MB here, and leaving it unmapped makes each page's
// first probe a read of the zero page.
type Ahead struct {
	Table  []uint64 // nil when none is being made
	Mapped int      // its first elements mapped writable
}

// Map makes the table of n elements, if not yet, and maps step more.
func (a *Ahead) Map(n, step int) {
	if len(a.Table) != n {
		a.Table, a.Mapped = make([]uint64, n), 0
	}
	end := min(a.Mapped+step, n)
	Slice(a.Table[a.Mapped:end])
	a.Mapped = end
}

// Take returns a table of n elements, all mapped: the one made ahead when
// it has n, the rest of it mapped now, else a new one; none is left ahead.
func (a *Ahead) Take(n int) []uint64 {
	t := a.Table
	if len(t) == n {
		Slice(t[a.Mapped:])
	} else {
		t = make([]uint64, n)
		Slice(t)
	}
	*a = Ahead{}
	return t
}
