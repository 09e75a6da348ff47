package codegen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// DECIMAL(p, s) in generated code is an int64, the unscaled value; the
// scale is a constant of the code. The binder has brought the operands of
// + - % and comparisons to one scale (widening casts), so those are
// integer operations; * adds the scales; / is a DOUBLE division.

func init() {
	for _, name := range []string{"AddDec", "SubDec", "MulDec", "NegDec", "AbsDec", "UpDec", "SumDec", "AvgDec",
		"DecToFloat", "DecToInt", "RescaleDec", "IntToDec", "FloatToDec", "ParseDec", "FormatDec",
		"RoundDec", "TruncDec", "FloorDec", "CeilDec", "TruncFloat"} {
		runtimeSymbols["value."+name] = [2]string{pkgValue, name}
	}
	runtimeSymbols["jsonl.AppendDecimal"] = [2]string{pkgJSONL, "AppendDecimal"}
	runtimeSymbols["csvrow.ParseDecimal"] = [2]string{pkgCSV, "ParseDecimal"}
}

// decOp is the checked runtime operation for a DECIMAL + - *.
func decOp(op string) string {
	return map[string]string{"+": "value.AddDec", "-": "value.SubDec", "*": "value.MulDec"}[op]
}

// decimalCast generates a CAST from or to a DECIMAL (from != to).
func (g *exprGen) decimalCast(x operand, from, to types.Kind, t types.Type) operand {
	lit := func(n int) jen.Code { return jen.Lit(n) }
	plain := func(f func(v jen.Code) jen.Code) operand {
		return g.lift(t, []operand{x}, false, func(v []jen.Code) jen.Code { return f(v[0]) })
	}
	fallible := func(fn string, args ...jen.Code) operand {
		return g.fallible(t, []operand{x}, func(v []jen.Code) jen.Code { return rt(fn).Call(append([]jen.Code{v[0]}, args...)...) })
	}
	switch {
	case types.DecimalWidens(from, to):
		// the binder's widening (or a CAST that cannot lose digits): the
		// unscaled value times 10^(scale difference), faulting beyond 64 bits
		if n := to.Scale() - from.Scale(); n > 0 {
			return g.checked(t, "value.UpDec", []operand{x, {jen.Lit(n), false}})
		}
		if t.Nullable && !x.nullable {
			return operand{rt("value.Of").Call(x.code), true}
		}
		return x
	case from.IsDecimal() && to.IsDecimal():
		return fallible("value.RescaleDec", lit(from.Scale()), lit(to.Prec()), lit(to.Scale()))
	case to.IsDecimal() && from == types.Int:
		return fallible("value.IntToDec", lit(to.Prec()), lit(to.Scale()))
	case to.IsDecimal() && from == types.Float:
		return fallible("value.FloatToDec", lit(to.Prec()), lit(to.Scale()))
	case to.IsDecimal() && from == types.String:
		return fallible("value.ParseDec", lit(to.Prec()), lit(to.Scale()))
	case to == types.Float:
		return plain(func(v jen.Code) jen.Code { return rt("value.DecToFloat").Call(v, lit(from.Scale())) })
	case to == types.Int:
		return plain(func(v jen.Code) jen.Code { return rt("value.DecToInt").Call(v, lit(from.Scale())) })
	case to == types.String:
		return plain(func(v jen.Code) jen.Code { return rt("value.FormatDec").Call(v, lit(from.Scale())) })
	}
	panic(fmt.Sprintf("codegen: no cast from %s to %s", from, to))
}

// decimalFunction generates ABS, ROUND, TRUNC, FLOOR and CEIL of a DECIMAL;
// ok is false for other functions or arguments.
func (g *exprGen) decimalFunction(e *plan.Func, args []operand) (operand, bool) {
	if len(e.Args) == 0 || !e.Args[0].Type().Kind.IsDecimal() {
		return operand{}, false
	}
	t := e.Type()
	s := e.Args[0].Type().Kind.Scale()
	x := args[:1]
	call := func(fn string, extra ...jen.Code) operand {
		return g.lift(t, x, false, func(v []jen.Code) jen.Code { return rt(fn).Call(append([]jen.Code{v[0]}, extra...)...) })
	}
	switch e.Name {
	case "ABS":
		return g.checked(t, "value.AbsDec", x), true
	case "FLOOR":
		return call("value.FloorDec", jen.Lit(s)), true
	case "CEIL":
		return call("value.CeilDec", jen.Lit(s)), true
	case "ROUND", "TRUNC":
		n := e.Args[1].(*plan.Const).Value.(int64)
		to := t.Kind.Scale()
		var out operand
		switch {
		case to == s:
			out = args[0]
		case e.Name == "ROUND":
			out = call("value.RoundDec", jen.Lit(s), jen.Lit(to))
		default:
			out = call("value.TruncDec", jen.Lit(s), jen.Lit(to))
		}
		if n < 0 { // ROUND(x, -2): whole hundreds, at scale 0
			out = g.lift(t, []operand{out}, false, func(v []jen.Code) jen.Code { return rt("value.RoundInt").Call(v[0], jen.Lit(n)) })
		}
		return out, true
	}
	return operand{}, false
}

// decimalAgg is the SUM or AVG of DECIMAL aggregate i from its exact
// 128-bit sum (A<i>, H<i>) and count N<i>; ok is false for the others.
func decimalAgg(eg *exprGen, i int, a plan.Agg) (operand, bool) {
	if (a.Func != plan.Sum && a.Func != plan.Avg) || a.Distinct || !a.Arg.Type().Kind.IsDecimal() {
		return operand{}, false
	}
	k := a.Arg.Type().Kind
	f := func(p string) *jen.Statement { return jen.Id("acc").Dot(fmt.Sprintf("%s%d", p, i)) }
	valid := f("N").Op(">").Lit(0)
	var v jen.Code
	if a.Func == plan.Avg {
		v = rt("value.AvgDec").Call(f("A"), f("H"), f("N"), jen.Lit(k.Scale()))
	} else {
		*eg.faults = true // the exact sum must fit the 64-bit value
		v = rt("value.SumDec").Call(f("A"), f("H"), jen.Op("&").Id(faultVar))
	}
	if !a.T.Nullable {
		return eg.assignTemp(a.T, v), true
	}
	return eg.assignTemp(a.T, rt("value.Null").Types(baseType(a.T.Kind)).Values(jen.Dict{jen.Id("V"): v, jen.Id("Valid"): valid})), true
}
