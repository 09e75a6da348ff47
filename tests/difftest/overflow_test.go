package difftest

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestOverflowAgainstDuckDB runs huge values through BIGINT arithmetic, SUM,
// AVG and a DOUBLE SUM that overflows, in Laminar and in DuckDB. Where DuckDB
// has a value that fits the column's type, Laminar must have the same one;
// where DuckDB fails (a row's +, - or *) or has a value BIGINT cannot hold
// (a SUM, which DuckDB widens to HUGEINT), Laminar must set the row or group
// aside in the dead-letter output with the LDB code, and emit nothing wrong.
func TestOverflowAgainstDuckDB(t *testing.T) {
	const maxI, minI = math.MaxInt64, math.MinInt64
	p := func(v int64) *int64 { return &v }
	f := func(v float64) *float64 { return &v }
	s := func(v string) *string { return &v }
	base := int64(1709251200000000) // 2024-03-01, one window
	var rows []Row
	add := func(k string, n int64, g *int64, x *float64) {
		rows = append(rows, Row{K: s(k), N: n, G: g, X: x, TS: base + int64(len(rows))})
	}
	add("wraps", maxI, p(1), f(1e308))            // SUM(n) = 2·MaxInt64: out of BIGINT
	add("wraps", maxI, p(2), f(1e308))            // SUM(x) = +Inf
	add("back", maxI, p(-1), f(-1e308))           // SUM(n) overflows, then comes back: -2
	add("back", maxI, p(maxI), f(-1e308))         // n * g overflows
	add("back", minI, p(minI), f(1))              // n + g and n * g overflow
	add("back", minI, p(0), f(2))                 // fits
	add("small", 3, p(4), f(0.5))                 // nothing overflows
	add("small", -3037000500, p(3037000500), nil) // n * g just below MinInt64
	add("small", -3037000499, p(3037000499), nil) // n * g fits
	add("small", maxI-1, p(1), nil)               // n + g = MaxInt64, fits
	add("minus", minI, p(1), nil)                 // n - g overflows
	add("minus", minI+1, nil, nil)                // NULL g: nothing to compute
	input := WriteJSONL(rand.New(rand.NewPCG(1, 1)), rows)

	aggSQL := `CREATE SOURCE src (
  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (connector = 'file', path = 'in.jsonl', format = 'json');
CREATE VIEW v AS SELECT k, window_start, SUM(n) AS s, AVG(n) AS a, SUM(x) AS sx, COUNT(*) AS c
FROM TUMBLE(src, ts, INTERVAL '1' MINUTE) GROUP BY k, window_start, window_end;
CREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');
`
	rowSQL := strings.Replace(aggSQL, `SELECT k, window_start, SUM(n) AS s, AVG(n) AS a, SUM(x) AS sx, COUNT(*) AS c
FROM TUMBLE(src, ts, INTERVAL '1' MINUTE) GROUP BY k, window_start, window_end`,
		`SELECT k, n, n + g AS p, n - g AS d, n * g AS m FROM src`, 1)
	// a row expression that overflows in a windowed view, in its WHERE and
	// in an aggregate's argument
	windowSQL := strings.Replace(aggSQL, `SELECT k, window_start, SUM(n) AS s, AVG(n) AS a, SUM(x) AS sx, COUNT(*) AS c
FROM TUMBLE(src, ts, INTERVAL '1' MINUTE) GROUP BY k, window_start, window_end`,
		`SELECT k, window_start, COUNT(*) AS c, SUM(n - g) AS d
FROM TUMBLE(src, ts, INTERVAL '1' MINUTE) WHERE n + g <> 0 GROUP BY k, window_start, window_end`, 1)
	cases := []*testCase{
		{index: 0, pkg: "case0", rows: rows, input: input, query: Query{Pipeline: aggSQL}},
		{index: 1, pkg: "case1", rows: rows, input: input, query: Query{Pipeline: rowSQL}},
		{index: 2, pkg: "case2", rows: rows, input: input, query: Query{Pipeline: windowSQL}},
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	bin := buildJobs(t, root, work, cases)
	for _, c := range cases {
		if c.err != "" {
			t.Fatal(c.err)
		}
	}
	db := openDuckDB(t)
	// load the rows into t (duckResult does, with a query we do not need)
	cases[0].query.DuckSQL, cases[0].query.Columns = "SELECT 1", []Column{{"x", KindInt}}
	if _, err := duckResult(db, cases[0]); err != nil {
		t.Fatal(err)
	}

	run := func(c *testCase) (out []map[string]any, dead []map[string]any) {
		dir := filepath.Join(work, "run", c.pkg)
		mustWrite(t, filepath.Join(dir, "in.jsonl"), c.input)
		cmd := exec.Command(bin, c.pkg, "--base-dir", dir, "--quiet", "--progress", "never",
			"--dead-letter", filepath.Join(dir, "dead.jsonl"))
		if o, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("job %s: %v\n%s", c.pkg, err, o)
		}
		read := func(name string) (rs []map[string]any) {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				if line == "" {
					continue
				}
				var m map[string]any
				d := json.NewDecoder(strings.NewReader(line))
				d.UseNumber()
				if err := d.Decode(&m); err != nil {
					t.Fatalf("%s: %v: %s", name, err, line)
				}
				rs = append(rs, m)
			}
			return rs
		}
		return read("out.jsonl"), read("dead.jsonl")
	}

	// aggregates: DuckDB's SUM is a HUGEINT, compared as a decimal string
	out, dead := run(cases[0])
	got := map[string]map[string]any{}
	for _, r := range out {
		got[r["k"].(string)] = r
	}
	failed := map[string]string{}
	for _, d := range dead {
		failed[fmt.Sprint(d["group"])] = d["error"].(string)
	}
	q, err := db.QueryContext(context.Background(), `SELECT k, SUM(n)::VARCHAR, AVG(n), SUM(x), COUNT(*) FROM t GROUP BY k ORDER BY k`)
	if err != nil {
		t.Fatal(err)
	}
	groups := 0
	for q.Next() {
		var k, sum string
		var avg float64
		var sx *float64
		var cnt int64
		if err := q.Scan(&k, &sum, &avg, &sx, &cnt); err != nil {
			t.Fatal(err)
		}
		groups++
		exact, _ := new(big.Int).SetString(sum, 10)
		if !exact.IsInt64() {
			if e := failed[fmt.Sprintf("[%s]", k)]; !strings.HasPrefix(e, "LDB-6003") {
				t.Errorf("group %s: DuckDB's SUM %s does not fit BIGINT; want an LDB-6003 dead letter, got row %v, dead letters %v", k, sum, got[k], failed)
			}
			if got[k] != nil {
				t.Errorf("group %s: emitted %v for an unrepresentable SUM", k, got[k])
			}
			continue
		}
		r := got[k]
		if r == nil {
			t.Errorf("group %s: no row (DuckDB: sum %s avg %v)", k, sum, avg)
			continue
		}
		if r["s"].(json.Number).String() != sum {
			t.Errorf("group %s: SUM %v, DuckDB %s", k, r["s"], sum)
		}
		ga, _ := jsonValue(r["a"], KindFloat)
		if ga.(float64) != avg {
			t.Errorf("group %s: AVG %v, DuckDB %v", k, ga, avg)
		}
		gx, err := jsonValue(r["sx"], KindFloat)
		if err != nil || (sx == nil) != (gx == nil) || sx != nil && *sx != gx.(float64) {
			t.Errorf("group %s: SUM(x) %v (%v), DuckDB %v", k, r["sx"], err, sx)
		}
	}
	if groups != 4 || len(out)+len(failed) != 4 {
		t.Errorf("%d DuckDB groups, %d Laminar rows, %d dead letters", groups, len(out), len(failed))
	}

	// row arithmetic: DuckDB's error is TRY's NULL
	out, dead = run(cases[1])
	q, err = db.QueryContext(context.Background(), `SELECT k, n, g IS NULL, TRY(n + g), TRY(n - g), TRY(n * g) FROM t ORDER BY ts`)
	if err != nil {
		t.Fatal(err)
	}
	i, deadLines, wantDead := 0, map[int64]string{}, 0
	for _, d := range dead {
		n, _ := d["line"].(json.Number).Int64()
		deadLines[n] = d["error"].(string)
	}
	for line := int64(1); q.Next(); line++ {
		var k string
		var n int64
		var gNull bool
		var sum, diff, prod *int64
		if err := q.Scan(&k, &n, &gNull, &sum, &diff, &prod); err != nil {
			t.Fatal(err)
		}
		if !gNull && (sum == nil || diff == nil || prod == nil) {
			wantDead++
			if !strings.HasPrefix(deadLines[line], "LDB-6001") {
				t.Errorf("line %d (n %d): DuckDB fails; want an LDB-6001 dead letter, got %q", line, n, deadLines[line])
			}
			continue
		}
		if i >= len(out) {
			t.Fatalf("line %d: no output row", line)
		}
		r := out[i]
		i++
		want := map[string]*int64{"p": sum, "d": diff, "m": prod}
		for col, w := range want {
			if g := r[col]; (g == nil) != (w == nil) || w != nil && g.(json.Number).String() != fmt.Sprint(*w) {
				t.Errorf("line %d: %s = %v, DuckDB %v", line, col, g, w)
			}
		}
	}
	if i != len(out) {
		t.Errorf("%d output rows, %d compared", len(out), i)
	}
	if len(dead) != wantDead || wantDead < 5 {
		t.Errorf("%d dead letters, want %d: %v", len(dead), wantDead, dead)
	}

	// windowed: a row whose n + g or n - g fails is in no window
	out, dead = run(cases[2])
	q, err = db.QueryContext(context.Background(), `SELECT k, COUNT(*), SUM(n - g)::VARCHAR FROM t
WHERE g IS NOT NULL AND TRY(n + g) IS NOT NULL AND TRY(n - g) IS NOT NULL AND n + g <> 0 GROUP BY k`)
	if err != nil {
		t.Fatal(err)
	}
	got = map[string]map[string]any{}
	for _, r := range out {
		got[r["k"].(string)] = r
	}
	groups = 0
	for q.Next() {
		var k, d string
		var c int64
		if err := q.Scan(&k, &c, &d); err != nil {
			t.Fatal(err)
		}
		groups++
		if r := got[k]; r == nil || r["c"].(json.Number).String() != fmt.Sprint(c) || r["d"].(json.Number).String() != d {
			t.Errorf("window group %s: %v, DuckDB count %d sum %s", k, r, c, d)
		}
	}
	if groups != len(out) {
		t.Errorf("windowed: %d rows, DuckDB %d groups: %v", len(out), groups, out)
	}
	failedRows := 0
	for _, d := range dead {
		if strings.HasPrefix(d["error"].(string), "LDB-6001") && d["line"] != nil {
			failedRows++
		}
	}
	var wantFailed int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM t
WHERE g IS NOT NULL AND (TRY(n + g) IS NULL OR TRY(n - g) IS NULL)`).Scan(&wantFailed); err != nil {
		t.Fatal(err)
	}
	if failedRows != wantFailed || wantFailed < 5 || len(dead) != wantFailed {
		t.Errorf("windowed: %d rows dead-lettered with LDB-6001, DuckDB fails on %d: %v", failedRows, wantFailed, dead)
	}
}
