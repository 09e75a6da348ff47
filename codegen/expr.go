package codegen

import (
	"fmt"
	"strconv"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// operand is a generated Go expression holding a SQL value. A NOT NULL value
// is a plain Go value (int64, float64, string, bool); a nullable one is a
// value.Null[T], and then code is always a simple name or selector, so that
// .Valid and .V can be read without evaluating anything twice.
type operand struct {
	code     jen.Code
	nullable bool
}

// exprGen emits the statements that compute expressions. Temporaries get
// names t0, t1, ... in emission order, so output is deterministic.
type exprGen struct {
	stmts []jen.Code
	tmp   *int
	env   []operand // the input columns
	glob  *globals
	panes bool // the window stage assigns a row to its pane (see paned)
	// weight is the current row's weight on an updating input, nil on an
	// append-only one (every row +1).
	weight jen.Code
	// faults is set once a checked operation is emitted: the code then
	// declares a value.Fault named fault, and a row with a fault is set aside
	// (see guard). Shared by the generators of one view's row or group.
	faults *bool
}

// globals are package-level values that generated expressions share, such
// as compiled regular expressions, named in order of first use.
type globals struct {
	decls   []jen.Code
	regexps map[string]string
	sets    int               // value.Set constants of long IN lists
	formats map[string]string // value.TimeFormat of each DATE_FORMAT layout
	// pipeline declares the Go functions (CREATE FUNCTION) calls name
	pipeline *plan.Pipeline
}

func (gl *globals) regexp(pattern string) jen.Code {
	if name, ok := gl.regexps[pattern]; ok {
		return jen.Id(name)
	}
	name := fmt.Sprintf("regexp%d", len(gl.regexps))
	gl.regexps[pattern] = name
	gl.decls = append(gl.decls, jen.Var().Id(name).Op("=").Add(rt("value.MustCompileRegexp")).Call(jen.Lit(pattern)))
	return jen.Id(name)
}

// timeFormat names the package-level value.TimeFormat of a layout.
func (gl *globals) timeFormat(layout string) jen.Code {
	if name, ok := gl.formats[layout]; ok {
		return jen.Id(name)
	}
	if gl.formats == nil {
		gl.formats = map[string]string{}
	}
	name := fmt.Sprintf("timeFormat%d", len(gl.formats))
	gl.formats[layout] = name
	gl.decls = append(gl.decls, jen.Var().Id(name).Op("=").Add(rt("value.NewTimeFormat")).Call(jen.Lit(layout)))
	return jen.Id(name)
}

func (g *exprGen) sub() *exprGen { return g.with(g.env) }

// with starts a generator over another set of input columns, sharing
// temporaries and globals.
func (g *exprGen) with(env []operand) *exprGen {
	return &exprGen{tmp: g.tmp, env: env, glob: g.glob, panes: g.panes, weight: g.weight, faults: g.faults}
}

// faultVar is the name of the value.Fault of the current row or group.
const faultVar = "fault"

// checked calls fn(args..., &fault), a runtime operation that reports an
// overflow in fault instead of wrapping around.
func (g *exprGen) checked(t types.Type, fn string, args []operand) operand {
	if g.faults == nil {
		// a generator without a fault scope computes as Go does, wrapping
		// around (every generator of row code has one: joins' too)
		return g.lift(t, args, false, func(v []jen.Code) jen.Code { return unchecked(fn, v) })
	}
	*g.faults = true
	return g.lift(t, args, false, func(v []jen.Code) jen.Code {
		return rt(fn).Call(append(v, jen.Op("&").Id(faultVar))...)
	})
}

// unchecked is the plain Go form of checked operation fn.
func unchecked(fn string, v []jen.Code) jen.Code {
	switch fn {
	case "value.AddInt", "value.AddTime":
		return jen.Add(v[0]).Op("+").Add(v[1])
	case "value.SubInt", "value.SubTime":
		return jen.Add(v[0]).Op("-").Add(v[1])
	case "value.MulInt":
		return jen.Add(v[0]).Op("*").Add(v[1])
	case "value.NegInt":
		return jen.Op("-").Parens(v[0])
	case "value.AbsIntChecked":
		return jen.Max(v[0], jen.Op("-").Parens(v[0]))
	case "value.AddUnits", "value.AddMonths", "value.AddDec", "value.SubDec", "value.MulDec", "value.NegDec", "value.AbsDec", "value.UpDec":
		return rt(fn).Call(append(v, jen.New(rt("value.Fault")))...) // the fault is dropped
	}
	panic("codegen: no unchecked form of " + fn)
}

// faulty reports whether checked operations were emitted so far.
func (g *exprGen) faulty() bool { return g.faults != nil && *g.faults }

// guard wraps code that consumes a row's values (a state update, an emit)
// so that it runs only when no checked operation faulted.
func (g *exprGen) guard(code ...jen.Code) []jen.Code {
	if !g.faulty() {
		return code
	}
	return []jen.Code{jen.If(jen.Id(faultVar).Op("==").Lit(0)).Block(code...)}
}

// faultScope declares the fault of a row or group before code and reports
// it after, when code has checked operations; report gets the fault.
func (g *exprGen) faultScope(code []jen.Code, report func(fault jen.Code) jen.Code) []jen.Code {
	if !g.faulty() {
		return code
	}
	out := append([]jen.Code{jen.Var().Id(faultVar).Add(rt("value.Fault"))}, code...)
	return append(out, jen.If(jen.Id(faultVar).Op("!=").Lit(0)).Block(report(jen.Id(faultVar))))
}

// intOp is the checked runtime operation for an integer +, - or * whose
// operands have kinds l and r, or "" when the operands are not integers.
func intOp(op string, l, r types.Kind) string {
	if l.IsDecimal() || r.IsDecimal() {
		return decOp(op)
	}
	isInt := func(k types.Kind) bool { return k == types.Int || k == types.Interval || k == types.Timestamp }
	if !isInt(l) || !isInt(r) {
		return ""
	}
	if l == types.Timestamp || r == types.Timestamp {
		return map[string]string{"+": "value.AddTime", "-": "value.SubTime"}[op]
	}
	return map[string]string{"+": "value.AddInt", "-": "value.SubInt", "*": "value.MulInt"}[op]
}

func (g *exprGen) newTemp() string {
	name := fmt.Sprintf("t%d", *g.tmp)
	*g.tmp++
	return name
}

// goType is the Go type of a SQL type.
func goType(t types.Type) *jen.Statement {
	base := baseType(t.Kind)
	if t.Nullable {
		return rt("value.Null").Types(base)
	}
	return base
}

func baseType(k types.Kind) *jen.Statement {
	switch k {
	case types.Bool:
		return jen.Bool()
	case types.Float:
		return jen.Float64()
	case types.String, types.Unknown:
		return jen.String()
	}
	if k.IsWideDecimal() {
		return rt("decimal.Int128")
	}
	return jen.Int64()
}

// toNull converts an operand to a nullable Go value.
func toNull(o operand) jen.Code {
	if o.nullable {
		return o.code
	}
	return rt("value.Of").Call(o.code)
}

// assignTemp stores code in a new temporary of type t and returns its name.
func (g *exprGen) assignTemp(t types.Type, code jen.Code) operand {
	name := g.newTemp()
	g.stmts = append(g.stmts, jen.Id(name).Op(":=").Add(code))
	return operand{jen.Id(name), t.Nullable}
}

// lift computes f over the values of args, giving NULL when a nullable
// argument is NULL. f returns a Go expression of the result's base type, or,
// when fNullable, of value.Null[base].
func (g *exprGen) lift(result types.Type, args []operand, fNullable bool, f func(vals []jen.Code) jen.Code) operand {
	vals := make([]jen.Code, len(args))
	var conds []jen.Code
	for i, a := range args {
		if a.nullable {
			vals[i] = jen.Add(a.code).Dot("V")
			conds = append(conds, jen.Add(a.code).Dot("Valid"))
		} else {
			vals[i] = a.code
		}
	}
	body := f(vals)
	if len(conds) == 0 {
		if fNullable && !result.Nullable {
			// the binder proved the result never NULL (a safe constant divisor)
			return operand{jen.Add(body).Dot("V"), false}
		}
		if fNullable {
			return g.assignTemp(result, body)
		}
		return operand{jen.Parens(body), false}
	}
	name := g.newTemp()
	g.stmts = append(g.stmts, jen.Var().Id(name).Add(goType(types.Type{Kind: result.Kind, Nullable: true})))
	val := body
	if !fNullable {
		val = rt("value.Of").Call(body)
	}
	g.stmts = append(g.stmts, jen.If(jen.Add(andAll(conds))).Block(jen.Id(name).Op("=").Add(val)))
	return operand{jen.Id(name), true}
}

func andAll(conds []jen.Code) jen.Code {
	out := jen.Add(conds[0])
	for _, c := range conds[1:] {
		out = out.Op("&&").Add(c)
	}
	return out
}

// truth is a Go bool expression that is true when o is SQL TRUE.
func truth(o operand) jen.Code {
	if o.nullable {
		return jen.Add(o.code).Dot("Valid").Op("&&").Add(o.code).Dot("V")
	}
	return o.code
}

// literal renders a constant as a Go literal. Strings go through
// strconv.Quote (jen.Lit), so SQL text can never become Go code.
func literal(v any, k types.Kind) jen.Code {
	if k.IsWideDecimal() {
		return wideLit(v)
	}
	switch x := v.(type) {
	case int64:
		if k == types.Float {
			return jen.Lit(float64(x))
		}
		return jen.Lit(x)
	case float64:
		return jen.Lit(x)
	case string:
		return jen.Lit(x)
	case bool:
		return jen.Lit(x)
	}
	panic(fmt.Sprintf("codegen: unexpected constant %T", v))
}

// expr generates e; statements it needs are appended to g.stmts.
func (g *exprGen) expr(e plan.Expr) operand {
	t := e.Type()
	switch e := e.(type) {
	case *plan.ColRef:
		return g.env[e.Index]
	case *plan.Const:
		if e.Value == nil {
			// parenthesized: a composite literal followed by .Valid in an if
			// condition would not parse
			return operand{jen.Parens(goType(types.Null(t.Kind)).Values()), true}
		}
		lit := literal(e.Value, t.Kind)
		if t.Nullable {
			return g.assignTemp(t, rt("value.Of").Call(lit))
		}
		return operand{lit, false}
	case *plan.Unary:
		x := g.expr(e.X)
		if e.Op == "NOT" {
			if x.nullable {
				return g.assignTemp(t, rt("value.Not").Call(x.code))
			}
			return operand{jen.Op("!").Parens(x.code), false}
		}
		if t.Kind.IsWideDecimal() {
			return g.lift(t, []operand{x}, false, func(v []jen.Code) jen.Code { return rt("value.NegDec128").Call(v[0]) })
		}
		if t.Kind.IsDecimal() {
			return g.checked(t, "value.NegDec", []operand{x})
		}
		if t.Kind != types.Float {
			return g.checked(t, "value.NegInt", []operand{x})
		}
		return g.lift(t, []operand{x}, false, func(v []jen.Code) jen.Code { return jen.Op("-").Parens(v[0]) })
	case *plan.Binary:
		return g.binary(e)
	case *plan.IsNull:
		x := g.expr(e.X)
		if !x.nullable {
			return operand{jen.Lit(e.Not), false}
		}
		if e.Not {
			return operand{jen.Add(x.code).Dot("Valid"), false}
		}
		return operand{jen.Op("!").Add(x.code).Dot("Valid"), false}
	case *plan.Like:
		x, p := g.expr(e.X), g.expr(e.Pattern)
		return g.lift(t, []operand{x, p}, false, func(v []jen.Code) jen.Code { return rt("value.Like").Call(v[0], v[1]) })
	case *plan.Case:
		return g.caseExpr(e.Whens, e.Else, t)
	case *plan.Cast:
		return g.cast(e)
	case *plan.Func:
		return g.function(e)
	}
	panic(fmt.Sprintf("codegen: unexpected expression %T", e))
}

func (g *exprGen) binary(e *plan.Binary) operand {
	t := e.Type()
	if o, ok := g.lowerEquals(e); ok {
		return o
	}
	if o, ok := g.narrowProduct(e); ok {
		return o
	}
	l, r := g.expr(e.L), g.expr(e.R)
	switch e.Op {
	case "AND", "OR":
		if !l.nullable && !r.nullable {
			op := "&&"
			if e.Op == "OR" {
				op = "||"
			}
			return operand{jen.Parens(jen.Add(l.code).Op(op).Add(r.code)), false}
		}
		fn := "value.And"
		if e.Op == "OR" {
			fn = "value.Or"
		}
		return g.assignTemp(t, rt(fn).Call(toNull(l), toNull(r)))
	}
	if o, ok := g.wideBinary(e, l, r); ok {
		return o
	}
	switch e.Op {
	case "/", "%":
		if !t.Nullable && !l.nullable && !r.nullable && (e.Op == "/" || e.L.Type().Kind != types.Float) {
			// the binder proved the divisor a safe constant: plain Go
			return operand{jen.Parens(jen.Add(l.code).Op(e.Op).Add(r.code)), false}
		}
		fn := map[string]string{"/": "DivIntNN", "%": "ModIntNN"}[e.Op]
		if e.L.Type().Kind == types.Float {
			fn = map[string]string{"/": "DivFloatNN", "%": "ModFloatNN"}[e.Op]
		}
		return g.lift(t, []operand{l, r}, true, func(v []jen.Code) jen.Code { return rt("value."+fn).Call(v[0], v[1]) })
	}
	if fn := intOp(e.Op, e.L.Type().Kind, e.R.Type().Kind); fn != "" {
		return g.checked(t, fn, []operand{l, r})
	}
	op := e.Op
	switch op {
	case "=":
		op = "=="
	case "<>":
		op = "!="
	case "||":
		op = "+"
	}
	return g.lift(t, []operand{l, r}, false, func(v []jen.Code) jen.Code { return jen.Add(v[0]).Op(op).Add(v[1]) })
}

// lowerEquals generates LOWER(x) = 'lit' (or <>, either side) as
// value.LowerEquals, which lowers nothing and allocates nothing.
func (g *exprGen) lowerEquals(e *plan.Binary) (operand, bool) {
	if e.Op != "=" && e.Op != "<>" {
		return operand{}, false
	}
	f, ok := e.L.(*plan.Func)
	c, cok := e.R.(*plan.Const)
	if !ok || !cok {
		f, ok = e.R.(*plan.Func)
		c, cok = e.L.(*plan.Const)
	}
	if !ok || !cok || f.Name != "LOWER" || len(f.Args) != 1 {
		return operand{}, false
	}
	lit, ok := c.Value.(string)
	if !ok {
		return operand{}, false
	}
	x := g.expr(f.Args[0])
	return g.lift(e.Type(), []operand{x}, false, func(v []jen.Code) jen.Code {
		call := rt("value.LowerEquals").Call(v[0], jen.Lit(lit))
		if e.Op == "<>" {
			return jen.Op("!").Add(call)
		}
		return call
	}), true
}

// caseExpr generates a searched CASE as an if/else chain into a temporary;
// each arm's own statements run only when the arm is reached.
func (g *exprGen) caseExpr(whens []plan.CaseWhen, els plan.Expr, t types.Type) operand {
	name := g.newTemp()
	g.stmts = append(g.stmts, jen.Var().Id(name).Add(goType(t)))
	assign := func(sub *exprGen, e plan.Expr) {
		o := sub.expr(e)
		var val jen.Code
		switch {
		case t.Nullable:
			val = toNull(o)
		case o.nullable: // COALESCE: this arm is known to be valid here
			val = jen.Add(o.code).Dot("V")
		default:
			val = o.code
		}
		sub.stmts = append(sub.stmts, jen.Id(name).Op("=").Add(val))
	}
	var chain func(g *exprGen, i int)
	chain = func(g *exprGen, i int) {
		if i == len(whens) {
			assign(g, els)
			return
		}
		c := g.expr(whens[i].Cond)
		then, other := g.sub(), g.sub()
		assign(then, whens[i].Result)
		chain(other, i+1)
		g.stmts = append(g.stmts, jen.If(truth(c)).Block(then.stmts...).Else().Block(other.stmts...))
	}
	chain(g, 0)
	return operand{jen.Id(name), t.Nullable}
}

func (g *exprGen) cast(e *plan.Cast) operand {
	t := e.Type()
	x := g.expr(e.X)
	from, to := e.X.Type().Kind, t.Kind
	call := func(fn string) func(v []jen.Code) jen.Code {
		return func(v []jen.Code) jen.Code { return rt(fn).Call(v[0]) }
	}
	switch {
	case from == to && t.Nullable && !x.nullable:
		return operand{rt("value.Of").Call(x.code), true} // widened to nullable (UNION)
	case from == to:
		return x
	case from.IsDecimal() || to.IsDecimal():
		return g.decimalCast(x, from, to, t)
	case to == types.String:
		fn := map[types.Kind]string{types.Int: "value.FormatInt", types.Interval: "value.FormatInt", types.Float: "value.FormatFloat",
			types.Bool: "value.FormatBool", types.Timestamp: "value.FormatTimestamp"}[from]
		return g.lift(t, []operand{x}, false, call(fn))
	case from == types.Int && to == types.Float:
		return g.lift(t, []operand{x}, false, func(v []jen.Code) jen.Code { return jen.Float64().Call(v[0]) })
	case from == types.Int && to == types.Bool:
		return g.lift(t, []operand{x}, false, func(v []jen.Code) jen.Code { return jen.Add(v[0]).Op("!=").Lit(0) })
	case from == types.Bool && to == types.Int:
		return g.lift(t, []operand{x}, false, func(v []jen.Code) jen.Code {
			return jen.Func().Params(jen.Id("b").Bool()).Int64().Block(
				jen.If(jen.Id("b")).Block(jen.Return(jen.Lit(int64(1)))), jen.Return(jen.Lit(int64(0)))).Call(v[0])
		})
	}
	// conversions that can fail give NULL
	fn := ""
	switch {
	case from == types.Float && to == types.Int:
		fn = "value.FloatToInt"
	case from == types.String && to == types.Int:
		fn = "value.ParseInt"
	case from == types.String && to == types.Float:
		fn = "value.ParseFloat"
	case from == types.String && to == types.Bool:
		fn = "value.ParseBool"
	case from == types.String && to == types.Timestamp:
		fn = "value.ParseTimestamp"
	default:
		panic(fmt.Sprintf("codegen: no cast from %s to %s", from, to))
	}
	return g.fallible(t, []operand{x}, func(v []jen.Code) jen.Code { return rt(fn).Call(v[0]) })
}

// fallible calls f, which returns (value, ok), and gives NULL when ok is
// false or an argument is NULL.
func (g *exprGen) fallible(t types.Type, args []operand, f func(v []jen.Code) jen.Code) operand {
	name := g.newTemp()
	g.stmts = append(g.stmts, jen.Var().Id(name).Add(goType(types.Null(t.Kind))))
	vals := make([]jen.Code, len(args))
	var conds []jen.Code
	for i, a := range args {
		vals[i] = a.code
		if a.nullable {
			vals[i] = jen.Add(a.code).Dot("V")
			conds = append(conds, jen.Add(a.code).Dot("Valid"))
		}
	}
	body := jen.If(jen.List(jen.Id("v"), jen.Id("ok")).Op(":=").Add(f(vals)), jen.Id("ok")).Block(
		jen.Id(name).Op("=").Add(rt("value.Of").Call(jen.Id("v"))))
	if len(conds) > 0 {
		body = jen.If(andAll(conds)).Block(body)
	}
	g.stmts = append(g.stmts, body)
	return operand{jen.Id(name), true}
}

func (g *exprGen) function(e *plan.Func) operand {
	t := e.Type()
	args := make([]operand, len(e.Args))
	if e.Name == "COALESCE" {
		// COALESCE(a, b, c) = CASE WHEN a IS NOT NULL THEN a WHEN b ... ELSE c END;
		// the arguments after one that is never NULL are never reached
		cargs := e.Args
		for i, a := range cargs {
			if !a.Type().Nullable {
				cargs = cargs[:i+1]
				break
			}
		}
		if len(cargs) == 1 {
			x := g.expr(cargs[0])
			if t.Nullable && !x.nullable {
				return operand{rt("value.Of").Call(x.code), true}
			}
			return x
		}
		whens := make([]plan.CaseWhen, 0, len(cargs)-1)
		for _, a := range cargs[:len(cargs)-1] {
			whens = append(whens, plan.CaseWhen{Cond: &plan.IsNull{X: a, Not: true}, Result: a})
		}
		return g.caseExpr(whens, cargs[len(cargs)-1], t)
	}
	if e.Name == "IN_SET" {
		return g.inSet(e)
	}
	if plan.IsProcTime(e) {
		return operand{jen.Id("p").Dot("now"), false} // read at the start of the batch
	}
	for i, a := range e.Args {
		args[i] = g.expr(a)
	}
	k := e.Args[0].Type().Kind
	plain := func(fn string) operand {
		return g.lift(t, args, false, func(v []jen.Code) jen.Code { return rt(fn).Call(v...) })
	}
	if out, ok := g.decimalFunction(e, args); ok {
		return out
	}
	switch e.Name {
	case "DESC_KEY": // an ORDER BY … DESC key: the complement reverses int64 order
		return g.lift(t, args, false, func(v []jen.Code) jen.Code { return jen.Op("^").Add(v[0]) })
	case "TRUNC":
		if k == types.Int {
			return args[0]
		}
		return plain("value.TruncFloat")
	case "ABS":
		if k == types.Int {
			return g.checked(t, "value.AbsIntChecked", args)
		}
		return plain("value.AbsFloat")
	case "FLOOR", "CEIL":
		if k == types.Int {
			return args[0]
		}
		return plain(map[string]string{"FLOOR": "value.Floor", "CEIL": "value.Ceil"}[e.Name])
	case "ROUND":
		if k == types.Int {
			return plain("value.RoundInt")
		}
		return plain("value.Round")
	case "LOWER":
		return plain("value.Lower")
	case "UPPER":
		return plain("value.Upper")
	case "LENGTH":
		return plain("value.Length")
	case "SUBSTRING":
		if len(args) == 2 {
			return plain("value.Substring")
		}
		return g.fallible(t, args, func(v []jen.Code) jen.Code { return rt("value.SubstringLen").Call(v...) })
	case "HOUR":
		return plain("value.Hour")
	case "DISTINCT_BUCKET": // the SplitDistinct rule's bucket of a counted value
		fn := map[types.Kind]string{types.Float: "value.BucketFloat", types.Bool: "value.BucketBool", types.String: "value.BucketString"}[e.Args[0].Type().Kind]
		if fn == "" {
			fn = "value.BucketInt"
		}
		return g.lift(t, args[:1], false, func(v []jen.Code) jen.Code { return rt(fn).Call(v[0], jen.Lit(e.Args[1].(*plan.Const).Value.(int64))) })
	case "DATE_FORMAT":
		f := g.glob.timeFormat(e.Args[1].(*plan.Const).Value.(string))
		return g.lift(t, args[:1], false, func(v []jen.Code) jen.Code { return jen.Add(f).Dot("Format").Call(v[0]) })
	case "SPLIT_INDEX":
		return g.fallible(t, args, func(v []jen.Code) jen.Code { return rt("value.SplitIndex").Call(v...) })
	case "REGEXP_EXTRACT":
		re := g.glob.regexp(e.Args[1].(*plan.Const).Value.(string))
		rest := []operand{args[0], args[2]}
		return g.fallible(t, rest, func(v []jen.Code) jen.Code { return rt("value.RegexpExtract").Call(re, v[0], v[1]) })
	}
	if u, ok := g.glob.pipeline.UDFOf(e); ok {
		return g.udfCall(e, u, args)
	}
	if out, ok := g.libFunction(e, args); ok {
		return out
	}
	panic("codegen: unknown function " + e.Name)
}

// inSet generates x IN (c1, c2, …) for a long list of constants: the
// constants become one package-level sorted value.Set, and the row looks x up.
func (g *exprGen) inSet(e *plan.Func) operand {
	x := g.expr(e.Args[0])
	k := e.Args[0].Type().Kind
	elems := make([]jen.Code, len(e.Args)-1)
	for i, a := range e.Args[1:] {
		switch v := a.(*plan.Const).Value.(type) {
		case int64:
			if k == types.Float {
				elems[i] = jen.Lit(float64(v))
			} else {
				elems[i] = jen.Id(strconv.FormatInt(v, 10)) // untyped: no int64(…) around each
			}
		default:
			elems[i] = jen.Lit(v)
		}
	}
	name := fmt.Sprintf("inSet%d", g.glob.sets)
	g.glob.sets++
	g.glob.decls = append(g.glob.decls, jen.Var().Id(name).Op("=").Add(rt("value.NewSet")).Call(jen.Index().Add(baseType(k)).Values(elems...)))
	return g.lift(e.Type(), []operand{x}, false, func(v []jen.Code) jen.Code { return jen.Id(name).Dot("Has").Call(v[0]) })
}
