package codegen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// asofType is the Go type of an ASOF join's state.
func (o *opInfo) asofType() *jen.Statement {
	return rt("join.Asof").Types(jen.Id(o.keyType()), jen.Id(o.inputs[0].rowType), jen.Id(o.inputs[1].rowType))
}

// asofNew is the statement of New that makes an ASOF join's state, emitting
// through match<Op>.
func (o *opInfo) asofNew() jen.Code {
	a := o.op.Join.Asof
	dir := map[plan.AsofDir]string{plan.AsofBackward: "join.Backward", plan.AsofForward: "join.Forward", plan.AsofNearest: "join.Nearest"}[a.Dir]
	bound := func(v int64) jen.Code {
		switch v {
		case -1 << 63:
			return jen.Qual("math", "MinInt64")
		case 1<<63 - 1:
			return jen.Qual("math", "MaxInt64")
		}
		return jen.Lit(v)
	}
	mode := rt("join.AsofMode").Values(jen.Dict{jen.Id("Dir"): rt(dir), jen.Id("Lo"): bound(a.Lo), jen.Id("Hi"): bound(a.Hi)})
	return jen.Id("p").Dot(o.name).Op("=").Add(rt("join.NewAsof")).Types(jen.Id(o.keyType()), jen.Id(o.inputs[0].rowType), jen.Id(o.inputs[1].rowType)).
		Call(mode, jen.Id("p").Dot("match"+o.fn))
}

// asofCode generates an ASOF join: its key type, push<Op>Left/Right (the key,
// a late row reported), match<Op> (a final match, or none, through the
// steps after the join) and fire<Op> (the watermarks of both inputs).
func (g *generator) asofCode(o *opInfo) {
	j := o.op.Join
	ss := g.joinSides(o)
	var keyFields []jen.Code
	for i, k := range j.LeftKeys {
		keyFields = append(keyFields, jen.Id(fmt.Sprintf("K%d", i)).Add(baseType(k.Type().Kind)).Comment(commentLines(k.String() + " = " + j.RightKeys[i].String())[0]))
	}
	g.f.Comment(fmt.Sprintf("%s is a join key of %s.", o.keyType(), o.what()))
	g.f.Type().Id(o.keyType()).Struct(keyFields...)
	g.f.Line()
	times := [2]int{j.Asof.LeftTime, j.Asof.RightTime}
	for _, s := range ss {
		env := make([]operand, len(s.in.op.Output))
		for i, c := range s.in.op.Output {
			env[i] = operand{jen.Id("r").Dot(s.in.fields[i]), c.Type.Nullable}
		}
		tmp := 0
		eg := &exprGen{tmp: &tmp, env: env, glob: g.glob, faults: new(bool)}
		var nulls []jen.Code
		key := jen.Dict{}
		for i, k := range s.keys {
			x := eg.expr(k)
			if x.nullable {
				x = eg.assignTemp(types.Null(k.Type().Kind), x.code)
				nulls = append(nulls, jen.Op("!").Add(x.code).Dot("Valid"))
				key[jen.Id(fmt.Sprintf("K%d", i))] = jen.Add(x.code).Dot("V")
			} else {
				if eg.faulty() {
					x = eg.assignTemp(types.Of(k.Type().Kind), x.code) // computed before the fault is tested
				}
				key[jen.Id(fmt.Sprintf("K%d", i))] = x.code
			}
		}
		body := eg.stmts
		if eg.faulty() {
			// a key whose arithmetic overflowed: the row is left out and reported
			body = append([]jen.Code{jen.Var().Id(faultVar).Add(rt("value.Fault"))}, body...)
			body = append(body, jen.If(jen.Id(faultVar).Op("!=").Lit(0)).Block(
				jen.Id("p").Dot("ctx").Dot("RowFailedRow").Call(jen.Lit(g.srcOf(o)), jen.Lit(o.op.Name),
					jen.Id("append"+s.in.rowType).Call(jen.Nil(), jen.Id("r"), jen.LitRune('+')), jen.Id(faultVar)),
				jen.Return()))
		}
		if len(nulls) > 0 {
			// a NULL key matches nothing: a left row of a LEFT ASOF join comes out NULL-padded at once
			var onNull []jen.Code
			if s.preserve {
				onNull = append(onNull, jen.Id("p").Dot("pad"+o.fn+s.name).Call(jen.Id("r"), jen.Lit(int64(1))))
			}
			body = append(body, jen.If(orAll(nulls)).Block(append(onNull, jen.Return())...))
		}
		ts := jen.Id("r").Dot(s.in.fields[times[s.i]])
		if s.in.op.Output[times[s.i]].Type.Nullable {
			ts = ts.Dot("V") // an event-time column is never NULL
		}
		body = append(body,
			jen.If(jen.Op("!").Id("p").Dot(o.name).Dot("Push"+s.name).Call(jen.Id(o.keyType()).Values(key), jen.Op("*").Id("r"), ts)).Block(
				jen.Comment("behind its side's watermark: the rows it should have met may be gone"),
				jen.Id("p").Dot("ctx").Dot("LateRow").Call(jen.Lit(o.op.SideWatermarks[s.i][0].Source), jen.Lit(o.op.Name),
					jen.Id("append"+s.in.rowType).Call(jen.Nil(), jen.Id("r"), jen.LitRune('+')))))
		g.f.Comment(fmt.Sprintf("push%s%s takes a row of %s (the %s input of an ASOF join).", o.fn, s.name, s.in.what(), sides[s.i]))
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("push" + o.fn + s.name).Params(jen.Id("r").Op("*").Id(s.in.rowType)).Block(body...)
		g.f.Line()
	}
	g.joinRow(o, ss, false)
	var none []jen.Code
	if ss[0].preserve {
		none = append(none, jen.Id("p").Dot("pad"+o.fn+"Left").Call(jen.Id("l"), jen.Lit(int64(1))))
	}
	g.f.Comment(fmt.Sprintf("match%s emits a left row of %s with its final match r (nil: none).", o.fn, o.what()))
	var check []jen.Code
	if j.Residual != nil {
		// a temporal join checks its other conditions on the version found
		check = append(check, jen.If(jen.Id("r").Op("!=").Nil().Op("&&").Op("!").Id("p").Dot("on"+o.fn).Call(jen.Id("l"), jen.Id("r"))).Block(jen.Id("r").Op("=").Nil()))
	}
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("match"+o.fn).Params(jen.Id("l").Op("*").Id(ss[0].in.rowType), jen.Id("r").Op("*").Id(ss[1].in.rowType)).Block(
		append(check, jen.If(jen.Id("r").Op("==").Nil()).Block(append(none, jen.Return())...),
			jen.Id("p").Dot("join"+o.fn).Call(jen.Id("l"), jen.Id("r"), jen.Lit(int64(1))))...)
	g.f.Line()
	g.f.Comment(fmt.Sprintf("fire%s moves the watermarks of the inputs of %s to wm: the right one emits", o.fn, o.what()))
	g.f.Comment("the left rows whose match it makes final, the left one drops right rows.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("fire" + o.fn).Params(jen.Id("wm").Index(jen.Lit(2)).Int64()).Block(
		jen.Id("p").Dot(o.name).Dot("Advance").Call(jen.Id("wm").Index(jen.Lit(0)), jen.Id("wm").Index(jen.Lit(1))))
	g.f.Line()
}

// asofState generates save<Op> and load<Op> of an ASOF join: its watermarks,
// then per side its rows (key, row, time): the right rows, the waiting left rows.
func (g *generator) asofState(o *opInfo) {
	j := o.op.Join
	st := jen.Id("p").Dot(o.name)
	save := []jen.Code{
		jen.List(jen.Id("lw"), jen.Id("rw")).Op(":=").Add(st).Dot("Watermarks").Call(),
		jen.Id("buf").Op("=").Add(rt("snapshot.AppendInt")).Call(jen.Id("buf"), jen.Id("lw")),
		jen.Id("buf").Op("=").Add(rt("snapshot.AppendInt")).Call(jen.Id("buf"), jen.Id("rw")),
		jen.List(jen.Id("nr"), jen.Id("nl")).Op(":=").Add(st).Dot("Len").Call(),
	}
	load := []jen.Code{
		jen.List(jen.Id("lw"), jen.Id("rw")).Op(":=").List(jen.Id("d").Dot("Int").Call(), jen.Id("d").Dot("Int").Call()),
	}
	for _, i := range []int{1, 0} {
		s := g.joinSides(o)[i]
		var enc, dec []jen.Code
		for ki, k := range j.LeftKeys {
			t := types.Of(k.Type().Kind)
			enc = append(enc, encodeField(jen.Id("k").Dot(fmt.Sprintf("K%d", ki)), t)...)
			dec = append(dec, decodeField(jen.Id("k").Dot(fmt.Sprintf("K%d", ki)), t)...)
		}
		for c, col := range s.in.op.Output {
			enc = append(enc, encodeField(jen.Id("e").Dot("Row").Dot(s.in.fields[c]), col.Type)...)
			dec = append(dec, decodeField(jen.Id("e").Dot("Row").Dot(s.in.fields[c]), col.Type)...)
		}
		for _, f := range []string{"TS", "W"} { // W: a waiting left row's arrival number
			enc = append(enc, encodeField(jen.Id("e").Dot(f), types.Of(types.Int))...)
			dec = append(dec, decodeField(jen.Id("e").Dot(f), types.Of(types.Int))...)
		}
		n := []string{"nl", "nr"}[i]
		save = append(save,
			jen.Id("buf").Op("=").Add(rt("snapshot.AppendUint")).Call(jen.Id("buf"), jen.Uint64().Call(jen.Id(n))),
			jen.Add(st).Dot("Each"+s.name).Call(jen.Func().Params(jen.Id("k").Id(o.keyType()), jen.Id("e").Op("*").Add(rt("join.Entry")).Types(jen.Id(s.in.rowType))).Block(enc...)))
		load = append(load, jen.For(jen.Id("n").Op(":=").Id("d").Dot("Len").Call().Op(";").Id("n").Op(">").Lit(0).Op(";").Id("n").Op("--")).Block(
			append(append([]jen.Code{jen.Var().Id("k").Id(o.keyType()), jen.Var().Id("e").Add(rt("join.Entry")).Types(jen.Id(s.in.rowType))}, dec...),
				jen.Add(st).Dot("Restore"+s.name).Call(jen.Id("k"), jen.Id("e")))...))
	}
	save = append(save, jen.Return(jen.Id("buf")))
	load = append(load, jen.Add(st).Dot("Restored").Call(jen.Id("lw"), jen.Id("rw")))
	g.stateFuncs(o, save, load)
}
