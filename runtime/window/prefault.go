package window

import "unsafe"

// prefaultMin is the fewest bytes of an allocation worth prefaulting: a
// smaller one is a few pages, which a syscall would not save.
const prefaultMin = 64 << 10

// prefaultSlice maps the pages of s writable now (prefault), when s is
// large.
func prefaultSlice[T any](s []T) {
	if len(s) == 0 {
		return
	}
	var t T
	if n := uintptr(len(s)) * unsafe.Sizeof(t); n >= prefaultMin {
		prefault(unsafe.Pointer(unsafe.SliceData(s)), n)
	}
}

// prefaultQuarter maps quarter q (0-3) of the array *p writable now
// (prefault), when the array is large: four syscalls for a whole one.
func prefaultQuarter[T any, A ~[chunkLen]T](p *A, q int) {
	if n := unsafe.Sizeof(*p); n >= prefaultMin {
		prefault(unsafe.Add(unsafe.Pointer(p), uintptr(q)*(n/4)), n/4)
	}
}
