package difftest

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/physical"
)

// parquetRuns are the batch sizes and worker counts of a Parquet case.
var parquetRuns = [][2]int{{1024, 1}, {1, 2}, {7, 3}, {1024, 2}, {1024, 3}, {7, 1}}

var (
	pseedFlag  = flag.Uint64("pseed", 1, "seed of the first Parquet case; case i uses pseed+i")
	pcasesFlag = flag.Int("pcases", 40, "number of random cases over a Parquet source (8 with -short)")
)

// TestParquetDifferential runs the random single-view cases of
// TestDifferential over a Parquet source: DuckDB writes the case's rows as
// a Parquet file (small row groups, so that the planner's pushed-down
// filters skip some), the job reads it at batch sizes 1, 7 and 1024 on 1, 2
// and 3 workers (each reading and decoding row groups of its own: a plan
// that splits must have run on that many), and the result must equal
// DuckDB's answer over the same rows, with the late and dead-letter files
// of every run the first's (one worker), byte for byte.
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
		if res, _ := compiler.Compile("case.sql", c.pkg, c.query.Pipeline); res != nil {
			if len(res.Physical.Pushdown[0]) > 0 {
				pushed++
			}
			c.split = physical.Partition(res.Physical).Partitioned()
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
			res, diags := compiler.Compile("case.sql", c.pkg, c.query.Pipeline)
			if res == nil || len(res.Physical.Pushdown[0]) == 0 {
				t.Fatalf("pushdown case %d: no predicate pushed down (%v):\n%s", j, diags, c.query.Pipeline)
			}
			pushed++
			c.split = physical.Partition(res.Physical).Partitioned()
			cases = append(cases, c)
		}
	}
	// of the cases that split, those without state, with a GROUP BY and
	// with a window: each shape must be among them
	// and cases without state, and with g declared NOT NULL over rows
	// where it is NULL: those rows are dead letters (the file's row as
	// offset), identical on any number of workers
	for j, v := range []struct {
		notNull bool
		lam     string
		duck    string
		cols    []Column
		upd     bool
	}{
		{false, "SELECT k, g, n, x FROM src WHERE n % 3 <> 0", "SELECT k, g, n, x FROM t WHERE n % 3 <> 0",
			[]Column{{"k", KindString}, {"g", KindInt}, {"n", KindInt}, {"x", KindFloat}}, false},
		{true, "SELECT k, g, n FROM src WHERE n > 10", "SELECT k, g, n FROM t WHERE g IS NOT NULL AND n > 10",
			[]Column{{"k", KindString}, {"g", KindInt}, {"n", KindInt}}, false},
		{true, "SELECT g, COUNT(*) AS c, SUM(n) AS s FROM src GROUP BY g", "SELECT g, COUNT(*) AS c, CAST(SUM(n) AS BIGINT) AS s FROM t WHERE g IS NOT NULL GROUP BY g",
			[]Column{{"g", KindInt}, {"c", KindInt}, {"s", KindInt}}, true},
	} {
		i := len(cases)
		seed := *pseedFlag + uint64(2000+j)
		c := newCase(i, seed)
		c.pkg, c.late = fmt.Sprintf("pcase%d", i), false
		c.repro = fmt.Sprintf("go test -run TestParquetDifferential -pseed=%d (stateless or dead-letter case %d)", *pseedFlag, j)
		gType := "BIGINT"
		if v.notNull {
			gType = "BIGINT NOT NULL"
			for r := range c.rows {
				if r%13 == 5 || c.rows[r].G == nil {
					c.rows[r].G = nil
					c.malformed++
				}
			}
		}
		c.query = Query{
			Pipeline: "CREATE SOURCE src (\n  k VARCHAR, g " + gType + ", x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n" +
				"  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND\n) WITH (connector = 'file', path = 'in.parquet', format = 'parquet');\n\n" +
				"CREATE MATERIALIZED VIEW v AS\n" + v.lam + ";\n\n" +
				"CREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n",
			DuckSQL:  v.duck,
			Columns:  v.cols,
			Updating: v.upd,
		}
		res, diags := compiler.Compile("case.sql", c.pkg, c.query.Pipeline)
		if res == nil || !physical.Partition(res.Physical).Partitioned() {
			t.Fatalf("case %d does not split among workers (%v):\n%s", j, diags, c.query.Pipeline)
		}
		c.split = true
		cases = append(cases, c)
	}
	split := 0
	shapes := map[string]int{}
	for _, c := range cases {
		if !c.split {
			continue
		}
		split++
		res, _ := compiler.Compile("case.sql", c.pkg, c.query.Pipeline)
		shape := "stateless"
		for _, op := range res.Physical.Operators {
			switch {
			case op.Agg != nil && op.Windowed():
				shape = "window"
			case op.Agg != nil && shape != "window":
				shape = "group by"
			}
		}
		shapes[shape]++
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
			reports := map[string][]byte{}
			for ri, run := range parquetRuns {
				bs, workers := run[0], run[1]
				dir := filepath.Join(work, "run", c.pkg, fmt.Sprintf("bs%d-w%d", bs, workers))
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				writeParquet64(t, db, len(c.rows), filepath.Join(dir, "in.parquet"))
				if ri == 0 {
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
				runJob(t, bin, dir, c, bs, workers, want)
				if dead, _ := os.ReadFile(filepath.Join(dir, "dead.jsonl")); bytes.Count(dead, []byte("\n")) != c.malformed {
					t.Errorf("%s\n-- %d dead letters at batch size %d on %d workers, want %d:\n%s", c.describe(), bytes.Count(dead, []byte("\n")), bs, workers, c.malformed, dead)
				}
				for _, name := range []string{"late.jsonl", "dead.jsonl"} {
					got, _ := os.ReadFile(filepath.Join(dir, name))
					got = bytes.ReplaceAll(got, []byte(dir), []byte("RUN")) // a dead letter names the file
					if ri == 0 {
						reports[name] = got
					} else if !bytes.Equal(got, reports[name]) {
						t.Errorf("%s\n-- %s at batch size %d on %d workers differs from the one-worker run's:\n%s\nwant\n%s", c.describe(), name, bs, workers, got, reports[name])
					}
				}
			}
		})
	}
	t.Logf("%d cases (%d split among workers) at batch sizes and workers %v: %d result rows compared, the files had %d row groups; %d cases pushed a filter down to the reader", n, split, parquetRuns, rows, rowGroups, pushed)
	if n >= 20 && split < n/4 {
		t.Errorf("only %d of %d cases split among workers", split, n)
	}
	t.Logf("cases split among workers, by shape: %v", shapes)
	for _, shape := range []string{"stateless", "group by", "window"} {
		if n >= 20 && shapes[shape] == 0 {
			t.Errorf("no %s case split among workers", shape)
		}
	}
	if n >= 20 && pushed == 0 {
		t.Error("no case pushed a filter down: row-group skipping went untested")
	}
}

func timestampText(us int64) string {
	return time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05.999999")
}

// writeParquet64 writes the n rows of DuckDB's table t (loaded by
// duckResult) to a Parquet file at path in row groups of 64 rows. DuckDB
// cuts row groups at its chunks (2048 rows) at the least: a UNION ALL of
// 64-row slices makes chunks of 64.
func writeParquet64(t *testing.T, db *sql.Conn, n int, path string) {
	t.Helper()
	var parts []string
	for from := 0; from < n; from += 64 {
		parts = append(parts, fmt.Sprintf("SELECT k, g, x, n, b, make_timestamp(ts) AS ts FROM t WHERE rowid >= %d AND rowid < %d", from, from+64))
	}
	copySQL := fmt.Sprintf(`COPY (%s) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 64)`, strings.Join(parts, " UNION ALL "), path)
	if _, err := db.ExecContext(context.Background(), copySQL); err != nil {
		t.Fatalf("DuckDB writing the Parquet file: %v", err)
	}
}
