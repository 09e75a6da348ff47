// Package crash kills real Laminar jobs with SIGKILL at random moments and
// checks that, restarted each time until they finish, they produce exactly
// the output of an uninterrupted run: the test of DESIGN.md's promise that
// "killing a job with SIGKILL at any point and restarting it yields output
// identical to an uninterrupted run".
//
// TestMain builds laminarc once, and each test builds its job with
// `laminarc build`. Every pipeline is run uninterrupted for the reference
// output, then with --state-dir and a short --checkpoint-interval, killed
// after a random (seeded) delay and restarted, over and over; the test-only
// knob LAMINAR_TEST_CHECKPOINT_DELAY stretches every checkpoint so that
// many kills land while a checkpoint is being written or published. When a
// job finishes before enough kills were made, its output is checked and a
// new round starts from an empty state dir, until at least minKills kills.
//
// Set LAMINAR_CRASH_SEED to replay a seed (the test logs the one it used).
package crash

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	minKills = 50
	// maxStarts bounds a round: a job that never gets to finish fails the
	// test instead of looping.
	maxStarts = 400
)

var laminarc string // the binary TestMain built

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "laminar-crash-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	laminarc = filepath.Join(dir, "laminarc")
	build := exec.Command("go", "build", "-o", laminarc, "github.com/laminar-sql/laminar/cmd/laminarc")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building laminarc: %v\n%s", err, out)
		return 1
	}
	os.Setenv("LAMINAR_CACHE", filepath.Join(dir, "cache"))
	return m.Run()
}

// source returns the CREATE SOURCE of the trades every pipeline reads.
func source(connector string) string {
	with := "connector = 'file', path = 'input.jsonl', format = 'json'"
	if connector == "stdin" {
		with = "connector = 'stdin', format = 'json'"
	}
	return `CREATE SOURCE trades (
  symbol VARCHAR NOT NULL, price DOUBLE, volume BIGINT, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (` + with + `);
`
}

const sink = "CREATE SINK out FROM v WITH (connector = 'file', path = 'output.jsonl', format = 'json');\n"

var (
	tumbling = `CREATE MATERIALIZED VIEW v AS
SELECT symbol, window_start, window_end, SUM(price * volume) / SUM(volume) AS vwap, COUNT(*) AS n
FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE)
GROUP BY symbol, window_start, window_end
EMIT ON WINDOW CLOSE;
`
	hopping = `CREATE MATERIALIZED VIEW v AS
SELECT symbol, HOP(ts, INTERVAL '10' SECOND, INTERVAL '30' SECOND) AS window_start,
       HOP_END(ts, INTERVAL '10' SECOND, INTERVAL '30' SECOND) AS window_end,
       MAX(price) AS high, COUNT(*) AS n
FROM trades
GROUP BY HOP(ts, INTERVAL '10' SECOND, INTERVAL '30' SECOND), symbol;
`
	updating = `CREATE MATERIALIZED VIEW v AS
SELECT symbol, COUNT(*) AS n, SUM(volume) AS volume, MAX(price) AS high
FROM trades
GROUP BY symbol
EMIT CHANGES;
`
)

// Two-level pipelines (the dataflow graph): a windowed view rolled up by a
// window over its window_end, whose inner watermark is part of the state; and
// a count of counts, an aggregate over an updating view whose MIN keeps a
// multiset and whose groups are removed when their rows all retract.
var (
	rollup = `CREATE VIEW per10 AS
SELECT symbol, window_start, window_end, COUNT(*) AS n, MAX(price) AS high
FROM TUMBLE(trades, ts, INTERVAL '10' SECOND)
GROUP BY symbol, window_start, window_end EMIT ON WINDOW CLOSE;
CREATE MATERIALIZED VIEW v AS
SELECT symbol, window_start, window_end, SUM(n) AS n, MAX(high) AS high
FROM TUMBLE(per10, window_end, INTERVAL '1' MINUTE)
GROUP BY symbol, window_start, window_end EMIT ON WINDOW CLOSE;
`
	countOfCounts = `CREATE VIEW counts AS
SELECT symbol, COUNT(*) / 100 AS hundreds FROM trades GROUP BY symbol;
CREATE MATERIALIZED VIEW v AS
SELECT hundreds, COUNT(*) AS symbols, MIN(symbol) AS first, MAX(symbol) AS last
FROM counts GROUP BY hundreds;
`
)

// Joins: an interval join (its state dropped by watermarks, checkpointed
// with them), and a regular LEFT JOIN with an updating right input (NULL-
// padded rows retracted and re-emitted as matches come and go).
var (
	intervalJoin = `CREATE VIEW big AS SELECT symbol, price, ts FROM trades WHERE volume > 450;
CREATE MATERIALIZED VIEW v AS
SELECT b.symbol, b.price AS big_price, t.price, t.volume, t.ts
FROM big AS b JOIN trades AS t ON b.symbol = t.symbol AND t.ts BETWEEN b.ts AND b.ts + INTERVAL '2' SECOND;
`
	// bounded by a column of the left row (as Nexmark q9's a.expires), a
	// LEFT join: unmatched rows come out NULL-padded when they are dropped
	columnIntervalJoin = `CREATE VIEW big AS SELECT symbol, price, ts,
  CASE WHEN volume % 3 = 0 THEN ts + INTERVAL '1' SECOND ELSE ts + INTERVAL '3' SECOND END AS ends
FROM trades WHERE volume > 450;
CREATE MATERIALIZED VIEW v AS
SELECT b.symbol, b.price AS big_price, t.price, t.volume, t.ts
FROM big AS b LEFT JOIN trades AS t ON b.symbol = t.symbol AND t.ts BETWEEN b.ts AND b.ends;
`
	outerJoin = `CREATE VIEW rare AS SELECT symbol, price FROM trades WHERE volume > 495;
CREATE VIEW odd AS SELECT symbol, COUNT(*) AS n FROM trades WHERE volume < 5 GROUP BY symbol;
CREATE MATERIALIZED VIEW v AS
SELECT r.symbol, r.price, o.n FROM rare AS r LEFT JOIN odd AS o ON r.symbol = o.symbol;
`
)

// An ASOF join whose matches wait for the right input's watermark (nearest,
// with a tolerance): the waiting left rows and the right rows by key are
// checkpointed with the join's watermarks.
var asofJoin = `CREATE VIEW big AS SELECT symbol, price, ts FROM trades WHERE volume > 450;
CREATE VIEW small AS SELECT symbol, price, ts FROM trades WHERE volume < 50;
CREATE MATERIALIZED VIEW v AS
SELECT b.symbol, b.price, b.ts, s.price AS near_price, s.ts AS near_ts
FROM big AS b ASOF LEFT JOIN small AS s MATCH_CONDITION(NEAREST(b.ts, s.ts)) TOLERANCE INTERVAL '3' SECOND ON b.symbol = s.symbol;
`

// input is the trades every run reads: mostly in order, some out of order
// within the watermark delay, a few late, a few malformed, so that the
// dead-letter and late files are exercised as well.
func input(rows int) []byte {
	r := rand.New(rand.NewPCG(7, 7))
	var b bytes.Buffer
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		ts := base.Add(time.Duration(i) * 50 * time.Millisecond)
		switch {
		case i%997 == 500:
			b.WriteString("{not json\n")
			continue
		case i%1009 == 700:
			ts = ts.Add(-2 * time.Minute) // late
		default:
			ts = ts.Add(-time.Duration(r.IntN(3000)) * time.Millisecond)
		}
		fmt.Fprintf(&b, `{"symbol":"S%02d","price":%d.%02d,"volume":%d,"ts":%q}`+"\n",
			r.IntN(40), 100+r.IntN(50), r.IntN(100), 1+r.IntN(500), ts.Format(time.RFC3339Nano))
	}
	return b.Bytes()
}

// job is a built pipeline.
type job struct {
	bin   string
	input []byte
	stdin bool
	// workers, when set, are the --workers a (re)start picks from at
	// random, so that a checkpoint taken at one count restores at another;
	// otherwise every run has one worker (the reference always has one)
	workers []int
	// batchSize, when set, is every run's --batch-size, the reference's
	// too: for a pipeline whose result depends on where batches are cut
	// (a state_ttl join over an updating input, docs/dialect.md), a
	// restart must cut them where the uninterrupted run did
	batchSize int
	// unordered: the dead letters and late rows are compared as multisets:
	// several sources' reports interleave in an order of their own
	unordered bool
	// files are more input files, by name, written beside input.jsonl
	files map[string][]byte
}

func buildJob(t *testing.T, sql string, stdin bool, in []byte, buildFlags ...string) job {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "p.sql")
	if err := os.WriteFile(p, []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "job")
	if out, err := exec.Command(laminarc, append([]string{"build", p, "-o", bin}, buildFlags...)...).CombinedOutput(); err != nil {
		t.Fatalf("laminarc build: %v\n%s", err, out)
	}
	return job{bin: bin, input: in, stdin: stdin}
}

// newRunDir makes a directory to run the job in, with its input.
func (j job) newRunDir(t *testing.T) string {
	dir := t.TempDir()
	if !j.stdin {
		if err := os.WriteFile(filepath.Join(dir, "input.jsonl"), j.input, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range j.files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// outputs are the files a run leaves.
var outputs = []string{"output.jsonl", "p.dead.jsonl", "p.late.jsonl"}

func readOutputs(t *testing.T, dir string) map[string]string {
	got := map[string]string{}
	for _, name := range outputs {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		// a report naming the run's files (a Parquet dead letter's file)
		// names them alike in every run
		got[name] = strings.ReplaceAll(string(data), dir, "RUN")
	}
	return got
}

func (j job) command(dir string, durable bool, batchSize, workers int) *exec.Cmd {
	args := []string{"--base-dir", dir, "--dead-letter", filepath.Join(dir, "p.dead.jsonl"),
		"--late", filepath.Join(dir, "p.late.jsonl"), "--batch-size", strconv.Itoa(batchSize), "--quiet",
		"--workers", strconv.Itoa(workers)}
	if durable {
		args = append(args, "--state-dir", filepath.Join(dir, "state"), "--checkpoint-interval", "4ms")
	}
	cmd := exec.Command(j.bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LAMINAR_TEST_CHECKPOINT_DELAY=1ms")
	return cmd
}

// reference runs the job once, uninterrupted and without a state dir.
func (j job) reference(t *testing.T) map[string]string {
	dir := j.newRunDir(t)
	cmd := j.command(dir, false, cmp.Or(j.batchSize, 1024), 1)
	if j.stdin {
		cmd.Stdin = bytes.NewReader(j.input)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, out)
	}
	ref := readOutputs(t, dir)
	if ref["output.jsonl"] == "" || ref["p.dead.jsonl"] == "" {
		t.Fatalf("the reference run should write output and dead letters: %v", ref)
	}
	return ref
}

var ackedRE = regexp.MustCompile(`holds the input up to byte (\d+)`)

// start starts a durable run. For stdin it plays a producer that keeps its
// data until the job acknowledges it: it reads from the job's stderr how
// much of the input the job's write-ahead log already holds and sends the
// rest (the job did not acknowledge what the pipe held when it was killed).
func (j job) start(t *testing.T, dir string, batchSize, workers int, stderr *bytes.Buffer) *exec.Cmd {
	cmd := j.command(dir, true, batchSize, workers)
	if !j.stdin {
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer in.Close()
		lines := bufio.NewReader(errPipe)
		for {
			line, err := lines.ReadString('\n')
			stderr.WriteString(line)
			if err != nil {
				return
			}
			if m := ackedRE.FindStringSubmatch(line); m != nil {
				from, _ := strconv.Atoi(m[1])
				go io.Copy(stderr, lines)
				for rest := j.input[from:]; len(rest) > 0; {
					n := min(len(rest), 2048)
					if _, err := in.Write(rest[:n]); err != nil {
						return // killed
					}
					rest = rest[n:]
				}
				return
			}
		}
	}()
	return cmd
}

// crashRuns runs the job killing it at random moments until it finishes,
// in rounds until at least minKills kills, and checks each round's output.
func crashRuns(t *testing.T, j job, same func(t *testing.T, got, want string)) {
	crashRunsUpTo(t, j, same, 40*time.Millisecond)
}

// crashRunsUpTo is crashRuns with kills at most maxDelay after a start: a
// job whose start-up takes longer (opening a badger store) needs room to
// make progress between kills.
func crashRunsUpTo(t *testing.T, j job, same func(t *testing.T, got, want string), maxDelay time.Duration) {
	crashRunsKills(t, j, same, maxDelay, minKills)
}

// crashRunsKills is crashRunsUpTo with at least minKills kills.
func crashRunsKills(t *testing.T, j job, same func(t *testing.T, got, want string), maxDelay time.Duration, minKills int) {
	ref := j.reference(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("LAMINAR_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (LAMINAR_CRASH_SEED replays it)", seed)
	r := rand.New(rand.NewPCG(seed, 1))

	kills, inCheckpoint, rounds := 0, 0, 0
	for kills < minKills {
		rounds++
		dir := j.newRunDir(t)
		starts := 0
		for {
			if starts++; starts > maxStarts {
				t.Fatalf("round %d: the job did not finish in %d starts", rounds, maxStarts)
			}
			var stderr bytes.Buffer
			started := time.Now()
			workers := 1
			if len(j.workers) > 0 {
				workers = j.workers[r.IntN(len(j.workers))]
			}
			cmd := j.start(t, dir, cmp.Or(j.batchSize, 1+r.IntN(300)), workers, &stderr)
			// a machine busy with other work can leave a job no progress in
			// maxDelay: the longest delay doubles every 50 starts of a round
			limit := maxDelay << min(starts/50, 6)
			delay := time.Duration(1+r.Int64N(int64(limit/time.Millisecond))) * time.Millisecond
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			var err error
			select {
			case err = <-exited:
			case <-time.After(delay):
				cmd.Process.Signal(syscall.SIGKILL)
				err = <-exited
			}
			if err == nil {
				break // finished
			}
			var exit *exec.ExitError
			if errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL {
				kills++
				if checkpointInProgress(dir, started) {
					inCheckpoint++
				}
				continue
			}
			t.Fatalf("round %d, start %d: %v\n%s", rounds, starts, err, stderr.String())
		}
		got := readOutputs(t, dir)
		for _, name := range outputs {
			if name == "output.jsonl" {
				same(t, got[name], ref[name])
			} else if j.unordered {
				sameMultiset(t, got[name], ref[name])
			} else if got[name] != ref[name] {
				t.Errorf("round %d: %s differs from the uninterrupted run:\n%s\nwant\n%s", rounds, name, got[name], ref[name])
			}
		}
		if t.Failed() {
			t.Fatalf("round %d failed after %d kills", rounds, kills)
		}
	}
	t.Logf("%d kills (%d while a checkpoint was being written) in %d rounds, every round's output as without kills",
		kills, inCheckpoint, rounds)
}

// checkpointInProgress reports whether a job killed after it started left
// a checkpoint's temporary directory of its own behind: it died writing
// that checkpoint.
func checkpointInProgress(dir string, started time.Time) bool {
	tmp, _ := filepath.Glob(filepath.Join(dir, "state", "checkpoints", "cp-*.tmp-*"))
	for _, path := range tmp {
		if info, err := os.Stat(path); err == nil && info.ModTime().After(started) {
			return true
		}
	}
	return false
}

// sameRows: an append-only result, the same rows in the same order.
func sameRows(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("output differs from the uninterrupted run (%d vs %d bytes):\n%s", len(got), len(want), firstDiff(got, want))
	}
}

// sameMultiset: an append-only result of several workers, the same rows in
// an order of their own (docs/architecture.md, "Workers").
func sameMultiset(t *testing.T, got, want string) {
	t.Helper()
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("output differs from the uninterrupted run as a multiset (%d vs %d bytes):\n%s", len(got), len(want), firstDiff(strings.Join(g, "\n"), strings.Join(w, "\n")))
	}
}

// sameTable: an updating result nets to the same table. The changes
// themselves may differ, since a restart cuts the input into other batches
// and an updating view emits its changes per batch.
func sameTable(t *testing.T, got, want string) {
	t.Helper()
	g, w := netTable(t, got), netTable(t, want)
	if !slices.Equal(g, w) {
		extra, missing := multisetDiff(g, w)
		t.Errorf("net table differs from the uninterrupted run (%d rows, want %d):\nonly in this run: %v\nonly in the uninterrupted run: %v",
			len(g), len(w), firstN(extra, 20), firstN(missing, 20))
	}
}

// multisetDiff lists the rows of sorted a not in sorted b and those of b
// not in a, each as often as it is in excess.
func multisetDiff(a, b []string) (onlyA, onlyB []string) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			onlyA = append(onlyA, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			onlyB = append(onlyB, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return onlyA, onlyB
}

// firstN is rows cut to n, saying how many more there are.
func firstN(rows []string, n int) string {
	if len(rows) <= n {
		return fmt.Sprint(rows)
	}
	return fmt.Sprintf("%v ... and %d more", rows[:n], len(rows)-n)
}

// netTable sums the "_op" weights per row and lists the rows left.
func netTable(t *testing.T, output string) []string {
	weights := map[string]int{}
	for line := range strings.Lines(output) {
		var row map[string]any
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("output line %q: %v", line, err)
		}
		w := 1
		if row["_op"] == "-" {
			w = -1
		}
		delete(row, "_op")
		key, _ := json.Marshal(row) // map keys sorted
		weights[string(key)] += w
	}
	var rows []string
	for row, w := range weights {
		if w < 0 {
			t.Errorf("row %s has weight %d", row, w)
		}
		for range w {
			rows = append(rows, row)
		}
	}
	slices.Sort(rows)
	return rows
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d: %s\nwant     %s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real jobs")
	}
	t.Parallel()
}

func TestCrashTumbling(t *testing.T) {
	skipShort(t)
	crashRuns(t, buildJob(t, source("file")+tumbling+sink, false, input(60_000)), sameRows)
}

func TestCrashHopping(t *testing.T) {
	skipShort(t)
	crashRuns(t, buildJob(t, source("file")+hopping+sink, false, input(60_000)), sameRows)
}

func TestCrashUpdating(t *testing.T) {
	skipShort(t)
	crashRuns(t, buildJob(t, source("file")+updating+sink, false, input(60_000)), sameTable)
}

func TestCrashRollup(t *testing.T) {
	skipShort(t)
	crashRuns(t, buildJob(t, source("file")+rollup+sink, false, input(60_000)), sameRows)
}

func TestCrashCountOfCounts(t *testing.T) {
	skipShort(t)
	crashRuns(t, buildJob(t, source("file")+countOfCounts+sink, false, input(60_000)), sameTable)
}

func TestCrashIntervalJoin(t *testing.T) {
	skipShort(t)
	crashRuns(t, buildJob(t, source("file")+intervalJoin+sink, false, input(60_000)), sameRows)
}

func TestCrashColumnIntervalJoin(t *testing.T) {
	skipShort(t)
	crashRuns(t, buildJob(t, source("file")+columnIntervalJoin+sink, false, input(60_000)), sameRows)
}

func TestCrashOuterJoin(t *testing.T) {
	skipShort(t)
	crashRuns(t, buildJob(t, source("file")+outerJoin+sink, false, input(60_000)), sameTable)
}

func TestCrashAsofJoin(t *testing.T) {
	skipShort(t)
	crashRuns(t, buildJob(t, source("file")+asofJoin+sink, false, input(60_000)), sameRows)
}

// TestCrashUpdatingBadger: the same with the keyed state in badger, whose
// checkpoints are incremental commits rolled back to on recovery.
func TestCrashUpdatingBadger(t *testing.T) {
	skipShort(t)
	crashRunsUpTo(t, buildJob(t, source("file")+updating+sink, false, input(60_000), "--state-backend", "badger"), sameTable, 400*time.Millisecond)
}

// TestCrashStdin: stdin cannot be read again, so the job logs every batch
// to its write-ahead log before processing it and replays the log after a
// restart; the producer resends only what the log does not hold.
func TestCrashStdin(t *testing.T) {
	skipShort(t)
	crashRuns(t, buildJob(t, source("stdin")+tumbling+sink, true, input(60_000)), sameRows)
}

// The same pipelines on 1, 2 and 3 workers, the count picked anew at every
// restart: a checkpoint taken at one count restores at another (state
// re-partitioned by key at load), and the output is the uninterrupted
// one-worker run's, as a multiset (or a table).
func TestCrashWorkersTumbling(t *testing.T) {
	skipShort(t)
	j := buildJob(t, source("file")+tumbling+sink, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRuns(t, j, sameMultiset)
}

func TestCrashWorkersHopping(t *testing.T) {
	skipShort(t)
	j := buildJob(t, source("file")+hopping+sink, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRuns(t, j, sameMultiset)
}

func TestCrashWorkersUpdating(t *testing.T) {
	skipShort(t)
	j := buildJob(t, source("file")+updating+sink, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRuns(t, j, sameTable)
}
