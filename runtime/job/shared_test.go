package job

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/exchange"
	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// sharedPart is a part of sharedFake: the bids' times, with the watermark
// before each.
type sharedPart struct{ times, wms []int64 }

// sharedRun is what the engines of a sharedFake job saw.
type sharedRun struct {
	mu      sync.Mutex
	engines int
	routed  atomic.Int64 // events routed, on any worker
	foreign atomic.Int64 // events of other tables routed
	// routedWhileBlocked: the events routed when the second worker let its
	// first part's views go on
	routedWhileBlocked int64
	blocked            bool
	rows               int64
	disorder           int
}

// sharedFake is a keyed pipeline over a Nexmark source whose second
// worker's views hold on to the first round's first part until the other
// worker has routed two rounds' events (or a long while has passed).
type sharedFake struct {
	run  *sharedRun
	id   int // 0 the runner's engine, then the workers' in order
	last int64
	seen bool
}

func (f *sharedFake) ProcessLines(int, *connector.LineBatch) {}
func (f *sharedFake) EndOfInput(int)                         {}
func (f *sharedFake) Partition() Partition {
	return Partition{Sources: []SourcePartition{{Source: 0, Keyed: true}}}
}
func (f *sharedFake) NewPart(int) any { return &sharedPart{} }
func (f *sharedFake) ResetPart(_ int, x any) {
	pt := x.(*sharedPart)
	pt.times, pt.wms = pt.times[:0], pt.wms[:0]
}
func (f *sharedFake) Route(_ int, b *connector.LineBatch, parts []any, wm int64) int64 {
	evs := *b.Typed.(*[]nexmark.Event)
	for i := range evs {
		if evs[i].Kind != nexmark.KindBid {
			f.run.foreign.Add(1)
			continue
		}
		bid := &evs[i].Bid
		pt := parts[exchange.Owner(exchange.Int(exchange.Seed, uint64(bid.Price)), len(parts))].(*sharedPart)
		pt.times, pt.wms = append(pt.times, bid.DateTime), append(pt.wms, wm)
		wm = max(wm, bid.DateTime)
	}
	f.run.routed.Add(int64(len(evs)))
	return wm
}
func (f *sharedFake) ProcessPart(_ int, x any, start int64) {
	r := f.run
	if f.id == 2 && !r.blocked {
		r.blocked = true
		// two rounds of both workers' chunks: the other worker routes the
		// next round's while this one is on the first round's views
		for deadline := time.Now().Add(20 * time.Second); r.routed.Load() < 4*nexmarkChunk && time.Now().Before(deadline); {
			runtime.Gosched()
			time.Sleep(time.Millisecond)
		}
		r.routedWhileBlocked = r.routed.Load()
	}
	pt := x.(*sharedPart)
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, t := range pt.times {
		// the rows of an owner in input order, each with the watermark
		// of the rows before it in the input, whoever routed them
		if f.seen && (t < f.last || max(start, pt.wms[i]) < f.last) {
			r.disorder++
		}
		f.last, f.seen = t, true
		r.rows++
	}
}
func (f *sharedFake) EndRound(int, int64)       {}
func (f *sharedFake) Prune(func(h uint64) bool) {}

// TestSharedRoundsRouteAheadOfASlowWorker: on a keyed generator job, a
// worker done with a round's views generates and routes the next round's
// events while the other is still on them (shared rounds), instead of
// waiting for it at the round's end; every bid reaches its owner once, in
// input order.
func TestSharedRoundsRouteAheadOfASlowWorker(t *testing.T) {
	run := &sharedRun{}
	factory := func(*Context) Pipeline {
		run.mu.Lock()
		defer run.mu.Unlock()
		run.engines++
		return &sharedFake{run: run, id: run.engines - 1}
	}
	spec := Spec{Name: "q", Sources: []SourceSpec{{Name: "bid", Connector: "nexmark", Options: map[string]string{"events": "40000", "seed": "3"}}},
		Sinks: []SinkSpec{{Name: "o", Connector: "blackhole"}}}
	opts := Options{BaseDir: t.TempDir(), Stderr: new(syncBuffer), Workers: 2}
	sum, err := Run(context.Background(), spec, factory, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Workers == nil || sum.Workers.Workers != 2 {
		t.Fatalf("the job did not run on two workers: %+v", sum.Workers)
	}
	if run.routedWhileBlocked < 4*nexmarkChunk {
		t.Errorf("while the second worker was on the first round's views the first routed %d events, want the next round's too (%d)",
			run.routedWhileBlocked, 4*nexmarkChunk)
	}
	if run.foreign.Load() == 0 {
		// a job of one source generates every event at any worker count,
		// as its one engine does (poolSource.ownKind)
		t.Errorf("the workers of a one-source job generated only its table's events; its one engine generates every event")
	}
	if run.rows != sum.Sources[0].Kept || run.disorder != 0 {
		t.Errorf("the owners' views saw %d bids (%d out of order), want the %d generated in order", run.rows, run.disorder, sum.Sources[0].Kept)
	}
}

// TestSlotLayout: a round's slots cover its batches once, in order, the
// last quarter in single batches (the last taken, so the workers meet at
// most a batch's routing apart) and none larger than 8 before them.
func TestSlotLayout(t *testing.T) {
	for n := 1; n <= 5; n++ {
		at, size := slotLayout(n)
		total := int64(n) * nexmarkChunk / slotBatch
		next := int64(0)
		singles := 0
		for i := range at {
			if at[i] != next {
				t.Fatalf("n=%d: slot %d starts at batch %d, want %d", n, i, at[i], next)
			}
			if size[i] < 1 || size[i] > 8 {
				t.Fatalf("n=%d: slot %d has %d batches", n, i, size[i])
			}
			if at[i] >= total-total/4 {
				if size[i] != 1 {
					t.Fatalf("n=%d: slot %d in the last quarter has %d batches", n, i, size[i])
				}
				singles++
			}
			next += size[i]
		}
		if next != total || int64(singles) != total/4 {
			t.Fatalf("n=%d: slots cover %d batches with %d singles, want %d and %d", n, next, singles, total, total/4)
		}
	}
}
