package crash

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// splitsInput is input(rows) with what a byte-range reader must cut as the
// one reader does: a byte-order mark, blank lines, CRLF line ends, records
// longer than the limit (some longer than the bytes read past a range's
// end), and a last line without newline.
func splitsInput(rows int) []byte {
	r := rand.New(rand.NewPCG(9, 9))
	var b bytes.Buffer
	b.Write([]byte{0xEF, 0xBB, 0xBF})
	for i, line := range strings.SplitAfter(string(input(rows)), "\n") {
		switch r.IntN(200) {
		case 0:
			b.WriteString("\n")
		case 1:
			b.WriteString("\r\n")
		case 2:
			fmt.Fprintf(&b, `{"symbol":"LONG%d","pad":%q}`+"\n", i, strings.Repeat("x", 300+r.IntN(12000)))
		}
		if r.IntN(50) == 0 {
			line = strings.TrimSuffix(line, "\n") + "\r\n"
		}
		b.WriteString(line)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// TestWorkersFileSplits: a file read in byte ranges by 2 and 3 workers
// (and by one reader feeding them, LAMINAR_FILE_SPLITS=0) gives one
// engine's output, its late file byte for byte and its dead letters (line
// numbers, offsets, over-long records), at batch sizes from 1 to 1024.
func TestWorkersFileSplits(t *testing.T) {
	skipShort(t)
	j := buildJob(t, source("file")+tumbling+sink, false, splitsInput(20_000))
	run := func(batchSize, workers int, env ...string) map[string]string {
		dir := j.newRunDir(t)
		cmd := j.command(dir, false, batchSize, workers)
		cmd.Args = append(cmd.Args, "--max-record-bytes", "300")
		cmd.Env = append(cmd.Env, env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("batch size %d, %d workers: %v\n%s", batchSize, workers, err, out)
		}
		return readOutputs(t, dir)
	}
	want := run(1024, 1)
	dead := want["p.dead.jsonl"]
	if !strings.Contains(dead, `"record":"{not json"`) || !strings.Contains(dead, "LONG") || want["p.late.jsonl"] == "" {
		t.Fatalf("the one-worker run should write malformed, over-long and late records: %.400s", dead)
	}
	for _, c := range []struct {
		batchSize, workers int
		env                []string
	}{{7, 1, nil}, {1, 2, nil}, {7, 3, nil}, {1024, 2, nil}, {1024, 3, nil}, {37, 2, []string{"LAMINAR_FILE_SPLITS=0"}}} {
		got := run(c.batchSize, c.workers, c.env...)
		if got["p.late.jsonl"] != want["p.late.jsonl"] {
			t.Errorf("batch size %d, %d workers %v: the late rows differ from one worker's:\n%.600s\nwant\n%.600s", c.batchSize, c.workers, c.env, got["p.late.jsonl"], want["p.late.jsonl"])
		}
		// over-long records take their place among the malformed ones, in
		// input order, as with one engine whatever its batch size
		if got["p.dead.jsonl"] != dead {
			t.Errorf("batch size %d, %d workers %v: the dead letters differ from one worker's:\n%s", c.batchSize, c.workers, c.env, firstDiff(got["p.dead.jsonl"], dead))
		}
		sameMultiset(t, got["output.jsonl"], want["output.jsonl"])
	}
}

// TestWorkersFileSplitsStateless: a stateless job on a file read in byte
// ranges by its workers (each running its batches in place, the round's
// ends in the merge), the round's ranges cut into slots that any worker
// takes (split slots) or, with LAMINAR_SHARED_ROUNDS=0, one range per
// worker: its dead letters (line numbers, offsets, over-long records in
// their places) and its output are one engine's byte for byte, at 2 and 3
// workers and batch sizes from 1 (ranges of a few lines, lines across
// ranges and slots) to 1024.
func TestWorkersFileSplitsStateless(t *testing.T) {
	skipShort(t)
	j := buildJob(t, source("file")+stateless+sink, false, splitsInput(20_000))
	run := func(batchSize, workers int, env ...string) map[string]string {
		dir := j.newRunDir(t)
		cmd := j.command(dir, false, batchSize, workers)
		cmd.Args = append(cmd.Args, "--max-record-bytes", "300")
		cmd.Env = append(cmd.Env, env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("batch size %d, %d workers: %v\n%s", batchSize, workers, err, out)
		}
		return readOutputs(t, dir)
	}
	want := run(1024, 1)
	dead := want["p.dead.jsonl"]
	if !strings.Contains(dead, `"record":"{not json"`) || !strings.Contains(dead, "LONG") {
		t.Fatalf("the one-worker run should write malformed and over-long records: %.400s", dead)
	}
	for _, c := range []struct {
		batchSize, workers int
		env                []string
	}{{1, 2, nil}, {7, 3, nil}, {64, 2, nil}, {1024, 2, nil}, {1024, 3, nil}, {7, 2, []string{"LAMINAR_SHARED_ROUNDS=0"}}} {
		got := run(c.batchSize, c.workers, c.env...)
		if got["p.dead.jsonl"] != dead {
			t.Errorf("batch size %d, %d workers %v: the dead letters differ from one worker's:\n%s", c.batchSize, c.workers, c.env, firstDiff(got["p.dead.jsonl"], dead))
		}
		if got["output.jsonl"] != want["output.jsonl"] {
			t.Errorf("batch size %d, %d workers %v: the output differs from one worker's:\n%s", c.batchSize, c.workers, c.env, firstDiff(got["output.jsonl"], want["output.jsonl"]))
		}
	}
}

// TestCrashWorkersFileSplits: SIGKILLed and restarted at 1, 2 or 3 workers,
// a file read in byte ranges resumes at its checkpoint's offset (one offset
// and line count after the round, with the file's input check), so the
// output, dead-letter and late files equal an uninterrupted run's.
func TestCrashWorkersFileSplits(t *testing.T) {
	skipShort(t)
	j := buildJob(t, source("file")+updating+sink, false, splitsInput(40_000))
	j.workers = []int{1, 2, 3}
	j.batchSize = 64
	crashRuns(t, j, sameTable)
}

// TestWorkersFileLineMetadata: a view that reads the source's line numbers
// (METADATA FROM 'line') splits among workers with one reader feeding them
// (a worker reading its own byte range would not know them while it
// decodes): the line and offset columns are one engine's at 2 and 3 workers.
func TestWorkersFileLineMetadata(t *testing.T) {
	skipShort(t)
	sql := `CREATE SOURCE trades (
  symbol VARCHAR NOT NULL, price DOUBLE, volume BIGINT, ts TIMESTAMP NOT NULL,
  ln BIGINT METADATA FROM 'line', off BIGINT METADATA FROM 'offset',
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (connector = 'file', path = 'input.jsonl', format = 'json');
CREATE MATERIALIZED VIEW v AS
SELECT symbol, COUNT(*) AS n, MAX(ln) AS last_line, SUM(ln) AS lines, SUM(off) AS offsets
FROM trades
GROUP BY symbol
EMIT CHANGES;
` + sink
	j := buildJob(t, sql, false, splitsInput(5_000))
	run := func(batchSize, workers int) string {
		dir := j.newRunDir(t)
		if out, err := j.command(dir, false, batchSize, workers).CombinedOutput(); err != nil {
			t.Fatalf("%d workers: %v\n%s", workers, err, out)
		}
		return readOutputs(t, dir)["output.jsonl"]
	}
	want := run(1024, 1)
	if !strings.Contains(want, `"last_line":`) {
		t.Fatalf("no output: %.300s", want)
	}
	for _, workers := range []int{2, 3} {
		sameTable(t, run(7, workers), want)
	}
}

// invalidTextInput is input(rows) with records whose text the policy
// counts: invalid UTF-8 in a symbol, an escaped lone surrogate, both in a
// record that is not JSON (counted and dead-lettered), and a valid escaped
// pair (not counted).
func invalidTextInput(rows int) []byte {
	var b bytes.Buffer
	for i, line := range strings.SplitAfter(string(input(rows)), "\n") {
		switch i % 211 {
		case 17:
			line = strings.Replace(line, `"symbol":"S`, "\"symbol\":\"\xff\xfeS", 1)
		case 59:
			line = strings.Replace(line, `"symbol":"S`, `"symbol":"\ud800S`, 1)
		case 101:
			b.WriteString("{not json \xc3\x28\n")
		case 150:
			line = strings.Replace(line, `"symbol":"S`, `"symbol":"\ud83d\ude00S`, 1)
		}
		b.WriteString(line)
	}
	return b.Bytes()
}

// TestWorkersInvalidTextCountedByTheDecoder: on workers the JSON decoder
// counts the records with invalid text as it decodes them (Route, as one
// engine's lines<Source>), with no pass of the runtime's before it: the
// count in the summary, the dead letters byte for byte and the output are
// one engine's at 2 and 3 workers, for a job whose rows move by key and a
// stateless one, on a file read in byte ranges and dealt by one reader
// (LAMINAR_FILE_SPLITS=0).
func TestWorkersInvalidTextCountedByTheDecoder(t *testing.T) {
	skipShort(t)
	for _, c := range []struct{ name, views string }{{"keyed", tumbling}, {"stateless", stateless}} {
		j := buildJob(t, source("file")+c.views+sink, false, invalidTextInput(20_000))
		run := func(batchSize, workers int, env ...string) (map[string]string, string) {
			dir := j.newRunDir(t)
			cmd := j.command(dir, false, batchSize, workers)
			cmd.Args = append(cmd.Args, "--summary-json", filepath.Join(dir, "summary.json"))
			cmd.Env = append(cmd.Env, env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s, batch size %d, %d workers: %v\n%s", c.name, batchSize, workers, err, out)
			}
			data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			var sum struct {
				Sources []struct {
					InvalidText int64 `json:"invalid_utf8"`
					Malformed   int64 `json:"malformed"`
				} `json:"sources"`
				Workers *struct{ Workers int } `json:"workers"`
			}
			if err := json.Unmarshal(data, &sum); err != nil || len(sum.Sources) != 1 {
				t.Fatalf("summary %s: %v", data, err)
			}
			if workers > 1 && (sum.Workers == nil || sum.Workers.Workers != workers) {
				t.Fatalf("%s: the job did not run on %d workers: %s", c.name, workers, data)
			}
			return readOutputs(t, dir), fmt.Sprintf("invalid %d, malformed %d", sum.Sources[0].InvalidText, sum.Sources[0].Malformed)
		}
		want, counts := run(1024, 1)
		// 20,000 lines, every 211th from 17 (95), 59 (95) and 101 (95, not
		// JSON) counted; the "{not json" lines of input are ASCII
		if want := "invalid 285, malformed "; !strings.HasPrefix(counts, want) {
			t.Fatalf("%s: one engine counts %s, want %s...", c.name, counts, want)
		}
		if !strings.Contains(want["p.dead.jsonl"], `not json \ufffd(`) {
			t.Fatalf("%s: the dead letters lack the record with invalid UTF-8: %.400s", c.name, want["p.dead.jsonl"])
		}
		for _, r := range []struct {
			batchSize, workers int
			env                []string
		}{{1024, 2, nil}, {7, 3, nil}, {64, 2, []string{"LAMINAR_FILE_SPLITS=0"}}} {
			got, gotCounts := run(r.batchSize, r.workers, r.env...)
			if gotCounts != counts {
				t.Errorf("%s, batch size %d, %d workers %v: %s, one engine %s", c.name, r.batchSize, r.workers, r.env, gotCounts, counts)
			}
			if got["p.dead.jsonl"] != want["p.dead.jsonl"] {
				t.Errorf("%s, batch size %d, %d workers %v: the dead letters differ from one engine's:\n%s", c.name, r.batchSize, r.workers, r.env, firstDiff(got["p.dead.jsonl"], want["p.dead.jsonl"]))
			}
			sameMultiset(t, got["output.jsonl"], want["output.jsonl"])
		}
	}
}
