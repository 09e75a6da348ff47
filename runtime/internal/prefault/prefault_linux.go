package prefault

import (
	"sync/atomic"
	"syscall"
	"unsafe"
)

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14).
const madvPopulateWrite = 23

// populateFails is set once madvise(MADV_POPULATE_WRITE) has failed (an
// older kernel): the pages are then touched one by one.
var populateFails atomic.Bool

// Range maps the n bytes at p writable before their first access, on a
// new allocation of a table (window.Groups' chunks of states and index
// tables, a join's key index and slab). Fresh
// memory from the OS is mapped on first touch, and the first touch of a
// chunk's state or an index slot is a read (acc.A0++, a probe): the kernel
// maps its shared zero page, then the write that follows faults again to
// replace it, which flushes the page's TLB entry on every CPU that runs
// the process's threads — with two workers, an IPI to the other worker's
// core per page (a VM exit on a virtual machine). groupby_many at two
// workers spent about 10% of its time in those flushes, Nexmark q7 (one
// engine, a join side growing to 9.2M bids) 13%. One
// MADV_POPULATE_WRITE maps every page of the range writable at once (no
// flush: none was mapped), which also takes one fault's kernel entry for
// the range instead of two per page; it changes no byte of the memory,
// so it is safe on a range shared with other objects at its ends.
func Range(p unsafe.Pointer, n uintptr) {
	const page = 4096
	start := uintptr(p) &^ (page - 1)
	end := (uintptr(p) + n + page - 1) &^ (page - 1)
	if !populateFails.Load() {
		_, _, e := syscall.Syscall(syscall.SYS_MADVISE, start, end-start, madvPopulateWrite)
		if e == 0 {
			return
		}
		populateFails.Store(true)
	}
	// the pages of a new allocation are zero: writing a zero byte into
	// each of them maps it writable without changing it
	for a := (uintptr(p) + page - 1) &^ (page - 1); a < uintptr(p)+n; a += page {
		*(*byte)(unsafe.Add(p, a-uintptr(p))) = 0
	}
}
