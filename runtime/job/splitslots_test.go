package job

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
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
			if at[j] != off || size[j] <= 0 || (j > 0 && j < len(at)-1 && size[j] > size[j-1]) {
				t.Fatalf("%+v: slot %d at %d of %d bytes after %d (%v)", c, j, at[j], size[j], off, size)
			}
			off += size[j]
		}
		if off != total || len(at) > 4*c.n*c.ranges+64 {
			t.Errorf("%+v: %d slots of %d bytes, want %d bytes", c, len(at), off, total)
		}
	}
}
