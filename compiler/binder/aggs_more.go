package binder

import (
	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// moreAggregates are the aggregates beyond COUNT/SUM/MIN/MAX/AVG, each with
// the function it binds to (STDDEV and VARIANCE are the sample forms, as in
// DuckDB and PostgreSQL).
var moreAggregates = map[string]plan.AggFunc{
	"FIRST_VALUE": plan.FirstValue, "LAST_VALUE": plan.LastValue,
	"STDDEV": plan.StddevSamp, "STDDEV_SAMP": plan.StddevSamp, "STDDEV_POP": plan.StddevPop,
	"VARIANCE": plan.VarSamp, "VAR_SAMP": plan.VarSamp, "VAR_POP": plan.VarPop,
	"APPROX_COUNT_DISTINCT": plan.ApproxCountDistinct,
}

// moreAggregate types an aggregate of moreAggregates over its bound
// argument a.Arg; it reports its own errors.
func (b *binder) moreAggregate(c *ast.Call, ac *aggCtx, a *plan.Agg) bool {
	a.Func = moreAggregates[c.Name]
	k := a.Arg.Type().Kind
	switch {
	case a.Func.Moments():
		if !k.IsNumeric() {
			b.diags.Errorf(diag.TypeMismatch, c.Args[0].Position(), "%s needs a number, not %s", c.Name, k)
			return false
		}
		// NULL over no rows (and the sample forms over one row)
		a.T = types.Type{Kind: types.Float, Nullable: true}
		if k.IsDecimal() {
			a.Arg = coerce(a.Arg, types.Float) // a DOUBLE, as in DuckDB
		}
	case a.Func == plan.ApproxCountDistinct:
		if k == types.Bool && !ac.agg.Input.AppendOnly() {
			b.diags.Errorf(diag.Unsupported, c.Args[0].Position(), "%s of BOOLEAN over an updating input is not supported", c.Name)
			return false
		}
		a.T = types.Of(types.Int)
	case len(c.OrderBy) > 0: // FIRST_VALUE(x ORDER BY y), LAST_VALUE(x ORDER BY y)
		if k == types.Bool && !ac.agg.Input.AppendOnly() {
			b.diags.Errorf(diag.Unsupported, c.Args[0].Position(), "%s of BOOLEAN over an updating input is not supported", c.Name)
			return false
		}
		key := b.orderKey(c, ac)
		if key == nil {
			return false
		}
		a.Time = key
		a.T = a.Arg.Type().WithNull(a.Arg.Type().Nullable || len(ac.agg.Keys) == 0)
	default: // FIRST_VALUE, LAST_VALUE
		times := plan.EventTimes(ac.agg.Input)
		if len(times) == 0 {
			d := b.diags.Errorf(diag.Unsupported, c.Pos, "%s orders rows by event time, and this input has no event-time column", c.Name)
			d.Hint = "read a source with a WATERMARK (or a view that passes its watermark column through)"
			return false
		}
		if k == types.Bool && !ac.agg.Input.AppendOnly() {
			b.diags.Errorf(diag.Unsupported, c.Args[0].Position(), "%s of BOOLEAN over an updating input is not supported", c.Name)
			return false
		}
		col := times[0].Col
		a.Time = &plan.ColRef{Index: col, Name: ac.in.schema[col].Name, T: ac.in.schema[col].Type}
		a.T = a.Arg.Type().WithNull(a.Arg.Type().Nullable || len(ac.agg.Keys) == 0)
	}
	return true
}

// orderKey binds the ORDER BY of FIRST_VALUE(x ORDER BY y [DESC]): y must
// be BIGINT, TIMESTAMP, INTERVAL or DECIMAL (held as an int64, which the
// aggregate's state orders); DESC orders by ^y, the bitwise complement, which
// reverses int64 order without overflow. Rows whose y is NULL are skipped.
func (b *binder) orderKey(c *ast.Call, ac *aggCtx) plan.Expr {
	if len(c.OrderBy) != 1 {
		b.diags.Errorf(diag.Unsupported, c.OrderBy[1].Expr.Position(), "%s orders by one expression", c.Name)
		return nil
	}
	it := c.OrderBy[0]
	if hasAggregateExpr(it.Expr) {
		b.diags.Errorf(diag.MisplacedAggregate, it.Expr.Position(), "aggregates cannot be nested")
		return nil
	}
	y := b.expr(it.Expr, ac.in, &exprCtx{gw: ac.gw})
	if y == nil {
		return nil
	}
	switch k := y.Type().Kind; {
	case k == types.Int, k == types.Timestamp, k == types.Interval, k.IsDecimal():
	default:
		d := b.diags.Errorf(diag.Unsupported, it.Expr.Position(), "%s(… ORDER BY %s) is not supported: order by a BIGINT, TIMESTAMP or DECIMAL", c.Name, k)
		d.Hint = "CAST it, e.g. ORDER BY CAST(x AS DECIMAL(18, 6)) for a DOUBLE"
		return nil
	}
	if it.Desc {
		return &plan.Func{Name: "DESC_KEY", Args: []plan.Expr{y}, T: types.Type{Kind: types.Int, Nullable: y.Type().Nullable}}
	}
	return y
}
