package window

import (
	"math"

	"github.com/laminar-sql/laminar/runtime/snapshot"
)

// PartitionWatermarks is the watermark of a partitioned source (Kafka): one
// per partition, each the largest event time its rows had minus the
// source's delay, combined by minimum over the partitions that are not
// idle (when all are idle, the minimum over those that had rows). The
// combined watermark never moves back: a partition that comes
// back from idleness behind it has late rows, as everywhere else.
type PartitionWatermarks struct {
	wm       []int64 // by partition number; MinInt64 before its first row
	known    []bool  // the source has the partition
	idle     []bool  // no rows for longer than the source's idle timeout
	lowest   int64   // minimum over known partitions that are not idle
	combined int64
}

// NewPartitionWatermarks starts with no partition known.
func NewPartitionWatermarks() *PartitionWatermarks {
	return &PartitionWatermarks{lowest: math.MinInt64, combined: math.MinInt64}
}

func (w *PartitionWatermarks) grow(p int32) {
	for int(p) >= len(w.wm) {
		w.wm = append(w.wm, math.MinInt64)
		w.known = append(w.known, false)
		w.idle = append(w.idle, false)
	}
}

// Sync takes the source's partitions and those idle now (from its batch:
// connector.LineBatch.AllPartitions, IdlePartitions) and returns the
// combined watermark. Partitions are never forgotten: one the source no
// longer lists counts as idle.
func (w *PartitionWatermarks) Sync(all, idle []int32) int64 {
	if len(all) == 0 {
		return w.combined
	}
	for i := range w.idle {
		w.idle[i] = w.known[i] // not listed: idle
	}
	for _, p := range all {
		if p < 0 {
			continue
		}
		w.grow(p)
		w.known[p], w.idle[p] = true, false
	}
	for _, p := range idle {
		if p >= 0 && int(p) < len(w.idle) {
			w.idle[p] = true
		}
	}
	w.recompute()
	return w.combined
}

// Observe takes partition p's watermark candidate next (a row's event time
// minus the delay) and returns the combined watermark. A row makes its
// partition known and not idle.
func (w *PartitionWatermarks) Observe(p int32, next int64) int64 {
	if p < 0 {
		p = 0
	}
	if int(p) >= len(w.wm) || !w.known[p] || w.idle[p] {
		w.grow(p)
		w.known[p], w.idle[p] = true, false
		if next > w.wm[p] {
			w.wm[p] = next
		}
		w.recompute()
		return w.combined
	}
	if next <= w.wm[p] {
		return w.combined
	}
	old := w.wm[p]
	w.wm[p] = next
	if old == w.lowest {
		w.recompute()
	}
	return w.combined
}

// Combined is the source's watermark.
func (w *PartitionWatermarks) Combined() int64 { return w.combined }

func (w *PartitionWatermarks) recompute() {
	lowest, any := int64(math.MaxInt64), false
	for p, wm := range w.wm {
		if w.known[p] && !w.idle[p] {
			lowest, any = min(lowest, wm), true
		}
	}
	if !any {
		// every partition idle (caught up everywhere): those that had rows
		// decide, so the last windows close without waiting for new rows
		for p, wm := range w.wm {
			if w.known[p] && wm > math.MinInt64 {
				lowest, any = min(lowest, wm), true
			}
		}
		if !any {
			return
		}
	}
	w.lowest = lowest
	w.combined = max(w.combined, lowest)
}

// AppendTo encodes the state for a checkpoint.
func (w *PartitionWatermarks) AppendTo(buf []byte) []byte {
	buf = snapshot.AppendInt(buf, w.combined)
	buf = snapshot.AppendUint(buf, uint64(len(w.wm)))
	for p, wm := range w.wm {
		buf = snapshot.AppendInt(buf, wm)
		buf = snapshot.AppendBool(buf, w.known[p])
		buf = snapshot.AppendBool(buf, w.idle[p])
	}
	return buf
}

// Load decodes what AppendTo wrote.
func (w *PartitionWatermarks) Load(d *snapshot.Decoder) {
	w.combined = d.Int()
	n := d.Len()
	w.wm, w.known, w.idle = w.wm[:0], w.known[:0], w.idle[:0]
	for range n {
		w.wm = append(w.wm, d.Int())
		w.known = append(w.known, d.Bool())
		w.idle = append(w.idle, d.Bool())
	}
	w.lowest = math.MinInt64
	w.recompute()
}
