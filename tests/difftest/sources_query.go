package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// sourcesHeader declares two sources over the one input file: src with
// every column and src2 with some, each with a watermark of its own. The
// DuckDB query reads both from table t.
const sourcesHeader = "CREATE SOURCE src (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n" +
	"  WATERMARK FOR ts AS ts - INTERVAL '0' SECOND\n) WITH (connector = 'file', path = 'in.jsonl', format = 'json');\n\n" +
	"CREATE SOURCE src2 (\n  k VARCHAR, g BIGINT, n BIGINT NOT NULL, ts TIMESTAMP NOT NULL,\n" +
	"  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND\n) WITH (connector = 'file', path = 'in.jsonl', format = 'json');\n\n"

const sourcesDuck = "WITH src AS (SELECT k, g, x, n, b, ts FROM t),\nsrc2 AS (SELECT k, g, n, ts FROM t)"

// GenWorkersSourcesQuery generates a pipeline over two sources (src and
// src2, both reading the case's file): a join of a view of each by k (and
// now and then g, or by g alone), regular (inner or outer) or interval; a
// UNION ALL of a view of each, sunk as it is or counted by k or g; or a
// join of an aggregate of each. On several workers each worker reads a
// share of both sources, and each source's rows of a key go to the worker
// owning it.
func GenWorkersSourcesQuery(r *rand.Rand) Query {
	preds := []string{"n % 2 = 0", "n % 3 <> 0", "g > 10", "n > 300", "k <> 'a'"}
	p1, p2 := preds[r.IntN(len(preds))], preds[r.IntN(len(preds))]
	var lam strings.Builder
	lam.WriteString(sourcesHeader)
	sink := func(v string) {
		fmt.Fprintf(&lam, "CREATE SINK out FROM %s WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n", v)
	}
	switch r.IntN(3) {
	case 0: // a join of a view of each source
		on := []string{"a.k = b.k", "a.k = b.k AND a.g = b.g", "a.g = b.g"}[r.IntN(3)]
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
		v2 := "SELECT k, g, n AS m, ts AS ts2 FROM src2 WHERE " + p2
		sel := "SELECT a.k, a.g, a.n, b.k AS bk, b.m FROM v1 AS a " + kind + " v2 AS b ON "
		fmt.Fprintf(&lam, "CREATE VIEW v1 AS\n  %s;\n\nCREATE VIEW v2 AS\n  %s;\n\nCREATE VIEW v AS\n  %s%s;\n\n", v1, v2, sel, lamOn)
		sink("v")
		return Query{
			Pipeline: lam.String(),
			DuckSQL:  sourcesDuck + ",\nv1 AS (" + v1 + "),\nv2 AS (" + v2 + ")\n" + sel + duckOn,
			Columns:  []Column{{"k", KindString}, {"g", KindInt}, {"n", KindInt}, {"bk", KindString}, {"m", KindInt}},
			Updating: !interval && kind != "JOIN",
		}
	case 1: // UNION ALL of a view of each source
		u := "SELECT k, g, n FROM src WHERE " + p1 + " UNION ALL SELECT k, g, n FROM src2 WHERE " + p2
		fmt.Fprintf(&lam, "CREATE VIEW u AS\n  %s;\n\n", u)
		if r.IntN(3) == 0 {
			sink("u")
			return Query{
				Pipeline: lam.String(),
				DuckSQL:  sourcesDuck + "\n" + u,
				Columns:  []Column{{"k", KindString}, {"g", KindInt}, {"n", KindInt}},
			}
		}
		key := []string{"k", "g"}[r.IntN(2)]
		kind := map[string]Kind{"k": KindString, "g": KindInt}[key]
		if r.IntN(2) == 0 {
			return unionWindowQuery(r, p1, p2, key, kind)
		}
		v := fmt.Sprintf("SELECT %s, COUNT(*) AS c, SUM(n) AS s, MAX(n) AS hi FROM u GROUP BY %s", key, key)
		fmt.Fprintf(&lam, "CREATE VIEW v AS\n  %s;\n\n", v)
		sink("v")
		return Query{
			Pipeline: lam.String(),
			DuckSQL:  sourcesDuck + ",\nu AS (" + u + ")\n" + strings.Replace(v, "SUM(n)", "CAST(SUM(n) AS BIGINT)", 1),
			Columns:  []Column{{key, kind}, {"c", KindInt}, {"s", KindInt}, {"hi", KindInt}},
			Updating: true,
		}
	}
	// a join of an aggregate of each source by their group key
	kind := []string{"JOIN", "LEFT JOIN", "FULL JOIN"}[r.IntN(3)]
	a := "SELECT k, COUNT(*) AS c FROM src WHERE " + p1 + " GROUP BY k"
	b := "SELECT k, SUM(n) AS s FROM src2 WHERE " + p2 + " GROUP BY k"
	sel := "SELECT a.k, a.c, b.k AS bk, b.s FROM a " + kind + " b ON a.k = b.k"
	fmt.Fprintf(&lam, "CREATE VIEW a AS\n  %s;\n\nCREATE VIEW b AS\n  %s;\n\nCREATE VIEW v AS\n  %s;\n\n", a, b, sel)
	sink("v")
	return Query{
		Pipeline: lam.String(),
		DuckSQL:  sourcesDuck + ",\na AS (" + a + "),\nb AS (" + strings.Replace(b, "SUM(n)", "CAST(SUM(n) AS BIGINT)", 1) + ")\n" + sel,
		Columns:  []Column{{"k", KindString}, {"c", KindInt}, {"bk", KindString}, {"s", KindInt}},
		Updating: true,
	}
}

// unionWindowQuery is a TUMBLE or HOP window over a UNION ALL of a view of
// each source, grouped by key (a column of both) and emitted at window
// close or as changes: each worker owns the windows of its keys, of both
// sources' rows, and closes them by the union's watermark (the smaller of
// the two sources'), the same on every worker. The input is in time order,
// so no row is late whatever the sources' interleaving.
func unionWindowQuery(r *rand.Rand, p1, p2, key string, kind Kind) Query {
	var lam strings.Builder
	lam.WriteString(sourcesHeader)
	u := "SELECT k, g, n, ts FROM src WHERE " + p1 + " UNION ALL SELECT k, g, n, ts FROM src2 WHERE " + p2
	fmt.Fprintf(&lam, "CREATE VIEW u AS\n  %s;\n\n", u)
	size := []int64{1, 2, 5}[r.IntN(3)] * 1_000_000
	lamFrom := fmt.Sprintf("TUMBLE(u, ts, INTERVAL '%d' SECOND)", size/1_000_000)
	duckFrom := fmt.Sprintf("(SELECT *, ts - (ts %% %d) AS window_start FROM u)", size)
	if r.IntN(3) == 0 {
		slide := size / 2
		lamFrom = fmt.Sprintf("HOP(u, ts, INTERVAL '%d' MILLISECOND, INTERVAL '%d' SECOND)", slide/1000, size/1_000_000)
		duckFrom = fmt.Sprintf("(SELECT *, ts - (ts %% %d) - hop_j * %d AS window_start FROM u CROSS JOIN range(0, 2) AS hops(hop_j))", slide, slide)
	}
	emit, updating := " EMIT ON WINDOW CLOSE", false
	if r.IntN(3) == 0 {
		emit, updating = " EMIT CHANGES", true
	}
	v := fmt.Sprintf("SELECT %s, window_start, window_end, COUNT(*) AS c, SUM(n) AS s, MAX(n) AS hi FROM %s GROUP BY %s, window_start, window_end%s", key, lamFrom, key, emit)
	duckV := fmt.Sprintf("SELECT %s, window_start, window_start + %d AS window_end, COUNT(*) AS c, CAST(SUM(n) AS BIGINT) AS s, MAX(n) AS hi FROM %s GROUP BY %s, window_start", key, size, duckFrom, key)
	fmt.Fprintf(&lam, "CREATE VIEW v AS\n  %s;\n\n", v)
	fmt.Fprintf(&lam, "CREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n")
	return Query{
		Pipeline: lam.String(),
		DuckSQL:  sourcesDuck + ",\nu AS (" + u + ")\n" + duckV,
		Columns:  []Column{{key, kind}, {"window_start", KindTimestamp}, {"window_end", KindTimestamp}, {"c", KindInt}, {"s", KindInt}, {"hi", KindInt}},
		Windowed: true,
		Updating: updating,
	}
}

// GenWorkersSourcesTopNQuery generates a top-N over a UNION ALL of a view
// of each of two sources (src and src2), partitioned by a column of both:
// RANK or DENSE_RANK of the union's rows (ties all in), a window top-N by
// RANK over a TUMBLE of the union (emitted at window close), or any ranking
// function over an updating GROUP BY of the union (its ORDER BY made total
// by the group key). On several workers each worker reads a share of both
// sources and owns the partitions of its keys, of both sources' rows; the
// rankings are those whose result does not depend on how rows of the two
// sources interleave (physical.topnSources).
func GenWorkersSourcesTopNQuery(r *rand.Rand) Query {
	preds := []string{"n % 2 = 0", "n % 3 <> 0", "g > 10", "n > 300", "k <> 'a'"}
	p1, p2 := preds[r.IntN(len(preds))], preds[r.IntN(len(preds))]
	var lam strings.Builder
	lam.WriteString(sourcesHeader)
	u := "SELECT k, g, n, ts FROM src WHERE " + p1 + " UNION ALL SELECT k, g, n, ts FROM src2 WHERE " + p2
	fmt.Fprintf(&lam, "CREATE VIEW u AS\n  %s;\n\n", u)
	duck := []string{"u AS (" + u + ")"}
	part := []string{"k", "g"}[r.IntN(2)]
	limit := 1 + r.IntN(4)
	dir := []string{"", " DESC"}[r.IntN(2)]
	var view, duckView string
	var cols []Column
	updating := true
	kindOf := map[string]Kind{"k": KindString, "g": KindInt, "n": KindInt}
	switch r.IntN(3) {
	case 0: // the union's rows ranked per key
		fn := []string{"RANK", "DENSE_RANK"}[r.IntN(2)]
		order := []string{"n", "g"}[r.IntN(2)]
		if order == part {
			order = "n"
		}
		view = fmt.Sprintf("SELECT k, g, n, rn FROM (SELECT *, %s() OVER (PARTITION BY %s ORDER BY %s%s) AS rn FROM u) WHERE rn <= %d", fn, part, order, dir, limit)
		duckView = fmt.Sprintf("SELECT k, g, n, rn FROM (SELECT *, %s() OVER (PARTITION BY %s ORDER BY %s%s NULLS LAST) AS rn FROM u) AS s WHERE rn <= %d", fn, part, order, dir, limit)
		cols = []Column{{"k", KindString}, {"g", KindInt}, {"n", KindInt}, {"rn", KindInt}}
	case 1: // a window top-N over a TUMBLE of the union
		size := []int64{1, 2, 5}[r.IntN(3)]
		view = fmt.Sprintf("SELECT %s, n, window_start, rn FROM (SELECT *, RANK() OVER (PARTITION BY window_start, window_end, %s ORDER BY n%s) AS rn FROM TUMBLE(u, ts, INTERVAL '%d' SECOND)) WHERE rn <= %d", part, part, dir, size, limit)
		duckView = fmt.Sprintf("SELECT %s, n, window_start, rn FROM (SELECT *, RANK() OVER (PARTITION BY window_start, %s ORDER BY n%s) AS rn FROM (SELECT *, ts - (ts %% %d) AS window_start FROM u) AS w) AS s WHERE rn <= %d", part, part, dir, size*1_000_000, limit)
		cols = []Column{{part, kindOf[part]}, {"n", KindInt}, {"window_start", KindTimestamp}, {"rn", KindInt}}
		updating = false // each window's rows once, at its close
	default: // a ranking of an updating GROUP BY of the union
		fn := []string{"ROW_NUMBER", "RANK", "DENSE_RANK"}[r.IntN(3)]
		a := "SELECT k, g, COUNT(*) AS c, SUM(n) AS s FROM u GROUP BY k, g"
		fmt.Fprintf(&lam, "CREATE VIEW a AS\n  %s;\n\n", a)
		duck = append(duck, "a AS ("+strings.Replace(a, "SUM(n)", "CAST(SUM(n) AS BIGINT)", 1)+")")
		other := map[string]string{"k": "g", "g": "k"}[part]
		ol := "c" + dir
		od := ol + " NULLS LAST"
		if fn == "ROW_NUMBER" {
			// an updating input's ties are Laminar's own order: made total
			ol += ", s, " + other
			od += ", s NULLS LAST, " + other + " NULLS LAST"
		}
		view = fmt.Sprintf("SELECT k, g, c, s, rn FROM (SELECT *, %s() OVER (PARTITION BY %s ORDER BY %s) AS rn FROM a) WHERE rn <= %d", fn, part, ol, limit)
		duckView = fmt.Sprintf("SELECT k, g, c, s, rn FROM (SELECT *, %s() OVER (PARTITION BY %s ORDER BY %s) AS rn FROM a) AS s WHERE rn <= %d", fn, part, od, limit)
		cols = []Column{{"k", KindString}, {"g", KindInt}, {"c", KindInt}, {"s", KindInt}, {"rn", KindInt}}
	}
	fmt.Fprintf(&lam, "CREATE VIEW top AS\n  %s;\n\nCREATE SINK out FROM top WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n", view)
	duck = append(duck, "top AS ("+duckView+")")
	return Query{
		Pipeline: lam.String(),
		DuckSQL:  sourcesDuck + ",\n" + strings.Join(duck, ",\n") + "\nSELECT * FROM top",
		Columns:  cols,
		Updating: updating,
	}
}
