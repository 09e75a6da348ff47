package difftest

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/physical"
)

var (
	tseedFlag  = flag.Uint64("tseed", 1, "seed of the first top-N case; top-N case i uses tseed+i")
	tcasesFlag = flag.Int("tcases", 200, "number of random top-N cases (20 with -short)")
)

// newTopNCase is a top-N case: rows with none late, and a ranking view
// over them (GenTopNQuery), run at every batch size.
func newTopNCase(index int, seed uint64) *testCase {
	r := rand.New(rand.NewPCG(seed, seed^0x3c6ef372fe94f82b))
	c := &testCase{index: index, seed: seed, pkg: fmt.Sprintf("tcase%d", index), multi: true, topn: true}
	data := DataParams{
		Rows:    100 + r.IntN(401),
		DelayUS: []int64{0, 500_000, 1_000_000, 2_000_000, 5_000_000}[r.IntN(5)],
	}
	c.rows = GenRows(r, data)
	c.input = WriteJSONL(r, c.rows)
	c.query = GenTopNQuery(r, data.DelayUS)
	return c
}

// TestTopNDifferential runs random top-N, deduplication, window top-N and
// ORDER BY … LIMIT pipelines at batch sizes 1, 7 and 1024 and compares each
// net result with DuckDB's answer to the same query as a batch.
func TestTopNDifferential(t *testing.T) {
	n := *tcasesFlag
	if testing.Short() {
		n = min(n, 20)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if *keepFlag {
		if work, err = os.MkdirTemp("", "topndiff-"); err != nil {
			t.Fatal(err)
		}
		t.Logf("work directory: %s", work)
	}
	cases := make([]*testCase, n)
	var split, exchanged, gathered, prefiltered int
	for i := range cases {
		cases[i] = newTopNCase(i, *tseedFlag+uint64(i))
		// a ranking that splits among workers by a PARTITION BY key, or a
		// global one gathered on one owner below split views, runs on 1, 2
		// and 3 workers (workersRuns)
		if s, x, gt := topnSplits(cases[i].query.Pipeline); s {
			cases[i].workers = true
			split++
			if x {
				exchanged++
			}
			if gt {
				gathered++
			}
			if topnPrefilters(cases[i].query.Pipeline) {
				prefiltered++
			}
		}
	}
	start := time.Now()
	bin := buildJobs(t, root, work, cases)
	t.Logf("compiled %d top-N pipelines (%d split among workers by a PARTITION BY key or gathered, %d of them re-exchanged, %d global top-Ns gathered, %d of them filtered by a top-N per worker) and built one job binary in %v",
		n, split, exchanged, gathered, prefiltered, time.Since(start).Round(time.Millisecond))
	if n >= 50 && (split < n/5 || exchanged < n/20 || gathered < n/40 || prefiltered < n/50) {
		t.Errorf("only %d of %d top-N cases split among workers, %d re-exchanged, %d gathered, %d prefiltered", split, n, exchanged, gathered, prefiltered)
	}
	db := openDuckDB(t)
	var failed, empty, rows int
	for _, c := range cases {
		ok := t.Run(fmt.Sprintf("topn%03d_tseed%d", c.index, c.seed), func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.describe(), c.err)
			}
			st := runCase(t, db, bin, filepath.Join(work, "run", c.pkg), c)
			rows += st.rows
			if st.rows == 0 {
				empty++
			}
		})
		if !ok {
			failed++
		}
	}
	t.Logf("%d top-N cases at batch sizes %v: %d result rows compared, %d cases with an empty result; %d cases failed", n, batchSizes, rows, empty, failed)
	if n >= 50 && empty > n/10 {
		t.Errorf("%d of %d top-N cases have an empty result: the generator tests too little", empty, n)
	}
}

// TestWorkersSourcesTopNDifferential runs random top-Ns over a UNION ALL of
// two sources (GenWorkersSourcesTopNQuery), split among workers by a
// PARTITION BY column of both, at 1, 2 and 3 workers and batch sizes 1, 7
// and 1024 (workersRuns) and compares each net result with DuckDB's.
func TestWorkersSourcesTopNDifferential(t *testing.T) {
	n := *tcasesFlag / 4
	if testing.Short() {
		n = min(n, 10)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	cases := make([]*testCase, n)
	for i := range cases {
		seed := *tseedFlag + uint64(i)
		r := rand.New(rand.NewPCG(seed, seed^0x6a09e667f3bcc908))
		c := &testCase{index: i, seed: seed, pkg: fmt.Sprintf("scase%d", i), multi: true, workers: true, sources: 2}
		c.rows = GenRows(r, DataParams{Rows: 200 + r.IntN(401)})
		c.input = WriteJSONL(r, c.rows)
		c.query = GenWorkersSourcesTopNQuery(r)
		if res, diags := compiler.Compile("case.sql", "p", c.query.Pipeline); res == nil {
			t.Fatalf("case %d does not compile: %v\n%s", i, diags, c.query.Pipeline)
		} else if part := physical.Partition(res.Physical); !part.Partitioned() || len(part.Keys) != 2 || part.Keys[0] < 0 {
			t.Fatalf("case %d does not split among workers by key (%s):\n%s", i, part.Reason, c.query.Pipeline)
		}
		cases[i] = c
	}
	bin := buildJobs(t, root, work, cases)
	db := openDuckDB(t)
	var rows int
	for _, c := range cases {
		t.Run(fmt.Sprintf("stopn%03d_tseed%d", c.index, c.seed), func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.describe(), c.err)
			}
			rows += runCase(t, db, bin, filepath.Join(work, "run", c.pkg), c).rows
		})
	}
	t.Logf("%d top-N cases over two sources at %v (batch size, workers): %d result rows compared", n, workersRuns, rows)
}

// TestTopNCoverage counts, over the top-N cases make test runs, how many
// mix a ranking function with OVER aggregates in one SELECT (the rank's
// top-N reads the OVER aggregation's), over an append-only and over an
// updating input, and with a limit on the rank, so that a generator change
// that stops reaching one shows.
func TestTopNCoverage(t *testing.T) {
	// the generator alone, which is cheap: at least the default count of
	// cases, whatever share of them runs (make test runs half)
	n := max(*tcasesFlag, flagDefault(t, "tcases"))
	if testing.Short() {
		n = min(n, 20)
	}
	counts := map[string]int{}
	for i := range n {
		c := newTopNCase(i, *tseedFlag+uint64(i))
		res, diags := compiler.Compile("case.sql", "p", c.query.Pipeline)
		if res == nil {
			t.Fatalf("case %d does not compile: %v\n%s", i, diags, c.query.Pipeline)
		}
		for _, op := range res.Physical.Operators {
			if op.TopN == nil || op.TopN.NoRank || len(op.Inputs) != 1 || op.Inputs[0].TopN == nil || len(op.Inputs[0].TopN.Aggs) == 0 {
				continue
			}
			counts["mixed"]++
			if op.Inputs[0].InputUpdating {
				counts["mixed over updating input"]++
			}
			if op.TopN.Limit > 0 {
				counts["mixed with a limit"]++
			}
		}
	}
	t.Logf("of %d top-N cases: %v", n, counts)
	if n < 100 {
		return
	}
	for _, f := range []string{"mixed", "mixed over updating input", "mixed with a limit"} {
		if counts[f] < 5 {
			t.Errorf("only %d of %d top-N cases are %s", counts[f], n, f)
		}
	}
}

// topnSplits tells whether a top-N pipeline splits among workers with a
// top-N on them (its partitions owned by key), whether some top-N's input
// rows are re-exchanged by a PARTITION BY key of its own, and whether some
// global top-N's (no PARTITION BY) are gathered on one owner.
func topnSplits(pipeline string) (split, exchanged, gathered bool) {
	res, _ := compiler.Compile("case.sql", "p", pipeline)
	if res == nil {
		return false, false, false
	}
	part := physical.Partition(res.Physical)
	if !part.Partitioned() {
		return false, false, false
	}
	for _, op := range res.Physical.Operators {
		if op.TopN != nil && part.OpKeys[op.Index] >= 0 {
			split = true
			exchanged = exchanged || (part.Exchanged[op.Index] >= 0 && !part.Gathers(op.Index))
			gathered = gathered || part.Gathers(op.Index)
		}
	}
	return split, exchanged, gathered
}

// topnPrefilters tells whether a top-N pipeline has a gathered global top-N
// whose workers send only the rows within their own top N
// (physical.Partitioning.Prefilters).
func topnPrefilters(pipeline string) bool {
	res, _ := compiler.Compile("case.sql", "p", pipeline)
	if res == nil {
		return false
	}
	part := physical.Partition(res.Physical)
	for _, op := range res.Physical.Operators {
		if op.TopN != nil && part.Prefilters(op) {
			return true
		}
	}
	return false
}
