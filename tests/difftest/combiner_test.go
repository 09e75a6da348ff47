package difftest

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/physical"
)

var (
	cseedFlag  = flag.Uint64("cseed", 1, "seed of the first combiner case")
	ccasesFlag = flag.Int("ccases", 16, "number of combiner cases (6 with -short)")
	// the changelog cases come after the others, seeded from cseed too
	cclcasesFlag = flag.Int("cclcases", 8, "number of combiner cases over a changelog (3 with -short)")
)

// combinerRuns are the batch sizes and worker counts a combiner case runs
// at: every batch size on 1, 2 and 3 workers.
var combinerRuns = [][2]int{{1024, 1}, {1, 1}, {7, 1}, {1, 2}, {7, 2}, {1024, 2}, {1, 3}, {7, 3}, {1024, 3}}

// newCombinerCase is an aggregate the workers pre-aggregate
// (GenCombinerQuery), over rows that are now and then late, by a little
// (beyond the delay: the reading worker's chunk, or the chunks before it in
// the round, closed their window) or by a lot.
func newCombinerCase(index int, seed uint64) *testCase {
	r := rand.New(rand.NewPCG(seed, seed^0x510e527fade682d1))
	c := &testCase{index: index, seed: seed, pkg: fmt.Sprintf("ccase%d", index)}
	data := DataParams{
		Rows:    300 + r.IntN(1200),
		DelayUS: []int64{0, 500_000, 2_000_000}[r.IntN(3)],
	}
	if seed%4 == 3 {
		// rounds of 2 and 3 batches of 1024 rows with nearly unique keys
		// (GROUP BY n) turn a part's combiner off and on again
		data.Rows = 9000
	}
	if r.IntN(3) != 0 {
		data.LateP, data.LateUS = []float64{0.02, 0.1}[r.IntN(2)], []int64{300_000, 3_000_000, 30_000_000}[r.IntN(3)]
		c.late = true
	}
	c.rows = GenRows(r, data)
	c.input = WriteJSONL(r, c.rows)
	c.query = GenCombinerQuery(r, data.DelayUS)
	c.repro = fmt.Sprintf("go test -run TestCombinerDifferential -cseed=%d -ccases=1", seed)
	return c
}

// newCombinerChangelogCase is an unwindowed aggregate over a changelog
// the workers pre-aggregate into weighted partials
// (GenCombinerChangelogQuery), over changes whose retractions land in other
// chunks than their insertions, updates that move rows between groups, and
// groups drained to zero and brought back (CombinerChangelogInput).
func newCombinerChangelogCase(index int, seed uint64) *testCase {
	r := rand.New(rand.NewPCG(seed, seed^0x9b05688c2b3e6c1f))
	c := &testCase{index: index, seed: seed, pkg: fmt.Sprintf("ccase%d", index), sameReports: true,
		repro: fmt.Sprintf("go test -run TestCombinerDifferential -cseed=%d -ccases=0 -cclcases=1", seed)}
	unique := seed%4 == 3 // GROUP BY n: rounds of nearly unique keys turn a part's combiner off and on
	rows := 300 + r.IntN(900)
	if unique {
		rows = 4000
	}
	var group func(Row) string
	c.query, group = GenCombinerChangelogQuery(r, unique)
	format := []string{"changelog", "debezium"}[r.IntN(2)]
	c.query.Pipeline = strings.Replace(c.query.Pipeline, "format = 'changelog'", "format = '"+format+"'", 1)
	c.input, c.rows, c.malformed = CombinerChangelogInput(r, GenRows(r, DataParams{Rows: rows}), group, format)
	if format == "debezium" {
		// the summary counts an update's two rows in
		c.rowsIn = bytes.Count(c.input, []byte("\n")) + bytes.Count(c.input, []byte(`"op":"u"`))
	}
	return c
}

// TestCombinerDifferential runs the combiner's shape on 1, 2 and 3 workers
// at batch sizes 1, 7 and 1024 against DuckDB: the same rows and the same
// late rows (dead-letter reports) as one worker's, whatever the partial
// states crossing the exchange. Every case's plan must have the combiner.
// The changelog cases' output nets to DuckDB's table over the rows left,
// and their dead letters are the one-worker run's byte for byte.
func TestCombinerDifferential(t *testing.T) {
	n, ncl := *ccasesFlag, *cclcasesFlag
	if testing.Short() {
		n, ncl = min(n, 6), min(ncl, 3)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	var cases []*testCase
	for i := range n + ncl {
		var c *testCase
		if i < n {
			c = newCombinerCase(i, *cseedFlag+uint64(i))
		} else {
			c = newCombinerChangelogCase(i, *cseedFlag+uint64(i))
		}
		res, _ := compiler.Compile("case.sql", "p", c.query.Pipeline)
		if res == nil {
			t.Fatalf("case %d does not compile:\n%s", i, c.query.Pipeline)
		}
		if comb := physical.Combine(res.Physical, physical.Partition(res.Physical)); !comb.Combines() {
			t.Fatalf("case %d has no combiner (%s):\n%s", i, comb.Reason, c.query.Pipeline)
		}
		cases = append(cases, c)
	}
	bin := buildJobs(t, root, work, cases)
	db := openDuckDB(t)
	var lateRows, rows int
	for _, c := range cases {
		t.Run(fmt.Sprintf("combiner%03d_seed%d", c.index, c.seed), func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.describe(), c.err)
			}
			want, err := duckResult(db, c)
			if err != nil {
				t.Fatalf("%s\n-- DuckDB: %v", c.describe(), err)
			}
			rows += want.Size()
			var late, dead []byte
			for i, run := range combinerRuns {
				dir := filepath.Join(work, "run", c.pkg, fmt.Sprintf("bs%d-w%d", run[0], run[1]))
				k := runJob(t, bin, dir, c, run[0], run[1], want)
				got, _ := os.ReadFile(filepath.Join(dir, "late.jsonl"))
				gotDead, _ := os.ReadFile(filepath.Join(dir, "dead.jsonl"))
				if i == 0 {
					late, dead, lateRows = got, gotDead, lateRows+k
					continue
				}
				if !bytes.Equal(got, late) {
					t.Errorf("%s\n-- the late rows at batch size %d on %d workers differ from those on one:\n%s\nwant\n%s", c.describe(), run[0], run[1], got, late)
				}
				if c.sameReports && !bytes.Equal(gotDead, dead) {
					t.Errorf("%s\n-- the dead letters at batch size %d on %d workers differ from those on one:\n%s\nwant\n%s", c.describe(), run[0], run[1], gotDead, dead)
				}
			}
		})
	}
	t.Logf("%d combiner cases (%d over a changelog): %d result rows compared, %d late rows reported", n+ncl, ncl, rows, lateRows)
	if n >= 6 && lateRows == 0 {
		t.Errorf("no combiner case had a late row: the late paths are not tested")
	}
}

// TestCombinerParquet runs the windowed cases of TestCombinerDifferential
// over a Parquet source whose row groups are 64 rows (rounds of 1, 2 or 3
// of them on 1, 2 and 3 workers), at every batch size: the combiner folds
// the column batches' rows, and a partial whose window the chunks before it
// closed reports its rows late from the row group read again (the reader
// reuses its batches), so the late and dead-letter files of every run must
// be the one-worker run's byte for byte, and the rows DuckDB's.
func TestCombinerParquet(t *testing.T) {
	n := 10
	if testing.Short() {
		n = 4
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	const from, to = "path = 'in.jsonl', format = 'json'", "path = 'in.parquet', format = 'parquet'"
	var cases []*testCase
	for seed := *cseedFlag + 500; len(cases) < n; seed++ {
		c := newCombinerCase(len(cases), seed)
		if !strings.Contains(c.query.Pipeline, "window_start") {
			continue // unwindowed: no row is late (combined over Parquet before)
		}
		c.pkg = fmt.Sprintf("pqcomb%d", c.index)
		c.repro = fmt.Sprintf("go test -run TestCombinerParquet -cseed=%d (case %d)", *cseedFlag, c.index)
		c.query.Pipeline = strings.Replace(c.query.Pipeline, from, to, 1)
		c.split = true
		res, _ := compiler.Compile("case.sql", c.pkg, c.query.Pipeline)
		if res == nil {
			t.Fatalf("case %d does not compile:\n%s", c.index, c.query.Pipeline)
		}
		if comb := physical.Combine(res.Physical, physical.Partition(res.Physical)); !comb.Combines() {
			t.Fatalf("case %d over Parquet has no combiner (%s):\n%s", c.index, comb.Reason, c.query.Pipeline)
		}
		cases = append(cases, c)
	}
	bin := buildJobs(t, root, work, cases)
	db := openDuckDB(t)
	lateRows := 0
	for _, c := range cases {
		t.Run(fmt.Sprintf("pqcomb%02d_seed%d", c.index, c.seed), func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.describe(), c.err)
			}
			want, err := duckResult(db, c) // loads the rows into table t
			if err != nil {
				t.Fatalf("%s\n-- DuckDB: %v", c.describe(), err)
			}
			reports := map[string][]byte{}
			for i, run := range combinerRuns {
				bs, workers := run[0], run[1]
				dir := filepath.Join(work, "run", c.pkg, fmt.Sprintf("bs%d-w%d", bs, workers))
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				writeParquet64(t, db, len(c.rows), filepath.Join(dir, "in.parquet"))
				k := runJob(t, bin, dir, c, bs, workers, want)
				if i == 0 {
					lateRows += k
				}
				for _, name := range []string{"late.jsonl", "dead.jsonl"} {
					got, _ := os.ReadFile(filepath.Join(dir, name))
					if i == 0 {
						reports[name] = got
					} else if !bytes.Equal(got, reports[name]) {
						t.Errorf("%s\n-- %s at batch size %d on %d workers differs from the one-worker run's:\n%s\nwant\n%s", c.describe(), name, bs, workers, got, reports[name])
					}
				}
			}
		})
	}
	t.Logf("%d windowed combiner cases over Parquet: %d late rows reported (one worker)", len(cases), lateRows)
	if lateRows == 0 {
		t.Errorf("no case had a late row: the late paths are not tested")
	}
}
