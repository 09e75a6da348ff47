//go:build linux || darwin

package immortal

import "syscall"

// alloc returns n bytes outside the Go heap, from an anonymous mapping
// that is never unmapped; heap is true when the mapping failed and the
// bytes come from the heap instead.
func alloc(n int) (b []byte, heap bool) {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]byte, n), true
	}
	return b, false
}

// seal makes a mapped block read-only once its strings are copied in: a
// stray write faults instead of changing a string.
func seal(b []byte) { _ = syscall.Mprotect(b, syscall.PROT_READ) }
