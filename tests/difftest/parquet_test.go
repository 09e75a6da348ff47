package difftest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/compiler"
)

var (
	pseedFlag  = flag.Uint64("pseed", 1, "seed of the first Parquet case; case i uses pseed+i")
	pcasesFlag = flag.Int("pcases", 40, "number of random cases over a Parquet source (8 with -short)")
)

// TestParquetDifferential runs the random single-view cases of
// TestDifferential over a Parquet source: DuckDB writes the case's rows as
// a Parquet file (small row groups, so that the planner's pushed-down
// filters skip some), the job reads it at batch sizes 1, 7 and 1024, and
// the result must equal DuckDB's answer over the same rows.
func TestParquetDifferential(t *testing.T) {
	n := *pcasesFlag
	if testing.Short() {
		n = min(n, 8)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	var cases []*testCase
	pushed := 0 // cases whose filters the reader uses to skip row groups
	for i := range n {
		seed := *pseedFlag + uint64(i)
		c := newCase(i, seed)
		c.pkg = fmt.Sprintf("pcase%d", i)
		c.repro = fmt.Sprintf("go test -run TestParquetDifferential -pseed=%d -pcases=1", seed)
		const from, to = "path = 'in.jsonl', format = 'json'", "path = 'in.parquet', format = 'parquet'"
		if !strings.Contains(c.query.Pipeline, from) {
			t.Fatalf("case %d: the pipeline does not read in.jsonl:\n%s", i, c.query.Pipeline)
		}
		c.query.Pipeline = strings.Replace(c.query.Pipeline, from, to, 1)
		if res, _ := compiler.Compile("case.sql", c.pkg, c.query.Pipeline); res != nil && len(res.Physical.Pushdown[0]) > 0 {
			pushed++
		}
		cases = append(cases, c)
	}
	// and cases whose filters the planner pushes down, over the rows of
	// random cases: an event-time range, a bound on a column, a key
	for j, where := range []func(c *testCase) (lam, duck string){
		func(c *testCase) (string, string) {
			mid := c.rows[len(c.rows)/2].TS
			return fmt.Sprintf("ts >= TIMESTAMP '%s' AND n > 0", timestampText(mid)), fmt.Sprintf("ts >= %d AND n > 0", mid)
		},
		func(c *testCase) (string, string) {
			q := c.rows[len(c.rows)/4].TS
			return fmt.Sprintf("TIMESTAMP '%s' > ts", timestampText(q)), fmt.Sprintf("ts < %d", q)
		},
		func(c *testCase) (string, string) { return "g = 3 AND n <= 40", "g = 3 AND n <= 40" },
		func(c *testCase) (string, string) { return "k = 'b'", "k = 'b'" },
	} {
		for rep := range 2 {
			i := len(cases)
			seed := *pseedFlag + uint64(1000+2*j+rep)
			c := newCase(i, seed)
			c.pkg, c.late = fmt.Sprintf("pcase%d", i), false
			c.repro = fmt.Sprintf("go test -run TestParquetDifferential -pseed=%d (pushdown case %d)", *pseedFlag, j)
			lam, duck := where(c)
			c.query = Query{
				Pipeline: "CREATE SOURCE src (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n" +
					"  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND\n) WITH (connector = 'file', path = 'in.parquet', format = 'parquet');\n\n" +
					"CREATE MATERIALIZED VIEW v AS\nSELECT g, COUNT(*) AS c, SUM(n) AS s, MAX(x) AS mx\nFROM src\nWHERE " + lam + "\nGROUP BY g;\n\n" +
					"CREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n",
				DuckSQL:  "SELECT g, COUNT(*) AS c, CAST(SUM(n) AS BIGINT) AS s, MAX(x) AS mx FROM t WHERE " + duck + " GROUP BY g",
				Columns:  []Column{{"g", KindInt}, {"c", KindInt}, {"s", KindInt}, {"mx", KindFloat}},
				Updating: true,
			}
			if res, diags := compiler.Compile("case.sql", c.pkg, c.query.Pipeline); res == nil || len(res.Physical.Pushdown[0]) == 0 {
				t.Fatalf("pushdown case %d: no predicate pushed down (%v):\n%s", j, diags, c.query.Pipeline)
			}
			pushed++
			cases = append(cases, c)
		}
	}
	n = len(cases)
	start := time.Now()
	bin := buildJobs(t, root, work, cases)
	t.Logf("compiled %d pipelines and built one job binary in %v", len(cases), time.Since(start).Round(time.Millisecond))
	db := openDuckDB(t)
	rows, rowGroups := 0, 0
	for _, c := range cases {
		t.Run(fmt.Sprintf("pcase%03d_seed%d", c.index, c.seed), func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.describe(), c.err)
			}
			want, err := duckResult(db, c) // loads the rows into table t
			if err != nil {
				t.Fatalf("%s\n-- DuckDB: %v", c.describe(), err)
			}
			rows += want.Size()
			for _, bs := range batchSizes {
				dir := filepath.Join(work, "run", c.pkg, fmt.Sprintf("bs%d", bs))
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				// DuckDB cuts row groups at its chunks (2048 rows) at the
				// least: a UNION ALL of 64-row slices makes chunks of 64
				var parts []string
				for from := 0; from < len(c.rows); from += 64 {
					parts = append(parts, fmt.Sprintf("SELECT k, g, x, n, b, make_timestamp(ts) AS ts FROM t WHERE rowid >= %d AND rowid < %d", from, from+64))
				}
				copySQL := fmt.Sprintf(`COPY (%s) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 64)`, strings.Join(parts, " UNION ALL "), filepath.Join(dir, "in.parquet"))
				if _, err := db.ExecContext(context.Background(), copySQL); err != nil {
					t.Fatalf("DuckDB writing the Parquet file: %v", err)
				}
				if bs == 1 {
					var groups int
					q := fmt.Sprintf(`SELECT count(DISTINCT row_group_id) FROM parquet_metadata('%s')`, filepath.Join(dir, "in.parquet"))
					if err := db.QueryRowContext(context.Background(), q).Scan(&groups); err != nil {
						t.Fatal(err)
					}
					if want := (len(c.rows) + 63) / 64; groups < 2 || groups > want {
						t.Fatalf("DuckDB wrote %d row groups of %d rows, want 2 to %d", groups, len(c.rows), want)
					}
					rowGroups += groups
				}
				runJob(t, bin, dir, c, bs, 0, want)
			}
		})
	}
	t.Logf("%d cases at batch sizes %v: %d result rows compared, the files had %d row groups; %d cases pushed a filter down to the reader", n, batchSizes, rows, rowGroups, pushed)
	if n >= 20 && pushed == 0 {
		t.Error("no case pushed a filter down: row-group skipping went untested")
	}
}

func timestampText(us int64) string {
	return time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05.999999")
}
