package crash

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// cdcUpdatesSQL reads a table's inserts, updates and deletes (PostgreSQL CDC,
// an updating source) into an updating aggregate and an updating filter,
// both written back to PostgreSQL as upserts and deletes by key.
const cdcUpdatesSQL = `CREATE SOURCE accounts (id BIGINT NOT NULL, grp VARCHAR NOT NULL, amount BIGINT NOT NULL)
WITH (connector = 'postgres', url_env = 'LAMINAR_TEST_PG', table = 'cdcu_accounts', bounded = 'true');
CREATE MATERIALIZED VIEW totals AS
SELECT grp, COUNT(*) AS n, SUM(amount) AS total, MIN(amount) AS lo, MAX(amount) AS hi FROM accounts GROUP BY grp;
CREATE MATERIALIZED VIEW big AS SELECT id, grp, amount FROM accounts WHERE amount > 700;
CREATE SINK totals_out FROM totals WITH (connector = 'postgres', url_env = 'LAMINAR_TEST_PG', table = 'cdcu_totals');
CREATE SINK big_out FROM big WITH (connector = 'postgres', url_env = 'LAMINAR_TEST_PG', table = 'cdcu_big');
`

// The batch answers: the same queries as SELECTs on the source table.
const (
	cdcuTotals = `(SELECT grp, count(*) AS n, sum(amount)::bigint AS total, min(amount) AS lo, max(amount) AS hi FROM cdcu_accounts GROUP BY grp)`
	cdcuBig    = `(SELECT id, grp, amount FROM cdcu_accounts WHERE amount > 700)`
)

func cdcuSetUp(t *testing.T, url string) {
	pgExec(t, url, `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'laminar_cdcu_accounts' AND NOT active;
		DROP TABLE IF EXISTS cdcu_accounts, cdcu_totals, cdcu_big;
		CREATE TABLE cdcu_accounts (id bigint PRIMARY KEY, grp text NOT NULL, amount bigint NOT NULL);
		ALTER TABLE cdcu_accounts REPLICA IDENTITY FULL;
		CREATE TABLE cdcu_totals (grp text PRIMARY KEY, n bigint, total bigint, lo bigint, hi bigint);
		CREATE TABLE cdcu_big (id bigint PRIMARY KEY, grp text, amount bigint);
		INSERT INTO cdcu_accounts SELECT g, 'g' || (g % 7), (g * 37) % 1000 FROM generate_series(1, 3000) g`)
}

// cdcuChanges commits a random history of changes in several
// transactions: amounts changed, rows moved between groups, keys changed,
// rows deleted (a whole group among them) and inserted again.
func cdcuChanges(t *testing.T, url string, r *rand.Rand) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var stmts []string
	for i := 0; i < 40; i++ {
		lo := 1 + r.IntN(3000)
		hi := lo + r.IntN(200)
		switch r.IntN(5) {
		case 0:
			stmts = append(stmts, fmt.Sprintf(`UPDATE cdcu_accounts SET amount = (amount * 7 + %d) %% 1000 WHERE id BETWEEN %d AND %d`, r.IntN(1000), lo, hi))
		case 1:
			stmts = append(stmts, fmt.Sprintf(`UPDATE cdcu_accounts SET grp = 'g' || ((id + %d) %% 9) WHERE id BETWEEN %d AND %d`, r.IntN(9), lo, hi))
		case 2:
			stmts = append(stmts, fmt.Sprintf(`DELETE FROM cdcu_accounts WHERE id BETWEEN %d AND %d`, lo, hi))
		case 3:
			stmts = append(stmts, fmt.Sprintf(`UPDATE cdcu_accounts SET id = id + 100000 WHERE id BETWEEN %d AND %d`, lo, lo+r.IntN(20)))
		case 4:
			stmts = append(stmts, fmt.Sprintf(`INSERT INTO cdcu_accounts SELECT g, 'g' || (g %% 11), g %% 997 FROM generate_series(%d, %d) g ON CONFLICT DO NOTHING`, 200000+lo, 200000+hi))
		}
	}
	stmts = append(stmts, `DELETE FROM cdcu_accounts WHERE grp = 'g3'`)
	for len(stmts) > 0 {
		n := min(len(stmts), 1+r.IntN(5)) // a transaction of a few statements
		if _, err := conn.Exec(context.Background(), "BEGIN; "+strings.Join(stmts[:n], "; ")+"; COMMIT"); err != nil {
			t.Fatal(err)
		}
		stmts = stmts[n:]
	}
}

func cdcuCheck(t *testing.T, url, round string) {
	t.Helper()
	for _, c := range [][2]string{{"cdcu_totals", cdcuTotals}, {"cdcu_big", cdcuBig}} {
		got, want := pgTable(t, url, c[0]), pgTable(t, url, c[1])
		if len(want) == 0 {
			t.Fatalf("%s: the batch answer of %s is empty", round, c[0])
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: %s has %d rows, the batch answer %d: %s", round, c[0], len(got), len(want),
				firstDiff(strings.Join(got, "\n"), strings.Join(want, "\n")))
		}
	}
}

// TestPostgresCDCUpdates: a snapshot, then inserts, updates and deletes
// committed while the job streams them, through an updating aggregate and
// an updating filter back into PostgreSQL, on 1, 2 and 3 workers (the one
// reader dealing its batches, each change routed to the worker owning its
// key: an update's retraction to the old group's, its insertion to the new
// one's): both tables equal the same queries run on the source table (the
// batch answer).
func TestPostgresCDCUpdates(t *testing.T) {
	skipShortSerial(t)
	url := pgURL(t)
	// unbounded: the changes come while it streams; SIGINT stops it
	j := buildJob(t, strings.Replace(cdcUpdatesSQL, ", bounded = 'true'", "", 1), false, nil)
	for _, workers := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("workers%d", workers), func(t *testing.T) { cdcuStream(t, j, url, workers) })
	}
}

func cdcuStream(t *testing.T, j job, url string, workers int) {
	cdcuSetUp(t, url)
	dir := j.newRunDir(t)
	cmd := j.command(dir, true, 100, workers)
	cmd.Args = append(cmd.Args, "--summary-json", dir+"/summary.json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	r := rand.New(rand.NewPCG(1, 2))
	time.Sleep(500 * time.Millisecond)
	cdcuChanges(t, url, r)
	// the job has streamed everything once both tables are the answer
	deadline := time.Now().Add(60 * time.Second)
	for {
		same := true
		for _, c := range [][2]string{{"cdcu_totals", cdcuTotals}, {"cdcu_big", cdcuBig}} {
			same = same && slices.Equal(pgTable(t, url, c[0]), pgTable(t, url, c[1]))
		}
		if same {
			break
		}
		if time.Now().After(deadline) {
			cdcuCheck(t, url, "after 60 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 3 { // 3: interrupted, can resume
			t.Fatalf("job: %v\n%s", err, stderr.String())
		}
	}
	cdcuCheck(t, url, "streamed")
	if dead, _ := os.ReadFile(dir + "/p.dead.jsonl"); len(dead) > 0 {
		t.Fatalf("dead letters: %s", dead)
	}
	var sum struct {
		Workers *struct{ Workers int } `json:"workers"`
	}
	data, _ := os.ReadFile(dir + "/summary.json")
	if err := json.Unmarshal(data, &sum); err != nil || (workers > 1 && (sum.Workers == nil || sum.Workers.Workers != workers)) {
		t.Fatalf("the job did not run on %d workers: %s", workers, data)
	}
}

// TestCrashPostgresCDCUpdates: the same pipeline, on 1, 2 or 3 workers
// picked anew at every start, killed at random moments (SIGKILL) while the changes are committed between its starts: both
// tables are the batch answer at the end of every round (6 kills in make
// test, LAMINAR_PG_KILLS in make crash-postgres).
func TestCrashPostgresCDCUpdates(t *testing.T) {
	skipShortSerial(t)
	url := pgURL(t)
	kills := 6
	if v := os.Getenv("LAMINAR_PG_KILLS"); v != "" {
		kills, _ = strconv.Atoi(v)
	}
	j := buildJob(t, cdcUpdatesSQL, false, nil)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("LAMINAR_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (LAMINAR_CRASH_SEED replays it)", seed)
	r := rand.New(rand.NewPCG(seed, 5))
	killed, rounds, streamed := 0, 0, 0
	for killed < kills {
		rounds++
		cdcuSetUp(t, url)
		dir := j.newRunDir(t)
		for starts := 1; ; starts++ {
			if starts > maxStarts {
				t.Fatalf("round %d: the job did not finish in %d starts", rounds, maxStarts)
			}
			var stderr bytes.Buffer
			// on 1, 2 or 3 workers, picked anew at every start: a
			// checkpoint taken at one count restores at another
			cmd := j.command(dir, true, 1+r.IntN(300), 1+r.IntN(3))
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
			case <-time.After(time.Duration(20+r.IntN(300+50*starts)) * time.Millisecond):
				cmd.Process.Signal(syscall.SIGKILL)
				err = <-exited
			}
			if starts == 1 && err != nil && !sourceEnded(t, dir) {
				cdcuChanges(t, url, r) // while the job is down: streamed by the next starts
				streamed++
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
		cdcuCheck(t, url, fmt.Sprintf("round %d (%d kills so far)", rounds, killed))
	}
	t.Logf("%d kills in %d rounds (in %d the changes were committed while the job was down); both tables were the batch answer every round", killed, rounds, streamed)
}
