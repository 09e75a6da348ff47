//go:build !race

// Not under the race detector: its shadow memory of the range faults on
// the test's accesses, which the fault count cannot tell apart.

package prefault

import (
	"runtime/debug"
	"syscall"
	"testing"
	"unsafe"
)

// minorFaults is the process's minor page faults so far.
func minorFaults(t *testing.T) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return ru.Minflt
}

// TestPrefaultMapsPagesWritable checks that after Range (through Slice) a new
// allocation's pages take no fault on their first read nor on the write
// after it (the zero page's second fault), by madvise and by the fallback
// that touches each page, and that it changes no byte around them.
func TestPrefaultMapsPagesWritable(t *testing.T) {
	defer populateFails.Store(populateFails.Load())
	for _, fallback := range []bool{false, true} {
		populateFails.Store(fallback)
		const n = 32 << 20 // fresh from the OS: larger than anything freed before
		s := make([]uint64, n/8)
		pages := n / 4096
		before := minorFaults(t)
		Slice(s)
		mid := minorFaults(t)
		var sum uint64
		for i := 0; i < len(s); i += 512 {
			sum += s[i] // a read first, as a probe of the index does
			s[i]++
		}
		after := minorFaults(t)
		if sum != 0 {
			t.Fatalf("fallback %v: a new slice is not zero after prefault", fallback)
		}
		if faults := after - mid; faults > int64(pages/8) {
			t.Errorf("fallback %v: %d faults touching %d prefaulted pages (%d faults in prefault)", fallback, faults, pages, mid-before)
		}
	}
	// the bytes around a range in the middle of an allocation stay as they were
	b := make([]byte, 1<<20)
	for i := range b {
		b[i] = byte(i)
	}
	Range(unsafe.Pointer(&b[1000]), 300<<10)
	for i := range b {
		if b[i] != byte(i) {
			t.Fatalf("byte %d changed to %d", i, b[i])
		}
	}
}

// TestNewMapsSmallAllocations: New maps every page of allocations below
// Min (by writes, no syscall) and of those above (Range), so a read and a
// write of each page after take no fault.
func TestNewMapsSmallAllocations(t *testing.T) {
	for _, size := range []int{1000, 10 << 10, 40 << 10, 100 << 10} {
		debug.FreeOSMemory()
		objs := make([][]byte, (16<<20)/size)
		for i := range objs {
			objs[i] = make([]byte, size)
			New(unsafe.Pointer(&objs[i][0]), uintptr(size))
		}
		before := minorFaults(t)
		var sum byte
		for _, b := range objs {
			for i := 0; i < len(b); i += 4096 {
				sum += b[i]
				b[i]++
			}
			sum += b[len(b)-1]
			b[len(b)-1]++
		}
		faults := minorFaults(t) - before
		if pages := int64(16<<20) / 4096; sum != 0 || faults > pages/16 {
			t.Errorf("objects of %d bytes: %d faults on %d pages after New (sum %d)", size, faults, pages, sum)
		}
	}
}
