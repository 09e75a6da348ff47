package codegen

import (
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// DECIMAL(p, s) in generated code is the unscaled value, an int64 when
// p <= 18 and a decimal.Int128 (two words) when p > 18; the scale is a
// constant of the code. The binder has brought the operands of + - % and
// comparisons to one scale (widening casts), so those are integer
// operations; * adds the scales; / is a DOUBLE division. Where the two
// representations meet, the int64 side is widened (value.WidenDec).

func init() {
	for _, name := range []string{"AddDec", "SubDec", "MulDec", "NegDec", "AbsDec", "UpDec", "SumDec", "AvgDec",
		"DecToFloat", "DecToInt", "RescaleDec", "IntToDec", "FloatToDec", "ParseDec", "FormatDec",
		"RoundDec", "TruncDec", "FloorDec", "CeilDec", "TruncFloat",
		"AddDec128", "SubDec128", "MulDec128", "MulDecWide", "NegDec128", "AbsDec128", "WidenDec", "UpDec128", "UpDecWide",
		"ModDec128NN", "SumDecWide", "SumDec128", "SumDec128Weighted", "MergeSumDec128", "SumDec128Result", "AvgDec128",
		"DecToFloat128", "DecToInt128", "RescaleDec128", "RescaleDecTo128", "RescaleDecTo64", "IntToDec128", "FloatToDec128",
		"ParseDec128", "FormatDec128", "UDFDec", "UDFDec128", "RoundDec128", "TruncDec128", "FloorDec128", "CeilDec128", "RoundInt128"} {
		runtimeSymbols["value."+name] = [2]string{pkgValue, name}
	}
	runtimeSymbols["decimal.Int128"] = [2]string{pkgDecimal, "Int128"}
	runtimeSymbols["value.FaultDecimalRange"] = [2]string{pkgValue, "FaultDecimalRange"}
	runtimeSymbols["jsonl.AppendDecimal"] = [2]string{pkgJSONL, "AppendDecimal"}
	runtimeSymbols["jsonl.AppendDecimal128"] = [2]string{pkgJSONL, "AppendDecimal128"}
	runtimeSymbols["csvrow.ParseDecimal"] = [2]string{pkgCSV, "ParseDecimal"}
	runtimeSymbols["csvrow.ParseDecimal128"] = [2]string{pkgCSV, "ParseDecimal128"}
}

// decOp is the checked runtime operation for a DECIMAL + - * (of 64-bit
// operands and result).
func decOp(op string) string {
	return map[string]string{"+": "value.AddDec", "-": "value.SubDec", "*": "value.MulDec"}[op]
}

// mustFit generates f(x), a conversion that returns (value, ok), into a
// temporary of type t (not NULL), setting the row's fault when ok is false.
func (g *exprGen) mustFit(t types.Type, x operand, f func(v []jen.Code) jen.Code) operand {
	name := g.newTemp()
	if g.faults == nil {
		g.stmts = append(g.stmts, jen.List(jen.Id(name), jen.Id("_")).Op(":=").Add(f([]jen.Code{x.code})))
		return operand{jen.Id(name), false}
	}
	*g.faults = true
	ok := g.newTemp()
	g.stmts = append(g.stmts, jen.List(jen.Id(name), jen.Id(ok)).Op(":=").Add(f([]jen.Code{x.code})),
		jen.If(jen.Op("!").Id(ok)).Block(jen.Id(faultVar).Op("=").Add(rt("value.FaultDecimalRange"))))
	return operand{jen.Id(name), false}
}

// wideLit is unscaled value v (an int64, or a *big.Int beyond one) as a
// decimal.Int128 literal.
func wideLit(v any) jen.Code {
	var hi int64
	var lo uint64
	switch x := v.(type) {
	case int64:
		hi, lo = x>>63, uint64(x)
	case *big.Int:
		m := new(big.Int).Set(x)
		if m.Sign() < 0 { // two's complement in 128 bits
			m.Add(m, new(big.Int).Lsh(big.NewInt(1), 128))
		}
		lo = new(big.Int).And(m, new(big.Int).SetUint64(math.MaxUint64)).Uint64()
		hi = int64(new(big.Int).Rsh(m, 64).Uint64())
	default:
		panic(fmt.Sprintf("codegen: a DECIMAL constant of type %T", v))
	}
	// parenthesized: a composite literal in an if condition would not parse
	return jen.Parens(rt("decimal.Int128").Values(jen.Dict{jen.Id("Hi"): jen.Lit(int(hi)), jen.Id("Lo"): jen.Id(strconv.FormatUint(lo, 10))}))
}

// widen is x, a value of kind k, in the 128-bit representation: itself
// when k is a DECIMAL(p > 18), else the int64 (a BIGINT or DECIMAL(p <= 18))
// widened.
func (g *exprGen) widen(x operand, k types.Kind) operand {
	if k.IsWideDecimal() {
		return x
	}
	t := types.Type{Kind: types.Decimal(types.MaxDecimalPrecision, k.Scale()), Nullable: x.nullable}
	return g.lift(t, []operand{x}, false, func(v []jen.Code) jen.Code { return rt("value.WidenDec").Call(v[0]) })
}

// narrowProduct generates a DECIMAL(p > 18) product of two values held in
// 64 bits, a BIGINT among them: BIGINT beside a DECIMAL is a DECIMAL(19,0),
// a wide type, but its unscaled value is the BIGINT itself, so Nexmark
// q1's 0.908 * price is value.MulDecWide(908, price), exact and unchecked
// (at most 19 + 19 digits), rather than a widening of both and a checked
// 128-bit product; ok is false for other expressions.
func (g *exprGen) narrowProduct(e *plan.Binary) (operand, bool) {
	if e.Op != "*" || !e.Type().Kind.IsWideDecimal() {
		return operand{}, false
	}
	narrow := func(x plan.Expr) (plan.Expr, bool) {
		k := x.Type().Kind
		if k.IsDecimal() && !k.IsWideDecimal() {
			return x, true
		}
		if c, ok := x.(*plan.Cast); ok && k.IsDecimal() && k.Scale() == 0 && c.X.Type().Kind == types.Int {
			return c.X, true // the unscaled value of BIGINT as DECIMAL(19,0) is the BIGINT
		}
		return nil, false
	}
	lx, lok := narrow(e.L)
	rx, rok := narrow(e.R)
	if !lok || !rok || (lx == e.L && rx == e.R) {
		return operand{}, false // two narrow DECIMALs: wideBinary's MulDecWide already
	}
	l, r := g.expr(lx), g.expr(rx)
	return g.lift(e.Type(), []operand{l, r}, false, func(v []jen.Code) jen.Code { return rt("value.MulDecWide").Call(v[0], v[1]) }), true
}

// wideBinary generates + - * % and the comparisons where the result or an
// operand is a DECIMAL(p > 18); ok is false for the others.
func (g *exprGen) wideBinary(e *plan.Binary, l, r operand) (operand, bool) {
	t := e.Type()
	lk, rk := e.L.Type().Kind, e.R.Type().Kind
	if !t.Kind.IsWideDecimal() && !lk.IsWideDecimal() && !rk.IsWideDecimal() {
		return operand{}, false
	}
	if e.Op == "*" && !lk.IsWideDecimal() && !rk.IsWideDecimal() {
		// two 64-bit operands: an exact product of at most 38 digits
		return g.lift(t, []operand{l, r}, false, func(v []jen.Code) jen.Code { return rt("value.MulDecWide").Call(v[0], v[1]) }), true
	}
	l, r = g.widen(l, lk), g.widen(r, rk)
	switch e.Op {
	case "+", "-", "*":
		fn := map[string]string{"+": "value.AddDec128", "-": "value.SubDec128", "*": "value.MulDec128"}[e.Op]
		if g.faults == nil { // no fault scope: out of range wraps, as with BIGINT
			return g.lift(t, []operand{l, r}, false, func(v []jen.Code) jen.Code {
				return rt(fn).Call(v[0], v[1], jen.New(rt("value.Fault")))
			}), true
		}
		return g.checked(t, fn, []operand{l, r}), true
	case "%":
		return g.lift(t, []operand{l, r}, true, func(v []jen.Code) jen.Code { return rt("value.ModDec128NN").Call(v[0], v[1]) }), true
	case "=", "<>":
		op := map[string]string{"=": "==", "<>": "!="}[e.Op]
		return g.lift(t, []operand{l, r}, false, func(v []jen.Code) jen.Code { return jen.Add(v[0]).Op(op).Add(v[1]) }), true
	case "<", "<=", ">", ">=":
		return g.lift(t, []operand{l, r}, false, func(v []jen.Code) jen.Code {
			return jen.Add(v[0]).Dot("Cmp").Call(v[1]).Op(e.Op).Lit(0)
		}), true
	}
	panic("codegen: DECIMAL operator " + e.Op)
}

// decimalCast generates a CAST from or to a DECIMAL (from != to).
func (g *exprGen) decimalCast(x operand, from, to types.Kind, t types.Type) operand {
	lit := func(n int) jen.Code { return jen.Lit(n) }
	plain := func(f func(v jen.Code) jen.Code) operand {
		return g.lift(t, []operand{x}, false, func(v []jen.Code) jen.Code { return f(v[0]) })
	}
	fallible := func(fn string, args ...jen.Code) operand {
		f := func(v []jen.Code) jen.Code { return rt(fn).Call(append([]jen.Code{v[0]}, args...)...) }
		if !t.Nullable && !x.nullable {
			// the binder's own cast to a common type (of a comparison, a
			// CASE) that has no NULL to give: a value that does not fit
			// fails the row, as DuckDB fails the query
			return g.mustFit(t, x, f)
		}
		return g.fallible(t, []operand{x}, f)
	}
	wideFrom, wideTo := from.IsWideDecimal(), to.IsWideDecimal()
	switch {
	case types.DecimalWidens(from, to):
		// the binder's widening (or a CAST that cannot lose digits): the
		// unscaled value times 10^(scale difference), faulting beyond 64
		// bits (38 digits for a DECIMAL(p > 18))
		n := to.Scale() - from.Scale()
		switch {
		case wideTo && !wideFrom && n > 0:
			return g.checked(t, "value.UpDecWide", []operand{x, {jen.Lit(n), false}})
		case wideTo && !wideFrom:
			x = g.widen(x, from)
		case wideTo && n > 0:
			return g.checked(t, "value.UpDec128", []operand{x, {jen.Lit(n), false}})
		case n > 0:
			return g.checked(t, "value.UpDec", []operand{x, {jen.Lit(n), false}})
		}
		if t.Nullable && !x.nullable {
			return operand{rt("value.Of").Call(x.code), true}
		}
		return x
	case from.IsDecimal() && to.IsDecimal():
		fn := map[[2]bool]string{{false, false}: "value.RescaleDec", {false, true}: "value.RescaleDecTo128",
			{true, false}: "value.RescaleDecTo64", {true, true}: "value.RescaleDec128"}[[2]bool{wideFrom, wideTo}]
		return fallible(fn, lit(from.Scale()), lit(to.Prec()), lit(to.Scale()))
	case wideTo && from == types.Int:
		return fallible("value.IntToDec128", lit(to.Prec()), lit(to.Scale()))
	case wideTo && from == types.Float:
		return fallible("value.FloatToDec128", lit(to.Prec()), lit(to.Scale()))
	case wideTo && from == types.String:
		return fallible("value.ParseDec128", lit(to.Prec()), lit(to.Scale()))
	case wideFrom && to == types.Float:
		return plain(func(v jen.Code) jen.Code { return rt("value.DecToFloat128").Call(v, lit(from.Scale())) })
	case wideFrom && to == types.Int:
		return fallible("value.DecToInt128", lit(from.Scale()))
	case wideFrom && to == types.String:
		return plain(func(v jen.Code) jen.Code { return rt("value.FormatDec128").Call(v, lit(from.Scale())) })
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
	wide := t.Kind.IsWideDecimal()
	fn := func(name string) string {
		if wide {
			return name + "128"
		}
		return name
	}
	switch e.Name {
	case "ABS":
		if wide {
			return call("value.AbsDec128"), true
		}
		return g.checked(t, "value.AbsDec", x), true
	case "FLOOR":
		return call(fn("value.FloorDec"), jen.Lit(s)), true
	case "CEIL":
		return call(fn("value.CeilDec"), jen.Lit(s)), true
	case "ROUND", "TRUNC":
		n := e.Args[1].(*plan.Const).Value.(int64)
		to := t.Kind.Scale()
		var out operand
		switch {
		case to == s:
			out = args[0]
		case e.Name == "ROUND":
			out = call(fn("value.RoundDec"), jen.Lit(s), jen.Lit(to))
		default:
			out = call(fn("value.TruncDec"), jen.Lit(s), jen.Lit(to))
		}
		if n < 0 && wide { // ROUND(x, -2): whole hundreds, at scale 0
			out = g.checked(t, "value.RoundInt128", []operand{out, {jen.Lit(n), false}})
		} else if n < 0 {
			out = g.lift(t, []operand{out}, false, func(v []jen.Code) jen.Code { return rt("value.RoundInt").Call(v[0], jen.Lit(n)) })
		}
		return out, true
	}
	return operand{}, false
}

// decimalAgg is the SUM or AVG of DECIMAL aggregate i from its exact sum
// (A<i>, H<i>: 128 bits for a DECIMAL(p <= 18) argument, 128 bits and the
// times they wrapped for a wider one) and count N<i>; ok is false for the
// others.
func decimalAgg(eg *exprGen, i int, a plan.Agg) (operand, bool) {
	if (a.Func != plan.Sum && a.Func != plan.Avg) || a.Distinct || !a.Arg.Type().Kind.IsDecimal() {
		return operand{}, false
	}
	k := a.Arg.Type().Kind
	f := func(p string) *jen.Statement { return jen.Id("acc").Dot(fmt.Sprintf("%s%d", p, i)) }
	valid := f("N").Op(">").Lit(0)
	var v jen.Code
	switch {
	case a.Func == plan.Avg && k.IsWideDecimal():
		v = rt("value.AvgDec128").Call(f("A"), f("H"), f("N"), jen.Lit(k.Scale()))
	case a.Func == plan.Avg:
		v = rt("value.AvgDec").Call(f("A"), f("H"), f("N"), jen.Lit(k.Scale()))
	default:
		*eg.faults = true // the exact sum must have at most 38 digits
		fn := "value.SumDecWide"
		if k.IsWideDecimal() {
			fn = "value.SumDec128Result"
		}
		v = rt(fn).Call(f("A"), f("H"), jen.Op("&").Id(faultVar))
	}
	if !a.T.Nullable {
		return eg.assignTemp(a.T, v), true
	}
	return eg.assignTemp(a.T, rt("value.Null").Types(baseType(a.T.Kind)).Values(jen.Dict{jen.Id("V"): v, jen.Id("Valid"): valid})), true
}

// orderOp is Go code for a op b (op one of < <= > >=) of two values of kind
// k: a DECIMAL(p > 18) compares with its Cmp method.
func orderOp(a jen.Code, op string, b jen.Code, k types.Kind) *jen.Statement {
	if k.IsWideDecimal() {
		return jen.Add(a).Dot("Cmp").Call(b).Op(op).Lit(0)
	}
	return jen.Add(a).Op(op).Add(b)
}
