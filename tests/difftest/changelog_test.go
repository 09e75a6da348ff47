package difftest

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/physical"
)

var (
	clseedFlag  = flag.Uint64("clseed", 1, "the first seed of the changelog cases")
	clcasesFlag = flag.Int("clcases", 24, "number of changelog cases (6 with -short)")
)

// TestChangelogDifferential runs random pipelines over a changelog source
// (insertions, retractions, rows moving between groups; GenChangelogQuery)
// at batch sizes 1, 7 and 1024 on 1, 2 and 3 workers (workersRuns) against
// DuckDB over the rows left: every plan splits among workers by a group key
// (a change goes to the worker owning its group), the output nets to the
// same table and the dead letters are the one-worker run's byte for byte.
func TestChangelogDifferential(t *testing.T) {
	n := *clcasesFlag
	if testing.Short() {
		n = min(n, 6)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	var cases []*testCase
	for i := range n {
		seed := *clseedFlag + uint64(i)
		r := rand.New(rand.NewPCG(seed, seed^0x6a09e667f3bcc908))
		c := &testCase{index: i, seed: seed, pkg: fmt.Sprintf("clcase%d", i), multi: true, workers: true, sameReports: true,
			repro: fmt.Sprintf("go test -run TestChangelogDifferential -clseed=%d -clcases=1", seed)}
		rows := GenRows(r, DataParams{Rows: 100 + r.IntN(400)})
		c.input, c.rows, c.malformed = ChangelogInput(r, rows)
		c.query = GenChangelogQuery(r)
		res, diags := compiler.Compile("case.sql", "p", c.query.Pipeline)
		if res == nil {
			t.Fatalf("case %d does not compile: %v\n%s", i, diags, c.query.Pipeline)
		}
		if part := physical.Partition(res.Physical); !part.Partitioned() {
			t.Errorf("case %d: a pipeline over a changelog must split among workers: %s\n%s", i, part.Reason, c.query.Pipeline)
		}
		c.split = true
		cases = append(cases, c)
	}
	bin := buildJobs(t, root, work, cases)
	db := openDuckDB(t)
	for _, c := range cases {
		t.Run(fmt.Sprintf("changelog%02d", c.index), func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.describe(), c.err)
			}
			runCase(t, db, bin, filepath.Join(work, "run", c.pkg), c)
		})
	}
}
