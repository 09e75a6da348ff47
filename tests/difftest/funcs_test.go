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
		name: "shared_distinct_sets",
		views: `CREATE VIEW v AS SELECT k, window_start, COUNT(DISTINCT g) AS d0, COUNT(DISTINCT g) FILTER (WHERE b) AS d1,
  COUNT(DISTINCT g) FILTER (WHERE n > 500) AS d2, COUNT(DISTINCT x) AS x0, COUNT(DISTINCT x) FILTER (WHERE g > 0) AS x1, COUNT(*) AS c
FROM TUMBLE(src, ts, INTERVAL '10' SECOND) GROUP BY k, window_start, window_end;
`,
		duck: `SELECT k, ts - ts % 10000000 AS ws, count(DISTINCT g), count(DISTINCT g) FILTER (WHERE b),
  count(DISTINCT g) FILTER (WHERE n > 500), count(DISTINCT x), count(DISTINCT x) FILTER (WHERE g > 0), count(*)
FROM t GROUP BY k, ws`,
		cols: colSpec("k:s window_start:t d0:i d1:i d2:i x0:i x1:i c:i"),
	},
	{
		name: "shared_distinct_updating",
		views: `CREATE VIEW v AS SELECT b, COUNT(DISTINCT k) AS d0, COUNT(DISTINCT k) FILTER (WHERE g < 0) AS d1,
  COUNT(DISTINCT k) FILTER (WHERE g >= 0) AS d2 FROM src GROUP BY b;
`,
		duck:     `SELECT b, count(DISTINCT k), count(DISTINCT k) FILTER (WHERE g < 0), count(DISTINCT k) FILTER (WHERE g >= 0) FROM t GROUP BY b`,
		cols:     colSpec("b:b d0:i d1:i d2:i"),
		updating: true,
	},
	{
		// FILTER over a NOT NULL argument (n): a group where no row passes
		// gives NULL, not 0 (g > 55 holds for few rows, g IS NULL never passes)
		name: "filter_not_null_tumble",
		views: `CREATE VIEW v AS SELECT k, window_start, MAX(n) FILTER (WHERE g > 55) AS mx, MIN(n + 1) FILTER (WHERE g > 55) AS mn,
  SUM(n) FILTER (WHERE g > 55) AS s, AVG(n) FILTER (WHERE g > 55) AS av, FIRST_VALUE(n) FILTER (WHERE g > 55) AS f,
  LAST_VALUE(k) FILTER (WHERE g > 55) AS l, STDDEV_POP(n) FILTER (WHERE g > 55) AS sp, COUNT(n) FILTER (WHERE g > 55) AS c,
  COUNT(*) AS rows_in
FROM TUMBLE(src, ts, INTERVAL '2' SECOND) GROUP BY k, window_start, window_end;
`,
		duck: `SELECT k, ts - ts % 2000000 AS ws, max(n) FILTER (WHERE g > 55), min(n + 1) FILTER (WHERE g > 55),
  sum(n) FILTER (WHERE g > 55)::BIGINT, avg(n) FILTER (WHERE g > 55), first(n ORDER BY ts, rowid) FILTER (WHERE g > 55),
  last(k ORDER BY ts, rowid) FILTER (WHERE g > 55 AND k IS NOT NULL), stddev_pop(n) FILTER (WHERE g > 55),
  count(n) FILTER (WHERE g > 55), count(*)
FROM t GROUP BY k, ws`,
		cols: colSpec("k:s window_start:t mx:i mn:i s:i av:f f:i l:s sp:f c:i rows_in:i"),
	},
	{
		name: "filter_not_null_updating",
		views: `CREATE VIEW v AS SELECT k, MAX(n) FILTER (WHERE g > 55) AS mx, MIN(n) FILTER (WHERE g > 55) AS mn,
  SUM(n) FILTER (WHERE g > 55) AS s, AVG(n) FILTER (WHERE g > 55) AS av, LAST_VALUE(n) FILTER (WHERE g > 55) AS l
FROM src GROUP BY k;
`,
		duck: `SELECT k, max(n) FILTER (WHERE g > 55), min(n) FILTER (WHERE g > 55), sum(n) FILTER (WHERE g > 55)::BIGINT,
  avg(n) FILTER (WHERE g > 55), last(n ORDER BY ts, rowid) FILTER (WHERE g > 55)
FROM t GROUP BY k`,
		cols:     colSpec("k:s mx:i mn:i s:i av:f l:i"),
		updating: true,
	},
	{
		// over an updating input, MIN/MAX keep multisets and SUM a count
		name: "filter_not_null_over_updating_input",
		views: `CREATE VIEW v1 AS SELECT k, g, COUNT(*) AS c, SUM(n) AS s FROM src GROUP BY k, g;
CREATE VIEW v AS SELECT k, MAX(c) FILTER (WHERE g > 50) AS mx, MIN(s) FILTER (WHERE g > 50) AS mn,
  SUM(c) FILTER (WHERE g > 50) AS sc, AVG(c) FILTER (WHERE g > 50) AS av FROM v1 GROUP BY k;
`,
		duck: `WITH v1 AS (SELECT k, g, COUNT(*) AS c, SUM(n)::BIGINT AS s FROM t GROUP BY k, g)
SELECT k, max(c) FILTER (WHERE g > 50), min(s) FILTER (WHERE g > 50), sum(c) FILTER (WHERE g > 50)::BIGINT,
  avg(c) FILTER (WHERE g > 50) FROM v1 GROUP BY k`,
		cols:     colSpec("k:s mx:i mn:i sc:i av:f"),
		updating: true,
	},
	{
		// FIRST_VALUE/LAST_VALUE(x ORDER BY y [DESC]): ties go to the first
		// (last) row to arrive, DuckDB's rowid; rows with a NULL x or y are skipped
		name: "first_last_order_by_tumble",
		views: `CREATE VIEW v AS SELECT k, window_start, FIRST_VALUE(x ORDER BY n) AS fx, LAST_VALUE(x ORDER BY n) AS lx,
  FIRST_VALUE(k ORDER BY g DESC) AS fk, LAST_VALUE(n ORDER BY g DESC) AS ln, FIRST_VALUE(g ORDER BY CAST(x AS DECIMAL(7,2))) AS fg,
  LAST_VALUE(b ORDER BY ts) FILTER (WHERE n > 300) AS lb
FROM TUMBLE(src, ts, INTERVAL '10' SECOND) GROUP BY k, window_start, window_end;
`,
		duck: `SELECT k, ts - ts % 10000000 AS ws, first(x ORDER BY n, rowid) FILTER (WHERE x IS NOT NULL),
  last(x ORDER BY n, rowid) FILTER (WHERE x IS NOT NULL), first(k ORDER BY g DESC, rowid) FILTER (WHERE k IS NOT NULL AND g IS NOT NULL),
  last(n ORDER BY g DESC, rowid) FILTER (WHERE g IS NOT NULL), first(g ORDER BY CAST(x AS DECIMAL(7,2)), rowid) FILTER (WHERE g IS NOT NULL AND x IS NOT NULL),
  last(b ORDER BY ts, rowid) FILTER (WHERE n > 300 AND b IS NOT NULL)
FROM t GROUP BY k, ws`,
		cols: colSpec("k:s window_start:t fx:f lx:f fk:s ln:i fg:i lb:b"),
	},
	{
		name: "first_last_order_by_updating",
		views: `CREATE VIEW v AS SELECT k, FIRST_VALUE(n ORDER BY g) AS fn, LAST_VALUE(x ORDER BY n DESC) AS lx FROM src GROUP BY k;
`,
		duck: `SELECT k, first(n ORDER BY g, rowid) FILTER (WHERE g IS NOT NULL), last(x ORDER BY n DESC, rowid) FILTER (WHERE x IS NOT NULL)
FROM t GROUP BY k`,
		cols:     colSpec("k:s fn:i lx:f"),
		updating: true,
	},
	{
		// over an updating input a tie goes to the least (greatest) value
		name: "first_last_order_by_over_updating_input",
		views: `CREATE VIEW v1 AS SELECT k, g, COUNT(*) AS c, SUM(n) AS s FROM src GROUP BY k, g;
CREATE VIEW v AS SELECT k, FIRST_VALUE(g ORDER BY s) AS fg, LAST_VALUE(c ORDER BY s DESC) AS lc, COUNT(*) AS groups FROM v1 GROUP BY k;
`,
		duck: `WITH v1 AS (SELECT k, g, COUNT(*) AS c, SUM(n)::BIGINT AS s FROM t GROUP BY k, g)
SELECT k, first(g ORDER BY s, g) FILTER (WHERE g IS NOT NULL), last(c ORDER BY s DESC, c), COUNT(*) FROM v1 GROUP BY k`,
		cols:     colSpec("k:s fg:i lc:i groups:i"),
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
	cases := funcTestCases(prefix, fcs)
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

// funcTestCases are the test cases of fcs, each over three data sets.
func funcTestCases(prefix string, fcs []funcCase) []*testCase {
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
	return cases
}

// TestAggregatesAgainstDuckDB checks the aggregates beyond COUNT/SUM/MIN/MAX/AVG.
func TestAggregatesAgainstDuckDB(t *testing.T) { runFuncCases(t, "agg", aggCases) }

// scalarCases: the function library, row by row, against DuckDB (which
// lacks TO_CHAR, TIMESTAMPADD, TIMESTAMPDIFF and INITCAP: its strftime,
// interval arithmetic and date_sub compute the same).
var scalarCases = []funcCase{
	{
		name: "strings",
		views: `CREATE VIEW v AS SELECT k, TRIM(k) AS a, LTRIM(CONCAT('  ', k, ' ')) AS lt, RTRIM(CONCAT(' ', k, '  ')) AS rt,
  TRIM(BOTH 'a' FROM k) AS tb, TRIM(LEADING 'a' FROM k) AS tl, RTRIM(k, 'ab') AS tr, REPLACE(k, 'a', 'xy') AS re,
  POSITION('b' IN k) AS po, SPLIT_PART(CONCAT(k, ',', g, ',', n), ',', 2) AS s2, SPLIT_PART(k, 'a', -1) AS sl,
  SPLIT_PART(k, 'a', 3) AS s3, CONCAT(k, g, b) AS co, CONCAT_WS('-', k, g, n) AS cw, CONCAT_WS(k, 'p', 'q') AS cs,
  LPAD(k, 3, 'xy') AS lp, RPAD(k, 2, '.') AS rp, LPAD(k, g % 4) AS lz, CHAR_LENGTH(k) AS cl,
  REGEXP_REPLACE(k, '[ab]', 'Z') AS r1, REGEXP_REPLACE(k, '([ab])', '<\1>', 'g') AS r2, REGEXP_REPLACE(k, 'A', '_', 'gi') AS r3,
  REGEXP_LIKE(k, 'b$') AS l1, REGEXP_LIKE(k, '^A', 'i') AS l2
FROM src;
`,
		duck: `SELECT k, trim(k), ltrim(concat('  ', k, ' ')), rtrim(concat(' ', k, '  ')), trim(k, 'a'), ltrim(k, 'a'), rtrim(k, 'ab'),
  replace(k, 'a', 'xy'), position('b' IN k), split_part(concat(k, ',', g, ',', n), ',', 2), split_part(k, 'a', -1),
  split_part(k, 'a', 3), concat(k, g, b), concat_ws('-', k, g, n), concat_ws(k, 'p', 'q'), lpad(k, 3, 'xy'), rpad(k, 2, '.'),
  lpad(k, (g % 4)::INTEGER, ' '), length(k), regexp_replace(k, '[ab]', 'Z'), regexp_replace(k, '([ab])', '<\1>', 'g'),
  regexp_replace(k, 'A', '_', 'gi'), regexp_matches(k, 'b$'), regexp_matches(k, '^A', 'i')
FROM t`,
		cols: colSpec("k:s a:s lt:s rt:s tb:s tl:s tr:s re:s po:i s2:s sl:s s3:s co:s cw:s cs:s lp:s rp:s lz:s cl:i r1:s r2:s r3:s l1:b l2:b"),
	},
	{
		// the parameter idiom `(&|^)key=([^&]*)` and literal-filtered patterns
		// (runtime/value's fast paths) and LOWER(x) = 'lit' (value.LowerEquals)
		name: "regexp_params_and_lower_equals",
		views: `CREATE VIEW v AS SELECT k, REGEXP_EXTRACT(CONCAT(k, '=', g, '&', k, '=', n % 3), '(&|^)a=([^&]*)', 2) AS p1,
  REGEXP_EXTRACT(CONCAT(k, '&a=', g), '(^|&)a=([^&]*)', 1) AS p2, REGEXP_LIKE(CONCAT(k, '=', g), '(&|^)b=([^&]*)') AS p3,
  REGEXP_EXTRACT(k, 'a(b)', 1) AS p4, REGEXP_REPLACE(CONCAT(k, '=', g), '(&|^)b=([^&]*)', '<\2>') AS p5,
  LOWER(k) = 'b' AS e1, LOWER(k) <> 'ab' AS e2, 'xyz' = LOWER(k) AS e3
FROM src;
`,
		duck: `SELECT k, CASE WHEN regexp_matches(s1, '(&|^)a=([^&]*)') THEN regexp_extract(s1, '(&|^)a=([^&]*)', 2) END,
  CASE WHEN regexp_matches(s2, '(^|&)a=([^&]*)') THEN regexp_extract(s2, '(^|&)a=([^&]*)', 1) END,
  regexp_matches(s3, '(&|^)b=([^&]*)'), CASE WHEN regexp_matches(k, 'a(b)') THEN regexp_extract(k, 'a(b)', 1) END,
  regexp_replace(s3, '(&|^)b=([^&]*)', '<\2>'), lower(k) = 'b', lower(k) <> 'ab', 'xyz' = lower(k)
FROM (SELECT *, concat(k, '=', g, '&', k, '=', n % 3) AS s1, concat(k, '&a=', g) AS s2, concat(k, '=', g) AS s3 FROM t)`,
		cols: colSpec("k:s p1:s p2:s p3:b p4:s p5:s e1:b e2:b e3:b"),
	},
	{
		name: "comparisons",
		views: `CREATE VIEW v AS SELECT k, g, GREATEST(g, n, x) AS gr, LEAST(g, x) AS le, GREATEST(k, 'b') AS gk, LEAST(g, NULL) AS ln,
  NULLIF(g, 3) AS ni, NULLIF(k, 'a') AS nk, g IS DISTINCT FROM n % 5 AS d1, k IS NOT DISTINCT FROM 'a' AS d2,
  x IS DISTINCT FROM NULL AS d3, b IS NOT DISTINCT FROM (g > 0) AS d4,
  b IS TRUE AS t1, b IS NOT FALSE AS t2, b IS UNKNOWN AS t3, (g > 0) IS NOT TRUE AS t4, k ILIKE 'A%' AS il,
  k NOT ILIKE '%B' AS nil, TRY_CAST(k AS BIGINT) AS tc, ts >= DATE '2024-03-01' AS dl
FROM src;
`,
		duck: `SELECT k, g, greatest(g, n, x), least(g, x), greatest(k, 'b'), least(g, NULL), nullif(g, 3), nullif(k, 'a'),
  g IS DISTINCT FROM n % 5, k IS NOT DISTINCT FROM 'a', x IS DISTINCT FROM NULL, b IS NOT DISTINCT FROM (g > 0),
  b IS TRUE, b IS NOT FALSE, b IS UNKNOWN, (g > 0) IS NOT TRUE, k ILIKE 'A%', k NOT ILIKE '%B', TRY_CAST(k AS BIGINT),
  make_timestamp(ts) >= DATE '2024-03-01'
FROM t`,
		cols: colSpec("k:s g:i gr:f le:f gk:s ln:i ni:i nk:s d1:b d2:b d3:b d4:b t1:b t2:b t3:b t4:b il:b nil:b tc:i dl:b"),
	},
	{
		name: "extract_and_trunc",
		views: `CREATE VIEW v AS SELECT ts, EXTRACT(YEAR FROM ts) AS y, EXTRACT(QUARTER FROM ts) AS q, EXTRACT(MONTH FROM ts) AS mo,
  EXTRACT(DAY FROM ts) AS d, EXTRACT(HOUR FROM ts) AS h, EXTRACT(MINUTE FROM ts) AS mi, EXTRACT(SECOND FROM ts) AS s,
  EXTRACT(MILLISECOND FROM ts) AS ms, EXTRACT(MICROSECOND FROM ts) AS us, EXTRACT(DOW FROM ts) AS dw, EXTRACT(ISODOW FROM ts) AS idw,
  EXTRACT(DOY FROM ts) AS dy, EXTRACT(WEEK FROM ts) AS wk, EXTRACT(EPOCH FROM ts) AS ep, DATE_PART('hour', ts) AS dp,
  DATE_TRUNC('second', ts) AS t1, DATE_TRUNC('minute', ts) AS t2, DATE_TRUNC('hour', ts) AS t3, DATE_TRUNC('day', ts) AS t4,
  DATE_TRUNC('week', ts) AS t5, DATE_TRUNC('month', ts) AS t6, DATE_TRUNC('quarter', ts) AS t7, DATE_TRUNC('year', ts) AS t8,
  DATE_TRUNC('millisecond', ts) AS t9, EXTRACT(MONTH FROM TIMESTAMPADD(DAY, g * 11, ts)) AS mg
FROM src;
`,
		duck: `SELECT epoch_us(tt), extract(year FROM tt), extract(quarter FROM tt), extract(month FROM tt), extract(day FROM tt),
  extract(hour FROM tt), extract(minute FROM tt), extract(second FROM tt), extract(millisecond FROM tt), extract(microsecond FROM tt),
  extract(dow FROM tt), extract(isodow FROM tt), extract(doy FROM tt), extract(week FROM tt), extract(epoch FROM tt), date_part('hour', tt),
  date_trunc('second', tt), date_trunc('minute', tt), date_trunc('hour', tt), date_trunc('day', tt), date_trunc('week', tt),
  date_trunc('month', tt), date_trunc('quarter', tt), date_trunc('year', tt), date_trunc('millisecond', tt),
  extract(month FROM tt + to_days((g * 11)::INTEGER))
FROM (SELECT *, make_timestamp(ts) AS tt FROM t)`,
		cols: colSpec("ts:t y:i q:i mo:i d:i h:i mi:i s:i ms:i us:i dw:i idw:i dy:i wk:i ep:f dp:i t1:t t2:t t3:t t4:t t5:t t6:t t7:t t8:t t9:t mg:i"),
	},
	{
		name: "format_add_diff_epoch",
		views: `CREATE VIEW v AS SELECT ts, TO_CHAR(ts, 'YYYY-MM-DD HH24:MI:SS.US Dy Mon DDD "at" HH12 AM') AS tc,
  DATE_FORMAT(ts, 'EEEE d MMMM yy h:mm:ss.SSS a') AS df,
  TIMESTAMPADD(SECOND, n, ts) AS a1, TIMESTAMPADD(MINUTE, g, ts) AS a2, TIMESTAMPADD(DAY, g, ts) AS a3,
  TIMESTAMPADD(MONTH, g, TIMESTAMPADD(DAY, n % 31, ts)) AS a4, TIMESTAMPADD(YEAR, g, ts) AS a5, TIMESTAMPADD(WEEK, g, ts) AS a6,
  TIMESTAMPDIFF(SECOND, TIMESTAMP '2024-03-01 00:00:00', ts) AS d1, TIMESTAMPDIFF(HOUR, ts, TIMESTAMP '2024-01-01 00:00:00') AS d2,
  TIMESTAMPDIFF(MONTH, TIMESTAMP '2023-01-31 12:00:00', TIMESTAMPADD(DAY, g * 7, ts)) AS d3,
  TIMESTAMPDIFF(MONTH, TIMESTAMPADD(DAY, g * 9, ts), TIMESTAMP '2024-02-29 06:00:00') AS d4,
  TIMESTAMPDIFF(YEAR, TIMESTAMP '2000-03-01 12:00:00', ts) AS d5, TIMESTAMPDIFF(DAY, ts, TIMESTAMPADD(SECOND, n * 1000, ts)) AS d6,
  TO_TIMESTAMP(n * 1000000 + 0.25) AS tt, TO_TIMESTAMP(DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss')) AS tp,
  TO_TIMESTAMP(CONCAT(k, '2024')) AS tbad, EPOCH_MS(ts) AS em, EPOCH_MS(n * 1000000) AS fm, EPOCH(ts) AS ep,
  TO_TIMESTAMP_LTZ(n * 1000, 3) AS lz, EPOCH_US(ts) AS eu, MAKE_TIMESTAMP(n) AS mt
FROM src;
`,
		duck: `SELECT epoch_us(tt), strftime(tt, '%Y-%m-%d %H:%M:%S.%f %a %b %j at %I %p'),
  strftime(tt, '%A %-d %B %y %-I:%M:%S.%g %p'),
  tt + to_seconds(n), tt + to_minutes(g), tt + to_days(g::INTEGER), (tt + to_days((n % 31)::INTEGER)) + to_months(g::INTEGER),
  tt + to_years(g::INTEGER), tt + to_weeks(g::INTEGER),
  date_sub('second', TIMESTAMP '2024-03-01 00:00:00', tt), date_sub('hour', tt, TIMESTAMP '2024-01-01 00:00:00'),
  date_sub('month', TIMESTAMP '2023-01-31 12:00:00', tt + to_days((g * 7)::INTEGER)),
  date_sub('month', tt + to_days((g * 9)::INTEGER), TIMESTAMP '2024-02-29 06:00:00'),
  date_sub('year', TIMESTAMP '2000-03-01 12:00:00', tt), date_sub('day', tt, tt + to_seconds(n * 1000)),
  to_timestamp(n * 1000000 + 0.25), strptime(strftime(tt, '%Y-%m-%d %H:%M:%S'), '%Y-%m-%d %H:%M:%S'),
  try_strptime(concat(k, '2024'), '%Y-%m-%d %H:%M:%S'), epoch_ms(tt), epoch_ms(n * 1000000), epoch(tt),
  make_timestamp(n * 1000000), epoch_us(tt), make_timestamp(n)
FROM (SELECT *, make_timestamp(ts) AS tt FROM t)`,
		cols: colSpec("ts:t tc:s df:s a1:t a2:t a3:t a4:t a5:t a6:t d1:i d2:i d3:i d4:i d5:i d6:i tt:t tp:t tbad:t em:i fm:t ep:f lz:t eu:i mt:t"),
	},
}

// TestScalarFunctionsAgainstDuckDB checks the function library row by row.
func TestScalarFunctionsAgainstDuckDB(t *testing.T) { runFuncCases(t, "fn", scalarCases) }
