package topn

import (
	"testing"

	"github.com/laminar-sql/laminar/runtime/window"
)

// TestPartitionsCountAsStateGroups: the job's state_groups (window.Live)
// counts the partitions a top-N holds, and forgets them when they leave.
func TestPartitionsCountAsStateGroups(t *testing.T) {
	g0, b0 := window.Live()
	s := New[int64, row, out](RowNumber, 2, true, true, byV)
	for i := range int64(10) {
		s.Add(i%3, row{K: i % 3, V: i, ID: i}, 1)
	}
	if g, b := window.Live(); g-g0 != 3 || b <= b0 {
		t.Fatalf("3 partitions held: Live went from (%d, %d) to (%d, %d)", g0, b0, g, b)
	}
	s.Flush(func(int64, *Partition[row, out]) {}) // a final state's partitions leave once flushed
	if g, b := window.Live(); g != g0 || b != b0 || s.Len() != 0 {
		t.Fatalf("after the flush: Live (%d, %d), want (%d, %d); %d partitions", g, b, g0, b0, s.Len())
	}
	s.Restore(7, []row{{K: 7, V: 1, ID: 1}}, nil)
	s.Restore(7, []row{{K: 7, V: 2, ID: 2}}, nil)
	if g, _ := window.Live(); g-g0 != 1 {
		t.Fatalf("a partition restored twice counts %d groups", g-g0)
	}
}

// TestDedupCountsAtFlush: a Dedup's partitions count in window.Live from
// the flush after they are made (and leave it by the flush after they go),
// not by an atomic add each.
func TestDedupCountsAtFlush(t *testing.T) {
	g0, _ := window.Live()
	d := NewDedup[int64, row, out](byV, projectRow)
	for i := range int64(10) {
		d.Add(i%3, row{K: i % 3, V: i, ID: i})
	}
	d.Link(7, 1)
	d.Flush(func(*out, byte) {})
	if g, _ := window.Live(); g-g0 != 4 {
		t.Fatalf("%d groups after the flush, want 4", g-g0)
	}
	d.Unlink(7)
	d.Unlink(0)
	d.Flush(func(*out, byte) {})
	if g, _ := window.Live(); g-g0 != 2 || d.Len() != 2 {
		t.Fatalf("%d groups, %d partitions after two went, want 2", g-g0, d.Len())
	}
}
