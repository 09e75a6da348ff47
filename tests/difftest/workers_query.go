package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// GenWorkersQuery generates an aggregate over an aggregate over source src
// (and now and then a filter over the result): the first view grouped by
// one or two source columns, the second by a column of the first, either
// one of its keys (the same partitioning, or another key of the first
// view's) or a value it computes (a bucket of its count, of its MAX): on
// several workers the second view's input rows are re-exchanged by that
// key, and a group's changes come from rows of several first-view groups
// on other workers. The DuckDB query is the same views as CTEs.
func GenWorkersQuery(r *rand.Rand) Query {
	type col struct {
		name string
		kind Kind
	}
	keySets := [][]col{
		{{"k", KindString}, {"g", KindInt}},
		{{"g", KindInt}},
		{{"k", KindString}},
		{{"k", KindString}, {"b", KindBool}},
		{{"g", KindInt}, {"b", KindBool}},
	}
	keys := keySets[r.IntN(len(keySets))]
	var names []string
	for _, k := range keys {
		names = append(names, k.name)
	}
	where1 := []string{"", " WHERE n % 2 = 0", " WHERE g > 0", " WHERE b"}[r.IntN(4)]
	d := []int{2, 3, 5}[r.IntN(3)]
	b := []int{100, 250}[r.IntN(2)]
	lam1 := fmt.Sprintf("SELECT %s, COUNT(*) AS c, SUM(n) AS s, COUNT(*) / %d AS cb, MAX(n) / %d AS mb, MIN(x) AS mx FROM src%s GROUP BY %s",
		strings.Join(names, ", "), d, b, where1, strings.Join(names, ", "))
	// DuckDB: // is integer division, SUM of BIGINT a HUGEINT
	hugeSum := strings.NewReplacer("SUM(n)", "CAST(SUM(n) AS BIGINT)", "SUM(c)", "CAST(SUM(c) AS BIGINT)", "SUM(s)", "CAST(SUM(s) AS BIGINT)")
	duck1 := hugeSum.Replace(strings.ReplaceAll(strings.ReplaceAll(lam1, fmt.Sprintf("/ %d AS cb", d), fmt.Sprintf("// %d AS cb", d)), fmt.Sprintf("/ %d AS mb", b), fmt.Sprintf("// %d AS mb", b)))
	v1cols := append(append([]col{}, keys...), col{"c", KindInt}, col{"s", KindInt}, col{"cb", KindInt}, col{"mb", KindInt}, col{"mx", KindFloat})
	// the second view's key: a key of the first view, or a value it computes
	var cands []col
	cands = append(cands, keys...)
	cands = append(cands, col{"cb", KindInt}, col{"mb", KindInt}, col{"cb", KindInt})
	key2 := cands[r.IntN(len(cands))]
	other := v1cols[r.IntN(len(keys))]                     // a first-view key, for MIN/MAX
	if other.name == key2.name || other.kind == KindBool { // no MIN of BOOLEAN
		other = col{"s", KindInt}
	}
	having := []string{"", " WHERE c > 1", " WHERE s > 500"}[r.IntN(3)]
	lam2 := fmt.Sprintf("SELECT %s, COUNT(*) AS groups, SUM(c) AS rows_in, SUM(s) AS total, MIN(%s) AS lo, MAX(%s) AS hi, MAX(mx) AS mx FROM v1%s GROUP BY %s",
		key2.name, other.name, other.name, having, key2.name)
	cols := []Column{{key2.name, key2.kind}, {"groups", KindInt}, {"rows_in", KindInt}, {"total", KindInt}, {"lo", other.kind}, {"hi", other.kind}, {"mx", KindFloat}}
	var lam strings.Builder
	lam.WriteString("CREATE SOURCE src (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n" +
		"  WATERMARK FOR ts AS ts - INTERVAL '0' SECOND\n) WITH (connector = 'file', path = 'in.jsonl', format = 'json');\n\n")
	fmt.Fprintf(&lam, "CREATE VIEW v1 AS\n  %s;\n\nCREATE VIEW v2 AS\n  %s;\n\n", lam1, lam2)
	last, duckLast := "v2", "v2"
	duck := []string{"src AS (SELECT k, g, x, n, b, ts FROM t)", "v1 AS (" + duck1 + ")", "v2 AS (" + hugeSum.Replace(lam2) + ")"}
	if r.IntN(3) == 0 {
		// a filter over the re-exchanged view: its rows stay on the worker
		v3 := fmt.Sprintf("SELECT %s, groups, total FROM v2 WHERE groups > 1", key2.name)
		fmt.Fprintf(&lam, "CREATE VIEW v3 AS\n  %s;\n\n", v3)
		duck = append(duck, "v3 AS ("+v3+")")
		last, duckLast = "v3", "v3"
		cols = []Column{{key2.name, key2.kind}, {"groups", KindInt}, {"total", KindInt}}
	} else if r.IntN(2) == 0 {
		// a count of v2's rows by a value v2 computes: its input rows are
		// re-exchanged again, by that value (an exchange two levels deep),
		// and now and then once more
		v3 := "SELECT groups, COUNT(*) AS keys, SUM(total) AS total, MAX(rows_in) AS most FROM v2 GROUP BY groups"
		fmt.Fprintf(&lam, "CREATE VIEW v3 AS\n  %s;\n\n", v3)
		duck = append(duck, "v3 AS ("+strings.Replace(v3, "SUM(total)", "CAST(SUM(total) AS BIGINT)", 1)+")")
		last, duckLast = "v3", "v3"
		cols = []Column{{"groups", KindInt}, {"keys", KindInt}, {"total", KindInt}, {"most", KindInt}}
		if r.IntN(2) == 0 {
			v4 := "SELECT keys, COUNT(*) AS n, MIN(groups) AS lo FROM v3 GROUP BY keys"
			fmt.Fprintf(&lam, "CREATE VIEW v4 AS\n  %s;\n\n", v4)
			duck = append(duck, "v4 AS ("+v4+")")
			last, duckLast = "v4", "v4"
			cols = []Column{{"keys", KindInt}, {"n", KindInt}, {"lo", KindInt}}
		}
	}
	fmt.Fprintf(&lam, "CREATE SINK out FROM %s WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n", last)
	return Query{
		Pipeline: lam.String(),
		DuckSQL:  "WITH " + strings.Join(duck, ",\n") + "\nSELECT * FROM " + duckLast,
		Columns:  cols,
		Updating: true,
	}
}

// GenWorkersJoinQuery generates a join of two views over source src by k
// (and now and then g too): a regular join, inner or outer, or an interval
// join, inner or LEFT. On several workers both views' rows of a key go to
// the worker owning it, with both sides' state of the key; an outer join's
// NULL-padded rows come and go there.
func GenWorkersJoinQuery(r *rand.Rand) Query {
	preds := []string{"n % 2 = 0", "n % 3 <> 0", "g > 10", "NOT b", "x < 50.0e0", "n > 300"}
	p1, p2 := preds[r.IntN(len(preds))], preds[r.IntN(len(preds))]
	on := "a.k = b.k"
	if r.IntN(3) == 0 {
		on += " AND a.g = b.g"
	}
	interval := r.IntN(3) == 0
	kinds := []string{"JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"}
	if interval {
		kinds = kinds[:2]
	}
	kind := kinds[r.IntN(len(kinds))]
	lamOn, duckOn := on, on
	if interval {
		lo, hi := 1+r.IntN(3), r.IntN(3)
		lamOn += fmt.Sprintf(" AND b.ts2 BETWEEN a.ts - INTERVAL '%d' SECOND AND a.ts + INTERVAL '%d' SECOND", lo, hi)
		duckOn += fmt.Sprintf(" AND b.ts2 BETWEEN a.ts - %d AND a.ts + %d", lo*1_000_000, hi*1_000_000)
	}
	v1 := "SELECT k, g, n, ts FROM src WHERE " + p1
	v2 := "SELECT k, g, n AS m, ts AS ts2 FROM src WHERE " + p2
	sel := "SELECT a.k, a.g, a.n, b.k AS bk, b.m FROM v1 AS a " + kind + " v2 AS b ON "
	var lam strings.Builder
	lam.WriteString("CREATE SOURCE src (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n" +
		"  WATERMARK FOR ts AS ts - INTERVAL '0' SECOND\n) WITH (connector = 'file', path = 'in.jsonl', format = 'json');\n\n")
	fmt.Fprintf(&lam, "CREATE VIEW v1 AS\n  %s;\n\nCREATE VIEW v2 AS\n  %s;\n\nCREATE VIEW v AS\n  %s%s;\n\n", v1, v2, sel, lamOn)
	lam.WriteString("CREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n")
	return Query{
		Pipeline: lam.String(),
		DuckSQL:  "WITH src AS (SELECT k, g, x, n, b, ts FROM t),\nv1 AS (" + v1 + "),\nv2 AS (" + v2 + ")\n" + sel + duckOn,
		Columns:  []Column{{"k", KindString}, {"g", KindInt}, {"n", KindInt}, {"bk", KindString}, {"m", KindInt}},
		Updating: !interval && kind != "JOIN",
	}
}

// GenWorkersWindowQuery generates a windowed aggregate (TUMBLE or HOP, EMIT
// ON WINDOW CLOSE, CHANGES or PERIODICALLY) over a filter view f of source src with a sink
// of its own, grouped by a key other than the one the source's rows are
// split by (a count per k, with a sink of its own, fixes that key): on
// several workers f's rows are re-exchanged by the window's group key, each
// with the watermark one engine had before it, and its owner closes the
// windows as one engine would. Now and then the windows are grouped by k,
// where f's rows already are. The watermark lags by delayUS, as the rows
// may: none is late.
func GenWorkersWindowQuery(r *rand.Rand, delayUS int64) Query {
	type col struct {
		name string
		kind Kind
	}
	keySets := [][]col{{{"g", KindInt}}, {{"g", KindInt}, {"b", KindBool}}, {{"b", KindBool}}, {{"k", KindString}}, {{"g", KindInt}}}
	keys := keySets[r.IntN(len(keySets))]
	var names []string
	cols := []Column{}
	for _, k := range keys {
		names = append(names, k.name)
		cols = append(cols, Column{k.name, k.kind})
	}
	cols = append(cols, Column{"window_start", KindTimestamp}, Column{"window_end", KindTimestamp},
		Column{"c", KindInt}, Column{"s", KindInt}, Column{"mx", KindFloat}, Column{"lo", KindInt})
	pred := []string{"n % 2 = 0", "n % 3 <> 0", "g > 10", "NOT b", "x < 50.0e0", "n > 300"}[r.IntN(6)]
	size := []int64{1, 2, 5, 10}[r.IntN(4)] * 1_000_000
	hop := r.IntN(3) == 0
	emit, updating := " EMIT ON WINDOW CLOSE", false
	switch r.IntN(4) {
	case 0:
		emit, updating = " EMIT CHANGES", true
	case 1:
		// each open window's row as the watermark crosses a second: on
		// workers, as the owner's merged rows move its watermark
		emit, updating = " EMIT PERIODICALLY INTERVAL '1' SECOND", true
	}
	lamFrom := fmt.Sprintf("TUMBLE(f, ts, INTERVAL '%d' SECOND)", size/1_000_000)
	duckFrom := fmt.Sprintf("(SELECT *, ts - (ts %% %d) AS window_start FROM f)", size)
	if hop {
		slide := size / 2
		if size == 1_000_000 {
			slide = size
		}
		lamFrom = fmt.Sprintf("HOP(f, ts, INTERVAL '%d' MILLISECOND, INTERVAL '%d' SECOND)", slide/1000, size/1_000_000)
		// the windows of a row: those starting at the slides up to size before it
		duckFrom = fmt.Sprintf("(SELECT *, ts - (ts %% %d) - hop_j * %d AS window_start FROM f CROSS JOIN range(0, %d) AS hops(hop_j))", slide, slide, size/slide)
	}
	group := strings.Join(names, ", ")
	agg := "COUNT(*) AS c, SUM(n) AS s, MAX(x) AS mx, MIN(n) AS lo"
	lamV := fmt.Sprintf("SELECT %s, window_start, window_end, %s FROM %s GROUP BY %s, window_start, window_end%s", group, agg, lamFrom, group, emit)
	duckV := fmt.Sprintf("SELECT %s, window_start, window_start + %d AS window_end, COUNT(*) AS c, CAST(SUM(n) AS BIGINT) AS s, MAX(x) AS mx, MIN(n) AS lo FROM %s GROUP BY %s, window_start",
		group, size, duckFrom, group)
	var lam strings.Builder
	fmt.Fprintf(&lam, "CREATE SOURCE src (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n"+
		"  WATERMARK FOR ts AS ts - INTERVAL '%d' MILLISECOND\n) WITH (connector = 'file', path = 'in.jsonl', format = 'json');\n\n", delayUS/1000)
	fmt.Fprintf(&lam, "CREATE VIEW f AS\n  SELECT k, g, x, n, b, ts FROM src WHERE %s;\n\n", pred)
	lam.WriteString("CREATE VIEW vk AS\n  SELECT k, COUNT(*) AS c FROM src GROUP BY k;\n\n")
	fmt.Fprintf(&lam, "CREATE VIEW v AS\n  %s;\n\n", lamV)
	lam.WriteString("CREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n")
	lam.WriteString("CREATE SINK side FROM vk WITH (connector = 'file', path = 'side.jsonl', format = 'json');\n")
	lam.WriteString("CREATE SINK side2 FROM f WITH (connector = 'file', path = 'side2.jsonl', format = 'json');\n")
	return Query{
		Pipeline: lam.String(),
		DuckSQL:  "WITH src AS (SELECT k, g, x, n, b, ts FROM t),\nf AS (SELECT k, g, x, n, b, ts FROM src WHERE " + pred + ")\n" + duckV,
		Columns:  cols,
		Windowed: true,
		Updating: updating,
	}
}
