package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.com/tradeapp/pipeline"
	"github.com/laminar-sql/laminar/runtime/laminar"
)

var base = time.Date(2024, 1, 2, 9, 30, 0, 0, time.UTC).UnixMicro()

func trade(sym string, price float64, vol, sec int64) pipeline.TradesRow {
	return pipeline.TradesRow{Symbol: sym, Price: price, Volume: vol, Ts: base + sec*1_000_000}
}

var trades = []pipeline.TradesRow{
	trade("AAPL", 10, 100, 1), trade("MSFT", 20, 50, 3), trade("AAPL", 12, 300, 8),
	trade("AAPL", 11, 200, 12), trade("MSFT", 21, 10, 25), trade("AAPL", 9, 1, 0), // the last is late
}

// collect records every row both views emit.
func collect(p *pipeline.Pipeline) *[]string {
	var out []string
	p.Vwap.OnRow(func(r pipeline.VwapRow, op laminar.Op) {
		out = append(out, fmt.Sprintf("vwap %s %s %d %.4f %d", op, r.Symbol, (r.WindowStart-base)/1e6, r.Vwap.V, r.Trades))
	})
	p.VolumeBySymbol.OnRow(func(r pipeline.VolumeBySymbolRow, op laminar.Op) {
		out = append(out, fmt.Sprintf("volume %s %s %d %.1f", op, r.Symbol, r.Volume, r.High))
	})
	return &out
}

var want = []string{
	"volume + AAPL 100 10.0",
	"volume + MSFT 50 20.0",
	"volume - AAPL 100 10.0",
	"volume + AAPL 400 12.0",
	"vwap + AAPL 0 11.5000 2", // closed by the row at 12 s: watermark 10 s
	"vwap + MSFT 0 20.0000 1",
	"volume - AAPL 400 12.0",
	"volume + AAPL 600 12.0",
	"vwap + AAPL 10 11.0000 1", // closed by the row at 25 s
	"volume - MSFT 50 20.0",
	"volume + MSFT 60 21.0",
	"volume - AAPL 600 12.0", // the late row still counts in the running total
	"volume + AAPL 601 12.0",
	"vwap + MSFT 20 21.0000 1", // End closes the last window
}

func TestPushAndReceive(t *testing.T) {
	p, err := pipeline.Open(context.Background(), pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(p)
	for _, r := range trades {
		if err := p.Trades.Push(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Trades.End(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(*got) != fmt.Sprint(want) {
		t.Errorf("got\n%q\nwant\n%q", *got, want)
	}
	if s := p.Stats(); s.Late != 1 {
		t.Errorf("late = %d, want 1", s.Late)
	}
	if err := p.Trades.Push(trades[0]); !errors.Is(err, laminar.ErrEnded) {
		t.Errorf("push after End: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Trades.Push(trades[0]); !errors.Is(err, laminar.ErrClosed) {
		t.Errorf("push after Close: %v", err)
	}
}

func TestRowsIterator(t *testing.T) {
	p, err := pipeline.Open(context.Background(), pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows := make(chan pipeline.VwapRow, 10)
	ready := make(chan struct{})
	go func() {
		defer close(rows)
		seq := p.Vwap.Rows(ctx)
		close(ready)
		for r := range seq {
			rows <- r
			if r.Symbol == "MSFT" && r.WindowStart == base+20e6 {
				return
			}
		}
	}()
	<-ready
	time.Sleep(50 * time.Millisecond) // let the iterator subscribe before pushing
	if err := p.Trades.PushBatch(trades); err != nil {
		t.Fatal(err)
	}
	if err := p.Trades.End(); err != nil {
		t.Fatal(err)
	}
	var n int
	for range rows {
		n++
	}
	if n != 4 {
		t.Errorf("iterator saw %d vwap rows, want 4", n)
	}
}

// TestCrashAndResume: a durable pipeline abandoned without Close (a crash:
// a child process that exits without closing) resumes from its checkpoint
// and write-ahead log: the rows after the crash come out as if nothing had
// happened, and every row pushed before the crash is accounted for. While
// a pipeline holds the state dir, a second one cannot open it.
func TestCrashAndResume(t *testing.T) {
	if dir := os.Getenv("TRADEAPP_CRASH_CHILD"); dir != "" {
		crashChild(dir, os.Getenv("TRADEAPP_CRASH_BASE"))
		return
	}
	dir := t.TempDir()
	opts := pipeline.Options{StateDir: dir, CheckpointInterval: time.Hour, BaseDir: t.TempDir()}
	p, err := pipeline.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	before := collect(p)
	for _, r := range trades[:2] {
		if err := p.Trades.Push(r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pipeline.Open(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "LDB-5001") {
		t.Fatalf("a second pipeline on the state dir: %v, want LDB-5001", err)
	}
	if err := p.Close(); err != nil { // a checkpoint after two rows
		t.Fatal(err)
	}
	child := exec.Command(os.Args[0], "-test.run", "^TestCrashAndResume$")
	child.Env = append(os.Environ(), "TRADEAPP_CRASH_CHILD="+dir, "TRADEAPP_CRASH_BASE="+opts.BaseDir)
	if out, err := child.CombinedOutput(); err != nil {
		t.Fatalf("the crashing child: %v\n%s", err, out)
	}
	q, err := pipeline.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	after := collect(q)
	if err := q.Start(); err != nil { // replays the two logged rows
		t.Fatal(err)
	}
	for _, r := range trades[4:] {
		if err := q.Trades.Push(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Trades.End(); err != nil {
		t.Fatal(err)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	got := append(append([]string{}, *before...), *after...)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}

	// The SQL's file sink is exactly-once: the epoch the crash left
	// uncommitted was discarded and produced again, so the file equals an
	// uninterrupted run's.
	ref := pipeline.Options{BaseDir: t.TempDir()}
	r, err := pipeline.Open(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Trades.PushBatch(trades); err != nil {
		t.Fatal(err)
	}
	if err := r.Trades.End(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	wantFile, _ := os.ReadFile(filepath.Join(ref.BaseDir, "vwap.jsonl"))
	gotFile, _ := os.ReadFile(filepath.Join(opts.BaseDir, "vwap.jsonl"))
	if len(wantFile) == 0 || string(gotFile) != string(wantFile) {
		t.Errorf("vwap.jsonl after the crash:\n%s\nwant\n%s", gotFile, wantFile)
	}
}

// crashChild pushes two rows into the durable pipeline of TestCrashAndResume,
// flushes the sink (its rows reach the disk, yet no checkpoint covers them)
// and exits without Close, as a crash would.
func crashChild(dir, baseDir string) {
	p, err := pipeline.Open(context.Background(), pipeline.Options{StateDir: dir, CheckpointInterval: time.Hour, BaseDir: baseDir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, r := range trades[2:4] { // logged, never checkpointed
		if err := p.Trades.Push(r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := p.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}
