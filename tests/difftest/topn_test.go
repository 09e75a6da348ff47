package difftest

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
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
	for i := range cases {
		cases[i] = newTopNCase(i, *tseedFlag+uint64(i))
	}
	start := time.Now()
	bin := buildJobs(t, root, work, cases)
	t.Logf("compiled %d top-N pipelines and built one job binary in %v", n, time.Since(start).Round(time.Millisecond))
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
