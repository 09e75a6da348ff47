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

// TestSlabChunksMappedWritable: a new chunk of a side's slab (an arena
// side's unscanned one, and a typed one without pointers) is mapped
// writable by newChunk, so that place's first read of it (the nil check of
// the chunk's pointer) and the write of its entry after take no fault; on
// fresh memory the read would map the zero page and the write fault
// again, flushing the TLB on every CPU.
func TestSlabChunksMappedWritable(t *testing.T) {
	s := NewSide[int64, arenaRow]()
	if s.strs == nil {
		t.Fatal("arenaRow must make an arena side")
	}
	chunkFaults(t, "arena side", s.newChunk, func(c *[chunkSize]Entry[arenaRow]) int64 {
		a := c[0].Row.A // a read first, as place's nil check does
		s.copyEntry(&c[0], &Entry[arenaRow]{Row: arenaRow{A: 1}, W: 1})
		return a
	})
	type plainRow struct{ A, B int64 }
	p := NewSide[int64, plainRow]()
	chunkFaults(t, "side without pointers", p.newChunk, func(c *[chunkSize]Entry[plainRow]) int64 {
		a := c[0].Row.A
		c[0] = Entry[plainRow]{Row: plainRow{A: 1}, W: 1}
		return a
	})
}

// chunkFaults makes 16K chunks by newChunk from memory not mapped yet, then
// counts the faults of use (a read, then a write) on each.
func chunkFaults[C any](t *testing.T, name string, newChunk func() *C, use func(*C) int64) {
	debug.FreeOSMemory()
	const n = 16 << 10
	chunks := make([]*C, n)
	for i := range chunks {
		chunks[i] = newChunk()
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
		sum += use(c)
	}
	got := faults() - before
	pages := int64(n) * int64(unsafe.Sizeof(*chunks[0])) / 4096
	if sum != 0 || got > pages/8 {
		t.Errorf("%s: %d faults reading and writing the first entry of %d new chunks (%d pages), sum %d", name, got, n, pages, sum)
	}
}
