// Package immortal records strings whose bytes stay allocated for the whole
// process (a source's pools, built once): state that keeps rows in memory
// the garbage collector does not scan may then point at them as they are,
// instead of copying their bytes into memory of its own (runtime/join).
package immortal

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// span is the bytes of one registered string.
type span struct{ lo, hi uintptr }

var (
	mu    sync.Mutex
	spans atomic.Pointer[[]span] // read without the lock
	kept  []string               // the registered strings, alive for good
)

// Register records that s is never freed: it keeps s alive itself, so a
// pointer into s stays valid wherever it is stored. Sources call it once per
// pool; few strings are registered (Contains looks at each).
func Register(s string) {
	if len(s) == 0 {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	kept = append(kept, s)
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	var next []span
	if old := spans.Load(); old != nil {
		next = append(next, *old...)
	}
	next = append(next, span{p, p + uintptr(len(s))})
	spans.Store(&next)
}

// Contains tells whether the bytes of s (not empty) lie in a registered
// string.
func Contains(s string) bool {
	sp := spans.Load()
	if sp == nil {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	for _, x := range *sp {
		if p >= x.lo && p+uintptr(len(s)) <= x.hi {
			return true
		}
	}
	return false
}
