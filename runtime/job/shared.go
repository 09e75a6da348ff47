package job

import (
	"math"
	"os"
	"runtime/trace"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// Shared rounds: a keyed job fed by generators (every source's rows routed
// by key, each worker able to generate any event by its number), or by one
// file read in byte ranges (each worker able to read any range), does not
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
//
// A file's slots are byte ranges (splitLayout, larger than a stateless
// job's: splitSlotMinKeyed), each with its own batch and buffer per round's
// parity. The next round's ranges begin at this round's end (ps.gridAt +
// a round's bytes), not at the offset after its lines, which only the
// merge knows: FileSplits.Read finds the first line that begins in a range,
// so a line across the two rounds is this round's, read to its end by its
// last slot. The merge places the slots (line numbers, the offset after
// them) as it places the fixed ranges; a resumed run begins its rounds at
// the checkpoint's offset, where a line begins. When the merge finds lines
// appended to the file, the next round's slots, read to the file's old
// end, are read again after the merge, from the offset after this round's
// lines (discardAhead).

// slotBatch is the events of a generator batch, the unit of the slots.
const slotBatch = 256

// slotBatches is the generator batches of a slot: a round of n chunks of
// nexmarkChunk events is 4n slots, and the workers meet at most a slot's
// routing apart (about 0.1 ms here, in rounds of about 0.8 ms). Slots of
// 8 batches left a two-worker groupby_many as slow as fixed chunks (wall
// 1.68x against 1.81x for 4, 14 alternating pairs); slots of 3/4 of the
// round in 8 batches and the rest in single batches were as fast as 4 but
// +6.7% instructions at two workers: a part of few rows never turned its
// combiner off (fewer than 256 folded a round), and groupby_many's keys are
// nearly unique in a part. (The combiner now counts a part's rows over its
// rounds until 256, codegen/combiner.go; the mixed layout was not measured
// again.)
const slotBatches = 4

// slotLayout cuts a round of n workers' chunks into slots; it returns each
// slot's first batch in the round and its batches.
func slotLayout(n int) (at, size []int64) {
	total := int64(n) * nexmarkChunk / slotBatch
	for b := int64(0); b < total; b += slotBatches {
		at, size = append(at, b), append(size, min(slotBatches, total-b))
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
	// a file read in byte ranges (shared split rounds): each slot's
	// batch, the buffer its lines point into, the offset after its lines
	// (-1: none) and their lines, and what the merge accounts (readSplit's)
	sbatch        []*connector.LineBatch
	sbufs         []connector.SplitBuffer
	snext, slines []int64
	msgs          []batchMsg
}

// splitSlotMinKeyed is splitSlotMin for a keyed job's slots, each with
// parts of its own: a part's combiner partials and the views' loop over
// it cost per part, so the slots stay larger (at 1 MiB ranges and two
// workers, 9 slots from 512 KiB down to 115 KiB).
const splitSlotMinKeyed = 8

// openShared makes the rounds shared when the job allows it: rows that
// move by key (twoPhase), every source still to read a generator whose
// rows are routed by key. LAMINAR_SHARED_ROUNDS=0 turns it off (to
// compare).
func (wp *workerPool) openShared() {
	if !wp.twoPhase() || os.Getenv("LAMINAR_SHARED_ROUNDS") == "0" {
		return
	}
	open, splits := false, false
	for _, ps := range wp.srcs {
		if ps.done {
			continue
		}
		// generators, or one file read in byte ranges
		if ps.splits != nil && ps.keyed && len(wp.srcs) == 1 {
			splits = true
		} else if ps.gens == nil || !ps.keyed || ps.chunk != nexmarkChunk {
			return
		}
		open = true
	}
	if !open {
		return
	}
	wp.shared = true
	if splits {
		wp.openSharedSplits(wp.srcs[0])
	} else {
		wp.slotAt, wp.slotSize = slotLayout(wp.n)
		wp.slots = len(wp.slotAt)
	}
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
			if ps.splits != nil {
				sh.sbufs = make([]connector.SplitBuffer, wp.slots)
				sh.snext, sh.slines = make([]int64, wp.slots), make([]int64, wp.slots)
				sh.msgs = make([]batchMsg, wp.slots)
				for range wp.slots {
					sh.sbatch = append(sh.sbatch, new(connector.LineBatch))
				}
			}
		}
	}
}

// openSharedSplits lays out the slots of a keyed job's file read in byte
// ranges: a round is the fixed ranges' bytes (n ranges of ps.step) from
// ps.gridAt, in slots of splitLayout; the next round's begin at the
// round's end, whether a line begins there or not (FileSplits.Read finds
// it), so that they can be read before the merge has placed this round's.
func (wp *workerPool) openSharedSplits(ps *poolSource) {
	minCut := splitSlotMinKeyed
	if v, err := strconv.Atoi(os.Getenv("LAMINAR_SPLIT_MIN")); err == nil && v > 0 {
		minCut = v // a measuring knob
	}
	ps.slotAt, ps.slotSize = splitLayout(wp.n, ps.step, 1, minCut)
	wp.slots = len(ps.slotAt)
	ps.roundBytes = int64(wp.n) * ps.step
	ps.gridAt, ps.gridLine = wp.r.positions[ps.src].Offset, true
}

// discardAhead is the merge's answer to lines appended to a file read in
// byte ranges (its end moved: splitsEnded): this round's ranges were read
// to the end it knew, and the next round's slots, read before the merge
// from this round's end, are dropped with the reports made on them (the
// merge has replayed the round's and holds the next round's alone); the
// next round begins where this round's lines end (regrid) and its slots
// are taken after the merge.
func (wp *workerPool) discardAhead(ps *poolSource) {
	ps.regrid = true
	ps.sh[(wp.round+1)&1].next.Store(0)
	for _, c := range wp.ctxs {
		c.rec.calls = c.rec.calls[:0]
	}
}

// takeSplitSlots is takeSlots of a file read in byte ranges: each slot's
// range read, decoded and routed to its rows' owners. Ahead, the next
// round's, from the end of this round's ranges (to the file's end as this
// round knows it: discardAhead).
func (wp *workerPool) takeSplitSlots(ps *poolSource, w int, k int64, ahead bool) {
	lo, atLine := ps.gridAt, ps.gridLine
	if ahead {
		lo, atLine = lo+ps.roundBytes, false
	}
	eng := wp.engines[w]
	rec := wp.ctxs[w].rec
	sh := &ps.sh[k&1]
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
		b := sh.sbatch[j]
		at := lo + ps.slotAt[j]
		next, lines, err := ps.splits.Read(b, &sh.sbufs[j], at, at+ps.slotSize[j], ps.size, atLine && j == 0)
		sh.snext[j], sh.slines[j] = next, lines
		m := batchMsg{src: ps.src, batch: b, more: true, err: err}
		if err == nil && !ps.decText {
			m.bad = badText(b, ps.isJSON)
		}
		sh.msgs[j] = m
		wm := int64(math.MinInt64)
		if b.Len() > 0 && err == nil {
			wm = eng.Route(ps.src, b, parts, wm)
		}
		sh.wm[j] = wm
	}
}

// workShared is worker w's loop over shared rounds.
func (wp *workerPool) workShared(w int, clock func() int64) {
	eng := wp.engines[w]
	rec := wp.ctxs[w].rec
	for !wp.stop {
		var busy int64
		if !wp.routed {
			// the round's slots, not taken before the merge (the first
			// round's; a file's near its end)
			t0 := clock()
			region := trace.StartRegion(wp.ctx, "read")
			wp.takeSlots(w, wp.round, false)
			region.End()
			busy = clock() - t0
			wp.a.Wait()
		}
		t0 := clock()
		if wp.exchanging {
			wp.pipes[w].(Exchanging).ResetExchange()
		}
		// the parts addressed to this worker, source by source, slot by slot
		region := trace.StartRegion(wp.ctx, "views")
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
		if ps.splits != nil {
			wp.takeSplitSlots(ps, w, k, ahead)
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
// rows, its position and watermark after them, whether it ended. Of a file
// read in byte ranges, the watermark; the slots' batches are then the
// source's msgs, which the replay places and counts (placeSplit, account).
func (wp *workerPool) accountShared(ps *poolSource, ended *bool) {
	r := wp.r
	sh := &ps.sh[wp.round&1]
	if ps.splits != nil {
		ps.roundWM = max(ps.roundWM, slices.Max(sh.wm))
		ps.msgs, ps.snext, ps.slines = sh.msgs, sh.snext, sh.slines
		return
	}
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
// merge: the next round's were taken before it, all of them if routed),
// and moves a file's rounds on by a round's bytes.
func (wp *workerPool) resetShared(routed bool) {
	for _, ps := range wp.srcs {
		ps.sh[wp.round&1].next.Store(0)
		switch {
		case ps.splits == nil:
		case ps.regrid:
			ps.gridAt, ps.gridLine, ps.regrid = wp.r.positions[ps.src].Offset, true, false
		default:
			ps.gridAt, ps.gridLine = ps.gridAt+ps.roundBytes, false
		}
	}
	wp.routed = routed
}
