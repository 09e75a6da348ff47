package crash

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgURL is the PostgreSQL server of the tests (.ci/run starts one and sets
// LAMINAR_TEST_PG). Without one the tests skip, unless CI is set.
func pgURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("LAMINAR_TEST_PG")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("LAMINAR_TEST_PG is not set under CI: .ci/run starts a PostgreSQL server and sets it")
		}
		t.Skip("SKIPPED: no PostgreSQL server: set LAMINAR_TEST_PG=postgres://... (see .ci/run)")
	}
	return url
}

func pgExec(t *testing.T, url, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// pgTable is the table's rows as JSON objects (row_to_json), normalized.
func pgTable(t *testing.T, url, table string) []string {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), "SELECT row_to_json(t)::text FROM "+table+" t")
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return normalized(t, got)
}

// netRows is an updating file output's net table as JSON rows, normalized.
func netRows(t *testing.T, output string) []string {
	var rows []string
	for _, r := range netTable(t, output) {
		rows = append(rows, r)
	}
	// netTable's rows are re-marshalled maps; normalize like the table's
	for i, r := range rows {
		var m map[string]any
		json.Unmarshal([]byte(r), &m)
		b, _ := json.Marshal(m)
		rows[i] = string(b)
	}
	return normalized(t, rows)
}

// TestCrashPostgres kills a job writing an append-only and an updating view
// to PostgreSQL at random moments until it finishes: the tables end up as
// the file run's output (every window row once; the updating view's net
// table), by the rows and epoch marker of each checkpoint going in in one
// transaction.
func TestCrashPostgres(t *testing.T) {
	skipShortSerial(t)
	url := pgURL(t)
	kills := 6
	if v := os.Getenv("LAMINAR_PG_KILLS"); v != "" {
		kills, _ = strconv.Atoi(v)
	}
	in := input(20_000)
	views := tumbling + strings.ReplaceAll(strings.ReplaceAll(updating, "VIEW v", "VIEW u"), "EMIT CHANGES", "EMIT CHANGES")
	fileJob := buildJob(t, source("file")+views+sink+
		"CREATE SINK uout FROM u WITH (connector = 'file', path = 'u.jsonl', format = 'json');\n", false, in)
	dir := fileJob.newRunDir(t)
	if out, err := fileJob.command(dir, false, 1024, 1).CombinedOutput(); err != nil {
		t.Fatalf("file run: %v\n%s", err, out)
	}
	ref := readOutputs(t, dir)
	wantWindows := normalized(t, sortedLines(ref["output.jsonl"]))
	u, err := os.ReadFile(dir + "/u.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	wantCounts := netRows(t, string(u))

	pgJob := buildJob(t, source("file")+views+
		"CREATE SINK out FROM v WITH (connector = 'postgres', url_env = 'LAMINAR_TEST_PG', table = 'crash_windows');\n"+
		"CREATE SINK uout FROM u WITH (connector = 'postgres', url_env = 'LAMINAR_TEST_PG', table = 'crash_counts');\n", false, in)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("LAMINAR_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (LAMINAR_CRASH_SEED replays it)", seed)
	r := rand.New(rand.NewPCG(seed, 3))
	killed, rounds := 0, 0
	for killed < kills {
		rounds++
		pgExec(t, url, `DROP TABLE IF EXISTS crash_windows, crash_counts;
			CREATE TABLE crash_windows (symbol text, window_start text, window_end text, vwap double precision, n bigint);
			CREATE TABLE crash_counts (symbol text PRIMARY KEY, n bigint, volume bigint, high double precision)`)
		dir := pgJob.newRunDir(t)
		for starts := 1; ; starts++ {
			if starts > maxStarts {
				t.Fatalf("round %d: the job did not finish in %d starts", rounds, maxStarts)
			}
			var stderr bytes.Buffer
			cmd := pgJob.command(dir, true, 1+r.IntN(300), 1)
			cmd.Args = append(cmd.Args, "--checkpoint-interval", "20ms")
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			var err error
			select {
			case err = <-exited:
			case <-time.After(time.Duration(5+r.IntN(150)) * time.Millisecond):
				cmd.Process.Signal(syscall.SIGKILL)
				err = <-exited
			}
			if err == nil {
				break
			}
			var exit *exec.ExitError
			if errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL {
				killed++
				continue
			}
			t.Fatalf("round %d, start %d: %v\n%s", rounds, starts, err, stderr.String())
		}
		if got := pgTable(t, url, "crash_windows"); !slices.Equal(got, wantWindows) {
			t.Fatalf("round %d (%d kills so far): %d window rows, want %d: %s", rounds, killed, len(got), len(wantWindows),
				firstDiff(strings.Join(got, "\n"), strings.Join(wantWindows, "\n")))
		}
		if got := pgTable(t, url, "crash_counts"); !slices.Equal(got, wantCounts) {
			t.Fatalf("round %d (%d kills so far): counts table differs: %s", rounds, killed,
				firstDiff(strings.Join(got, "\n"), strings.Join(wantCounts, "\n")))
		}
	}
	t.Logf("%d kills in %d rounds; both tables as the file run's output every round", killed, rounds)
}

// insertTrades inserts the valid JSON lines of in into table cdc_trades,
// in transactions of 500 rows.
func insertTrades(t *testing.T, url string, in []byte) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var rows []string
	flush := func() {
		if len(rows) == 0 {
			return
		}
		if _, err := conn.Exec(context.Background(), `INSERT INTO cdc_trades SELECT * FROM json_populate_recordset(NULL::cdc_trades, $1::json)`,
			"["+strings.Join(rows, ",")+"]"); err != nil {
			t.Fatal(err)
		}
		rows = rows[:0]
	}
	for _, line := range validLines(in) {
		rows = append(rows, line)
		if len(rows) == 500 {
			flush()
		}
	}
	flush()
}

func validLines(in []byte) []string {
	var out []string
	for line := range strings.Lines(string(in)) {
		if json.Valid([]byte(line)) {
			out = append(out, strings.TrimSuffix(line, "\n"))
		}
	}
	return out
}

// sourceEnded reports whether the newest checkpoint in dir's state dir
// says the source had ended (a job killed after its final checkpoint).
func sourceEnded(t *testing.T, dir string) bool {
	all, _ := filepath.Glob(dir + "/state/checkpoints/cp-*[0-9]")
	var cps []string
	for _, c := range all {
		if !strings.Contains(filepath.Base(c), ".tmp") {
			cps = append(cps, c)
		}
	}
	if len(cps) == 0 {
		return false
	}
	slices.Sort(cps)
	m, err := os.ReadFile(filepath.Join(cps[len(cps)-1], "MANIFEST"))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(m, []byte(`"done": true`))
}

// TestCrashPostgresCDC: PostgreSQL CDC (snapshot, then inserts committed
// while the job runs) -> tumbling aggregate -> PostgreSQL, killed at random
// moments: the result table is the batch answer over all the rows every
// round. The first start of a round is killed (or ends) before the second
// half of the rows is inserted, so they come through the replication slot
// unless no checkpoint was taken yet.
func TestCrashPostgresCDC(t *testing.T) {
	skipShortSerial(t)
	url := pgURL(t)
	kills := 6
	if v := os.Getenv("LAMINAR_PG_KILLS"); v != "" {
		kills, _ = strconv.Atoi(v)
	}
	in := input(10_000)
	half := bytes.Index(in[len(in)/2:], []byte("\n")) + len(in)/2 + 1
	refOf := func(in []byte) []string {
		j := buildJob(t, fileSourceNoLate()+tumbling+sink, false, []byte(strings.Join(validLines(in), "\n")+"\n"))
		dir := j.newRunDir(t)
		if out, err := j.command(dir, false, 1024, 1).CombinedOutput(); err != nil {
			t.Fatalf("reference run: %v\n%s", err, out)
		}
		return normalized(t, sortedLines(readOutputs(t, dir)["output.jsonl"]))
	}
	wantAll, wantHalf := refOf(in), refOf(in[:half])
	src := strings.Replace(fileSourceNoLate(), "connector = 'file', path = 'input.jsonl', format = 'json'",
		"connector = 'postgres', url_env = 'LAMINAR_TEST_PG', table = 'cdc_trades', bounded = 'true', mode = 'append'", 1)
	j := buildJob(t, src+tumbling+
		"CREATE SINK out FROM v WITH (connector = 'postgres', url_env = 'LAMINAR_TEST_PG', table = 'cdc_windows');\n", false, nil)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("LAMINAR_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (LAMINAR_CRASH_SEED replays it)", seed)
	r := rand.New(rand.NewPCG(seed, 4))
	killed, rounds, streamed := 0, 0, 0
	for killed < kills {
		rounds++
		pgExec(t, url, `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'laminar_cdc_trades' AND NOT active;
			DROP TABLE IF EXISTS cdc_trades, cdc_windows;
			CREATE TABLE cdc_trades (symbol text NOT NULL, price double precision, volume bigint, ts timestamp NOT NULL);
			CREATE TABLE cdc_windows (symbol text, window_start text, window_end text, vwap double precision, n bigint)`)
		insertTrades(t, url, in[:half])
		dir := j.newRunDir(t)
		want := wantAll
		for starts := 1; ; starts++ {
			if starts > maxStarts {
				t.Fatalf("round %d: the job did not finish in %d starts", rounds, maxStarts)
			}
			var stderr bytes.Buffer
			cmd := j.command(dir, true, 1+r.IntN(300), 1)
			cmd.Args = append(cmd.Args, "--checkpoint-interval", "20ms")
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			var err error
			select {
			case err = <-exited:
			// a start first waits for the killed one's replication
			// connection to go: later starts get longer to finish
			case <-time.After(time.Duration(20+r.IntN(300+50*starts)) * time.Millisecond):
				cmd.Process.Signal(syscall.SIGKILL)
				err = <-exited
			}
			if starts == 1 {
				if err == nil || sourceEnded(t, dir) {
					want = wantHalf // it read to the end before the second half went in
				} else {
					insertTrades(t, url, in[half:])
					streamed++
				}
			}
			if err == nil {
				break
			}
			var exit *exec.ExitError
			if errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL {
				killed++
				continue
			}
			t.Fatalf("round %d, start %d: %v\n%s", rounds, starts, err, stderr.String())
		}
		if got := pgTable(t, url, "cdc_windows"); !slices.Equal(got, want) {
			t.Fatalf("round %d (%d kills so far): %d window rows, want %d: %s", rounds, killed, len(got), len(want),
				firstDiff(strings.Join(got, "\n"), strings.Join(want, "\n")))
		}
	}
	t.Logf("%d kills in %d rounds (in %d the second half was inserted while the job was down); the table was the batch answer every round", killed, rounds, streamed)
}
