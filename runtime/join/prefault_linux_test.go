//go:build !race

// Not under the race detector: its shadow memory faults on the test's
// accesses, which the fault count cannot tell apart.

package join

import (
	"runtime/debug"
	"syscall"
	"testing"
	"unsafe"
)

// TestSlabChunksMappedWritable: a new chunk of an arena side's slab is
// mapped writable by newChunk, so that place's first read of it (the nil
// check of the chunk's pointer) and the write of its entry after take no
// fault; on fresh memory the read would map the zero page and the write
// fault again, flushing the TLB on every CPU.
func TestSlabChunksMappedWritable(t *testing.T) {
	s := NewSide[int64, arenaRow]()
	if s.strs == nil {
		t.Fatal("arenaRow must make an arena side")
	}
	debug.FreeOSMemory() // the chunks below come from memory not mapped yet
	const n = 16 << 10   // 16K chunks of 16 entries
	chunks := make([]*[chunkSize]Entry[arenaRow], n)
	for i := range chunks {
		chunks[i] = s.newChunk()
	}
	faults := func() int64 {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			t.Fatal(err)
		}
		return ru.Minflt
	}
	before := faults()
	var sum int64
	for _, c := range chunks {
		sum += c[0].Row.A // a read first, as place's nil check does
		s.copyEntry(&c[0], &Entry[arenaRow]{Row: arenaRow{A: 1}, W: 1})
	}
	got := faults() - before
	pages := int64(n) * int64(unsafe.Sizeof(*chunks[0])) / 4096
	if sum != 0 || got > pages/8 {
		t.Errorf("%d faults reading and writing the first entry of %d new chunks (%d pages), sum %d", got, n, pages, sum)
	}
}
