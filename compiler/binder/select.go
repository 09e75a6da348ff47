package binder

import (
	"fmt"
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// groupWindow is the window of LaminarDB's group-window form
// (GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)), once found in GROUP BY.
type groupWindow struct {
	call *ast.Call
	node *plan.Window
}

// query binds one SELECT into a plan tree:
// Scan -> [Window] -> [Filter WHERE] -> [Aggregate -> [Filter HAVING]] -> Project.
func (b *binder) query(q *ast.Select) plan.Node {
	errs := len(b.diags.Items)
	in, sc := b.from(q.From)
	if in == nil {
		return nil
	}
	var gw *groupWindow
	if _, isTVF := q.From.(*ast.WindowTVF); !isTVF {
		for _, g := range q.GroupBy {
			if c, ok := g.(*ast.Call); ok && (c.Name == "TUMBLE" || c.Name == "HOP") {
				if gw != nil {
					b.diags.Errorf(diag.BadWindow, c.Pos, "a query can group by one window only")
					return nil
				}
				w := b.groupWindowNode(c, in.(*plan.Scan))
				if w == nil {
					return nil
				}
				gw = &groupWindow{call: c, node: w}
			}
		}
		if gw != nil {
			in = gw.node
			sc = &scope{schema: in.Schema(), qualifiers: sc.qualifiers}
		}
	}
	ctx := &exprCtx{gw: gw}
	if q.Where != nil {
		pred := b.predicate(q.Where, sc, ctx, "WHERE")
		if pred != nil {
			in = &plan.Filter{Input: in, Pred: pred}
		}
	}
	if q.Distinct {
		b.diags.Errorf(diag.Unsupported, q.Pos, "SELECT DISTINCT is not supported yet").Hint = "write GROUP BY over the selected columns"
		return nil
	}
	aggregating := len(q.GroupBy) > 0 || q.Having != nil || hasAggregate(q.Items)
	var out plan.Node
	if aggregating {
		out = b.aggregateQuery(q, in, sc, ctx)
	} else {
		if q.Emit == ast.EmitOnWindowClose {
			b.diags.Errorf(diag.EmitNeedsWindow, q.EmitPos, "EMIT ON WINDOW CLOSE needs a windowed GROUP BY")
			return nil
		}
		exprs, names := b.selectItems(q.Items, sc, ctx)
		if exprs != nil {
			out = &plan.Project{Input: in, Exprs: exprs, Names: names}
		}
	}
	if out == nil || len(b.diags.Items) > errs && b.diags.HasErrors() {
		return nil
	}
	return out
}

func hasAggregate(items []ast.SelectItem) bool {
	found := false
	for _, it := range items {
		if it.Expr != nil {
			walkAST(it.Expr, func(e ast.Expr) {
				if c, ok := e.(*ast.Call); ok && isAggregate(c.Name) {
					found = true
				}
			})
		}
	}
	return found
}

func isAggregate(name string) bool {
	switch name {
	case "COUNT", "SUM", "MIN", "MAX", "AVG":
		return true
	}
	return false
}

// from binds the FROM clause: a source, or a window TVF over a source.
func (b *binder) from(t ast.TableRef) (plan.Node, *scope) {
	switch t := t.(type) {
	case *ast.TableName:
		src := b.sourceRef(t.Name)
		if src == nil {
			return nil, nil
		}
		q := []string{t.Name.Name}
		if t.Alias != nil {
			q = []string{t.Alias.Name}
		}
		return &plan.Scan{Source: src}, &scope{schema: src.Schema, qualifiers: q}
	case *ast.WindowTVF:
		src := b.sourceRef(t.Table)
		if src == nil {
			return nil, nil
		}
		col := src.Schema.Index(t.TimeCol.Name)
		if col < 0 {
			b.diags.Errorf(diag.UnknownColumn, t.TimeCol.Pos, "unknown column %q in %s", t.TimeCol.Name, src.Name)
			return nil, nil
		}
		w := b.windowNode(t.Kind, &plan.Scan{Source: src}, col, t.Args, t.Pos, t.TimeCol.Pos)
		if w == nil {
			return nil, nil
		}
		q := []string{t.Table.Name}
		if t.Alias != nil {
			q = []string{t.Alias.Name}
		}
		return w, &scope{schema: w.Schema(), qualifiers: q}
	}
	return nil, nil
}

func (b *binder) sourceRef(id ast.Ident) *plan.Source {
	if src, ok := b.sources[id.Name]; ok {
		return src
	}
	if _, ok := b.views[id.Name]; ok {
		d := b.diags.Errorf(diag.Unsupported, id.Pos, "reading view %q from another query is not supported yet", id.Name)
		d.Hint = "query the source directly"
		return nil
	}
	d := b.diags.Errorf(diag.UnknownTable, id.Pos, "unknown source %q", id.Name)
	if c := closest(id.Name, sortedKeys(b.sources)); c != "" {
		d.Hint = "did you mean " + c + "?"
	}
	return nil
}

// windowNode checks a window's time column and interval arguments.
// args are (size [, offset]) for TUMBLE and (slide, size [, offset]) for HOP.
func (b *binder) windowNode(kind ast.WindowKind, scan *plan.Scan, col int, args []ast.Expr, pos, colPos ast.Pos) *plan.Window {
	src := scan.Source
	name := "TUMBLE"
	want := 1
	if kind == ast.Hop {
		name, want = "HOP", 2
	}
	if src.TimeCol < 0 {
		d := b.diags.Errorf(diag.NoWatermark, pos, "%s over %s needs a watermark on the source", name, src.Name)
		d.Hint = fmt.Sprintf("declare WATERMARK FOR %s AS %s - INTERVAL '5' SECOND in CREATE SOURCE %s", src.Schema[col].Name, src.Schema[col].Name, src.Name)
		return nil
	}
	if col != src.TimeCol {
		b.diags.Errorf(diag.BadWindow, colPos, "%s must use the watermark column %q of %s", name, src.Schema[src.TimeCol].Name, src.Name)
		return nil
	}
	if len(args) != want && len(args) != want+1 {
		if kind == ast.Hop {
			b.diags.Errorf(diag.WrongArgCount, pos, "HOP takes a slide, a size and an optional offset").Hint = "HOP(bids, ts, INTERVAL '2' SECOND, INTERVAL '10' SECOND)"
		} else {
			b.diags.Errorf(diag.WrongArgCount, pos, "TUMBLE takes a size and an optional offset").Hint = "TUMBLE(trades, ts, INTERVAL '1' MINUTE)"
		}
		return nil
	}
	vals := make([]int64, len(args))
	for i, a := range args {
		v, ok := b.intervalConst(a)
		if !ok {
			return nil
		}
		vals[i] = v
	}
	w := &plan.Window{Input: scan, Kind: plan.Tumble, TimeCol: col}
	if kind == ast.Tumble {
		w.Size, w.Slide = vals[0], vals[0]
	} else {
		w.Kind, w.Slide, w.Size = plan.Hop, vals[0], vals[1]
	}
	if len(vals) == want+1 {
		w.Offset = vals[want]
	}
	if w.Size <= 0 || w.Slide <= 0 {
		b.diags.Errorf(diag.BadWindow, pos, "window size and slide must be positive")
		return nil
	}
	if w.Kind == plan.Hop && w.Size%w.Slide != 0 {
		d := b.diags.Errorf(diag.BadWindow, pos, "HOP size %s is not a multiple of its slide %s", plan.FormatMicros(w.Size), plan.FormatMicros(w.Slide))
		d.Hint = "HOP takes the slide first, then the size"
		return nil
	}
	if w.Offset < 0 || w.Offset >= w.Slide {
		b.diags.Errorf(diag.BadWindow, pos, "window offset must be at least 0 and less than the slide")
		return nil
	}
	return w
}

func (b *binder) intervalConst(e ast.Expr) (int64, bool) {
	x := b.expr(e, &scope{}, nil)
	if x == nil {
		return 0, false
	}
	x = foldConst(x)
	c, ok := x.(*plan.Const)
	if !ok || c.T.Kind != types.Interval || c.Value == nil {
		b.diags.Errorf(diag.BadWindow, e.Position(), "expected a constant INTERVAL, such as INTERVAL '1' MINUTE")
		return 0, false
	}
	return c.Value.(int64), true
}

// groupWindowNode binds GROUP BY TUMBLE(ts, size) / HOP(ts, slide, size).
func (b *binder) groupWindowNode(c *ast.Call, scan *plan.Scan) *plan.Window {
	if len(c.Args) < 2 {
		b.diags.Errorf(diag.WrongArgCount, c.Pos, "%s in GROUP BY takes the time column and the window's intervals", c.Name)
		return nil
	}
	ref, ok := c.Args[0].(*ast.ColumnRef)
	if !ok {
		b.diags.Errorf(diag.BadWindow, c.Args[0].Position(), "the first argument of %s must be the event-time column", c.Name)
		return nil
	}
	col := scan.Source.Schema.Index(ref.Name.Name)
	if col < 0 {
		b.diags.Errorf(diag.UnknownColumn, ref.Name.Pos, "unknown column %q", ref.Name.Name)
		return nil
	}
	kind := ast.Tumble
	if c.Name == "HOP" {
		kind = ast.Hop
	}
	return b.windowNode(kind, scan, col, c.Args[1:], c.Pos, ref.Pos)
}

// selectItems binds a non-aggregating SELECT list.
func (b *binder) selectItems(items []ast.SelectItem, sc *scope, ctx *exprCtx) ([]plan.Expr, []string) {
	var exprs []plan.Expr
	var names []string
	ok := true
	for _, it := range items {
		if it.Star {
			for i, c := range sc.schema {
				exprs = append(exprs, &plan.ColRef{Index: i, Name: c.Name, T: c.Type})
				names = append(names, c.Name)
			}
			continue
		}
		e := b.expr(it.Expr, sc, ctx)
		if e == nil {
			ok = false
			continue
		}
		exprs = append(exprs, concrete(e))
		names = append(names, itemName(it, len(names)))
	}
	if !ok || !b.uniqueNames(items, names) {
		return nil, nil
	}
	return exprs, names
}

// itemName is the output column name of a SELECT item: its alias, the
// column it names, or the function it calls.
func itemName(it ast.SelectItem, i int) string {
	if it.Alias != nil {
		return it.Alias.Name
	}
	switch e := it.Expr.(type) {
	case *ast.ColumnRef:
		return e.Name.Name
	case *ast.Call:
		switch e.Name {
		case "TUMBLE", "HOP", "TUMBLE_START", "HOP_START":
			return "window_start"
		case "TUMBLE_END", "HOP_END":
			return "window_end"
		}
		return strings.ToLower(e.Name)
	}
	return fmt.Sprintf("col%d", i+1)
}

func (b *binder) uniqueNames(items []ast.SelectItem, names []string) bool {
	seen := map[string]bool{}
	for i, n := range names {
		if seen[n] {
			pos := ast.Pos{}
			if i < len(items) {
				pos = items[i].Pos
			}
			d := b.diags.Errorf(diag.DuplicateColumn, pos, "the query outputs two columns named %q", n)
			d.Hint = "give one of them another name with AS"
			return false
		}
		seen[n] = true
	}
	return true
}

// predicate binds a WHERE or HAVING condition, which must be BOOLEAN.
func (b *binder) predicate(e ast.Expr, sc *scope, ctx *exprCtx, clause string) plan.Expr {
	p := b.expr(e, sc, ctx)
	if p == nil {
		return nil
	}
	if k := p.Type().Kind; k != types.Bool && k != types.Unknown {
		b.diags.Errorf(diag.TypeMismatch, e.Position(), "%s must be a BOOLEAN condition, not %s", clause, k)
		return nil
	}
	return coerce(p, types.Bool)
}

// aggregateQuery binds GROUP BY, the aggregates, HAVING and the SELECT list
// over the aggregate's output.
func (b *binder) aggregateQuery(q *ast.Select, in plan.Node, sc *scope, ctx *exprCtx) plan.Node {
	agg := &plan.Aggregate{Input: in, WindowKey: -1}
	ac := &aggCtx{agg: agg, in: sc, gw: ctx.gw}
	for _, g := range q.GroupBy {
		var k plan.Expr
		if c, ok := g.(*ast.Call); ok && ctx.gw != nil && c == ctx.gw.call {
			k = windowCol(in, "window_start")
		} else {
			if hasAggregateExpr(g) {
				b.diags.Errorf(diag.MisplacedAggregate, g.Position(), "GROUP BY cannot contain an aggregate")
				return nil
			}
			k = b.expr(g, sc, ctx)
			if k == nil {
				return nil
			}
			k = concrete(k)
		}
		name := fmt.Sprintf("key%d", len(agg.Keys))
		if c, ok := k.(*plan.ColRef); ok {
			name = c.Name
		}
		agg.Keys = append(agg.Keys, k)
		agg.KeyNames = append(agg.KeyNames, name)
	}
	if w, ok := windowOf(in); ok {
		base := len(w.Input.Schema())
		for i, k := range agg.Keys {
			if c, ok := k.(*plan.ColRef); ok && c.Index >= base && agg.WindowKey < 0 {
				agg.WindowKey, agg.WindowEnd = i, c.Index == base+1
			}
		}
	}
	// the SELECT list and HAVING see the aggregate's output
	var exprs []plan.Expr
	var names []string
	ok := true
	for _, it := range q.Items {
		if it.Star {
			b.diags.Errorf(diag.NotGrouped, it.Pos, "SELECT * cannot be used with GROUP BY")
			return nil
		}
		e := b.expr(it.Expr, sc, &exprCtx{gw: ctx.gw, agg: ac})
		if e == nil {
			ok = false
			continue
		}
		exprs = append(exprs, concrete(e))
		names = append(names, itemName(it, len(names)))
	}
	var having plan.Expr
	if q.Having != nil {
		having = b.predicate(q.Having, sc, &exprCtx{gw: ctx.gw, agg: ac}, "HAVING")
		ok = ok && having != nil
	}
	if !ok || !b.uniqueNames(q.Items, names) {
		return nil
	}
	switch {
	case q.Emit == ast.EmitOnWindowClose && agg.WindowKey < 0:
		b.diags.Errorf(diag.EmitNeedsWindow, q.EmitPos, "EMIT ON WINDOW CLOSE needs a GROUP BY on window_start or window_end")
		return nil
	case q.Emit == ast.EmitChanges:
		agg.Emit = plan.EmitOnChanges
	case agg.WindowKey >= 0:
		agg.Emit = plan.EmitOnClose
	default:
		agg.Emit = plan.EmitOnChanges
	}
	for i := range agg.AggNames {
		agg.AggNames[i] = fmt.Sprintf("agg%d", i)
	}
	var out plan.Node = agg
	if having != nil {
		out = &plan.Filter{Input: out, Pred: having}
	}
	return &plan.Project{Input: out, Exprs: exprs, Names: names}
}

func windowOf(n plan.Node) (*plan.Window, bool) {
	for n != nil {
		if w, ok := n.(*plan.Window); ok {
			return w, true
		}
		in := n.Inputs()
		if len(in) == 0 {
			return nil, false
		}
		n = in[0]
	}
	return nil, false
}

// windowCol references window_start or window_end of the Window under n.
func windowCol(n plan.Node, name string) plan.Expr {
	s := n.Schema()
	i := s.Index(name)
	return &plan.ColRef{Index: i, Name: name, T: s[i].Type}
}

func hasAggregateExpr(e ast.Expr) bool {
	found := false
	walkAST(e, func(x ast.Expr) {
		if c, ok := x.(*ast.Call); ok && isAggregate(c.Name) {
			found = true
		}
	})
	return found
}

// walkAST visits e and its subexpressions.
func walkAST(e ast.Expr, f func(ast.Expr)) {
	if e == nil {
		return
	}
	f(e)
	switch e := e.(type) {
	case *ast.Unary:
		walkAST(e.X, f)
	case *ast.Binary:
		walkAST(e.L, f)
		walkAST(e.R, f)
	case *ast.IsNull:
		walkAST(e.X, f)
	case *ast.In:
		walkAST(e.X, f)
		for _, x := range e.List {
			walkAST(x, f)
		}
	case *ast.Between:
		walkAST(e.X, f)
		walkAST(e.Lo, f)
		walkAST(e.Hi, f)
	case *ast.Like:
		walkAST(e.X, f)
		walkAST(e.Pattern, f)
	case *ast.Case:
		walkAST(e.Operand, f)
		for _, w := range e.Whens {
			walkAST(w.Cond, f)
			walkAST(w.Result, f)
		}
		walkAST(e.Else, f)
	case *ast.Cast:
		walkAST(e.X, f)
	case *ast.Call:
		for _, a := range e.Args {
			walkAST(a, f)
		}
	}
}
