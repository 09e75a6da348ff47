package codegen

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// The aggregates beyond COUNT/SUM/MIN/MAX/AVG: their state fields, per-row
// folds, results and pane merges.
//
//   - STDDEV/VARIANCE over append-only input: N<i> values, A<i> their mean,
//     Q<i> the sum of squared deviations (value.Welford, DuckDB's update);
//     over updating input the multiset M<i> of values, folded afresh in
//     order when the group emits (window.Moments), so that the result does
//     not depend on the batches its retractions came in.
//   - FIRST_VALUE/LAST_VALUE over append-only input: A<i> the value, T<i> its
//     event time, N<i> the values seen; over updating input the bag of
//     (time, value) pairs M<i> (window.TimedSet).
//   - APPROX_COUNT_DISTINCT over append-only input: the HyperLogLog S<i>
//     (sketch.HLL); over updating input the multiset M<i> of values, whose
//     distinct count is exact (a sketch cannot forget a value).

func isMore(a plan.Agg) bool {
	return a.Func.Moments() || a.Func == plan.FirstValue || a.Func == plan.LastValue || a.Func == plan.ApproxCountDistinct
}

func moreAccFields(i int, a plan.Agg, weighted bool) ([]field, bool) {
	if !isMore(a) {
		return nil, false
	}
	name := func(p string) string { return fmt.Sprintf("%s%d", p, i) }
	count := field{name("N"), types.Of(types.Int), "", false, ""}
	k := a.Arg.Type().Kind
	switch {
	case a.Func.Moments() && weighted:
		return []field{{name("M"), types.Of(k), a.String() + ": every input value", true, ""}}, true
	case a.Func.Moments():
		return []field{count,
			{name("A"), types.Of(types.Float), a.String() + ": mean", false, ""},
			{name("Q"), types.Of(types.Float), "sum of squared deviations from the mean", false, ""}}, true
	case a.Func == plan.ApproxCountDistinct && weighted:
		return []field{{name("M"), types.Of(k), a.String() + ": every input value", true, ""}}, true
	case a.Func == plan.ApproxCountDistinct:
		return []field{{name("S"), types.Of(k), a.String() + ": HyperLogLog sketch", false, "sketch"}}, true
	case weighted: // FIRST_VALUE, LAST_VALUE
		return []field{{name("M"), types.Of(k), a.String() + ": every (event time, value)", false, "timed"}}, true
	default:
		return []field{{name("A"), types.Of(k), a.String(), false, ""},
			{name("T"), types.Of(types.Timestamp), "its event time", false, ""}, count}, true
	}
}

// containerType is the Go type of a container field.
func containerType(f field) jen.Code {
	if f.container == "sketch" {
		return rt("sketch.HLL")
	}
	if bits, ok := strings.CutPrefix(f.container, "distinct"); ok {
		return jen.Add(rt("window.DistinctSet")).Types(baseType(f.t.Kind), jen.Id("uint"+bits))
	}
	return jen.Add(rt("window.TimedSet")).Types(baseType(f.t.Kind))
}

// foldMore folds value v (of the row's argument, not NULL) into aggregate i;
// w is the row's weight, nil over append-only input.
func foldMore(eg *exprGen, i int, a plan.Agg, v, w jen.Code) []jen.Code {
	f := func(p string) *jen.Statement { return jen.Id("acc").Dot(fmt.Sprintf("%s%d", p, i)) }
	weight := jen.Code(jen.Lit(int64(1)))
	if w != nil {
		weight = w
	}
	k := a.Arg.Type().Kind
	switch {
	case a.Func.Moments() && w != nil:
		return []jen.Code{f("M").Dot("Add").Call(v, w)}
	case a.Func.Moments():
		return []jen.Code{jen.List(f("N"), f("A"), f("Q")).Op("=").Add(rt("value.Welford")).Call(f("N"), f("A"), f("Q"), jen.Float64().Call(v), weight)}
	case a.Func == plan.ApproxCountDistinct && w != nil:
		return []jen.Code{f("M").Dot("Add").Call(v, w)}
	case a.Func == plan.ApproxCountDistinct:
		hash := map[types.Kind]string{types.Float: "sketch.HashFloat", types.String: "sketch.HashString", types.Bool: "sketch.HashBool"}[k]
		switch {
		case k.IsWideDecimal():
			hash = "sketch.HashDec128"
		case hash == "":
			hash = "sketch.HashInt"
		}
		return []jen.Code{f("S").Dot("Add").Call(rt(hash).Call(v))}
	}
	// FIRST_VALUE, LAST_VALUE: by the row's event time
	t := eg.expr(a.Time)
	ts := t.code
	if t.nullable {
		ts = jen.Add(t.code).Dot("V")
	}
	var upd []jen.Code
	if w != nil {
		upd = []jen.Code{f("M").Dot("Add").Call(ts, v, w)}
	} else {
		// the earliest row, the first of a tie; the latest, the last of a tie
		cmp := "<"
		if a.Func == plan.LastValue {
			cmp = ">="
		}
		upd = []jen.Code{
			jen.If(f("N").Op("==").Lit(0).Op("||").Add(ts).Op(cmp).Add(f("T"))).Block(
				f("A").Op("=").Add(v), f("T").Op("=").Add(ts)),
			f("N").Op("++"),
		}
	}
	if t.nullable {
		return []jen.Code{jen.If(jen.Add(t.code).Dot("Valid")).Block(upd...)}
	}
	return upd
}

// finishMore is the SQL value of aggregate i from its state.
func finishMore(eg *exprGen, i int, a plan.Agg, weighted bool) (operand, bool) {
	if !isMore(a) {
		return operand{}, false
	}
	f := func(p string) *jen.Statement { return jen.Id("acc").Dot(fmt.Sprintf("%s%d", p, i)) }
	switch {
	case a.Func.Moments():
		fn := map[plan.AggFunc]string{plan.StddevPop: "value.StddevPop", plan.StddevSamp: "value.StddevSamp",
			plan.VarPop: "value.VarPop", plan.VarSamp: "value.VarSamp"}[a.Func]
		if weighted {
			n, q := eg.newTemp(), eg.newTemp()
			eg.stmts = append(eg.stmts, jen.List(jen.Id(n), jen.Id(q)).Op(":=").Add(rt("window.Moments")).Call(jen.Op("&").Add(f("M"))))
			return eg.assignTemp(a.T, rt(fn).Call(jen.Id(n), jen.Id(q))), true
		}
		return eg.assignTemp(a.T, rt(fn).Call(f("N"), f("Q"))), true
	case a.Func == plan.ApproxCountDistinct && weighted:
		return eg.assignTemp(a.T, f("M").Dot("Distinct").Call()), true
	case a.Func == plan.ApproxCountDistinct:
		return eg.assignTemp(a.T, f("S").Dot("Estimate").Call()), true
	case weighted:
		v, ok := eg.newTemp(), eg.newTemp()
		fn := "First"
		if a.Func == plan.LastValue {
			fn = "Last"
		}
		if !a.T.Nullable {
			eg.stmts = append(eg.stmts, jen.List(jen.Id(v), jen.Id("_")).Op(":=").Add(f("M")).Dot(fn).Call())
			return operand{jen.Id(v), false}, true
		}
		eg.stmts = append(eg.stmts, jen.List(jen.Id(v), jen.Id(ok)).Op(":=").Add(f("M")).Dot(fn).Call())
		return eg.assignTemp(a.T, rt("value.Null").Types(baseType(a.T.Kind)).Values(jen.Dict{jen.Id("V"): jen.Id(v), jen.Id("Valid"): jen.Id(ok)})), true
	}
	if !a.T.Nullable {
		return operand{f("A"), false}, true
	}
	return eg.assignTemp(a.T, rt("value.Null").Types(baseType(a.T.Kind)).Values(jen.Dict{jen.Id("V"): f("A"), jen.Id("Valid"): f("N").Op(">").Lit(0)})), true
}

// mergeMore folds a pane's state of aggregate i (src) into a window's (dst);
// nil for the aggregates agg.go merges.
func mergeMore(i int, a plan.Agg) []jen.Code {
	if !isMore(a) {
		return nil
	}
	f := func(x, p string) *jen.Statement { return jen.Id(x).Dot(fmt.Sprintf("%s%d", p, i)) }
	switch {
	case a.Func.Moments():
		return []jen.Code{jen.List(f("dst", "N"), f("dst", "A"), f("dst", "Q")).Op("=").Add(rt("value.WelfordMerge")).Call(
			f("dst", "N"), f("dst", "A"), f("dst", "Q"), f("src", "N"), f("src", "A"), f("src", "Q"))}
	case a.Func == plan.ApproxCountDistinct:
		return []jen.Code{f("dst", "S").Dot("Merge").Call(jen.Op("&").Add(f("src", "S")))}
	}
	// panes hold disjoint time ranges, merged in time order
	cmp := "<"
	if a.Func == plan.LastValue {
		cmp = ">="
	}
	return []jen.Code{
		jen.If(f("src", "N").Op(">").Lit(0).Op("&&").Parens(f("dst", "N").Op("==").Lit(0).Op("||").Add(f("src", "T")).Op(cmp).Add(f("dst", "T")))).Block(
			f("dst", "A").Op("=").Add(f("src", "A")), f("dst", "T").Op("=").Add(f("src", "T"))),
		f("dst", "N").Op("+=").Add(f("src", "N")),
	}
}

// encodeContainer encodes a container field: a sketch as one string, a
// TimedSet as its size, then each (time, value, count) in order.
func encodeContainer(x *jen.Statement, f field) []jen.Code {
	if strings.HasPrefix(f.container, "distinct") {
		return []jen.Code{jen.Block(
			jen.List(jen.Id("vals"), jen.Id("masks")).Op(":=").Add(x).Dot("Sorted").Call(),
			jen.Id("buf").Op("=").Add(rt("snapshot.AppendUint")).Call(jen.Id("buf"), jen.Uint64().Call(jen.Len(jen.Id("vals")))),
			jen.For(jen.List(jen.Id("i"), jen.Id("v")).Op(":=").Range().Id("vals")).Block(
				append(encodeField(jen.Id("v"), types.Of(f.t.Kind)),
					jen.Id("buf").Op("=").Add(rt("snapshot.AppendUint")).Call(jen.Id("buf"), jen.Uint64().Call(jen.Id("masks").Index(jen.Id("i")))))...),
		)}
	}
	if f.container == "sketch" {
		return []jen.Code{jen.Id("buf").Op("=").Add(rt("snapshot.AppendString")).Call(jen.Id("buf"), jen.String().Call(jen.Add(x).Dot("AppendBinary").Call(jen.Nil())))}
	}
	return []jen.Code{jen.Block(
		jen.List(jen.Id("pairs"), jen.Id("counts")).Op(":=").Add(x).Dot("Sorted").Call(),
		jen.Id("buf").Op("=").Add(rt("snapshot.AppendUint")).Call(jen.Id("buf"), jen.Uint64().Call(jen.Len(jen.Id("pairs")))),
		jen.For(jen.List(jen.Id("i"), jen.Id("p")).Op(":=").Range().Id("pairs")).Block(
			append(append([]jen.Code{jen.Id("buf").Op("=").Add(rt("snapshot.AppendInt")).Call(jen.Id("buf"), jen.Id("p").Dot("TS"))},
				encodeField(jen.Id("p").Dot("V"), types.Of(f.t.Kind))...),
				jen.Id("buf").Op("=").Add(rt("snapshot.AppendInt")).Call(jen.Id("buf"), jen.Id("counts").Index(jen.Id("i"))))...),
	)}
}

func decodeContainer(x *jen.Statement, f field) []jen.Code {
	if bits, ok := strings.CutPrefix(f.container, "distinct"); ok {
		body := append([]jen.Code{jen.Var().Id("v").Add(baseType(f.t.Kind))}, decodeField(jen.Id("v"), types.Of(f.t.Kind))...)
		body = append(body, jen.Add(x).Dot("Add").Call(jen.Id("v"), jen.Id("uint"+bits).Call(jen.Id("d").Dot("Uint").Call())))
		return []jen.Code{jen.For(jen.Id("n").Op(":=").Id("d").Dot("Len").Call().Op(";").Id("n").Op(">").Lit(0).Op(";").Id("n").Op("--")).Block(body...)}
	}
	if f.container == "sketch" {
		return []jen.Code{jen.Add(x).Dot("Load").Call(jen.Id("d").Dot("String").Call())}
	}
	body := []jen.Code{jen.Id("ts").Op(":=").Id("d").Dot("Int").Call(), jen.Var().Id("v").Add(baseType(f.t.Kind))}
	body = append(body, decodeField(jen.Id("v"), types.Of(f.t.Kind))...)
	body = append(body, jen.Add(x).Dot("Add").Call(jen.Id("ts"), jen.Id("v"), jen.Id("d").Dot("Int").Call()))
	return []jen.Code{jen.For(jen.Id("n").Op(":=").Id("d").Dot("Len").Call().Op(";").Id("n").Op(">").Lit(0).Op(";").Id("n").Op("--")).Block(body...)}
}
