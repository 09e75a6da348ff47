package job

import (
	"context"
	"runtime"
	"sync"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// ParallelDecoder is implemented by generated pipelines whose record
// decoders touch no pipeline state, so that a source's batches can be
// decoded on several goroutines while the pipeline itself stays on one.
type ParallelDecoder interface {
	// NewDecoder returns a function that decodes the lines of a batch of
	// source src into the batch's Decoded field, for use on one goroutine;
	// nil when src's records are not lines (a generator).
	NewDecoder(src int) func(b *connector.LineBatch)
	// ProcessDecoded processes a batch of source src that a decoder of
	// NewDecoder filled, as ProcessLines would the raw batch: malformed
	// records are reported, in line order, before the rows are processed.
	ProcessDecoded(src int, b *connector.LineBatch)
}

// decodeWorkers is how many goroutines decode a source's batches: 1 (no
// parallel decoding, the pipeline decodes) unless the pipeline can and the
// job has more than one core.
func (r *runner) decodeWorkers() int {
	if _, ok := r.pipeline.(ParallelDecoder); !ok {
		return 1
	}
	return r.generators()
}

// generators is how many goroutines generate a Nexmark source of a job on
// one engine (connector.Prefetcher), or decode a file's batches when the
// pipeline can: --decoders, 0 meaning GOMAXPROCS (one goroutine's
// generating bounded q7_max's views at one core).
func (r *runner) generators() int {
	if n := r.opts.Decoders; n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// readSourceParallel is readSource with the decoding moved off the main
// loop: this goroutine reads batches in input order, `workers` goroutines
// decode them at once, and the batches reach out in the order they were
// read, each with the position after it, so the pipeline sees the rows,
// dead-letter reports and checkpoint positions exactly as from readSource.
// free must hold enough batches to keep the workers busy (workers+2).
func readSourceParallel(ctx context.Context, src int, s connector.Source, batchSize int, check textCheck,
	newDecoder func() func(*connector.LineBatch), workers int,
	free <-chan *connector.LineBatch, out chan<- batchMsg) {
	s = connector.Detach(s) // lines must outlive the source's two buffers
	defer s.Close()

	type work struct {
		msg  batchMsg
		done chan struct{} // closed once msg.batch is decoded
	}
	jobs := make(chan *work, workers)
	order := make(chan *work, cap(free)) // every batch read, in input order
	var wg sync.WaitGroup
	for range workers {
		decode := newDecoder()
		wg.Go(func() {
			for w := range jobs {
				w.msg.bad = check.count(w.msg.batch)
				if len(w.msg.batch.Lines) > 0 {
					decode(w.msg.batch)
					w.msg.decoded = true
				}
				close(w.done)
			}
		})
	}
	wg.Go(func() {
		for w := range order {
			select {
			case <-w.done:
			case <-ctx.Done():
				return
			}
			select {
			case out <- w.msg:
			case <-ctx.Done():
				return
			}
		}
	})
	defer wg.Wait()
	defer close(order)
	defer close(jobs)

	for {
		var b *connector.LineBatch
		select {
		case b = <-free:
		case <-ctx.Done():
			return
		}
		more, err := s.Next(b, batchSize)
		var pos connector.Position
		if p, ok := s.(connector.Positioned); ok {
			pos = p.Position()
		}
		w := &work{msg: batchMsg{src: src, batch: b, pos: pos, more: more && err == nil, err: err}, done: make(chan struct{})}
		order <- w // never blocks: it holds as many as there are batches
		select {
		case jobs <- w:
		case <-ctx.Done():
			return
		}
		if !more || err != nil {
			return
		}
	}
}
