package window

import (
	"unsafe"

	"github.com/laminar-sql/laminar/runtime/internal/prefault"
)

// prefaultQuarter maps quarter q (0-3) of the array *p writable now
// (prefault.Range), when the array is large: four syscalls for a whole one.
func prefaultQuarter[T any, A ~[chunkLen]T](p *A, q int) {
	if n := unsafe.Sizeof(*p); n >= prefault.Min {
		prefault.Range(unsafe.Add(unsafe.Pointer(p), uintptr(q)*(n/4)), n/4)
	}
}
