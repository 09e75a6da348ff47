package job

import (
	"math"
	"os"
	"runtime/trace"
	"sync/atomic"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// Shared rounds: a keyed job fed by generators (every source's rows routed
// by key, each worker able to generate any event by its number) does not
// give each worker a fixed chunk of the round. The round's events are cut
// into slots (slotLayout), and a worker takes the next slot not yet taken
// (an atomic counter), generates and routes it into the slot's own parts;
// the views of each worker then run over the parts addressed to them slot
// by slot, in input order, the slots being the round's chunks for the
// watermark before each row and the order of the reports. A key's state
// stays with its owner: what moves between workers is the generating and
// routing, never a state update.
//
// And the next round's slots are taken by the workers done with this
// round's views, before the merge's barrier: a worker that would have
// waited there for a slower one generates and routes the next round's
// events instead, and the slower one, when it gets there, finds fewer left
// (at most one slot's time apart at the barrier). A round needs one
// meeting, not two: at the merge every slot of the next round has been
// routed. The next round's parts are the other half of a double buffer
// (sh[round&1]); the merge only reads this round's counts and resets this
// round's counter. Nothing of the next round is state: a checkpoint at the
// merge is the cut it was (the positions after this round, the engines'
// state after this round's views), and a resumed run generates the next
// round again from those positions. Reports made while routing the next
// round wait in recorder.ahead until this round's are replayed.

// slotBatch is the events of a generator batch, the unit of the slots.
const slotBatch = 256

// slotLayout cuts a round of n workers' chunks (16n generator batches)
// into slots, the first three quarters in slots of 8 batches and the last
// quarter in single batches; it returns each slot's first batch in the
// round and its batches. The workers meet at the barrier at most a slot's
// routing apart, and the last slots taken are the smallest: one batch
// (about 15 µs here, in rounds of about 0.5 ms a worker). Slots of 4
// batches throughout left q5_tumble's workers' CPU over the critical path
// at 1.84x (9 runs), this layout 1.90x, at the same instructions (±0.2%,
// callgrind, 1M events); a tail of 16 single batches of 32 was no better
// and +1.7% instructions (a part a slot, ResetPart and a seek per slot).
// Slots of 8 throughout were as slow as fixed chunks (wall 1.68x against
// 1.81x for 4 in groupby_many, 14 alternating pairs). The mixed layout was
// once +6.7% instructions, when a part of few rows never turned its
// combiner off; the combiner now counts a part's rows over its rounds
// until 256 (codegen/combiner.go).
func slotLayout(n int) (at, size []int64) {
	const big = 8
	total := int64(n) * nexmarkChunk / slotBatch
	tailAt := total - total/4 // the first single-batch slot
	for b := int64(0); b < tailAt; b += big {
		at, size = append(at, b), append(size, min(big, tailAt-b))
	}
	for b := tailAt; b < total; b++ {
		at, size = append(at, b), append(size, 1)
	}
	return at, size
}

// sharedRound is one round's slots of a source (poolSource.sh).
type sharedRound struct {
	parts     [][]any // [slot][receiver]
	wm        []int64 // the watermark after each slot's rows, from none
	gen, kept []int64
	ended     []bool
	next      atomic.Int64 // the next slot to take
}

// openShared makes the rounds shared when the job allows it: rows that
// move by key (twoPhase), every source still to read a generator whose
// rows are routed by key. LAMINAR_SHARED_ROUNDS=0 turns it off (to
// compare).
func (wp *workerPool) openShared() {
	if !wp.twoPhase() || os.Getenv("LAMINAR_SHARED_ROUNDS") == "0" {
		return
	}
	open := false
	for _, ps := range wp.srcs {
		if ps.done {
			continue
		}
		if ps.gens == nil || !ps.keyed || ps.chunk != nexmarkChunk {
			return
		}
		open = true
	}
	if !open {
		return
	}
	wp.shared = true
	wp.slotAt, wp.slotSize = slotLayout(wp.n)
	wp.slots = len(wp.slotAt)
	for _, ps := range wp.srcs {
		if ps.done {
			continue
		}
		for i := range ps.sh {
			sh := &ps.sh[i]
			sh.parts = make([][]any, wp.slots)
			for j := range sh.parts {
				for range wp.n {
					sh.parts[j] = append(sh.parts[j], wp.engines[j%wp.n].NewPart(ps.src))
				}
			}
			sh.wm = make([]int64, wp.slots)
			sh.gen, sh.kept = make([]int64, wp.slots), make([]int64, wp.slots)
			sh.ended = make([]bool, wp.slots)
		}
	}
}

// workShared is worker w's loop over shared rounds.
func (wp *workerPool) workShared(w int, clock func() int64) {
	eng := wp.engines[w]
	rec := wp.ctxs[w].rec
	t0 := clock()
	region := trace.StartRegion(wp.ctx, "read")
	wp.takeSlots(w, wp.round, false) // the first round's slots
	region.End()
	carry := clock() - t0
	wp.a.Wait()
	for !wp.stop {
		t0 = clock()
		busy := carry
		carry = 0
		if wp.exchanging {
			wp.pipes[w].(Exchanging).ResetExchange()
		}
		// the parts addressed to this worker, source by source, slot by slot
		region = trace.StartRegion(wp.ctx, "views")
		for _, ps := range wp.srcs {
			switch {
			case ps.done:
				continue
			case ps.finishing:
				rec.chunk, rec.phase, rec.record = wp.chunk(ps, 0), 2, -1
				wp.pipes[w].EndOfInput(ps.src)
				continue
			}
			sh := &ps.sh[wp.round&1]
			start := ps.roundWM
			for j := range wp.slots {
				rec.chunk, rec.phase, rec.record = wp.chunk(ps, j), 1, -1
				eng.ProcessPart(ps.src, sh.parts[j][w], start)
				start = max(start, sh.wm[j])
			}
			rec.phase, rec.record = 2, -1
			eng.EndRound(ps.src, start)
		}
		region.End()
		if wp.exchanging {
			rec.chunk = wp.chunk(wp.srcs[len(wp.srcs)-1], wp.slots-1)
			for l := 1; l <= wp.levels; l++ {
				busy += clock() - t0
				wp.x.Wait()
				t0 = clock()
				wp.exchangeIn(w, l)
			}
		}
		// the next round's slots, while a slower worker is still on this
		// round's views
		region = trace.StartRegion(wp.ctx, "read")
		rec.next = true
		wp.takeSlots(w, wp.round+1, true)
		rec.next = false
		region.End()
		wp.busy[w] = busy + clock() - t0
		wp.b.Wait() // the last to arrive runs endRound
		if wp.ending {
			wp.endInput(w, clock)
		}
	}
}

// takeSlots takes the slots of round k of every source still read, until
// none is left: each generated on worker w's generator and routed to its
// rows' owners. ahead: k is the round after the current one, whose events
// begin after the current round's.
func (wp *workerPool) takeSlots(w int, k int64, ahead bool) {
	eng := wp.engines[w]
	rec := wp.ctxs[w].rec
	for _, ps := range wp.srcs {
		if ps.done || ps.finishing {
			continue
		}
		base := ps.base
		if ahead {
			for _, n := range ps.sh[wp.round&1].gen {
				base += n
			}
		}
		sh := &ps.sh[k&1]
		g, b := ps.gens[w], ps.gbufs[w]
		for {
			j := int(sh.next.Add(1) - 1)
			if j >= wp.slots {
				break
			}
			parts := sh.parts[j]
			for _, pt := range parts {
				eng.ResetPart(ps.src, pt)
			}
			rec.chunk, rec.phase, rec.record = wp.chunkAt(k, ps, j), 0, -1
			g.SeekEvent(base + wp.slotAt[j]*slotBatch)
			wm := int64(math.MinInt64)
			var gen, kept int64
			ended := false
			for events := wp.slotSize[j] * slotBatch; gen < events; {
				n, more := ps.nextEvents(g, b, int(min(slotBatch, events-gen)))
				gen += int64(n)
				if b.TypedLen > 0 {
					kept += int64(b.Kept)
					wm = eng.Route(ps.src, b, parts, wm)
				}
				if !more {
					ended = true
					break
				}
			}
			sh.wm[j], sh.gen[j], sh.kept[j], sh.ended[j] = wm, gen, kept, ended
		}
	}
}

// accountShared is the merge's count of source ps's slots of the round: its
// rows, its position and watermark after them, whether it ended.
func (wp *workerPool) accountShared(ps *poolSource, ended *bool) {
	r := wp.r
	sh := &ps.sh[wp.round&1]
	var total int64
	for j := range wp.slots {
		total += sh.gen[j]
		r.jobCtx.sources[ps.src].RowsIn += sh.gen[j]
		r.jobCtx.sources[ps.src].Kept += sh.kept[j]
		*ended = *ended || sh.ended[j]
		ps.roundWM = max(ps.roundWM, sh.wm[j])
	}
	ps.base += total
	r.positions[ps.src] = connector.Position{Offset: ps.base, Line: ps.base}
}

// resetShared readies this round's slots for the round after next (the
// merge: the next round's were taken before it).
func (wp *workerPool) resetShared() {
	for _, ps := range wp.srcs {
		ps.sh[wp.round&1].next.Store(0)
	}
}
