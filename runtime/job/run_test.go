package job

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// copyPipeline stands in for generated code: it writes every line of source
// src to sink src%len(sinks) as {"source":...,"value":...}, reports lines
// starting with "bad" as malformed and lines starting with "late" as late,
// and writes {"end":...} at the end of each source.
type copyPipeline struct {
	t       *testing.T
	ctx     *Context
	spec    Spec
	busy    atomic.Bool
	ended   []int
	rowsAt  map[int]int64 // rows seen per source when it ended
	rows    map[int]int64
	batches chan int // if set, receives the rows of each processed batch
}

func newCopyFactory(t *testing.T, spec Spec, out **copyPipeline) Factory {
	return func(ctx *Context) Pipeline {
		p := &copyPipeline{t: t, ctx: ctx, spec: spec, rowsAt: map[int]int64{}, rows: map[int]int64{}}
		*out = p
		return p
	}
}

func (p *copyPipeline) enter() {
	if !p.busy.CompareAndSwap(false, true) {
		p.t.Error("pipeline called concurrently")
	}
}

func (p *copyPipeline) ProcessLines(src int, b *connector.LineBatch) {
	p.enter()
	defer p.busy.Store(false)
	w := p.ctx.Sinks[src%len(p.ctx.Sinks)]
	for i, line := range b.Lines {
		switch {
		case bytes.HasPrefix(line, []byte("bad")):
			p.ctx.Malformed(src, b, i, fmt.Errorf("cannot decode %q", line))
		case bytes.HasPrefix(line, []byte("late")):
			p.ctx.Late(src, b, i, "v")
		default:
			w.Buf = fmt.Appendf(w.Buf, "{\"source\":%q,\"value\":%q}\n", p.spec.Sources[src].Name, line)
			w.Rows++
		}
	}
	p.rows[src] += int64(b.Len())
	if p.batches != nil {
		p.batches <- b.Len()
	}
}

func (p *copyPipeline) EndOfInput(src int) {
	p.enter()
	defer p.busy.Store(false)
	p.ended = append(p.ended, src)
	p.rowsAt[src] = p.rows[src]
	w := p.ctx.Sinks[src%len(p.ctx.Sinks)]
	w.Buf = fmt.Appendf(w.Buf, "{\"end\":%q}\n", p.spec.Sources[src].Name)
	w.Rows++
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func fileSource(name, path string) SourceSpec {
	return SourceSpec{Name: name, Connector: "file", Format: "json", Options: map[string]string{"path": path}}
}

func fileSink(name, path string) SinkSpec {
	return SinkSpec{Name: name, Connector: "file", Format: "json", Options: map[string]string{"path": path}}
}

// testOptions writes everything into dir and captures stderr.
func testOptions(dir string, stderr io.Writer) Options {
	return Options{
		BaseDir:        dir,
		DeadLetterPath: filepath.Join(dir, "dead.jsonl"),
		LatePath:       filepath.Join(dir, "late.jsonl"),
		Stderr:         stderr,
	}
}

func TestRunOneSource(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "trades.jsonl"), "a\nbad <1>\n\nlate one\r\nb\r\nc")
	spec := Spec{
		Name:    "vwap",
		Sources: []SourceSpec{fileSource("trades", "trades.jsonl")},
		Sinks:   []SinkSpec{fileSink("out", "out/rows.jsonl")},
	}
	var stderr bytes.Buffer
	opts := testOptions(dir, &stderr)
	opts.BatchSize = 2
	opts.SummaryJSON = filepath.Join(dir, "summary.json")
	var p *copyPipeline
	sum, err := Run(context.Background(), spec, newCopyFactory(t, spec, &p), opts)
	if err != nil {
		t.Fatal(err)
	}

	wantRows := `{"source":"trades","value":"a"}
{"source":"trades","value":"b"}
{"source":"trades","value":"c"}
{"end":"trades"}
`
	if got := readFile(t, filepath.Join(dir, "out", "rows.jsonl")); got != wantRows {
		t.Errorf("sink file:\n%s\nwant:\n%s", got, wantRows)
	}
	wantDead := `{"source":"trades","line":2,"offset":2,"error":"cannot decode \"bad <1>\"","record":"bad <1>"}` + "\n"
	if got := readFile(t, opts.DeadLetterPath); got != wantDead {
		t.Errorf("dead-letter file:\n%s\nwant:\n%s", got, wantDead)
	}
	wantLate := `{"source":"trades","line":4,"offset":11,"view":"v","reason":"late","record":"late one"}` + "\n"
	if got := readFile(t, opts.LatePath); got != wantLate {
		t.Errorf("late file:\n%s\nwant:\n%s", got, wantLate)
	}

	want := Summary{
		Sources: []SourceSummary{{Name: "trades", Connector: "file", RowsIn: 5, Bytes: 25, Malformed: 1, Late: 1}},
		Sinks:   []SinkSummary{{Name: "out", Connector: "file", RowsOut: 4}},
	}
	sum.Elapsed = 0
	if fmt.Sprint(sum) != fmt.Sprint(want) || sum.Interrupted {
		t.Errorf("summary %+v, want %+v", sum, want)
	}
	if len(p.ended) != 1 || p.rowsAt[0] != 5 {
		t.Errorf("EndOfInput calls %v after %v rows, want one after 5", p.ended, p.rowsAt)
	}

	log := stderr.String()
	for _, want := range []string{
		"laminar: source trades line 2 (offset 2): cannot decode \"bad <1>\"; written to " + opts.DeadLetterPath + "\n",
		"laminar: source trades line 4 (offset 11): late for view v; written to " + opts.LatePath + "\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("stderr lacks %q:\n%s", want, log)
		}
	}
	summaryLine := regexp.MustCompile(`(?m)^laminar: done in \d+\.\d\ds \(\S+ rows/s\): 5 rows in \(trades 5\), 4 rows out \(out 4\), 1 late, 1 malformed$`)
	if !summaryLine.MatchString(log) {
		t.Errorf("stderr lacks the summary line:\n%s", log)
	}

	var js summaryJSON
	if err := json.Unmarshal([]byte(readFile(t, opts.SummaryJSON)), &js); err != nil {
		t.Fatal(err)
	}
	if js.RowsIn != 5 || js.RowsOut != 4 || js.Malformed != 1 || js.Late != 1 || js.Error != "" ||
		len(js.Sources) != 1 || js.Sources[0] != want.Sources[0] || len(js.Sinks) != 1 || js.Sinks[0] != want.Sinks[0] {
		t.Errorf("summary JSON %+v", js)
	}
}

func TestCleanRunLeavesNoRecordFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in.jsonl"), "x\ny\n")
	spec := Spec{Name: "clean", Sources: []SourceSpec{fileSource("in", "in.jsonl")}, Sinks: []SinkSpec{fileSink("out", "out.jsonl")}}
	var stderr bytes.Buffer
	opts := testOptions(dir, &stderr)
	opts.Quiet = true
	var p *copyPipeline
	if _, err := Run(context.Background(), spec, newCopyFactory(t, spec, &p), opts); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{opts.DeadLetterPath, opts.LatePath} {
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s exists after a clean run (err %v)", path, err)
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("quiet clean run wrote to stderr: %q", stderr.String())
	}
}

func TestRunTwoSources(t *testing.T) {
	dir := t.TempDir()
	const n = 3000
	var a, b strings.Builder
	for i := range n {
		fmt.Fprintf(&a, "a%d\n", i)
		fmt.Fprintf(&b, "b%d\r\n", i)
	}
	writeFile(t, filepath.Join(dir, "a.jsonl"), a.String())
	writeFile(t, filepath.Join(dir, "b.jsonl"), b.String())
	spec := Spec{
		Name:    "two",
		Sources: []SourceSpec{fileSource("a", "a.jsonl"), fileSource("b", filepath.Join(dir, "b.jsonl"))},
		Sinks:   []SinkSpec{fileSink("out_a", "a.out"), fileSink("out_b", "b.out")},
	}
	opts := testOptions(dir, io.Discard)
	opts.BatchSize = 7
	var p *copyPipeline
	sum, err := Run(context.Background(), spec, newCopyFactory(t, spec, &p), opts)
	if err != nil {
		t.Fatal(err)
	}
	for src, name := range []string{"a", "b"} {
		var want strings.Builder
		for i := range n {
			fmt.Fprintf(&want, "{\"source\":%q,\"value\":\"%s%d\"}\n", name, name, i)
		}
		fmt.Fprintf(&want, "{\"end\":%q}\n", name)
		if got := readFile(t, filepath.Join(dir, name+".out")); got != want.String() {
			t.Errorf("sink of %s: %d bytes, want %d", name, len(got), want.Len())
		}
		if p.rowsAt[src] != n {
			t.Errorf("source %s ended after %d rows, want %d", name, p.rowsAt[src], n)
		}
		if sum.Sources[src].RowsIn != n || sum.Sinks[src].RowsOut != n+1 {
			t.Errorf("summary of %s: %+v %+v", name, sum.Sources[src], sum.Sinks[src])
		}
	}
	if len(p.ended) != 2 {
		t.Errorf("EndOfInput calls %v, want one per source", p.ended)
	}
}

func TestRecordLogsCapTheirLogLines(t *testing.T) {
	dir := t.TempDir()
	var in strings.Builder
	for i := range 25 {
		fmt.Fprintf(&in, "bad%d\nlate%d\nok%d\n", i, i, i)
	}
	writeFile(t, filepath.Join(dir, "in.jsonl"), in.String())
	spec := Spec{Name: "capped", Sources: []SourceSpec{fileSource("in", "in.jsonl")}, Sinks: []SinkSpec{{Name: "null", Connector: "blackhole"}}}
	var stderr bytes.Buffer
	var p *copyPipeline
	sum, err := Run(context.Background(), spec, newCopyFactory(t, spec, &p), testOptions(dir, &stderr))
	if err != nil {
		t.Fatal(err)
	}
	log := stderr.String()
	if got := strings.Count(log, "): cannot decode"); got != 10 {
		t.Errorf("%d malformed records logged, want 10", got)
	}
	if got := strings.Count(log, "): late for view v"); got != 10 {
		t.Errorf("%d late records logged, want 10", got)
	}
	for _, want := range []string{
		"laminar: source in: ... and 15 more malformed records, all in " + filepath.Join(dir, "dead.jsonl") + "\n",
		"laminar: source in: ... and 15 more late records, all in " + filepath.Join(dir, "late.jsonl") + "\n",
		"75 rows in (in 75), 26 rows out (null 26), 25 late, 25 malformed\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("stderr lacks %q:\n%s", want, log)
		}
	}
	if got := strings.Count(readFile(t, filepath.Join(dir, "dead.jsonl")), "\n"); got != 25 {
		t.Errorf("dead-letter file has %d records, want 25", got)
	}
	if got := strings.Count(readFile(t, filepath.Join(dir, "late.jsonl")), "\n"); got != 25 {
		t.Errorf("late file has %d records, want 25", got)
	}
	if sum.Malformed() != 25 || sum.Late() != 25 {
		t.Errorf("summary %+v", sum)
	}
}

func TestDeadLetterToStderr(t *testing.T) {
	spec := Spec{Name: "s", Sources: []SourceSpec{{Name: "in", Connector: "stdin"}}, Sinks: []SinkSpec{{Name: "out", Connector: "stdout"}}}
	var stdout, stderr bytes.Buffer
	opts := Options{DeadLetterPath: "-", LatePath: "-", Stdin: strings.NewReader("ok\nbad\nlate\n"), Stdout: &stdout, Stderr: &stderr, Quiet: true}
	var p *copyPipeline
	if _, err := Run(context.Background(), spec, newCopyFactory(t, spec, &p), opts); err != nil {
		t.Fatal(err)
	}
	if want := "{\"source\":\"in\",\"value\":\"ok\"}\n{\"end\":\"in\"}\n"; stdout.String() != want {
		t.Errorf("stdout %q, want %q", stdout.String(), want)
	}
	for _, want := range []string{
		`{"source":"in","line":2,"offset":3,"error":"cannot decode \"bad\"","record":"bad"}` + "\n",
		`{"source":"in","line":3,"offset":7,"view":"v","reason":"late","record":"late"}` + "\n",
		"written to stderr\n",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestRunCancel(t *testing.T) {
	dir := t.TempDir()
	pr, pw := io.Pipe()
	defer pw.Close() // releases the reader, which stays blocked in Read
	spec := Spec{Name: "live", Sources: []SourceSpec{{Name: "in", Connector: "stdin"}}, Sinks: []SinkSpec{fileSink("out", "out.jsonl")}}
	var stderr bytes.Buffer
	opts := testOptions(dir, &stderr)
	opts.Stdin = pr
	var p *copyPipeline
	factory := newCopyFactory(t, spec, &p)
	batches := make(chan int, 100)
	withBatches := func(ctx *Context) Pipeline {
		pl := factory(ctx)
		p.batches = batches
		return pl
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		sum Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := Run(ctx, spec, withBatches, opts)
		done <- result{sum, err}
	}()
	if _, err := pw.Write([]byte("one\ntwo\n")); err != nil {
		t.Fatal(err)
	}
	for seen := 0; seen < 2; {
		select {
		case n := <-batches:
			seen += n
		case <-time.After(10 * time.Second):
			t.Fatal("rows not processed")
		}
	}
	cancel()
	var res result
	select {
	case res = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if res.err != nil {
		t.Fatal(res.err)
	}
	if !res.sum.Interrupted || res.sum.RowsIn() != 2 || res.sum.RowsOut() != 2 {
		t.Errorf("summary %+v", res.sum)
	}
	if len(p.ended) != 0 {
		t.Errorf("EndOfInput called on an interrupted source")
	}
	want := "{\"source\":\"in\",\"value\":\"one\"}\n{\"source\":\"in\",\"value\":\"two\"}\n"
	if got := readFile(t, filepath.Join(dir, "out.jsonl")); got != want {
		t.Errorf("sink file %q, want %q", got, want)
	}
	if !strings.Contains(stderr.String(), "laminar: interrupted after ") {
		t.Errorf("stderr: %q", stderr.String())
	}
}

// An idle job flushes its file sinks: rows of a live input show up in the
// output file while the job waits for more.
func TestIdleJobFlushesSinks(t *testing.T) {
	dir := t.TempDir()
	pr, pw := io.Pipe()
	spec := Spec{Name: "live", Sources: []SourceSpec{{Name: "in", Connector: "stdin"}}, Sinks: []SinkSpec{fileSink("out", "out.jsonl")}}
	opts := testOptions(dir, io.Discard)
	opts.Stdin = pr
	var p *copyPipeline
	done := make(chan error, 1)
	go func() {
		_, err := Run(context.Background(), spec, newCopyFactory(t, spec, &p), opts)
		done <- err
	}()
	if _, err := pw.Write([]byte("first\n")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.jsonl")
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, _ := os.ReadFile(out)
		if string(data) == "{\"source\":\"in\",\"value\":\"first\"}\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("output file holds %q while the job waits for input", data)
		}
		time.Sleep(5 * time.Millisecond)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in.jsonl"), "x\n")
	writeFile(t, filepath.Join(dir, "plain"), "")
	tests := []struct {
		name    string
		source  SourceSpec
		sink    SinkSpec
		wantErr string
	}{
		{"missing input", fileSource("trades", "nope.jsonl"), fileSink("out", "out.jsonl"),
			"source trades: open " + filepath.Join(dir, "nope.jsonl")},
		{"input is a directory", fileSource("trades", "."), fileSink("out", "out.jsonl"),
			"source trades: read " + dir},
		{"unknown source", SourceSpec{Name: "k", Connector: "kafka"}, fileSink("out", "out.jsonl"),
			`source k: unknown source connector "kafka"`},
		{"output under a file", fileSource("trades", "in.jsonl"), fileSink("out", "plain/out.jsonl"),
			"sink out: mkdir " + filepath.Join(dir, "plain")},
		{"unknown sink", fileSource("trades", "in.jsonl"), SinkSpec{Name: "o", Connector: "s3"},
			`sink o: unknown sink connector "s3"`},
	}
	if _, err := os.Stat("/dev/full"); err == nil {
		tests = append(tests, struct {
			name    string
			source  SourceSpec
			sink    SinkSpec
			wantErr string
		}{"output device full", fileSource("trades", "in.jsonl"), fileSink("out", "/dev/full"),
			"sink out: write /dev/full: no space left on device"})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := Spec{Name: "e", Sources: []SourceSpec{tc.source}, Sinks: []SinkSpec{tc.sink}}
			opts := testOptions(dir, io.Discard)
			opts.SummaryJSON = filepath.Join(t.TempDir(), "summary.json")
			var p *copyPipeline
			_, err := Run(context.Background(), spec, newCopyFactory(t, spec, &p), opts)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			var js summaryJSON
			if err := json.Unmarshal([]byte(readFile(t, opts.SummaryJSON)), &js); err != nil || !strings.Contains(js.Error, tc.wantErr) {
				t.Errorf("summary JSON error %q (%v)", js.Error, err)
			}
		})
	}
}

func TestRecordFileErrorStopsJob(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in.jsonl"), "bad\n")
	spec := Spec{Name: "e", Sources: []SourceSpec{fileSource("in", "in.jsonl")}, Sinks: []SinkSpec{{Name: "null", Connector: "blackhole"}}}
	opts := testOptions(dir, io.Discard)
	opts.DeadLetterPath = filepath.Join(dir, "missing-dir", "dead.jsonl")
	var p *copyPipeline
	_, err := Run(context.Background(), spec, newCopyFactory(t, spec, &p), opts)
	if err == nil || !strings.Contains(err.Error(), "dead-letter file: open "+opts.DeadLetterPath) {
		t.Fatalf("err = %v", err)
	}
}

func TestProgressLine(t *testing.T) {
	pr, pw := io.Pipe()
	spec := Spec{Name: "p", Sources: []SourceSpec{{Name: "in", Connector: "stdin"}}, Sinks: []SinkSpec{{Name: "null", Connector: "blackhole"}}}
	var stderr syncBuffer
	opts := Options{Stdin: pr, Stderr: &stderr, Progress: true, ProgressInterval: time.Millisecond}
	go func() {
		for i := range 5 {
			fmt.Fprintf(pw, "row%d\n", i)
			time.Sleep(10 * time.Millisecond)
		}
		pw.Close()
	}()
	var p *copyPipeline
	if _, err := Run(context.Background(), spec, newCopyFactory(t, spec, &p), opts); err != nil {
		t.Fatal(err)
	}
	log := stderr.String()
	if !regexp.MustCompile(`\rrows read \d+ \(\d+(\.\d)?K? rows/s\)`).MatchString(log) {
		t.Errorf("no progress line in %q", log)
	}
	// The progress line is blanked before the summary.
	if !regexp.MustCompile(`\r +\rlaminar: done in`).MatchString(log) {
		t.Errorf("progress line not cleared before the summary: %q", log)
	}
}

// syncBuffer is a bytes.Buffer safe to read while Run writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestSummaryString(t *testing.T) {
	tests := []struct {
		sum  Summary
		want string
	}{
		{Summary{
			Sources: []SourceSummary{{Name: "trades", RowsIn: 10000, Malformed: 2, Late: 3}},
			Sinks:   []SinkSummary{{Name: "vwap_out", RowsOut: 120}},
			Elapsed: 1234 * time.Millisecond,
		}, "done in 1.23s (8.1K rows/s): 10000 rows in (trades 10000), 120 rows out (vwap_out 120), 3 late, 2 malformed"},
		{Summary{
			Sources:     []SourceSummary{{Name: "a", RowsIn: 1, Late: 1}, {Name: "b", RowsIn: 2, Malformed: 1}},
			Sinks:       []SinkSummary{{Name: "x", RowsOut: 1}, {Name: "y", RowsOut: 2}},
			Elapsed:     50 * time.Millisecond,
			Interrupted: true,
		}, "interrupted after 0.05s (60 rows/s): 3 rows in (a 1, b 2), 3 rows out (x 1, y 2), 1 late, 1 malformed"},
		{Summary{}, "done in 0.00s: 0 rows in, 0 rows out, 0 late, 0 malformed"},
		{Summary{
			Sources: []SourceSummary{{Name: "a", RowsIn: 1}},
			Sinks:   []SinkSummary{{Name: "x", RowsOut: 1}},
			Elapsed: time.Second,
		}, "done in 1.00s (1 rows/s): 1 row in (a 1), 1 row out (x 1), 0 late, 0 malformed"},
		{Summary{
			Sources:      []SourceSummary{{Name: "a", RowsIn: 5, Failed: 2}},
			OutputFailed: 1, StateGroups: 20_000_000, StateBytes: 3_400_000_000,
		}, "done in 0.00s: 5 rows in (a 5), 0 rows out, 0 late, 0 malformed, 3 failed, state 20000000 groups (~3.40 GB)"},
	}
	for _, tc := range tests {
		if got := tc.sum.String(); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}

func TestHumanCount(t *testing.T) {
	for n, want := range map[float64]string{
		0: "0", 999: "999", 1234: "1.2K", 9999: "10.0K", 12345: "12K", 350_000: "350K",
		1_234_567: "1.2M", 3_500_000_000: "3.5G",
	} {
		if got := humanCount(n); got != want {
			t.Errorf("humanCount(%v) = %q, want %q", n, got, want)
		}
	}
}
