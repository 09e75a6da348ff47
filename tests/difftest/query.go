package difftest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Kind is the SQL type of a generated expression or output column.
type Kind int

const (
	KindInt Kind = iota
	KindFloat
	KindString
	KindBool
	KindTimestamp // window bounds: RFC 3339 in Laminar's output, µs in DuckDB's
	// KindDecimal is a DECIMAL, compared exactly with its scale: Laminar's
	// JSON number (its digits after the point are the scale) and DuckDB's
	// DECIMAL both normalize to "value@scale" (see decimalCell).
	KindDecimal
)

// expr is one generated expression, rendered for both engines. The two
// renderings differ only where the dialects do (division by zero, literal
// types, SUM's result type).
type expr struct {
	lam, duck string
	kind      Kind
}

func same(s string, k Kind) expr { return expr{s, s, k} }

// Query is a generated pipeline and its DuckDB batch equivalent.
type Query struct {
	Pipeline string // Laminar SQL: source, view, sink
	DuckSQL  string // over table t (ts and wm as µs)
	Columns  []Column
	Windowed bool
	Updating bool // the view emits "_op" rows: non-windowed, or EMIT CHANGES
	lateRows bool // some rows are late beyond the allowed lateness (window cases)
	// SortedBy, when set, is the order of the view's output rows (ORDER BY
	// in a windowed query: each window's rows at its close, windows in time
	// order): the rows as written are checked to be in it
	SortedBy []SortKey
	// DuckOrder, when set with SortedBy, is the same ORDER BY for DuckDB,
	// made total (the group key last): each window's rows as Laminar
	// emits them must be DuckDB's rows of that window in this order
	DuckOrder string
}

// SortKey is an output column the rows are sorted by.
type SortKey struct {
	Col  string
	Desc bool
}

// Column is an output column of the view.
type Column struct {
	Name string
	Kind Kind
}

// QueryParams say what the query may contain.
type QueryParams struct {
	DelayUS  int64
	Windowed bool
	DropLate bool // the DuckDB query leaves out (row, window) pairs that arrive late
}

type queryGen struct{ r *rand.Rand }

func (g *queryGen) pick(n int) int { return g.r.IntN(n) }

func (g *queryGen) chance(p float64) bool { return g.r.Float64() < p }

// intLit and floatLit render literals. Both engines type 0.5 as DECIMAL, so
// a DOUBLE literal is written with an exponent in Laminar (0.5e0) and cast
// in DuckDB.
func intLit(v int64) expr { return same(strconv.FormatInt(v, 10), KindInt) }

func floatLit(v float64) expr {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return expr{s + "e0", "CAST(" + s + " AS DOUBLE)", KindFloat}
}

func strLit(s string) expr { return same("'"+strings.ReplaceAll(s, "'", "''")+"'", KindString) }

// arith combines two numeric expressions. Laminar gives NULL for division
// and modulo by zero; DuckDB does too for integers (and truncates integer
// division with //), but gives ±Inf or NaN for doubles, hence NULLIF.
func arith(op string, a, b expr) expr {
	k := KindInt
	if a.kind == KindFloat || b.kind == KindFloat {
		k = KindFloat
	}
	lam := "(" + a.lam + " " + op + " " + b.lam + ")"
	duck := "(" + a.duck + " " + op + " " + b.duck + ")"
	switch {
	case op == "/" && k == KindInt:
		duck = "(" + a.duck + " // " + b.duck + ")"
	case (op == "/" || op == "%") && k == KindFloat:
		duck = "(" + a.duck + " " + op + " NULLIF(" + b.duck + ", 0))"
	}
	return expr{lam, duck, k}
}

func binary(op string, a, b expr, k Kind) expr {
	return expr{"(" + a.lam + " " + op + " " + b.lam + ")", "(" + a.duck + " " + op + " " + b.duck + ")", k}
}

func call(name string, k Kind, args ...expr) expr {
	var l, d []string
	for _, a := range args {
		l, d = append(l, a.lam), append(d, a.duck)
	}
	return expr{name + "(" + strings.Join(l, ", ") + ")", name + "(" + strings.Join(d, ", ") + ")", k}
}

func caseWhen(cond, then, els expr, k Kind) expr {
	return expr{
		"CASE WHEN " + cond.lam + " THEN " + then.lam + " ELSE " + els.lam + " END",
		"CASE WHEN " + cond.duck + " THEN " + then.duck + " ELSE " + els.duck + " END", k}
}

func (g *queryGen) intExpr(depth int) expr {
	if depth <= 0 || g.chance(0.35) {
		switch g.pick(5) {
		case 0, 1:
			return same("g", KindInt)
		case 2, 3:
			return same("n", KindInt)
		default:
			return intLit(int64(g.pick(11) - 3))
		}
	}
	switch g.pick(11) {
	case 0:
		return arith("+", g.intExpr(depth-1), g.intExpr(depth-1))
	case 1:
		return arith("-", g.intExpr(depth-1), g.intExpr(depth-1))
	case 2:
		return arith("*", g.intExpr(depth-1), intLit(int64(g.pick(7)-3)))
	case 3:
		return arith("/", g.intExpr(depth-1), g.intExpr(depth-1))
	case 4:
		return arith("%", g.intExpr(depth-1), []expr{intLit(3), intLit(-4), same("g", KindInt)}[g.pick(3)])
	case 5:
		return call("ABS", KindInt, g.intExpr(depth-1))
	case 6:
		return caseWhen(g.boolExpr(depth-1), g.intExpr(depth-1), g.intExpr(depth-1), KindInt)
	case 7:
		return call("COALESCE", KindInt, same("g", KindInt), g.intExpr(depth-1))
	case 8:
		return call("LENGTH", KindInt, g.strExpr(depth-1))
	case 9:
		// rounds half to even in both (x holds multiples of 1/4, so ties are common)
		x := g.floatExpr(depth - 1)
		return expr{"CAST(" + x.lam + " AS BIGINT)", "CAST(" + x.duck + " AS BIGINT)", KindInt}
	default:
		return expr{"CAST(b AS BIGINT)", "CAST(b AS BIGINT)", KindInt}
	}
}

func (g *queryGen) floatExpr(depth int) expr {
	if depth <= 0 || g.chance(0.3) {
		if g.chance(0.8) {
			return same("x", KindFloat)
		}
		return floatLit(float64(g.pick(17)-8) / 4)
	}
	switch g.pick(10) {
	case 0:
		return arith("+", g.floatExpr(depth-1), g.numExpr(depth-1))
	case 1:
		return arith("-", g.numExpr(depth-1), g.floatExpr(depth-1))
	case 2:
		return arith("*", g.floatExpr(depth-1), g.numExpr(depth-1))
	case 3:
		return arith("/", g.floatExpr(depth-1), []expr{intLit(4), floatLit(0.5), same("g", KindInt), same("x", KindFloat)}[g.pick(4)])
	case 4:
		return arith("%", g.floatExpr(depth-1), []expr{intLit(3), floatLit(2.5), same("x", KindFloat)}[g.pick(3)])
	case 5:
		return call([]string{"ABS", "FLOOR", "CEIL", "ROUND"}[g.pick(4)], KindFloat, g.floatExpr(depth-1))
	case 6:
		return caseWhen(g.boolExpr(depth-1), g.floatExpr(depth-1), g.numExpr(depth-1), KindFloat)
	case 7:
		return call("COALESCE", KindFloat, same("x", KindFloat), g.numExpr(depth-1))
	case 8:
		x := g.intExpr(depth - 1)
		return expr{"CAST(" + x.lam + " AS DOUBLE)", "CAST(" + x.duck + " AS DOUBLE)", KindFloat}
	default:
		return call("ROUND", KindFloat, g.floatExpr(depth-1), intLit(int64(g.pick(2)+1)))
	}
}

func (g *queryGen) numExpr(depth int) expr {
	if g.chance(0.5) {
		return g.intExpr(depth)
	}
	return g.floatExpr(depth)
}

func (g *queryGen) strExpr(depth int) expr {
	if depth <= 0 || g.chance(0.4) {
		if g.chance(0.85) {
			return same("k", KindString)
		}
		return strLit([]string{"a", "zz", ""}[g.pick(3)])
	}
	switch g.pick(7) {
	case 0:
		return binary("||", g.strExpr(depth-1), g.strExpr(depth-1), KindString)
	case 1:
		return call([]string{"LOWER", "UPPER"}[g.pick(2)], KindString, g.strExpr(depth-1))
	case 2:
		return call("SUBSTRING", KindString, g.strExpr(depth-1), intLit(int64(1+g.pick(3))), intLit(int64(g.pick(4))))
	case 3:
		return call("SUBSTRING", KindString, g.strExpr(depth-1), intLit(int64(1+g.pick(3))))
	case 4:
		return call("COALESCE", KindString, same("k", KindString), strLit("none"))
	case 5:
		return caseWhen(g.boolExpr(depth-1), g.strExpr(depth-1), g.strExpr(depth-1), KindString)
	default:
		x := g.intExpr(depth - 1)
		return expr{"CAST(" + x.lam + " AS VARCHAR)", "CAST(" + x.duck + " AS VARCHAR)", KindString}
	}
}

func (g *queryGen) boolExpr(depth int) expr {
	cmp := []string{"=", "<>", "<", "<=", ">", ">="}
	if depth <= 0 || g.chance(0.3) {
		switch g.pick(4) {
		case 0:
			return same("b", KindBool)
		case 1:
			return binary(cmp[g.pick(6)], same("g", KindInt), intLit(int64(g.pick(40)-10)), KindBool)
		case 2:
			return binary(cmp[g.pick(6)], same("x", KindFloat), floatLit(float64(g.pick(200)-100)/4), KindBool)
		default:
			return binary(cmp[g.pick(6)], same("k", KindString), strLit([]string{"a", "b", "ab", ""}[g.pick(4)]), KindBool)
		}
	}
	switch g.pick(10) {
	case 0:
		return binary(cmp[g.pick(6)], g.numExpr(depth-1), g.numExpr(depth-1), KindBool)
	case 1:
		return binary(cmp[g.pick(6)], g.strExpr(depth-1), g.strExpr(depth-1), KindBool)
	case 2:
		return binary([]string{"AND", "OR"}[g.pick(2)], g.boolExpr(depth-1), g.boolExpr(depth-1), KindBool)
	case 3:
		x := g.boolExpr(depth - 1)
		return expr{"(NOT " + x.lam + ")", "(NOT " + x.duck + ")", KindBool}
	case 4:
		x := []expr{same("k", KindString), same("g", KindInt), same("x", KindFloat), same("b", KindBool), g.numExpr(depth - 1)}[g.pick(5)]
		not := []string{"", " NOT"}[g.pick(2)]
		return expr{"(" + x.lam + " IS" + not + " NULL)", "(" + x.duck + " IS" + not + " NULL)", KindBool}
	case 5:
		not := []string{"", " NOT"}[g.pick(2)]
		list := "'a', 'b'"
		if g.chance(0.5) {
			list = "'ab', '', 'c'"
		}
		x := g.strExpr(depth - 1)
		return expr{"(" + x.lam + not + " IN (" + list + "))", "(" + x.duck + not + " IN (" + list + "))", KindBool}
	case 6:
		not := []string{"", " NOT"}[g.pick(2)]
		x := g.numExpr(depth - 1)
		lo := g.pick(40) - 20
		hi := lo + g.pick(30)
		return expr{fmt.Sprintf("(%s%s BETWEEN %d AND %d)", x.lam, not, lo, hi), fmt.Sprintf("(%s%s BETWEEN %d AND %d)", x.duck, not, lo, hi), KindBool}
	case 7:
		not := []string{"", " NOT"}[g.pick(2)]
		pat := []string{"a%", "%b", "_", "%a%", "x_z", "", "%"}[g.pick(7)]
		x := g.strExpr(depth - 1)
		return expr{"(" + x.lam + not + " LIKE '" + pat + "')", "(" + x.duck + not + " LIKE '" + pat + "')", KindBool}
	case 8:
		return binary(cmp[g.pick(6)], call("LENGTH", KindInt, g.strExpr(depth-1)), intLit(int64(g.pick(4))), KindBool)
	default:
		return binary("=", arith("%", same("n", KindInt), intLit(int64(2+g.pick(4)))), intLit(0), KindBool)
	}
}

// groupKey is a GROUP BY expression, often a bare column.
func (g *queryGen) groupKey() expr {
	switch g.pick(12) {
	case 0, 1, 2:
		return same("k", KindString)
	case 3:
		return same("g", KindInt)
	case 4:
		return same("b", KindBool)
	case 5:
		return binary("||", same("k", KindString), strLit("x"), KindString)
	case 6:
		return arith("%", same("g", KindInt), intLit(3))
	case 7:
		return arith("%", same("n", KindInt), intLit(5))
	case 8:
		return call("LOWER", KindString, same("k", KindString))
	case 9:
		return expr{"(x IS NULL)", "(x IS NULL)", KindBool}
	case 10:
		return call("FLOOR", KindFloat, arith("/", same("x", KindFloat), intLit(50)))
	default:
		return g.strExpr(1)
	}
}

// aggregate is one aggregate call, sometimes with a FILTER (often over
// the NOT NULL column n, where a group no row passes gives NULL, not 0).
// SUM of BIGINT is HUGEINT in DuckDB, so it is cast back to BIGINT.
func (g *queryGen) aggregate() expr {
	filter := ""
	var fl, fd string
	if g.chance(0.2) {
		f := g.boolExpr(1)
		filter = " FILTER (WHERE "
		fl, fd = filter+f.lam+")", filter+f.duck+")"
	}
	num := func() expr {
		if filter != "" && g.chance(0.5) {
			return []expr{same("n", KindInt), arith("+", same("n", KindInt), intLit(1)), arith("*", same("n", KindInt), intLit(2))}[g.pick(3)]
		}
		return g.numExpr(2)
	}
	agg := func(name string, k Kind, x expr) expr {
		return expr{name + "(" + x.lam + ")" + fl, name + "(" + x.duck + ")" + fd, k}
	}
	switch g.pick(6) {
	case 0:
		return expr{"COUNT(*)" + fl, "COUNT(*)" + fd, KindInt}
	case 1:
		x := []expr{g.numExpr(2), g.strExpr(2), g.boolExpr(1)}[g.pick(3)]
		return agg("COUNT", KindInt, x)
	case 2:
		x := num()
		if x.kind == KindInt {
			return expr{"SUM(" + x.lam + ")" + fl, "CAST(SUM(" + x.duck + ")" + fd + " AS BIGINT)", KindInt}
		}
		return agg("SUM", KindFloat, x)
	case 3:
		return agg("AVG", KindFloat, num())
	default:
		name := []string{"MIN", "MAX"}[g.pick(2)]
		x := []expr{num(), g.strExpr(2)}[g.pick(2)]
		return agg(name, x.kind, x)
	}
}

// selectAggregate is an aggregate or, sometimes, arithmetic over two.
func (g *queryGen) selectAggregate() expr {
	a := g.aggregate()
	if g.chance(0.15) {
		b := g.aggregate()
		if (a.kind == KindInt || a.kind == KindFloat) && (b.kind == KindInt || b.kind == KindFloat) {
			return arith([]string{"+", "-", "*", "/"}[g.pick(4)], a, b)
		}
	}
	return a
}

func (g *queryGen) having() expr {
	cmp := []string{"=", "<>", "<", "<=", ">", ">="}
	var parts []expr
	for range 1 + g.pick(2) {
		a := g.aggregate()
		var rhs expr
		switch a.kind {
		case KindInt:
			rhs = intLit(int64(g.pick(20)))
		case KindFloat:
			rhs = floatLit(float64(g.pick(80)-40) / 2)
		case KindString:
			rhs = strLit([]string{"a", "b", ""}[g.pick(3)])
		default:
			continue
		}
		parts = append(parts, binary(cmp[g.pick(6)], a, rhs, KindBool))
	}
	out := parts[0]
	for _, p := range parts[1:] {
		out = binary([]string{"AND", "OR"}[g.pick(2)], out, p, KindBool)
	}
	return out
}

// intervalText renders µs as an INTERVAL literal in a unit that divides it.
func intervalText(r *rand.Rand, us int64) string {
	switch {
	case us%60_000_000 == 0 && r.IntN(2) == 0:
		return fmt.Sprintf("INTERVAL '%d' MINUTE", us/60_000_000)
	case us%1_000_000 == 0 && r.IntN(4) != 0:
		return fmt.Sprintf("INTERVAL '%d' SECOND", us/1_000_000)
	default:
		return fmt.Sprintf("INTERVAL '%d' MILLISECOND", us/1000)
	}
}

// GenQuery generates a windowed (TUMBLE or HOP) or non-windowed aggregate
// query over source src, with its DuckDB equivalent over table t.
func GenQuery(r *rand.Rand, p QueryParams) Query {
	g := &queryGen{r: r}
	var q Query
	q.Windowed = p.Windowed

	type item struct {
		e    expr
		name string
	}
	var items []item
	var keys []expr
	for i := range g.pick(3) {
		k := g.groupKey()
		keys = append(keys, k)
		items = append(items, item{k, fmt.Sprintf("k%d", i)})
	}
	for i := range 1 + g.pick(4) {
		items = append(items, item{g.selectAggregate(), fmt.Sprintf("a%d", i)})
	}

	var from, duckFrom, groupWindow string
	if p.Windowed {
		var size, slide int64
		size = []int64{500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 60_000_000}[g.pick(6)]
		slide = size
		hop := g.chance(0.5)
		if hop {
			slide = size / []int64{1, 2, 4, 5}[g.pick(4)]
			slide -= slide % 1000
			size = slide * (size / slide)
		}
		var offset int64
		if g.chance(0.2) {
			offset = r.Int64N(slide/1000) * 1000
		}
		offText := ""
		if offset > 0 {
			offText = ", " + intervalText(r, offset)
		}
		if hop {
			from = fmt.Sprintf("HOP(src, ts, %s, %s%s)", intervalText(r, slide), intervalText(r, size), offText)
			// each row lies in size/slide windows: the latest starts at or before ts
			duckFrom = fmt.Sprintf("(SELECT t.*, ts - ((ts - %d) %% %d) - j * %d AS window_start FROM t CROSS JOIN range(0, %d) AS hops(j))",
				offset, slide, slide, size/slide)
		} else {
			from = fmt.Sprintf("TUMBLE(src, ts, %s%s)", intervalText(r, size), offText)
			duckFrom = fmt.Sprintf("(SELECT t.*, ts - ((ts - %d) %% %d) AS window_start FROM t)", offset, size)
		}
		duckFrom = fmt.Sprintf("(SELECT *, window_start + %d AS window_end FROM %s)", size, duckFrom)
		items = append(items, item{same("window_start", KindTimestamp), "window_start"})
		if g.chance(0.8) {
			items = append(items, item{same("window_end", KindTimestamp), "window_end"})
		}
		groupWindow = "window_start, window_end"
	} else {
		from = "src"
		duckFrom = "t"
	}
	r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })

	var lamSel, duckSel []string
	for _, it := range items {
		alias := it.name
		if it.e.kind == KindTimestamp {
			lamSel = append(lamSel, it.name)
			duckSel = append(duckSel, it.name)
		} else {
			lamSel = append(lamSel, it.e.lam+" AS "+alias)
			duckSel = append(duckSel, it.e.duck+" AS "+alias)
		}
		q.Columns = append(q.Columns, Column{Name: alias, Kind: it.e.kind})
	}
	var lamWhere, duckWhere []string
	if g.chance(0.5) {
		w := g.boolExpr(2)
		lamWhere = append(lamWhere, w.lam)
		duckWhere = append(duckWhere, w.duck)
	}
	if p.DropLate {
		duckWhere = append(duckWhere, "window_end > wm")
	}
	var lamGroup, duckGroup []string
	if groupWindow != "" {
		lamGroup, duckGroup = append(lamGroup, groupWindow), append(duckGroup, groupWindow)
	}
	for _, k := range keys {
		lamGroup, duckGroup = append(lamGroup, k.lam), append(duckGroup, k.duck)
	}
	var having *expr
	if g.chance(0.3) {
		h := g.having()
		having = &h
	}

	var lam strings.Builder
	delay := intervalText(r, p.DelayUS)
	if p.DelayUS == 0 {
		delay = "INTERVAL '0' SECOND"
	}
	fmt.Fprintf(&lam, "CREATE SOURCE src (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n"+
		"  WATERMARK FOR ts AS ts - %s\n) WITH (connector = 'file', path = 'in.jsonl', format = 'json');\n\n", delay)
	fmt.Fprintf(&lam, "CREATE MATERIALIZED VIEW v AS\nSELECT %s\nFROM %s\n", strings.Join(lamSel, ", "), from)
	if len(lamWhere) > 0 {
		fmt.Fprintf(&lam, "WHERE %s\n", lamWhere[0])
	}
	if len(lamGroup) > 0 {
		fmt.Fprintf(&lam, "GROUP BY %s\n", strings.Join(lamGroup, ", "))
	}
	if having != nil {
		fmt.Fprintf(&lam, "HAVING %s\n", having.lam)
	}
	q.Updating = !p.Windowed
	switch {
	case p.Windowed && g.chance(0.3):
		lam.WriteString("EMIT CHANGES\n")
		q.Updating = true
	case p.Windowed && g.chance(0.5):
		lam.WriteString("EMIT ON WINDOW CLOSE\n")
	case !p.Windowed && g.chance(0.5):
		lam.WriteString("EMIT CHANGES\n")
	}
	lam.WriteString(";\n\nCREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n")
	q.Pipeline = lam.String()

	var duck strings.Builder
	fmt.Fprintf(&duck, "SELECT %s\nFROM %s\n", strings.Join(duckSel, ", "), duckFrom)
	if len(duckWhere) > 0 {
		fmt.Fprintf(&duck, "WHERE %s\n", strings.Join(duckWhere, " AND "))
	}
	if len(duckGroup) > 0 {
		fmt.Fprintf(&duck, "GROUP BY %s\n", strings.Join(duckGroup, ", "))
	}
	if having != nil {
		fmt.Fprintf(&duck, "HAVING %s\n", having.duck)
	}
	q.DuckSQL = duck.String()
	return q
}
