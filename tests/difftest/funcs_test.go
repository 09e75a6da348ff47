package difftest

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

// funcCase is one view (or chain of views, the last feeding the sink) over
// the random source, with the DuckDB query that must give its table.
type funcCase struct {
	name     string
	views    string
	duck     string
	cols     []Column
	updating bool
}

const funcSource = `CREATE SOURCE src (
  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (connector = 'file', path = 'in.jsonl', format = 'json');
`

func colSpec(spec string) []Column {
	kinds := map[string]Kind{"i": KindInt, "f": KindFloat, "s": KindString, "t": KindTimestamp, "b": KindBool}
	var out []Column
	for _, f := range strings.Fields(spec) {
		name, k, _ := strings.Cut(f, ":")
		out = append(out, Column{name, kinds[k]})
	}
	return out
}

// aggCases: FIRST_VALUE/LAST_VALUE by event time (ties by arrival, DuckDB's
// rowid), STDDEV/VARIANCE, APPROX_COUNT_DISTINCT (exact below 256 values:
// g has 81, k a few) in tumbling and paned hopping windows, in updating
// views, with FILTER, and over an updating input (retractions).
var aggCases = []funcCase{
	{
		name: "tumble_ohlc_moments_sketch",
		views: `CREATE VIEW v AS SELECT k, window_start, FIRST_VALUE(x) AS o, LAST_VALUE(x) AS c, FIRST_VALUE(k) AS fk,
  LAST_VALUE(g) AS lg, STDDEV(x) AS sd, STDDEV_POP(n) AS sp, VARIANCE(g) AS v, VAR_POP(x) AS vp,
  VAR_SAMP(n) AS vs, APPROX_COUNT_DISTINCT(g) AS dg, APPROX_COUNT_DISTINCT(k) AS dk, APPROX_COUNT_DISTINCT(b) AS db
FROM TUMBLE(src, ts, INTERVAL '10' SECOND) GROUP BY k, window_start, window_end;
`,
		duck: `SELECT k, ts - ts % 10000000 AS ws,
  first(x ORDER BY ts, rowid) FILTER (WHERE x IS NOT NULL), last(x ORDER BY ts, rowid) FILTER (WHERE x IS NOT NULL),
  first(k ORDER BY ts, rowid) FILTER (WHERE k IS NOT NULL), last(g ORDER BY ts, rowid) FILTER (WHERE g IS NOT NULL),
  stddev_samp(x), stddev_pop(n), var_samp(g), var_pop(x), var_samp(n), count(DISTINCT g), count(DISTINCT k), count(DISTINCT b)
FROM t GROUP BY k, ws`,
		cols: colSpec("k:s window_start:t o:f c:f fk:s lg:i sd:f sp:f v:f vp:f vs:f dg:i dk:i db:i"),
	},
	{
		name: "hop_panes",
		views: `CREATE VIEW v AS SELECT window_start, window_end, FIRST_VALUE(n) AS o, LAST_VALUE(x) AS c,
  STDDEV_SAMP(x) AS sd, VAR_POP(n) AS vp, APPROX_COUNT_DISTINCT(g) AS dg
FROM HOP(src, ts, INTERVAL '5' SECOND, INTERVAL '15' SECOND) GROUP BY window_start, window_end;
`,
		duck: `SELECT ws, ws + 15000000, first(n ORDER BY ts, rid), last(x ORDER BY ts, rid) FILTER (WHERE x IS NOT NULL),
  stddev_samp(x), var_pop(n), count(DISTINCT g)
FROM (SELECT *, rowid AS rid, ts - ts % 5000000 - j * 5000000 AS ws FROM t CROSS JOIN range(0, 3) AS hops(j)) GROUP BY ws`,
		cols: colSpec("window_start:t window_end:t o:i c:f sd:f vp:f dg:i"),
	},
	{
		name: "updating_group_by_with_filter",
		views: `CREATE VIEW v AS SELECT k, FIRST_VALUE(n) AS f, LAST_VALUE(n) FILTER (WHERE b) AS l, STDDEV_POP(x) AS sp,
  VAR_SAMP(n) FILTER (WHERE g > 0) AS vs, APPROX_COUNT_DISTINCT(g) FILTER (WHERE NOT b) AS dg
FROM src GROUP BY k;
`,
		duck: `SELECT k, first(n ORDER BY ts, rowid), last(n ORDER BY ts, rowid) FILTER (WHERE b), stddev_pop(x),
  var_samp(n) FILTER (WHERE g > 0), count(DISTINCT g) FILTER (WHERE NOT b)
FROM t GROUP BY k`,
		cols:     colSpec("k:s f:i l:i sp:f vs:f dg:i"),
		updating: true,
	},
	{
		name: "over_updating_input",
		views: `CREATE VIEW v1 AS SELECT k, g, COUNT(*) AS c, SUM(n) AS s FROM src GROUP BY k, g;
CREATE VIEW v AS SELECT k, STDDEV_POP(s) AS sp, VAR_SAMP(c) AS vs, STDDEV(c) AS sd, APPROX_COUNT_DISTINCT(c) AS dc,
  APPROX_COUNT_DISTINCT(g) AS dg, COUNT(*) AS groups FROM v1 GROUP BY k;
`,
		duck: `WITH v1 AS (SELECT k, g, COUNT(*) AS c, SUM(n)::BIGINT AS s FROM t GROUP BY k, g)
SELECT k, stddev_pop(s), var_samp(c), stddev_samp(c), count(DISTINCT c), count(DISTINCT g), COUNT(*) FROM v1 GROUP BY k`,
		cols:     colSpec("k:s sp:f vs:f sd:f dc:i dg:i groups:i"),
		updating: true,
	},
	{
		name: "global_over_updating_input",
		views: `CREATE VIEW v1 AS SELECT g, COUNT(*) AS c FROM src GROUP BY g;
CREATE VIEW v AS SELECT VAR_POP(c) AS vp, STDDEV_SAMP(c) AS sd, APPROX_COUNT_DISTINCT(c) AS dc FROM v1;
`,
		duck: `WITH v1 AS (SELECT g, COUNT(*) AS c FROM t GROUP BY g)
SELECT var_pop(c), stddev_samp(c), count(DISTINCT c) FROM v1`,
		cols:     colSpec("vp:f sd:f dc:i"),
		updating: true,
	},
}

// runFuncCases runs each case over three random data sets, at batch sizes
// 1, 7 and 1024, against DuckDB.
func runFuncCases(t *testing.T, prefix string, fcs []funcCase) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	var cases []*testCase
	for i, fc := range fcs {
		last := strings.LastIndex(fc.views, "CREATE VIEW ")
		view := strings.Fields(fc.views[last+len("CREATE VIEW "):])[0]
		sql := funcSource + fc.views + fmt.Sprintf("CREATE SINK out FROM %s WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n", view)
		for d := range 3 {
			seed := uint64(1000*i + d + 1)
			r := rand.New(rand.NewPCG(seed, seed))
			rows := GenRows(r, DataParams{Rows: 150 + r.IntN(400), DelayUS: 2_000_000})
			cases = append(cases, &testCase{index: len(cases), seed: seed, pkg: fmt.Sprintf("%s%d_%d", prefix, i, d), multi: true,
				rows: rows, input: WriteJSONL(r, rows),
				query: Query{Pipeline: sql, DuckSQL: fc.duck, Columns: fc.cols, Updating: fc.updating}})
		}
	}
	bin := buildJobs(t, root, work, cases)
	db := openDuckDB(t)
	for _, c := range cases {
		t.Run(c.pkg, func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.query.Pipeline, c.err)
			}
			if st := runCase(t, db, bin, filepath.Join(work, "run", c.pkg), c); st.rows == 0 {
				t.Errorf("%s\n-- DuckDB's result is empty: the case tests nothing", c.query.Pipeline)
			}
		})
	}
}

// TestAggregatesAgainstDuckDB checks the aggregates beyond COUNT/SUM/MIN/MAX/AVG.
func TestAggregatesAgainstDuckDB(t *testing.T) { runFuncCases(t, "agg", aggCases) }
