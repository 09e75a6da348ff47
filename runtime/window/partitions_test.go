package window

import (
	"math"
	"testing"

	"github.com/laminar-sql/laminar/runtime/snapshot"
)

// TestPartitionWatermarks: the minimum over partitions, a partition
// without rows holding it back until it is idle, idle partitions left out
// until a row comes, the combined watermark never moving back, and the state
// surviving a checkpoint.
func TestPartitionWatermarks(t *testing.T) {
	w := NewPartitionWatermarks()
	check := func(got, want int64) {
		t.Helper()
		if got != want {
			t.Fatalf("watermark %d, want %d", got, want)
		}
	}
	check(w.Sync([]int32{0, 1, 2}, nil), math.MinInt64)
	check(w.Observe(0, 10), math.MinInt64)
	check(w.Observe(1, 5), math.MinInt64) // partition 2 has no rows yet
	check(w.Sync([]int32{0, 1, 2}, []int32{2}), 5)
	check(w.Observe(1, 20), 10)
	check(w.Observe(0, 30), 20)
	check(w.Observe(2, 1), 20) // back from idleness, behind: the watermark stays
	check(w.Observe(2, 25), 20)
	check(w.Observe(1, 40), 25)
	check(w.Sync([]int32{0, 1, 2, 3}, []int32{0, 1, 2, 3}), 25) // all idle: those with rows decide
	buf := w.AppendTo(nil)
	var r PartitionWatermarks
	d := snapshot.NewDecoder(buf)
	r.Load(d)
	if err := d.Finish(); err != nil {
		t.Fatal(err)
	}
	check(r.Combined(), 25)
	check(r.Sync([]int32{0, 1, 2}, nil), 25)
	check(r.Observe(2, 50), 30)                 // partition 0 at 30 is the lowest now
	check(r.Sync([]int32{0, 1, 2, 3}, nil), 30) // a new partition: it does not move back
}
