package difftest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Multi-view pipelines: a chain of 2–4 views, each reading the one before
// (and, in a UNION, the source or an earlier view), mixing windowed and
// updating aggregates, DISTINCT, UNION [ALL], subqueries in FROM and CTEs.
// The DuckDB side is one query whose CTEs are the views, over the same
// columns, with window bounds as computed BIGINT µs columns.

// mcol is a column of a relation the generator can read.
type mcol struct {
	name string
	kind Kind
	// event: Laminar can window by it (the source's ts, or window_start /
	// window_end of a windowed view that emits on close); shift is its
	// watermark's offset from the source's (0, or 1 - size for window_start).
	event bool
	shift int64
	// inexact: a double that is not a multiple of 1/4 (an AVG), whose last
	// bits depend on the order of summation: never a group key, a filter
	// operand or a DISTINCT column, only passed on or aggregated.
	inexact bool
	// bound: window_start or window_end of a window TVF in the same view,
	// reached through plain projections and filters: a DISTINCT over it
	// keeps state per window and emits on close (size is the window's)
	bound bool
	size  int64
}

// mrel is a relation a view (or a CTE, or a subquery) reads.
type mrel struct {
	lam, duck string // how FROM names it: a name, or "(SELECT …) AS s3"
	table     bool   // a name: TUMBLE and HOP can read it
	cols      []mcol
	updating  bool
}

func (r mrel) eventCols() []mcol {
	var out []mcol
	for _, c := range r.cols {
		if c.event {
			out = append(out, c)
		}
	}
	return out
}

func (r mrel) colsOf(pred func(mcol) bool) []mcol {
	var out []mcol
	for _, c := range r.cols {
		if pred(c) {
			out = append(out, c)
		}
	}
	return out
}

type mvGen struct {
	queryGen
	closeOnly bool // the next windowed aggregate emits on close, with window_end
	view      int  // index of the view being generated, for unique names
	names     int  // counter of CTE and subquery names
}

func (g *mvGen) fresh(prefix string) string {
	g.names++
	return fmt.Sprintf("%s%d", prefix, g.names)
}

func colExpr(c mcol) expr { return same(c.name, c.kind) }

func isExactOf(kinds ...Kind) func(mcol) bool {
	return func(c mcol) bool { return !c.inexact && slices.Contains(kinds, c.kind) }
}

// scalar is an expression over r's exact columns of kind k, or nil if r has
// none; inexact tells whether it may use an AVG column (then it is only
// passed on).
func (g *mvGen) scalar(r mrel, k Kind) *expr {
	cols := r.colsOf(isExactOf(k))
	if k == KindFloat && (len(cols) == 0 || g.chance(0.2)) {
		// an int widened to double
		if ints := r.colsOf(isExactOf(KindInt)); len(ints) > 0 {
			c := ints[g.pick(len(ints))]
			e := expr{"CAST(" + c.name + " AS DOUBLE)", "CAST(" + c.name + " AS DOUBLE)", KindFloat}
			return &e
		}
	}
	if len(cols) == 0 {
		return nil
	}
	c := colExpr(cols[g.pick(len(cols))])
	if g.chance(0.5) {
		return &c
	}
	var e expr
	switch k {
	case KindInt:
		switch g.pick(5) {
		case 0:
			e = arith("+", c, intLit(int64(g.pick(7)-3)))
		case 1:
			e = arith("*", c, intLit(int64(g.pick(5)-1)))
		case 2:
			e = arith("%", c, intLit(int64(2+g.pick(4))))
		case 3:
			e = call("ABS", KindInt, c)
		default:
			e = call("COALESCE", KindInt, c, intLit(int64(g.pick(3))))
		}
	case KindFloat:
		switch g.pick(4) {
		case 0:
			e = arith("+", c, floatLit(float64(g.pick(9)-4)/4))
		case 1:
			e = arith("*", c, floatLit(2))
		case 2:
			e = call("FLOOR", KindFloat, arith("/", c, intLit(4)))
		default:
			e = call("ABS", KindFloat, c)
		}
	case KindString:
		switch g.pick(4) {
		case 0:
			e = call("LOWER", KindString, c)
		case 1:
			e = binary("||", c, strLit("x"), KindString)
		case 2:
			e = call("COALESCE", KindString, c, strLit("none"))
		default:
			e = call("SUBSTRING", KindString, c, intLit(1), intLit(1))
		}
	case KindBool:
		e = expr{"(NOT " + c.lam + ")", "(NOT " + c.duck + ")", KindBool}
	default:
		return &c
	}
	return &e
}

// predicate is a WHERE condition over r's exact columns, or nil.
func (g *mvGen) predicate(r mrel) *expr {
	// equality seldom: chained through several views it leaves nothing
	cmp := []string{"=", "<>", "<", "<=", ">", ">=", "<>", ">", "<"}
	one := func() *expr {
		for range 4 {
			k := []Kind{KindInt, KindInt, KindFloat, KindString, KindBool}[g.pick(5)]
			x := g.scalar(r, k)
			if x == nil {
				continue
			}
			var e expr
			switch {
			case g.chance(0.15):
				not := []string{"", " NOT", " NOT"}[g.pick(3)]
				e = expr{"(" + x.lam + " IS" + not + " NULL)", "(" + x.duck + " IS" + not + " NULL)", KindBool}
			case k == KindInt:
				// a bound that lets some rows through: counts are small, n is up to 1000
				op := cmp[g.pick(len(cmp))]
				lits := []int64{0, 1, 2, 3, 5, 10, 50, 100, 500}
				switch op {
				case ">", ">=":
					lits = []int64{-1, 0, 1, 2, 3, 10}
				case "<", "<=":
					lits = []int64{3, 5, 10, 50, 100, 500}
				}
				e = binary(op, *x, intLit(lits[g.pick(len(lits))]), KindBool)
			case k == KindFloat:
				e = binary(cmp[g.pick(len(cmp))], *x, floatLit(float64(g.pick(200)-100)/2), KindBool)
			case k == KindString:
				if g.chance(0.3) {
					pat := []string{"a%", "%b", "_", "%a%"}[g.pick(4)]
					e = expr{"(" + x.lam + " LIKE '" + pat + "')", "(" + x.duck + " LIKE '" + pat + "')", KindBool}
				} else {
					e = binary(cmp[g.pick(len(cmp))], *x, strLit([]string{"a", "b", "ab", ""}[g.pick(4)]), KindBool)
				}
			default:
				e = *x
			}
			return &e
		}
		return nil
	}
	p := one()
	if p != nil && g.chance(0.25) {
		if q := one(); q != nil {
			e := binary([]string{"AND", "OR"}[g.pick(2)], *p, *q, KindBool)
			p = &e
		}
	}
	return p
}

// selItem is one SELECT item with the column it makes.
type selItem struct {
	e   expr
	col mcol
}

func (it selItem) render() (lam, duck string) {
	if it.e.lam == it.col.name {
		return it.col.name, it.col.name
	}
	return it.e.lam + " AS " + it.col.name, it.e.duck + " AS " + it.col.name
}

func renderItems(items []selItem) (lam, duck string, cols []mcol) {
	var l, d []string
	for _, it := range items {
		a, b := it.render()
		l, d = append(l, a), append(d, b)
		cols = append(cols, it.col)
	}
	return strings.Join(l, ", "), strings.Join(d, ", "), cols
}

// step is one SELECT over a relation: its text for both engines and what it
// makes.
type step struct {
	lam, duck string
	out       mrel // cols and updating; lam/duck names are set by the caller
}

// project keeps some of r's columns as they are (event times stay event
// times) and adds up to two expressions, under an optional WHERE.
func (g *mvGen) project(r mrel, distinct bool) step {
	var items []selItem
	for _, c := range r.cols {
		keep := g.chance(0.6) || (c.event && g.chance(0.7))
		if keep && !(distinct && c.inexact) {
			items = append(items, selItem{colExpr(c), c})
		}
	}
	for range g.pick(3) {
		k := []Kind{KindInt, KindFloat, KindString, KindBool}[g.pick(4)]
		if x := g.scalar(r, k); x != nil {
			name := g.fresh("e")
			items = append(items, selItem{*x, mcol{name: name, kind: k}})
		}
	}
	if len(items) == 0 {
		if exact := r.colsOf(func(c mcol) bool { return !c.inexact }); len(exact) > 0 {
			c := exact[g.pick(len(exact))]
			items = append(items, selItem{colExpr(c), c})
		} else {
			items = append(items, selItem{intLit(1), mcol{name: g.fresh("e"), kind: KindInt}})
		}
	}
	g.r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	lam, duck, cols := renderItems(items)
	kw := "SELECT "
	windowed := false
	if distinct {
		kw = "SELECT DISTINCT "
		for _, c := range cols {
			windowed = windowed || c.bound
		}
		for i, c := range cols {
			// over a window TVF's bounds it emits on window close, and the
			// bounds are its event times
			cols[i].event = windowed && c.bound
			if c.name == "window_start" {
				cols[i].shift = 1 - c.size
			}
			cols[i].bound = false
		}
	}
	s := step{lam: kw + lam + " FROM " + r.lam, duck: kw + duck + " FROM " + r.duck}
	if p := g.predicate(r); p != nil && g.chance(0.4) {
		s.lam += " WHERE " + p.lam
		s.duck += " WHERE " + p.duck
	}
	s.out = mrel{cols: cols, updating: r.updating || (distinct && !windowed)}
	return s
}

// windowRows assigns r's rows to windows without aggregating: a window TVF
// with a plain SELECT (a row per window it lies in) or SELECT DISTINCT
// (which keeps state per window and emits on close, its bounds event times).
func (g *mvGen) windowRows(r mrel, distinct bool) step {
	lamFrom, duckFrom, size := g.window(r)
	var items []selItem
	for _, c := range r.cols {
		if c.name == "window_start" || c.name == "window_end" || (distinct && c.inexact) || !g.chance(0.5) {
			continue
		}
		if distinct {
			c.event = false
		}
		items = append(items, selItem{colExpr(c), c})
	}
	start := g.chance(0.8)
	if start {
		items = append(items, selItem{same("window_start", KindTimestamp), mcol{name: "window_start", kind: KindTimestamp, event: distinct, shift: 1 - size, bound: !distinct, size: size}})
	}
	if !start || g.chance(0.8) {
		items = append(items, selItem{same("window_end", KindTimestamp), mcol{name: "window_end", kind: KindTimestamp, event: distinct, bound: !distinct, size: size}})
	}
	g.r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	lam, duck, cols := renderItems(items)
	kw := "SELECT "
	if distinct {
		kw = "SELECT DISTINCT "
	}
	s := step{lam: kw + lam + " FROM " + lamFrom, duck: kw + duck + " FROM " + duckFrom}
	over := r
	over.cols = r.colsOf(func(c mcol) bool { return c.name != "window_start" && c.name != "window_end" })
	if p := g.predicate(over); p != nil && g.chance(0.4) {
		s.lam += " WHERE " + p.lam
		s.duck += " WHERE " + p.duck
	}
	s.out = mrel{cols: cols}
	return s
}

// aggregateOf is an aggregate call over r's columns.
func (g *mvGen) aggregateOf(r mrel, forHaving bool) (expr, bool) {
	num := r.colsOf(func(c mcol) bool { return c.kind == KindInt || c.kind == KindFloat })
	if forHaving {
		num = r.colsOf(isExactOf(KindInt, KindFloat))
	}
	ord := append(slices.Clone(num), r.colsOf(isExactOf(KindString))...)
	counted := r.colsOf(func(c mcol) bool { return c.kind != KindTimestamp })
	choice := g.pick(6)
	if forHaving && choice == 3 {
		choice = 0 // no AVG: a comparison with it could flip on the last bit
	}
	switch {
	case choice == 0 || len(counted) == 0:
		return same("COUNT(*)", KindInt), false
	case choice == 1:
		return call("COUNT", KindInt, colExpr(counted[g.pick(len(counted))])), false
	case choice == 2 && len(num) > 0:
		c := num[g.pick(len(num))]
		if c.kind == KindInt {
			return expr{"SUM(" + c.name + ")", "CAST(SUM(" + c.name + ") AS BIGINT)", KindInt}, false
		}
		return call("SUM", KindFloat, colExpr(c)), c.inexact
	case choice == 3 && len(num) > 0:
		return call("AVG", KindFloat, colExpr(num[g.pick(len(num))])), true
	case len(ord) > 0:
		c := ord[g.pick(len(ord))]
		return call([]string{"MIN", "MAX"}[g.pick(2)], c.kind, colExpr(c)), c.inexact
	}
	return same("COUNT(*)", KindInt), false
}

// window is the window clause of a windowed aggregate over r: FROM text for
// both engines (the DuckDB one computes window_start and window_end, and
// hides r's own window columns, which the new ones shadow in Laminar).
func (g *mvGen) window(r mrel) (lamFrom, duckFrom string, size int64) {
	ev := r.eventCols()
	t := ev[g.pick(len(ev))]
	if t.shift == 0 && t.name != "window_end" {
		size = []int64{1_000_000, 2_000_000, 5_000_000, 10_000_000}[g.pick(4)]
	} else {
		// over a windowed view: its size is a multiple of the one before,
		// now and then not
		size = []int64{10_000_000, 20_000_000, 30_000_000, 60_000_000, 120_000_000, 7_000_000}[g.pick(6)]
	}
	slide := size
	hop := g.chance(0.2)
	if hop {
		slide = size / []int64{2, 4, 5}[g.pick(3)]
		slide -= slide % 1000
		size = slide * (size / slide)
	}
	var offset int64
	if g.chance(0.15) {
		offset = g.r.Int64N(slide/1000) * 1000
	}
	offText := ""
	if offset > 0 {
		offText = ", " + intervalText(g.r, offset)
	}
	if hop {
		lamFrom = fmt.Sprintf("HOP(%s, %s, %s, %s%s)", r.lam, t.name, intervalText(g.r, slide), intervalText(g.r, size), offText)
	} else {
		lamFrom = fmt.Sprintf("TUMBLE(%s, %s, %s%s)", r.lam, t.name, intervalText(g.r, size), offText)
	}
	var hide []string
	for _, c := range r.cols {
		if c.name == "window_start" || c.name == "window_end" {
			hide = append(hide, c.name)
		}
	}
	star := "*"
	if len(hide) > 0 {
		star = "* EXCLUDE (" + strings.Join(hide, ", ") + ")"
	}
	if hop {
		duckFrom = fmt.Sprintf("(SELECT %s, %s - ((%s - %d) %% %d) - hop_j * %d AS window_start FROM %s CROSS JOIN range(0, %d) AS hops(hop_j))",
			star, t.name, t.name, offset, slide, slide, r.duck, size/slide)
		duckFrom = fmt.Sprintf("(SELECT * EXCLUDE (hop_j) FROM %s)", duckFrom)
	} else {
		duckFrom = fmt.Sprintf("(SELECT %s, %s - ((%s - %d) %% %d) AS window_start FROM %s)", star, t.name, t.name, offset, size, r.duck)
	}
	duckFrom = fmt.Sprintf("(SELECT *, window_start + %d AS window_end FROM %s)", size, duckFrom)
	return lamFrom, duckFrom, size
}

// aggregate is a GROUP BY over r: windowed (r append-only with an event
// column, read by name) or not; with keys or global; with optional WHERE
// and HAVING.
func (g *mvGen) aggregate(r mrel, windowed bool) step {
	var items []selItem
	var groups []expr
	lamFrom, duckFrom := r.lam, r.duck
	var size int64
	// the relation the keys and aggregates are over: a windowed one hides
	// r's window columns
	over := r
	if windowed {
		lamFrom, duckFrom, size = g.window(r)
		over.cols = r.colsOf(func(c mcol) bool { return c.name != "window_start" && c.name != "window_end" })
	}
	keyCols := over.colsOf(func(c mcol) bool { return !c.inexact && (c.kind != KindFloat || g.chance(0.3)) })
	used := map[string]bool{}
	for range g.pick(3) {
		if len(keyCols) == 0 {
			break
		}
		c := keyCols[g.pick(len(keyCols))]
		if g.chance(0.3) && c.kind != KindTimestamp {
			if x := g.scalar(over, c.kind); x != nil {
				name := g.fresh("k")
				groups = append(groups, *x)
				items = append(items, selItem{*x, mcol{name: name, kind: c.kind}})
				continue
			}
		}
		if used[c.name] {
			continue
		}
		used[c.name] = true
		groups = append(groups, colExpr(c))
		c.event, c.bound = false, false
		items = append(items, selItem{colExpr(c), c})
	}
	for range 1 + g.pick(3) {
		a, inexact := g.aggregateOf(over, false)
		items = append(items, selItem{a, mcol{name: g.fresh("a"), kind: a.kind, inexact: inexact}})
	}
	emitClose := windowed && (g.chance(0.75) || g.closeOnly)
	if windowed {
		start := g.chance(0.85) && !g.closeOnly
		if start {
			items = append(items, selItem{same("window_start", KindTimestamp), mcol{name: "window_start", kind: KindTimestamp, event: emitClose, shift: 1 - size}})
		}
		if !start || g.chance(0.85) {
			items = append(items, selItem{same("window_end", KindTimestamp), mcol{name: "window_end", kind: KindTimestamp, event: emitClose}})
		}
	}
	g.r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	lam, duck, cols := renderItems(items)
	s := step{lam: "SELECT " + lam + " FROM " + lamFrom, duck: "SELECT " + duck + " FROM " + duckFrom}
	if g.chance(0.2) {
		if p := g.predicate(over); p != nil {
			s.lam += " WHERE " + p.lam
			s.duck += " WHERE " + p.duck
		}
	}
	var lg, dg []string
	if windowed {
		lg, dg = []string{"window_start", "window_end"}, []string{"window_start", "window_end"}
	}
	for _, k := range groups {
		lg, dg = append(lg, k.lam), append(dg, k.duck)
	}
	if len(lg) > 0 {
		s.lam += " GROUP BY " + strings.Join(lg, ", ")
		s.duck += " GROUP BY " + strings.Join(dg, ", ")
	}
	// HAVING, seldom on a global aggregate (its one row would often go)
	if g.chance(0.3) && (len(groups) > 0 || windowed || g.chance(0.2)) {
		cmp := []string{"=", "<>", "<", "<=", ">", ">=", ">", ">=", "<>"}
		a, _ := g.aggregateOf(over, true)
		var rhs expr
		switch a.kind {
		case KindInt:
			rhs = intLit([]int64{0, 1, 2, 3, 5, 10, 100}[g.pick(7)])
			if strings.HasPrefix(a.lam, "COUNT") {
				rhs = intLit(int64(g.pick(4)))
			}
		case KindFloat:
			rhs = floatLit(float64(g.pick(80)-40) / 2)
		default:
			rhs = strLit([]string{"a", "b", ""}[g.pick(3)])
		}
		h := binary(cmp[g.pick(len(cmp))], a, rhs, KindBool)
		s.lam += " HAVING " + h.lam
		s.duck += " HAVING " + h.duck
	}
	updating := !windowed || !emitClose
	g.closeOnly = false
	if windowed && !emitClose {
		s.lam += " EMIT CHANGES"
	} else if windowed && g.chance(0.3) {
		s.lam += " EMIT ON WINDOW CLOSE"
	} else if !windowed && g.chance(0.3) {
		s.lam += " EMIT CHANGES"
	}
	if r.updating {
		updating = true
	}
	s.out = mrel{cols: cols, updating: updating}
	return s
}

// union is r UNION [ALL] other, with the columns of one side matched by kind
// (an int widened to double) on the other.
func (g *mvGen) union(r, other mrel, all bool) (step, bool) {
	var left, right []selItem
	for _, c := range r.cols {
		if len(left) == 3 || (!all && c.inexact) || !(g.chance(0.7) || (all && c.event)) {
			continue
		}
		// a column of the other side to stand against c
		cands := other.colsOf(func(o mcol) bool {
			if !all && o.inexact {
				return false
			}
			switch c.kind {
			case KindFloat:
				return o.kind == KindFloat || o.kind == KindInt
			case KindInt:
				return o.kind == KindInt || o.kind == KindFloat
			}
			return o.kind == c.kind
		})
		if len(cands) == 0 {
			continue
		}
		o := cands[g.pick(len(cands))]
		if c.event {
			// keep the event time where the other side has one that matches
			for _, e := range other.eventCols() {
				if e.shift == c.shift && g.chance(0.8) {
					o = e
				}
			}
		}
		kind := c.kind
		if o.kind == KindFloat {
			kind = KindFloat
		}
		name := c.name
		if c.kind != o.kind {
			name = g.fresh("u")
		}
		col := mcol{name: name, kind: kind, event: all && c.event && o.event && c.shift == o.shift, shift: c.shift, inexact: c.inexact || o.inexact}
		oe, oname := colExpr(o), o.name
		if !c.event && c.kind != KindTimestamp && g.chance(0.1) {
			// a constant arm column
			switch c.kind {
			case KindInt:
				oe = intLit(7)
			case KindFloat:
				oe = floatLit(0.25)
			case KindString:
				oe = strLit("z")
			case KindBool:
				oe = same("TRUE", KindBool)
			}
			oname, col = g.fresh("lit"), mcol{name: c.name, kind: c.kind, inexact: c.inexact}
		}
		left = append(left, selItem{colExpr(c), col})
		right = append(right, selItem{oe, mcol{name: oname}})
	}
	if len(left) == 0 {
		return step{}, false
	}
	ll, ld, cols := renderItems(left)
	// Laminar wants distinct names in each arm (LDB-2005) where SQL reads
	// only the first arm's: a repeated column is renamed as the first arm's
	var rl, rd []string
	seen, dup := map[string]bool{}, false
	for _, it := range right {
		dup = dup || seen[it.col.name]
		seen[it.col.name] = true
	}
	for i, it := range right {
		l, d := it.e.lam, it.e.duck
		if dup && it.col.name != cols[i].name {
			l, d = l+" AS "+cols[i].name, d+" AS "+cols[i].name
		}
		rl, rd = append(rl, l), append(rd, d)
	}
	kw := " UNION "
	if all {
		kw = " UNION ALL "
	}
	s := step{
		lam:  "SELECT " + ll + " FROM " + r.lam + kw + "SELECT " + strings.Join(rl, ", ") + " FROM " + other.lam,
		duck: "SELECT " + ld + " FROM " + r.duck + kw + "SELECT " + strings.Join(rd, ", ") + " FROM " + other.duck,
	}
	s.out = mrel{cols: cols, updating: r.updating || other.updating || !all}
	return s, true
}

// mstep picks and generates one step over r; others are the relations a
// UNION may add (the source, earlier views).
func (g *mvGen) mstep(r mrel, others []mrel, agg bool) step {
	canWindow := !r.updating && r.table && len(r.eventCols()) > 0
	for {
		switch p := g.pick(10); {
		case canWindow && (p < 5 || (agg && p < 7)):
			if !agg && g.chance(0.2) {
				return g.windowRows(r, g.chance(0.6))
			}
			return g.aggregate(r, true)
		case agg || p < 4:
			return g.aggregate(r, false)
		case p < 6:
			return g.project(r, false)
		case p < 8:
			return g.project(r, true)
		default:
			o := others[g.pick(len(others))]
			// now and then one whose event time matches, so that a window
			// can read the union
			var timed []mrel
			for _, x := range others {
				for _, e := range x.eventCols() {
					for _, c := range r.eventCols() {
						if e.shift == c.shift && !x.updating {
							timed = append(timed, x)
						}
					}
				}
			}
			if len(timed) > 0 && g.chance(0.5) {
				o = timed[g.pick(len(timed))]
			}
			if s, ok := g.union(r, o, g.chance(0.7)); ok {
				return s
			}
		}
	}
}

// GenMultiQuery generates a pipeline of 2–4 views over source src and its
// DuckDB equivalent as one query.
func GenMultiQuery(r *rand.Rand, delayUS int64) Query {
	g := &mvGen{queryGen: queryGen{r: r}}
	srcCols := []mcol{
		{name: "k", kind: KindString}, {name: "g", kind: KindInt}, {name: "x", kind: KindFloat},
		{name: "n", kind: KindInt}, {name: "b", kind: KindBool}, {name: "ts", kind: KindTimestamp, event: true},
	}
	src := mrel{lam: "src", duck: "src", table: true, cols: srcCols}
	rels := []mrel{src}
	var lam strings.Builder
	delay := intervalText(r, delayUS)
	if delayUS == 0 {
		delay = "INTERVAL '0' SECOND"
	}
	fmt.Fprintf(&lam, "CREATE SOURCE src (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n"+
		"  WATERMARK FOR ts AS ts - %s\n) WITH (connector = 'file', path = 'in.jsonl', format = 'json');\n\n", delay)
	duckCTEs := []string{"src AS (SELECT k, g, x, n, b, ts FROM t)"}

	nViews := 2 + g.pick(3)
	// a windowed view over a windowed view, now and then forced, or over
	// the UNION ALL of the source and a windowed view
	winWin := g.chance(0.3)
	unionWin := !winWin && g.chance(0.15)
	if unionWin {
		nViews = max(nViews, 3)
	}
	cur := src
	for v := 1; v <= nViews; v++ {
		g.view = v
		var ctes, duckCTEsIn []string
		in := cur
		// CTEs (one may read another) or a subquery before the view's own step
		switch p := g.pick(10); {
		case p < 2:
			for range 1 + g.pick(2) {
				s := g.mstep(in, rels, false)
				name := g.fresh("c")
				ctes = append(ctes, name+" AS ("+s.lam+")")
				duckCTEsIn = append(duckCTEsIn, name+" AS ("+s.duck+")")
				in = s.out
				in.lam, in.duck, in.table = name, name, true
			}
		case p < 4:
			s := g.mstep(in, rels, false)
			name := g.fresh("s")
			in = mrel{lam: "(" + s.lam + ") AS " + name, duck: "(" + s.duck + ") AS " + name, cols: s.out.cols, updating: s.out.updating}
		}
		var s step
		canWindow := !in.updating && in.table && len(in.eventCols()) > 0
		union := false
		if unionWin && v == 2 && canWindow {
			s, union = g.union(in, src, true)
		}
		switch {
		case union:
		case winWin && v <= 2 && canWindow, unionWin && v != 2 && canWindow:
			g.closeOnly = unionWin && v == 1
			s = g.aggregate(in, true)
		default:
			s = g.mstep(in, rels, v == nViews && g.chance(0.5))
		}
		body, duck := s.lam, s.duck
		if len(ctes) > 0 {
			body = "WITH " + strings.Join(ctes, ", ") + "\n  " + body
			duck = "WITH " + strings.Join(duckCTEsIn, ", ") + " " + duck
		}
		name := fmt.Sprintf("v%d", v)
		fmt.Fprintf(&lam, "CREATE VIEW %s AS\n  %s;\n\n", name, body)
		duckCTEs = append(duckCTEs, name+" AS ("+duck+")")
		cur = s.out
		cur.lam, cur.duck, cur.table = name, name, true
		cur.cols = slices.Clone(cur.cols)
		for i := range cur.cols {
			cur.cols[i].bound = false // a window under another view is no window bound here
		}
		rels = append(rels, cur)
	}
	fmt.Fprintf(&lam, "CREATE SINK out FROM v%d WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n", nViews)

	var q Query
	q.Pipeline = lam.String()
	q.DuckSQL = "WITH " + strings.Join(duckCTEs, ",\n") + "\nSELECT * FROM " + cur.lam
	q.Updating = cur.updating
	for _, c := range cur.cols {
		q.Columns = append(q.Columns, Column{Name: c.name, Kind: c.kind})
	}
	return q
}
