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
	aseedFlag  = flag.Uint64("aseed", 1, "seed of the first ASOF case; ASOF case i uses aseed+i")
	acasesFlag = flag.Int("acases", 150, "number of random ASOF join cases (20 with -short)")
)

var (
	vseedFlag  = flag.Uint64("vseed", 1, "seed of the first temporal (versioned) join case; case i uses vseed+i")
	vcasesFlag = flag.Int("vcases", 100, "number of random temporal (versioned) join cases (20 with -short)")
)

func newTemporalCase(index int, seed uint64) *joinCase {
	r := rand.New(rand.NewPCG(seed, seed^0xa54ff53a5f1d36f1))
	c := &joinCase{testCase: &testCase{index: index, seed: seed, pkg: fmt.Sprintf("tcase%d", index)}, kind: "temporal"}
	c.sources = GenJoinSources(r, 2, 120)
	pk := GenTemporalPK(r)
	c.sources[1].Rows = dedupRight(c.sources[1].Rows)
	versionKeys(c.sources[1].Rows, pk)
	c.inputs = map[string][]byte{}
	for _, s := range c.sources {
		c.inputs[s.Name] = WriteJSONL(r, s.Rows)
	}
	c.query = GenTemporalQuery(r, c.sources, pk)
	return c
}

var (
	lseedFlag  = flag.Uint64("lseed", 1, "seed of the first lookup join case; case i uses lseed+i")
	lcasesFlag = flag.Int("lcases", 60, "number of random lookup join cases (20 with -short)")
)

func newLookupCase(index int, seed uint64) *joinCase {
	r := rand.New(rand.NewPCG(seed, seed^0x510e527fade682d1))
	c := &joinCase{testCase: &testCase{index: index, seed: seed, pkg: fmt.Sprintf("lcase%d", index)}, kind: "lookup"}
	c.sources = GenJoinSources(r, 2, 120)
	c.sources[1].Name, c.sources[1].Table = "lt", true
	c.inputs = map[string][]byte{}
	for _, s := range c.sources {
		c.inputs[s.Name] = WriteJSONL(r, s.Rows)
	}
	c.query = GenLookupQuery(r, c.sources)
	if index%3 == 2 {
		// every third case reads an updating view: a GROUP BY's changes
		c.query = GenLookupUpdatingQuery(r, c.sources)
	}
	return c
}

// TestLookupDifferential runs random lookup joins (a stream against a file
// table read by key through a cache) at every batch size and compares each
// with DuckDB's join of the two tables.
func TestLookupDifferential(t *testing.T) {
	n := *lcasesFlag
	if testing.Short() {
		n = min(n, 20)
	}
	var cases []*joinCase
	for i := range n {
		c := newLookupCase(i, *lseedFlag+uint64(i))
		cases = append(cases, c)
		if !c.query.Updating {
			continue
		}
		// over an updating view, too, the join splits among the workers
		// (at 2 and 3 of its runs, lookupWorkers)
		if res, _ := compiler.Compile("case.sql", "p", c.query.Pipeline); res != nil && !physical.Partition(res.Physical).Partitioned() {
			t.Errorf("lookup case %d (updating) runs on one worker: %s\n%s", i, physical.Partition(res.Physical).Reason, c.query.Pipeline)
		}
	}
	runGeneratedJoinCases(t, "lookup", cases)
}

func newAsofCase(index int, seed uint64) *joinCase {
	r := rand.New(rand.NewPCG(seed, seed^0x3c6ef372fe94f82b))
	c := &joinCase{testCase: &testCase{index: index, seed: seed, pkg: fmt.Sprintf("acase%d", index)}}
	c.sources = GenJoinSources(r, 2, 120)
	c.sources[1].Rows = dedupRight(c.sources[1].Rows)
	c.inputs = map[string][]byte{}
	for _, s := range c.sources {
		c.inputs[s.Name] = WriteJSONL(r, s.Rows)
	}
	c.query = GenAsofQuery(r, c.sources)
	c.kind = "asof"
	return c
}

// TestTemporalDifferential runs random temporal joins (FOR SYSTEM_TIME AS OF
// a versioned table) at every batch size and compares each with the version
// DuckDB's ASOF JOIN finds.
func TestTemporalDifferential(t *testing.T) {
	n := *vcasesFlag
	if testing.Short() {
		n = min(n, 20)
	}
	var cases []*joinCase
	for i := range n {
		cases = append(cases, newTemporalCase(i, *vseedFlag+uint64(i)))
	}
	runGeneratedJoinCases(t, "temporal", cases)
}

// TestAsofDifferential runs random ASOF join pipelines at every batch size
// and compares each with DuckDB's ASOF JOIN (nearest: the closest row by a
// window function).
func TestAsofDifferential(t *testing.T) {
	n := *acasesFlag
	if testing.Short() {
		n = min(n, 20)
	}
	var cases []*joinCase
	split := 0
	for i := range n {
		c := newAsofCase(i, *aseedFlag+uint64(i))
		cases = append(cases, c)
		// an ASOF join by an equality key splits among the workers by it
		// (run at 2 and 3 workers, lookupWorkers)
		if res, _ := compiler.Compile("case.sql", "p", c.query.Pipeline); res != nil && physical.Partition(res.Physical).Partitioned() {
			split++
		}
	}
	t.Logf("%d of %d ASOF cases split among workers by a key", split, n)
	if n >= 50 && split < n/2 {
		t.Errorf("only %d of %d ASOF cases split among workers", split, n)
	}
	runGeneratedJoinCases(t, "ASOF", cases)
}

// runGeneratedJoinCases builds the cases into one binary and runs each at
// every batch size against DuckDB.
func runGeneratedJoinCases(t *testing.T, what string, cases []*joinCase) {
	n := len(cases)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if *keepFlag {
		if work, err = os.MkdirTemp("", "joindiff-"); err != nil {
			t.Fatal(err)
		}
		t.Logf("work directory: %s", work)
	}
	tcs := make([]*testCase, 0, n)
	for _, c := range cases {
		tcs = append(tcs, c.testCase)
	}
	start := time.Now()
	bin := buildJobs(t, root, work, tcs)
	t.Logf("compiled %d %s pipelines and built one job binary in %v", n, what, time.Since(start).Round(time.Millisecond))
	db := openDuckDB(t)
	var failed, empty, rows int
	for _, c := range cases {
		ok := t.Run(fmt.Sprintf("%s%03d_seed%d", c.kind, c.index, c.seed), func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.describe(), c.err)
			}
			nw, _ := runJoinCase(t, db, bin, filepath.Join(work, "run", c.pkg), c)
			rows += nw
			if nw == 0 {
				empty++
			}
		})
		if !ok {
			failed++
		}
	}
	t.Logf("%d random %s cases at batch sizes %v: %d result rows compared, %d cases with an empty result; %d cases failed",
		n, what, joinBatchSizes, rows, empty, failed)
	if n >= 50 && empty > n/5 {
		t.Errorf("%d of %d %s cases have an empty result: the generator tests too little", empty, n, what)
	}
}
