package job

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// slowSplitPipeline is splitPipeline whose worker 1 holds on to the first
// line it gets until worker 0 has run more lines than a fixed range of the
// first round holds (or a long while has passed).
type slowSplitPipeline struct {
	splitPipeline
	worker0 *atomic.Int64 // the lines worker 0 ran
	ahead   *atomic.Int64 // the lines worker 0 had run when worker 1 went on
	want    int64
	held    bool
}

func (p *slowSplitPipeline) ProcessLines(src int, b *connector.LineBatch) {
	if rec := p.ctx.rec; rec != nil && rec.worker == 1 && !p.held {
		p.held = true
		for deadline := time.Now().Add(20 * time.Second); p.worker0.Load() < p.want && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond) // a deadlock guard, not a timing
		}
		p.ahead.Store(p.worker0.Load())
	}
	p.splitPipeline.ProcessLines(src, b)
	if rec := p.ctx.rec; rec != nil && rec.worker == 0 {
		p.worker0.Add(int64(len(b.Lines)))
	}
}

// TestSplitSlotsTakenByTheFreeWorker: on a stateless job over a file read
// in byte ranges, a worker held up on its first slot of a round leaves the
// round's other slots to the other worker (split slots), which runs more
// lines than a fixed range of the round holds instead of waiting for it at
// the round's end; the sink gets every line once, in input order (each
// slot's rows in its place), as one worker writes them. With
// LAMINAR_SHARED_ROUNDS=0 (fixed ranges) the worker waits (for the guard's
// 20 s) and the test fails.
func TestSplitSlotsTakenByTheFreeWorker(t *testing.T) {
	lines := splitLines(2000) // 104 KB: rounds of 2 x 1 KiB, 19-20 lines a range
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in.jsonl"), strings.Join(lines, "\n")+"\n")
	s := &gateSink{}
	gateMu.Lock()
	gateSinks[t.Name()] = s
	gateMu.Unlock()
	spec := Spec{
		Name:    "split",
		Sources: []SourceSpec{fileSource("in", "in.jsonl")},
		Sinks:   []SinkSpec{{Name: "out", Connector: "testgate", Format: "json", Options: map[string]string{"name": t.Name()}}},
	}
	var stderr bytes.Buffer
	opts := testOptions(dir, &stderr)
	opts.BatchSize = 1 // ranges of 1 KiB
	opts.Workers = 2
	opts.Quiet = true
	var worker0, ahead atomic.Int64
	const want = 25 // more than the 20 lines of worker 0's fixed range
	factory := func(ctx *Context) Pipeline {
		return &slowSplitPipeline{splitPipeline: splitPipeline{ctx: ctx}, worker0: &worker0, ahead: &ahead, want: want}
	}
	sum, err := Run(context.Background(), spec, factory, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Workers == nil || sum.Workers.Workers != 2 {
		t.Fatalf("the job did not run on two workers: %+v", sum.Workers)
	}
	if got := ahead.Load(); got < want {
		t.Errorf("while worker 1 was on its first slot worker 0 ran %d lines, want the round's other slots (%d or more)", got, want)
	}
	if got, want := s.buf.String(), strings.Join(lines, "\n")+"\n"; got != want {
		t.Errorf("the sink's rows are not the lines in input order (%d bytes, want %d)", len(got), len(want))
	}
}

// TestSplitLayout: a round's slots cover its bytes once, largest first,
// none smaller than the least but the last, none larger than a range.
func TestSplitLayout(t *testing.T) {
	for _, c := range []struct {
		n             int
		step          int64
		ranges, least int
	}{{2, 1 << 20, 1, 64}, {3, 1 << 20, 2, 64}, {2, 1024, 1, 64}, {4, 256, 1, 64}, {2, 1, 1, 64}} {
		at, size := splitLayout(c.n, c.step, c.ranges, c.least)
		total := int64(c.n*c.ranges) * c.step
		off := int64(0)
		for j := range at {
			if at[j] != off || size[j] <= 0 || (j > 0 && size[j] > size[j-1]) {
				t.Fatalf("%+v: slot %d at %d of %d bytes after %d (%v)", c, j, at[j], size[j], off, size)
			}
			off += size[j]
		}
		if off != total || len(at) > 4*c.n*c.ranges+80 {
			t.Errorf("%+v: %d slots of %d bytes, want %d bytes", c, len(at), off, total)
		}
	}
}

// keyedSplitFake is a keyed pipeline over a file of splitLines whose
// second worker's views hold on to the first round's first part until the
// workers have routed two rounds' lines (or a long while has passed).
type keyedSplitFake struct {
	run  *keyedSplitRun
	id   int // 0 the runner's engine, then the workers' in order
	last int64
	seen bool
}

type keyedSplitRun struct {
	mu                 sync.Mutex
	engines            int
	routed             atomic.Int64
	routedWhileBlocked int64
	blocked            bool
	rows               int64
	disorder           int
	// grow, if set, is called once, in the first round's views
	grow  func()
	grown bool
}

func (f *keyedSplitFake) ProcessLines(int, *connector.LineBatch) {}
func (f *keyedSplitFake) EndOfInput(int)                         {}
func (f *keyedSplitFake) Partition() Partition {
	return Partition{Sources: []SourcePartition{{Source: 0, Keyed: true}}}
}
func (f *keyedSplitFake) NewPart(int) any { return &[]int64{} }
func (f *keyedSplitFake) ResetPart(_ int, x any) {
	*x.(*[]int64) = (*x.(*[]int64))[:0]
}
func (f *keyedSplitFake) Route(_ int, b *connector.LineBatch, parts []any, wm int64) int64 {
	for _, line := range b.Lines {
		n, err := strconv.ParseInt(string(line[5:11]), 10, 64) // {"n":000123,...
		if err != nil {
			panic(err)
		}
		pt := parts[int(n)%len(parts)].(*[]int64)
		*pt = append(*pt, n)
	}
	f.run.routed.Add(int64(len(b.Lines)))
	return wm
}
func (f *keyedSplitFake) ProcessPart(_ int, x any, start int64) {
	r := f.run
	if f.id == 2 && !r.blocked {
		r.blocked = true
		for deadline := time.Now().Add(20 * time.Second); r.routed.Load() < 60 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond) // a deadlock guard, not a timing
		}
		r.routedWhileBlocked = r.routed.Load()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.grow != nil && !r.grown {
		r.grown = true
		r.grow()
	}
	for _, n := range *x.(*[]int64) {
		if f.seen && n <= f.last {
			r.disorder++ // an owner's rows in input order
		}
		f.last, f.seen = n, true
		r.rows++
	}
}
func (f *keyedSplitFake) EndRound(int, int64)       {}
func (f *keyedSplitFake) Prune(func(h uint64) bool) {}

// TestSharedSplitRoundsRouteAheadOfASlowWorker: on a keyed job over a file
// read in byte ranges (rounds of 2 x 1 KiB, 33 lines), a worker done
// with a round's views reads and routes the next round's slots while the
// other is still on them (shared rounds of byte ranges), instead of
// waiting for it at the round's end; every line reaches its owner once, in
// input order. With fixed ranges (LAMINAR_SHARED_ROUNDS=0) the workers
// route one round (33 lines) before the merge and the test fails.
func TestSharedSplitRoundsRouteAheadOfASlowWorker(t *testing.T) {
	lines := splitLines(2000)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in.jsonl"), strings.Join(lines, "\n")+"\n")
	run := &keyedSplitRun{}
	factory := func(*Context) Pipeline {
		run.mu.Lock()
		defer run.mu.Unlock()
		run.engines++
		return &keyedSplitFake{run: run, id: run.engines - 1}
	}
	spec := Spec{Name: "q", Sources: []SourceSpec{fileSource("in", "in.jsonl")}, Sinks: []SinkSpec{{Name: "o", Connector: "blackhole"}}}
	var stderr bytes.Buffer
	opts := testOptions(dir, &stderr)
	opts.BatchSize = 1
	opts.Workers = 2
	opts.Quiet = true
	sum, err := Run(context.Background(), spec, factory, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Workers == nil || sum.Workers.Workers != 2 {
		t.Fatalf("the job did not run on two workers: %+v", sum.Workers)
	}
	if run.routedWhileBlocked < 60 {
		t.Errorf("while the second worker was on the first round's views the workers routed %d lines, want the next round's too (60 or more)", run.routedWhileBlocked)
	}
	if run.rows != int64(len(lines)) || run.disorder != 0 || sum.Sources[0].RowsIn != int64(len(lines)) {
		t.Errorf("the owners' views saw %d lines (%d out of order), %d read, want the %d in order", run.rows, run.disorder, sum.Sources[0].RowsIn, len(lines))
	}
}

// TestSharedSplitRoundsFileGrows: lines appended to the file while the
// first round (which reaches the file's end) is in its views: the next
// round's slots, read ahead to the end the round knew, are read again
// after the merge finds the file longer, and every line, the appended
// ones too, reaches its owner once, in input order.
func TestSharedSplitRoundsFileGrows(t *testing.T) {
	lines := splitLines(40) // 2.4 KB: the first round (2 x 2 KiB) reads them all
	more := splitLines(100)[40:]
	dir := t.TempDir()
	path := filepath.Join(dir, "in.jsonl")
	writeFile(t, path, strings.Join(lines, "\n")+"\n")
	run := &keyedSplitRun{grow: func() {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteString(strings.Join(more, "\n") + "\n")
			f.Close()
		}
		if err != nil {
			panic(err)
		}
	}}
	run.blocked = true // no worker holds on
	factory := func(*Context) Pipeline {
		run.mu.Lock()
		defer run.mu.Unlock()
		run.engines++
		return &keyedSplitFake{run: run, id: run.engines - 1}
	}
	spec := Spec{Name: "q", Sources: []SourceSpec{fileSource("in", "in.jsonl")}, Sinks: []SinkSpec{{Name: "o", Connector: "blackhole"}}}
	var stderr bytes.Buffer
	opts := testOptions(dir, &stderr)
	opts.BatchSize = 2 // ranges of 2 KiB
	opts.Workers = 2
	opts.Quiet = true
	// a guard: rounds read ahead to the old end would run empty for ever
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sum, err := Run(ctx, spec, factory, opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(len(lines) + len(more)); run.rows != want || run.disorder != 0 || sum.Sources[0].RowsIn != want {
		t.Errorf("the owners' views saw %d lines (%d out of order), %d read, want the %d in order", run.rows, run.disorder, sum.Sources[0].RowsIn, want)
	}
}
