package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// splitSQL is a pipeline of several kinds of views over two sources:
// windowed (tumbling, hopping), updating, a filter, a view over a view, a
// second source; a few of each, so that a split puts them in several packages.
func splitSQL() string {
	var b strings.Builder
	b.WriteString(`CREATE SOURCE trades (
  symbol VARCHAR NOT NULL,
  price  DOUBLE,
  volume BIGINT,
  ts     TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (connector = 'file', path = 'input.jsonl', format = 'json');
CREATE SOURCE quotes (
  symbol VARCHAR NOT NULL,
  price  DOUBLE,
  volume BIGINT,
  ts     TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (connector = 'file', path = 'input.jsonl', format = 'json');
`)
	views := []string{}
	for i := 0; i < 4; i++ {
		views = append(views,
			fmt.Sprintf(`CREATE MATERIALIZED VIEW tw%d AS SELECT symbol, window_start, window_end, SUM(price * volume) / SUM(volume) AS vwap, COUNT(*) AS n
FROM TUMBLE(trades, ts, INTERVAL '%d' SECOND) WHERE volume > %d GROUP BY symbol, window_start, window_end EMIT ON WINDOW CLOSE`, i, 10+i*7, i),
			fmt.Sprintf(`CREATE MATERIALIZED VIEW hw%d AS SELECT symbol, window_start, window_end, MAX(price) AS hi, MIN(price) AS lo
FROM HOP(quotes, ts, INTERVAL '%d' SECOND, INTERVAL '%d' SECOND) GROUP BY symbol, window_start, window_end EMIT ON WINDOW CLOSE`, i, 5+i, 4*(5+i)),
			fmt.Sprintf(`CREATE MATERIALIZED VIEW up%d AS SELECT symbol, COUNT(*) AS n, SUM(volume) AS v FROM trades WHERE price > %d GROUP BY symbol`, i, 10*i),
			fmt.Sprintf(`CREATE VIEW f%d AS SELECT symbol, price * %d AS p2, ts FROM quotes WHERE volume %% %d = 0`, i, i+1, i+2),
			fmt.Sprintf(`CREATE MATERIALIZED VIEW ff%d AS SELECT symbol, window_start, COUNT(*) AS n FROM TUMBLE(f%d, ts, INTERVAL '30' SECOND) GROUP BY symbol, window_start, window_end EMIT ON WINDOW CLOSE`, i, i),
		)
	}
	for _, v := range views {
		b.WriteString(v + ";\n")
		name := strings.Fields(v)[len(strings.Fields(v[:strings.Index(v, " AS ")]))-1]
		if strings.HasPrefix(name, "f") && !strings.HasPrefix(name, "ff") {
			continue
		}
		fmt.Fprintf(&b, "CREATE SINK %s_out FROM %s WITH (connector = 'file', path = '%s.jsonl', format = 'json');\n", name, name, name)
	}
	return b.String()
}

// TestSplitPackagesSameOutput: a pipeline split into packages (forced: one
// and two operators a package) builds, runs, and writes what the unsplit
// build writes, sink by sink, with the same counters and operator table;
// `laminarc compile` writes the packages.
func TestSplitPackagesSameOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds jobs")
	}
	input, err := os.ReadFile("../../generated_examples/vwap/input.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	sql := splitSQL()
	outputs := map[string]map[string]string{}
	for _, mode := range []string{"1000/8", "1/1", "1/2"} {
		t.Setenv("LAMINAR_SPLIT", mode)
		dir, bin := buildPipeline(t, sql, map[string]string{"input.jsonl": string(input)})
		cmd := exec.Command(bin, "--base-dir", dir, "--quiet", "--summary-json", filepath.Join(dir, "summary.json"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: job: %v\n%s", mode, err, out)
		}
		got := map[string]string{}
		files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got[filepath.Base(f)] = string(data)
		}
		var sum struct {
			Operators []struct {
				Name    string
				RowsIn  int64 `json:"rows_in"`
				RowsOut int64 `json:"rows_out"`
			}
		}
		data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &sum); err != nil {
			t.Fatal(err)
		}
		ops, _ := json.Marshal(sum.Operators)
		got["(operators)"] = string(ops)
		outputs[mode] = got
		if len(sum.Operators) < 16 {
			t.Fatalf("%s: %d operators in the summary: %s", mode, len(sum.Operators), data)
		}

		// compile writes the same layout
		out := filepath.Join(dir, "src")
		if code := run([]string{"compile", filepath.Join(dir, "p.sql"), "-o", out}); code != exitOK {
			t.Fatalf("compile exited %d", code)
		}
		pkgs, _ := filepath.Glob(filepath.Join(out, "ops*", "*.go"))
		if split := mode != "1000/8"; split != (len(pkgs) > 0) {
			t.Errorf("%s: compile wrote %d ops packages", mode, len(pkgs))
		}
		// and removes them once the pipeline no longer splits
		t.Setenv("LAMINAR_SPLIT", "1000/8")
		if code := run([]string{"compile", filepath.Join(dir, "p.sql"), "-o", out}); code != exitOK {
			t.Fatalf("compile exited %d", code)
		}
		if pkgs, _ := filepath.Glob(filepath.Join(out, "ops*")); len(pkgs) > 0 {
			t.Errorf("%s: stale packages left: %v", mode, pkgs)
		}
	}
	want := outputs["1000/8"]
	if len(want) < 16 {
		t.Fatalf("only %d outputs: %v", len(want), want)
	}
	for mode, got := range outputs {
		for name, w := range want {
			if got[name] != w {
				t.Errorf("%s: %s differs from the unsplit build:\n%s\nwant:\n%s", mode, name, got[name], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d outputs, want %d", mode, len(got), len(want))
		}
	}
}

// TestSplitPackagesWorkersAndCheckpoints: a split job of 20 windowed views
// over one keyed source, run with two workers (ProcessPart, Prune) and a
// state directory, stopped at the end of half its input and resumed on the
// whole (checkpoint save and load), writes what the unsplit job writes.
func TestSplitPackagesWorkersAndCheckpoints(t *testing.T) {
	if testing.Short() {
		t.Skip("builds jobs")
	}
	// 60K trades of 5 symbols, 10 ms apart: long enough to stop midway
	var in strings.Builder
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 60_000; i++ {
		ts := t0.Add(time.Duration(i) * 10 * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
		fmt.Fprintf(&in, `{"symbol":"S%d","price":%d.5,"volume":%d,"ts":"%s"}`+"\n", i%5, 10+i%17, i%23, ts)
	}
	input := in.String()
	var sql strings.Builder
	sql.WriteString(`CREATE SOURCE trades (symbol VARCHAR NOT NULL, price DOUBLE, volume BIGINT, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (connector = 'file', path = 'input.jsonl', format = 'json');
`)
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&sql, `CREATE MATERIALIZED VIEW v%d AS SELECT symbol, window_start, window_end, SUM(price * volume) / SUM(volume) AS vwap, COUNT(*) AS n
FROM TUMBLE(trades, ts, INTERVAL '%d' SECOND) WHERE volume > %d GROUP BY symbol, window_start, window_end EMIT ON WINDOW CLOSE;
CREATE SINK v%d_out FROM v%d WITH (connector = 'file', path = 'v%d.jsonl', format = 'json');
`, i, 3+i*5, i, i, i, i)
	}
	outputs := map[string]map[string]string{}
	for _, mode := range []string{"1000/8", "16/4"} {
		t.Setenv("LAMINAR_SPLIT", mode)
		dir, bin := buildPipeline(t, sql.String(), map[string]string{"input.jsonl": input})
		state := filepath.Join(dir, "state")
		// stopped (SIGTERM: a last checkpoint) once it has checkpointed, then
		// resumed; batches of 64 rows: the workers' byte ranges are four
		// batches' (64 KiB), some 33 rounds. A first run that ends before
		// the signal reaches it leaves nothing to resume: it is run again
		// from an empty state, a few times at most.
		for attempt := 1; stopAndResume(t, mode, bin, dir, state) == errCompleted; attempt++ {
			if attempt == 5 {
				t.Fatalf("%s: the first run completed before it was stopped, %d times", mode, attempt)
			}
			os.RemoveAll(state)
			outs, _ := filepath.Glob(filepath.Join(dir, "v*.jsonl"))
			for _, f := range outs {
				os.Remove(f)
			}
		}
		got := map[string]string{}
		files, _ := filepath.Glob(filepath.Join(dir, "v*.jsonl"))
		for _, f := range files {
			data, _ := os.ReadFile(f)
			// two workers close a window's groups in either order: compare the rows
			rows := strings.SplitAfter(string(data), "\n")
			sort.Strings(rows)
			got[filepath.Base(f)] = strings.Join(rows, "")
		}
		outputs[mode] = got
		if src := filepath.Join(dir, "src"); mode != "1000/8" {
			if code := run([]string{"compile", filepath.Join(dir, "p.sql"), "-o", src}); code != exitOK {
				t.Fatal("compile failed")
			}
			if pkgs, _ := filepath.Glob(filepath.Join(src, "ops*")); len(pkgs) != 5 {
				t.Errorf("%s: %d ops packages, want 5: %v", mode, len(pkgs), pkgs)
			}
		}
	}
	want, got := outputs["1000/8"], outputs["16/4"]
	if len(want) != 20 {
		t.Fatalf("%d outputs", len(want))
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s differs from the unsplit job (%d vs %d bytes, %d files):\n%s\nwant:\n%s", name, len(got[name]), len(w), len(got), got[name], w)
		}
	}
}

// errCompleted is stopAndResume's report of a first run that completed
// before it was stopped.
var errCompleted = errors.New("completed before it was stopped")

// stopAndResume runs the job bin in dir on state dir state, stops it
// (SIGTERM: a last checkpoint) once it has checkpointed, then runs it again,
// which must resume from that checkpoint and end.
func stopAndResume(t *testing.T, mode, bin, dir, state string) error {
	t.Helper()
	for i := 0; i < 2; i++ {
		cmd := exec.Command(bin, "--base-dir", dir, "--state-dir", state, "--workers", "2", "--checkpoint-interval", "20ms", "--batch-size", "64")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			deadline := time.Now().Add(60 * time.Second)
			for time.Now().Before(deadline) {
				if cps, _ := filepath.Glob(filepath.Join(state, "checkpoints", "*")); len(cps) > 0 {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			cmd.Process.Signal(syscall.SIGTERM)
		}
		err := cmd.Wait()
		if i == 1 && err != nil {
			t.Fatalf("%s: resumed run: %v\n%s", mode, err, out.String())
		}
		if i == 1 && strings.Contains(out.String(), "already completed") {
			return errCompleted
		}
		if i == 1 && !strings.Contains(out.String(), "resum") {
			t.Fatalf("%s: the second run did not resume:\n%s", mode, out.String())
		}
	}
	return nil
}

// TestSplitUpdatingView: a pipeline of one updating view split into
// packages (forced, one operator a package) builds and writes what the
// unsplit build writes: main's fused source loop sets the moved
// accumulator's dirty flag, which the split exports.
func TestSplitUpdatingView(t *testing.T) {
	if testing.Short() {
		t.Skip("builds jobs")
	}
	sql := `CREATE SOURCE trades (sym VARCHAR NOT NULL, price BIGINT NOT NULL)
  WITH (connector = 'file', path = 'in.jsonl', format = 'json');
CREATE VIEW totals AS SELECT sym, count(*) AS n, sum(price) AS total FROM trades GROUP BY sym;
CREATE SINK out FROM totals WITH (connector = 'file', path = 'out.jsonl', format = 'json');
`
	var in strings.Builder
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&in, `{"sym":"S%d","price":%d}`+"\n", i%7, i%13)
	}
	outputs := map[string]string{}
	for _, mode := range []string{"1000/8", "1/1"} {
		t.Setenv("LAMINAR_SPLIT", mode)
		dir, bin := buildPipeline(t, sql, map[string]string{"in.jsonl": in.String()})
		// one worker: its batches of 64 rows each emit their changes, so
		// the output has retractions; workers emit a round's, and a
		// keyed file job's round is 1 MiB of input (all of it here)
		if out, err := exec.Command(bin, "--base-dir", dir, "--quiet", "--batch-size", "64", "--workers", "1").CombinedOutput(); err != nil {
			t.Fatalf("%s: job: %v\n%s", mode, err, out)
		}
		data, err := os.ReadFile(filepath.Join(dir, "out.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		outputs[mode] = string(data)
		src := filepath.Join(dir, "src")
		if code := run([]string{"compile", filepath.Join(dir, "p.sql"), "-o", src}); code != exitOK {
			t.Fatalf("compile exited %d", code)
		}
		pkgs, _ := filepath.Glob(filepath.Join(src, "ops*", "*.go"))
		if split := mode != "1000/8"; split != (len(pkgs) > 0) {
			t.Errorf("%s: compile wrote %d ops packages", mode, len(pkgs))
		}
	}
	if outputs["1/1"] != outputs["1000/8"] || !strings.Contains(outputs["1000/8"], `"_op":"-"`) {
		t.Errorf("split output:\n%s\nwant (retractions included):\n%s", outputs["1/1"], outputs["1000/8"])
	}
}
