package job

import (
	"math"
	"os"
	"runtime/trace"
	"strconv"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// Split slots: a stateless job (no row moves: !twoPhase) of one file source
// that the workers read in byte ranges does not give each worker a fixed
// range of the round. The round's bytes (n ranges of ps.step, as before)
// are cut into slots, largest first (splitLayout: at one MiB ranges and two
// workers, 15 slots from 512 KiB down to 16 KiB), and a worker takes the
// next slot not yet taken (an atomic counter), reads, decodes and runs the
// views on it: a worker that the OS descheduled, or whose ranges decode
// slower, leaves more slots to the other, and the workers meet at the
// round's barrier at most a last, small slot's work apart instead of
// whatever two fixed ranges' work differs by. A slot's range is read as a
// worker's range is (FileSplits.Read: its lines are those that begin in
// it, so the slots of a round may be read in any order, on any worker,
// from the round's offset, where a line begins); the slots stand for the
// round's chunks at the merge, which places them, replays their reports
// and appends their sink rows in slot order (each slot's rows are a span
// of its worker's buffers, slotOrder), which is input order: the output,
// dead letters and reports are those of the fixed ranges, one worker's.
//
// The workers do not take the next round's slots before the merge (as
// shared rounds of generators do): a stateless engine's watermark follows
// the rows it runs (advance keeps the larger), so an engine that ran some
// of the next round would give the merge, which publishes engine 0's
// watermarks to the sinks and the checkpoint, a watermark past the round.
// LAMINAR_SHARED_ROUNDS=0 turns the slots off; LAMINAR_SPLIT_ROUND (a
// round's ranges per worker) and LAMINAR_SPLIT_MIN (a range over the
// smallest slot) change the layout (measuring knobs, all three).

// splitRoundRanges is a round's bytes per worker, in fixed ranges
// (ps.step): the round of the fixed ranges.
const splitRoundRanges = 1

// splitSlotMin is the fraction of a fixed range that the smallest slot is.
const splitSlotMin = 64

// splitLayout cuts a round of n workers' ranges of step bytes into slots,
// largest first (guided: a slot is the round's bytes still to take over 2n,
// between step/splitSlotMin and step), so that the last slots, which the
// workers finish apart, are small, and the slots few: the first slots'
// reads and batches cost what a fixed range's do. It returns each slot's
// offset in the round and its bytes.
func splitLayout(n int, step int64, ranges, minCut int) (at, size []int64) {
	total := int64(ranges*n) * step
	least := max(step/int64(minCut), 1)
	for off := int64(0); off < total; {
		sz := min(max((total-off)/int64(2*n), least), step, total-off)
		if rest := total - off - sz; rest < least {
			sz += rest // no sliver at the end
		}
		at, size = append(at, off), append(size, sz)
		off += sz
	}
	return at, size
}

// openSplitSlots makes the rounds of a stateless job over one file read in
// byte ranges split slots.
func (wp *workerPool) openSplitSlots() {
	if wp.twoPhase() || wp.shared || len(wp.srcs) != 1 || os.Getenv("LAMINAR_SHARED_ROUNDS") == "0" {
		return
	}
	ps := wp.srcs[0]
	if ps.done || ps.splits == nil {
		return
	}
	ranges, minCut := splitRoundRanges, splitSlotMin
	// measuring knobs, to pick the constants
	if v, err := strconv.Atoi(os.Getenv("LAMINAR_SPLIT_ROUND")); err == nil && v > 0 {
		ranges = v
	}
	if v, err := strconv.Atoi(os.Getenv("LAMINAR_SPLIT_MIN")); err == nil && v > 0 {
		minCut = v
	}
	wp.splitSlots = true
	ps.slotAt, ps.slotSize = splitLayout(wp.n, ps.step, ranges, minCut)
	wp.slots = len(ps.slotAt)
	ps.sbufs = make([]connector.SplitBuffer, wp.slots)
	ps.snext, ps.slines = make([]int64, wp.slots), make([]int64, wp.slots)
	ps.sbatch = ps.sbatch[:0]
	for range wp.slots {
		ps.sbatch = append(ps.sbatch, new(connector.LineBatch))
	}
	ps.msgs = make([]batchMsg, wp.slots)
	ps.chunkWM = make([]int64, wp.slots)
	wp.slotWorker = make([]int, wp.slots)
	wp.slotSinks = make([][]sinkSpan, wp.slots)
	for j := range wp.slotSinks {
		wp.slotSinks[j] = make([]sinkSpan, len(wp.r.jobCtx.Sinks))
	}
}

// sinkSpan is where a slot's rows of a sink are in its worker's buffer.
type sinkSpan struct{ from, to int }

// workSplitSlots is worker w's loop over rounds of split slots.
func (wp *workerPool) workSplitSlots(w int, clock func() int64) {
	ps := wp.srcs[0]
	rec := wp.ctxs[w].rec
	sinks := wp.ctxs[w].Sinks
	for !wp.stop {
		t0 := clock()
		region := trace.StartRegion(wp.ctx, "read")
		for !ps.finishing && !ps.done {
			j := int(wp.nextSlot.Add(1) - 1)
			if j >= wp.slots {
				break
			}
			wp.slotWorker[j] = w
			spans := wp.slotSinks[j]
			for i, s := range sinks {
				spans[i].from = len(s.Buf)
			}
			rec.chunk, rec.phase = wp.chunk(ps, j), 0
			wm := int64(math.MinInt64)
			wp.readSplit(ps, j, func(b *connector.LineBatch) {
				rec.phase = 1
				wp.pipes[w].ProcessLines(ps.src, b)
				wm = wp.watermark(ps, w)
			})
			ps.chunkWM[j] = wm
			for i, s := range sinks {
				spans[i].to = len(s.Buf)
			}
		}
		region.End()
		wp.busy[w] = clock() - t0
		wp.b.Wait() // the last to arrive runs endRound
		if wp.ending {
			wp.endInput(w, clock)
		}
	}
}

// slotOrder is the round's sink rows in slot order, sink i's of piece p
// being order[p][i]: each slot's rows in its worker's buffers, then what
// each worker emitted after its slots (the round's end, at the merge).
func (wp *workerPool) slotOrder() [][][]byte {
	order := make([][][]byte, 0, wp.slots+wp.n)
	ends := make([][]int, wp.n) // per worker, per sink: the rows placed
	for w := range ends {
		ends[w] = make([]int, len(wp.ctxs[w].Sinks))
	}
	for j := range wp.slots {
		w := wp.slotWorker[j]
		piece := make([][]byte, len(wp.ctxs[w].Sinks))
		for i, s := range wp.ctxs[w].Sinks {
			sp := wp.slotSinks[j][i]
			piece[i] = s.Buf[sp.from:sp.to]
			ends[w][i] = max(ends[w][i], sp.to)
		}
		order = append(order, piece)
	}
	for w, c := range wp.ctxs {
		piece := make([][]byte, len(c.Sinks))
		for i, s := range c.Sinks {
			piece[i] = s.Buf[ends[w][i]:]
		}
		order = append(order, piece)
	}
	return order
}

// resetSplitSlots readies the slots for the next round (the merge).
func (wp *workerPool) resetSplitSlots() {
	wp.nextSlot.Store(0)
	for j := range wp.slotSinks {
		clear(wp.slotSinks[j])
	}
}
