package codegen

import "github.com/dave/jennifer/jen"

// The embedding API (--lib) of a pipeline that reads the processing time:
// Options.Clock and Pipeline.ProcessingTime. An embedding program has no
// runtime loop with a timer, so it closes the processing-time windows itself.

// libClockField is Options.Clock, for a pipeline reading processing time.
func (g *generator) libClockField() jen.Code {
	if !g.procTime {
		return jen.Null()
	}
	return jen.Line().
		Comment("Clock, when set, is the processing time PROCTIME() reads (nil: the wall").Line().
		Comment("clock): tests drive processing-time windows with it, and ProcessingTime").Line().
		Comment("closes the windows it passed.").Line().
		Id("Clock").Func().Params().Qual("time", "Time")
}

// libClockSet hands Options.Clock to the pipeline's context in Open.
func (g *generator) libClockSet() []jen.Code {
	if !g.procTime {
		return nil
	}
	return []jen.Code{jen.If(jen.Id("opts").Dot("Clock").Op("!=").Nil()).Block(
		jen.Id("emb").Dot("Context").Call().Dot("SetClock").Call(jen.Id("opts").Dot("Clock")))}
}

// libProcessingTime is Pipeline.ProcessingTime.
func (g *generator) libProcessingTime(recv jen.Code) {
	if !g.procTime {
		return
	}
	f := g.f
	f.Comment("ProcessingTime closes the processing-time windows whose end the clock (Options.Clock,")
	f.Comment("or the wall clock) has passed, and emits their rows; pushes close them too. Call it")
	f.Comment("on a timer (a job's runtime does, every 100 ms) so that windows close while no row")
	f.Comment("arrives. It is not logged: after a restart the clock is the one of the restart.")
	f.Func().Params(recv).Id("ProcessingTime").Params().Error().Block(
		jen.Id("p").Dot("mu").Dot("Lock").Call(), jen.Defer().Id("p").Dot("mu").Dot("Unlock").Call(),
		jen.If(jen.Id("p").Dot("closed")).Block(jen.Return(rt("laminar.ErrClosed"))),
		jen.If(jen.Err().Op(":=").Id("p").Dot("start").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.Id("p").Dot("core").Dot("ProcessingTime").Call(jen.Id("p").Dot("emb").Dot("Context").Call().Dot("Now").Call()),
		jen.Return(jen.Id("p").Dot("done").Call()))
	f.Line()
}
