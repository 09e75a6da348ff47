package difftest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/physical"
)

var (
	wseedFlag  = flag.Uint64("wseed", 1, "seed of the first SESSION/CUMULATE/lateness case; case i uses wseed+i")
	wcasesFlag = flag.Int("wcases", 160, "number of random SESSION/CUMULATE/lateness cases (20 with -short)")
)

// windowKinds are the windows of TestWindowDifferential, by share.
var windowKinds = []string{"session", "session", "session", "cumulate", "cumulate", "tumble", "hop"}

// newWindowCase is a SESSION, CUMULATE or allowed-lateness case. Sessions see
// rows out of order within the watermark delay and, with allowed lateness,
// beyond it but within the lateness (never late: the stream's answer is then
// the batch one). The other windows also see rows late beyond the lateness,
// which DuckDB leaves out of the windows that had closed.
func newWindowCase(index int, seed uint64) *testCase {
	r := rand.New(rand.NewPCG(seed, seed^0x3c6ef372fe94f82b))
	c := &testCase{index: index, seed: seed, pkg: fmt.Sprintf("case%d", index), multi: true,
		repro: fmt.Sprintf("go test -run TestWindowDifferential -wseed=%d -wcases=1", seed)}
	kind := windowKinds[r.IntN(len(windowKinds))]
	data := DataParams{
		Rows:    100 + r.IntN(401),
		DelayUS: []int64{0, 500_000, 1_000_000, 2_000_000}[r.IntN(4)],
	}
	p := WindowParams{DelayUS: data.DelayUS}
	if r.IntN(5) < 2 {
		p.LatenessUS = []int64{1_000_000, 3_000_000, 10_000_000}[r.IntN(3)]
	}
	switch {
	case kind == "session" && p.LatenessUS > data.DelayUS+1000:
		// behind the watermark, within the lateness: the sessions must merge
		// them (a row may trail the newest by up to twice the delay plus LateUS)
		data.LateP, data.LateUS = 0.1, p.LatenessUS-data.DelayUS-1000
		c.late = true // the job's late count must be 0: checked below
	case kind != "session" && r.IntN(2) == 0:
		data.LateP, data.LateUS = 0.1, 2*p.LatenessUS+5_000_000
		p.Late, c.late = true, true
	}
	c.rows = GenRows(r, data)
	c.input = WriteJSONL(r, c.rows)
	c.query = GenWindowQuery(r, kind, p)
	return c
}

// TestWindowDifferential runs random SESSION, CUMULATE and allowed-lateness
// pipelines, each at batch sizes 1, 7 and 1024, against DuckDB.
func TestWindowDifferential(t *testing.T) {
	n := *wcasesFlag
	if testing.Short() {
		n = min(n, 20)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if *keepFlag {
		if work, err = os.MkdirTemp("", "difftest-win-"); err != nil {
			t.Fatal(err)
		}
		t.Logf("work directory: %s", work)
	}
	cases := make([]*testCase, n)
	split := map[string]int{}
	for i := range cases {
		cases[i] = newWindowCase(i, *wseedFlag+uint64(i))
		// one that splits among workers by key runs on 1, 2 and 3 (workersRuns)
		if res, _ := compiler.Compile("case.sql", "p", cases[i].query.Pipeline); res != nil && physical.Partition(res.Physical).Key >= 0 {
			cases[i].workers = true
			split[emitMode(cases[i].query.Pipeline)]++
		}
	}
	start := time.Now()
	bin := buildJobs(t, root, work, cases)
	t.Logf("compiled %d window pipelines (split among workers by key, by EMIT mode: %v) and built one job binary in %v", n, split, time.Since(start).Round(time.Millisecond))
	if n >= 100 && (split["AFTER WATERMARK"] < 5 || split["PERIODICALLY"] < 5) {
		t.Errorf("too few window cases under EMIT AFTER WATERMARK or PERIODICALLY split among workers: %v", split)
	}
	db := openDuckDB(t)
	var failed, empty, rows, lateRows int
	for _, c := range cases {
		ok := t.Run(fmt.Sprintf("window%03d_wseed%d", c.index, c.seed), func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.describe(), c.err)
			}
			st := runCase(t, db, bin, filepath.Join(work, "run", c.pkg), c)
			rows += st.rows
			lateRows += st.late
			if st.rows == 0 {
				empty++
			}
			if c.late && !c.query.lateRows && st.late != 0 {
				t.Errorf("%s\n-- %d rows were late, yet every row is within the allowed lateness", c.describe(), st.late)
			}
		})
		if !ok {
			failed++
		}
	}
	sorted, ordered := 0, 0
	for _, c := range cases {
		if c.query.SortedBy != nil {
			sorted++
		}
		if c.query.DuckOrder != "" {
			ordered++
		}
	}
	t.Logf("%d window cases at batch sizes %v (%d with ORDER BY per window, %d of them compared window by window as ordered lists): %d result rows compared, %d empty, %d late rows (over all batch sizes); %d failed",
		n, batchSizes, sorted, ordered, rows, empty, lateRows, failed)
	if n >= 50 && (sorted == 0 || ordered == 0) {
		t.Errorf("%d window cases have an ORDER BY, %d compared as ordered lists: the generator tests too little", sorted, ordered)
	}
	if n >= 50 && empty > n/4 {
		t.Errorf("%d of %d window cases have an empty result: the generator tests too little", empty, n)
	}
}

// TestLateStreamDifferential: the rows of LATE(src) are exactly the rows
// whose tumbling window had closed when they arrived (window_end <= the
// watermark before them), once per windowed view, at every batch size, for
// a window over the source and over views of it (views over views).
func TestLateStreamDifferential(t *testing.T) {
	n := 12
	if testing.Short() {
		n = 3
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	cases := lateStreamCases(n)
	for _, c := range cases {
		// a window over the source or over views of it, its late rows sunk:
		// split by key, on 1, 2 and 3 workers (workersRuns), the late file
		// the same at every count
		if res, _ := compiler.Compile("case.sql", "p", c.query.Pipeline); res != nil && physical.Partition(res.Physical).Key >= 0 {
			c.workers, c.split, c.sameReports = true, true, true
		} else {
			t.Errorf("case %d: a window over the source or over views of it must split among workers while LATE(src) is read", c.index)
		}
	}
	bin := buildJobs(t, root, work, cases)
	db := openDuckDB(t)
	for _, c := range cases {
		t.Run(fmt.Sprintf("late%02d", c.index), func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.describe(), c.err)
			}
			if st := runCase(t, db, bin, filepath.Join(work, "run", c.pkg), c); st.rows == 0 {
				t.Errorf("%s\n-- no late rows: the case tests nothing", c.describe())
			}
		})
	}
}

// TestLateStreamParquet runs the cases of TestLateStreamDifferential over a
// Parquet source (typed, read as column batches), the rows in arrival order
// in small row groups, on 1, 2 and 3 workers at batch sizes 1, 7 and 1024
// (workersRuns).
func TestLateStreamParquet(t *testing.T) {
	n := 8
	if testing.Short() {
		n = 2
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if *keepFlag {
		if work, err = os.MkdirTemp("", "difftest-"); err != nil {
			t.Fatal(err)
		}
		t.Logf("work directory: %s", work)
	}
	cases := lateStreamCases(n)
	const from, to = "path = 'in.jsonl', format = 'json'", "path = 'in.parquet', format = 'parquet'"
	for _, c := range cases {
		c.pkg = "p" + c.pkg
		c.repro = "go test -run TestLateStreamParquet"
		c.query.Pipeline = strings.Replace(c.query.Pipeline, from, to, 1)
		c.split = true // runJob: it ran on that many workers
	}
	bin := buildJobs(t, root, work, cases)
	db := openDuckDB(t)
	for _, c := range cases {
		t.Run(fmt.Sprintf("plate%02d", c.index), func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.describe(), c.err)
			}
			want, err := duckResult(db, c) // loads the rows into table t
			if err != nil {
				t.Fatalf("%s\n-- DuckDB: %v", c.describe(), err)
			}
			if want.Size() == 0 {
				t.Fatalf("%s\n-- no late rows: the case tests nothing", c.describe())
			}
			// a window fused into the source's loop moves the source's rows
			// between workers as the columns the views read (its late rows
			// made from them); one reading it through views, as the source's
			// rows, which its late rows are
			src, err := os.ReadFile(filepath.Join(work, c.pkg, "pipeline.go"))
			if err != nil {
				t.Fatal(err)
			}
			if slim := bytes.Contains(src, []byte("type partSrcRow struct")); slim != (c.index%2 == 0) {
				t.Errorf("%s\n-- part rows of the columns the views read: %v, want %v", c.describe(), slim, c.index%2 == 0)
			}
			// on 1, 2 and 3 workers by row groups of 64 rows, the late and
			// dead-letter files of every run the one-worker run's
			reports := map[string][]byte{}
			for i, run := range workersRuns {
				bs, workers := run[0], run[1]
				dir := filepath.Join(work, "run", c.pkg, fmt.Sprintf("bs%d-w%d", bs, workers))
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				copySQL := fmt.Sprintf(`COPY (SELECT k, g, x, n, b, make_timestamp(ts) AS ts FROM t ORDER BY rowid) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 64)`, filepath.Join(dir, "in.parquet"))
				if _, err := db.ExecContext(context.Background(), copySQL); err != nil {
					t.Fatalf("DuckDB writing the Parquet file: %v", err)
				}
				if runJob(t, bin, dir, c, bs, workers, want) == 0 {
					t.Errorf("%s\n-- the job reported no late row at batch size %d on %d workers", c.describe(), bs, workers)
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
}

// lateStreamCases are windows over a source with late rows, fused into its
// loop or behind two views with sinks of their own, and LATE(src) sunk or,
// in every third case, counted by a value of its rows.
func lateStreamCases(n int) []*testCase {
	cases := make([]*testCase, n)
	for i := range cases {
		seed := uint64(900 + i)
		r := rand.New(rand.NewPCG(seed, seed^0x510e527fade682d1))
		data := DataParams{Rows: 200 + r.IntN(300), DelayUS: []int64{0, 1_000_000, 2_000_000}[r.IntN(3)], LateP: 0.15, LateUS: 20_000_000}
		c := &testCase{index: i, seed: seed, pkg: fmt.Sprintf("case%d", i), multi: true, late: true,
			repro: "go test -run TestLateStreamDifferential"}
		c.rows = GenRows(r, data)
		c.input = WriteJSONL(r, c.rows)
		size := []int64{1_000_000, 5_000_000}[r.IntN(2)]
		delay := intervalText(r, data.DelayUS)
		if data.DelayUS == 0 {
			delay = "INTERVAL '0' SECOND"
		}
		// every other case windows the source through two views with sinks of
		// their own (operators of their own): their late rows are the source's too
		windowed, views := "src", ""
		if i%2 == 1 {
			windowed = "kept2"
			views = `CREATE VIEW kept AS SELECT * FROM src WHERE n = n;
CREATE VIEW kept2 AS SELECT ts, k, n FROM kept;
CREATE SINK kept_out FROM kept WITH (connector = 'blackhole');
CREATE SINK kept2_out FROM kept2 WITH (connector = 'blackhole');
`
		}
		c.query = Query{
			Pipeline: fmt.Sprintf(`CREATE SOURCE src (
  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - %s
) WITH (connector = 'file', path = 'in.jsonl', format = 'json');

%sCREATE VIEW counts AS SELECT k, window_start, COUNT(*) AS c FROM TUMBLE(%s, ts, %s) GROUP BY k, window_start;
CREATE VIEW late_rows AS SELECT view, n, k, ts FROM LATE(src) WHERE view = 'counts';
CREATE SINK counts_out FROM counts WITH (connector = 'blackhole');
CREATE SINK out FROM late_rows WITH (connector = 'file', path = 'out.jsonl', format = 'json');
`, delay, views, windowed, intervalText(r, size)),
			DuckSQL: fmt.Sprintf("SELECT 'counts' AS view, n, k, ts FROM t WHERE ts - ts %% %d + %d <= wm", size, size),
			Columns: []Column{{"view", KindString}, {"n", KindInt}, {"k", KindString}, {"ts", KindTimestamp}},
		}
		if i%3 == 2 {
			// the late rows counted by a value of their own: on workers, a
			// late row is found on its key's worker and sent on to the
			// worker owning its count (re-exchanged)
			pre := "CREATE VIEW late_rows AS SELECT view, n, k, ts FROM LATE(src) WHERE view = 'counts';\n"
			c.query.Pipeline = strings.Replace(c.query.Pipeline, pre, `CREATE VIEW late_rows AS SELECT view, n % 7 AS nb, n, k FROM LATE(src) WHERE view = 'counts';
CREATE VIEW late_counts AS SELECT nb, COUNT(*) AS c, SUM(n) AS s, MIN(k) AS lo FROM late_rows GROUP BY nb;
`, 1)
			c.query.Pipeline = strings.Replace(c.query.Pipeline, "CREATE SINK out FROM late_rows", "CREATE SINK out FROM late_counts", 1)
			c.query.DuckSQL = fmt.Sprintf("SELECT n %% 7 AS nb, COUNT(*) AS c, CAST(SUM(n) AS BIGINT) AS s, MIN(k) AS lo FROM t WHERE ts - ts %% %d + %d <= wm GROUP BY nb", size, size)
			c.query.Columns = []Column{{"nb", KindInt}, {"c", KindInt}, {"s", KindInt}, {"lo", KindString}}
			c.query.Updating = true
		}
		cases[i] = c
	}
	return cases
}

// emitMode is the EMIT mode a window pipeline names, or "default".
func emitMode(pipeline string) string {
	for _, m := range []string{"AFTER WATERMARK", "PERIODICALLY", "ON WINDOW CLOSE", "CHANGES"} {
		if strings.Contains(pipeline, "EMIT "+m) {
			return m
		}
	}
	return "default"
}
