package job

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// decodingPipeline is copyPipeline with the decoding split off as a
// ParallelDecoder does it: the decoder turns each line into its row (or its
// error) in b.Decoded, sleeping a little at random so that the workers finish
// out of order, and ProcessDecoded reports and writes them as ProcessLines.
type decodingPipeline struct {
	copyPipeline
	decoded atomic.Int64 // batches that came through ProcessDecoded
}

type testDecoded struct {
	rows []string
	bad  []int
	errs []error
}

func (p *decodingPipeline) NewDecoder(src int) func(*connector.LineBatch) {
	return func(b *connector.LineBatch) {
		out, _ := b.Decoded.(*testDecoded)
		if out == nil {
			out = new(testDecoded)
			b.Decoded = out
		}
		out.rows, out.bad, out.errs = out.rows[:0], out.bad[:0], out.errs[:0]
		for i, line := range b.Lines {
			if bytes.HasPrefix(line, []byte("bad")) {
				out.bad = append(out.bad, i)
				out.errs = append(out.errs, fmt.Errorf("cannot decode %q", line))
				continue
			}
			out.rows = append(out.rows, fmt.Sprintf("{\"source\":%q,\"value\":%q}\n", p.spec.Sources[src].Name, line))
		}
		if len(b.Lines) > 0 && b.Lines[0][len(b.Lines[0])-1]%3 == 0 {
			time.Sleep(200 * time.Microsecond)
		}
	}
}

func (p *decodingPipeline) ProcessDecoded(src int, b *connector.LineBatch) {
	p.enter()
	defer p.busy.Store(false)
	p.decoded.Add(1)
	out := b.Decoded.(*testDecoded)
	for k, i := range out.bad {
		p.ctx.Malformed(src, b, i, out.errs[k])
	}
	w := p.ctx.Sinks[src%len(p.ctx.Sinks)]
	for _, row := range out.rows {
		w.Buf = append(w.Buf, row...)
		w.Rows++
	}
	p.rows[src] += int64(b.Len())
}

// TestParallelDecodingKeepsOrder runs the same input with decoding on the
// pipeline's goroutine and on four workers: the rows, the dead-letter
// records with their line numbers and offsets, and the counters must be
// the same, byte for byte.
func TestParallelDecodingKeepsOrder(t *testing.T) {
	var in strings.Builder
	for i := range 3000 {
		switch {
		case i%97 == 0:
			fmt.Fprintf(&in, "bad <%d>\n", i)
		case i%89 == 0:
			in.WriteString("\r\n") // blank lines count in line numbers
		default:
			fmt.Fprintf(&in, "row %d %s\r\n", i, strings.Repeat("x", i%50))
		}
	}
	in.WriteString("last without newline")

	run := func(decoders int) (rows, dead string, sum Summary, p *decodingPipeline) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "in.jsonl"), in.String())
		spec := Spec{
			Name:    "par",
			Sources: []SourceSpec{fileSource("in", "in.jsonl")},
			Sinks:   []SinkSpec{fileSink("out", "out.jsonl")},
		}
		opts := testOptions(dir, new(bytes.Buffer))
		opts.BatchSize = 7
		opts.Decoders = decoders
		factory := func(ctx *Context) Pipeline {
			p = &decodingPipeline{copyPipeline: copyPipeline{t: t, ctx: ctx, spec: spec, rowsAt: map[int]int64{}, rows: map[int]int64{}}}
			return p
		}
		sum, err := Run(context.Background(), spec, factory, opts)
		if err != nil {
			t.Fatal(err)
		}
		sum.Elapsed = 0
		return readFile(t, filepath.Join(dir, "out.jsonl")), readFile(t, opts.DeadLetterPath), sum, p
	}

	rows1, dead1, sum1, p1 := run(1)
	rows4, dead4, sum4, p4 := run(4)
	if p1.decoded.Load() != 0 {
		t.Errorf("with one decoder, %d batches came decoded", p1.decoded.Load())
	}
	if p4.decoded.Load() == 0 {
		t.Errorf("with four decoders, no batch came decoded")
	}
	if rows1 != rows4 {
		t.Errorf("rows differ:\n%.500s\nwant\n%.500s", rows4, rows1)
	}
	if dead1 != dead4 || !strings.Contains(dead1, `"line":98,"offset":`) {
		t.Errorf("dead letters differ:\n%.500s\nwant\n%.500s", dead4, dead1)
	}
	if fmt.Sprint(sum1) != fmt.Sprint(sum4) || sum4.RowsIn() != 3000-33+1 {
		t.Errorf("summary %+v, want %+v", sum4, sum1)
	}
}

// cancelingPipeline cancels the job's context from inside the first decoded
// batch it processes.
type cancelingPipeline struct {
	decodingPipeline
	cancel context.CancelFunc
}

func (p *cancelingPipeline) ProcessDecoded(src int, b *connector.LineBatch) {
	p.decodingPipeline.ProcessDecoded(src, b)
	p.cancel()
}

// TestParallelDecodingStopsOnInterrupt: an interrupt while batches are being
// decoded ends the job (no goroutine waits forever on another).
func TestParallelDecodingStopsOnInterrupt(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in.jsonl"), strings.Repeat("a row\n", 50_000))
	spec := Spec{Name: "par", Sources: []SourceSpec{fileSource("in", "in.jsonl")}, Sinks: []SinkSpec{fileSink("out", "out.jsonl")}}
	opts := testOptions(dir, new(bytes.Buffer))
	opts.BatchSize = 10
	opts.Decoders = 3
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	factory := func(jc *Context) Pipeline {
		return &cancelingPipeline{decodingPipeline{copyPipeline: copyPipeline{t: t, ctx: jc, spec: spec, rowsAt: map[int]int64{}, rows: map[int]int64{}}}, cancel}
	}
	done := make(chan struct{})
	var sum Summary
	go func() {
		defer close(done)
		var err error
		if sum, err = Run(ctx, spec, factory, opts); err != nil {
			t.Error(err)
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the job did not stop after the interrupt")
	}
	if !sum.Interrupted || sum.RowsIn() >= 50_000 {
		t.Errorf("summary %+v: want interrupted before the end", sum)
	}
}

// failingSource yields batches of one numbered line and fails on the fifth.
type failingSource struct {
	n      int
	closed bool
}

func (s *failingSource) Next(b *connector.LineBatch, maxLines int) (bool, error) {
	b.Reset()
	s.n++
	if s.n == 5 {
		return false, fmt.Errorf("disk on fire")
	}
	b.Lines = append(b.Lines, []byte(fmt.Sprint(s.n)))
	b.Offsets = append(b.Offsets, int64(s.n))
	b.LineNos = append(b.LineNos, int64(s.n))
	return true, nil
}

func (s *failingSource) Close() error { s.closed = true; return nil }

// TestParallelReaderPassesErrorsInOrder: the batches before a read error
// arrive decoded and in order, then the error, and the source is closed.
func TestParallelReaderPassesErrorsInOrder(t *testing.T) {
	src := &failingSource{}
	const workers = 3
	free := make(chan *connector.LineBatch, workers+2)
	for range workers + 2 {
		free <- new(connector.LineBatch)
	}
	out := make(chan batchMsg)
	newDecoder := func() func(*connector.LineBatch) {
		return func(b *connector.LineBatch) {
			if b.Lines[0][0]%2 == 1 {
				time.Sleep(time.Millisecond) // odd batches finish last
			}
			b.Decoded = string(b.Lines[0])
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		readSourceParallel(context.Background(), 0, src, 10, checkJSON, newDecoder, workers, free, out)
	}()
	for want := 1; ; want++ {
		m := <-out
		if m.err != nil {
			if want != 5 || m.more || !strings.Contains(m.err.Error(), "disk on fire") {
				t.Fatalf("batch %d: error %v, more %v", want, m.err, m.more)
			}
			break
		}
		if !m.decoded || m.batch.Decoded != fmt.Sprint(want) || !m.more {
			t.Fatalf("batch %d: decoded %v, %v, more %v", want, m.decoded, m.batch.Decoded, m.more)
		}
		free <- m.batch
	}
	<-done
	if !src.closed {
		t.Error("the source was not closed")
	}
}
