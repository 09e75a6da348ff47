package binder

import (
	"fmt"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

func (c *exprCtx) overCol(e *ast.Call) (plan.Expr, bool) {
	if c == nil || c.over == nil {
		return nil, false
	}
	x, ok := c.over[e]
	return x, ok
}

var rankFuncs = map[string]plan.RankFunc{"ROW_NUMBER": plan.RowNumber, "RANK": plan.Rank, "DENSE_RANK": plan.DenseRank}

// overCalls are the function calls with OVER in the SELECT list and QUALIFY.
func overCalls(q *ast.Select) []*ast.Call {
	var out []*ast.Call
	visit := func(e ast.Expr) {
		walkAST(e, func(x ast.Expr) {
			if c, ok := x.(*ast.Call); ok && c.Over != nil {
				out = append(out, c)
			}
		})
	}
	for _, it := range q.Items {
		visit(it.Expr)
	}
	visit(q.Qualify)
	return out
}

// rankQuery binds a SELECT whose list ranks rows with ROW_NUMBER, RANK or
// DENSE_RANK OVER (PARTITION BY … ORDER BY …), or aggregates OVER a window,
// or both:
// input -> [Project of computed keys] -> [TopN of the OVER aggregates]
// -> [TopN of the rank] -> Project [-> Filter QUALIFY -> Project].
// The aggregates come first, so that the rank sees every row with its
// aggregates (window functions of one SELECT all see the same rows) and a
// filter on the rank over it (WHERE rn <= N in the outer query, QUALIFY)
// becomes the rank's top-N limit (optimizer.LimitRanks).
func (b *binder) rankQuery(q *ast.Select, in plan.Node, sc *scope, ctx *exprCtx, calls []*ast.Call) plan.Node {
	var ranks, aggCalls []*ast.Call
	for _, c := range calls {
		_, isRank := rankFuncs[c.Name]
		if !isRank && !isAggregate(c.Name) {
			b.diags.Errorf(diag.Unsupported, c.Pos, "%s is not a window function: ROW_NUMBER, RANK, DENSE_RANK and the aggregates are", c.Name)
			return nil
		}
		if !isRank {
			if c.Distinct || c.Filter != nil {
				b.diags.Errorf(diag.Unsupported, c.Pos, "%s OVER takes no DISTINCT or FILTER", c.Name)
				return nil
			}
			aggCalls = append(aggCalls, c)
			continue
		}
		if len(c.Args) > 0 || c.Star || c.Distinct || c.Filter != nil {
			b.diags.Errorf(diag.WrongArgCount, c.Pos, "%s takes no arguments", c.Name)
			return nil
		}
		if c.Over.Frame != nil {
			b.diags.Errorf(diag.Unsupported, c.Over.Frame.Pos, "%s takes no window frame (ROWS/RANGE)", c.Name)
			return nil
		}
		if len(c.Over.OrderBy) == 0 {
			b.diags.Errorf(diag.Unsupported, c.Over.Pos, "%s OVER needs ORDER BY: the order that ranks the rows", c.Name)
			return nil
		}
		ranks = append(ranks, c)
	}
	if q.Distinct {
		b.diags.Errorf(diag.Unsupported, q.Pos, "SELECT DISTINCT with a window function is not supported yet")
		return nil
	}
	// the keys: columns of the input, or computed columns appended to it
	base := in.Schema()
	var extra []plan.Expr
	col := func(e ast.Expr) (int, bool) {
		x := b.expr(e, sc, ctx)
		if x == nil {
			return 0, false
		}
		x = concrete(x)
		if r, ok := x.(*plan.ColRef); ok {
			return r.Index, true
		}
		for i, y := range extra {
			if plan.Identity(y) == plan.Identity(x) {
				return len(base) + i, true
			}
		}
		extra = append(extra, x)
		return len(base) + len(extra) - 1, true
	}
	spec := func(c *ast.Call) (part []int, order []plan.SortKey, ok bool) {
		for _, e := range c.Over.PartitionBy {
			i, ok := col(e)
			if !ok {
				return nil, nil, false
			}
			part = append(part, i)
		}
		for _, s := range c.Over.OrderBy {
			i, ok := col(s.Expr)
			if !ok {
				return nil, nil, false
			}
			order = append(order, plan.SortKey{Col: i, Desc: s.Desc})
		}
		return part, order, true
	}
	// group checks that the calls of one kind share one window (and the
	// ranks one function), and returns its partition, order and frame
	group := func(cs []*ast.Call, ranking bool) (part []int, order []plan.SortKey, frame plan.Frame, ok bool) {
		first := cs[0]
		if part, order, ok = spec(first); !ok {
			return nil, nil, frame, false
		}
		if !ranking {
			if frame, ok = b.frame(first, in.Schema(), order, extra); !ok {
				return nil, nil, frame, false
			}
		}
		for _, c := range cs[1:] {
			p2, o2, ok := spec(c)
			if !ok {
				return nil, nil, frame, false
			}
			f2 := frame
			if !ranking {
				if f2, ok = b.frame(c, in.Schema(), o2, extra); !ok {
					return nil, nil, frame, false
				}
			}
			if (ranking && c.Name != first.Name) || fmt.Sprint(p2, o2, f2) != fmt.Sprint(part, order, frame) {
				what := "aggregates OVER one window"
				if ranking {
					what = "one ranking function over one window"
				}
				b.diags.Errorf(diag.Unsupported, c.Pos, "a query may have %s only; this one differs from the one at %d:%d", what, first.Pos.Line, first.Pos.Col)
				return nil, nil, frame, false
			}
		}
		return part, order, frame, true
	}
	var rankPart, aggPart []int
	var rankOrder, aggOrder []plan.SortKey
	var frame plan.Frame
	if len(aggCalls) > 0 {
		var ok bool
		if aggPart, aggOrder, frame, ok = group(aggCalls, false); !ok {
			return nil
		}
	}
	if len(ranks) > 0 {
		var ok bool
		if rankPart, rankOrder, _, ok = group(ranks, true); !ok {
			return nil
		}
	}
	// the aggregates' arguments, columns too
	type overAgg struct {
		call *ast.Call
		agg  plan.Agg
	}
	var aggs []overAgg
	for _, c := range aggCalls {
		a, ok := b.overAgg(c, col, func(i int) plan.Column {
			if i < len(base) {
				return base[i]
			}
			return plan.Column{Name: fmt.Sprintf("$key%d", i-len(base)), Type: extra[i-len(base)].Type()}
		})
		if !ok {
			return nil
		}
		aggs = append(aggs, overAgg{c, a})
	}
	pre := in
	if len(extra) > 0 {
		p := &plan.Project{Input: in}
		for i, c := range base {
			p.Exprs = append(p.Exprs, &plan.ColRef{Index: i, Name: c.Name, T: c.Type})
			p.Names = append(p.Names, c.Name)
		}
		for i, e := range extra {
			p.Exprs = append(p.Exprs, e)
			p.Names = append(p.Names, fmt.Sprintf("$key%d", i))
		}
		pre = p
	}
	// topN is a top-N over input, partitioned and ordered by columns of pre
	// (which input's columns begin with)
	topN := func(input plan.Node, part []int, order []plan.SortKey, fn plan.RankFunc) *plan.TopN {
		t := &plan.TopN{Input: input, Partition: part, Order: order, Func: fn, RankName: "$rank", WindowCol: -1}
		for _, c := range part {
			t.Final = t.Final || (input.AppendOnly() && plan.ClosedWindowCol(input, c))
		}
		for _, c := range part {
			if w, end, ok := plan.WindowBound(input, &plan.ColRef{Index: c}); ok && !t.Final && t.WindowCol < 0 && input.AppendOnly() {
				t.WindowCol, t.WindowEnd, t.WindowSize = c, end, w.Size
			}
		}
		return t
	}
	over := map[*ast.Call]plan.Expr{}
	var t plan.Node = pre
	if len(aggs) > 0 {
		a := topN(pre, aggPart, aggOrder, plan.RowNumber)
		a.NoRank, a.Frame = true, frame // rows in order, ties in arrival order
		if len(aggOrder) == 1 && !aggOrder[0].Desc && pre.AppendOnly() && !a.Final {
			if _, ok := plan.EventTimeCol(pre, aggOrder[0].Col); ok {
				a.TimeOrdered, a.WindowCol = true, -1
			}
		}
		for i, x := range aggs {
			a.Aggs = append(a.Aggs, x.agg)
			a.AggNames = append(a.AggNames, fmt.Sprintf("$agg%d", i))
			over[x.call] = &plan.ColRef{Index: len(pre.Schema()) + i, Name: a.AggNames[i], T: x.agg.T}
		}
		t = a
	}
	if len(ranks) > 0 {
		r := topN(t, rankPart, rankOrder, rankFuncs[ranks[0].Name])
		rank := &plan.ColRef{Index: len(t.Schema()), Name: "$rank", T: types.Of(types.Int)}
		for _, c := range ranks {
			over[c] = rank
		}
		t = r
	}
	schema := t.Schema()
	inner := &scope{schema: schema, qualifiers: sc.qualifiers, colQuals: sc.colQuals}
	if sc.colQuals != nil {
		inner.colQuals = append([]string{}, sc.colQuals...)
		for len(inner.colQuals) < len(schema) {
			inner.colQuals = append(inner.colQuals, "")
		}
	}
	rctx := &exprCtx{gw: ctx.gw, over: over}
	// the SELECT list; * is the input's columns only
	var exprs []plan.Expr
	var names []string
	for _, it := range q.Items {
		if it.Star {
			found := false
			for i, c := range base {
				if it.StarOf != nil && !sc.hasQualifier(i, it.StarOf.Name) {
					continue
				}
				found = true
				exprs = append(exprs, &plan.ColRef{Index: i, Name: c.Name, T: c.Type})
				names = append(names, c.Name)
			}
			if it.StarOf != nil && !found {
				b.diags.Errorf(diag.UnknownTable, it.StarOf.Pos, "unknown table %q in %s.*", it.StarOf.Name, it.StarOf.Name)
				return nil
			}
			continue
		}
		e := b.expr(it.Expr, inner, rctx)
		if e == nil {
			return nil
		}
		exprs = append(exprs, concrete(e))
		names = append(names, itemName(it, len(names)))
	}
	if !b.uniqueNames(q.Items, names) {
		return nil
	}
	if q.Qualify == nil {
		return &plan.Project{Input: t, Exprs: exprs, Names: names}
	}
	// QUALIFY sees the input's columns and the SELECT list's names (which win)
	mid := &plan.Project{Input: t}
	for i, c := range schema {
		mid.Exprs = append(mid.Exprs, &plan.ColRef{Index: i, Name: c.Name, T: c.Type})
		mid.Names = append(mid.Names, c.Name)
	}
	mid.Exprs = append(mid.Exprs, exprs...)
	mid.Names = append(mid.Names, names...)
	qs := &scope{schema: mid.Schema(), qualifiers: sc.qualifiers}
	if inner.colQuals != nil {
		qs.colQuals = append([]string{}, inner.colQuals...)
		for len(qs.colQuals) < len(mid.Exprs) {
			qs.colQuals = append(qs.colQuals, "")
		}
	}
	pred := b.predicate(q.Qualify, qs, rctx, "QUALIFY")
	if pred == nil {
		return nil
	}
	out := &plan.Project{Input: &plan.Filter{Input: mid, Pred: pred}}
	for i := range exprs {
		c := len(schema) + i
		out.Exprs = append(out.Exprs, &plan.ColRef{Index: c, Name: names[i], T: exprs[i].Type()})
		out.Names = append(out.Names, names[i])
	}
	return out
}

// orderLimit binds ORDER BY … LIMIT n of a query: a top-N of one partition
// over its output, without a rank column (an updating view of the first n
// rows). ORDER BY keys are output columns, by name or position.
func (b *binder) orderLimit(q *ast.Select, out plan.Node) plan.Node {
	if q.Limit == nil {
		if len(q.OrderBy) > 0 {
			return b.windowOrder(q, out)
		}
		return out
	}
	x := b.expr(q.Limit, &scope{}, nil)
	if x == nil {
		return nil
	}
	c, ok := foldConst(x).(*plan.Const)
	n, isInt := int64(0), false
	if ok {
		n, isInt = c.Value.(int64)
	}
	if !isInt || c.T.Kind != types.Int || n <= 0 {
		b.diags.Errorf(diag.Unsupported, q.Limit.Position(), "LIMIT takes a positive integer constant")
		return nil
	}
	if len(q.OrderBy) == 0 {
		b.diags.Errorf(diag.Unsupported, q.LimitPos, "LIMIT needs ORDER BY: which rows are the first n")
		return nil
	}
	t := &plan.TopN{Input: out, Func: plan.RowNumber, Limit: n, NoRank: true, WindowCol: -1}
	if t.Order = b.orderKeys(q, out); t.Order == nil {
		return nil
	}
	return t
}

// orderKeys binds the ORDER BY keys of a query: output columns, by name or
// position; nil after an error.
func (b *binder) orderKeys(q *ast.Select, out plan.Node) []plan.SortKey {
	schema := out.Schema()
	sc := &scope{schema: schema}
	var keys []plan.SortKey
	for _, s := range q.OrderBy {
		if l, ok := s.Expr.(*ast.Literal); ok && l.Kind == ast.LitInt {
			var pos int
			fmt.Sscan(l.Text, &pos)
			if pos < 1 || pos > len(schema) {
				b.diags.Errorf(diag.UnknownColumn, l.Pos, "ORDER BY %d: the query has %d columns", pos, len(schema))
				return nil
			}
			keys = append(keys, plan.SortKey{Col: pos - 1, Desc: s.Desc})
			continue
		}
		e := b.expr(s.Expr, sc, nil)
		if e == nil {
			return nil
		}
		r, ok := e.(*plan.ColRef)
		if !ok {
			b.diags.Errorf(diag.Unsupported, s.Expr.Position(), "ORDER BY takes output columns (by name or position)")
			return nil
		}
		keys = append(keys, plan.SortKey{Col: r.Index, Desc: s.Desc})
	}
	return keys
}

// frame binds the window frame of an OVER aggregation: ROWS BETWEEN n
// PRECEDING AND CURRENT ROW, RANGE BETWEEN <interval or number> PRECEDING
// AND CURRENT ROW (one ascending NOT NULL ORDER BY key), UNBOUNDED
// PRECEDING; without a frame, RANGE UNBOUNDED PRECEDING (SQL's default:
// the rows up to the current one and its peers; all rows without ORDER BY).
func (b *binder) frame(c *ast.Call, base plan.Schema, order []plan.SortKey, extra []plan.Expr) (plan.Frame, bool) {
	f := c.Over.Frame
	if f == nil {
		return plan.Frame{Unbounded: true}, true
	}
	out := plan.Frame{Rows: !f.Range, Unbounded: f.Unbounded}
	if f.Unbounded || f.Preceding == nil {
		return out, true
	}
	x := b.expr(f.Preceding, &scope{}, nil)
	if x == nil {
		return out, false
	}
	k, ok := foldConst(x).(*plan.Const)
	v, isInt := int64(0), false
	if ok {
		v, isInt = k.Value.(int64)
	}
	if !f.Range {
		if !isInt || k.T.Kind != types.Int || v < 0 {
			b.diags.Errorf(diag.Unsupported, f.Preceding.Position(), "ROWS BETWEEN n PRECEDING takes a constant integer n >= 0")
			return out, false
		}
		out.Preceding = v
		return out, true
	}
	if len(order) != 1 || order[0].Desc {
		b.diags.Errorf(diag.Unsupported, f.Pos, "RANGE BETWEEN … PRECEDING needs one ascending ORDER BY key")
		return out, false
	}
	var t types.Type
	if order[0].Col < len(base) {
		t = base[order[0].Col].Type
	} else {
		t = extra[order[0].Col-len(base)].Type()
	}
	want := types.Int
	if t.Kind == types.Timestamp {
		want = types.Interval
	}
	if t.Nullable || (t.Kind != types.Timestamp && t.Kind != types.Int) {
		b.diags.Errorf(diag.Unsupported, f.Pos, "RANGE BETWEEN … PRECEDING needs a NOT NULL TIMESTAMP or BIGINT ORDER BY key")
		return out, false
	}
	if !isInt || k.T.Kind != want || v < 0 {
		b.diags.Errorf(diag.Unsupported, f.Preceding.Position(), "RANGE BETWEEN x PRECEDING over a %s takes a constant %s x >= 0", t.Kind, want)
		return out, false
	}
	out.Preceding = v
	return out, true
}

// overAgg binds the aggregate of an OVER aggregation; its argument becomes
// a column (col), whose type typeOf gives.
func (b *binder) overAgg(c *ast.Call, col func(ast.Expr) (int, bool), colOf func(int) plan.Column) (plan.Agg, bool) {
	if c.Star {
		if c.Name != "COUNT" {
			b.diags.Errorf(diag.WrongArgCount, c.Pos, "%s(*) is not an aggregate: only COUNT(*)", c.Name)
			return plan.Agg{}, false
		}
		return plan.Agg{Func: plan.CountStar, T: types.Of(types.Int)}, true
	}
	if len(c.Args) != 1 {
		b.diags.Errorf(diag.WrongArgCount, c.Pos, "%s takes one argument", c.Name)
		return plan.Agg{}, false
	}
	i, ok := col(c.Args[0])
	if !ok {
		return plan.Agg{}, false
	}
	cl := colOf(i)
	t := cl.Type
	arg := &plan.ColRef{Index: i, Name: cl.Name, T: t}
	a := plan.Agg{Func: plan.AggFunc(c.Name), Arg: arg}
	switch a.Func {
	case plan.Count:
		a.T = types.Of(types.Int)
	case plan.Sum, plan.Avg:
		if t.Kind != types.Int && t.Kind != types.Float && !t.Kind.IsDecimal() {
			b.diags.Errorf(diag.TypeMismatch, c.Args[0].Position(), "%s needs a number, not %s", c.Name, t.Kind)
			return plan.Agg{}, false
		}
		a.T = types.Null(t.Kind)
		if t.Kind.IsDecimal() {
			// exact, DECIMAL(38, s) as the grouped SUM (and DuckDB)
			a.T = types.Null(types.Decimal(types.MaxDecimalPrecision, t.Kind.Scale()))
		}
		if a.Func == plan.Avg {
			a.T = types.Null(types.Float)
		}
	case plan.Min, plan.Max:
		if t.Kind == types.Bool {
			b.diags.Errorf(diag.TypeMismatch, c.Args[0].Position(), "%s OVER of a BOOLEAN is not supported", c.Name)
			return plan.Agg{}, false
		}
		a.T = types.Null(t.Kind)
	}
	return a, true
}
