package codegen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// procTimeCode generates, for a pipeline that reads the processing time,
// ProcessingTime (job.ProcessingTimer): the runtime calls it before every
// batch and on a timer, so that the windows over PROCTIME() close when the
// wall clock passes their end even when no row arrives; and per source
// procTime<Source>, which closes the processing-time windows over it.
func (g *generator) procTimeCode() {
	if !g.procTime {
		return
	}
	body := []jen.Code{jen.If(jen.Id("now").Op(">").Id("p").Dot("now")).Block(jen.Id("p").Dot("now").Op("=").Id("now"))}
	for _, s := range g.sources {
		if len(s.procs) == 0 {
			continue
		}
		body = append(body, jen.Id("p").Dot("procTime"+s.goName).Call(jen.Id("p").Dot("now")))
		if s.updating {
			// the rows of the windows closed feed views that emit at the end of a batch
			body = append(body, jen.Id("p").Dot("flush"+s.goName).Call())
		}
		var fire []jen.Code
		for _, o := range s.procs {
			switch {
			case o.op.Inline:
				fire = append(fire, g.closeWindows(o)...)
				continue
			case o.src == nil:
				fire = append(fire, jen.Id("p").Dot(o.name+"WM").Op("=").Id("wm")) // fireOp* is inputCode's
			default:
				g.f.Comment(fmt.Sprintf("fire%s closes, in order, every window of %s whose end the wall clock wm has reached.", o.fn, o.what()))
				g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("fire" + o.fn).Params(jen.Id("wm").Int64()).Block(g.closeWindows(o)...)
				g.f.Line()
			}
			fire = append(fire, jen.Id("p").Dot("fire"+o.fn).Call(jen.Id("wm")))
		}
		g.f.Comment(fmt.Sprintf("procTime%s closes, in order, every processing-time window over source %s whose end", s.goName, commentLines(s.src.Name)[0]))
		g.f.Comment("the wall clock wm has reached.")
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("procTime" + s.goName).Params(jen.Id("wm").Int64()).Block(fire...)
		g.f.Line()
	}
	g.f.Var().Id("_").Add(rt("job.ProcessingTimer")).Op("=").Parens(jen.Op("*").Id(coreType)).Parens(jen.Nil())
	g.f.Line()
	g.f.Comment("ProcessingTime moves the processing time to now (µs since the epoch; it never goes back) and")
	g.f.Comment("closes every processing-time window whose end it passed (job.ProcessingTimer).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("ProcessingTime").Params(jen.Id("now").Int64()).Block(body...)
	g.f.Line()
}

func init() {
	runtimeSymbols["job.ProcessingTimer"] = [2]string{pkgJob, "ProcessingTimer"}
}
