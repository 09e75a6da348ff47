package connector

import (
	"sync"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// Generating ahead on several goroutines: a job that runs on one engine
// (its views split on no key) spends most of its time in the generator
// when the views are light (Nexmark q7_max: about nine tenths), so one
// reader goroutine beside the pipeline bounds it at one core, and with the
// hand-over between the two it was slower at two cores than at one (0.80 s
// against 0.62 s of wall time). Every event is a function of its number,
// so batch k of the stream can be made by any generator: g goroutines
// generate batches k ≡ i (mod g) each, on generators of their own, and
// Next hands them out in order. Same events, same batches, same positions
// as one generator.

// Prefetcher is a source that can generate its next batches ahead on
// several goroutines (runtime/job asks for --decoders of them).
type Prefetcher interface {
	// Prefetch asks for n goroutines; it is a no-op for n < 2, or for a
	// source that is not alone on its generator. Call it before the first
	// Next.
	Prefetch(n int)
}

// Prefetch implements Prefetcher: a source alone on its stream generates
// its batches on n goroutines from its first Next on.
func (s *NexmarkSource) Prefetch(n int) {
	st := s.stream
	st.mu.Lock()
	defer st.mu.Unlock()
	if n > 1 && !st.started {
		s.prefetchers = n
	}
}

// aheadEvents is the events a goroutine generates at a time, handed out
// in batches of the size Next is asked for: a hand-over between goroutines
// costs a few microseconds when one of them waits (a futex), as much as
// generating a hundred events. (q7_max at two cores: 0.65 s of wall time in
// hand-overs of 256 events, 0.39 s of 1,024 and 0.33 s of 4,096.)
const aheadEvents = 4096

// maxAheadBatch caps the batches of a source generated ahead. The batches
// of one generator on the pipeline's core stay at maxNexmarkBatch for its
// L2 cache; generated ahead, the events come from another core's cache
// anyway, and fewer batches are fewer hand-overs to the pipeline (q7_max at
// two cores: 0.55 s of wall time in batches of 256, 0.39 s of 1,024).
const maxAheadBatch = 1024

// nexmarkAhead is the goroutines generating a source's batches ahead.
type nexmarkAhead struct {
	batch int   // the events of a batch, as Next was first asked for
	next  int64 // the number of the next run Next takes
	ended bool  // a short batch was handed out: the stream has ended
	cur   *aheadRun
	// out[i] are goroutine i's runs in order; free[i] the runs it fills
	// next (each given back once its batches are done with)
	out  []chan *aheadRun
	free []chan *aheadRun
	// held is the run whose events each batch holds, given back when
	// Next fills the batch again
	held map[*LineBatch]*aheadRun
	done chan struct{}
	wg   sync.WaitGroup
}

// aheadRun is a goroutine's run of generated events, cut into batches.
type aheadRun struct {
	events  []nexmark.Event
	n, kept []int // each batch's events and those of the source's table
	taken   int   // batches handed out
	holders int   // batches handed out and not yet filled again
	owner   int   // the goroutine that made it
}

// startAhead starts n goroutines generating batches of batch events of the
// stream of cfg from its events-th event on, as gen.NextBatch(…, kind)
// would, each on a generator of its own, in runs of aheadEvents.
func startAhead(cfg nexmark.Config, events int64, kind nexmark.Kind, n, batch int) (*nexmarkAhead, error) {
	a := &nexmarkAhead{batch: batch, held: map[*LineBatch]*aheadRun{}, done: make(chan struct{})}
	perRun := max(aheadEvents/batch, 1)
	gens := make([]*nexmark.Generator, n)
	for i := range gens {
		g, err := nexmark.NewGenerator(cfg)
		if err != nil {
			return nil, err
		}
		gens[i] = g
	}
	for i, g := range gens {
		// a run filled while Next hands out another, and one in between
		out, free := make(chan *aheadRun, 1), make(chan *aheadRun, 4)
		a.out, a.free = append(a.out, out), append(a.free, free)
		a.wg.Go(func() {
			for k := int64(i); ; k += int64(n) {
				var r *aheadRun
				select {
				case <-a.done:
					return
				case r = <-free:
				default:
					r = &aheadRun{events: make([]nexmark.Event, perRun*batch), owner: i}
				}
				r.n, r.kept, r.taken = r.n[:0], r.kept[:0], 0
				g.SkipTo(events + k*int64(perRun*batch))
				short := false
				for j := range perRun {
					m, kept := g.NextBatch(r.events[j*batch:(j+1)*batch], kind)
					r.n, r.kept = append(r.n, m), append(r.kept, kept)
					if short = m < batch; short {
						break
					}
				}
				select {
				case out <- r:
				case <-a.done:
					return
				}
				if short {
					return // the stream ends in this run
				}
			}
		})
	}
	return a, nil
}

// take fills b's events with the next batch in order, and gives the run
// of the batch b held before back to its goroutine once no batch holds it;
// it returns the events gone past and how many are of the source's table.
func (a *nexmarkAhead) take(b *LineBatch, events *[]nexmark.Event) (n, kept int) {
	if r := a.held[b]; r != nil {
		delete(a.held, b)
		if r.holders--; r.holders == 0 && r.taken == len(r.n) {
			if r == a.cur {
				a.cur = nil // its goroutine fills it again
			}
			select {
			case a.free[r.owner] <- r:
			default: // the goroutine has runs enough
			}
		}
	}
	if a.ended {
		*events = (*events)[:0]
		return 0, 0
	}
	if a.cur == nil || a.cur.taken == len(a.cur.n) {
		a.cur = <-a.out[int(a.next%int64(len(a.out)))]
		a.next++
	}
	r := a.cur
	j := r.taken
	r.taken++
	r.holders++
	a.held[b] = r
	*events = r.events[j*a.batch : j*a.batch+r.n[j]]
	if r.n[j] < a.batch {
		a.ended = true
	}
	return r.n[j], r.kept[j]
}

// stop ends the goroutines and waits for them.
func (a *nexmarkAhead) stop() {
	close(a.done)
	a.wg.Wait()
}
