package crash

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/physical"
)

// combined is a tumbling-window aggregate the workers pre-aggregate on the
// reading worker (physical.Combine): partial states per (window, symbol)
// cross the exchange instead of the rows.
const combined = `CREATE MATERIALIZED VIEW v AS
SELECT symbol, window_start, window_end, COUNT(*) AS n, SUM(volume) AS volume, AVG(volume) AS mean,
       MIN(volume) AS lo, MAX(ts) AS last
FROM TUMBLE(trades, ts, INTERVAL '10' SECOND)
GROUP BY symbol, window_start, window_end;
`

// TestCrashWorkersCombiner: the combiner's aggregate on 1, 2 and 3 workers,
// the count picked anew at every restart, killed at random: partial states
// live within a round and a checkpoint is taken between rounds, so a
// checkpoint holds the owners' merged windows only, which re-partition by
// symbol at load. The output is the uninterrupted one-worker run's
// multiset (the malformed and late rows of the input cross as rows).
func TestCrashWorkersCombiner(t *testing.T) {
	skipShort(t)
	sql := "-- on several workers, combined\n" + source("file") + combined + sink
	res, _ := compiler.Compile("p.sql", "p", sql)
	if res == nil {
		t.Fatal("the pipeline does not compile")
	}
	if c := physical.Combine(res.Physical, physical.Partition(res.Physical)); !c.Combines() {
		t.Fatalf("no combiner: %s", c.Reason)
	}
	j := buildJob(t, sql, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameMultiset, 40*time.Millisecond, 20)
}

// combinedChanges is an unwindowed aggregate the workers pre-aggregate per
// symbol: its owners emit the merged groups' changes per round.
const combinedChanges = `CREATE MATERIALIZED VIEW v AS
SELECT symbol, COUNT(*) AS n, SUM(volume) AS volume, MIN(volume) AS lo, MAX(ts) AS last
FROM trades
GROUP BY symbol
EMIT CHANGES;
`

// TestCrashWorkersCombinerChanges: the unwindowed combined aggregate on 1,
// 2 and 3 workers, killed at random and restarted at a random count: the
// output nets to the uninterrupted one-worker run's table.
func TestCrashWorkersCombinerChanges(t *testing.T) {
	skipShort(t)
	sql := "-- on several workers, combined\n" + source("file") + combinedChanges + sink
	res, _ := compiler.Compile("p.sql", "p", sql)
	if res == nil {
		t.Fatal("the pipeline does not compile")
	}
	if c := physical.Combine(res.Physical, physical.Partition(res.Physical)); !c.Combines() {
		t.Fatalf("no combiner: %s", c.Reason)
	}
	j := buildJob(t, sql, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameTable, 40*time.Millisecond, 20)
}

// combinedHop is a hopping-window aggregate kept as panes, with allowed
// lateness, that the workers pre-aggregate per (pane, symbol): a row folds
// into its one pane on the reading worker, and the owner merges the
// partial panes into its own, from which each window is merged as it closes.
const combinedHop = `CREATE MATERIALIZED VIEW v AS
SELECT symbol, window_start, window_end, COUNT(*) AS n, SUM(volume) AS volume, MIN(volume) AS lo, MAX(ts) AS last
FROM HOP(trades, ts, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
GROUP BY symbol, window_start, window_end ALLOWED LATENESS INTERVAL '1' SECOND;
`

// TestCrashWorkersCombinerHop: the combined HOP aggregate on 1, 2 and 3
// workers, killed at random and restarted at a random count: a checkpoint
// holds the owners' panes and the windows emitted (partial panes live
// within a round), and the output is the uninterrupted one-worker run's
// multiset.
func TestCrashWorkersCombinerHop(t *testing.T) {
	skipShort(t)
	sql := "-- on several workers, combined per pane\n" + source("file") + combinedHop + sink
	res, _ := compiler.Compile("p.sql", "p", sql)
	if res == nil {
		t.Fatal("the pipeline does not compile")
	}
	if c := physical.Combine(res.Physical, physical.Partition(res.Physical)); !c.Combines() {
		t.Fatalf("no combiner: %s", c.Reason)
	}
	j := buildJob(t, sql, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameMultiset, 40*time.Millisecond, 20)
}

// combinedCumulate is a cumulating-window aggregate the workers
// pre-aggregate per (window, symbol): a row folds into each window holding
// it on the reading worker.
const combinedCumulate = `CREATE MATERIALIZED VIEW v AS
SELECT symbol, window_start, window_end, COUNT(*) AS n, SUM(volume) AS volume, MAX(volume) AS hi
FROM CUMULATE(trades, ts, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
GROUP BY symbol, window_start, window_end;
`

// TestCrashWorkersCombinerCumulate: the combined CUMULATE aggregate on 1,
// 2 and 3 workers, killed at random and restarted at a random count: the
// output is the uninterrupted one-worker run's multiset.
func TestCrashWorkersCombinerCumulate(t *testing.T) {
	skipShort(t)
	sql := "-- on several workers, combined per cumulating window\n" + source("file") + combinedCumulate + sink
	res, _ := compiler.Compile("p.sql", "p", sql)
	if res == nil {
		t.Fatal("the pipeline does not compile")
	}
	if c := physical.Combine(res.Physical, physical.Partition(res.Physical)); !c.Combines() {
		t.Fatalf("no combiner: %s", c.Reason)
	}
	j := buildJob(t, sql, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameMultiset, 40*time.Millisecond, 20)
}

// combinedChangelog is an aggregate per region of a Debezium changelog
// that the workers pre-aggregate into weighted partials: a reader folds
// each change with its weight (an update's retraction of the old row and
// insertion of the new, a delete's retraction), MIN and MAX as multisets
// with signed counts, and the owner adds them, dropping a region whose
// accounts all went.
const combinedChangelog = `CREATE SOURCE accounts (id BIGINT NOT NULL, region VARCHAR NOT NULL, amount BIGINT NOT NULL)
WITH (connector = 'file', path = 'input.jsonl', format = 'debezium');
CREATE MATERIALIZED VIEW v AS
SELECT region, COUNT(*) AS n, SUM(amount) AS total, AVG(amount) AS mean, MIN(amount) AS lo, MAX(id) AS newest
FROM accounts
GROUP BY region
HAVING COUNT(*) > 1;
`

// TestCrashWorkersCombinerChangelog: the combined aggregate of a changelog
// on 1, 2 and 3 workers, killed at random and restarted at a random count
// (a checkpoint, between rounds, holds the owners' merged groups, which
// re-partition by region at load; no partial is in flight): the output
// nets to the uninterrupted one-worker run's table, at 2 and 3 workers
// without kills too.
func TestCrashWorkersCombinerChangelog(t *testing.T) {
	skipShort(t)
	sql := "-- on several workers, combined over a changelog\n" + combinedChangelog + sink
	res, _ := compiler.Compile("p.sql", "p", sql)
	if res == nil {
		t.Fatal("the pipeline does not compile")
	}
	if c := physical.Combine(res.Physical, physical.Partition(res.Physical)); !c.Combines() {
		t.Fatalf("no combiner: %s", c.Reason)
	}
	j := buildJob(t, sql, false, debeziumInput(40_000))
	j.workers = []int{1, 2, 3}
	sameAtWorkers(t, j, sameTable, []int{2, 3})
	crashRunsKills(t, j, sameTable, 40*time.Millisecond, 20)
}

// decidesTest drives a compiled job's engine (package main) as a worker
// would: rounds of bids of unique prices routed into 8 parts, about 100
// rows a part a round, each round's parts emptied before the next (the
// combiner's decision) and the parts then checked to have gone over to
// rows.
const decidesTest = `package main

import (
	"math"
	"testing"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/job"
	"github.com/laminar-sql/laminar/runtime/nexmark"
)

func TestDecides(t *testing.T) {
	p := New(&job.Context{Sinks: []*job.SinkWriter{{Name: "o"}}}).(*engine)
	parts := make([]any, 8)
	for i := range parts {
		parts[i] = p.NewPart(0)
	}
	price := int64(1)
	for range 4 {
		for _, x := range parts {
			p.ResetPart(0, x)
		}
		evs := make([]nexmark.Event, 800)
		for i := range evs {
			evs[i].Kind = nexmark.KindBid
			evs[i].Bid.Price, evs[i].Bid.Bidder, evs[i].Bid.DateTime = price, price, 1_000_000_000
			price++
		}
		p.Route(0, &connector.LineBatch{Typed: &evs, TypedLen: len(evs)}, parts, math.MinInt64)
	}
	for _, x := range parts {
		p.ResetPart(0, x)
	}
	for i, x := range parts {
		if !x.(*partBid).raw {
			t.Errorf("part %d still folds rows of unique keys after 4 rounds of about 100 rows", i)
		}
	}
}
`

// TestCombinerDecidesOverRounds: a part that holds fewer rows a round than
// the combiner decides on (shared rounds' parts of a slot at 4 workers and
// more: runtime/job/shared.go) still goes over to rows when its keys are
// nearly unique, the rows and groups counted over its rounds
// (codegen/combiner.go's combDecide), for an aggregate without a window and
// one with.
func TestCombinerDecidesOverRounds(t *testing.T) {
	skipShort(t)
	const bids = `CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL, "dateTime" TIMESTAMP NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', events = '1000', seed = '1');
`
	for name, view := range map[string]string{
		"groups": `CREATE VIEW v AS SELECT price, COUNT(*) AS bids, MAX(bidder) AS top FROM bid GROUP BY price;
`,
		"window": `CREATE VIEW v AS SELECT price, window_start, COUNT(*) AS bids, MAX(bidder) AS top
FROM TUMBLE(bid, "dateTime", INTERVAL '10' SECOND) GROUP BY price, window_start, window_end;
`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "p.sql")
			sql := bids + view + "CREATE SINK o FROM v WITH (connector = 'blackhole');\n"
			if err := os.WriteFile(p, []byte(sql), 0o644); err != nil {
				t.Fatal(err)
			}
			src := filepath.Join(dir, "job")
			if out, err := exec.Command(laminarc, "compile", "-o", src, p).CombinedOutput(); err != nil {
				t.Fatalf("laminarc compile: %v\n%s", err, out)
			}
			if err := os.WriteFile(filepath.Join(src, "decides_test.go"), []byte(decidesTest), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("go", "test", "-count=1", "-run", "TestDecides", ".")
			cmd.Dir = src
			cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
		})
	}
}
