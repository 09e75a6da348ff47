// Package immortal records strings whose bytes stay allocated for the whole
// process (a source's pools, built once): state that keeps rows in memory
// the garbage collector does not scan may then point at them as they are,
// instead of copying their bytes into memory of its own (runtime/join).
//
// Registered strings stay separate allocations (packing them into one
// would make the collector mark every pointer into them through its
// large-object path: Nexmark's hand-written q20 cost 20% more instructions
// so); a large one's substrings count too, a small one only whole.
package immortal

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// largeMin is the length from which a registered string's substrings are
// immortal too (few such strings: a pool that rows are substrings of).
const largeMin = 4096

type table struct {
	large []span          // checked one by one
	small map[uintptr]int // data pointer -> length, of the others
}

type span struct{ lo, hi uintptr }

var (
	mu   sync.Mutex
	tab  atomic.Pointer[table] // read without the lock; replaced, never changed
	kept [][]string            // the registered lists, alive for good
)

// Register records that the strings of lists are never freed: it keeps
// them (and the lists, which the caller must not change) alive itself, so a
// pointer into one stays valid wherever it is stored. A source registers
// its pools in one call (each call copies the table).
func Register(lists ...[]string) {
	mu.Lock()
	defer mu.Unlock()
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	next := &table{small: make(map[uintptr]int, n)}
	if old := tab.Load(); old != nil {
		next.large = append(next.large, old.large...)
		for p, n := range old.small {
			next.small[p] = n
		}
	}
	for _, l := range lists {
		for _, s := range l {
			if len(s) == 0 {
				continue
			}
			p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
			if len(s) >= largeMin {
				next.large = append(next.large, span{p, p + uintptr(len(s))})
			} else if len(s) > next.small[p] {
				next.small[p] = len(s)
			}
		}
	}
	kept = append(kept, lists...)
	tab.Store(next)
}

// Contains tells whether the bytes of s (not empty) are those of a
// registered string: a substring of a large one, or a small one's start.
func Contains(s string) bool {
	t := tab.Load()
	if t == nil {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	for _, x := range t.large {
		if p >= x.lo && p+uintptr(len(s)) <= x.hi {
			return true
		}
	}
	n, ok := t.small[p]
	return ok && len(s) <= n
}
