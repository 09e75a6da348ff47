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
	aseedFlag  = flag.Uint64("aseed", 1, "seed of the first ASOF case; ASOF case i uses aseed+i")
	acasesFlag = flag.Int("acases", 150, "number of random ASOF join cases (20 with -short)")
)

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
	c.name = "" // random: described by seed
	c.asof = true
	return c
}

// TestAsofDifferential runs random ASOF join pipelines at every batch size
// and compares each with DuckDB's ASOF JOIN (nearest: the closest row by a
// window function).
func TestAsofDifferential(t *testing.T) {
	n := *acasesFlag
	if testing.Short() {
		n = min(n, 20)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if *keepFlag {
		if work, err = os.MkdirTemp("", "asofdiff-"); err != nil {
			t.Fatal(err)
		}
		t.Logf("work directory: %s", work)
	}
	var cases []*joinCase
	tcs := make([]*testCase, 0, n)
	for i := range n {
		c := newAsofCase(i, *aseedFlag+uint64(i))
		cases = append(cases, c)
		tcs = append(tcs, c.testCase)
	}
	start := time.Now()
	bin := buildJobs(t, root, work, tcs)
	t.Logf("compiled %d ASOF pipelines and built one job binary in %v", n, time.Since(start).Round(time.Millisecond))
	db := openDuckDB(t)
	var failed, empty, rows int
	for _, c := range cases {
		ok := t.Run(fmt.Sprintf("asof%03d_aseed%d", c.index, c.seed), func(t *testing.T) {
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
	t.Logf("%d random ASOF cases at batch sizes %v: %d result rows compared, %d cases with an empty result; %d cases failed",
		n, joinBatchSizes, rows, empty, failed)
	if n >= 50 && empty > n/5 {
		t.Errorf("%d of %d ASOF cases have an empty result: the generator tests too little", empty, n)
	}
}
