package codegen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// A windowed aggregate over a stateless view of the source, grouped by a key
// other than the source's split key (physical.Partitioning.Exchanged with
// windows): each input row goes to the worker owning its group with the
// watermark its windows had before it on one engine (xchg<op>). The owner
// merges the rows every worker sent it in watermark order, closing its
// windows as that watermark moves and then at the round's (xmerge<op>), so
// that lateness and window closing are those of one engine; the senders do
// not close its windows (propagate<Source> skips it on workers).

// windowExchanged tells whether o is such an aggregate.
func (g *generator) windowExchanged(o *opInfo) bool {
	return g.exchanged(o) >= 0 && o.op.Fires()
}

// windowMergeCode generates xmerge<op>: the rows sent to this worker, in
// watermark order (each sender's are in input order, ties by sender), each
// pushed once the windows closed by its watermark are closed; then the
// windows the round's watermark closes.
func (g *generator) windowMergeCode(o *opInfo) {
	in := jen.Id("p").Dot("x" + o.name + "In")
	wm := jen.Id("p").Dot(o.name + "WM")
	g.f.Comment(fmt.Sprintf("xmerge%s runs %s on the rows every worker sent this one, in the order of", o.fn, o.what()))
	g.f.Comment("the watermark before each, closing its windows as one engine would, then at the round's end.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("xmerge"+o.fn).Params().Block(
		jen.Id("ins").Op(":=").Add(in),
		jen.Comment("each row's late report where one engine's would be, in input order"),
		jen.Id("mark").Op(":=").Id("p").Dot("ctx").Dot("Mark").Call(),
		jen.For().Block(
			jen.Id("best").Op(":=").Lit(-1),
			jen.For(jen.List(jen.Id("i"), jen.Id("rows")).Op(":=").Range().Id("ins")).Block(
				jen.If(jen.Len(jen.Id("rows")).Op(">").Lit(0).Op("&&").Parens(
					jen.Id("best").Op("<").Lit(0).Op("||").Id("rows").Index(jen.Lit(0)).Dot("wm").Op("<").Id("ins").Index(jen.Id("best")).Index(jen.Lit(0)).Dot("wm"))).Block(
					jen.Id("best").Op("=").Id("i"))),
			jen.If(jen.Id("best").Op("<").Lit(0)).Block(jen.Break()),
			jen.Id("x").Op(":=").Op("&").Id("ins").Index(jen.Id("best")).Index(jen.Lit(0)),
			jen.Id("ins").Index(jen.Id("best")).Op("=").Id("ins").Index(jen.Id("best")).Index(jen.Lit(1), jen.Empty()),
			jen.If(jen.Id("x").Dot("wm").Op(">").Add(wm)).Block(
				jen.Add(wm).Op("=").Id("x").Dot("wm"),
				jen.Id("p").Dot("fire"+o.fn).Call(jen.Id("x").Dot("wm"))),
			jen.Id("p").Dot("ctx").Dot("AtMark").Call(jen.Id("x").Dot("at")),
			jen.Do(func(st *jen.Statement) {
				if s := o.lateVia; s != nil {
					// a late row is the source's row it came from
					st.Id("p").Dot("src" + s.goName).Dot("cur").Op("=").Id("x").Dot("src")
				}
			}),
			jen.Id("p").Dot("push"+o.fn).Call(jen.Op("&").Id("x").Dot("r")),
		),
		jen.Id("p").Dot("ctx").Dot("AtMark").Call(jen.Id("mark")),
		jen.Clear(in),
		jen.Add(in).Op("=").Add(in).Index(jen.Empty(), jen.Lit(0)),
		jen.If(jen.Id("wm").Op(":=").Add(g.watermarkExpr(o.op.Watermark)), jen.Id("wm").Op(">").Add(wm)).Block(
			jen.Add(wm).Op("=").Id("wm"),
			jen.Id("p").Dot("fire"+o.fn).Call(jen.Id("wm"))),
	)
	g.f.Line()
}
