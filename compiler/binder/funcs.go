package binder

import (
	"fmt"
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// scalarFuncs types each scalar function from its bound arguments. A typing
// function reports its own errors and returns nil on failure.
type funcTyper func(b *binder, c *ast.Call, args []plan.Expr) plan.Expr

var scalarFuncs map[string]funcTyper

func init() {
	scalarFuncs = map[string]funcTyper{
		"ABS":         typeNumeric1,
		"FLOOR":       typeNumeric1,
		"CEIL":        typeNumeric1,
		"CEILING":     typeNumeric1,
		"ROUND":       typeRound,
		"TRUNC":       typeTrunc,
		"TRUNCATE":    typeTrunc,
		"LOWER":       typeString1(types.String),
		"UPPER":       typeString1(types.String),
		"LENGTH":      typeString1(types.Int),
		"CHAR_LENGTH": typeString1(types.Int),
		"SUBSTRING":   typeSubstring,
		"SUBSTR":      typeSubstring,
		"COALESCE":    typeCoalesce,
	}
}

func funcNames() []string {
	names := sortedKeys(scalarFuncs)
	return append(append(names, "COUNT", "SUM", "MIN", "MAX", "AVG"), sortedKeys(moreAggregates)...)
}

func (b *binder) arity(c *ast.Call, args []plan.Expr, lo, hi int) bool {
	if len(args) < lo || len(args) > hi {
		want := fmt.Sprint(lo)
		if hi != lo {
			want = fmt.Sprintf("%d to %d", lo, hi)
		}
		b.diags.Errorf(diag.WrongArgCount, c.Pos, "%s takes %s arguments, not %d", c.Name, want, len(args))
		return false
	}
	return true
}

func typeNumeric1(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 1, 1) {
		return nil
	}
	x := args[0]
	k := x.Type().Kind
	if k == types.Unknown {
		x, k = coerce(x, types.Float), types.Float
	}
	if !k.IsNumeric() {
		b.diags.Errorf(diag.TypeMismatch, c.Args[0].Position(), "%s needs a number, not %s", c.Name, k)
		return nil
	}
	name := c.Name
	if name == "CEILING" {
		name = "CEIL"
	}
	if k.IsDecimal() && name != "ABS" {
		return decimalRound(name, x, 0)
	}
	t := x.Type() // ABS of the smallest BIGINT overflows: the row fails (LDB-6001)
	return &plan.Func{Name: name, Args: []plan.Expr{x}, T: t}
}

func typeRound(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 1, 2) {
		return nil
	}
	x := args[0]
	if x.Type().Kind == types.Unknown {
		x = coerce(x, types.Float)
	}
	if !x.Type().Kind.IsNumeric() {
		b.diags.Errorf(diag.TypeMismatch, c.Args[0].Position(), "ROUND needs a number, not %s", x.Type().Kind)
		return nil
	}
	var digits plan.Expr = &plan.Const{Value: int64(0), T: types.Of(types.Int)}
	if len(args) == 2 {
		digits = args[1]
		if k := digits.Type().Kind; k != types.Int && k != types.Unknown {
			b.diags.Errorf(diag.TypeMismatch, c.Args[1].Position(), "ROUND's digits must be an integer, not %s", k)
			return nil
		}
		digits = coerce(digits, types.Int)
	}
	if x.Type().Kind.IsDecimal() {
		if n, ok := plan.Fold(digits).(*plan.Const); ok && n.Value != nil {
			return decimalRound("ROUND", x, n.Value.(int64))
		}
		x = coerce(x, types.Float) // digits known only at run time: a DOUBLE
	}
	t := x.Type().WithNull(digits.Type().Nullable)
	return &plan.Func{Name: "ROUND", Args: []plan.Expr{x, digits}, T: t}
}

func typeString1(result types.Kind) funcTyper {
	return func(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
		if !b.arity(c, args, 1, 1) || !b.want(args[0], types.String, c.Args[0], c.Name) {
			return nil
		}
		x := coerce(args[0], types.String)
		name := c.Name
		if name == "CHAR_LENGTH" {
			name = "LENGTH"
		}
		return &plan.Func{Name: name, Args: []plan.Expr{x}, T: types.Type{Kind: result, Nullable: x.Type().Nullable}}
	}
}

func typeSubstring(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 2, 3) || !b.want(args[0], types.String, c.Args[0], c.Name) {
		return nil
	}
	out := []plan.Expr{coerce(args[0], types.String)}
	nullable := out[0].Type().Nullable || len(args) == 3 // a negative length gives NULL
	for i, a := range args[1:] {
		if !b.want(a, types.Int, c.Args[i+1], c.Name) {
			return nil
		}
		a = coerce(a, types.Int)
		nullable = nullable || a.Type().Nullable
		out = append(out, a)
	}
	return &plan.Func{Name: "SUBSTRING", Args: out, T: types.Type{Kind: types.String, Nullable: nullable}}
}

func typeCoalesce(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if len(args) == 0 {
		b.diags.Errorf(diag.WrongArgCount, c.Pos, "COALESCE needs at least one argument")
		return nil
	}
	kind := types.Unknown
	nullable := true
	for i, a := range args {
		k, ok := types.Common(kind, a.Type().Kind)
		if !ok {
			b.diags.Errorf(diag.TypeMismatch, c.Args[i].Position(), "COALESCE arguments mix %s and %s", kind, a.Type().Kind)
			return nil
		}
		kind = k
		nullable = nullable && a.Type().Nullable
	}
	if kind == types.Unknown {
		kind = types.String
	}
	out := make([]plan.Expr, len(args))
	for i, a := range args {
		out[i] = coerce(a, kind)
	}
	return &plan.Func{Name: "COALESCE", Args: out, T: types.Type{Kind: kind, Nullable: nullable}}
}

// call binds a function call outside an aggregate context.
func (b *binder) call(c *ast.Call, sc *scope, ctx *exprCtx) plan.Expr {
	if x, ok := b.windowCall(c, sc, ctx); ok {
		return x
	}
	if isAggregate(c.Name) {
		d := b.diags.Errorf(diag.MisplacedAggregate, c.Pos, "aggregate %s is not allowed here", c.Name)
		d.Hint = "aggregates belong in the SELECT list or HAVING of a query"
		return nil
	}
	if u := b.udf(c.Name); u != nil {
		return b.udfCall(c, u, sc, ctx)
	}
	if why, ok := notYet[c.Name]; ok {
		d := b.diags.Errorf(diag.Unsupported, c.Pos, "%s %s", c.Name, why[0])
		d.Hint = why[1]
		return nil
	}
	typer, ok := scalarFuncs[c.Name]
	if !ok {
		d := b.diags.Errorf(diag.UnknownFunction, c.Pos, "unknown function %s", c.Name)
		if s := closest(c.Name, funcNames()); s != "" {
			d.Hint = "did you mean " + s + "?"
		}
		return nil
	}
	if c.Star || c.Distinct || c.Filter != nil {
		b.diags.Errorf(diag.Unsupported, c.Pos, "%s does not take *, DISTINCT or FILTER: it is not an aggregate", c.Name)
		return nil
	}
	c = unitWord(c)
	args := make([]plan.Expr, len(c.Args))
	for i, a := range c.Args {
		if args[i] = b.expr(a, sc, ctx); args[i] == nil {
			return nil
		}
	}
	return typer(b, c, args)
}

// windowCall binds TUMBLE/HOP/…_START/…_END of the group-window form to the
// window_start / window_end columns. handled is false for other functions.
func (b *binder) windowCall(c *ast.Call, sc *scope, ctx *exprCtx) (plan.Expr, bool) {
	col := ""
	switch c.Name {
	case "TUMBLE", "TUMBLE_START", "HOP", "HOP_START", "SESSION", "SESSION_START":
		col = "window_start"
	case "TUMBLE_END", "HOP_END", "SESSION_END":
		col = "window_end"
	default:
		return nil, false
	}
	if ctx == nil || ctx.gw == nil {
		d := b.diags.Errorf(diag.BadWindow, c.Pos, "%s here needs GROUP BY %s(...)", c.Name, strings.SplitN(c.Name, "_", 2)[0])
		d.Hint = "or use the table function: FROM TUMBLE(source, ts, INTERVAL '1' MINUTE)"
		return nil, true
	}
	if !sameCall(c, ctx.gw.call) {
		d := b.diags.Errorf(diag.BadWindow, c.Pos, "%s does not match the window in GROUP BY", c.Name)
		d.Hint = "use the same time column and intervals as GROUP BY " + ctx.gw.call.Name + "(...)"
		return nil, true
	}
	i := sc.schema.Index(col)
	return &plan.ColRef{Index: i, Name: col, T: sc.schema[i].Type}, true
}

// sameCall reports whether a window function call has the same arguments as
// the GROUP BY window (TUMBLE vs TUMBLE_END differ only in name).
func sameCall(c, group *ast.Call) bool {
	if strings.SplitN(c.Name, "_", 2)[0] != group.Name || len(c.Args) != len(group.Args) {
		return false
	}
	for i := range c.Args {
		if astString(c.Args[i]) != astString(group.Args[i]) {
			return false
		}
	}
	return true
}

// astString renders an expression without positions, for comparing.
func astString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.ColumnRef:
		return e.Name.Name
	case *ast.Literal:
		return fmt.Sprintf("%d:%s:%s", e.Kind, e.Text, strings.TrimSuffix(e.Unit, "S"))
	}
	return fmt.Sprintf("%T@%d", e, e.Position().Offset)
}

// aggExpr binds e over an Aggregate's output. handled is false when e should
// be bound structurally (its children then come back here).
func (b *binder) aggExpr(e ast.Expr, ctx *exprCtx) (plan.Expr, bool) {
	ac := ctx.agg
	agg := ac.agg
	if c, ok := e.(*ast.Call); ok && isAggregate(c.Name) {
		return b.aggCall(c, ac), true
	}
	// an expression equal to a group key reads that key
	var scratch diag.List
	saved := b.diags
	b.diags = scratch
	in := b.expr(e, ac.in, &exprCtx{gw: ac.gw})
	b.diags = saved
	if in != nil {
		s := plan.Identity(in)
		for i, k := range agg.Keys {
			if plan.Identity(k) == s {
				return &plan.ColRef{Index: i, Name: agg.KeyNames[i], T: k.Type()}, true
			}
		}
		// window_end is window_start + size (and the reverse), so either may be selected
		if x := b.otherWindowBound(in, agg); x != nil {
			return x, true
		}
	}
	if ref, ok := e.(*ast.ColumnRef); ok {
		if in == nil {
			b.expr(e, ac.in, nil) // report why it does not resolve
			return nil, true
		}
		d := b.diags.Errorf(diag.NotGrouped, ref.Pos, "column %q must appear in GROUP BY or be used in an aggregate", ref.Name.Name)
		d.Hint = fmt.Sprintf("add %s to GROUP BY, or aggregate it, e.g. MAX(%s)", ref.Name.Name, ref.Name.Name)
		return nil, true
	}
	if c, ok := e.(*ast.Call); ok && in != nil {
		if _, isWin := b.windowCall(c, ac.in, &exprCtx{gw: ac.gw}); isWin {
			d := b.diags.Errorf(diag.NotGrouped, c.Pos, "%s must match a GROUP BY window", c.Name)
			d.Hint = "GROUP BY the window"
			return nil, true
		}
	}
	return nil, false
}

func (b *binder) otherWindowBound(in plan.Expr, agg *plan.Aggregate) plan.Expr {
	c, ok := in.(*plan.ColRef)
	w, isWin := windowOf(agg.Input)
	if !ok || !isWin || agg.WindowKey < 0 {
		return nil
	}
	base := len(w.Input.Schema())
	if c.Index != base && c.Index != base+1 {
		return nil
	}
	key := &plan.ColRef{Index: agg.WindowKey, Name: agg.KeyNames[agg.WindowKey], T: types.Of(types.Timestamp)}
	size := &plan.Const{Value: w.Size, T: types.Of(types.Interval)}
	switch {
	case c.Index == base+1 && !agg.WindowEnd:
		return &plan.Binary{Op: "+", L: key, R: size, T: types.Of(types.Timestamp)}
	case c.Index == base && agg.WindowEnd:
		return &plan.Binary{Op: "-", L: key, R: size, T: types.Of(types.Timestamp)}
	}
	return nil
}

// aggCall registers an aggregate call (deduplicated) and references its output.
func (b *binder) aggCall(c *ast.Call, ac *aggCtx) plan.Expr {
	agg := ac.agg
	if c.Distinct && c.Name != "COUNT" && c.Name != "MIN" && c.Name != "MAX" && c.Name != "APPROX_COUNT_DISTINCT" {
		b.diags.Errorf(diag.Unsupported, c.Pos, "%s(DISTINCT ...) is not supported yet; COUNT(DISTINCT ...) is", c.Name)
		return nil
	}
	var a plan.Agg
	switch {
	case c.Star:
		if c.Name != "COUNT" {
			b.diags.Errorf(diag.Unsupported, c.Pos, "%s(*) is not valid; only COUNT(*)", c.Name)
			return nil
		}
		a = plan.Agg{Func: plan.CountStar, T: types.Of(types.Int)}
	default:
		if len(c.Args) != 1 {
			b.diags.Errorf(diag.WrongArgCount, c.Pos, "%s takes one argument", c.Name)
			return nil
		}
		if hasAggregateExpr(c.Args[0]) {
			b.diags.Errorf(diag.MisplacedAggregate, c.Args[0].Position(), "aggregates cannot be nested")
			return nil
		}
		arg := b.expr(c.Args[0], ac.in, &exprCtx{gw: ac.gw})
		if arg == nil {
			return nil
		}
		arg = concrete(arg)
		k := arg.Type().Kind
		// Without GROUP BY there is one group even over no rows, where
		// SUM, AVG, MIN and MAX are NULL.
		nullInput := arg.Type().Nullable || len(agg.Keys) == 0
		a = plan.Agg{Func: plan.AggFunc(c.Name), Arg: arg}
		switch c.Name {
		case "COUNT":
			a.T = types.Of(types.Int)
		case "SUM":
			if !k.IsNumeric() && k != types.Interval {
				b.diags.Errorf(diag.TypeMismatch, c.Args[0].Position(), "SUM needs a number, not %s", k)
				return nil
			}
			if k.IsDecimal() {
				k = types.Decimal(types.MaxDecimalPrecision, k.Scale()) // as in DuckDB
			}
			a.T = types.Type{Kind: k, Nullable: nullInput}
		case "AVG":
			if !k.IsNumeric() {
				b.diags.Errorf(diag.TypeMismatch, c.Args[0].Position(), "AVG needs a number, not %s", k)
				return nil
			}
			a.T = types.Type{Kind: types.Float, Nullable: nullInput}
		case "MIN", "MAX":
			if k == types.Bool {
				b.diags.Errorf(diag.TypeMismatch, c.Args[0].Position(), "%s of BOOLEAN is not supported", c.Name)
				return nil
			}
			a.T = arg.Type().WithNull(nullInput)
		default:
			if !b.moreAggregate(c, ac, &a) {
				return nil
			}
		}
	}
	// the extreme of the distinct values is the extreme of all of them
	a.Distinct = c.Distinct && c.Name == "COUNT"
	if a.Distinct && a.Arg.Type().Kind == types.Bool {
		// distinct sets hold ordered values: count the BOOLEANs as 0 and 1
		a.Arg = &plan.Cast{X: a.Arg, T: types.Type{Kind: types.Int, Nullable: a.Arg.Type().Nullable}}
	}
	if c.Filter != nil {
		if hasAggregateExpr(c.Filter) {
			b.diags.Errorf(diag.MisplacedAggregate, c.Filter.Position(), "aggregates cannot be nested")
			return nil
		}
		f := b.predicate(c.Filter, ac.in, &exprCtx{gw: ac.gw}, "FILTER")
		if f == nil {
			return nil
		}
		a.Filter = f
		// no row of a group may pass the filter: then only the counts are
		// not NULL (0), whatever the argument's nullability
		if a.Func != plan.Count && a.Func != plan.CountStar && a.Func != plan.ApproxCountDistinct {
			a.T.Nullable = true
		}
	}
	for i, have := range agg.Aggs {
		if sameAgg(have, a) {
			return &plan.ColRef{Index: len(agg.Keys) + i, Name: a.String(), T: have.T}
		}
	}
	agg.Aggs = append(agg.Aggs, a)
	agg.AggNames = append(agg.AggNames, "")
	return &plan.ColRef{Index: len(agg.Keys) + len(agg.Aggs) - 1, Name: a.String(), T: a.T}
}

// sameAgg tells whether two aggregate calls compute the same value: their
// arguments and filters compared by column position (by rendering, SUM(l.n)
// and SUM(r.n) of a join are both SUM(n)).
func sameAgg(a, b plan.Agg) bool {
	identity := func(e plan.Expr) string {
		if e == nil {
			return ""
		}
		return plan.Identity(e)
	}
	return a.Func == b.Func && a.Distinct == b.Distinct && a.T == b.T &&
		identity(a.Arg) == identity(b.Arg) && identity(a.Filter) == identity(b.Filter) && identity(a.Time) == identity(b.Time)
}
