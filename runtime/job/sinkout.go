package job

import (
	"fmt"
	"runtime"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// sinkOutput writes the sinks' rows of a worker pool's rounds on a
// goroutine of its own, one round behind the workers: at a round's merge
// each worker's buffers of the round are handed over (and the buffers the
// writer emptied, the round before, handed back to the worker), so that the
// workers encode round k+1 while round k's bytes go to the sinks, instead
// of waiting at the merge for a serial write of every row. At most one
// round is in flight: the merge that hands a round over first waits for
// the one before (so the writer bounds the job when it is the slower), as
// do a checkpoint, a flush and the end of the run (drain), after which the
// sinks are the merge's again. The sinks' watermarks follow their rows: the
// writer hands them on after the round's writes.
type sinkOutput struct {
	r    *runner
	jobs chan sinkRound
	done chan error
	busy bool // a round was handed over and its done not yet received
	// spare[w][i]: worker w's emptied buffer of sink i, given back to it
	// at the next hand-over
	spare [][][]byte
	cat   [][]byte // per sink, the round's rows joined (a sink that is not a stream)
	err   error    // the first write error
	// measure: the writer's CPU time (LAMINAR_WORKERS_CPU), read after a
	// drain
	measure bool
	cpu     int64
}

// sinkRound is one round's rows: bufs[w][i] is worker w's of sink i.
type sinkRound struct {
	bufs [][][]byte
	// order, when set: the rows to write, order[p][i] sink i's of piece p
	// (split slots: slot by slot, slices of bufs); bufs otherwise
	order [][][]byte
	wm    int64
	// watermark: hand wm to the sinks after the rows
	watermark bool
}

// newSinkOutput starts the writer for a pool of n workers, or returns nil
// when no sink writes bytes (every sink discards its rows: blackhole), so
// the merge writes (nothing) itself.
func newSinkOutput(r *runner, n int, measure bool) *sinkOutput {
	writes := false
	for _, s := range r.jobCtx.Sinks {
		writes = writes || !s.Discard
	}
	if !writes {
		return nil
	}
	o := &sinkOutput{r: r, jobs: make(chan sinkRound), done: make(chan error, 1), cat: make([][]byte, len(r.jobCtx.Sinks)), measure: measure}
	for range n {
		o.spare = append(o.spare, make([][]byte, len(r.jobCtx.Sinks)))
	}
	go o.write()
	return o
}

// stream tells whether a sink takes a round's rows as well in several
// writes as in one (a byte stream: a file, stdout), so that each worker's
// buffer is written as it is, without joining them first. Other sinks (a
// table written a transaction per write, ...) get one write per round.
func stream(s connector.Sink) bool {
	switch s.(type) {
	case *connector.FileSink, *connector.EpochFileSink, *connector.WriterSink, *connector.Blackhole:
		return true
	}
	return false
}

// write is the writer's goroutine: each round's rows, sink by sink, worker
// by worker, then the watermark.
func (o *sinkOutput) write() {
	sinks := o.r.jobCtx.Sinks
	if o.measure {
		runtime.LockOSThread() // its thread's CPU clock is its own
		defer runtime.UnlockOSThread()
	}
	for job := range o.jobs {
		var t0 int64
		if o.measure {
			t0 = threadCPU()
		}
		var err error
		for i, s := range sinks {
			if err != nil {
				break
			}
			pieces := job.bufs
			if job.order != nil {
				pieces = job.order
			}
			if stream(s.sink) {
				for _, bufs := range pieces {
					if len(bufs[i]) > 0 {
						if werr := s.sink.Write(bufs[i]); werr != nil {
							err = fmt.Errorf("sink %s: %w", s.Name, werr)
							break
						}
					}
				}
				continue
			}
			cat := o.cat[i][:0]
			for _, bufs := range pieces {
				cat = append(cat, bufs[i]...)
			}
			o.cat[i] = cat
			if len(cat) > 0 {
				if werr := s.sink.Write(cat); werr != nil {
					err = fmt.Errorf("sink %s: %w", s.Name, werr)
				}
			}
		}
		if err == nil && job.watermark {
			deliverWatermark(sinks, job.wm)
		}
		for _, bufs := range job.bufs {
			for i := range bufs {
				bufs[i] = bufs[i][:0]
			}
		}
		if o.measure {
			o.cpu += threadCPU() - t0
		}
		o.done <- err
	}
}

// drain waits for the round in flight, if any: the sinks are then the
// caller's until the next hand-over. It returns the first write error.
func (o *sinkOutput) drain() error {
	if o.busy {
		o.busy = false
		if err := <-o.done; err != nil && o.err == nil {
			o.err = err
		}
	}
	return o.err
}

// handOver takes the round's rows out of the workers' contexts (giving
// them the buffers of the round before) and hands them to the writer,
// with the sinks' watermark after them when watermark is set; order, when
// set, is the rows to write, slices of the workers' buffers (else they are
// written worker by worker). It first waits for the round before.
func (o *sinkOutput) handOver(ctxs []*Context, order [][][]byte, watermark bool, wm int64) error {
	if err := o.drain(); err != nil {
		return err
	}
	job := sinkRound{bufs: make([][][]byte, len(ctxs)), order: order, wm: wm, watermark: watermark}
	rows := false
	for w, c := range ctxs {
		job.bufs[w] = make([][]byte, len(c.Sinks))
		for i, s := range c.Sinks {
			job.bufs[w][i], s.Buf = s.Buf, o.spare[w][i]
			rows = rows || len(job.bufs[w][i]) > 0
		}
		o.spare[w] = job.bufs[w]
	}
	if !rows {
		if watermark {
			deliverWatermark(o.r.jobCtx.Sinks, wm) // nothing in flight
		}
		return nil
	}
	o.busy = true
	o.jobs <- job
	return nil
}

// close drains the writer and stops its goroutine.
func (o *sinkOutput) close() error {
	err := o.drain()
	close(o.jobs)
	return err
}
