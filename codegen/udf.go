package codegen

import (
	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// udfCall calls a Go function of the user's (CREATE FUNCTION … LANGUAGE GO)
// through value.Call, which turns a panic (or a returned error) into the
// row's fault: the row goes to the dead-letter output with LDB-6004. A NULL
// argument gives NULL without a call. TIMESTAMP crosses as time.Time.
func (g *exprGen) udfCall(e *plan.Func, u *plan.UDF, args []operand) operand {
	t := e.Type()
	return g.lift(t, args, false, func(v []jen.Code) jen.Code {
		in := make([]jen.Code, len(v))
		for i, x := range v {
			in[i] = x
			switch k := u.Params[i]; {
			case k == types.Timestamp:
				in[i] = jen.Qual("time", "UnixMicro").Call(x).Dot("UTC").Call()
			case k.IsWideDecimal(): // its text, s digits after the point
				in[i] = rt("value.FormatDec128").Call(x, jen.Lit(k.Scale()))
			case k.IsDecimal():
				in[i] = rt("value.FormatDec").Call(x, jen.Lit(k.Scale()))
			}
		}
		call := jen.Qual(u.Package, u.Func).Call(in...)
		result := goType(types.Of(u.Returns))
		if u.Returns.IsDecimal() {
			result = jen.String() // the function returns the text of its DECIMAL
		}
		var fn jen.Code
		if u.ReturnsError {
			fn = jen.Func().Params().Params(result, jen.Error()).Block(jen.Return(call))
		} else {
			fn = jen.Func().Params().Add(result).Block(jen.Return(call))
		}
		if u.Returns == types.Timestamp {
			// the function returns a time.Time: its µs are the value
			result = jen.Qual("time", "Time")
			if u.ReturnsError {
				fn = jen.Func().Params().Params(result, jen.Error()).Block(jen.Return(call))
			} else {
				fn = jen.Func().Params().Add(result).Block(jen.Return(call))
			}
		}
		guard := "value.Call"
		if u.ReturnsError {
			guard = "value.CallErr"
		}
		fault := jen.Op("&").Id(faultVar)
		if g.faults == nil {
			fault = jen.New(rt("value.Fault")) // no fault scope (a join's condition): the row keeps a zero value
		} else {
			*g.faults = true
		}
		out := rt(guard).Call(fn, fault)
		if u.Returns == types.Timestamp {
			return jen.Add(out).Dot("UnixMicro").Call()
		}
		if k := u.Returns; k.IsDecimal() { // read as CAST(text AS DECIMAL(p, s)); text that is not one fails the row
			fn := "value.UDFDec"
			if k.IsWideDecimal() {
				fn = "value.UDFDec128"
			}
			return rt(fn).Call(out, jen.Lit(k.Prec()), jen.Lit(k.Scale()), fault)
		}
		return out
	})
}
