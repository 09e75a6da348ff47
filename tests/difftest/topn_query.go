package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// GenTopNQuery generates a top-N pipeline over source src and its DuckDB
// equivalent: ROW_NUMBER, RANK or DENSE_RANK OVER (PARTITION BY … ORDER BY …)
// filtered by the rank (WHERE rn <= N over a subquery, rn = 1, QUALIFY),
// over the source (append-only), over an updating GROUP BY, over a window
// TVF (a window top-N, emitted at window close) or over a windowed
// aggregate; and ORDER BY … LIMIT n. Laminar breaks ties of ROW_NUMBER (and
// of LIMIT) in arrival order, which DuckDB reproduces by ordering by rid,
// the row's position in the input, last; over an updating input the ORDER
// BY is made total instead (the group key last).
func GenTopNQuery(r *rand.Rand, delayUS int64) Query {
	g := &mvGen{queryGen: queryGen{r: r}}
	var lam strings.Builder
	delay := intervalText(r, delayUS)
	if delayUS == 0 {
		delay = "INTERVAL '0' SECOND"
	}
	fmt.Fprintf(&lam, "CREATE SOURCE src (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n"+
		"  WATERMARK FOR ts AS ts - %s\n) WITH (connector = 'file', path = 'in.jsonl', format = 'json');\n\n", delay)
	duck := []string{"src AS (SELECT k, g, x, n, b, ts, rowid AS rid FROM t)"}
	srcCols := []Column{{"k", KindString}, {"g", KindInt}, {"x", KindFloat}, {"n", KindInt}, {"b", KindBool}, {"ts", KindTimestamp}}

	funcs := []string{"ROW_NUMBER", "RANK", "DENSE_RANK"}
	fn := funcs[g.pick(3)]
	dir := func() (string, string) {
		if g.chance(0.5) {
			return " DESC", " DESC NULLS LAST"
		}
		if g.chance(0.5) {
			return "", " NULLS LAST"
		}
		return " ASC", " ASC NULLS LAST"
	}
	// orderOf renders an ORDER BY over cols; tie makes it total for DuckDB
	orderOf := func(cols []string, tie string) (string, string) {
		var l, d []string
		for _, c := range cols {
			dl, dd := dir()
			l = append(l, c+dl)
			d = append(d, c+dd)
		}
		if tie != "" {
			d = append(d, tie)
		}
		return strings.Join(l, ", "), strings.Join(d, ", ")
	}
	pickCols := func(pool []string, lo, hi int) []string {
		p := append([]string{}, pool...)
		r.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
		return p[:lo+g.pick(hi-lo+1)]
	}
	// limit renders the filter on the rank
	limit := func(rn string) (string, int) {
		n := 1 + g.pick(4)
		switch g.pick(5) {
		case 0:
			return rn + " = 1", 1
		case 1:
			return fmt.Sprintf("%s < %d", rn, n+1), n
		case 2:
			return fmt.Sprintf("%d >= %s", n, rn), n
		}
		return fmt.Sprintf("%s <= %d", rn, n), n
	}

	var q Query
	var view, duckView string
	var cols []Column
	switch shape := g.pick(30); {
	case shape >= 20:
		// OVER aggregations: over the source ordered by ts (each row emitted
		// at the watermark) or over an updating GROUP BY (recomputed); mixed
		// with a ranking function in the same SELECT (shapes 26 to 29, 28
		// and 29 over the updating GROUP BY),
		// whose rank may be filtered in an outer query (a top-N)
		mixed := shape >= 26
		updating := (shape >= 24 && shape < 26) || shape >= 28
		from, fromD := "src", "src"
		order, orderD := "ts", "ts"
		partL := ""
		if g.chance(0.7) {
			partL = "PARTITION BY k "
		}
		// the DuckDB form has OVER (…) where {} is
		aggs := [][3]string{{"SUM(n)", "CAST(SUM(n) OVER {} AS BIGINT)", "i"}, {"COUNT(*)", "COUNT(*) OVER {}", "i"}, {"COUNT(x)", "COUNT(x) OVER {}", "i"},
			{"MIN(k)", "MIN(k) OVER {}", "s"}, {"MAX(x)", "MAX(x) OVER {}", "f"}, {"AVG(g)", "AVG(g) OVER {}", "f"}, {"SUM(g)", "CAST(SUM(g) OVER {} AS BIGINT)", "i"}}
		base := []string{"k", "n", "ts"}
		if updating {
			fmt.Fprintf(&lam, "CREATE VIEW agg AS SELECT k, b, COUNT(*) AS n, MAX(x) AS x, MIN(g) AS g, MAX(ts) AS ts FROM src GROUP BY k, b;\n\n")
			duck = append(duck, "agg AS (SELECT k, b, COUNT(*) AS n, MAX(x) AS x, MIN(g) AS g, MAX(ts) AS ts FROM src GROUP BY k, b)")
			from, fromD = "agg", "agg"
			order, orderD = "n, k, b", "n, k NULLS LAST, b NULLS LAST"
			if partL != "" {
				order, orderD = "n, b", "n, b NULLS LAST"
			}
			base = []string{"k", "b", "n"}
		}
		var frame string
		switch g.pick(4) {
		case 0:
			frame = ""
		case 1:
			frame = fmt.Sprintf(" ROWS BETWEEN %d PRECEDING AND CURRENT ROW", g.pick(6))
		case 2:
			frame = " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
		default:
			frame = fmt.Sprintf(" ROWS BETWEEN %d PRECEDING AND CURRENT ROW", 1+g.pick(10))
		}
		frameD := frame
		if !updating && g.chance(0.35) {
			us := []int64{500_000, 1_000_000, 3_000_000, 10_000_000}[g.pick(4)]
			frame = fmt.Sprintf(" RANGE BETWEEN %s PRECEDING AND CURRENT ROW", intervalText(r, us))
			frameD = fmt.Sprintf(" RANGE BETWEEN %d PRECEDING AND CURRENT ROW", us)
		} else if !updating {
			orderD = "ts, rid" // ROWS frames: ties in arrival order
			if frame == "" {
				// the default frame is RANGE: peers share a result
				orderD = "ts"
			}
		}
		var sel, selD []string
		for _, c := range base {
			sel, selD = append(sel, c), append(selD, c)
			cols = append(cols, map[string]Column{"k": {"k", KindString}, "b": {"b", KindBool}, "n": {"n", KindInt}, "ts": {"ts", KindTimestamp}}[c])
		}
		r.Shuffle(len(aggs), func(i, j int) { aggs[i], aggs[j] = aggs[j], aggs[i] })
		// the window by name (WINDOW w AS (…), OVER w) in about half the cases
		spec, named := fmt.Sprintf("(%sORDER BY %s%s)", partL, order, frame), g.chance(0.5)
		over, window := spec, ""
		if named {
			over, window = "w", " WINDOW w AS "+spec
		}
		for i, a := range aggs[:1+g.pick(3)] {
			name := fmt.Sprintf("o%d", i)
			sel = append(sel, fmt.Sprintf("%s OVER %s AS %s", a[0], over, name))
			selD = append(selD, strings.Replace(a[1], "{}", fmt.Sprintf("(%sORDER BY %s%s)", partL, orderD, frameD), 1)+" AS "+name)
			cols = append(cols, Column{name, map[string]Kind{"i": KindInt, "s": KindString, "f": KindFloat}[a[2]]})
		}
		topN := ""
		if mixed {
			// the rank, over a window of its own: ties of ROW_NUMBER are
			// ranked in the order the OVER aggregation emits its rows (by
			// event time, then arrival; over an updating input by the
			// rows' columns, of which the group key (k, b) comes first)
			rfn := funcs[g.pick(3)]
			pool, tie := []string{"x", "g", "n", "ts", "k"}, "ts, rid"
			if updating {
				pool, tie = []string{"x", "g", "n"}, "k NULLS LAST, b NULLS LAST"
			}
			if rfn != "ROW_NUMBER" {
				tie = ""
			}
			ol, od := orderOf(pickCols(pool, 1, 2), tie)
			rpart := ""
			if p := pickCols([]string{"k", "b"}, 0, 1); len(p) > 0 {
				rpart = "PARTITION BY " + p[0] + " "
			}
			at := len(sel)
			if g.chance(0.5) {
				at = len(base) // before the aggregates
			}
			item := fmt.Sprintf("%s() OVER (%sORDER BY %s) AS rn", rfn, rpart, ol)
			itemD := fmt.Sprintf("%s() OVER (%sORDER BY %s) AS rn", rfn, rpart, od)
			sel = append(sel[:at], append([]string{item}, sel[at:]...)...)
			selD = append(selD[:at], append([]string{itemD}, selD[at:]...)...)
			cols = append(cols[:at], append([]Column{{"rn", KindInt}}, cols[at:]...)...)
			if g.chance(0.6) {
				topN, _ = limit("rn")
			}
			updating = true
		}
		view = fmt.Sprintf("SELECT %s FROM %s%s", strings.Join(sel, ", "), from, window)
		duckView = fmt.Sprintf("SELECT %s FROM %s", strings.Join(selD, ", "), fromD)
		if topN != "" {
			view = fmt.Sprintf("SELECT * FROM (%s) WHERE %s", view, topN)
			duckView = fmt.Sprintf("SELECT * FROM (%s) AS s WHERE %s", duckView, topN)
		}
		q.Updating = updating
	case shape < 8, shape >= 18:
		// over the source (append-only): bounded state
		var parts [][2]string
		for _, p := range pickCols([]string{"k", "b", "g % 3"}, 0, 2) {
			parts = append(parts, [2]string{p, p})
		}
		tie := ""
		if fn == "ROW_NUMBER" {
			tie = "rid"
		}
		ol, od := orderOf(pickCols([]string{"x", "g", "n", "ts", "k"}, 1, 2), tie)
		partL, partD := "", ""
		if len(parts) > 0 {
			var ps []string
			for _, p := range parts {
				ps = append(ps, p[0])
			}
			partL = "PARTITION BY " + strings.Join(ps, ", ") + " "
			partD = partL
		}
		out := pickCols([]string{"k", "g", "x", "n", "b", "ts"}, 1, 4)
		for _, c := range out {
			for _, sc := range srcCols {
				if sc.Name == c {
					cols = append(cols, sc)
				}
			}
		}
		withRank := g.chance(0.6)
		sel := strings.Join(out, ", ")
		if withRank {
			sel += ", rn"
			cols = append(cols, Column{"rn", KindInt})
		}
		cond, _ := limit("rn")
		over := fmt.Sprintf("%s() OVER (%sORDER BY %s)", fn, partL, ol)
		overD := fmt.Sprintf("%s() OVER (%sORDER BY %s)", fn, partD, od)
		switch {
		case g.chance(0.2) && withRank:
			// QUALIFY on the SELECT list's rank
			view = fmt.Sprintf("SELECT %s, %s AS rn FROM src QUALIFY %s", strings.Join(out, ", "), over, cond)
		case g.chance(0.2) && !withRank:
			// QUALIFY with the ranking call itself
			c2, _ := limit(over)
			view = fmt.Sprintf("SELECT %s FROM src QUALIFY %s", sel, c2)
			cond = strings.Replace(c2, over, "rn", 1)
		default:
			inner := "*"
			if g.chance(0.5) {
				inner = "k, g, x, n, b, ts"
			}
			view = fmt.Sprintf("SELECT %s FROM (SELECT %s, %s AS rn FROM src) WHERE %s", sel, inner, over, cond)
		}
		duckView = fmt.Sprintf("SELECT %s FROM (SELECT *, %s AS rn FROM src) AS s WHERE %s", sel, overD, cond)
		q.Updating = true
	case shape < 12:
		// over an updating GROUP BY: the group key makes the order total
		keys := []string{"k"}
		if g.chance(0.3) {
			keys = []string{"k", "b"}
		}
		agg := []string{"COUNT(*)", "SUM(n)", "MIN(x)", "MAX(g)"}[g.pick(4)]
		aggD := agg
		kind := KindInt
		switch agg {
		case "SUM(n)":
			aggD = "CAST(SUM(n) AS BIGINT)"
		case "MIN(x)":
			kind = KindFloat
		}
		where, whereD := "", ""
		if g.chance(0.4) {
			where = " WHERE n % 3 <> 0"
			whereD = where
		}
		fmt.Fprintf(&lam, "CREATE VIEW agg AS SELECT %s, %s AS a FROM src%s GROUP BY %s;\n\n", strings.Join(keys, ", "), agg, where, strings.Join(keys, ", "))
		duck = append(duck, fmt.Sprintf("agg AS (SELECT %s, %s AS a FROM src%s GROUP BY %s)", strings.Join(keys, ", "), aggD, whereD, strings.Join(keys, ", ")))
		partL := ""
		ties := []string{"k"}
		if len(keys) == 2 && g.chance(0.6) {
			partL = "PARTITION BY b "
		} else if len(keys) == 2 {
			ties = []string{"k", "b"}
		}
		ol, od := orderOf([]string{"a"}, "")
		if fn == "ROW_NUMBER" {
			// the order of an updating input's changes is Laminar's own: a total order
			for _, t := range ties {
				ol += ", " + t
				od += ", " + t + " NULLS LAST"
			}
		}
		cond, _ := limit("rn")
		for _, k := range keys {
			cols = append(cols, Column{k, map[string]Kind{"k": KindString, "b": KindBool}[k]})
		}
		cols = append(cols, Column{"a", kind}, Column{"rn", KindInt})
		sel := strings.Join(keys, ", ") + ", a, rn"
		view = fmt.Sprintf("SELECT %s FROM (SELECT *, %s() OVER (%sORDER BY %s) AS rn FROM agg) WHERE %s", sel, fn, partL, ol, cond)
		duckView = fmt.Sprintf("SELECT %s FROM (SELECT *, %s() OVER (%sORDER BY %s) AS rn FROM agg) AS s WHERE %s", sel, fn, partL, od, cond)
		q.Updating = true
	case shape < 15:
		// window top-N over a window TVF: emitted at window close
		src := mrel{lam: "src", duck: "src", table: true, cols: []mcol{{name: "ts", kind: KindTimestamp, event: true}}}
		lamFrom, duckFrom, _ := g.window(src)
		tie := ""
		if fn == "ROW_NUMBER" {
			tie = "rid"
		}
		ol, od := orderOf(pickCols([]string{"x", "g", "n", "k"}, 1, 2), tie)
		part := "window_start, window_end"
		if g.chance(0.3) {
			part += ", b"
		}
		cond, _ := limit("rownum")
		out := pickCols([]string{"k", "g", "x", "n"}, 1, 3)
		for _, c := range out {
			for _, sc := range srcCols {
				if sc.Name == c {
					cols = append(cols, sc)
				}
			}
		}
		sel := strings.Join(out, ", ") + ", window_start, window_end, rownum"
		cols = append(cols, Column{"window_start", KindTimestamp}, Column{"window_end", KindTimestamp}, Column{"rownum", KindInt})
		view = fmt.Sprintf("SELECT %s FROM (SELECT *, %s() OVER (PARTITION BY %s ORDER BY %s) AS rownum FROM %s) WHERE %s", sel, fn, part, ol, lamFrom, cond)
		duckView = fmt.Sprintf("SELECT %s FROM (SELECT *, %s() OVER (PARTITION BY %s ORDER BY %s) AS rownum FROM %s) AS s WHERE %s", sel, fn, part, od, duckFrom, cond)
	case shape < 17:
		// top-N per window of a windowed aggregate (each window's rows arrive at its close)
		src := mrel{lam: "src", duck: "src", table: true, cols: []mcol{{name: "ts", kind: KindTimestamp, event: true}}}
		lamFrom, duckFrom, _ := g.window(src)
		fmt.Fprintf(&lam, "CREATE VIEW w AS SELECT k, window_start, window_end, COUNT(*) AS c, SUM(n) AS s FROM %s GROUP BY k, window_start, window_end;\n\n", lamFrom)
		duck = append(duck, fmt.Sprintf("w AS (SELECT k, window_start, window_end, COUNT(*) AS c, CAST(SUM(n) AS BIGINT) AS s FROM %s GROUP BY k, window_start, window_end)", duckFrom))
		ol, od := orderOf(pickCols([]string{"c", "s"}, 1, 2), "")
		if fn == "ROW_NUMBER" {
			// a window's rows arrive in Laminar's group order: a total order
			ol, od = ol+", k", od+", k NULLS LAST"
		}
		cond, _ := limit("rn")
		sel := "k, window_start, c, s, rn"
		cols = []Column{{"k", KindString}, {"window_start", KindTimestamp}, {"c", KindInt}, {"s", KindInt}, {"rn", KindInt}}
		view = fmt.Sprintf("SELECT %s FROM (SELECT *, %s() OVER (PARTITION BY window_start, window_end ORDER BY %s) AS rn FROM w) WHERE %s", sel, fn, ol, cond)
		duckView = fmt.Sprintf("SELECT %s FROM (SELECT *, %s() OVER (PARTITION BY window_start, window_end ORDER BY %s) AS rn FROM w) AS s WHERE %s", sel, fn, od, cond)
	default:
		// ORDER BY … LIMIT n: an updating view of the first n rows
		n := 1 + g.pick(6)
		out := []string{"k", "g", "x", "n"}
		cols = []Column{{"k", KindString}, {"g", KindInt}, {"x", KindFloat}, {"n", KindInt}}
		ol, od := orderOf(pickCols([]string{"x", "g", "n", "k"}, 1, 2), "rid")
		view = fmt.Sprintf("SELECT %s FROM src ORDER BY %s LIMIT %d", strings.Join(out, ", "), ol, n)
		duckView = fmt.Sprintf("SELECT %s FROM src ORDER BY %s LIMIT %d", strings.Join(out, ", "), od, n)
		q.Updating = true
	}
	fmt.Fprintf(&lam, "CREATE VIEW top AS\n  %s;\n\nCREATE SINK out FROM top WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n", view)
	duck = append(duck, "top AS ("+duckView+")")
	q.Pipeline = lam.String()
	q.DuckSQL = "WITH " + strings.Join(duck, ",\n") + "\nSELECT * FROM top"
	q.Columns = cols
	return q
}
