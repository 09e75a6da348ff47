package codegen

import (
	"github.com/dave/jennifer/jen"
)

// observeCode generates Watermarks (job.Watermarked): the runtime reads each
// source's watermark once per batch for /status and /metrics.
func (g *generator) observeCode() {
	var wms []jen.Code
	for _, s := range g.sources {
		if s.src.TimeCol >= 0 {
			wms = append(wms, jen.Id("p").Dot("src"+s.goName).Dot("wm"))
		} else {
			wms = append(wms, jen.Qual("math", "MinInt64"))
		}
	}
	g.f.Comment("Watermarks appends each source's watermark (µs since the epoch; math.MinInt64 for none yet).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("Watermarks").Params(jen.Id("dst").Index().Int64()).Index().Int64().Block(
		jen.Return(jen.Append(append([]jen.Code{jen.Id("dst").Index(jen.Empty(), jen.Lit(0))}, wms...)...)))
	g.f.Line()
}
