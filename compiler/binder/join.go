package binder

import (
	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// joinTree is a FROM clause with joins, bound: a leaf relation, or a join
// of two trees whose ON conditions are bound over the join's columns (the
// left tree's, then the right tree's).
type joinTree struct {
	leaf        plan.Node
	kind        plan.JoinKind // CROSS JOIN and a comma are inner joins whose conditions are in WHERE
	left, right *joinTree
	on          []plan.Expr
	onPos       []ast.Pos // where each of on is written, when known (ASOF and temporal joins)
	pos         ast.Pos
	schema      plan.Schema // the joined columns, before outer-join padding
	quals       []string    // per column, the FROM item it comes from
	asof        *asofSpec   // an ASOF join (see asof.go), or nil
	temporal    *temporalSpec
	lookup      *lookupSpec
}

// bindJoin binds a FROM clause with joins into a tree; build turns it into
// plan nodes.
func (b *binder) bindJoin(t ast.TableRef) *joinTree {
	j, ok := t.(*ast.Join)
	if !ok {
		n, sc := b.from(t)
		if n == nil {
			return nil
		}
		return &joinTree{leaf: n, schema: sc.schema, quals: sc.columnQuals()}
	}
	if t := b.lookupTable(j.Right); t != nil {
		return b.bindLookup(j, t)
	}
	if j.AsOf != nil {
		return b.bindTemporal(j)
	}
	l, r := b.bindJoin(j.Left), b.bindJoin(j.Right)
	if l == nil || r == nil {
		return nil
	}
	jt := joinOf(l, r, plan.InnerJoin, j.Pos)
	switch j.Kind {
	case ast.LeftJoin:
		jt.kind = plan.LeftJoin
	case ast.RightJoin:
		jt.kind = plan.RightJoin
	case ast.FullJoin:
		jt.kind = plan.FullJoin
	}
	if j.Asof {
		if !b.bindAsof(jt, j) {
			return nil
		}
		return jt
	}
	sc := jt.scope()
	if j.On != nil {
		on := b.predicate(j.On, sc, &exprCtx{}, "ON")
		if on == nil {
			return nil
		}
		jt.on = conjuncts(on)
	}
	for _, id := range j.Using {
		lc, rc := lastIndex(l.schema, id.Name), lastIndex(r.schema, id.Name)
		if lc < 0 || rc < 0 {
			b.diags.Errorf(diag.UnknownColumn, id.Pos, "USING column %q is not in both sides of the join", id.Name)
			return nil
		}
		eq := b.binary("=", &plan.ColRef{Index: lc, Name: id.Name, T: l.schema[lc].Type},
			&plan.ColRef{Index: len(l.schema) + rc, Name: id.Name, T: r.schema[rc].Type}, id.Pos)
		if eq == nil {
			return nil
		}
		jt.on = append(jt.on, eq)
	}
	return jt
}

// joinOf is the join of two trees: the left one's columns, then the right one's.
// condPos is where condition i of on is written: its own position when
// known, else the join's.
func (jt *joinTree) condPos(i int) ast.Pos {
	if i < len(jt.onPos) {
		return jt.onPos[i]
	}
	return jt.pos
}

// addConds appends the conjuncts of a bound condition written at pos.
func (jt *joinTree) addConds(c plan.Expr, pos ast.Pos) {
	for _, x := range conjuncts(c) {
		jt.on = append(jt.on, x)
		jt.onPos = append(jt.onPos, pos)
	}
}

func joinOf(l, r *joinTree, kind plan.JoinKind, pos ast.Pos) *joinTree {
	return &joinTree{left: l, right: r, kind: kind, pos: pos,
		schema: append(append(plan.Schema{}, l.schema...), r.schema...), quals: append(append([]string{}, l.quals...), r.quals...)}
}

// joinFrom binds a FROM clause with joins. The WHERE of an inner join chain
// joins its inputs (whereUsed); an outer join's WHERE filters its output.
func (b *binder) joinFrom(j *ast.Join, where ast.Expr) (n plan.Node, sc *scope, whereUsed bool) {
	jt := b.bindJoin(j)
	if jt == nil {
		return nil, nil, false
	}
	var extra []plan.Expr
	if where != nil && jt.innerChain() {
		w := b.predicate(where, jt.scope(), &exprCtx{}, "WHERE")
		if w == nil {
			return nil, nil, false
		}
		extra, whereUsed = conjuncts(w), true
	}
	n = b.build(jt, extra)
	if n == nil {
		return nil, nil, false
	}
	return n, &scope{schema: n.Schema(), colQuals: jt.quals}, whereUsed
}

// scope is what expressions over the joined columns can name.
func (jt *joinTree) scope() *scope {
	return &scope{schema: jt.schema, colQuals: jt.quals}
}

// innerChain reports whether WHERE conditions may join the tree's inputs: an
// inner or cross join (their WHERE and ON mean the same).
func (jt *joinTree) innerChain() bool {
	return jt.leaf == nil && jt.kind == plan.InnerJoin && jt.asof == nil && jt.temporal == nil && jt.lookup == nil
}

// build lowers the tree to plan nodes. extra are more conditions over the
// tree's columns (WHERE of an inner join); each goes to the lowest join or
// input that has all its columns.
func (b *binder) build(jt *joinTree, extra []plan.Expr) plan.Node {
	if jt.leaf != nil {
		return filterAll(jt.leaf, extra)
	}
	if jt.asof != nil {
		return filterAll(b.buildAsof(jt), extra)
	}
	if jt.temporal != nil {
		return filterAll(b.buildTemporal(jt), extra)
	}
	if jt.lookup != nil {
		return filterAll(b.buildLookup(jt), extra)
	}
	nl := len(jt.left.schema)
	conds := append(append([]plan.Expr{}, jt.on...), extra...)
	var toLeft, toRight, mixed []plan.Expr
	for _, c := range conds {
		used := map[int]bool{}
		plan.ColumnsUsed(c, used)
		leftOnly, rightOnly := true, true
		for col := range used {
			leftOnly = leftOnly && col < nl
			rightOnly = rightOnly && col >= nl
		}
		switch {
		// a condition on one input filters it before the join, unless that
		// input is preserved by an outer join (its rows appear regardless) or
		// is the left of an anti join (its rows without a match appear)
		case leftOnly && len(used) > 0 && (jt.kind == plan.InnerJoin || jt.kind == plan.RightJoin || jt.kind == plan.SemiJoin):
			toLeft = append(toLeft, c)
		case rightOnly && len(used) > 0 && jt.kind != plan.RightJoin && jt.kind != plan.FullJoin:
			toRight = append(toRight, shiftColumns(c, -nl))
		default:
			mixed = append(mixed, c)
		}
	}
	var left plan.Node
	if jt.left.innerChain() {
		left = b.build(jt.left, toLeft)
	} else {
		left = filterAll(b.build(jt.left, nil), toLeft)
	}
	right := filterAll(b.build(jt.right, nil), toRight)
	if left == nil || right == nil {
		return nil
	}
	j := &plan.Join{Left: left, Right: right, Kind: jt.kind}
	var residual []plan.Expr
	var bounds []timeBounds
	for _, c := range mixed {
		// a bound between the inputs' times is where state can be dropped;
		// an equality of times (window bounds: a window join) is a bound too.
		// It is still checked on each pair: the bound is only where state
		// is dropped.
		if lcol, rcol, lo, hi, ok := timeBound(c, nl, jt.schema); ok {
			bounds = append(bounds, timeBounds{lcol, rcol - nl, lo, hi})
		}
		if lk, rk, ok := equiKey(c, nl); ok {
			j.LeftKeys, j.RightKeys = append(j.LeftKeys, lk), append(j.RightKeys, rk)
			continue
		}
		residual = append(residual, c)
	}
	dropImpliedKeys(j)
	if j.Kind != plan.SemiJoin && j.Kind != plan.AntiJoin && j.Left.AppendOnly() && j.Right.AppendOnly() {
		j.Interval = intervalOf(j, bounds)
	}
	if len(j.LeftKeys) == 0 {
		d := b.diags.Errorf(diag.Unsupported, jt.pos, "a join needs an equality between its inputs (a key), such as ON a.id = b.id")
		d.Hint = "a join without one would pair every row with every row of the other input, and keep both forever"
		return nil
	}
	if len(residual) > 0 {
		j.Residual = andAll(residual)
	}
	return j
}

// dropImpliedKeys takes out of j's keys the equalities the others imply
// (plan.ImpliedEnds): a window join on window_start and window_end keys its
// rows by the start alone.
func dropImpliedKeys(j *plan.Join) {
	implied := plan.ImpliedEnds(j)
	var lk, rk []plan.Expr
	for i, drop := range implied {
		if drop {
			j.Implied = append(j.Implied, "left."+j.LeftKeys[i].String()+" = right."+j.RightKeys[i].String())
			continue
		}
		lk, rk = append(lk, j.LeftKeys[i]), append(rk, j.RightKeys[i])
	}
	if len(j.Implied) > 0 {
		j.LeftKeys, j.RightKeys = lk, rk
	}
}

const (
	minInt64 = -1 << 63
	maxInt64 = 1<<63 - 1
)

// timeBounds is one bound between a left and a right TIMESTAMP column:
// right[R] - left[L] in [Lo, Hi] (one end open: minInt64 or maxInt64).
type timeBounds struct {
	L, R   int
	Lo, Hi int64
}

// intervalOf makes an interval join of j's time bounds when both sides'
// rows can be dropped by a watermark (nil otherwise: a regular join). A left
// row goes by an upper bound on the right's event time (right.T <= left.c +
// Hi: once the right watermark passes left.c + Hi no later right row
// matches it); a right row by a lower bound over the left's event time
// (right.c >= left.T + Lo: once the left watermark passes right.c - Lo). c
// is the other side's own time column in a constant window (b.ts BETWEEN
// a.ts - 1s AND a.ts + 1s), or any of its TIMESTAMP columns (q9's b.dateTime
// BETWEEN a.dateTime AND a.expires drops an auction by its expires).
func intervalOf(j *plan.Join, bounds []timeBounds) *plan.Interval {
	eventTime := func(n plan.Node, col int) bool {
		_, ok := plan.EventTimeCol(n, col)
		return ok
	}
	var best *plan.Interval
	for _, u := range bounds {
		if u.Hi == maxInt64 || !eventTime(j.Right, u.R) {
			continue
		}
		for _, l := range bounds {
			if l.Lo == minInt64 || !eventTime(j.Left, l.L) {
				continue
			}
			iv := &plan.Interval{LeftTime: l.L, RightTime: u.R, LeftEnd: u.L, RightStart: l.R, Lower: minInt64, Upper: maxInt64}
			// prefer a constant window: its output keeps both event times
			if best == nil || (iv.Columns() && !best.Columns()) {
				best = iv
			}
		}
	}
	if best != nil {
		// the tightest of the bounds on the chosen columns
		for _, b := range bounds {
			if b.L == best.LeftEnd && b.R == best.RightTime {
				best.Upper = min(best.Upper, b.Hi)
			}
			if b.L == best.LeftTime && b.R == best.RightStart {
				best.Lower = max(best.Lower, b.Lo)
			}
		}
	}
	return best
}

// equiKey recognizes left-expr = right-expr (in either order).
func equiKey(c plan.Expr, nl int) (plan.Expr, plan.Expr, bool) {
	bin, ok := c.(*plan.Binary)
	if !ok || bin.Op != "=" {
		return nil, nil, false
	}
	side := func(e plan.Expr) int { // -1 left, 1 right, 0 neither or both
		used := map[int]bool{}
		plan.ColumnsUsed(e, used)
		l, r := false, false
		for col := range used {
			l, r = l || col < nl, r || col >= nl
		}
		switch {
		case l && !r:
			return -1
		case r && !l:
			return 1
		}
		return 0
	}
	switch ls, rs := side(bin.L), side(bin.R); {
	case ls == -1 && rs == 1:
		return bin.L, shiftColumns(bin.R, -nl), true
	case ls == 1 && rs == -1:
		return bin.R, shiftColumns(bin.L, -nl), true
	}
	return nil, nil, false
}

// timeBound recognizes a bound between two TIMESTAMP columns, one of each
// side: r.t >= l.t + c, r.t <= l.t + c, l.t >= r.t - c, ... and returns it as
// right time - left time in [lo, hi] (one end open).
func timeBound(c plan.Expr, nl int, schema plan.Schema) (lcol, rcol int, lo, hi int64, ok bool) {
	bin, isBin := c.(*plan.Binary)
	if !isBin {
		return 0, 0, 0, 0, false
	}
	var greater, equal bool // x >= y (greater), x <= y, or x = y (equal)
	switch bin.Op {
	case ">=", ">":
		greater = true
	case "<=", "<":
	case "=":
		equal = true
	default:
		return 0, 0, 0, 0, false
	}
	strict := bin.Op == ">" || bin.Op == "<"
	xcol, xoff, ok1 := timeTerm(bin.L, schema)
	ycol, yoff, ok2 := timeTerm(bin.R, schema)
	if !ok1 || !ok2 || (xcol < nl) == (ycol < nl) {
		return 0, 0, 0, 0, false
	}
	// x + xoff (>= or <=) y + yoff; make x the right side: r - l (>=|<=) d
	d := yoff - xoff
	if xcol < nl {
		xcol, ycol, greater, d = ycol, xcol, !greater, -d
	}
	if equal {
		return ycol, xcol, d, d, true
	}
	if strict {
		if greater {
			d++
		} else {
			d--
		}
	}
	if greater {
		return ycol, xcol, d, maxInt64, true
	}
	return ycol, xcol, minInt64, d, true
}

// timeTerm recognizes col, col + INTERVAL c and col - INTERVAL c on a TIMESTAMP.
func timeTerm(e plan.Expr, schema plan.Schema) (col int, off int64, ok bool) {
	if c, isRef := e.(*plan.ColRef); isRef && schema[c.Index].Type.Kind == types.Timestamp {
		return c.Index, 0, true
	}
	bin, isBin := e.(*plan.Binary)
	if !isBin || (bin.Op != "+" && bin.Op != "-") {
		return 0, 0, false
	}
	c, isRef := bin.L.(*plan.ColRef)
	k, isConst := plan.Fold(bin.R).(*plan.Const)
	if !isRef || !isConst || k.T.Kind != types.Interval || k.Value == nil || schema[c.Index].Type.Kind != types.Timestamp {
		return 0, 0, false
	}
	v := k.Value.(int64)
	if bin.Op == "-" {
		v = -v
	}
	return c.Index, v, true
}

// conjuncts splits a condition at its top-level ANDs.
func conjuncts(e plan.Expr) []plan.Expr {
	if bin, ok := e.(*plan.Binary); ok && bin.Op == "AND" {
		return append(conjuncts(bin.L), conjuncts(bin.R)...)
	}
	return []plan.Expr{e}
}

func andAll(es []plan.Expr) plan.Expr {
	out := es[0]
	for _, e := range es[1:] {
		out = &plan.Binary{Op: "AND", L: out, R: e, T: types.Type{Kind: types.Bool, Nullable: out.Type().Nullable || e.Type().Nullable}}
	}
	return out
}

func filterAll(n plan.Node, conds []plan.Expr) plan.Node {
	if n == nil || len(conds) == 0 {
		return n
	}
	return &plan.Filter{Input: n, Pred: andAll(conds)}
}

// shiftColumns renumbers the column references of e by d.
func shiftColumns(e plan.Expr, d int) plan.Expr {
	return plan.Rewrite(e, func(x plan.Expr) plan.Expr {
		if c, ok := x.(*plan.ColRef); ok {
			return &plan.ColRef{Index: c.Index + d, Name: c.Name, T: c.T}
		}
		return x
	})
}

// splitSubqueries takes the IN (query), NOT IN (query), EXISTS and NOT EXISTS
// conjuncts out of a WHERE condition: they become semi and anti joins.
func splitSubqueries(e ast.Expr) (rest ast.Expr, subs []ast.Expr) {
	if e == nil {
		return nil, nil
	}
	if bin, ok := e.(*ast.Binary); ok && bin.Op == "AND" {
		l, ls := splitSubqueries(bin.L)
		r, rs := splitSubqueries(bin.R)
		subs = append(ls, rs...)
		switch {
		case l == nil:
			return r, subs
		case r == nil:
			return l, subs
		}
		return &ast.Binary{Pos: bin.Pos, Op: "AND", L: l, R: r}, subs
	}
	switch x := e.(type) {
	case *ast.InQuery, *ast.Exists:
		return nil, []ast.Expr{e}
	case *ast.Unary:
		if _, ok := x.X.(*ast.Exists); ok && x.Op == "NOT" {
			return nil, []ast.Expr{e}
		}
	}
	return e, nil
}

// semiJoin joins in with a WHERE subquery: x [NOT] IN (query) on x equal to
// the query's one column, [NOT] EXISTS (SELECT … FROM … WHERE cond) on cond,
// which may name in's columns (a correlated subquery).
func (b *binder) semiJoin(in plan.Node, sc *scope, sub ast.Expr) plan.Node {
	kind := plan.SemiJoin
	switch s := sub.(type) {
	case *ast.InQuery:
		if s.Not {
			kind = plan.AntiJoin
		}
		right := b.query(s.Query)
		x := b.expr(s.X, sc, &exprCtx{})
		if right == nil || x == nil {
			return nil
		}
		rs := right.Schema()
		if len(rs) != 1 {
			b.diags.Errorf(diag.TypeMismatch, s.Pos, "the subquery of IN must return one column, not %d", len(rs))
			return nil
		}
		nl := len(in.Schema())
		eq := b.binary("=", x, &plan.ColRef{Index: nl, Name: rs[0].Name, T: rs[0].Type}, s.Pos)
		if eq == nil {
			return nil
		}
		if s.Not && (x.Type().Nullable || rs[0].Type.Nullable) {
			d := b.diags.Errorf(diag.Unsupported, s.Pos, "NOT IN over a nullable column is not supported: a NULL makes it unknown for every row")
			d.Hint = "write NOT EXISTS (SELECT … WHERE col = x), or filter the NULLs out on both sides"
			return nil
		}
		e := eq.(*plan.Binary)
		return &plan.Join{Left: in, Right: right, Kind: kind, LeftKeys: []plan.Expr{e.L}, RightKeys: []plan.Expr{shiftColumns(e.R, -nl)}}
	case *ast.Unary:
		kind = plan.AntiJoin
		sub = s.X
	}
	q := sub.(*ast.Exists).Query
	if len(q.GroupBy) > 0 || q.Having != nil || hasAggregate(q.Items) || len(q.SetOps) > 0 || len(q.With) > 0 {
		b.diags.Errorf(diag.Unsupported, q.Pos, "the subquery of EXISTS must be a plain SELECT … FROM … WHERE …")
		return nil
	}
	right := b.bindJoin(q.From)
	if right == nil {
		return nil
	}
	left := &joinTree{leaf: in, schema: in.Schema(), quals: sc.columnQuals()}
	jt := joinOf(left, right, kind, q.Pos)
	if q.Where != nil {
		inner := jt.scope()
		inner.innerFrom = len(left.schema)
		w := b.predicate(q.Where, inner, &exprCtx{}, "WHERE")
		if w == nil {
			return nil
		}
		jt.on = conjuncts(w)
	}
	return b.build(jt, nil)
}
