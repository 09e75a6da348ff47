package binder

import (
	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// asofSpec is what an ASOF JOIN says beyond its conditions: NEAREST(l, r)
// (the two time columns, over the joined columns) and the TOLERANCE.
type asofSpec struct {
	nearest    [2]int // -1 when not NEAREST
	tol        int64  // -1 when none
	tolPos     ast.Pos
	hasNearest bool
	nearestPos ast.Pos
}

// bindAsof binds the MATCH_CONDITION, ON and TOLERANCE of an ASOF join into
// jt (its conditions in jt.on, the rest in jt.asof).
func (b *binder) bindAsof(jt *joinTree, j *ast.Join) bool {
	sc := jt.scope()
	spec := &asofSpec{nearest: [2]int{-1, -1}, tol: -1}
	jt.asof = spec
	var conds []ast.Expr
	conds = append(conds, astConjuncts(j.Match)...)
	conds = append(conds, astConjuncts(j.On)...)
	for _, c := range conds {
		if call, ok := c.(*ast.Call); ok && call.Name == "NEAREST" {
			if len(call.Args) != 2 {
				b.diags.Errorf(diag.WrongArgCount, call.Pos, "NEAREST takes the left input's time and the right input's: NEAREST(o.ts, q.ts)")
				return false
			}
			nl := len(jt.left.schema)
			for i, a := range call.Args {
				x := b.expr(a, sc, &exprCtx{})
				if x == nil {
					return false
				}
				ref, isRef := x.(*plan.ColRef)
				if !isRef || ref.T.Kind != types.Timestamp || (ref.Index < nl) != (i == 0) {
					b.diags.Errorf(diag.TypeMismatch, a.Position(), "NEAREST takes a TIMESTAMP column of the left input, then one of the right input")
					return false
				}
				spec.nearest[i] = ref.Index
			}
			spec.hasNearest, spec.nearestPos = true, call.Pos
			continue
		}
		p := b.predicate(c, sc, &exprCtx{}, "an ASOF condition")
		if p == nil {
			return false
		}
		jt.addConds(p, c.Position())
	}
	for _, id := range j.Using {
		lc, rc := lastIndex(jt.left.schema, id.Name), lastIndex(jt.right.schema, id.Name)
		if lc < 0 || rc < 0 {
			b.diags.Errorf(diag.UnknownColumn, id.Pos, "USING column %q is not in both sides of the join", id.Name)
			return false
		}
		eq := b.binary("=", &plan.ColRef{Index: lc, Name: id.Name, T: jt.left.schema[lc].Type},
			&plan.ColRef{Index: len(jt.left.schema) + rc, Name: id.Name, T: jt.right.schema[rc].Type}, id.Pos)
		if eq == nil {
			return false
		}
		jt.addConds(eq, id.Pos)
	}
	if j.Tolerance != nil {
		x := b.expr(j.Tolerance, &scope{}, &exprCtx{})
		if x == nil {
			return false
		}
		k, ok := plan.Fold(x).(*plan.Const)
		if !ok || k.T.Kind != types.Interval || k.Value == nil || k.Value.(int64) < 0 {
			b.diags.Errorf(diag.TypeMismatch, j.Tolerance.Position(), "TOLERANCE is a constant INTERVAL of zero or more, such as TOLERANCE INTERVAL '5' SECOND")
			return false
		}
		spec.tol, spec.tolPos = k.Value.(int64), j.Tolerance.Position()
	}
	return true
}

func astConjuncts(e ast.Expr) []ast.Expr {
	if e == nil {
		return nil
	}
	if bin, ok := e.(*ast.Binary); ok && bin.Op == "AND" {
		return append(astConjuncts(bin.L), astConjuncts(bin.R)...)
	}
	return []ast.Expr{e}
}

// buildAsof lowers an ASOF join: its equalities are the key, its comparisons
// of the two inputs' times the direction and tolerance; a condition on the
// right input filters it before the match (as in Spark and Snowflake), one on
// the left input of an inner ASOF join filters that.
func (b *binder) buildAsof(jt *joinTree) plan.Node {
	nl := len(jt.left.schema)
	spec := jt.asof
	var toLeft, toRight []plan.Expr
	j := &plan.Join{Kind: jt.kind}
	a := &plan.Asof{LeftTime: -1, RightTime: -1, Lo: minInt64, Hi: maxInt64}
	setTimes := func(l, r int, pos ast.Pos) bool {
		if a.LeftTime >= 0 && (a.LeftTime != l || a.RightTime != r) {
			b.diags.Errorf(diag.Unsupported, pos, "an ASOF join compares one time column of each input")
			return false
		}
		a.LeftTime, a.RightTime = l, r
		return true
	}
	if spec.hasNearest && !setTimes(spec.nearest[0], spec.nearest[1]-nl, spec.nearestPos) {
		return nil
	}
	sawDirection := false
	// where the time columns are compared (the first comparison), and the
	// last comparison that narrowed the bound: the positions of the errors
	// about them
	timePos, boundPos := spec.nearestPos, jt.pos
	if !spec.hasNearest {
		timePos = jt.pos
	}
	haveTime := spec.hasNearest
	for i, c := range jt.on {
		used := map[int]bool{}
		plan.ColumnsUsed(c, used)
		leftOnly, rightOnly := len(used) > 0, len(used) > 0
		for col := range used {
			leftOnly = leftOnly && col < nl
			rightOnly = rightOnly && col >= nl
		}
		switch {
		case rightOnly:
			toRight = append(toRight, shiftColumns(c, -nl))
			continue
		case leftOnly && jt.kind == plan.InnerJoin:
			toLeft = append(toLeft, c)
			continue
		}
		if lk, rk, ok := equiKey(c, nl); ok {
			j.LeftKeys, j.RightKeys = append(j.LeftKeys, lk), append(j.RightKeys, rk)
			continue
		}
		lcol, rcol, lo, hi, ok := timeBound(c, nl, jt.schema)
		if !ok {
			lcol, rcol, lo, hi, ok = timeDifference(c, nl, jt.schema)
		}
		if !ok {
			d := b.diags.Errorf(diag.Unsupported, jt.condPos(i), "an ASOF join's condition is equalities between its inputs and a comparison of their times, not %s", c.String())
			d.Hint = "write ON o.sym = q.sym AND o.ts >= q.ts (backward), o.ts <= q.ts (forward) or MATCH_CONDITION(NEAREST(o.ts, q.ts)), with an optional TOLERANCE INTERVAL '5' SECOND"
			return nil
		}
		if !setTimes(lcol, rcol-nl, jt.condPos(i)) {
			return nil
		}
		if !haveTime {
			timePos, haveTime = jt.condPos(i), true
		}
		if bin, isBin := c.(*plan.Binary); isBin && isColumnPair(bin) {
			sawDirection = true
		}
		if lo > a.Lo || hi < a.Hi {
			boundPos = jt.condPos(i)
		}
		a.Lo, a.Hi = max(a.Lo, lo), min(a.Hi, hi)
	}
	switch {
	case spec.hasNearest:
		a.Dir = plan.AsofNearest
		if spec.tol >= 0 {
			a.Lo, a.Hi = max(a.Lo, -spec.tol), min(a.Hi, spec.tol)
		}
	case a.LeftTime >= 0 && !sawDirection:
		d := b.diags.Errorf(diag.Unsupported, timePos, "an ASOF join's direction is a comparison of the two time columns themselves (o.ts >= q.ts or o.ts <= q.ts); a bound with an offset is its tolerance")
		d.Hint = "for the closest row either way write MATCH_CONDITION(NEAREST(o.ts, q.ts)) TOLERANCE INTERVAL '1' SECOND"
		return nil
	case a.LeftTime < 0:
		d := b.diags.Errorf(diag.Unsupported, jt.pos, "an ASOF join needs a comparison of the two inputs' times: o.ts >= q.ts (the latest row before), o.ts <= q.ts (the first after) or NEAREST(o.ts, q.ts)")
		d.Hint = "in ON (ON o.sym = q.sym AND o.ts >= q.ts) or in MATCH_CONDITION(o.ts >= q.ts)"
		return nil
	case a.Hi <= 0 && a.Hi != maxInt64:
		a.Dir = plan.AsofBackward
		if spec.tol >= 0 {
			a.Lo = max(a.Lo, -spec.tol)
		}
	case a.Lo >= 0 && a.Lo != minInt64:
		a.Dir = plan.AsofForward
		if spec.tol >= 0 {
			a.Hi = min(a.Hi, spec.tol)
		}
	default:
		d := b.diags.Errorf(diag.Unsupported, boundPos, "the time comparison of an ASOF join looks one way: right time <= left time (backward) or >= (forward)")
		d.Hint = "for the closest row either way write MATCH_CONDITION(NEAREST(o.ts, q.ts))"
		return nil
	}
	left := filterAll(b.build(jt.left, nil), toLeft)
	right := filterAll(b.build(jt.right, nil), toRight)
	if left == nil || right == nil {
		return nil
	}
	j.Left, j.Right, j.Asof = left, right, a
	for i, in := range []plan.Node{left, right} {
		col := []int{a.LeftTime, a.RightTime}[i]
		_, isTime := plan.EventTimeCol(in, col)
		if !in.AppendOnly() || !isTime {
			d := b.diags.Errorf(diag.Unsupported, timePos, "the inputs of an ASOF join are append-only with a watermark on their time columns (%s has none on %s)",
				[]string{"the left input", "the right input"}[i], in.Schema()[col].Name)
			d.Hint = "a left row's match is final once the right input's watermark passes it; declare WATERMARK FOR the time column of each source"
			return nil
		}
	}
	return j
}

// isColumnPair tells whether a comparison is between two bare columns (a
// direction: o.ts >= q.ts), not a bound with an offset (a tolerance).
func isColumnPair(bin *plan.Binary) bool {
	_, l := bin.L.(*plan.ColRef)
	_, r := bin.R.(*plan.ColRef)
	return l && r
}

// timeDifference recognizes l.t - r.t <= c (and >=, <, >, either operand
// order, either side first) on TIMESTAMP columns, as right - left in [lo, hi].
func timeDifference(c plan.Expr, nl int, schema plan.Schema) (lcol, rcol int, lo, hi int64, ok bool) {
	bin, isBin := c.(*plan.Binary)
	if !isBin {
		return 0, 0, 0, 0, false
	}
	op := bin.Op
	diff, bound := bin.L, bin.R
	if _, isConst := plan.Fold(bin.L).(*plan.Const); isConst {
		diff, bound = bin.R, bin.L
		op = map[string]string{"<=": ">=", ">=": "<=", "<": ">", ">": "<"}[op]
	}
	sub, isSub := diff.(*plan.Binary)
	k, isConst := plan.Fold(bound).(*plan.Const)
	if !isSub || sub.Op != "-" || !isConst || k.T.Kind != types.Interval || k.Value == nil {
		return 0, 0, 0, 0, false
	}
	x, xok := sub.L.(*plan.ColRef)
	y, yok := sub.R.(*plan.ColRef)
	if !xok || !yok || schema[x.Index].Type.Kind != types.Timestamp || schema[y.Index].Type.Kind != types.Timestamp || (x.Index < nl) == (y.Index < nl) {
		return 0, 0, 0, 0, false
	}
	d := k.Value.(int64)
	lo, hi = minInt64, maxInt64
	switch op { // x - y op d
	case "<=":
		hi = d
	case "<":
		hi = d - 1
	case ">=":
		lo = d
	case ">":
		lo = d + 1
	default:
		return 0, 0, 0, 0, false
	}
	if x.Index < nl { // l - r within [lo, hi]: r - l within [-hi, -lo]
		lo, hi = negate(hi), negate(lo)
		return x.Index, y.Index, lo, hi, true
	}
	return y.Index, x.Index, lo, hi, true
}

func negate(v int64) int64 {
	switch v {
	case minInt64:
		return maxInt64
	case maxInt64:
		return minInt64
	}
	return -v
}
