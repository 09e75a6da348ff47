package difftest

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/physical"
)

// TestWorkersDeadLettersText runs a tumbling window over a JSON or CSV
// source whose rows move between workers as the columns the views read
// (part<S>Row), with late rows (LATE(src) sunk) and rows whose n * g overflows (dead letters),
// on 1, 2 and 3 workers at batch sizes 1, 7 and 1024 (workersRuns): the late
// rows are DuckDB's, and the late and dead-letter files of every run are the
// one-worker run's, byte for byte. In every other case four stateless views
// whose n + g overflows read the source too: past the inline limit every
// view's row is a function of its own, whose failed rows are reported as the
// source's row made from the part's columns. The second half of the cases
// read the rows as CSV, whose part rows are the same code's.
func TestWorkersDeadLettersText(t *testing.T) {
	n := 8
	if testing.Short() {
		n = 4
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if *keepFlag {
		if work, err = os.MkdirTemp("", "difftest-wdead-"); err != nil {
			t.Fatal(err)
		}
		t.Logf("work directory: %s", work)
	}
	var cases []*testCase
	failing := map[int]int{} // case index: its dead letters
	for i := range n {
		seed := uint64(1300 + i)
		r := rand.New(rand.NewPCG(seed, seed^0x243f6a8885a308d3))
		data := DataParams{Rows: 200 + r.IntN(300), DelayUS: []int64{0, 1_000_000, 2_000_000}[r.IntN(3)], LateP: 0.15, LateUS: 20_000_000}
		c := &testCase{index: i, seed: seed, pkg: fmt.Sprintf("wdcase%d", i), multi: true, late: true,
			workers: true, split: true, sameReports: true, repro: "go test -run TestWorkersDeadLettersText"}
		c.rows = GenRows(r, data)
		size := []int64{1_000_000, 5_000_000}[r.IntN(2)]
		views := ""
		if i%2 == 1 {
			for v := range 4 {
				views += fmt.Sprintf("CREATE VIEW s%d AS SELECT k, n + g AS p%d FROM src WHERE n > %d;\nCREATE SINK s%d_out FROM s%d WITH (connector = 'blackhole');\n", v, v, v, v, v)
			}
		}
		// rows not late whose n * g overflows (and n + g, in the stateless
		// views): set aside, never late
		dead := 0
		for ri := range c.rows {
			row := &c.rows[ri]
			if ri%9 != 4 || row.TS-row.TS%size+size <= row.WM {
				continue
			}
			g := int64(3)
			row.N, row.G = math.MaxInt64-int64(ri), &g
			dead++ // once, by the first view that fails
		}
		format := "json"
		if i >= n/2 {
			format = "csv"
			c.input = writeCSV(c.rows)
		} else {
			c.input = WriteJSONL(r, c.rows)
		}
		failing[i] = dead
		delay := intervalText(r, data.DelayUS)
		if data.DelayUS == 0 {
			delay = "INTERVAL '0' SECOND"
		}
		c.query = Query{
			Pipeline: fmt.Sprintf(`CREATE SOURCE src (
  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - %s
) WITH (connector = 'file', path = 'in.jsonl', format = '%s');

%sCREATE VIEW counts AS SELECT k, window_start, COUNT(*) AS c, SUM(n * g) AS m FROM TUMBLE(src, ts, %s) GROUP BY k, window_start;
CREATE VIEW late_rows AS SELECT view, n, k, ts FROM LATE(src) WHERE view = 'counts';
CREATE SINK counts_out FROM counts WITH (connector = 'blackhole');
CREATE SINK out FROM late_rows WITH (connector = 'file', path = 'out.jsonl', format = 'json');
`, delay, format, views, intervalText(r, size)),
			DuckSQL: fmt.Sprintf("SELECT 'counts' AS view, n, k, ts FROM t WHERE ts - ts %% %d + %d <= wm", size, size),
			Columns: []Column{{"view", KindString}, {"n", KindInt}, {"k", KindString}, {"ts", KindTimestamp}},
		}
		if res, _ := compiler.Compile("case.sql", c.pkg, c.query.Pipeline); res == nil || physical.Partition(res.Physical).Key < 0 {
			t.Fatalf("case %d does not split among workers by key:\n%s", i, c.query.Pipeline)
		}
		cases = append(cases, c)
	}
	bin := buildJobs(t, root, work, cases)
	db := openDuckDB(t)
	for _, c := range cases {
		t.Run(fmt.Sprintf("wdead%02d", c.index), func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.describe(), c.err)
			}
			src, err := os.ReadFile(filepath.Join(work, c.pkg, "pipeline.go"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(src, []byte("type partSrcRow struct")) {
				t.Errorf("%s\n-- the part rows are not the columns the views read (partSrcRow)", c.describe())
			}
			if fns := strings.Contains(string(src), "func (p *engine) partOp"); fns != (c.index%2 == 1) {
				t.Errorf("%s\n-- the part's views as row functions: %v, want %v", c.describe(), fns, c.index%2 == 1)
			}
			dir := filepath.Join(work, "run", c.pkg)
			if st := runCase(t, db, bin, dir, c); st.rows == 0 {
				t.Errorf("%s\n-- no late rows: the case tests nothing", c.describe())
			}
			for _, run := range workersRuns {
				got, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("bs%d-w%d", run[0], run[1]), "dead.jsonl"))
				if lines := bytes.Count(got, []byte("\n")); lines != failing[c.index] || lines == 0 {
					t.Errorf("%s\n-- %d dead letters at batch size %d on %d workers, want %d (not 0):\n%s", c.describe(), lines, run[0], run[1], failing[c.index], got)
				}
			}
		})
	}
}

// writeCSV writes rows as CSV records of the source's columns in order
// (k, g, x, n, b, ts): NULL an empty field, a string always quoted (an
// empty quoted field is the empty string).
func writeCSV(rows []Row) []byte {
	var buf bytes.Buffer
	for _, row := range rows {
		if row.K != nil {
			buf.WriteString(strconv.Quote(*row.K))
		}
		buf.WriteByte(',')
		if row.G != nil {
			buf.WriteString(strconv.FormatInt(*row.G, 10))
		}
		buf.WriteByte(',')
		if row.X != nil {
			buf.WriteString(strconv.FormatFloat(*row.X, 'g', -1, 64))
		}
		buf.WriteString("," + strconv.FormatInt(row.N, 10) + ",")
		if row.B != nil {
			buf.WriteString(strconv.FormatBool(*row.B))
		}
		buf.WriteString("," + time.UnixMicro(row.TS).UTC().Format(time.RFC3339Nano) + "\n")
	}
	return buf.Bytes()
}
