package binder

import (
	"fmt"
	"slices"
	"strconv"
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

// query binds a whole query: its WITH clause, its first SELECT and the
// SELECTs combined with it by UNION.
func (b *binder) query(q *ast.Select) plan.Node {
	if len(q.With) > 0 {
		frame := map[string]*ast.Select{}
		b.ctes = append(b.ctes, frame)
		defer func() { b.ctes = b.ctes[:len(b.ctes)-1] }()
		for _, c := range q.With {
			if _, dup := frame[c.Name.Name]; dup {
				b.diags.Errorf(diag.DuplicateName, c.Name.Pos, "WITH names %q twice", c.Name.Name)
				return nil
			}
			// bind it once here for its errors; each reference binds it again
			if b.query(c.Query) == nil {
				return nil
			}
			frame[c.Name.Name] = c.Query
		}
	}
	out := b.selectQuery(q)
	if out == nil {
		return nil
	}
	if len(q.SetOps) == 0 {
		return b.orderLimit(q, out)
	}
	for _, op := range q.SetOps {
		arm := b.selectQuery(op.Query)
		if arm == nil {
			return nil
		}
		out = b.union(out, arm, op.Pos)
		if out == nil {
			return nil
		}
		if op.Distinct {
			out = distinct(out)
		}
	}
	return b.orderLimit(q, out)
}

// cte finds a common table expression visible here, innermost first.
func (b *binder) cte(name string) *ast.Select {
	for i := len(b.ctes) - 1; i >= 0; i-- {
		if q, ok := b.ctes[i][name]; ok {
			return q
		}
	}
	return nil
}

// union combines two inputs by UNION ALL: columns match by position, take
// the first input's names and the common type of each pair (INT and DOUBLE
// widen to DOUBLE; a column is nullable if either side is).
func (b *binder) union(l, r plan.Node, pos ast.Pos) plan.Node {
	ls, rs := l.Schema(), r.Schema()
	if len(ls) != len(rs) {
		b.diags.Errorf(diag.TypeMismatch, pos, "UNION inputs have %d and %d columns", len(ls), len(rs))
		return nil
	}
	out := make(plan.Schema, len(ls))
	for i := range ls {
		k, ok := types.Common(ls[i].Type.Kind, rs[i].Type.Kind)
		if !ok {
			b.diags.Errorf(diag.TypeMismatch, pos, "UNION column %d (%s) is %s on one side and %s on the other", i+1, ls[i].Name, ls[i].Type.Kind, rs[i].Type.Kind)
			return nil
		}
		if k == types.Unknown {
			k = types.String
		}
		out[i] = plan.Column{Name: ls[i].Name, Type: types.Type{Kind: k, Nullable: ls[i].Type.Nullable || rs[i].Type.Nullable}}
	}
	var arms []plan.Node
	for _, in := range []plan.Node{l, r} {
		if u, ok := in.(*plan.Union); ok && in == l && sameSchema(u.Schema(), out) {
			arms = append(arms, u.Arms...)
			continue
		}
		arms = append(arms, castTo(in, out))
	}
	return &plan.Union{Arms: arms}
}

func sameSchema(a, b plan.Schema) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// castTo projects n onto schema s (same arity), casting and renaming columns
// where they differ; it returns n itself when nothing differs.
func castTo(n plan.Node, s plan.Schema) plan.Node {
	in := n.Schema()
	if sameSchema(in, s) {
		return n
	}
	exprs := make([]plan.Expr, len(s))
	names := make([]string, len(s))
	for i, c := range in {
		var e plan.Expr = &plan.ColRef{Index: i, Name: c.Name, T: c.Type}
		if c.Type != s[i].Type {
			// a cast to the same kind only makes the column nullable
			e = &plan.Cast{X: e, T: s[i].Type}
		}
		exprs[i], names[i] = e, s[i].Name
	}
	return &plan.Project{Input: n, Exprs: exprs, Names: names}
}

// distinct removes duplicate rows: a GROUP BY over every column, with no
// aggregates. Windowed input keeps state per window (EMIT ON WINDOW CLOSE);
// otherwise the result updates, and over append-only input it only inserts.
func distinct(n plan.Node) plan.Node {
	s := n.Schema()
	agg := &plan.Aggregate{Input: n, WindowKey: -1, Emit: plan.EmitOnChanges}
	for i, c := range s {
		agg.Keys = append(agg.Keys, &plan.ColRef{Index: i, Name: c.Name, T: c.Type})
		agg.KeyNames = append(agg.KeyNames, c.Name)
	}
	for i, k := range agg.Keys {
		if _, end, ok := plan.WindowBound(n, k); ok && agg.WindowKey < 0 {
			agg.WindowKey, agg.WindowEnd, agg.Emit = i, end, plan.EmitOnClose
		}
	}
	return agg
}

// selectQuery binds one SELECT into a plan tree:
// input -> [Window] -> [Filter WHERE] -> [Aggregate -> [Filter HAVING]] -> Project [-> DISTINCT].
func (b *binder) selectQuery(q *ast.Select) plan.Node {
	errs := len(b.diags.Items)
	var in plan.Node
	var sc *scope
	where, subqueries := splitSubqueries(q.Where)
	if j, ok := q.From.(*ast.Join); ok {
		var whereUsed bool
		in, sc, whereUsed = b.joinFrom(j, where)
		if whereUsed {
			where = nil
		}
	} else {
		in, sc = b.from(q.From)
	}
	if in == nil {
		return nil
	}
	for _, sub := range subqueries {
		if in = b.semiJoin(in, sc, sub); in == nil {
			return nil
		}
	}
	var gw *groupWindow
	if _, isTVF := q.From.(*ast.WindowTVF); !isTVF {
		for _, g := range q.GroupBy {
			if c, ok := g.(*ast.Call); ok && (c.Name == "TUMBLE" || c.Name == "HOP" || c.Name == "SESSION") {
				if gw != nil {
					b.diags.Errorf(diag.BadWindow, c.Pos, "a query can group by one window only")
					return nil
				}
				w := b.groupWindowNode(c, in)
				if w == nil {
					return nil
				}
				gw = &groupWindow{call: c, node: w}
			}
		}
		if gw != nil {
			in = gw.node
			sc = &scope{schema: in.Schema(), qualifiers: sc.qualifiers, colQuals: sc.colQuals}
			if sc.colQuals != nil {
				sc.colQuals = append(append([]string{}, sc.colQuals...), "", "")
			}
		}
	}
	ctx := &exprCtx{gw: gw}
	if where != nil {
		pred := b.predicate(where, sc, ctx, "WHERE")
		if pred != nil {
			in = &plan.Filter{Input: in, Pred: pred}
		}
	}
	over := overCalls(q)
	aggregating := len(q.GroupBy) > 0 || q.Having != nil || (hasAggregate(q.Items) && len(over) == 0)
	if !b.sessionInput(q, in, aggregating) {
		return nil
	}
	var out plan.Node
	switch {
	case q.Qualify != nil && len(over) == 0:
		b.diags.Errorf(diag.Unsupported, q.Qualify.Position(), "QUALIFY needs a window function (ROW_NUMBER() OVER …) in the SELECT list or in QUALIFY")
		return nil
	case len(over) > 0 && aggregating:
		b.diags.Errorf(diag.Unsupported, over[0].Over.Pos, "window functions over a GROUP BY are not supported yet: rank in an outer query")
		return nil
	case len(over) > 0:
		if !b.emitNeedsWindow(q) {
			return nil
		}
		out = b.rankQuery(q, in, sc, ctx, over)
	case aggregating:
		out = b.aggregateQuery(q, in, sc, ctx)
	default:
		if !b.emitNeedsWindow(q) {
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
	if q.Distinct {
		out = distinct(out)
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
	_, more := moreAggregates[name]
	return more
}

// from binds the FROM clause: a source, a view, a CTE, a subquery, or a
// window TVF over one of them.
func (b *binder) from(t ast.TableRef) (plan.Node, *scope) {
	switch t := t.(type) {
	case *ast.TableName:
		in := b.relationRef(t.Name)
		if in == nil {
			return nil, nil
		}
		q := []string{t.Name.Name}
		if t.Alias != nil {
			q = []string{t.Alias.Name}
		}
		return in, &scope{schema: in.Schema(), qualifiers: q}
	case *ast.Subquery:
		in := b.query(t.Query)
		if in == nil {
			return nil, nil
		}
		var q []string
		if t.Alias != nil {
			q = []string{t.Alias.Name}
		}
		return in, &scope{schema: in.Schema(), qualifiers: q}
	case *ast.LateSource:
		return b.lateSource(t)
	case *ast.WindowTVF:
		in := b.relationRef(t.Table)
		if in == nil {
			return nil, nil
		}
		col := lastIndex(in.Schema(), t.TimeCol.Name)
		if col < 0 {
			b.diags.Errorf(diag.UnknownColumn, t.TimeCol.Pos, "unknown column %q in %s", t.TimeCol.Name, t.Table.Name)
			return nil, nil
		}
		w := b.windowNode(t.Kind, in, t.Table.Name, col, t.Args, t.Pos, t.TimeCol.Pos)
		if w == nil || !b.bindPartition(w, t.Partition) {
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

// relationRef resolves a name in FROM: a CTE in scope, a view, or a source.
func (b *binder) relationRef(id ast.Ident) plan.Node {
	if q := b.cte(id.Name); q != nil {
		return b.query(q)
	}
	if src, ok := b.sources[id.Name]; ok {
		if len(src.PrimaryKey) > 0 && !b.versioned {
			d := b.diags.Errorf(diag.Unsupported, id.Pos, "%s has a PRIMARY KEY: its rows are versions of its keys, read by a temporal join", id.Name)
			d.Hint = fmt.Sprintf("JOIN %s FOR SYSTEM_TIME AS OF o.ts ON o.key = %s.key (reading its versions as a stream or as its latest table is not supported yet)", id.Name, id.Name)
			return nil
		}
		return scanOf(src)
	}
	if v, ok := b.views[id.Name]; ok {
		return &plan.ViewScan{View: v}
	}
	if _, ok := b.tables[id.Name]; ok {
		d := b.diags.Errorf(diag.Unsupported, id.Pos, "%s is a lookup table: a join reads it by key, it is not a stream to select from", id.Name)
		d.Hint = fmt.Sprintf("FROM s JOIN %s ON s.id = %s.id", id.Name, id.Name)
		return nil
	}
	if b.failed[id.Name] {
		return nil // its own error was reported
	}
	d := b.diags.Errorf(diag.UnknownTable, id.Pos, "unknown source or view %q", id.Name)
	if c := closest(id.Name, append(sortedKeys(b.sources), sortedKeys(b.views)...)); c != "" {
		d.Hint = "did you mean " + c + "?"
	}
	return nil
}

// windowNode checks a window's time column and interval arguments.
// args are (size [, offset]) for TUMBLE and (slide, size [, offset]) for HOP.
func (b *binder) windowNode(kind ast.WindowKind, in plan.Node, inName string, col int, args []ast.Expr, pos, colPos ast.Pos) *plan.Window {
	if slices.Contains(plan.ProcTimeCols(in), col) {
		return b.procWindow(kind, in, inName, col, args, pos)
	}
	spec := windowSpecs[kind]
	name, want := spec.name, spec.args
	schema := in.Schema()
	times := plan.EventTimes(in)
	if !in.AppendOnly() {
		d := b.diags.Errorf(diag.BadWindow, pos, "%s over %s: windows need an append-only input, and %s is updating", name, inName, inName)
		d.Hint = "give the inner query a window and EMIT ON WINDOW CLOSE"
		if _, ok := in.(*plan.Scan); ok {
			d.Hint = "the source's rows are changes (CDC or a changelog format); a postgres source with mode = 'append' reads inserts only"
		}
		return nil
	}
	if len(times) == 0 {
		if scan, ok := in.(*plan.Scan); ok {
			d := b.diags.Errorf(diag.NoWatermark, pos, "%s over %s needs a watermark on the source", name, inName)
			d.Hint = fmt.Sprintf("declare WATERMARK FOR %s AS %s - INTERVAL '5' SECOND in CREATE SOURCE %s", schema[col].Name, schema[col].Name, scan.Source.Name)
			return nil
		}
		d := b.diags.Errorf(diag.NoWatermark, pos, "%s over %s needs an event-time column with a watermark, and %s has none", name, inName, inName)
		d.Hint = "window a source's watermark column, or the window_start/window_end of a windowed view that emits on window close"
		return nil
	}
	if _, ok := plan.EventTimeCol(in, col); !ok {
		var names []string
		for _, t := range times {
			names = append(names, fmt.Sprintf("%q", schema[t.Col].Name))
		}
		b.diags.Errorf(diag.BadWindow, colPos, "%s must use an event-time column of %s: %s", name, inName, strings.Join(names, " or "))
		return nil
	}
	if len(args) != want && (len(args) != want+1 || !spec.offset) {
		b.diags.Errorf(diag.WrongArgCount, pos, "%s", spec.usage).Hint = spec.example
		return nil
	}
	vals, ok := b.intervalConsts(args)
	if !ok {
		return nil
	}
	w := &plan.Window{Input: in, Kind: plan.Tumble, TimeCol: col}
	switch kind {
	case ast.Tumble, ast.Session:
		w.Size, w.Slide = vals[0], vals[0]
		if kind == ast.Session {
			w.Kind = plan.Session
		}
	case ast.Hop:
		w.Kind, w.Slide, w.Size = plan.Hop, vals[0], vals[1]
	case ast.Cumulate:
		w.Kind, w.Slide, w.Size = plan.Cumulate, vals[0], vals[1]
	}
	if len(vals) == want+1 {
		w.Offset = vals[want]
	}
	if w.Size <= 0 || w.Slide <= 0 {
		if w.Kind == plan.Session {
			b.diags.Errorf(diag.BadWindow, pos, "a session gap must be positive")
			return nil
		}
		b.diags.Errorf(diag.BadWindow, pos, "window size and slide must be positive")
		return nil
	}
	if w.Kind == plan.Hop && w.Size%w.Slide != 0 {
		d := b.diags.Errorf(diag.BadWindow, pos, "HOP size %s is not a multiple of its slide %s", plan.FormatMicros(w.Size), plan.FormatMicros(w.Slide))
		d.Hint = "HOP takes the slide first, then the size"
		return nil
	}
	if w.Kind == plan.Cumulate && w.Size%w.Slide != 0 {
		d := b.diags.Errorf(diag.BadWindow, pos, "CUMULATE size %s is not a multiple of its step %s", plan.FormatMicros(w.Size), plan.FormatMicros(w.Slide))
		d.Hint = "CUMULATE takes the step first, then the maximum size"
		return nil
	}
	limit, what := w.Slide, "slide"
	if w.Kind == plan.Cumulate {
		limit, what = w.Size, "size" // a cumulating window aligns its largest window
	}
	if w.Offset < 0 || w.Offset >= limit {
		b.diags.Errorf(diag.BadWindow, pos, "window offset must be at least 0 and less than the %s", what)
		return nil
	}
	return w
}

// windowSpec is what a window function takes: its interval arguments
// (before the optional offset) and its usage, for errors.
type windowSpec struct {
	name           string
	args           int
	offset         bool
	usage, example string
}

var windowSpecs = map[ast.WindowKind]windowSpec{
	ast.Tumble:   {"TUMBLE", 1, true, "TUMBLE takes a size and an optional offset", "TUMBLE(trades, ts, INTERVAL '1' MINUTE)"},
	ast.Hop:      {"HOP", 2, true, "HOP takes a slide, a size and an optional offset", "HOP(bids, ts, INTERVAL '2' SECOND, INTERVAL '10' SECOND)"},
	ast.Session:  {"SESSION", 1, false, "SESSION takes a gap", "SESSION(clicks, ts, INTERVAL '30' MINUTE)"},
	ast.Cumulate: {"CUMULATE", 2, true, "CUMULATE takes a step, a maximum size and an optional offset", "CUMULATE(bids, ts, INTERVAL '1' MINUTE, INTERVAL '1' HOUR)"},
}

// intervalConsts reads a window's size, slide or offset arguments, each an
// INTERVAL constant; false after reporting the first that is not.
func (b *binder) intervalConsts(args []ast.Expr) ([]int64, bool) {
	vals := make([]int64, len(args))
	for i, a := range args {
		v, ok := b.intervalConst(a)
		if !ok {
			return nil, false
		}
		vals[i] = v
	}
	return vals, true
}

// intervalConst reads one INTERVAL constant argument.
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
func (b *binder) groupWindowNode(c *ast.Call, in plan.Node) *plan.Window {
	if len(c.Args) < 2 {
		b.diags.Errorf(diag.WrongArgCount, c.Pos, "%s in GROUP BY takes the time column and the window's intervals", c.Name)
		return nil
	}
	ref, ok := c.Args[0].(*ast.ColumnRef)
	if !ok {
		b.diags.Errorf(diag.BadWindow, c.Args[0].Position(), "the first argument of %s must be the event-time column", c.Name)
		return nil
	}
	col := lastIndex(in.Schema(), ref.Name.Name)
	if col < 0 {
		b.diags.Errorf(diag.UnknownColumn, ref.Name.Pos, "unknown column %q", ref.Name.Name)
		return nil
	}
	kind := ast.Tumble
	switch c.Name {
	case "HOP":
		kind = ast.Hop
	case "SESSION":
		kind = ast.Session
	}
	return b.windowNode(kind, in, "the input", col, c.Args[1:], c.Pos, ref.Pos)
}

// selectItems binds a non-aggregating SELECT list.
func (b *binder) selectItems(items []ast.SelectItem, sc *scope, ctx *exprCtx) ([]plan.Expr, []string) {
	var exprs []plan.Expr
	var names []string
	ok := true
	for _, it := range items {
		if it.Star {
			found := false
			for i, c := range sc.schema {
				if it.StarOf != nil && !sc.hasQualifier(i, it.StarOf.Name) {
					continue
				}
				found = true
				exprs = append(exprs, &plan.ColRef{Index: i, Name: c.Name, T: c.Type})
				names = append(names, c.Name)
			}
			if it.StarOf != nil && !found {
				b.diags.Errorf(diag.UnknownTable, it.StarOf.Pos, "unknown table %q in %s.*", it.StarOf.Name, it.StarOf.Name)
				ok = false
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

// uniqueNames makes the output names of a SELECT list unique as Flink
// (Calcite) does: a derived name that repeats an earlier one (B.dateTime,
// A.dateTime; a column of t.* and u.*) gets the first free suffix 0, 1, …
// (dateTime0). A name given with AS that another column has is an error.
func (b *binder) uniqueNames(items []ast.SelectItem, names []string) bool {
	aliased := map[string]ast.Pos{}
	for _, it := range items {
		if it.Alias != nil {
			aliased[it.Alias.Name] = it.Pos
		}
	}
	used := map[string]bool{}
	for _, n := range names {
		used[n] = true
	}
	seen := map[string]bool{}
	for i, n := range names {
		if !seen[n] {
			seen[n] = true
			continue
		}
		if pos, ok := aliased[n]; ok {
			d := b.diags.Errorf(diag.DuplicateColumn, pos, "the query outputs two columns named %q", n)
			d.Hint = "give one of them another name with AS"
			return false
		}
		for k := 0; ; k++ {
			if c := n + strconv.Itoa(k); !used[c] {
				names[i] = c
				used[c], seen[c] = true, true
				break
			}
		}
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
	if !b.windowKeys(q, agg) {
		return nil
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
	if !b.procAggregate(q, agg) || !b.emitLateness(q, agg) {
		return nil
	}
	switch {
	case q.Emit == ast.EmitAfterWatermark:
		agg.Emit = plan.EmitAfterWatermark
		if agg.Lateness == 0 {
			agg.Emit = plan.EmitOnClose // nothing can update a window once the watermark passed it
		}
	case q.Emit == ast.EmitPeriodically:
		agg.Emit = plan.EmitPeriodically
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

// windowOf finds the window assigner whose columns an aggregate's keys
// index: its input, or under the WHERE filter.
func windowOf(n plan.Node) (*plan.Window, bool) {
	for {
		switch x := n.(type) {
		case *plan.Filter:
			n = x.Input
		case *plan.Window:
			return x, true
		default:
			return nil, false
		}
	}
}

// windowCol references window_start or window_end of the Window under n.
func windowCol(n plan.Node, name string) plan.Expr {
	s := n.Schema()
	i := lastIndex(s, name)
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
	case *ast.IsDistinct:
		walkAST(e.L, f)
		walkAST(e.R, f)
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

// lastIndex finds the last column named name (see scope.lookup), or -1.
func lastIndex(s plan.Schema, name string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i].Name == name {
			return i
		}
	}
	return -1
}

// emitNeedsWindow reports an emit mode or lateness on a query without a
// windowed GROUP BY, and says whether there was none.
func (b *binder) emitNeedsWindow(q *ast.Select) bool {
	if q.Emit == ast.EmitOnWindowClose || q.Emit == ast.EmitAfterWatermark || q.Emit == ast.EmitPeriodically {
		b.diags.Errorf(diag.EmitNeedsWindow, q.EmitPos, "EMIT %s needs a windowed GROUP BY", emitWords[q.Emit])
		return false
	}
	if q.Lateness != nil {
		b.diags.Errorf(diag.EmitNeedsWindow, q.LatenessPos, "ALLOWED LATENESS needs a windowed GROUP BY")
		return false
	}
	return true
}
