package codegen

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

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

// operatorsCode generates Operators (job.Operated): the graph's operators,
// their kinds and inputs written once in a table, and per batch the rows
// each emitted and the groups or rows it holds, for /status and explain
// --analyze.
func (g *generator) operatorsCode() {
	var table []jen.Code
	var counts []jen.Code
	for i, o := range g.ops {
		var inputs []jen.Code
		for _, in := range o.op.InputNames() {
			inputs = append(inputs, jen.Lit(in))
		}
		entry := jen.Dict{
			jen.Id("Name"): jen.Lit(o.op.Name), jen.Id("Kind"): jen.Lit(o.op.Kind()),
			jen.Id("Inputs"): jen.Index().String().Values(inputs...), jen.Id("Funcs"): jen.Lit(o.fn)}
		if o.op.Inline {
			entry[jen.Id("Lines")] = jen.Id("fusedLines").Index(jen.Lit(o.op.ID))
		}
		table = append(table, jen.Values(entry))
		at := func() *jen.Statement {
			if i == 0 {
				return jen.Id("dst").Index(jen.Id("n"))
			}
			return jen.Id("dst").Index(jen.Id("n").Op("+").Lit(i))
		}
		counts = append(counts, at().Dot("RowsOut").Op("=").Id("p").Dot(o.name+"Out"))
		if state := g.stateCount(o); state != nil {
			counts = append(counts, at().Dot("State").Op("=").Add(state))
		}
		counts = append(counts, at().Dot("WatermarkMicros").Op("=").Add(g.operatorWatermark(o)))
		if o.ttl() {
			counts = append(counts, at().Dot("Expired").Op("=").Id("p").Dot(o.name+"Expired"))
		}
	}
	g.f.Comment("operators are the dataflow graph's operators, as Operators reports them.")
	g.f.Var().Id("operators").Op("=").Index().Add(rt("job.OperatorStatus")).Values(table...)
	g.f.Line()
	g.f.Comment("Operators appends each operator with the rows it emitted and the state it holds.")
	body := []jen.Code{
		jen.Id("n").Op(":=").Len(jen.Id("dst")),
		jen.Id("dst").Op("=").Append(jen.Id("dst"), jen.Id("operators").Op("...")),
	}
	body = append(body, counts...)
	body = append(body, jen.Return(jen.Id("dst")))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("Operators").Params(jen.Id("dst").Index().Add(rt("job.OperatorStatus"))).Index().Add(rt("job.OperatorStatus")).Block(body...)
	g.f.Line()
	g.f.Comment("fusedLines are the lines of this file that run each operator fused into its")
	g.f.Comment("source's loop (by operator id), for splitting a CPU profile among operators.")
	g.f.Var().Id("fusedLines").Op("=").Map(jen.String()).Index(jen.Lit(2)).Int32().Values()
}

// fusedLinesDecl is how the rendered file ends before fillFusedLines.
const fusedLinesDecl = "var fusedLines = map[string][2]int32{}\n"

// fusedMarker is the comment that opens an operator's code: "// view vwap
// (operator 232657f27d7023c6):", then its block at the same indentation.
var fusedMarker = regexp.MustCompile(`^(\t+)// .* \(operator ([0-9a-f]{16})\):$`)

// fillFusedLines writes the line ranges of the operators' blocks (marker
// to closing brace) into the fusedLines table that ends src. Only that last
// declaration changes, so every line number above it stays true.
func fillFusedLines(src []byte) []byte {
	body, ok := bytes.CutSuffix(src, []byte(fusedLinesDecl))
	if !ok {
		return src
	}
	lines := strings.Split(string(body), "\n")
	ranges := map[string][2]int{}
	var ids []string
	for i, l := range lines {
		m := fusedMarker.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		open, end := -1, -1
		for j := i + 1; j < len(lines) && end < 0; j++ {
			switch lines[j] {
			case m[1] + "{":
				if open < 0 {
					open = j
				}
			case m[1] + "}":
				if open >= 0 {
					end = j
				}
			}
		}
		if _, seen := ranges[m[2]]; !seen && end >= 0 {
			ids = append(ids, m[2])
			ranges[m[2]] = [2]int{i + 1, end + 1}
		}
	}
	var b bytes.Buffer
	b.Write(body)
	if len(ids) == 0 {
		b.WriteString(fusedLinesDecl)
		return b.Bytes()
	}
	b.WriteString("var fusedLines = map[string][2]int32{\n")
	for _, id := range ids {
		fmt.Fprintf(&b, "\t%q: {%d, %d},\n", id, ranges[id][0], ranges[id][1])
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// operatorWatermark is the watermark an operator's windows close by (or
// its interval join drops rows by), math.MinInt64 for none.
func (g *generator) operatorWatermark(o *opInfo) jen.Code {
	switch {
	case o.op.Join != nil && o.op.Join.Interval != nil:
		return jen.Min(jen.Id("p").Dot(o.name+"WM").Index(jen.Lit(0)), jen.Id("p").Dot(o.name+"WM").Index(jen.Lit(1)))
	case o.ttl():
		// the clock its rows expire by
		return jen.Min(jen.Id("p").Dot(o.name+"WM").Index(jen.Lit(0)), jen.Id("p").Dot(o.name+"WM").Index(jen.Lit(1)))
	case o.op.ProcTime():
		return jen.Id("p").Dot("now") // the wall clock closes its windows
	case o.op.Windowed() && o.src == nil:
		return jen.Id("p").Dot(o.name + "WM")
	case o.op.Windowed():
		return g.watermarkExpr(o.op.Watermark)
	}
	return jen.Qual("math", "MinInt64")
}

// stateCount is the number of groups or rows an operator holds: -1 where
// the keyed-state store holds them, 0 for a stateless operator (the
// table's zero), nil for 0.
func (g *generator) stateCount(o *opInfo) jen.Code {
	switch {
	case g.kvBacked(o):
		return jen.Lit(-1)
	case o.op.Agg != nil && o.op.Windowed():
		return jen.Int64().Call(jen.Id("p").Dot(o.name).Dot("Groups").Call())
	case o.op.Agg != nil:
		return jen.Int64().Call(jen.Id("p").Dot(o.name).Dot("Len").Call())
	case o.op.Lookup != nil && o.op.InputUpdating:
		return jen.Int64().Call(jen.Id("p").Dot(o.name + "Held").Dot("Len").Call())
	case o.op.Join != nil && o.op.Join.Asof != nil:
		// right rows kept and left rows waiting for their match
		return jen.Func().Params().Int64().Block(
			jen.List(jen.Id("r"), jen.Id("l")).Op(":=").Id("p").Dot(o.name).Dot("Len").Call(),
			jen.Return(jen.Int64().Call(jen.Id("r").Op("+").Id("l")))).Call()
	case o.op.Join != nil:
		var sum *jen.Statement
		for _, s := range g.joinSides(o) {
			n := jen.Id("p").Dot(o.name + s.name).Dot("Len").Call()
			if sum == nil {
				sum = n
			} else {
				sum = sum.Op("+").Add(n)
			}
		}
		return jen.Int64().Call(sum)
	}
	return nil
}
