// Package immortal holds strings whose bytes stay allocated for the whole
// process (a source's pools, built once): state that keeps rows in memory
// the garbage collector does not scan may then point at them as they are,
// instead of copying their bytes into memory of its own (runtime/join).
//
// Move copies the strings into one block per call, outside the Go heap
// where the platform allows (an anonymous mapping): the collector neither
// scans nor marks it, and a pointer into it costs a marking pass no more
// than a lookup that finds no span. (One heap block would make the
// collector mark every pointer into it through its large-object path:
// Nexmark's hand-written q20 cost 20% more instructions so; separate heap
// strings made Contains a map lookup per string, 17% of q20's
// instructions.) Contains is then a range check per block: every
// substring of a moved string is immortal too.
package immortal

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

type span struct{ lo, hi uintptr }

var (
	mu   sync.Mutex
	tab  atomic.Pointer[[]span] // read without the lock; replaced, never changed
	kept [][]byte               // the blocks on the heap (no mapping), alive for good
)

// Move copies the strings of lists into immortal memory, one block for the
// call, and sets each element to its copy, whose bytes are never freed nor
// written again. A source moves its pools in one call, before it hands out
// any of their strings.
func Move(lists ...[]string) {
	n := 0
	for _, l := range lists {
		for _, s := range l {
			n += len(s)
		}
	}
	if n == 0 {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	b, heap := alloc(n)
	if heap {
		kept = append(kept, b)
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	off := 0
	for _, l := range lists {
		for i, s := range l {
			if len(s) == 0 {
				continue
			}
			copy(b[off:], s)
			l[i] = unsafe.String(&b[off], len(s))
			off += len(s)
		}
	}
	if !heap {
		seal(b)
	}
	next := []span{{lo, lo + uintptr(n)}}
	if old := tab.Load(); old != nil {
		next = append(next, *old...)
	}
	tab.Store(&next)
}

// Contains tells whether the bytes of s (not empty) lie in immortal
// memory: within a string that Move copied there.
func Contains(s string) bool {
	t := tab.Load()
	if t == nil {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	for _, x := range *t {
		if p >= x.lo && p+uintptr(len(s)) <= x.hi {
			return true
		}
	}
	return false
}
