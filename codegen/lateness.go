package codegen

import (
	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/plan"
)

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
