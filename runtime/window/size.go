package window

import (
	"sync/atomic"
	"unsafe"
)

// live counts the groups held by every Groups of the process and estimates
// their bytes, for the job summary and the memory limit's report. Only
// adding a group and Reset touch it, never a lookup of an existing group.
var live struct{ groups, bytes atomic.Int64 }

// Live returns the number of groups held in memory by every Groups of the
// process, and an estimate of their bytes: keys, states, the index's slots
// and spare capacity, not the contents of strings.
func Live() (groups, bytes int64) { return live.groups.Load(), live.bytes.Load() }

// AddLive counts n groups (negative: released) of about bytes each that the
// state of another operator holds (top-N partitions), for Live.
func AddLive(n, bytes int64) {
	live.groups.Add(n)
	live.bytes.Add(n * bytes)
}

// entryBytes estimates the memory of one group of Groups[K, S].
func entryBytes[K comparable, S any]() int64 {
	var k K
	var s S
	ks, ss := int64(unsafe.Sizeof(k)), int64(unsafe.Sizeof(s))
	// an 8-byte index slot at an average load of about 9/16, and the
	// slices' spare capacity (append grows them by about 1/4)
	return (ks+ss)*9/8 + 14
}
