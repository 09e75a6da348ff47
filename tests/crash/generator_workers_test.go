package crash

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Keyed jobs over the Nexmark generator on workers run shared rounds
// (runtime/job/shared.go): the round's events in slots that any worker
// takes, the next round's slots routed before the round's merge by the
// workers done with its views. A window per auction with late rows and a
// failing sum; a count of counts (re-exchanged by its own key); an interval
// join of two generated tables.
const (
	generatorBids = `CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL, "dateTime" TIMESTAMP NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime"
) WITH (connector = 'nexmark', events = '200000', rate = '10000', seed = '4', out_of_order_group = '5001');
`
	generatorWindow = `CREATE MATERIALIZED VIEW v AS
SELECT auction, window_start, COUNT(*) AS n, SUM(CASE WHEN price % 97 = 5 THEN price * 9223372036854775807 ELSE price END) AS total
FROM TUMBLE(bid, "dateTime", INTERVAL '1' SECOND)
GROUP BY auction, window_start, window_end;
`
	generatorCountOfCounts = `CREATE VIEW c AS SELECT bidder, COUNT(*) AS n, SUM(CASE WHEN price % 97 = 5 THEN price * 9223372036854775807 ELSE price END) AS total FROM bid GROUP BY bidder;
CREATE MATERIALIZED VIEW v AS SELECT n, COUNT(*) AS k, MAX(total) AS top FROM c GROUP BY n;
`
	generatorJoin = `CREATE SOURCE auction (
  id BIGINT NOT NULL, seller BIGINT NOT NULL, "dateTime" TIMESTAMP NOT NULL, expires TIMESTAMP NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '1' SECOND
) WITH (connector = 'nexmark', events = '200000', rate = '20000', seed = '4');
CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL, "dateTime" TIMESTAMP NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '1' SECOND
) WITH (connector = 'nexmark', events = '200000', rate = '20000', seed = '4');
CREATE VIEW b AS
SELECT auction, bidder, "dateTime", CASE WHEN price % 97 = 5 THEN price * 9223372036854775807 ELSE price END AS price
FROM bid;
CREATE MATERIALIZED VIEW v AS
SELECT A.id, A.seller, B.bidder, B.price, B."dateTime"
FROM auction AS A, b AS B
WHERE A.id = B.auction AND B."dateTime" BETWEEN A."dateTime" AND A.expires;
`
)

// TestCrashWorkersGenerator: the keyed generator jobs above on 1, 2 and 3
// workers, the count picked anew at every restart: a checkpoint taken at a
// merge, when the next round's slots are already routed, is the round's cut
// (the positions after it, no state of the next round), and restores at
// another count. The output is the uninterrupted one-worker run's multiset
// or nets to its table, the dead letters and late rows are its own (byte for
// byte for one source); and without kills the dead letters and late rows at
// 2 and 3 workers are one worker's, the output the same, in shared rounds
// as in fixed chunks (LAMINAR_SHARED_ROUNDS=0), whose output at a given
// count is shared rounds' byte for byte (the same rounds, the same batches).
func TestCrashWorkersGenerator(t *testing.T) {
	skipShort(t)
	for _, c := range []struct {
		name, sql string
		split     string
		same      func(t *testing.T, got, want string)
		unordered bool
	}{
		{"window", generatorBids + generatorWindow, "rows of source bid exchanged by hash of auction", sameMultiset, false},
		{"count of counts", generatorBids + generatorCountOfCounts, "rows of c re-exchanged by hash of n for v", sameTable, false},
		{"interval join", generatorJoin, "each reading a share of every source", sameMultiset, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			pipeline := c.sql + sink
			p := filepath.Join(t.TempDir(), "p.sql")
			if err := os.WriteFile(p, []byte(pipeline), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(laminarc, "explain", p).CombinedOutput(); err != nil || !strings.Contains(string(out), c.split) {
				t.Fatalf("the job must split among workers (%q): %v\n%s", c.split, err, out)
			}
			j := buildJob(t, "-- generator on workers\n"+pipeline, false, nil)
			j.unordered = c.unordered
			sameAtWorkers(t, j, c.same, []int{2, 3})
			for _, w := range []int{2, 3} {
				run := func(env ...string) map[string]string {
					dir := j.newRunDir(t)
					cmd := j.command(dir, false, 1024, w)
					cmd.Env = append(cmd.Env, env...)
					if out, err := cmd.CombinedOutput(); err != nil {
						t.Fatalf("%d workers %v: %v\n%s", w, env, err, out)
					}
					return readOutputs(t, dir)
				}
				shared, fixed := run(), run("LAMINAR_SHARED_ROUNDS=0")
				for _, name := range outputs {
					if shared[name] != fixed[name] {
						t.Errorf("%d workers: %s of shared rounds differs from fixed chunks':\n%s", w, name, firstDiff(shared[name], fixed[name]))
					}
				}
			}
			j.workers = []int{1, 2, 3}
			crashRunsKills(t, j, c.same, 40*time.Millisecond, 20)
		})
	}
}

// TestWorkersGeneratorRowFunctions: more views over the generator than its
// loop holds inline, so that each runs as a function of its own over the
// part's row, whose row holds only the columns the views read (not url nor
// extra). A row such a function fails on, and a late row of its window, is
// reported with every column, from the record generated again by the index
// in the chunk the row carries: the dead letters and late rows at 2 and 3
// workers are the one-worker run's byte for byte (url and extra included),
// the output the same multiset.
func TestWorkersGeneratorRowFunctions(t *testing.T) {
	skipShort(t)
	sql := `CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime"
) WITH (connector = 'nexmark', events = '60000', rate = '10000', seed = '3', out_of_order_group = '5001');
CREATE VIEW a AS SELECT auction, bidder FROM bid WHERE bidder % 7 = 1;
CREATE SINK a_out FROM a WITH (connector = 'blackhole');
CREATE VIEW d AS SELECT auction, channel FROM bid WHERE bidder % 3 = 0;
CREATE SINK d_out FROM d WITH (connector = 'blackhole');
CREATE VIEW c AS SELECT auction, COUNT(*) AS n, SUM(CASE WHEN price % 97 = 5 THEN price * 9223372036854775807 ELSE price END) AS total FROM bid GROUP BY auction;
CREATE SINK c_out FROM c WITH (connector = 'blackhole');
CREATE VIEW e AS SELECT auction, MAX(bidder) AS top FROM bid GROUP BY auction;
CREATE SINK e_out FROM e WITH (connector = 'blackhole');
CREATE MATERIALIZED VIEW v AS
SELECT auction, window_start, COUNT(*) AS n, SUM(CASE WHEN price % 89 = 3 THEN price * 9223372036854775807 ELSE price END) AS total
FROM TUMBLE(bid, "dateTime", INTERVAL '1' SECOND)
GROUP BY auction, window_start, window_end;
` + sink
	p := filepath.Join(t.TempDir(), "p.sql")
	if err := os.WriteFile(p, []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(laminarc, "explain", p).CombinedOutput(); err != nil || !strings.Contains(string(out), "rows of source bid exchanged by hash of auction") {
		t.Fatalf("the job must split among workers by auction: %v\n%s", err, out)
	}
	j := buildJob(t, "-- row functions on workers\n"+sql, false, nil)
	run := func(workers int) map[string]string {
		dir := j.newRunDir(t)
		if out, err := j.command(dir, false, 1024, workers).CombinedOutput(); err != nil {
			t.Fatalf("%d workers: %v\n%s", workers, err, out)
		}
		return readOutputs(t, dir)
	}
	want := run(1)
	for name, view := range map[string]string{"p.dead.jsonl": `"view":"c"`, "p.late.jsonl": `"view":"v"`} {
		if n := strings.Count(want[name], "\n"); n < 100 || !strings.Contains(want[name], view) || !strings.Contains(want[name], `\"url\":\"https://`) {
			t.Fatalf("the one-worker run should write %s (%d rows, of view %s) with their url: %.300s", name, n, view, want[name])
		}
	}
	for _, workers := range []int{2, 3} {
		got := run(workers)
		for _, name := range []string{"p.dead.jsonl", "p.late.jsonl"} {
			if got[name] != want[name] {
				t.Errorf("%d workers: %s differs from one worker's:\n%s", workers, name, firstDiff(got[name], want[name]))
			}
		}
		sameMultiset(t, got["output.jsonl"], want["output.jsonl"])
	}
}
