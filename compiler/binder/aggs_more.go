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
