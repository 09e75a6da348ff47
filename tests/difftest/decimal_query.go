package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// GenDecimalCase generates a view over DECIMAL expressions (of x, n and g
// cast to DECIMAL, and DECIMAL literals, which DuckDB types as we do) and its
// DuckDB equivalent: a projection with a WHERE, a tumbling-window aggregate,
// an updating GROUP BY a DECIMAL key, or an aggregate over an updating view
// (retractions of DECIMAL sums and extremes). Casts that may not fit are
// TRY_CAST in DuckDB (NULL in Laminar); a quotient is a DOUBLE in both.
func GenDecimalCase(r *rand.Rand, name string, wide bool) funcCase {
	g := &decGen{queryGen: queryGen{r: r}, wide: wide}
	fc := funcCase{name: name}
	type item struct {
		e    expr
		name string
	}
	var items []item
	add := func(e expr) { items = append(items, item{e, fmt.Sprintf("c%d", len(items))}) }
	sel := func(render func(expr) string) string {
		var out []string
		for _, it := range items {
			out = append(out, render(it.e)+" AS "+it.name)
		}
		return strings.Join(out, ", ")
	}
	cols := func(prefix []Column) []Column {
		for _, it := range items {
			prefix = append(prefix, Column{it.name, it.e.kind})
		}
		return prefix
	}
	lam := func(e expr) string { return e.lam }
	duck := func(e expr) string { return e.duck }
	switch r.IntN(4) {
	case 0: // projection
		for range 2 + r.IntN(4) {
			add(g.selectItem())
		}
		w := g.decCond()
		fc.views = fmt.Sprintf("CREATE VIEW v AS SELECT %s\nFROM src WHERE %s;\n", sel(lam), w.lam)
		fc.duck = fmt.Sprintf("SELECT %s FROM t WHERE %s", sel(duck), w.duck)
		fc.cols = cols(nil)
	case 1: // tumbling window
		for range 1 + r.IntN(4) {
			add(g.decAggregate())
		}
		fc.views = fmt.Sprintf("CREATE VIEW v AS SELECT k, window_start, %s\nFROM TUMBLE(src, ts, INTERVAL '10' SECOND) GROUP BY k, window_start, window_end;\n", sel(lam))
		fc.duck = fmt.Sprintf("SELECT k, ts - ts %% 10000000 AS ws, %s FROM t GROUP BY k, ws", sel(duck))
		fc.cols = cols([]Column{{"k", KindString}, {"window_start", KindTimestamp}})
	case 2: // updating, grouped by a DECIMAL
		key := g.decKey()
		for range 1 + r.IntN(4) {
			add(g.decAggregate())
		}
		fc.views = fmt.Sprintf("CREATE VIEW v AS SELECT %s AS key, %s\nFROM src GROUP BY %s;\n", key.lam, sel(lam), key.lam)
		fc.duck = fmt.Sprintf("SELECT %s AS key, %s FROM t GROUP BY %s", key.duck, sel(duck), key.duck)
		fc.cols = cols([]Column{{"key", KindDecimal}})
		fc.updating = true
	default: // over an updating view: its sums and extremes are retracted
		e := g.decExpr(1)
		inner := "SELECT k, b, SUM(%s) AS s, MIN(%s) AS mn, COUNT(*) AS c FROM %s GROUP BY k, b"
		fc.views = "CREATE VIEW v1 AS " + fmt.Sprintf(inner, e.lam, e.lam, "src") + ";\n" +
			"CREATE VIEW v AS SELECT b, SUM(s) AS ss, MIN(s) AS ms, MAX(mn) AS xm, AVG(s) AS av, SUM(c) AS n FROM v1 GROUP BY b;\n"
		fc.duck = "WITH v1 AS (" + fmt.Sprintf(inner, e.duck, e.duck, "t") + ")\n" +
			"SELECT b, SUM(s), MIN(s), MAX(mn), AVG(s), SUM(c)::BIGINT FROM v1 GROUP BY b"
		fc.cols = []Column{{"b", KindBool}, {"ss", KindDecimal}, {"ms", KindDecimal}, {"xm", KindDecimal}, {"av", KindFloat}, {"n", KindInt}}
		fc.updating = true
	}
	return fc
}

type decGen struct {
	queryGen
	wide bool // DECIMAL(p > 18) atoms too
}

// decLiterals are written alike in both dialects and typed alike (DECIMAL(4,3) for 0.908).
var decLiterals = []string{"0.908", "1.25", "0.5", "12.345", "100.0", "0.001", "3.1", "2.50", ".75"}

// wideAtoms are DECIMAL(p > 18) values (128 bits in Laminar, HUGEINT in
// DuckDB): casts to DECIMAL(20 to 38), products beyond 18 digits, a
// literal of 22 digits; a product of two of them stays within 38 digits.
var wideAtoms = []string{
	"CAST(n AS DECIMAL(38,2)) * 12345678901234567.89",
	"CAST(x AS DECIMAL(30,4))",
	"CAST(g AS DECIMAL(20,1))",
	"(98765432109876543210.12 - CAST(n AS DECIMAL(25,3)))",
	"(0.908 * n)",
	"CAST(n * 1000000000000000 AS DECIMAL(38,0))",
}

// decAtom is a DECIMAL column (of the source's x, n, g) or literal, a
// third of them DECIMAL(p > 18) when wide.
func (g *decGen) decAtom() expr {
	if g.wide && g.chance(0.35) {
		return same(wideAtoms[g.pick(len(wideAtoms))], KindDecimal)
	}
	return g.narrowAtom()
}

// narrowAtom is a DECIMAL(p <= 18) column or literal.
func (g *decGen) narrowAtom() expr {
	switch g.pick(6) {
	case 0:
		return same("CAST(x AS DECIMAL(7,2))", KindDecimal)
	case 1:
		return same("CAST(n AS DECIMAL(4,0))", KindDecimal)
	case 2:
		return same("CAST(g AS DECIMAL(3,1))", KindDecimal)
	case 3:
		return same("CAST(x AS DECIMAL(9,3))", KindDecimal)
	default:
		return same(decLiterals[g.pick(len(decLiterals))], KindDecimal)
	}
}

// decExpr is a DECIMAL expression; products stay shallow so that scales
// and digits stay within what both engines hold.
func (g *decGen) decExpr(depth int) expr {
	if depth <= 0 || g.chance(0.3) {
		return g.decAtom()
	}
	d := func() expr { return g.decExpr(depth - 1) }
	switch g.pick(12) {
	case 0, 1:
		return binary("+", d(), d(), KindDecimal)
	case 2:
		return binary("-", d(), d(), KindDecimal)
	case 3:
		return binary("+", d(), []expr{same("n", KindInt), intLit(int64(g.pick(9) - 4))}[g.pick(2)], KindDecimal)
	case 4:
		// one side narrow: a product of two wide atoms would pass 38 digits
		return binary("*", g.decAtom(), []expr{g.narrowAtom(), same("g", KindInt), intLit(3)}[g.pick(3)], KindDecimal)
	case 5:
		x := d()
		return expr{"(-" + x.lam + ")", "(-" + x.duck + ")", KindDecimal}
	case 6:
		x := d()
		fn := []string{"ABS", "FLOOR", "CEIL"}[g.pick(3)]
		return call(fn, KindDecimal, x)
	case 7:
		x := d()
		n := intLit(int64(g.pick(3)))
		return call([]string{"ROUND", "TRUNC"}[g.pick(2)], KindDecimal, x, n)
	case 8:
		return caseWhen(g.boolExpr(1), d(), d(), KindDecimal)
	case 9:
		return call("COALESCE", KindDecimal, d(), d())
	case 10:
		x := d()
		p, s := []int{4, 6, 9, 12}[g.pick(4)], g.pick(4)
		s = min(s, p)
		t := fmt.Sprintf(" AS DECIMAL(%d,%d))", p, s)
		return expr{"CAST(" + x.lam + t, "TRY_CAST(" + x.duck + t, KindDecimal}
	default:
		lit := []string{"0.3", "7", "2.5"}[g.pick(3)]
		return binary("%", d(), same(lit, KindDecimal), KindDecimal)
	}
}

// selectItem is a DECIMAL expression or a value computed from one.
func (g *decGen) selectItem() expr {
	x := g.decExpr(2)
	switch g.pick(8) {
	case 0:
		y := g.decExpr(1)
		return expr{"(" + x.lam + " / " + y.lam + ")", "(" + x.duck + " / NULLIF(" + y.duck + ", 0))", KindFloat}
	case 1:
		return expr{"CAST(" + x.lam + " AS DOUBLE)", "CAST(" + x.duck + " AS DOUBLE)", KindFloat}
	case 2:
		// a value past BIGINT is NULL here (as every CAST that does not
		// fit, docs/dialect.md); DuckDB's CAST fails the query, its
		// TRY_CAST gives the NULL
		return expr{"CAST(" + x.lam + " AS BIGINT)", "TRY_CAST(" + x.duck + " AS BIGINT)", KindInt}
	case 3:
		return expr{"CAST(" + x.lam + " AS VARCHAR)", "CAST(" + x.duck + " AS VARCHAR)", KindString}
	case 4:
		return binary([]string{"<", "=", ">=", "<>"}[g.pick(4)], x, g.decExpr(1), KindBool)
	case 5:
		return binary("+", x, same("x", KindFloat), KindFloat)
	default:
		return x
	}
}

// decCond is a WHERE condition on DECIMAL values, or a third of the rows
// (so that the result is never empty).
func (g *decGen) decCond() expr {
	c := binary([]string{"<", "<=", ">", "<>"}[g.pick(4)], g.decExpr(1), g.decAtom(), KindBool)
	return binary("OR", c, same("n % 3 = 0", KindBool), KindBool)
}

// decKey is a GROUP BY key of few values.
func (g *decGen) decKey() expr {
	if g.wide && g.chance(0.5) {
		return same("(CAST(g AS DECIMAL(30,1)) * 12345678901234567.8)", KindDecimal)
	}
	switch g.pick(4) {
	case 0:
		return same("CAST(g AS DECIMAL(3,1))", KindDecimal)
	case 1:
		return same("CAST(ROUND(CAST(x AS DECIMAL(7,2)) / 40, 0) AS DECIMAL(5,0))", KindDecimal)
	case 2:
		return same("FLOOR(CAST(n AS DECIMAL(6,1)) * 0.01)", KindDecimal)
	default:
		return same("(CAST(g AS DECIMAL(4,1)) % 2.5)", KindDecimal)
	}
}

// decAggregate is an aggregate of a DECIMAL expression.
func (g *decGen) decAggregate() expr {
	x := g.decExpr(1)
	filter := ""
	if g.chance(0.2) {
		filter = " FILTER (WHERE b)"
	}
	switch g.pick(6) {
	case 0, 1:
		return expr{"SUM(" + x.lam + ")" + filter, "SUM(" + x.duck + ")" + filter, KindDecimal}
	case 2:
		return expr{"AVG(" + x.lam + ")" + filter, "AVG(" + x.duck + ")" + filter, KindFloat}
	case 3:
		return expr{"MIN(" + x.lam + ")" + filter, "MIN(" + x.duck + ")" + filter, KindDecimal}
	case 4:
		return expr{"MAX(" + x.lam + ")" + filter, "MAX(" + x.duck + ")" + filter, KindDecimal}
	default:
		return expr{"COUNT(" + x.lam + ")" + filter, "COUNT(" + x.duck + ")" + filter, KindInt}
	}
}
