package job

import (
	"fmt"
	"slices"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// poolUnits is the input of a source the workers read in units, each with
// a reader of its own (connector.UnitSplits: Parquet row groups): in each
// round worker w reads unit w of those the merge listed from the position
// after the round before, decodes and routes its rows; the position after
// the round is after its last unit, the same cut at any number of workers.
type poolUnits struct {
	splits  connector.UnitSplits
	src     connector.Source // the job's source, which lists the units; closed at the end
	readers []connector.UnitReader
	bufs    []*connector.LineBatch // per worker, the batch each read of its unit fills
	sums    []*connector.LineBatch // per worker, its unit's counts and dead letters
	starts  []connector.Position   // the round's units
	after   connector.Position     // the position after them
	err     error                  // listing them failed
	// per worker, the unit it read again for a late row's record
	// (ChunkRecord), kept for the chunk's other late rows
	again []unitAgain
}

// unitAgain is a unit read again: the typed batches of a chunk, each its
// own (not reused), and the chunk's record index of each one's first row.
type unitAgain struct {
	chunk   int64 // -1: none
	batches []any
	firsts  []int
	buf     connector.LineBatch
}

// UnitRecord is what Context.ChunkRecord gives on a worker of a source the
// workers read in units (a Parquet source): row Row of Batch, the typed
// batch (a *parquet.Batch) holding the record, read again by the worker
// (valid until the round ends).
type UnitRecord struct {
	Batch any
	Row   int
}

// openUnits makes the workers read source ps in units when its source can
// split so (connector.UnitSplits), and lists the first round's.
func (wp *workerPool) openUnits(ps *poolSource) error {
	r := wp.r
	us, ok := r.sources[ps.src].(connector.UnitSplits)
	if !ok {
		return nil
	}
	u := &poolUnits{splits: us, src: r.sources[ps.src]}
	for range wp.n {
		rd, err := us.UnitReader()
		if err != nil {
			return fmt.Errorf("source %s: %w", r.spec.Sources[ps.src].Name, err)
		}
		u.readers = append(u.readers, rd)
		u.bufs = append(u.bufs, new(connector.LineBatch))
		u.sums = append(u.sums, new(connector.LineBatch))
		u.again = append(u.again, unitAgain{chunk: -1})
	}
	ps.units = u
	r.sources[ps.src] = nil
	wp.listUnits(ps)
	return nil
}

// unitsSource tells whether a source splits in units (openUnits).
func unitsSource(s connector.Source) bool {
	_, ok := s.(connector.UnitSplits)
	return ok
}

// listUnits lists the next round's units from the source's position.
func (wp *workerPool) listUnits(ps *poolSource) {
	u := ps.units
	u.starts, u.after, u.err = u.splits.Units(wp.r.positions[ps.src], wp.n)
}

// readUnit reads worker w's unit of the round, handing each batch to
// batch, and keeps what the merge accounts for (placeUnit) in ps.msgs[w].
func (wp *workerPool) readUnit(ps *poolSource, w int, batch func(*connector.LineBatch)) {
	u := ps.units
	sum := u.sums[w]
	sum.Reset()
	m := batchMsg{src: ps.src, batch: sum, more: w < len(u.starts), pos: u.after}
	if w+1 < len(u.starts) {
		m.pos = u.starts[w+1]
	}
	if w < len(u.starts) && u.err == nil {
		m.err = u.readers[w].ReadUnit(u.starts[w], wp.r.opts.BatchSize, u.bufs[w], func(b *connector.LineBatch) {
			sum.TypedLen += b.TypedLen
			sum.SkippedRecords += b.SkippedRecords
			sum.Rejected = append(sum.Rejected, b.Rejected...)
			batch(b)
		})
	}
	if w == 0 && u.err != nil {
		m.err = u.err
	}
	ps.msgs[w] = m
}

// rereadUnit is record k of the unit that worker sender read as its chunk
// of the round (number chunk), read again by worker w on its reader, idle
// outside the round's first phase, with the batches it read it in (the
// same rows, as the records were numbered in Route): the batches of a unit
// are reused as it is read, and a partial of the combiner whose window the
// chunks before it closed reports its rows late after them (ChunkRecord).
// The unit's batches stay with w for the chunk's other late rows.
func (wp *workerPool) rereadUnit(ps *poolSource, w, sender int, chunk int64, k int) any {
	u := ps.units
	a := &u.again[w]
	if a.chunk != chunk {
		a.chunk, a.batches, a.firsts = chunk, a.batches[:0], a.firsts[:0]
		rr, ok := u.readers[w].(connector.UnitRereader)
		if !ok || sender >= len(u.starts) {
			return nil
		}
		n := 0
		// what it read before an error is what the chunk's rows came from
		_ = rr.RereadUnit(u.starts[sender], wp.r.opts.BatchSize, &a.buf, func(b *connector.LineBatch) {
			if b.TypedLen > 0 {
				a.batches, a.firsts = append(a.batches, b.Typed), append(a.firsts, n)
				n += b.TypedLen
			}
			b.Typed = nil // the next batch of its own
		})
		a.firsts = append(a.firsts, n)
	}
	i, found := slices.BinarySearch(a.firsts, k)
	if !found {
		i--
	}
	if i < 0 || i >= len(a.batches) {
		return nil
	}
	return UnitRecord{Batch: a.batches[i], Row: k - a.firsts[i]}
}

// unitsEnded counts the round's skipped rows and lists the next round's
// units: none, the input has ended.
func (wp *workerPool) unitsEnded(ps *poolSource) bool {
	for _, s := range ps.units.sums {
		wp.r.jobCtx.sources[ps.src].RowsIn += s.SkippedRecords
		s.SkippedRecords = 0
	}
	wp.listUnits(ps)
	return len(ps.units.starts) == 0 && ps.units.err == nil
}

// closeUnits closes the workers' readers and the source.
func (ps *poolSource) closeUnits() {
	for _, rd := range ps.units.readers {
		rd.Close()
	}
	ps.units.src.Close()
}

// dealtChangelog tells whether a source of connector c, other than a file,
// has its one reader deal its batches to the workers: PostgreSQL CDC, whose
// changes (a retraction, an insertion, with the weights of a changelog
// file's) go to the worker owning their key like a changelog file's.
func dealtChangelog(c string) bool { return c == "postgres" }
