package codegen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/types"
)

// decoder generates the record decoder of a source: JSON lines look keys up
// by exact column name; CSV takes fields in declaration order. Columns no view
// reads are skipped but still checked for presence when NOT NULL, so the
// dead-letter output does not depend on the queries.
func (g *generator) decoder(s *sourceInfo) {
	if s.idx == 0 {
		g.f.Comment("errHeader marks a CSV header line, which is skipped without a dead-letter report.")
		g.f.Var().Id("errHeader").Op("=").Qual("errors", "New").Call(jen.Lit("header line"))
		g.f.Line()
	}
	if s.src.Format == "csv" {
		g.csvDecoder(s)
		return
	}
	var cases []jen.Code
	var checks []jen.Code
	var seenVars []jen.Code
	for i, c := range s.src.Schema {
		field := jen.Id("r").Dot(s.fields[i])
		seen := fmt.Sprintf("seen%d", i)
		var body []jen.Code
		if !c.Type.Nullable {
			seenVars = append(seenVars, jen.Id(seen).Op(":=").False())
			body = append(body,
				jen.If(jen.Id("s").Dot("ValueIsNull").Call()).Block(
					jen.Return(jen.Qual("errors", "New").Call(jen.Lit(fmt.Sprintf("column %q is NOT NULL but the record has null", c.Name))))),
				jen.Id(seen).Op("=").True())
			checks = append(checks, jen.If(jen.Op("!").Id(seen)).Block(
				jen.Return(jen.Qual("errors", "New").Call(jen.Lit(fmt.Sprintf("missing NOT NULL column %q", c.Name))))))
			if s.needed[i] {
				body = append(body, jen.Add(field).Op("=").Add(jsonValue(c.Type.Kind)))
			} else {
				body = append(body, jen.Id("s").Dot("Skip").Call())
			}
		} else if s.needed[i] {
			body = append(body, jen.If(jen.Op("!").Id("s").Dot("ValueIsNull").Call()).Block(
				jen.Add(field).Op("=").Add(rt("value.Of")).Call(jsonValue(c.Type.Kind))))
		} else {
			body = append(body, jen.Id("s").Dot("Skip").Call())
		}
		cases = append(cases, jen.Case(jen.Lit(c.Name)).Block(body...))
	}
	cases = append(cases, jen.Default().Block(jen.Id("s").Dot("Skip").Call()))
	body := append([]jen.Code{jen.Id("s").Dot("Reset").Call(jen.Id("line"))}, seenVars...)
	body = append(body,
		jen.For(jen.List(jen.Id("k"), jen.Id("ok")).Op(":=").Id("s").Dot("NextKey").Call(), jen.Id("ok"), jen.List(jen.Id("k"), jen.Id("ok")).Op("=").Id("s").Dot("NextKey").Call()).Block(
			jen.Switch(jen.String().Call(jen.Id("k"))).Block(cases...)),
		jen.If(jen.Id("err").Op(":=").Id("s").Dot("Err").Call(), jen.Id("err").Op("!=").Nil()).Block(jen.Return(jen.Id("err"))),
	)
	body = append(body, checks...)
	body = append(body, jen.Return(jen.Nil()))
	g.f.Comment(fmt.Sprintf("decode%sJSON decodes one JSON object into r, which must be zero.", s.rowType))
	g.f.Func().Id("decode"+s.rowType+"JSON").Params(
		jen.Id("s").Op("*").Add(rt("jsonl.Scanner")), jen.Id("in").Op("*").Add(rt("jsonl.Interner")), jen.Id("line").Index().Byte(), jen.Id("r").Op("*").Id(s.rowType),
	).Error().Block(body...)
	g.f.Line()
}

func jsonValue(k types.Kind) jen.Code {
	switch k {
	case types.Bool:
		return jen.Id("s").Dot("Bool").Call()
	case types.Float:
		return jen.Id("s").Dot("Float64").Call()
	case types.String:
		return jen.Id("in").Dot("Bytes").Call(jen.Id("s").Dot("Str").Call())
	case types.Timestamp:
		return jen.Id("s").Dot("Timestamp").Call()
	}
	return jen.Id("s").Dot("Int64").Call()
}

func (g *generator) csvDecoder(s *sourceInfo) {
	n := len(s.src.Schema)
	body := []jen.Code{
		jen.List(jen.Id("f"), jen.Id("err")).Op(":=").Id("sp").Dot("Split").Call(jen.Id("line")),
		jen.If(jen.Id("err").Op("!=").Nil()).Block(jen.Return(jen.Id("err"))),
		jen.If(jen.Len(jen.Id("f")).Op("!=").Lit(n)).Block(
			jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit(fmt.Sprintf("expected %d fields, found %%d", n)), jen.Len(jen.Id("f"))))),
	}
	// a first line that names the columns is a header
	header := jen.Id("lineNo").Op("==").Lit(int64(1))
	for i, c := range s.src.Schema {
		header = header.Op("&&").String().Call(jen.Id("f").Index(jen.Lit(i))).Op("==").Lit(c.Name)
	}
	body = append(body, jen.If(header).Block(jen.Return(jen.Id("errHeader"))))
	for i, c := range s.src.Schema {
		fi := jen.Id("f").Index(jen.Lit(i))
		isNull := jen.Len(fi).Op("==").Lit(0).Op("&&").Op("!").Id("sp").Dot("Quoted").Call(jen.Lit(i))
		field := jen.Id("r").Dot(s.fields[i])
		var parse []jen.Code
		var val jen.Code
		if c.Type.Kind == types.String {
			val = jen.Id("in").Dot("Bytes").Call(jen.Id("f").Index(jen.Lit(i)))
		} else {
			fn := map[types.Kind]string{types.Int: "csvrow.ParseInt64", types.Interval: "csvrow.ParseInt64", types.Float: "csvrow.ParseFloat64",
				types.Bool: "csvrow.ParseBool", types.Timestamp: "csvrow.ParseTimestamp"}[c.Type.Kind]
			parse = append(parse,
				jen.List(jen.Id("v"), jen.Id("err")).Op(":=").Add(rt(fn)).Call(jen.Id("f").Index(jen.Lit(i))),
				jen.If(jen.Id("err").Op("!=").Nil()).Block(
					jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit(fmt.Sprintf("column %q: %%w", c.Name)), jen.Id("err")))))
			val = jen.Id("v")
		}
		if c.Type.Nullable {
			val = rt("value.Of").Call(val)
		}
		assign := append(parse, jen.Add(field).Op("=").Add(val))
		if !c.Type.Nullable {
			body = append(body, jen.If(isNull).Block(
				jen.Return(jen.Qual("errors", "New").Call(jen.Lit(fmt.Sprintf("column %q is NOT NULL but the field is empty", c.Name))))))
			if s.needed[i] {
				body = append(body, jen.Block(assign...))
			}
		} else if s.needed[i] {
			body = append(body, jen.If(jen.Op("!").Parens(isNull)).Block(assign...))
		}
	}
	body = append(body, jen.Return(jen.Nil()))
	g.f.Comment(fmt.Sprintf("decode%sCSV decodes one CSV record into r, which must be zero.", s.rowType))
	g.f.Func().Id("decode"+s.rowType+"CSV").Params(
		jen.Id("sp").Op("*").Add(rt("csvrow.Splitter")), jen.Id("in").Op("*").Add(rt("jsonl.Interner")), jen.Id("line").Index().Byte(),
		jen.Id("r").Op("*").Id(s.rowType), jen.Id("lineNo").Int64(),
	).Error().Block(body...)
	g.f.Line()
}
