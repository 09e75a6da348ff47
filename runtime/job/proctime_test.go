package job

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// clockPipeline stands in for generated code over processing time: each
// batch counts its rows into the 10 s window of the clock (Context.Now), and
// ProcessingTime closes that window when the clock passes its end.
type clockPipeline struct {
	ctx      *Context
	end      int64 // the open window's end, 0 for none
	n        int64
	batchNow []int64
}

const clockWindow = 10_000_000

func (p *clockPipeline) ProcessLines(src int, b *connector.LineBatch) {
	now := p.ctx.Now()
	p.ProcessingTime(now)
	p.batchNow = append(p.batchNow, now)
	if p.end == 0 {
		p.end = now - now%clockWindow + clockWindow
	}
	p.n += int64(b.Len())
}

func (p *clockPipeline) EndOfInput(int) { p.ProcessingTime(1 << 62) }

func (p *clockPipeline) ProcessingTime(now int64) {
	if p.end != 0 && now >= p.end {
		w := p.ctx.Sinks[0]
		w.Buf = fmt.Appendf(w.Buf, "{\"window_end\":%d,\"n\":%d}\n", p.end, p.n)
		w.Rows++
		p.end, p.n = 0, 0
	}
}

// TestProcessingTimeTimer: the clock a job reads is the one injected
// (Options.Clock), and a processing-time window closes when that clock
// passes its end although no input arrives.
func TestProcessingTimeTimer(t *testing.T) {
	dir := t.TempDir()
	pr, pw := io.Pipe()
	spec := Spec{Name: "clock", Sources: []SourceSpec{{Name: "in", Connector: "stdin"}}, Sinks: []SinkSpec{fileSink("out", "out.jsonl")}}
	var clock atomic.Int64
	clock.Store(100_000_000 + 5) // 100 s after the epoch and a little
	opts := testOptions(dir, io.Discard)
	opts.Stdin = pr
	opts.Clock = func() time.Time { return time.UnixMicro(clock.Load()) }
	opts.TimerInterval = time.Millisecond
	p := &clockPipeline{}
	done := make(chan error, 1)
	go func() {
		_, err := Run(context.Background(), spec, func(ctx *Context) Pipeline { p.ctx = ctx; return p }, opts)
		done <- err
	}()
	io.WriteString(pw, "a\nb\n")
	out := filepath.Join(dir, "out.jsonl")
	// the window [100 s, 110 s) stays open while the clock is before its end
	time.Sleep(50 * time.Millisecond)
	if data, _ := os.ReadFile(out); len(data) > 0 {
		t.Fatalf("a window closed before the clock reached its end: %q", data)
	}
	clock.Store(110_000_000)
	want := "{\"window_end\":110000000,\"n\":2}\n"
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, _ := os.ReadFile(out)
		if string(data) == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("with no input, the timer did not close the window: the output holds %q", data)
		}
		time.Sleep(5 * time.Millisecond)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(p.batchNow) == 0 || p.batchNow[0] != 100_000_005 {
		t.Fatalf("batches read the processing times %v, want the injected clock's 100000005", p.batchNow)
	}
	if got := readFile(t, out); strings.Count(got, "\n") != 1 {
		t.Fatalf("output %q: want the one window", got)
	}
}

// TestContextClock: without a clock a Context reads the wall clock.
func TestContextClock(t *testing.T) {
	var c Context
	before := time.Now().UnixMicro()
	now := c.Now()
	if now < before || now > time.Now().UnixMicro() {
		t.Fatalf("Now() = %d, not the wall clock", now)
	}
	c.SetClock(func() time.Time { return time.UnixMicro(42) })
	if c.Now() != 42 {
		t.Fatalf("Now() = %d with a clock at 42 µs", c.Now())
	}
}
