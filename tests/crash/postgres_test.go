package crash

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
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
	skipShort(t)
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
	if out, err := fileJob.command(dir, false, 1024).CombinedOutput(); err != nil {
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
			cmd := pgJob.command(dir, true, 1+r.IntN(300))
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
