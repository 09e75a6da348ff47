package job

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// twoPassPipeline finds a batch's late rows first and its malformed ones
// after, the opposite of generated code (which decodes, then processes):
// the log must come out in input order either way.
type twoPassPipeline struct{ ctx *Context }

func (p twoPassPipeline) ProcessLines(src int, b *connector.LineBatch) {
	for i, line := range b.Lines {
		if bytes.HasPrefix(line, []byte("late")) {
			p.ctx.Late(src, b, i, "v")
		}
	}
	for i, line := range b.Lines {
		if bytes.HasPrefix(line, []byte("bad")) {
			p.ctx.Malformed(src, b, i, fmt.Errorf("cannot decode %q", line))
		}
	}
}

func (p twoPassPipeline) EndOfInput(int) {}

func TestLogLinesOfABatchInInputOrder(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in.jsonl"), "bad 1\nlate 2\nbad 3\nok\nlate 5\n")
	spec := Spec{Name: "p", Sources: []SourceSpec{fileSource("in", "in.jsonl")}, Sinks: []SinkSpec{fileSink("out", "out.jsonl")}}
	factory := func(ctx *Context) Pipeline { return twoPassPipeline{ctx} }
	for _, format := range []string{LogText, LogJSON} {
		t.Run(format, func(t *testing.T) {
			var stderr bytes.Buffer
			opts := Options{BaseDir: dir, Stderr: &stderr, LogFormat: format, Quiet: true,
				DeadLetterPath: filepath.Join(dir, "dead.jsonl"), LatePath: filepath.Join(dir, "late.jsonl")}
			if _, err := Run(context.Background(), spec, factory, opts); err != nil {
				t.Fatal(err)
			}
			var lines []int64
			for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
				if format == LogJSON {
					var rec struct {
						Level, Msg, Event string
						Line              int64
					}
					if err := json.Unmarshal([]byte(l), &rec); err != nil {
						t.Fatalf("not a JSON log line: %q", l)
					}
					if rec.Level != "WARN" || rec.Event == "" {
						t.Errorf("level %q event %q in %s", rec.Level, rec.Event, l)
					}
					lines = append(lines, rec.Line)
				} else {
					var n int64
					if _, err := fmt.Sscanf(l, "laminar: source in line %d", &n); err != nil {
						t.Fatalf("line %q: %v", l, err)
					}
					lines = append(lines, n)
				}
			}
			if want := []int64{1, 2, 3, 5}; !slices.Equal(lines, want) {
				t.Errorf("logged lines %v, want %v:\n%s", lines, want, stderr.String())
			}
		})
	}
}

// TestLogLevel: --log-level error keeps the warnings (malformed, late) out.
func TestLogLevel(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in.jsonl"), "bad 1\n")
	spec := Spec{Name: "p", Sources: []SourceSpec{fileSource("in", "in.jsonl")}, Sinks: []SinkSpec{fileSink("out", "out.jsonl")}}
	var stderr bytes.Buffer
	opts := Options{BaseDir: dir, Stderr: &stderr, LogLevel: slog.LevelError, DeadLetterPath: filepath.Join(dir, "dead.jsonl")}
	if _, err := Run(context.Background(), spec, func(ctx *Context) Pipeline { return twoPassPipeline{ctx} }, opts); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr.String(), "bad 1") {
		t.Errorf("a warning at level error:\n%s", stderr.String())
	}
}

// TestSettingsPrecedence: a flag beats an environment variable, which
// beats the config file, which beats the default.
func TestSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "job.toml")
	writeFile(t, cfg, "batch-size = 7\nstate_dir = \"/from/config\"\ncheckpoint-interval = \"3s\"\nquiet = true\nlog-format = \"json\"\n")
	t.Setenv("LAMINAR_STATE_DIR", "/from/env")
	t.Setenv("LAMINAR_CHECKPOINT_INTERVAL", "2s")
	var stderr bytes.Buffer
	opts, err := parseFlags(Spec{Name: "p"}, []string{"--config", cfg, "--checkpoint-interval", "1s"}, &stderr, false)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if opts.CheckpointInterval != time.Second || opts.StateDir != "/from/env" || opts.BatchSize != 7 ||
		!opts.Quiet || opts.LogFormat != LogJSON || opts.LatePath != "p.late.jsonl" {
		t.Errorf("got %+v", opts)
	}
	if opts.configSource["state-dir"] != "env LAMINAR_STATE_DIR" || opts.configSource["batch-size"] != "config "+cfg {
		t.Errorf("sources %v", opts.configSource)
	}

	t.Setenv("LAMINAR_CONFIG", cfg)
	writeFile(t, cfg, "batch_sise = 7\n")
	stderr.Reset()
	_, err = parseFlags(Spec{Name: "p"}, nil, &stderr, false)
	if err == nil || !strings.Contains(err.Error(), `unknown setting "batch_sise" (did you mean "batch-size"?)`) {
		t.Errorf("typo in the config file: %v", err)
	}
	t.Setenv("LAMINAR_CONFIG", "")
	t.Setenv("LAMINAR_BATCH_SIZE", "many")
	if _, err := parseFlags(Spec{Name: "p"}, nil, &stderr, false); err == nil || !strings.Contains(err.Error(), "LAMINAR_BATCH_SIZE") {
		t.Errorf("bad environment variable: %v", err)
	}
}

// TestSecretsStayOut: the admin token, from the environment or a file, is
// in no flag default, help text or error.
func TestSecretsStayOut(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	writeFile(t, tok, "s3cret-file\n")
	t.Setenv(httpTokenEnv, "s3cret-env")
	var stderr bytes.Buffer
	opts, err := parseFlags(Spec{Name: "p"}, []string{"--http-token-file", tok}, &stderr, false)
	if err != nil || opts.HTTPToken != "s3cret-file" {
		t.Fatalf("token %q, %v", opts.HTTPToken, err)
	}
	parseFlags(Spec{Name: "p"}, []string{"--help"}, &stderr, false)
	parseFlags(Spec{Name: "p"}, []string{"--http", "0.0.0.0:1"}, &stderr, false)
	if _, err := Run(context.Background(), Spec{Name: "p"}, nil, Options{HTTPAddr: "0.0.0.0:1", Stderr: &stderr, Admin: func(string, string, Monitor, *slog.Logger) (func(), error) { return func() {}, nil }}); err == nil {
		t.Error("an admin server off loopback without a token started")
	}
	if strings.Contains(stderr.String(), "s3cret") {
		t.Errorf("a secret in the output:\n%s", stderr.String())
	}
}

func TestHistogramQuantiles(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	var all []time.Duration
	for range 100_000 {
		d := time.Duration(r.ExpFloat64() * float64(50*time.Microsecond))
		if r.IntN(100) == 0 {
			d *= 1000 // a tail
		}
		h.Observe(d)
		all = append(all, d)
	}
	slices.Sort(all)
	for _, q := range []float64{0, 0.5, 0.9, 0.99, 0.999, 1} {
		exact := all[int(q*float64(len(all)-1))]
		got := h.Quantile(q)
		if got < exact || float64(got-exact) > float64(exact)/histSub+1 {
			t.Errorf("q%v = %v, exact %v: more than 1/%d off", q, got, exact, histSub)
		}
	}
	bounds := []time.Duration{1<<16 - 1, 1<<20 - 1, 1<<30 - 1}
	for i, c := range h.CumulativeAt(bounds) {
		n, _ := slices.BinarySearch(all, bounds[i]+1)
		if c != uint64(n) {
			t.Errorf("values at most %v: %d, want %d", bounds[i], c, n)
		}
	}
	if h.Count() != uint64(len(all)) {
		t.Errorf("count %d", h.Count())
	}
}

// TestLogFileReopensOnHUP: with --log-file, lines go to the file, and after
// the file is moved away a SIGHUP makes the job write a new one.
func TestLogFileReopensOnHUP(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "job.log")
	lf, err := openLogFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	con := &console{w: io.Discard, logTo: lf}
	con.log = newLogger(con, LogText, slog.LevelInfo)
	stop := reopenOnHUP(lf, con.log)
	defer stop()
	con.logf("before")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("SIGHUP did not reopen the log file")
		}
	}
	con.logf("after")
	if got := readFile(t, path+".1"); got != "laminar: before\n" {
		t.Errorf("rotated file %q", got)
	}
	if got := readFile(t, path); got != "laminar: after\n" {
		t.Errorf("new file %q", got)
	}
}

func TestProgressPercent(t *testing.T) {
	r := &runner{extents: []int64{1000, 3000}, positions: []connector.Position{{Offset: 500}, {Offset: 500}}, done: []bool{false, false}}
	got, ok := r.progressPercent(10 * time.Second)
	if !ok || got != "25% done, 30s left" {
		t.Errorf("got %q, %v", got, ok)
	}
	r.extents[1] = 0 // stdin: no end known
	if _, ok := r.progressPercent(time.Second); ok {
		t.Error("a percentage with an unbounded source")
	}
	r.done[1] = true // ...unless it has ended: then the file alone counts
	if got, ok := r.progressPercent(time.Second); !ok || !strings.HasPrefix(got, "50% done") {
		t.Errorf("got %q, %v", got, ok)
	}
}

// TestNexmarkRowsByTable: a Nexmark source reads every event and keeps
// its table's; the summary counts those and says of how many events.
func TestNexmarkRowsByTable(t *testing.T) {
	dir := t.TempDir()
	spec := Spec{Name: "q", Sources: []SourceSpec{{Name: "bid", Connector: "nexmark", Options: map[string]string{"events": "1000"}}},
		Sinks: []SinkSpec{{Name: "o", Connector: "blackhole"}}}
	var stderr bytes.Buffer
	sum, err := Run(context.Background(), spec, func(ctx *Context) Pipeline { return twoPassPipeline{ctx} },
		Options{BaseDir: dir, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	s := sum.Sources[0]
	// the reference's proportions: 46 of every 50 events are bids
	if s.RowsIn != 1000 || s.Kept != 920 || s.Table != "bid" || sum.RowsIn() != 920 {
		t.Errorf("source %+v, rows in %d", s, sum.RowsIn())
	}
	if !strings.Contains(stderr.String(), "920 rows in (bid 920 of 1000 events)") {
		t.Errorf("summary:\n%s", stderr.String())
	}
}

// TestNexmarkSharedGenerator: two Nexmark sources of one job share a
// generator; each still counts the stream's events and keeps its table's.
func TestNexmarkSharedGenerator(t *testing.T) {
	dir := t.TempDir()
	opts := map[string]string{"events": "1000"}
	spec := Spec{Name: "q", Sources: []SourceSpec{{Name: "person", Connector: "nexmark", Options: opts}, {Name: "a", Connector: "nexmark", Options: map[string]string{"events": "1000", "table": "auction"}}},
		Sinks: []SinkSpec{{Name: "o", Connector: "blackhole"}}}
	var stderr bytes.Buffer
	sum, err := Run(context.Background(), spec, func(ctx *Context) Pipeline { return twoPassPipeline{ctx} },
		Options{BaseDir: dir, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	if p, a := sum.Sources[0], sum.Sources[1]; p.RowsIn != 1000 || p.Kept != 20 || a.RowsIn != 1000 || a.Kept != 60 {
		t.Errorf("sources %+v and %+v", p, a)
	}
	if len(opts) != 1 {
		t.Errorf("the spec's options were changed: %v", opts)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:9090": true, "localhost:1": true, "[::1]:80": true, "127.1.2.3:0": true,
		"0.0.0.0:9090": false, ":9090": false, "10.0.0.1:80": false, "[::]:80": false, "example.com:80": false, "nonsense": false,
	} {
		if isLoopback(addr) != want {
			t.Errorf("isLoopback(%q) = %v", addr, !want)
		}
	}
}

// slogPipeline logs through slog.Default, as badger does through kvstate.
type slogPipeline struct{}

func (slogPipeline) ProcessLines(int, *connector.LineBatch) { slog.Warn("from a library") }
func (slogPipeline) EndOfInput(int)                         {}

func TestLibrariesLogThroughTheJobsLogger(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in.jsonl"), "x\n")
	spec := Spec{Name: "p", Sources: []SourceSpec{fileSource("in", "in.jsonl")}, Sinks: []SinkSpec{fileSink("out", "out.jsonl")}}
	var stderr bytes.Buffer
	opts := Options{BaseDir: dir, Stderr: &stderr, Quiet: true, LogFormat: LogJSON, defaultLog: true}
	if _, err := Run(context.Background(), spec, func(*Context) Pipeline { return slogPipeline{} }, opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), `"level":"WARN","msg":"from a library"`) {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

// TestDeadLettersInInputOrder: a batch's over-long records, which its
// source skips, reach the dead letters in input order among its malformed
// lines, not all before them.
func TestDeadLettersInInputOrder(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("x", 100)
	writeFile(t, filepath.Join(dir, "in.jsonl"), "bad 1\n"+long+"\nbad 3\nok\n"+long+"\nbad 6\n")
	spec := Spec{Name: "p", Sources: []SourceSpec{fileSource("in", "in.jsonl")}, Sinks: []SinkSpec{fileSink("out", "out.jsonl")}}
	factory := func(ctx *Context) Pipeline { return twoPassPipeline{ctx} }
	dead := filepath.Join(dir, "dead.jsonl")
	opts := Options{BaseDir: dir, Stderr: io.Discard, Quiet: true, MaxRecordBytes: 50, DeadLetterPath: dead}
	sum, err := Run(context.Background(), spec, factory, opts)
	if err != nil {
		t.Fatal(err)
	}
	var lines []int64
	for _, l := range strings.Split(strings.TrimSpace(readFile(t, dead)), "\n") {
		var rec struct{ Line int64 }
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("dead letter %q: %v", l, err)
		}
		lines = append(lines, rec.Line)
	}
	if want := []int64{1, 2, 3, 5, 6}; !slices.Equal(lines, want) {
		t.Errorf("dead letters of lines %v, want %v", lines, want)
	}
	if s := sum.Sources[0]; s.RowsIn != 6 || s.Malformed != 5 {
		t.Errorf("source %+v: want 6 rows in, 5 malformed", s)
	}
}

// TestWindowCloseDelays: every closed window counts one delay, however many
// close in a run (runs of maxClosedRun share a clock read), and a delay is
// from the close of its run's first window to the rows' writing.
func TestWindowCloseDelays(t *testing.T) {
	c := &Context{trackDelays: true, emitDelays: new(Histogram)}
	for range 3*maxClosedRun + 5 {
		c.WindowClosed()
	}
	if len(c.closed) != 4 {
		t.Errorf("%d runs of closes, want 4", len(c.closed))
	}
	c.rowsWritten()
	if n := c.emitDelays.Count(); n != 3*maxClosedRun+5 {
		t.Errorf("%d delays counted, want %d", n, 3*maxClosedRun+5)
	}
	// replayed closes (a worker's recorder) keep the first time of a run
	at := time.Now().Add(-time.Hour)
	c.closedAt(at)
	c.closedAt(time.Now())
	c.rowsWritten()
	if n := c.emitDelays.Count(); n != 3*maxClosedRun+7 {
		t.Errorf("%d delays counted, want %d", n, 3*maxClosedRun+7)
	}
	if q := c.emitDelays.Quantile(1); q < time.Hour {
		t.Errorf("the longest delay %v, want at least the hour since the run's first close", q)
	}
}
