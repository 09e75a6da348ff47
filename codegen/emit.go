package codegen

import (
	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/plan"
)

// When windows emit and what they take late: ALLOWED LATENESS, EMIT AFTER
// WATERMARK, EMIT PERIODICALLY, and the late rows of a source as a stream
// (LATE(source)).
//
// ALLOWED LATENESS and EMIT AFTER WATERMARK. A window with allowed lateness
// L is open until the watermark passes its end plus L: the code that judges
// a row late and the code that closes windows see the watermark less L.
// Under EMIT AFTER WATERMARK the end of a batch emits only the windows whose
// end the watermark has passed; later changes of such a window (rows within
// the lateness) emit a retraction and the new row at the next batch end.

// latenessWatermark rebinds wm to the watermark less the operator's allowed
// lateness; nil when it has none.
func latenessWatermark(o *opInfo) []jen.Code {
	if !o.op.Windowed() || o.op.Agg.Lateness == 0 {
		return nil
	}
	return []jen.Code{jen.Id("wm").Op(":=").Add(rt("window.ShiftWatermark")).Call(jen.Id("wm"), jen.Lit(-o.op.Agg.Lateness))}
}

// opWatermark is the watermark the windows of o close by.
func (g *generator) opWatermark(o *opInfo) jen.Code {
	if o.src != nil {
		return jen.Id("p").Dot("src" + o.src.goName).Dot("wm")
	}
	return jen.Id("p").Dot(o.name + "WM")
}

// dueWindow is the condition of the loop over the open windows of an
// updating windowed operator at the end of a batch: all of them, or under
// EMIT AFTER WATERMARK those whose end the watermark has passed (windows are
// in order of their ends).
func (g *generator) dueWindow(o *opInfo) jen.Code {
	cond := jen.Id("w").Op("<").Id("p").Dot(o.name).Dot("Len").Call()
	if o.op.Agg.Emit == plan.EmitAfterWatermark {
		cond = cond.Op("&&").Id("p").Dot(o.name).Dot("EndAt").Call(jen.Id("w")).Op("<=").Add(g.opWatermark(o))
	}
	return cond
}

// dueWatermark is the latest session end whose changes the end of a batch
// emits.
func (g *generator) dueWatermark(o *opInfo) jen.Code {
	if o.op.Agg.Emit == plan.EmitAfterWatermark {
		return g.opWatermark(o)
	}
	return jen.Qual("math", "MaxInt64")
}

// EMIT PERIODICALLY: each time the watermark crosses a multiple of the
// period (row by row, as windows close, so the output does not depend on
// batch sizes), every window changed since the last emission emits its
// current row; a window's final row comes when it closes. The last period
// emitted in is state, saved before the windows.

func periodic(o *opInfo) bool {
	return o.op.Agg != nil && o.op.Agg.Emit == plan.EmitPeriodically
}

// periodicChanges emits the changes of every open window of o when the
// watermark wm has entered a new period.
func (g *generator) periodicChanges(o *opInfo) []jen.Code {
	tick := jen.Id("p").Dot(o.name + "Tick")
	var emit jen.Code
	if o.session {
		emit = jen.Id("p").Dot("changes" + o.fn).Call(jen.Qual("math", "MaxInt64"))
	} else {
		emit = jen.For(jen.Id("w").Op(":=").Lit(0).Op(";").Id("w").Op("<").Id("p").Dot(o.name).Dot("Len").Call().Op(";").Id("w").Op("++")).Block(
			jen.List(jen.Id("start"), jen.Id("grp")).Op(":=").Id("p").Dot(o.name).Dot("At").Call(jen.Id("w")),
			jen.Id("p").Dot("changes"+o.fn).Call(jen.Id("start"), jen.Id("grp")))
	}
	return []jen.Code{jen.If(jen.Id("t").Op(":=").Add(rt("value.FloorDiv")).Call(jen.Id("wm"), jen.Lit(o.op.Agg.Period)), jen.Id("t").Op(">").Add(tick)).Block(
		jen.Add(tick).Op("=").Id("t"), emit)}
}

func periodicSave(o *opInfo, save []jen.Code) []jen.Code {
	if !periodic(o) {
		return save
	}
	return append([]jen.Code{jen.Id("buf").Op("=").Add(rt("snapshot.AppendInt")).Call(jen.Id("buf"), jen.Id("p").Dot(o.name+"Tick"))}, save...)
}

func periodicLoad(o *opInfo, load []jen.Code) []jen.Code {
	if !periodic(o) {
		return load
	}
	return append([]jen.Code{jen.Id("p").Dot(o.name + "Tick").Op("=").Id("d").Dot("Int").Call()}, load...)
}

// lateForward passes a late row of source s, with the view it was late for,
// to the operators reading LATE(source); nothing when none does.
func (g *generator) lateForward(s *sourceInfo) jen.Code {
	var out []jen.Code
	for _, o := range s.lates {
		vals := jen.Dict{}
		for i := range s.src.Schema {
			vals[jen.Id(o.fields[i])] = jen.Id("r").Dot(s.fields[i])
		}
		vals[jen.Id(o.fields[len(s.src.Schema)])] = jen.Id("view")
		out = append(out, jen.Block(
			jen.Id("out").Op(":=").Id(o.rowType).Values(vals),
			jen.Id("p").Dot("emit"+o.fn).Call(jen.Op("&").Id("out"), jen.LitRune('+'))))
	}
	if len(out) == 0 {
		return jen.Null()
	}
	return jen.Comment("the late rows of the source are a stream (LATE(source))").Line().Add(out...)
}

// pendingOnLoad marks a group loaded from a checkpoint changed, for an
// operator whose changes may wait across batches (EMIT AFTER WATERMARK, EMIT
// PERIODICALLY): the dirty flag is not state, and a change not yet emitted
// must not be lost; an unchanged group then emits nothing.
func pendingOnLoad(o *opInfo) []jen.Code {
	if e := o.op.Agg.Emit; !o.op.Updating || e != plan.EmitAfterWatermark && e != plan.EmitPeriodically {
		return nil
	}
	return []jen.Code{
		jen.Id("a").Dot("dirty").Op("=").True(),
		jen.Id("grp").Dot("Dirty").Op("=").Append(jen.Id("grp").Dot("Dirty"), jen.Id("gi")),
	}
}
