package binder

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// exprCtx is what an expression may refer to beyond its scope's columns.
type exprCtx struct {
	gw  *groupWindow // the group-window form's window, if any
	agg *aggCtx      // set while binding the SELECT list or HAVING of a GROUP BY
	// over maps each window function call of the SELECT list and QUALIFY
	// to the column of the operator computing it (rankQuery); nil elsewhere.
	over map[*ast.Call]plan.Expr
}

// aggCtx binds expressions over the output of an Aggregate: group keys and
// aggregate calls become references to its output columns.
type aggCtx struct {
	agg *plan.Aggregate
	in  *scope
	gw  *groupWindow
}

func foldConst(e plan.Expr) plan.Expr { return plan.Fold(e) }

// coerce converts e to kind k (a widening the binder has checked is allowed).
func coerce(e plan.Expr, k types.Kind) plan.Expr {
	t := e.Type()
	if t.Kind == k {
		return e
	}
	if c, ok := e.(*plan.Const); ok && c.Value == nil {
		return &plan.Const{Value: nil, T: types.Null(k)}
	}
	return &plan.Cast{X: e, T: types.Type{Kind: k, Nullable: t.Nullable}}
}

// concrete gives a bare NULL a type (VARCHAR) so that it can be stored.
func concrete(e plan.Expr) plan.Expr {
	if e.Type().Kind == types.Unknown {
		return coerce(e, types.String)
	}
	return e
}

// expr binds one expression in scope sc. It returns nil after reporting an
// error.
func (b *binder) expr(e ast.Expr, sc *scope, ctx *exprCtx) plan.Expr {
	if ctx != nil && ctx.agg != nil {
		if x, handled := b.aggExpr(e, ctx); handled {
			return x
		}
	}
	switch e := e.(type) {
	case *ast.ColumnRef:
		i, ok := sc.lookup(&b.diags, e)
		if !ok {
			return nil
		}
		return &plan.ColRef{Index: i, Name: sc.schema[i].Name, T: sc.schema[i].Type}
	case *ast.Literal:
		return b.literal(e)
	case *ast.Unary:
		return b.unary(e, sc, ctx)
	case *ast.Binary:
		l, r := b.expr(e.L, sc, ctx), b.expr(e.R, sc, ctx)
		if l == nil || r == nil {
			return nil
		}
		return b.binary(e.Op, l, r, e.Pos)
	case *ast.IsNull:
		x := b.expr(e.X, sc, ctx)
		if x == nil {
			return nil
		}
		return &plan.IsNull{X: x, Not: e.Not}
	case *ast.In:
		// x IN (a, b) is x = a OR x = b, which is exactly SQL's NULL semantics.
		x := b.expr(e.X, sc, ctx)
		if x == nil {
			return nil
		}
		var out plan.Expr
		eqs := make([]plan.Expr, 0, len(e.List))
		for _, item := range e.List {
			v := b.expr(item, sc, ctx)
			if v == nil {
				return nil
			}
			eq := b.binary("=", x, v, item.Position())
			if eq == nil {
				return nil
			}
			eqs = append(eqs, eq)
		}
		if out = inSet(eqs); out == nil {
			for _, eq := range eqs {
				if out == nil {
					out = eq
				} else {
					out = b.binary("OR", out, eq, e.Pos)
				}
			}
		}
		if e.Not {
			out = &plan.Unary{Op: "NOT", X: out, T: out.Type()}
		}
		return out
	case *ast.Between:
		x, lo, hi := b.expr(e.X, sc, ctx), b.expr(e.Lo, sc, ctx), b.expr(e.Hi, sc, ctx)
		if x == nil || lo == nil || hi == nil {
			return nil
		}
		ge, le := b.binary(">=", x, lo, e.Pos), b.binary("<=", x, hi, e.Pos)
		if ge == nil || le == nil {
			return nil
		}
		out := b.binary("AND", ge, le, e.Pos)
		if e.Not {
			out = &plan.Unary{Op: "NOT", X: out, T: out.Type()}
		}
		return out
	case *ast.Like:
		x, p := b.expr(e.X, sc, ctx), b.expr(e.Pattern, sc, ctx)
		if x == nil || p == nil {
			return nil
		}
		if !b.want(x, types.String, e.X, "LIKE") || !b.want(p, types.String, e.Pattern, "LIKE") {
			return nil
		}
		x, p = coerce(x, types.String), coerce(p, types.String)
		var out plan.Expr = &plan.Like{X: x, Pattern: p, T: types.Type{Kind: types.Bool, Nullable: x.Type().Nullable || p.Type().Nullable}}
		if e.Not {
			out = &plan.Unary{Op: "NOT", X: out, T: out.Type()}
		}
		return out
	case *ast.Case:
		return b.caseExpr(e, sc, ctx)
	case *ast.Cast:
		x := b.expr(e.X, sc, ctx)
		if x == nil {
			return nil
		}
		if _, known := types.ByName(e.Type.Name); !known {
			d := b.diags.Errorf(diag.UnknownType, e.Type.Pos, "unknown or unsupported type %s", e.Type.Name)
			d.Hint = strings.TrimPrefix(typeHint(e.Type.Name), "; ")
			return nil
		}
		k, ok := b.typeKind(e.Type)
		if !ok {
			return nil
		}
		return b.cast(x, k, e.Pos)
	case *ast.Call:
		if e.Over != nil {
			if x, ok := ctx.overCol(e); ok {
				return x
			}
			b.diags.Errorf(diag.Unsupported, e.Over.Pos, "window functions (OVER) are allowed only in the SELECT list and QUALIFY of a query without GROUP BY")
			return nil
		}
		return b.call(e, sc, ctx)
	case *ast.IsDistinct:
		return b.isDistinct(e, sc, ctx)
	case *ast.InQuery, *ast.Exists:
		d := b.diags.Errorf(diag.Unsupported, e.Position(), "IN (subquery) and EXISTS are supported only as conditions of WHERE joined by AND")
		d.Hint = "move it to the WHERE clause, or join with the subquery"
		return nil
	}
	b.diags.Errorf(diag.Unsupported, e.Position(), "unsupported expression")
	return nil
}

// want reports a type error unless x has kind k (or is a bare NULL).
func (b *binder) want(x plan.Expr, k types.Kind, at ast.Expr, what string) bool {
	if xk := x.Type().Kind; xk != k && xk != types.Unknown {
		b.diags.Errorf(diag.TypeMismatch, at.Position(), "%s needs %s, not %s", what, k, xk)
		return false
	}
	return true
}

func (b *binder) literal(e *ast.Literal) plan.Expr {
	switch e.Kind {
	case ast.LitInt:
		v, err := strconv.ParseInt(e.Text, 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(e.Text, 64)
			if ferr != nil {
				b.diags.Errorf(diag.BadLiteral, e.Pos, "bad number %s", e.Text)
				return nil
			}
			return &plan.Const{Value: f, T: types.Of(types.Float)}
		}
		return &plan.Const{Value: v, T: types.Of(types.Int)}
	case ast.LitFloat:
		if x, ok := b.decimalLiteral(e); ok {
			return x
		}
		f, err := strconv.ParseFloat(e.Text, 64)
		if err != nil || math.IsInf(f, 0) {
			b.diags.Errorf(diag.BadLiteral, e.Pos, "bad number %s", e.Text)
			return nil
		}
		return &plan.Const{Value: f, T: types.Of(types.Float)}
	case ast.LitString:
		return &plan.Const{Value: e.Text, T: types.Of(types.String)}
	case ast.LitBool:
		return &plan.Const{Value: strings.EqualFold(e.Text, "true"), T: types.Of(types.Bool)}
	case ast.LitNull:
		return &plan.Const{Value: nil, T: types.Null(types.Unknown)}
	case ast.LitTimestamp:
		us, ok := parseTimestamp(e.Text)
		if !ok {
			d := b.diags.Errorf(diag.BadLiteral, e.Pos, "bad TIMESTAMP literal '%s'", e.Text)
			d.Hint = "write TIMESTAMP '2024-01-02 03:04:05' (UTC)"
			return nil
		}
		return &plan.Const{Value: us, T: types.Of(types.Timestamp)}
	case ast.LitInterval:
		us, ok := intervalMicros(e.Text, e.Unit)
		if !ok {
			d := b.diags.Errorf(diag.BadLiteral, e.Pos, "bad INTERVAL literal '%s' %s", e.Text, e.Unit)
			d.Hint = "write INTERVAL '5' SECOND; units: MILLISECOND, SECOND, MINUTE, HOUR, DAY"
			return nil
		}
		return &plan.Const{Value: us, T: types.Of(types.Interval)}
	}
	b.diags.Errorf(diag.BadLiteral, e.Pos, "unsupported literal")
	return nil
}

var timestampLayouts = []string{
	"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999", "2006-01-02",
}

func parseTimestamp(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UnixMicro(), true
		}
	}
	return 0, false
}

var unitMicros = map[string]float64{
	"MICROSECOND": 1, "MILLISECOND": 1e3, "SECOND": 1e6, "MINUTE": 60e6, "HOUR": 3600e6, "DAY": 86400e6,
}

func intervalMicros(text, unit string) (int64, bool) {
	mult, ok := unitMicros[strings.TrimSuffix(strings.ToUpper(unit), "S")]
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	if err != nil || math.IsNaN(v) || math.Abs(v*mult) > 9e18 {
		return 0, false
	}
	return int64(math.Round(v * mult)), true
}

func (b *binder) unary(e *ast.Unary, sc *scope, ctx *exprCtx) plan.Expr {
	x := b.expr(e.X, sc, ctx)
	if x == nil {
		return nil
	}
	t := x.Type()
	switch e.Op {
	case "NOT":
		if !b.want(x, types.Bool, e.X, "NOT") {
			return nil
		}
		x = coerce(x, types.Bool)
		return &plan.Unary{Op: "NOT", X: x, T: x.Type()}
	case "+":
		if !t.Kind.IsNumeric() && t.Kind != types.Interval {
			b.diags.Errorf(diag.TypeMismatch, e.Pos, "unary + needs a number, not %s", t.Kind)
			return nil
		}
		return x
	default:
		if !t.Kind.IsNumeric() && t.Kind != types.Interval {
			b.diags.Errorf(diag.TypeMismatch, e.Pos, "unary - needs a number, not %s", t.Kind)
			return nil
		}
		return &plan.Unary{Op: "-", X: x, T: t}
	}
}

// binary types an operator application, widening operands as SQL does.
func (b *binder) binary(op string, l, r plan.Expr, pos ast.Pos) plan.Expr {
	lt, rt := l.Type(), r.Type()
	nullable := lt.Nullable || rt.Nullable
	mismatch := func() plan.Expr {
		b.diags.Errorf(diag.TypeMismatch, pos, "operator %s cannot combine %s and %s", op, lt.Kind, rt.Kind)
		return nil
	}
	switch op {
	case "AND", "OR":
		if (lt.Kind != types.Bool && lt.Kind != types.Unknown) || (rt.Kind != types.Bool && rt.Kind != types.Unknown) {
			return mismatch()
		}
		return &plan.Binary{Op: op, L: coerce(l, types.Bool), R: coerce(r, types.Bool), T: types.Type{Kind: types.Bool, Nullable: nullable}}
	case "||":
		if (lt.Kind != types.String && lt.Kind != types.Unknown) || (rt.Kind != types.String && rt.Kind != types.Unknown) {
			d := b.diags.Errorf(diag.TypeMismatch, pos, "operator || joins strings, not %s and %s", lt.Kind, rt.Kind)
			d.Hint = "CAST the other side AS VARCHAR"
			return nil
		}
		return &plan.Binary{Op: op, L: coerce(l, types.String), R: coerce(r, types.String), T: types.Type{Kind: types.String, Nullable: nullable}}
	case "=", "<>", "<", "<=", ">", ">=":
		k, ok := types.Common(lt.Kind, rt.Kind)
		if !ok {
			return mismatch()
		}
		if k == types.Unknown {
			k = types.String
		}
		return &plan.Binary{Op: op, L: coerce(l, k), R: coerce(r, k), T: types.Type{Kind: types.Bool, Nullable: nullable}}
	case "+", "-", "*", "/", "%":
		// time arithmetic
		switch {
		case lt.Kind == types.Timestamp && rt.Kind == types.Interval && (op == "+" || op == "-"):
			return &plan.Binary{Op: op, L: l, R: r, T: types.Type{Kind: types.Timestamp, Nullable: nullable}}
		case lt.Kind == types.Interval && rt.Kind == types.Timestamp && op == "+":
			return &plan.Binary{Op: op, L: r, R: l, T: types.Type{Kind: types.Timestamp, Nullable: nullable}}
		case lt.Kind == types.Timestamp && rt.Kind == types.Timestamp && op == "-":
			return &plan.Binary{Op: op, L: l, R: r, T: types.Type{Kind: types.Interval, Nullable: nullable}}
		case lt.Kind == types.Interval && rt.Kind == types.Interval && (op == "+" || op == "-"):
			return &plan.Binary{Op: op, L: l, R: r, T: types.Type{Kind: types.Interval, Nullable: nullable}}
		case lt.Kind == types.Interval && rt.Kind == types.Int && (op == "*" || op == "/"):
			return &plan.Binary{Op: op, L: l, R: r, T: types.Type{Kind: types.Interval, Nullable: nullable || op == "/"}}
		}
		k, ok := types.Common(lt.Kind, rt.Kind)
		if !ok || (!k.IsNumeric() && k != types.Unknown) {
			return mismatch()
		}
		if k == types.Unknown {
			k = types.Int
		}
		if k.IsDecimal() {
			return b.decimalArith(op, l, r, k, nullable)
		}
		// division and modulo by zero give NULL rather than failing the job;
		// a constant divisor that is neither 0 nor -1 (MinInt64 / -1 overflows) cannot
		mayFail := (op == "/" || op == "%") && !safeDivisor(r)
		return &plan.Binary{Op: op, L: coerce(l, k), R: coerce(r, k), T: types.Type{Kind: k, Nullable: nullable || mayFail}}
	}
	b.diags.Errorf(diag.Unsupported, pos, "unsupported operator %s", op)
	return nil
}

func (b *binder) caseExpr(e *ast.Case, sc *scope, ctx *exprCtx) plan.Expr {
	var operand plan.Expr
	if e.Operand != nil {
		if operand = b.expr(e.Operand, sc, ctx); operand == nil {
			return nil
		}
	}
	type arm struct{ cond, res plan.Expr }
	arms := make([]arm, 0, len(e.Whens))
	kind := types.Unknown
	nullable := e.Else == nil
	for _, w := range e.Whens {
		c := b.expr(w.Cond, sc, ctx)
		r := b.expr(w.Result, sc, ctx)
		if c == nil || r == nil {
			return nil
		}
		if operand != nil {
			if c = b.binary("=", operand, c, w.Cond.Position()); c == nil {
				return nil
			}
		} else if !b.want(c, types.Bool, w.Cond, "WHEN") {
			return nil
		}
		k, ok := types.Common(kind, r.Type().Kind)
		if !ok {
			b.diags.Errorf(diag.TypeMismatch, w.Result.Position(), "CASE results mix %s and %s", kind, r.Type().Kind)
			return nil
		}
		kind, nullable = k, nullable || r.Type().Nullable
		arms = append(arms, arm{coerce(c, types.Bool), r})
	}
	var els plan.Expr = &plan.Const{Value: nil, T: types.Null(types.Unknown)}
	if e.Else != nil {
		if els = b.expr(e.Else, sc, ctx); els == nil {
			return nil
		}
		k, ok := types.Common(kind, els.Type().Kind)
		if !ok {
			b.diags.Errorf(diag.TypeMismatch, e.Else.Position(), "CASE results mix %s and %s", kind, els.Type().Kind)
			return nil
		}
		kind, nullable = k, nullable || els.Type().Nullable
	}
	if kind == types.Unknown {
		kind = types.String
	}
	out := &plan.Case{Else: coerce(els, kind), T: types.Type{Kind: kind, Nullable: nullable}}
	for _, a := range arms {
		out.Whens = append(out.Whens, plan.CaseWhen{Cond: a.cond, Result: coerce(a.res, kind)})
	}
	return out
}

// cast checks that a conversion exists. A cast that can fail on some values
// (a string to a number, a double to an integer) yields NULL for them, so its
// result is nullable: a streaming job must not stop on one bad value.
func (b *binder) cast(x plan.Expr, to types.Kind, pos ast.Pos) plan.Expr {
	from := x.Type()
	if from.Kind == to {
		return x
	}
	if from.Kind == types.Unknown {
		return coerce(x, to)
	}
	mayFail := false
	switch {
	case to == types.String:
	case from.Kind == types.String && to != types.Interval:
		mayFail = true
	case from.Kind.IsNumeric() && to.IsNumeric():
		// a DOUBLE may not fit a BIGINT or DECIMAL, a number may have more
		// digits than a DECIMAL(p, s) holds; widening a BIGINT or DECIMAL
		// to a DECIMAL with as many digits either side of the point cannot
		// fail (beyond 64 bits, the row faults: LDB-6005); a DECIMAL(p > 18)
		// may not fit a BIGINT
		mayFail = from.Kind == types.Float || to.IsDecimal() && !types.DecimalWidens(from.Kind, to) ||
			from.Kind.IsWideDecimal() && to == types.Int
	case from.Kind == types.Bool && to == types.Int, from.Kind == types.Int && to == types.Bool:
	default:
		b.diags.Errorf(diag.TypeMismatch, pos, "cannot CAST %s to %s", from.Kind, to)
		return nil
	}
	return &plan.Cast{X: x, T: types.Type{Kind: to, Nullable: from.Nullable || mayFail}}
}

// safeDivisor reports whether e is a constant divisor that can never make
// a division or modulo NULL.
func safeDivisor(e plan.Expr) bool {
	c, ok := plan.Fold(e).(*plan.Const)
	if !ok {
		return false
	}
	switch v := c.Value.(type) {
	case int64:
		return v != 0 && v != -1
	case float64:
		return v != 0
	}
	return false
}

// minInSet is the length from which an IN list of constants is a set lookup.
const minInSet = 8

// inSet turns the comparisons x = c1, x = c2, … of a long IN list of
// non-NULL constants of one type into IN_SET(x, c1, c2, …), which codegen
// renders as one lookup in a sorted constant set: the same answer as the
// chain of ORs (no constant is NULL, so the result is NULL only when x is),
// at a cost per row and a Go build time that do not grow with the list. It
// returns nil when the list does not qualify.
func inSet(eqs []plan.Expr) plan.Expr {
	if len(eqs) < minInSet {
		return nil
	}
	first, ok := eqs[0].(*plan.Binary)
	if !ok {
		return nil
	}
	x := first.L
	k := x.Type().Kind
	switch k {
	case types.Int, types.Float, types.String, types.Timestamp, types.Interval:
	default:
		return nil
	}
	args := []plan.Expr{x}
	for _, e := range eqs {
		eq, ok := e.(*plan.Binary)
		if !ok || eq.Op != "=" || eq.L.Type().Kind != k {
			return nil
		}
		c, ok := eq.R.(*plan.Const)
		if !ok || c.Value == nil || c.T.Kind != k {
			return nil
		}
		args = append(args, c)
	}
	return &plan.Func{Name: "IN_SET", Args: args, T: types.Type{Kind: types.Bool, Nullable: x.Type().Nullable}}
}
