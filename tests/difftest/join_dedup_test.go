package difftest

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/compiler"
)

var (
	jdseedFlag  = flag.Uint64("jdseed", 1, "seed of the first join dedup case; case i uses dseed+i")
	jdcasesFlag = flag.Int("jdcases", 100, "number of random join dedup cases (30 with -short)")
)

func newJoinDedupCase(index int, seed uint64) *joinCase {
	r := rand.New(rand.NewPCG(seed, seed^0x3c6ef372fe94f82b))
	c := &joinCase{testCase: &testCase{index: index, seed: seed, pkg: fmt.Sprintf("dcase%d", index)}, kind: "dedup"}
	c.sources = GenJoinSources(r, 2, 150)
	c.inputs = map[string][]byte{}
	for _, s := range c.sources {
		c.inputs[s.Name] = WriteJSONL(r, s.Rows)
	}
	c.query = GenJoinDedupQuery(r, c.sources)
	return c
}

// TestJoinDedupDifferential runs random deduplications (and top 2 or 3)
// over inner joins, the shape of Nexmark q9, each at every batch size, and
// compares the net result with DuckDB's batch answer. At least a third of
// them must have a join side that keeps only its unmatched rows
// (compiler/physical's dedupSides), so that the rule is what is tested.
func TestJoinDedupDifferential(t *testing.T) {
	n := *jdcasesFlag
	if testing.Short() {
		n = min(n, 30)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if *keepFlag {
		if work, err = os.MkdirTemp("", "joindedup-"); err != nil {
			t.Fatal(err)
		}
		t.Logf("work directory: %s", work)
	}
	cases := make([]*joinCase, n)
	tcs := make([]*testCase, n)
	ruled := 0
	for i := range cases {
		cases[i] = newJoinDedupCase(i, *jdseedFlag+uint64(i))
		tcs[i] = cases[i].testCase
		if res, _ := compiler.Compile("case.sql", "p", cases[i].query.Pipeline); res != nil {
			for _, op := range res.Physical.Operators {
				if op.Join != nil && (op.Dedup[0] != nil || op.Dedup[1] != nil) {
					ruled++
				}
			}
		}
	}
	if ruled < n/3 {
		t.Errorf("only %d of %d cases have a join side ranked by its deduplication", ruled, n)
	}
	start := time.Now()
	bin := buildJobs(t, root, work, tcs)
	t.Logf("compiled %d join dedup pipelines and built one job binary in %v", n, time.Since(start).Round(time.Millisecond))
	db := openDuckDB(t)
	var failed, empty, rows int
	for _, c := range cases {
		ok := t.Run(fmt.Sprintf("dedup%03d_dseed%d", c.index, c.seed), func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.describe(), c.err)
			}
			nw, _ := runJoinCase(t, db, bin, filepath.Join(work, "run", c.pkg), c)
			rows += nw
			if nw == 0 {
				empty++
				if os.Getenv("DIFFTEST_EMPTY") != "" {
					t.Log("EMPTY " + strings.ReplaceAll(c.describe(), "\n", "\n  "))
				}
			}
		})
		if !ok {
			failed++
		}
	}
	t.Logf("%d join dedup cases (%d with a ranked side) at batch sizes %v: %d result rows compared, %d with an empty result; %d failed",
		n, ruled, joinBatchSizes, rows, empty, failed)
	if n >= 30 && empty > n/4 {
		t.Errorf("%d of %d join dedup cases have an empty result: the generator tests too little", empty, n)
	}
}
