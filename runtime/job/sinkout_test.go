package job

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// splitPipeline stands in for a generated stateless pipeline on workers
// (no key: each worker runs its batches in place): every line goes to sink
// 0 as it is, and progress receives each line processed.
type splitPipeline struct {
	ctx      *Context
	progress func(line string)
}

func (p *splitPipeline) ProcessLines(src int, b *connector.LineBatch) {
	w := p.ctx.Sinks[0]
	for _, line := range b.Lines {
		w.Buf = append(append(w.Buf, line...), '\n')
		w.Rows++
		if p.progress != nil {
			p.progress(string(line))
		}
	}
}

func (p *splitPipeline) EndOfInput(src int) {}

func (p *splitPipeline) Partition() Partition {
	return Partition{Sources: []SourcePartition{{Source: 0}}}
}
func (p *splitPipeline) NewPart(src int) any          { return nil }
func (p *splitPipeline) ResetPart(src int, part any)  {}
func (p *splitPipeline) ProcessPart(int, any, int64)  {}
func (p *splitPipeline) EndRound(src int, wm int64)   {}
func (p *splitPipeline) Prune(owns func(uint64) bool) {}
func (p *splitPipeline) Route(int, *connector.LineBatch, []any, int64) int64 {
	panic("not keyed")
}

// gateSink is a sink connector for tests: Write calls hook first, then
// keeps the bytes.
type gateSink struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	hook  func(p []byte) error
	wrote int
}

func (s *gateSink) Write(p []byte) error {
	if s.hook != nil {
		if err := s.hook(p); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	s.wrote++
	return nil
}
func (s *gateSink) Flush() error { return nil }
func (s *gateSink) Close() error { return nil }

var (
	gateMu    sync.Mutex
	gateSinks = map[string]*gateSink{}
)

func init() {
	connector.Register("testgate", connector.Opener{
		Sink: func(env connector.Env, options map[string]string, exactlyOnce bool, tempDir string) (connector.Sink, error) {
			gateMu.Lock()
			defer gateMu.Unlock()
			return gateSinks[options["name"]], nil
		},
	})
}

// runSplitJob runs splitPipeline on workers over a file of lines, into
// gate sink s.
func runSplitJob(t *testing.T, lines []string, workers int, s *gateSink, progress func(string)) error {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in.jsonl"), strings.Join(lines, "\n")+"\n")
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
	opts.BatchSize = 1 // rounds of 1 KiB per worker
	opts.Workers = workers
	opts.Quiet = true
	factory := func(ctx *Context) Pipeline { return &splitPipeline{ctx: ctx, progress: progress} }
	_, err := Run(context.Background(), spec, factory, opts)
	return err
}

func splitLines(n int) []string {
	var lines []string
	for i := range n {
		lines = append(lines, fmt.Sprintf(`{"n":%06d,"pad":"%s"}`, i, strings.Repeat("x", 40)))
	}
	return lines
}

// TestWorkersWriteSinksBehind: the workers go on with the next round while
// the sink writes a round's rows (on a writer of its own): the first Write
// waits until a worker has processed a line that it does not hold, one of a
// later round, which, were the rows written at the round's merge while the
// workers wait, would never come. The sink then holds every row once.
func TestWorkersWriteSinksBehind(t *testing.T) {
	lines := splitLines(2000) // 104 KB: dozens of rounds of 2 x 1 KiB
	var (
		mu    sync.Mutex
		seen  = map[string]bool{}
		first map[string]bool // the rows of the first write
		once  sync.Once
		later = make(chan struct{})
	)
	check := func(line string) { // under mu
		if first != nil && !first[line] {
			once.Do(func() { close(later) })
		}
	}
	s := &gateSink{}
	s.hook = func(p []byte) error {
		mu.Lock()
		if first != nil {
			mu.Unlock()
			return nil
		}
		first = map[string]bool{}
		for _, l := range strings.Split(strings.TrimSuffix(string(p), "\n"), "\n") {
			first[l] = true
		}
		for l := range seen {
			check(l)
		}
		mu.Unlock()
		select {
		case <-later:
			return nil
		case <-time.After(time.Minute): // a deadlock guard, not a timing
			return errors.New("the workers waited for the sink's write of a round")
		}
	}
	err := runSplitJob(t, lines, 2, s, func(line string) {
		mu.Lock()
		defer mu.Unlock()
		seen[line] = true
		check(line)
	})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(s.buf.String(), "\n"), "\n")
	slices.Sort(got)
	if !slices.Equal(got, lines) {
		t.Errorf("the sink holds %d rows, want the %d lines once each", len(got), len(lines))
	}
}

// TestWorkersSinkWriteFails: a write that fails on the writer fails the
// job with the sink's error.
func TestWorkersSinkWriteFails(t *testing.T) {
	s := &gateSink{}
	n := 0
	s.hook = func(p []byte) error {
		n++
		if n == 3 {
			return errors.New("disk full")
		}
		return nil
	}
	err := runSplitJob(t, splitLines(2000), 2, s, nil)
	if err == nil || !strings.Contains(err.Error(), "sink out: disk full") {
		t.Fatalf("got %v, want the sink's error", err)
	}
}

// TestWorkersSinkRowsInWorkerOrder: a sink that is not a byte stream gets
// one Write per round, the workers' rows joined in worker order, which is
// input order for rows of one file read in ranges.
func TestWorkersSinkRowsInWorkerOrder(t *testing.T) {
	lines := splitLines(2000)
	s := &gateSink{}
	if err := runSplitJob(t, lines, 2, s, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := s.buf.String(), strings.Join(lines, "\n")+"\n"; got != want {
		t.Errorf("the sink's rows are not in input order (%d bytes, want %d)", len(got), len(want))
	}
	if s.wrote > len(lines)/20 {
		t.Errorf("%d writes for %d lines: want one per round", s.wrote, len(lines))
	}
}
