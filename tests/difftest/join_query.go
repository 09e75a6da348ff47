package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Join pipelines: two or three file sources with the generator's schema
// (sl, sr, sm; aliased l, r, m in the query), joined INNER, LEFT, RIGHT or
// FULL on equality keys (columns or expressions, NULLs and duplicates
// included), with residual predicates in ON and WHERE, sometimes an interval
// bound on ts, sometimes over a subquery or an updating GROUP BY view, and
// sometimes aggregated. DuckDB runs the same join over tables sl, sr, sm
// (ts as BIGINT µs).

// JoinSource is one input of a join case: its rows and watermark delay.
type JoinSource struct {
	Name    string // sl, sr, sm: source, file (name.jsonl) and DuckDB table
	Rows    []Row
	DelayUS int64
	Table   bool // a lookup table (CREATE TABLE): read by the job, not a source
}

// joinSide is one input of a join as the query sees it.
type joinSide struct {
	alias      string // l, r, m
	lamFrom    string
	duckFrom   string
	cols       []Column // columns it offers, unqualified
	appendOnly bool     // a source or a filtered subquery; not a GROUP BY view
}

func (s joinSide) col(name string) (expr, bool) {
	for _, c := range s.cols {
		if c.Name == name {
			ref := s.alias + "." + name
			return expr{ref, ref, c.Kind}, true
		}
	}
	return expr{}, false
}

func (s joinSide) hasTS() bool { _, ok := s.col("ts"); return ok }

// colsOf are the columns of s of one of the kinds.
func (s joinSide) colsOf(kinds ...Kind) []expr {
	var out []expr
	for _, c := range s.cols {
		for _, k := range kinds {
			if c.Kind == k {
				e, _ := s.col(c.Name)
				out = append(out, e)
			}
		}
	}
	return out
}

var sourceCols = []Column{{"k", KindString}, {"g", KindInt}, {"x", KindFloat}, {"n", KindInt}, {"b", KindBool}, {"ts", KindTimestamp}}

const sourceColList = "k, g, x, n, b, ts"

// joinGen draws join queries; it reuses the aggregate generator's
// expressions for filters.
type joinGen struct {
	queryGen
	regularBound bool // the interval bound drops no state: a regular join (outer: updating)
}

// GenJoinSources generates the rows of n sources over a common time range,
// none of them late for its own source's watermark (so the result does not
// depend on how the sources' batches interleave).
func GenJoinSources(r *rand.Rand, n, maxRows int) []JoinSource {
	names := []string{"sl", "sr", "sm"}
	// g as a small key (many duplicates) or as generated (sparse matches)
	gMod := []int64{0, 3, 5, 8}[r.IntN(4)]
	var srcs []JoinSource
	var base int64
	for i := range n {
		p := DataParams{Rows: 5 + r.IntN(maxRows-4), DelayUS: []int64{0, 500_000, 1_000_000, 2_000_000, 5_000_000}[r.IntN(5)]}
		rows := GenRows(r, p)
		// one time range for all sources: shift each to start near the first
		first := rows[0].TS
		for _, row := range rows {
			first = min(first, row.TS)
		}
		if i == 0 {
			base = first
		}
		shift := base - first + (r.Int64N(4001)-2000)*1000
		for j := range rows {
			rows[j].TS += shift
			if rows[j].WM != noWatermark {
				rows[j].WM += shift
			}
			if gMod > 0 && rows[j].G != nil {
				g := *rows[j].G % gMod
				rows[j].G = &g
			}
		}
		srcs = append(srcs, JoinSource{Name: names[i], Rows: rows, DelayUS: p.DelayUS})
	}
	return srcs
}

// sourceSide is source src seen as alias, sometimes through a filtering
// subquery.
func (g *joinGen) sourceSide(src, alias string) joinSide {
	s := joinSide{alias: alias, cols: sourceCols, appendOnly: true,
		lamFrom: src + " AS " + alias, duckFrom: src + " AS " + alias}
	if g.chance(0.2) {
		// filters that keep a good part of the rows
		w := []expr{same("n > 300", KindBool), same("x IS NOT NULL", KindBool), same("(b OR g > 2)", KindBool),
			same("k <> 'a'", KindBool), same("n % 3 <> 1", KindBool), same("(x < 50 OR k IS NULL)", KindBool)}[g.pick(6)]
		s.lamFrom = fmt.Sprintf("(SELECT %s FROM %s WHERE %s) AS %s", sourceColList, src, w.lam, alias)
		s.duckFrom = fmt.Sprintf("(SELECT %s FROM %s WHERE %s) AS %s", sourceColList, src, w.duck, alias)
	}
	return s
}

// withEnd adds column te to a source side: a time after (or before) ts by
// an amount that depends on the row, or NULL.
func (g *joinGen) withEnd(s joinSide) joinSide {
	ends := [][2]string{
		{"CASE WHEN n % 3 = 0 THEN ts + INTERVAL '1' SECOND WHEN n % 3 = 1 THEN ts + INTERVAL '3' SECOND ELSE ts - INTERVAL '500' MILLISECOND END",
			"CASE WHEN n % 3 = 0 THEN ts + 1000000 WHEN n % 3 = 1 THEN ts + 3000000 ELSE ts - 500000 END"},
		{"CASE WHEN n % 4 <> 0 THEN ts + INTERVAL '2' SECOND END", "CASE WHEN n % 4 <> 0 THEN ts + 2000000 END"},
		{"ts + INTERVAL '1500' MILLISECOND", "ts + 1500000"},
	}
	e := ends[g.pick(len(ends))]
	s.cols = append(append([]Column{}, s.cols...), Column{"te", KindTimestamp})
	s.lamFrom = fmt.Sprintf("(SELECT %s, %s AS te FROM %s) AS %s", sourceColList, e[0], s.lamFrom, s.alias)
	s.duckFrom = fmt.Sprintf("(SELECT %s, %s AS te FROM %s) AS %s", sourceColList, e[1], s.duckFrom, s.alias)
	return s
}

// aggSide is an updating GROUP BY view over src (declared as view name in
// the pipeline, a subquery in DuckDB). A HAVING COUNT(*) bound makes groups
// vanish, so the join sees retractions with no replacement.
func (g *joinGen) aggSide(src, alias, view string, views *[]string) joinSide {
	var keys []string
	var cols []Column
	switch g.pick(3) {
	case 0:
		keys = []string{"k"}
		cols = []Column{{"k", KindString}}
	case 1:
		keys = []string{"g"}
		cols = []Column{{"g", KindInt}}
	default:
		keys = []string{"k", "g"}
		cols = []Column{{"k", KindString}, {"g", KindInt}}
	}
	lamSel := append([]string{}, keys...)
	duckSel := append([]string{}, keys...)
	aggs := []struct {
		lam, duck, name string
		kind            Kind
	}{
		{"COUNT(*)", "COUNT(*)", "c", KindInt},
		{"SUM(n)", "CAST(SUM(n) AS BIGINT)", "s", KindInt},
		{"MAX(x)", "MAX(x)", "mx", KindFloat},
		{"MIN(n)", "MIN(n)", "mn", KindInt},
	}
	for i, a := range aggs {
		if i == 0 || g.chance(0.5) {
			lamSel = append(lamSel, a.lam+" AS "+a.name)
			duckSel = append(duckSel, a.duck+" AS "+a.name)
			cols = append(cols, Column{a.name, a.kind})
		}
	}
	where := ""
	if g.chance(0.3) {
		where = fmt.Sprintf(" WHERE n %% %d <> 0", 2+g.pick(3))
	}
	having := ""
	if g.chance(0.4) {
		having = fmt.Sprintf(" HAVING COUNT(*) < %d", 2+g.pick(6))
	}
	body := func(sel []string) string {
		return fmt.Sprintf("SELECT %s FROM %s%s GROUP BY %s%s", strings.Join(sel, ", "), src, where, strings.Join(keys, ", "), having)
	}
	*views = append(*views, fmt.Sprintf("CREATE VIEW %s AS %s;\n\n", view, body(lamSel)))
	return joinSide{alias: alias, cols: cols, lamFrom: view + " AS " + alias, duckFrom: "(" + body(duckSel) + ") AS " + alias}
}

// joinKey is an equality between a and b: columns of the same kind, or
// expressions of them.
func (g *joinGen) joinKey(a, b joinSide) (expr, bool) {
	type pair struct{ x, y expr }
	var pairs []pair
	for _, k := range []Kind{KindString, KindInt} {
		for _, x := range a.colsOf(k) {
			for _, y := range b.colsOf(k) {
				// n (0..1000) and the sums and minimums of a GROUP BY view
				// rarely equal anything
				if !keyCol(x.lam) || !keyCol(y.lam) {
					continue
				}
				pairs = append(pairs, pair{x, y})
			}
		}
	}
	if len(pairs) == 0 {
		return expr{}, false
	}
	p := pairs[g.pick(len(pairs))]
	x, y := p.x, p.y
	if g.chance(0.2) {
		switch x.kind {
		case KindString:
			x, y = call("LOWER", KindString, x), call("LOWER", KindString, y)
		default:
			switch g.pick(2) {
			case 0:
				x, y = arith("%", x, intLit(2)), arith("%", y, intLit(2))
			default:
				x = arith("+", x, intLit(1))
			}
		}
	}
	return binary("=", x, y, KindBool), true
}

func keyCol(ref string) bool {
	for _, c := range []string{".k", ".g", ".c"} {
		if strings.HasSuffix(ref, c) {
			return true
		}
	}
	return false
}

// residual is a predicate over one or both sides.
func (g *joinGen) residual(sides ...joinSide) expr {
	cmp := []string{"<", "<=", ">", ">=", "<>"}
	pick := func(kinds ...Kind) (expr, bool) {
		s := sides[g.pick(len(sides))]
		cs := s.colsOf(kinds...)
		if len(cs) == 0 {
			return expr{}, false
		}
		return cs[g.pick(len(cs))], true
	}
	for {
		switch g.pick(7) {
		case 0, 1:
			// mostly a column against the same column of another side
			a, ok1 := pick(KindInt, KindFloat)
			b, ok2 := pick(KindInt, KindFloat)
			if ok1 && g.chance(0.7) {
				name := a.lam[strings.IndexByte(a.lam, '.'):]
				for _, s := range sides {
					if e, ok := s.col(name[1:]); ok && e.lam != a.lam {
						b, ok2 = e, true
					}
				}
			}
			if ok1 && ok2 && a.lam != b.lam {
				return binary(cmp[g.pick(5)], a, b, KindBool)
			}
		case 2:
			a, ok1 := pick(KindInt)
			b, ok2 := pick(KindInt)
			if ok1 && ok2 {
				return binary(">", arith("+", a, b), intLit(int64(g.pick(1200))), KindBool)
			}
		case 3:
			a, ok := pick(KindInt, KindFloat)
			if ok {
				return binary(cmp[g.pick(5)], a, intLit(int64(g.pick(600)-50)), KindBool)
			}
		case 4:
			a, ok := pick(KindString, KindBool, KindFloat, KindInt)
			if ok {
				not := []string{"", " NOT"}[g.pick(2)]
				return expr{"(" + a.lam + " IS" + not + " NULL)", "(" + a.duck + " IS" + not + " NULL)", KindBool}
			}
		case 5:
			a, ok := pick(KindString)
			if ok {
				return binary(cmp[g.pick(5)], a, strLit([]string{"a", "b", "ab", ""}[g.pick(4)]), KindBool)
			}
		default:
			a, ok1 := pick(KindBool)
			b, ok2 := pick(KindBool)
			if ok1 && ok2 && a.lam != b.lam {
				return binary("<>", a, b, KindBool)
			}
			if ok1 {
				return a
			}
		}
	}
}

// intervalBound bounds b.ts around a.ts, as BETWEEN or as a pair of
// comparisons (Flink's forms).
//
// With colEnd (both sides have a te column) the upper end is a.te plus a
// constant, a column of a's row as in Nexmark q9's BETWEEN a.dateTime AND
// a.expires, and sometimes the lower end too (no bound on a.ts: a regular
// join).
func (g *joinGen) intervalBound(a, b joinSide, colEnd bool) expr {
	bounds := []int64{0, 500_000, 1_000_000, 2_000_000, 5_000_000, 30_000_000}
	lo := -bounds[g.pick(len(bounds))]
	hi := bounds[g.pick(len(bounds))]
	if g.chance(0.15) && hi > 0 {
		lo = hi / 2 // a window entirely after a.ts
	}
	at, bt := a.alias+".ts", b.alias+".ts"
	shiftOf := func(at string, us int64) (string, string) {
		switch {
		case us < 0:
			return at + " - " + intervalText(g.r, -us), fmt.Sprintf("%s - %d", at, -us)
		case us == 0 && g.chance(0.5):
			return at, at
		default:
			return at + " + " + intervalText(g.r, us), fmt.Sprintf("%s + %d", at, us)
		}
	}
	lol, lod := shiftOf(at, lo)
	hil, hid := shiftOf(at, hi)
	if colEnd {
		te := a.alias + ".te"
		hil, hid = shiftOf(te, hi/5)
		if g.chance(0.15) {
			lol, lod = shiftOf(te, lo-1_000_000)
			g.regularBound = true
		}
	}
	if g.chance(0.5) {
		return expr{fmt.Sprintf("%s BETWEEN %s AND %s", bt, lol, hil), fmt.Sprintf("%s BETWEEN %s AND %s", bt, lod, hid), KindBool}
	}
	return expr{fmt.Sprintf("%s >= %s AND %s <= %s", bt, lol, bt, hil), fmt.Sprintf("%s >= %s AND %s <= %s", bt, lod, bt, hid), KindBool}
}

// selectItem is an output column over the joined sides.
func (g *joinGen) selectItem(sides []joinSide) expr {
	s := sides[g.pick(len(sides))]
	if g.chance(0.2) && len(sides) > 1 {
		o := sides[g.pick(len(sides))]
		switch g.pick(3) {
		case 0:
			x, ok1 := s.col("k")
			y, ok2 := o.col("k")
			if ok1 && ok2 {
				return call("COALESCE", KindString, x, y)
			}
		case 1:
			xs, ys := s.colsOf(KindInt), o.colsOf(KindInt)
			if len(xs) > 0 && len(ys) > 0 {
				return arith([]string{"+", "-", "*"}[g.pick(3)], xs[g.pick(len(xs))], ys[g.pick(len(ys))])
			}
		default:
			if ks := o.colsOf(KindString, KindInt); len(ks) > 0 {
				k := ks[g.pick(len(ks))]
				return expr{"(" + k.lam + " IS NULL)", "(" + k.duck + " IS NULL)", KindBool}
			}
		}
	}
	c := s.cols[g.pick(len(s.cols))]
	e, _ := s.col(c.Name)
	return e
}

// GenJoinQuery generates a join pipeline over srcs and its DuckDB query.
func GenJoinQuery(r *rand.Rand, srcs []JoinSource) Query {
	g := &joinGen{queryGen: queryGen{r: r}}
	var views []string
	three := len(srcs) == 3

	var sides []joinSide
	left := g.sourceSide("sl", "l")
	var right joinSide
	interval := !three && g.chance(0.35)
	switch {
	case !interval && g.chance(0.3):
		right = g.aggSide("sr", "r", "ragg", &views)
	default:
		right = g.sourceSide("sr", "r")
	}
	if !interval && !three && right.appendOnly && g.chance(0.15) {
		left = g.aggSide("sl", "l", "lagg", &views)
	}
	// both sides with a second time column te (a row's end, sometimes NULL,
	// sometimes before ts) that the interval's upper end bounds by
	colEnd := interval && g.chance(0.4)
	if colEnd {
		left, right = g.withEnd(left), g.withEnd(right)
	}
	sides = append(sides, left, right)

	kinds := []string{"JOIN", "INNER JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "LEFT OUTER JOIN", "FULL OUTER JOIN", ","}
	kind1 := kinds[g.pick(len(kinds))]
	outer := func(k string) bool {
		return strings.Contains(k, "LEFT") || strings.Contains(k, "RIGHT") || strings.Contains(k, "FULL")
	}

	var lamWhere, duckWhere []string
	var lamFrom, duckFrom strings.Builder
	lamFrom.WriteString(left.lamFrom)
	duckFrom.WriteString(left.duckFrom)
	on := func(a, b joinSide, kind string, withInterval bool) {
		var conds []expr
		key, _ := g.joinKey(a, b)
		conds = append(conds, key)
		if g.chance(0.25) {
			// a second key over other columns (l.g = r.g AND l.g + 1 = r.g matches nothing)
			if k2, ok := g.joinKey(a, b); ok && !strings.Contains(k2.lam, strings.Trim(key.lam, "()= ")[0:3]) {
				conds = append(conds, k2)
			}
		}
		if withInterval {
			// b.ts around a.ts or the other way round
			if g.chance(0.5) {
				conds = append(conds, g.intervalBound(a, b, colEnd))
			} else {
				conds = append(conds, g.intervalBound(b, a, colEnd))
			}
		}
		for g.chance(0.3) {
			conds = append(conds, g.residual(a, b))
		}
		g.r.Shuffle(len(conds), func(i, j int) { conds[i], conds[j] = conds[j], conds[i] })
		var lc, dc []string
		for _, c := range conds {
			lc, dc = append(lc, c.lam), append(dc, c.duck)
		}
		if kind == "," {
			fmt.Fprintf(&lamFrom, ", %s", b.lamFrom)
			fmt.Fprintf(&duckFrom, ", %s", b.duckFrom)
			lamWhere, duckWhere = append(lamWhere, lc...), append(duckWhere, dc...)
			return
		}
		fmt.Fprintf(&lamFrom, "\n%s %s ON %s", kind, b.lamFrom, strings.Join(lc, " AND "))
		fmt.Fprintf(&duckFrom, "\n%s %s ON %s", kind, b.duckFrom, strings.Join(dc, " AND "))
	}
	on(left, right, kind1, interval)
	updating := !left.appendOnly || !right.appendOnly || (outer(kind1) && (!interval || g.regularBound))
	if three {
		kind2 := kinds[g.pick(len(kinds)-1)] // no comma after an ON
		if kind1 == "," {
			kind2 = ","
		}
		var third joinSide
		if g.chance(0.25) {
			third = g.aggSide("sm", "m", "magg", &views)
		} else {
			third = g.sourceSide("sm", "m")
		}
		// the third joins on the left's or the right's columns
		prev := sides[g.pick(2)]
		on(prev, third, kind2, false)
		// the residuals of the second ON may read either earlier side
		sides = append(sides, third)
		updating = updating || !third.appendOnly || outer(kind2)
	}
	if g.chance(0.25) {
		w := g.residual(sides...)
		lamWhere, duckWhere = append(lamWhere, w.lam), append(duckWhere, w.duck)
	}

	render := func(b *strings.Builder, sel []string, from string, where, group []string) {
		fmt.Fprintf(b, "SELECT %s\nFROM %s\n", strings.Join(sel, ", "), from)
		if len(where) > 0 {
			fmt.Fprintf(b, "WHERE %s\n", strings.Join(where, " AND "))
		}
		if len(group) > 0 {
			fmt.Fprintf(b, "GROUP BY %s\n", strings.Join(group, ", "))
		}
	}
	var q Query
	var lamSel, duckSel, lamGroup, duckGroup []string
	add := func(e expr) {
		name := fmt.Sprintf("c%d", len(q.Columns))
		lamSel, duckSel = append(lamSel, e.lam+" AS "+name), append(duckSel, e.duck+" AS "+name)
		q.Columns = append(q.Columns, Column{name, e.kind})
	}
	// a window over an interval join: the join's output has event time
	// (l.ts, never NULL in an INNER or LEFT join) and a watermark
	windowOver := interval && !g.regularBound && (!outer(kind1) || strings.HasPrefix(kind1, "LEFT"))
	windowOver = windowOver && !colEnd && g.chance(0.35) // by a column end, l.ts has no watermark after the join
	var jLam, jDuck strings.Builder
	if windowOver {
		size := []int64{1_000_000, 2_000_000, 5_000_000, 10_000_000}[g.pick(4)]
		jsel := []string{"l.ts AS ts", "l.k AS jk", "r.n AS rn", "l.x AS lx"}
		render(&jLam, jsel, lamFrom.String(), lamWhere, nil)
		render(&jDuck, jsel, duckFrom.String(), duckWhere, nil)
		add(same("window_start", KindTimestamp))
		lamGroup, duckGroup = []string{"window_start"}, []string{"window_start"}
		if g.chance(0.5) {
			add(same("jk", KindString))
			lamGroup, duckGroup = append(lamGroup, "jk"), append(duckGroup, "jk")
		}
		add(same("COUNT(*)", KindInt))
		add(expr{"SUM(rn)", "CAST(SUM(rn) AS BIGINT)", KindInt})
		if g.chance(0.5) {
			add(call("MAX", KindFloat, same("lx", KindFloat)))
		}
		lamFrom.Reset()
		duckFrom.Reset()
		fmt.Fprintf(&lamFrom, "TUMBLE(j, ts, %s)", intervalText(r, size))
		fmt.Fprintf(&duckFrom, "(SELECT *, ts - ts %% %d AS window_start FROM (%s) AS j) AS j", size, jDuck.String())
		lamWhere, duckWhere = nil, nil
	} else if g.chance(0.2) {
		// an aggregate over the join: updating
		for range 1 + g.pick(2) {
			k := g.selectItem(sides)
			if k.kind == KindTimestamp || k.kind == KindFloat {
				continue
			}
			add(k)
			lamGroup, duckGroup = append(lamGroup, k.lam), append(duckGroup, k.duck)
		}
		add(same("COUNT(*)", KindInt))
		for range g.pick(3) {
			s := sides[g.pick(len(sides))]
			c := s.cols[g.pick(len(s.cols))]
			e, _ := s.col(c.Name)
			switch {
			case c.Kind == KindInt:
				add(expr{"SUM(" + e.lam + ")", "CAST(SUM(" + e.duck + ") AS BIGINT)", KindInt})
			case c.Kind == KindFloat || c.Kind == KindString:
				add(call([]string{"MIN", "MAX"}[g.pick(2)], c.Kind, e))
			default:
				add(call("COUNT", KindInt, e))
			}
		}
		updating = true
	} else {
		for range 2 + g.pick(5) {
			add(g.selectItem(sides))
		}
	}
	q.Updating = updating

	var lam strings.Builder
	for _, s := range srcs {
		delay := intervalText(r, s.DelayUS)
		if s.DelayUS == 0 {
			delay = "INTERVAL '0' SECOND"
		}
		fmt.Fprintf(&lam, "CREATE SOURCE %s (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n"+
			"  WATERMARK FOR ts AS ts - %s\n) WITH (connector = 'file', path = '%s.jsonl', format = 'json');\n\n", s.Name, delay, s.Name)
	}
	for _, v := range views {
		lam.WriteString(v)
	}
	if windowOver {
		lam.WriteString("CREATE VIEW j AS\n" + jLam.String() + ";\n\n")
	}
	lam.WriteString("CREATE MATERIALIZED VIEW v AS\n")
	render(&lam, lamSel, lamFrom.String(), lamWhere, lamGroup)
	lam.WriteString(";\n\nCREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n")
	q.Pipeline = lam.String()
	var duck strings.Builder
	render(&duck, duckSel, duckFrom.String(), duckWhere, duckGroup)
	q.DuckSQL = duck.String()
	return q
}
