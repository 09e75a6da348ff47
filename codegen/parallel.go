package codegen

import (
	"fmt"
	"slices"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/physical"
	"github.com/laminar-sql/laminar/compiler/types"
)

// parallel tells whether parallelCode generates job.Partitioned: the plan
// splits among workers and the job reads its sources itself (not --lib).
func (g *generator) parallel() bool {
	if !g.part.Partitioned() {
		return false
	}
	for _, s := range g.sources {
		if s.input {
			return false
		}
	}
	return true
}

// parallelCode generates job.Partitioned for a plan whose rows split among
// workers (physical.Partition): each worker runs its own engine over the key
// partitions it owns. Route decodes a batch on the worker that read it and
// appends each row to the part of the worker owning its key; ProcessPart is
// the source's fused loop over a part, with the watermark before each row
// given (the one a single engine would have had), so that lateness and
// window closing do not depend on the number of workers; EndRound moves the
// watermark to the round's and emits the changes of updating views; Prune
// drops the groups of other workers after a checkpoint's state was loaded.
// The functions of one engine (Process<Source>, ...) are left as they are.
func (g *generator) parallelCode() {
	part := g.part
	if !part.Partitioned() {
		return
	}
	var srcs []*sourceInfo
	for i, s := range g.sources {
		if s.input {
			return // --lib: the embedding program pushes rows itself
		}
		if i < len(part.Keys) {
			srcs = append(srcs, s)
		}
	}
	g.exchangeCode(g.sources[part.Source])
	g.f.Var().Id("_").Add(rt("job.Partitioned")).Op("=").Parens(jen.Op("*").Id(coreType)).Parens(jen.Nil())
	g.f.Line()
	var how []jen.Code
	var newPart, resetPart, route, process, endRound []jen.Code
	for _, s := range srcs {
		g.sourcePartCode(s, part)
		d := jen.Dict{jen.Id("Source"): jen.Lit(s.idx), jen.Id("Keyed"): jen.Lit(part.Keys[s.idx] >= 0)}
		if slices.Contains(s.src.Metadata, "line") {
			d[jen.Id("Lines")] = jen.True() // the decoder reads line numbers: one reader
		}
		how = append(how, jen.Values(d))
		ptType := "part" + s.goName
		newPart = append(newPart, jen.Case(jen.Lit(s.idx)).Block(jen.Return(g.combNewPart(ptType))))
		resetPart = append(resetPart, jen.Case(jen.Lit(s.idx)).Block(jen.Id("p").Dot("resetPart"+s.goName).Call(jen.Id("x").Assert(jen.Op("*").Id(ptType)))))
		route = append(route, jen.Case(jen.Lit(s.idx)).Block(jen.Return(jen.Id("p").Dot("route"+s.goName).Call(jen.Id("b"), jen.Id("parts"), jen.Id("wm")))))
		process = append(process, jen.Case(jen.Lit(s.idx)).Block(jen.Id("p").Dot("processPart"+s.goName).Call(jen.Id("x").Assert(jen.Op("*").Id(ptType)), jen.Id("start"))))
		endRound = append(endRound, jen.Case(jen.Lit(s.idx)).Block(jen.Id("p").Dot("endRound"+s.goName).Call(jen.Id("wm"))))
	}
	g.f.Comment("Partition says how the workers of the job split the rows of its sources (job.Partitioned).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("Partition").Params().Add(rt("job.Partition")).Block(
		jen.Return(rt("job.Partition").Values(jen.Dict{jen.Id("Sources"): jen.Index().Add(rt("job.SourcePartition")).Values(how...)})))
	g.f.Line()
	g.f.Comment("NewPart returns an empty part of source src (job.Partitioned).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("NewPart").Params(jen.Id("src").Int()).Any().Block(
		jen.Switch(jen.Id("src")).Block(newPart...), jen.Return(jen.Nil()))
	g.f.Line()
	g.f.Comment("ResetPart empties a part of source src, keeping its capacity (job.Partitioned).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("ResetPart").Params(jen.Id("src").Int(), jen.Id("x").Any()).Block(
		jen.Switch(jen.Id("src")).Block(resetPart...))
	g.f.Line()
	g.f.Comment("Route decodes a batch of source src and appends each row to the part of the worker that owns")
	g.f.Comment("its key (parts[w] for worker w; one part: no key), with the watermark before it: wm, advanced")
	g.f.Comment("row by row; it returns the watermark after the batch (job.Partitioned).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("Route").Params(
		jen.Id("src").Int(), jen.Id("b").Op("*").Add(rt("connector.LineBatch")), jen.Id("parts").Index().Any(), jen.Id("wm").Int64()).Int64().Block(
		jen.Switch(jen.Id("src")).Block(route...), jen.Return(jen.Id("wm")))
	g.f.Line()
	g.f.Comment("ProcessPart runs every view over source src on the rows of a part, with the watermark before")
	g.f.Comment("each row the larger of start and the part's own (job.Partitioned).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("ProcessPart").Params(jen.Id("src").Int(), jen.Id("x").Any(), jen.Id("start").Int64()).Block(
		jen.Switch(jen.Id("src")).Block(process...))
	g.f.Line()
	g.f.Comment("EndRound moves source src's watermark to wm, the one after the round's batches of it on every")
	g.f.Comment("worker, and emits what the updating views changed in the round (job.Partitioned).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("EndRound").Params(jen.Id("src").Int(), jen.Id("wm").Int64()).Block(
		jen.Switch(jen.Id("src")).Block(endRound...))
	g.f.Line()
	g.pruneCode(part)
}

// sourcePartCode generates the part type of source s and its functions:
// resetPart<S>, route<S>, processPart<S>, endRound<S>.
func (g *generator) sourcePartCode(s *sourceInfo, part physical.Partitioning) {
	typed := s.src.Typed
	columnar := typed != nil && typed.Columnar
	ptType := "part" + s.goName
	rowType := jen.Id(s.rowType)
	if typed != nil && !columnar {
		// a typed source's rows move as the columns the views read (without
		// pointers when those are not strings: no write barrier, nothing
		// for the collector to scan in the parts), with their record's
		// index in the chunk and their watermark
		var fields []jen.Code
		for c, col := range s.src.Schema {
			if partColumn(s, part, c) {
				fields = append(fields, jen.Id(typed.Fields[c]).Add(baseType(col.Type.Kind)).Comment(commentLines(col.Name)[0]))
			}
		}
		if packedPart(s) {
			fields = append(fields,
				jen.Id("wm").Int64().Comment("the watermark before the row, over the rows of its batch so far"),
				jen.Id("line").Int32().Comment("the index of its record in the chunk"))
		}
		g.f.Comment(fmt.Sprintf("%sRow is a row of source %s in a part: the columns the views read.", ptType, commentLines(s.src.Name)[0]))
		g.f.Type().Id(ptType + "Row").Struct(fields...)
		g.f.Line()
		rowType = jen.Id(ptType + "Row")
	}
	if slimPart(s) {
		// a column batch's or a raw batch's (JSON, CSV) rows move as the
		// columns the views read, by the row type's names and types:
		// strings the only pointers
		var fields []jen.Code
		for c, col := range s.src.Schema {
			if columnarPartColumn(s, c) {
				fields = append(fields, jen.Id(s.fields[c]).Add(goType(col.Type)).Comment(commentLines(col.Name)[0]))
			}
		}
		if packedPart(s) {
			fields = append(fields,
				jen.Id("wm").Int64().Comment("the watermark before the row, over the rows of its batch so far"),
				jen.Id("line").Int32().Comment("the index in b of its record"))
		}
		g.f.Comment(fmt.Sprintf("%sRow is a row of source %s in a part: the columns the views read.", ptType, commentLines(s.src.Name)[0]))
		g.f.Type().Id(ptType + "Row").Struct(fields...)
		g.f.Line()
		rowType = jen.Id(ptType + "Row")
	}
	g.f.Comment(fmt.Sprintf("%s holds rows of source %s that one worker hands another (job.Partitioned).", ptType, commentLines(s.src.Name)[0]))
	linesDoc := "index in b of each row's record"
	if columnar {
		linesDoc = "index of each row's record in the chunk"
	}
	fields := []jen.Code{
		jen.Id("b").Op("*").Add(rt("connector.LineBatch")).Comment("the raw batch the rows were decoded from; nil for a typed source"),
		jen.Id("rows").Index().Add(rowType),
	}
	reset := []jen.Code{jen.Id("pt").Dot("rows").Op("=").Id("pt").Dot("rows").Index(jen.Empty(), jen.Lit(0))}
	if !packedPart(s) {
		fields = append(fields,
			jen.Id("lines").Index().Int32().Comment(linesDoc),
			jen.Id("wms").Index().Int64().Comment("the watermark before each row, over the rows of its batch so far"))
		reset = []jen.Code{jen.List(jen.Id("pt").Dot("rows"), jen.Id("pt").Dot("lines"), jen.Id("pt").Dot("wms")).Op("=").List(
			jen.Id("pt").Dot("rows").Index(jen.Empty(), jen.Lit(0)), jen.Id("pt").Dot("lines").Index(jen.Empty(), jen.Lit(0)), jen.Id("pt").Dot("wms").Index(jen.Empty(), jen.Lit(0)))}
	}
	if typed != nil {
		fields = append(fields,
			jen.Id("n").Int32().Comment("the records of the chunk routed so far"))
	}
	fields = append(fields, g.combFields()...)
	g.f.Type().Id(ptType).Struct(fields...)
	g.f.Line()
	g.f.Comment(fmt.Sprintf("resetPart%s empties a part of source %s, keeping its capacity.", s.goName, commentLines(s.src.Name)[0]))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("resetPart"+s.goName).Params(jen.Id("pt").Op("*").Id(ptType)).Block(
		jen.Id("pt").Dot("b").Op("=").Nil(),
		jen.Add(reset...),
		jen.Do(func(st *jen.Statement) {
			if typed != nil {
				st.Id("pt").Dot("n").Op("=").Lit(0)
			}
		}),
		jen.Do(func(st *jen.Statement) {
			if g.comb.Combines() {
				st.Id("p").Dot("resetCombiner").Call(jen.Id("pt"))
			}
		}),
	)
	g.f.Line()
	if typed != nil && !columnar {
		g.partRecordCode(s, ptType)
	} else if columnar && g.comb.Combines() && g.combOp().op.Windowed() {
		g.columnarPartRecordCode(s)
	}
	g.routeCode(s, part, ptType, rowType)
	g.partLoop(s, part, ptType)
	g.combinerCode(s, ptType)
	var end []jen.Code
	if s.src.TimeCol >= 0 {
		end = append(end, jen.Id("p").Dot("advance"+s.goName).Call(jen.Id("wm")))
	} else {
		end = append(end, jen.Id("_").Op("=").Id("wm"))
	}
	if s.updating {
		end = append(end, jen.Id("p").Dot("flush"+s.goName).Call())
	}
	g.f.Comment(fmt.Sprintf("endRound%s moves the watermark of source %s to wm and emits what the updating views", s.goName, commentLines(s.src.Name)[0]))
	g.f.Comment("changed in the round.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("endRound" + s.goName).Params(jen.Id("wm").Int64()).Block(end...)
	g.f.Line()
}

// partColumn tells whether column c of a typed source s (the Nexmark
// generator) moves with its rows: the columns the views read (the plan's
// Needed: every column an operator over the source reads, all of them when
// LATE(source) is read), the event time, the key, and those a projection
// copies (stagesRead). The others stay in the record: late and failed rows,
// a row function's too, and a late row found further down (LATE(source)
// through views, src<S>.partRec) are reported with every column from the
// record generated again by its index in the chunk (partRecord<S>), as one
// engine reports them from the record itself. A column outside the row that
// some view's code did read would not compile (r.<Field> of the part row),
// not run on zero.
func partColumn(s *sourceInfo, part physical.Partitioning, c int) bool {
	return s.needed[c] || c == s.src.TimeCol || c == part.Keys[s.idx] || stagesRead(s, c)
}

// hashCode mixes value v of SQL type t into the hash h.
func hashCode(h, v jen.Code, t types.Type) jen.Code {
	mix := func(v jen.Code) jen.Code {
		switch t.Kind {
		case types.String:
			return rt("exchange.String").Call(h, v)
		case types.Bool:
			return rt("exchange.Bool").Call(h, v)
		}
		if t.Kind.IsWideDecimal() { // both words
			return rt("exchange.Int").Call(rt("exchange.Int").Call(h, jen.Uint64().Call(jen.Add(v).Dot("Hi"))), jen.Add(v).Dot("Lo"))
		}
		return rt("exchange.Int").Call(h, jen.Uint64().Call(v))
	}
	if !t.Nullable {
		return mix(v)
	}
	return jen.Func().Params().Uint64().Block(
		jen.If(jen.Op("!").Add(v).Dot("Valid")).Block(jen.Return(rt("exchange.Null").Call(h))),
		jen.Return(mix(jen.Add(v).Dot("V")))).Call()
}

// routeCode generates Route: decode (a raw batch) and deal rows to parts.
func (g *generator) routeCode(s *sourceInfo, part physical.Partitioning, ptType string, rowType jen.Code) {
	key := part.Keys[s.idx]
	keyed := key >= 0
	var owner jen.Code = jen.Lit(0)
	var add []jen.Code
	typed := s.src.Typed
	columnar := typed != nil && typed.Columnar
	field := func(c int) jen.Code {
		if typed != nil && !columnar {
			return jen.Id("r").Dot(typed.Fields[c])
		}
		return jen.Id("r").Dot(s.fields[c])
	}
	if keyed {
		owner = rt("exchange.Owner").Call(hashCode(rt("exchange.Seed"), field(key), s.src.Schema[key].Type), jen.Len(jen.Id("pts")))
	}
	idx := jen.Id("i")
	if typed != nil {
		idx = jen.Id("ri")
	}
	var row jen.Code = jen.Op("*").Id("r")
	var put jen.Code // the statement putting the row in pt
	if typed != nil && !columnar {
		// a zero row appended, then its fields written in place (packed:
		// its columns, watermark and record), rather than a row built on
		// the stack and copied: at 1M events, two workers, GOGC=off,
		// groupby_many -9.9M instructions against -7.1M for the copy,
		// q5_tumble -1.4M against +2.3M, q8 -2.1M against -3.9M, q11 -16.0M
		// against -23.0M (the loop's registers; writing into a slice grown
		// by hand was -14M, +1.9M, +8.8M, -22.5M)
		var set []jen.Code
		for c := range s.src.Schema {
			if partColumn(s, part, c) {
				set = append(set, jen.Id("pr").Dot(typed.Fields[c]).Op("=").Id("r").Dot(typed.Fields[c]))
			}
		}
		set = append(set,
			jen.Id("pr").Dot("wm").Op("=").Id(g.combRowWM()),
			jen.Id("pr").Dot("line").Op("=").Id("at").Op("+").Int32().Call(idx))
		rows := jen.Id("pt").Dot("rows")
		put = jen.Block(append([]jen.Code{
			jen.Add(rows).Op("=").Append(rows, jen.Id(ptType+"Row").Values()),
			jen.Id("pr").Op(":=").Op("&").Add(rows).Index(jen.Len(rows).Op("-").Lit(1)),
		}, set...)...)
	} else if typed == nil && slimPart(s) {
		// a decoded row's columns the part holds (the others were never
		// decoded: zero)
		d := jen.Dict{}
		for c := range s.src.Schema {
			if columnarPartColumn(s, c) {
				d[jen.Id(s.fields[c])] = jen.Id("r").Dot(s.fields[c])
			}
		}
		if packedPart(s) {
			d[jen.Id("wm")] = jen.Id(g.combRowWM())
			d[jen.Id("line")] = jen.Int32().Call(idx)
		}
		row = jen.Id(ptType + "Row").Values(d)
	}
	if put == nil {
		put = jen.Id("pt").Dot("rows").Op("=").Append(jen.Id("pt").Dot("rows"), row)
	}
	add = append(add, jen.Id("pt").Op(":=").Id("pts").Index(owner), put)
	if !packedPart(s) {
		// the row's record: its index in a raw batch, in the chunk of a
		// column batch (a generator's rows are packed)
		line := jen.Int32().Call(idx)
		if typed != nil {
			line = jen.Id("at").Op("+").Int32().Call(idx)
		}
		add = append(add,
			jen.Id("pt").Dot("lines").Op("=").Append(jen.Id("pt").Dot("lines"), line),
			jen.Id("pt").Dot("wms").Op("=").Append(jen.Id("pt").Dot("wms"), jen.Id(g.combRowWM())))
	}
	if g.comb.Combines() {
		// fold the row into its owner's partial states (combiner.go)
		line := jen.Int32().Call(idx)
		if typed != nil {
			line = jen.Id("at").Op("+").Int32().Call(idx)
		}
		add = g.combRoute(s, add[0], add[1:], line)
	}
	if s.src.TimeCol >= 0 {
		t := field(s.src.TimeCol)
		if s.src.Schema[s.src.TimeCol].Type.Nullable {
			// a row without event time does not move the watermark (as in the loop)
			add = append(add, jen.If(jen.Add(t).Dot("Valid")).Block(
				jen.If(jen.Id("next").Op(":=").Add(t).Dot("V").Op("-").Lit(s.src.Delay), jen.Id("next").Op(">").Id("wm")).Block(jen.Id("wm").Op("=").Id("next"))))
		} else {
			add = append(add, jen.If(jen.Id("next").Op(":=").Add(t).Op("-").Lit(s.src.Delay), jen.Id("next").Op(">").Id("wm")).Block(jen.Id("wm").Op("=").Id("next")))
		}
	}
	body := []jen.Code{
		jen.Var().Id("buf").Index(jen.Lit(16)).Op("*").Id(ptType),
		jen.Id("pts").Op(":=").Id("buf").Index(jen.Empty(), jen.Lit(0)),
		jen.For(jen.List(jen.Id("_"), jen.Id("x")).Op(":=").Range().Id("parts")).Block(
			jen.Id("pt").Op(":=").Id("x").Assert(jen.Op("*").Id(ptType)),
			jen.If(jen.Len(jen.Id("b").Dot("Lines")).Op(">").Lit(0)).Block(jen.Id("pt").Dot("b").Op("=").Id("b")),
			jen.Id("pts").Op("=").Append(jen.Id("pts"), jen.Id("pt")),
		),
	}
	if columnar {
		body = append(body, g.columnarRoute(s, add)...)
	} else if typed != nil {
		loop := []jen.Code{jen.Id("ev").Op(":=").Op("&").Id("records").Index(jen.Id("ri"))}
		if typed.Filter != "" {
			loop = append(loop, jen.If(jen.Id("ev").Dot(typed.Filter).Op("!=").Add(rt(typed.FilterValue))).Block(jen.Continue()))
		}
		if typed.Row != "" {
			loop = append(loop, jen.Id("r").Op(":=").Op("&").Id("ev").Dot(typed.Row))
		} else {
			loop = append(loop, jen.Id("r").Op(":=").Id("ev"))
		}
		loop = append(loop, add...)
		body = append(body,
			jen.Id("records").Op(":=").Op("*").Id("b").Dot("Typed").Assert(jen.Op("*").Index().Add(rt(typed.Elem))),
			jen.Comment("a row's record is known by its index in the chunk, to report it with all its columns"),
			jen.Id("at").Op(":=").Id("pts").Index(jen.Lit(0)).Dot("n"),
			jen.For(jen.List(jen.Id("_"), jen.Id("pt")).Op(":=").Range().Id("pts")).Block(
				jen.Id("pt").Dot("n").Op("+=").Int32().Call(jen.Len(jen.Id("records")))),
			jen.For(jen.Id("ri").Op(":=").Range().Id("records")).Block(loop...))
	} else {
		decode := "decode" + s.rowType + "JSON"
		args := []jen.Code{jen.Op("&").Id("p").Dot("json"), jen.Op("&").Id("p").Dot("intern"), jen.Id("line"), jen.Id("r")}
		if s.src.Format == "csv" {
			decode = "decode" + s.rowType + "CSV"
			args[0] = jen.Op("&").Id("p").Dot("csv")
			args = append(args, jen.Id("b").Dot("LineNos").Index(jen.Id("i")))
		}
		if s.src.Metadata != nil { // the metadata columns from the batch, as lines<Source> does
			decode = "decode" + s.rowType
			args = append(args, jen.Id("b"), jen.Id("i"))
		}
		// the text policy's count as lines<Source> keeps it, in the
		// decoder's pass (b.InvalidText): no pass of the runtime's over the
		// batch before it (job.SourceSpec.DecoderChecksText)
		checks := decoderChecksText(s.src)
		loop := []jen.Code{
			jen.Id("row").Op("=").Id(s.rowType).Values(),
			jen.If(jen.Id("err").Op(":=").Id(decode).Call(args...), jen.Id("err").Op("!=").Nil()).BlockFunc(func(bad *jen.Group) {
				if checks {
					bad.Add(textCount(nil, false))
				}
				bad.If(jen.Id("err").Op("!=").Id("errHeader")).Block(
					jen.Id("p").Dot("ctx").Dot("Malformed").Call(jen.Lit(s.idx), jen.Id("b"), jen.Id("i"), jen.Id("err")))
				bad.Continue()
			}),
		}
		if checks {
			loop = append(loop, textCount(jen.Id("p").Dot("json"), true))
		}
		loop = append(loop, add...)
		body = append(body,
			jen.Var().Id("row").Id(s.rowType),
			jen.Id("r").Op(":=").Op("&").Id("row"))
		if checks {
			body = append(body, jen.Var().Id("invalid").Int64().Comment("records with invalid text (the text policy), counted as they decode"))
		}
		body = append(body, jen.For(jen.List(jen.Id("i"), jen.Id("line")).Op(":=").Range().Id("b").Dot("Lines")).Block(loop...))
		if checks {
			body = append(body, jen.Id("b").Dot("InvalidText").Op("=").Id("invalid"))
		}
	}
	body = append(body, jen.Return(jen.Id("wm")))
	g.f.Comment(fmt.Sprintf("route%s decodes a batch of source %s and appends each row to the part of the", s.goName, commentLines(s.src.Name)[0]))
	g.f.Comment("worker that owns its key (parts[w] for worker w; one part: no key), with the watermark")
	g.f.Comment("before it: wm, advanced row by row; it returns the watermark after the batch.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("route"+s.goName).Params(
		jen.Id("b").Op("*").Add(rt("connector.LineBatch")), jen.Id("parts").Index().Any(), jen.Id("wm").Int64()).Int64().Block(body...)
	g.f.Line()
}

// partLoop generates ProcessPart: the source's fused loop over a part.
func (g *generator) partLoop(s *sourceInfo, part physical.Partitioning, ptType string) {
	self := jen.Id("p").Dot("src" + s.goName)
	// the row's watermark and record: in the row (packedPart), or beside it
	rowWMs, rowLine := jen.Id("pt").Dot("wms").Index(jen.Id("ri")), jen.Id("pt").Dot("lines").Index(jen.Id("ri"))
	if packedPart(s) {
		rowWMs, rowLine = jen.Id("rows").Index(jen.Id("ri")).Dot("wm"), jen.Id("rows").Index(jen.Id("ri")).Dot("line")
	}
	align := []jen.Code{}
	if s.src.TimeCol >= 0 {
		adv := []jen.Code{jen.Add(self).Dot("wm").Op("=").Id("next")}
		if s.windowed {
			adv = append(adv, jen.Id("p").Dot("fire"+s.goName).Call(jen.Id("next")))
		}
		align = append(align, jen.Comment("the watermark one engine would have before this row"),
			jen.If(jen.Id("next").Op(":=").Max(jen.Id("start"), rowWMs), jen.Id("next").Op(">").Add(self).Dot("wm")).Block(adv...))
	}
	if tb := s.src.Typed; laterReports(g) || (tb != nil && tb.Columnar) || rowFuncs(s) {
		// a view further down (a join, a window over a view) reports its
		// late rows without a batch, and a row function its failed rows: in
		// input order by the row's record
		align = append(align, jen.Id("p").Dot("ctx").Dot("AtRecord").Call(jen.Int().Call(rowLine)))
	}
	acc := rowAccess{
		over:    jen.Id("rows"),
		row:     append(align, jen.Id("r").Op(":=").Op("&").Id("rows").Index(jen.Id("ri"))),
		prefix:  "part",
		wmGiven: true,
		rowType: jen.Id(s.rowType),
	}
	if tb := s.src.Typed; tb != nil && !tb.Columnar {
		// late and failed rows are reported with every column, from their
		// records generated again by number: a row function's failed row
		// too, by the number in the row it is given (the part's rows hold
		// only the columns the views read: partColumn)
		env := make([]operand, len(s.src.Schema))
		for i, c := range s.src.Schema {
			v := jen.Id("r").Dot(tb.Fields[i])
			if c.Type.Nullable {
				v = rt("value.Of").Call(v)
			}
			env[i] = operand{v, c.Type.Nullable}
		}
		acc.env, acc.rowType, acc.line = env, jen.Id(ptType+"Row"), rowLine
		full := jen.Id("p").Dot("partRecord" + s.goName).Call(rowLine)
		acc.late = func(view string) jen.Code {
			return jen.Id("p").Dot("late"+s.goName).Call(jen.Nil(), jen.Nil(), jen.Id("ri"), full, jen.Lit(view))
		}
		acc.fail = func(view string, f jen.Code) jen.Code {
			return jen.Id("p").Dot("fail"+s.goName).Call(jen.Nil(), jen.Nil(), jen.Lit(0), full, jen.Lit(view), f)
		}
		acc.failRow = func(view string, f jen.Code) jen.Code {
			// r: the row function's, the part's row
			return jen.Id("p").Dot("fail"+s.goName).Call(jen.Nil(), jen.Nil(), jen.Lit(0), jen.Id("p").Dot("partRecord"+s.goName).Call(jen.Id("r").Dot("line")), jen.Lit(view), f)
		}
	} else if slimPart(s) {
		// a column batch's or a raw batch's row: the columns the part
		// holds, the others zero as on one engine (never decoded); late and
		// failed rows are reported as one engine reports them: a raw
		// batch's by its record (b, lines), a column batch's with those
		// columns
		env := make([]operand, len(s.src.Schema))
		vals := jen.Dict{}
		for i, c := range s.src.Schema {
			if !columnarPartColumn(s, i) {
				env[i] = operand{jen.Parens(jen.Op("*").New(goType(c.Type))), c.Type.Nullable}
				continue
			}
			env[i] = operand{jen.Id("r").Dot(s.fields[i]), c.Type.Nullable}
			vals[jen.Id(s.fields[i])] = jen.Id("r").Dot(s.fields[i])
		}
		acc.env, acc.rowType = env, jen.Id(ptType+"Row")
		full := jen.Op("&").Id(s.rowType).Values(vals)
		var b, lines, at, failAt jen.Code = jen.Nil(), jen.Nil(), jen.Id("ri"), jen.Lit(0)
		switch {
		case packedPart(s):
			// the row's record, from the row (on the stack: late<S> keeps none)
			b, lines, at, failAt = jen.Id("b"), jen.Index().Int32().Values(jen.Id("r").Dot("line")), jen.Lit(0), jen.Lit(0)
		case tb == nil:
			b, lines, failAt = jen.Id("b"), jen.Id("lines"), jen.Id("ri")
		}
		acc.late = func(view string) jen.Code {
			return jen.Id("p").Dot("late"+s.goName).Call(b, lines, at, full, jen.Lit(view))
		}
		acc.fail = func(view string, f jen.Code) jen.Code {
			return jen.Id("p").Dot("fail"+s.goName).Call(b, lines, failAt, full, jen.Lit(view), f)
		}
		acc.failRow = func(view string, f jen.Code) jen.Code {
			return jen.Id("p").Dot("fail"+s.goName).Call(jen.Nil(), jen.Nil(), jen.Lit(0), full, jen.Lit(view), f)
		}
		if s.src.Updating {
			// a changelog's row: its weight from the batch it was decoded
			// from, as in Process<Source>
			acc.row = append(acc.row, jen.Id("w").Op(":=").Id("b").Dot("RowWeight").Call(jen.Id("lines"), jen.Id("ri")))
			acc.weight = jen.Id("w")
		}
	} else {
		env := make([]operand, len(s.src.Schema))
		for i, c := range s.src.Schema {
			env[i] = operand{jen.Id("r").Dot(s.fields[i]), c.Type.Nullable}
		}
		acc.env = env
		if s.src.Updating {
			// a changelog's row: its weight from the batch it was decoded
			// from, as in Process<Source>
			acc.row = append(acc.row, jen.Id("w").Op(":=").Id("b").Dot("RowWeight").Call(jen.Id("lines"), jen.Id("ri")))
			acc.weight = jen.Id("w")
		}
		acc.late = func(view string) jen.Code {
			return jen.Id("p").Dot("late"+s.goName).Call(jen.Id("b"), jen.Id("lines"), jen.Id("ri"), jen.Id("r"), jen.Lit(view))
		}
		acc.fail = func(view string, f jen.Code) jen.Code {
			return jen.Id("p").Dot("fail"+s.goName).Call(jen.Id("b"), jen.Id("lines"), jen.Id("ri"), jen.Id("r"), jen.Lit(view), f)
		}
		acc.failRow = func(view string, f jen.Code) jen.Code {
			return jen.Id("p").Dot("fail"+s.goName).Call(jen.Nil(), jen.Nil(), jen.Lit(0), jen.Id("r"), jen.Lit(view), f)
		}
	}
	var body []jen.Code
	if g.comb.Combines() {
		body = append(body, jen.Id("p").Dot("mergePart").Call(jen.Id("pt"), jen.Id("start")))
	}
	if packedPart(s) {
		body = append(body,
			jen.List(jen.Id("rows"), jen.Id("b")).Op(":=").List(jen.Id("pt").Dot("rows"), jen.Id("pt").Dot("b")),
			jen.List(jen.Id("_"), jen.Id("_")).Op("=").List(jen.Id("b"), jen.Id("start")),
		)
	} else {
		body = append(body,
			jen.List(jen.Id("rows"), jen.Id("b"), jen.Id("lines")).Op(":=").List(jen.Id("pt").Dot("rows"), jen.Id("pt").Dot("b"), jen.Id("pt").Dot("lines")),
			jen.List(jen.Id("_"), jen.Id("_"), jen.Id("_")).Op("=").List(jen.Id("b"), jen.Id("lines"), jen.Id("start")),
		)
	}
	body = append(body, g.fusedLoop(s, acc)...)
	g.f.Comment(fmt.Sprintf("processPart%s runs every view over source %s on the rows of a part, as Process%s does", s.goName, commentLines(s.src.Name)[0], s.goName))
	g.f.Comment("on a batch, but with the watermark before each row given: the larger of start (the watermark")
	g.f.Comment("before the part's batch) and the part's own.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("processPart"+s.goName).Params(jen.Id("pt").Op("*").Id(ptType), jen.Id("start").Int64()).Block(body...)
	g.f.Line()
}

// rowFuncs tells whether some view of source s runs as a function of its
// own in the loop (not Inline: rowFunc), whose failed rows are reported
// without the batch.
func rowFuncs(s *sourceInfo) bool {
	for _, o := range s.ops {
		if !o.op.Inline {
			return true
		}
	}
	return false
}

// partRecordCode generates partRecord<Source>: the row, with every column,
// of a typed source's record k of the chunk whose rows the worker is on.
func (g *generator) partRecordCode(s *sourceInfo, ptType string) {
	tb := s.src.Typed
	vals := jen.Dict{}
	for i, c := range s.src.Schema {
		v := jen.Id("r").Dot(tb.Fields[i])
		if c.Type.Nullable {
			v = rt("value.Of").Call(v)
		}
		vals[jen.Id(s.fields[i])] = v
	}
	var row jen.Code = jen.Id("r").Op(":=").Id("rec")
	if tb.Row != "" {
		row = jen.Id("r").Op(":=").Op("&").Id("rec").Dot(tb.Row)
	}
	g.f.Comment(fmt.Sprintf("partRecord%s is the row, with every column, of record k of the chunk whose rows the", s.goName))
	g.f.Comment("worker is on, for a late or failed row's report: the chunk's batches are reused, so the")
	g.f.Comment("runtime generates the record again by its number (job.Context.ChunkRecord). It tells the")
	g.f.Comment("Context the record's place in the chunk, so that the reports are replayed in input order")
	g.f.Comment("(job.Context.AtRecord).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("partRecord"+s.goName).Params(jen.Id("k").Int32()).Op("*").Id(s.rowType).Block(
		jen.Id("p").Dot("ctx").Dot("AtRecord").Call(jen.Int().Call(jen.Id("k"))),
		jen.List(jen.Id("rec"), jen.Id("ok")).Op(":=").Id("p").Dot("ctx").Dot("ChunkRecord").Call(jen.Int().Call(jen.Id("k"))).Assert(jen.Op("*").Add(rt(tb.Elem))),
		jen.If(jen.Op("!").Id("ok")).Block(
			jen.Panic(jen.Lit("partRecord"+s.goName+": the runtime cannot give the chunk's record again"))),
		row,
		jen.Return(jen.Op("&").Id(s.rowType).Values(vals)),
	)
	g.f.Line()
}

// columnarPartRecordCode generates partRecord<Source> for a column-batch
// source (Parquet) whose window the combiner folds: the row of record k of
// the chunk whose rows the worker is on, with the columns one engine
// decodes (the others zero), for the late report of a folded row whose
// partial's window the chunks before it closed (lateFolded). The chunk's
// batches are reused as its unit is read, so the runtime reads the unit
// again (job.Context.ChunkRecord, a job.UnitRecord); this is the only
// caller, on that rare path, and the rows folded keep nothing of their own.
func (g *generator) columnarPartRecordCode(s *sourceInfo) {
	tb := s.src.Typed
	vals := jen.Dict{}
	for i := range s.src.Schema {
		if !s.needed[i] && i != s.src.TimeCol {
			continue // never decoded, as in lines<Source>
		}
		vals[jen.Id(s.fields[i])] = jen.Id("batch").Dot("Columns").Index(jen.Lit(i)).Dot(tb.Fields[i]).Index(jen.Id("rec").Dot("Row"))
	}
	g.f.Comment(fmt.Sprintf("partRecord%s is the row of record k of the chunk whose rows the worker is on, with the", s.goName))
	g.f.Comment("columns the views read, for a folded row's late report: the chunk's column batches are")
	g.f.Comment("reused, so the runtime reads its unit again (job.Context.ChunkRecord). It tells the Context")
	g.f.Comment("the record's place in the chunk, so that the reports are replayed in input order")
	g.f.Comment("(job.Context.AtRecord).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("partRecord"+s.goName).Params(jen.Id("k").Int32()).Op("*").Id(s.rowType).Block(
		jen.Id("p").Dot("ctx").Dot("AtRecord").Call(jen.Int().Call(jen.Id("k"))),
		jen.List(jen.Id("rec"), jen.Id("ok")).Op(":=").Id("p").Dot("ctx").Dot("ChunkRecord").Call(jen.Int().Call(jen.Id("k"))).Assert(rt("job.UnitRecord")),
		jen.If(jen.Op("!").Id("ok")).Block(
			jen.Panic(jen.Lit("partRecord"+s.goName+": the runtime cannot read the chunk's record again"))),
		jen.Id("batch").Op(":=").Id("rec").Dot("Batch").Assert(jen.Op("*").Add(rt(tb.Elem))),
		jen.Return(jen.Op("&").Id(s.rowType).Values(vals)),
	)
	g.f.Line()
}

// pruneCode generates Prune: drop the groups whose key another worker owns.
func (g *generator) pruneCode(part physical.Partitioning) {
	var body []jen.Code
	drops := false // a group's list to remove
	for _, o := range g.ops {
		if j := o.op.Join; j != nil && j.Asof == nil && part.OpKeys[o.op.Index] >= 0 {
			// both sides' rows by the join key's pair that is the split key
			i := part.OpKeys[o.op.Index]
			kt := j.LeftKeys[i].Type()
			kt.Nullable = false // a key kept is never NULL: its field is the value
			for _, s := range g.joinSides(o) {
				body = append(body, jen.Id("p").Dot(o.name+s.name).Dot("Prune").Call(jen.Func().Params(jen.Id("k").Id(o.keyType())).Bool().Block(
					jen.Return(jen.Id("owns").Call(hashCode(rt("exchange.Seed"), jen.Id("k").Dot(fmt.Sprintf("K%d", i)), kt))))))
			}
			continue
		}
		if j := o.op.Join; j != nil && j.Asof != nil && part.OpKeys[o.op.Index] >= 0 {
			// an ASOF join's rows, of both sides, by the key pair that is the split key
			i := part.OpKeys[o.op.Index]
			kt := j.LeftKeys[i].Type()
			kt.Nullable = false // a key kept is never NULL: its field is the value
			body = append(body, jen.Id("p").Dot(o.name).Dot("Prune").Call(jen.Func().Params(jen.Id("k").Id(o.keyType())).Bool().Block(
				jen.Return(jen.Id("owns").Call(hashCode(rt("exchange.Seed"), jen.Id("k").Dot(fmt.Sprintf("K%d", i)), kt))))))
			continue
		}
		if o.op.Lookup != nil && o.op.InputUpdating && part.OpKeys[o.op.Index] >= 0 {
			// the held rows by their group key's column (physical.heldKey)
			in := o.inputs[0]
			c := part.OpKeys[o.op.Index]
			body = append(body, jen.Id("p").Dot(o.name+"Held").Dot("Prune").Call(jen.Func().Params(jen.Id("r").Op("*").Id(in.rowType)).Bool().Block(
				jen.Return(jen.Id("owns").Call(hashCode(rt("exchange.Seed"), jen.Id("r").Dot(in.fields[c]), in.op.Output[c].Type))))))
			continue
		}
		if o.op.TopN != nil && part.OpKeys[o.op.Index] >= 0 {
			body = append(body, g.topnPrune(o, part))
			continue
		}
		if o.op.Agg == nil || part.OpKeys[o.op.Index] < 0 {
			continue
		}
		k := part.OpKeys[o.op.Index]
		fieldName := o.keyFields[indexOf(o.keyIdx, k)]
		prune := func(grp jen.Code) jen.Code {
			return jen.Block(append([]jen.Code{
				// the one buffer, reused by every group (not shadowed)
				jen.Id("drop").Op("=").Id("drop").Index(jen.Empty(), jen.Lit(0)),
				jen.For(jen.Id("gi").Op(":=").Range().Add(grp).Dot("Count").Call()).Block(
					jen.If(jen.Op("!").Id("owns").Call(hashCode(rt("exchange.Seed"), jen.Add(grp).Dot("Key").Call(jen.Id("gi")).Dot(fieldName), o.op.Agg.Keys[k].Type()))).Block(
						jen.Id("drop").Op("=").Append(jen.Id("drop"), jen.Id("gi")))),
				jen.Add(grp).Dot("Remove").Call(jen.Id("drop")),
			}, relistDirty(o, grp)...)...)
		}
		st := jen.Id("p").Dot(o.name)
		if o.session {
			// a session's key is its group's
			body = append(body, jen.Add(st).Dot("Prune").Call(jen.Func().Params(jen.Id("k").Id(o.keyType())).Bool().Block(
				jen.Return(jen.Id("owns").Call(hashCode(rt("exchange.Seed"), jen.Id("k").Dot(fieldName), o.op.Agg.Keys[k].Type()))))))
			continue
		}
		drops = true
		if o.op.Windowed() || o.panes {
			body = append(body, jen.For(jen.Id("w").Op(":=").Lit(0).Op(";").Id("w").Op("<").Add(st).Dot("Len").Call().Op(";").Id("w").Op("++")).Block(
				jen.List(jen.Id("_"), jen.Id("grp")).Op(":=").Add(st).Dot("At").Call(jen.Id("w")),
				prune(jen.Id("grp"))))
		} else {
			body = append(body, jen.Block(jen.Id("grp").Op(":=").Add(st), prune(jen.Id("grp"))))
		}
	}
	if drops {
		body = append([]jen.Code{jen.Var().Id("drop").Index().Int32()}, body...)
	}
	if len(body) == 0 {
		body = append(body, jen.Id("_").Op("=").Id("owns"))
	}
	g.f.Comment("Prune drops the groups whose key the worker does not own (owns is false for its hash), after")
	g.f.Comment("a checkpoint's state was loaded into every worker (job.Partitioned).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("Prune").Params(jen.Id("owns").Func().Params(jen.Uint64()).Bool()).Block(body...)
	g.f.Line()
}

// exchanged is, for an operator whose input rows the workers exchange by a
// key of their own (physical.Partitioning.Exchanged), the input column whose
// hash picks the worker; -1 for the others and for a job on one engine.
func (g *generator) exchanged(o *opInfo) int {
	if !g.part.Partitioned() || g.sources[g.part.Source].input || g.part.Exchanged == nil {
		return -1
	}
	return g.part.Exchanged[o.op.Index]
}

// exchangeFields are the engine's fields for the second exchange: the
// worker it is and the rows it sends to each worker.
func (g *generator) exchangeFields() []jen.Code {
	var fields []jen.Code
	for _, o := range g.ops {
		if g.exchanged(o) < 0 {
			continue
		}
		if fields == nil {
			fields = append(fields, jen.List(jen.Id("xw"), jen.Id("xn")).Int().Comment("the worker this engine is and the workers (job.Exchanging); xn 0: one engine"))
		}
		fields = append(fields, jen.Id("x"+o.name).Index().Index().Id("x"+o.name+"Row").Comment("per worker, the input rows of "+o.what()+" it owns, from this worker's round"))
		if g.windowExchanged(o) {
			fields = append(fields, jen.Id("x"+o.name+"In").Index().Index().Id("x"+o.name+"Row").Comment("the rows every worker sent this one, merged by watermark at the exchange's end"))
		}
		if g.part.Prefilters(o.op) {
			fields = append(fields, jen.Id("xbest"+o.name).Index().Id(o.inputs[0].rowType).Comment("the best rows this worker sent "+o.what()+"'s owner, in order (xkeep"+o.fn+")"))
		}
	}
	return fields
}

// exchangeCode generates job.Exchanging for a plan whose aggregates over
// other views group by a key of their own (physical.Partitioning.Exchanged):
// their input rows, emitted on any worker, are sent to the worker owning
// their group. xchg<op> takes a row where push<op> would (emit of its input);
// after every worker has run the round, each pushes the rows sent to it,
// worker by worker, and emits its views' changes (Exchange, EndExchange).
func (g *generator) exchangeCode(s *sourceInfo) {
	var xs []*opInfo
	for _, o := range g.ops {
		if g.exchanged(o) >= 0 {
			xs = append(xs, o)
		}
	}
	if len(xs) == 0 {
		return
	}
	var set, reset []jen.Code
	levels := g.part.ExchangeLevels()
	take := make([][]jen.Code, levels+1) // per level, the rows taken
	for _, o := range xs {
		in := o.inputs[0]
		lv := g.part.Levels[o.op.Index]
		col := g.exchanged(o)
		rowT := "x" + o.name + "Row"
		rf := []jen.Code{jen.Id("r").Id(in.rowType)}
		params := []jen.Code{jen.Id("r").Op("*").Id(in.rowType)}
		vals := []jen.Code{jen.Op("*").Id("r")}
		pushArgs := []jen.Code{jen.Op("&").Id("x").Dot("r")}
		direct := []jen.Code{jen.Id("r")}
		if o.op.InputUpdating {
			rf = append(rf, jen.Id("w").Int64())
			params = append(params, jen.Id("w").Int64())
			vals = append(vals, jen.Id("w"))
			pushArgs = append(pushArgs, jen.Id("x").Dot("w"))
			direct = append(direct, jen.Id("w"))
		}
		if g.windowExchanged(o) {
			// the watermark its windows have before the row on one engine
			rf = append(rf, jen.Id("wm").Int64(), jen.Id("at").Add(rt("job.ReportMark")))
			vals = append(vals, g.watermarkExpr(o.op.Watermark), jen.Id("p").Dot("ctx").Dot("Mark").Call())
			if s := o.lateVia; s != nil {
				// the source's row it came from, in the sender's part until the
				// round ends: a late row is reported as it (LATE(source))
				rf = append(rf, jen.Id("src").Op("*").Id(s.rowType))
				vals = append(vals, jen.Id("p").Dot("src"+s.goName).Dot("cur"))
			}
		}
		g.f.Comment(fmt.Sprintf("%s is an input row of %s on its way to the worker owning its group.", rowT, o.what()))
		g.f.Type().Id(rowT).Struct(rf...)
		g.f.Line()
		owner := rt("exchange.Owner").Call(hashCode(rt("exchange.Seed"), jen.Id("r").Dot(in.fields[col]), in.op.Output[col].Type), jen.Id("p").Dot("xn"))
		group := "its group"
		if g.part.Gathers(o.op.Index) {
			// a global top-N: every row to the owner of its one partition
			owner = rt("exchange.Owner").Call(rt("exchange.Seed"), jen.Id("p").Dot("xn"))
			group = "its one partition"
		}
		var keep []jen.Code
		if g.part.Prefilters(o.op) {
			keep = append(keep, jen.If(jen.Op("!").Id("p").Dot("xkeep"+o.fn).Call(jen.Id("r"))).Block(jen.Return()))
			g.topnPrefilterCode(o)
			set = append(set, jen.Id("p").Dot("xbest"+o.name).Op("=").Nil())
		}
		g.f.Comment(fmt.Sprintf("xchg%s hands a row of %s to %s on the worker owning %s: kept", o.fn, in.what(), o.what(), group))
		g.f.Comment("for the end of the round, or run now on one engine.")
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("xchg" + o.fn).Params(params...).Block(append(append([]jen.Code{
			jen.If(jen.Id("p").Dot("xn").Op("<=").Lit(1)).Block(
				jen.Id("p").Dot("push"+o.fn).Call(direct...),
				jen.Return())}, keep...),
			jen.Id("o").Op(":=").Add(owner),
			jen.Id("p").Dot("x"+o.name).Index(jen.Id("o")).Op("=").Append(jen.Id("p").Dot("x"+o.name).Index(jen.Id("o")), jen.Id(rowT).Values(vals...)),
		)...)
		g.f.Line()
		set = append(set, jen.Id("p").Add(jen.Dot("x"+o.name)).Op("=").Make(jen.Index().Index().Id(rowT), jen.Id("n")))
		reset = append(reset, jen.For(jen.Id("i").Op(":=").Range().Id("p").Add(jen.Dot("x"+o.name))).Block(
			jen.Id("p").Add(jen.Dot("x"+o.name)).Index(jen.Id("i")).Op("=").Id("p").Add(jen.Dot("x"+o.name)).Index(jen.Id("i")).Index(jen.Empty(), jen.Lit(0))))
		if g.windowExchanged(o) {
			take[lv] = append(take[lv], jen.Id("p").Dot("x"+o.name+"In").Op("=").Append(jen.Id("p").Dot("x"+o.name+"In"), jen.Id("q").Dot("x"+o.name).Index(jen.Id("p").Dot("xw"))))
			continue
		}
		take[lv] = append(take[lv], jen.For(jen.Id("i").Op(":=").Range().Id("q").Add(jen.Dot("x"+o.name)).Index(jen.Id("p").Dot("xw"))).Block(
			jen.Id("x").Op(":=").Op("&").Id("q").Add(jen.Dot("x"+o.name)).Index(jen.Id("p").Dot("xw")).Index(jen.Id("i")),
			jen.Id("p").Dot("push"+o.fn).Call(pushArgs...)))
	}
	g.f.Var().Id("_").Add(rt("job.Exchanging")).Op("=").Parens(jen.Op("*").Id(coreType)).Parens(jen.Nil())
	g.f.Line()
	g.f.Comment("SetWorker makes the engine worker w of n, which sends the input rows of exchanged views")
	g.f.Comment("to their groups' owners (job.Exchanging).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("SetWorker").Params(jen.List(jen.Id("w"), jen.Id("n")).Int()).Block(
		append([]jen.Code{jen.List(jen.Id("p").Dot("xw"), jen.Id("p").Dot("xn")).Op("=").List(jen.Id("w"), jen.Id("n"))}, set...)...)
	g.f.Line()
	g.f.Comment("ResetExchange empties the rows the engine sends, keeping their capacity (job.Exchanging).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("ResetExchange").Params().Block(reset...)
	g.f.Line()
	g.f.Comment("ExchangeLevels is the number of exchanges after the source's: a view exchanged at level l")
	g.f.Comment("reads views of one exchanged at level l-1 (job.Exchanging).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("ExchangeLevels").Params().Int().Block(jen.Return(jen.Lit(levels)))
	g.f.Line()
	var cases, ends []jen.Code
	for lv := 1; lv <= levels; lv++ {
		cases = append(cases, jen.Case(jen.Lit(lv)).Block(take[lv]...))
		var end []jen.Code
		for _, o := range xs {
			if g.windowExchanged(o) && g.part.Levels[o.op.Index] == lv {
				end = append(end, jen.Id("p").Dot("xmerge"+o.fn).Call())
				g.windowMergeCode(o)
			}
		}
		if len(end) > 0 {
			ends = append(ends, jen.Case(jen.Lit(lv)).Block(end...))
		}
	}
	g.f.Comment("Exchange runs the views exchanged at level on the rows engine from sent to this one (job.Exchanging).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("Exchange").Params(jen.Id("from").Any(), jen.Id("level").Int()).Block(
		jen.Id("q").Op(":=").Id("from").Assert(jen.Op("*").Id(coreType)),
		jen.Switch(jen.Id("level")).Block(cases...))
	g.f.Line()
	var end []jen.Code
	if len(ends) > 0 {
		end = append(end, jen.Switch(jen.Id("level")).Block(ends...))
	}
	if s.updating {
		end = append(end, jen.Id("p").Dot("flush"+s.goName).Call())
	}
	if len(end) == 0 {
		end = append(end, jen.Id("_").Op("=").Id("level"))
	}
	g.f.Comment("EndExchange emits what the views exchanged at level changed, for the next level's (job.Exchanging).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("EndExchange").Params(jen.Id("level").Int()).Block(end...)
	g.f.Line()
}

// laterReports tells whether an operator reading other operators may report
// late rows (by LateRow, with no batch): one that watermarks drive.
func laterReports(g *generator) bool {
	for _, o := range g.ops {
		if o.src == nil && o.op.Fires() {
			return true
		}
	}
	return false
}

// relistDirty lists again, after Remove (which clears Dirty and moves
// groups), the kept groups of an updating aggregate whose changes wait to
// be emitted: a checkpoint's pending changes (EMIT AFTER WATERMARK,
// PERIODICALLY), marked dirty at load, must not be lost by the prune.
func relistDirty(o *opInfo, grp jen.Code) []jen.Code {
	if len(pendingOnLoad(o)) == 0 {
		return nil
	}
	return []jen.Code{jen.For(jen.Id("gi").Op(":=").Range().Add(grp).Dot("Count").Call()).Block(
		jen.If(jen.Add(grp).Dot("State").Call(jen.Id("gi")).Dot("dirty")).Block(
			jen.Add(grp).Dot("Dirty").Op("=").Append(jen.Add(grp).Dot("Dirty"), jen.Id("gi"))))}
}

// columnarRoute is Route's loop over a column batch (Parquet): each row
// built from the slices of the columns the views read, as lines<Source>
// builds it (columnarIngest), then add (its owner's part, its watermark);
// a row's record is its index in the chunk, for the order of the reports
// (the part's loop tells the Context each row's: job.Context.AtRecord).
func (g *generator) columnarRoute(s *sourceInfo, add []jen.Code) []jen.Code {
	tb := s.src.Typed
	vals := jen.Dict{}
	var cols []jen.Code
	for i, c := range s.src.Schema {
		if !s.needed[i] && i != s.src.TimeCol {
			continue
		}
		col := fmt.Sprintf("col%d", i)
		cols = append(cols, jen.Id(col).Op(":=").Id("batch").Dot("Columns").Index(jen.Lit(i)).Dot(tb.Fields[i]).Index(jen.Empty(), jen.Id("n")).Comment(commentLines(c.Name)[0]))
		vals[jen.Id(s.fields[i])] = jen.Id(col).Index(jen.Id("ri"))
	}
	body := []jen.Code{jen.Id("batch").Op(":=").Id("b").Dot("Typed").Assert(jen.Op("*").Add(rt(tb.Elem)))}
	if s.src.TimeCol >= 0 {
		body = append(body, jen.Comment("row groups skipped by their statistics move the watermark as their rows would have"),
			jen.If(jen.Id("batch").Dot("Skipped")).Block(
				jen.If(jen.Id("next").Op(":=").Id("batch").Dot("SkippedTime").Op("-").Lit(s.src.Delay), jen.Id("next").Op(">").Id("wm")).Block(
					jen.Id("wm").Op("=").Id("next"))))
	}
	body = append(body, jen.Id("n").Op(":=").Id("batch").Dot("Len"))
	body = append(body, cols...)
	rowType := s.rowType
	if slimPart(s) {
		rowType = "part" + s.goName + "Row"
	}
	loop := append([]jen.Code{jen.Id("r").Op(":=").Op("&").Id(rowType).Values(vals)}, add...)
	return append(body,
		jen.Comment("a row's record is known by its index in the chunk, for the order of its reports"),
		jen.Id("at").Op(":=").Id("pts").Index(jen.Lit(0)).Dot("n"),
		jen.For(jen.List(jen.Id("_"), jen.Id("pt")).Op(":=").Range().Id("pts")).Block(
			jen.Id("pt").Dot("n").Op("+=").Int32().Call(jen.Id("n"))),
		jen.For(jen.Id("ri").Op(":=").Range().Id("n")).Block(loop...))
}

// slimPart tells whether the rows of source s move between workers as the
// columns the views read (part<S>Row) rather than as its row type: a
// column batch's (Parquet) or a raw batch's (JSON, CSV: the decoder fills
// only those columns), unless a window reading it through views reports its
// late rows for LATE(source) as the row the loop is at (src<S>.cur, carried
// by pointer through the window's exchange until the round ends), which
// must then be the source's row. A late or failed row of a view fused into
// the loop is reported by its raw record (b, lines) or, for a column batch
// and for a row function's failed row, as the source's row made from the
// part's columns when it is reported.
func slimPart(s *sourceInfo) bool {
	if s.curRow {
		return false
	}
	return s.src.Typed == nil || s.src.Typed.Columnar
}

// packedPart tells whether the part rows of source s carry their record's
// index and watermark (a raw batch's slim rows, not a changelog's, whose
// weights the batch gives by the index slice; a typed source's rows, whose
// index is in the chunk): one append per routed row instead of three.
func packedPart(s *sourceInfo) bool {
	if s.recordCur() {
		return true // never a changelog
	}
	return s.src.Typed == nil && slimPart(s) && !s.src.Updating
}

// columnarPartColumn tells whether column c of a column-batch or raw-batch
// source s moves with its rows: those the views read (decoded), the event
// time, and those a projection copies (zero: never decoded, as on one
// engine).
func columnarPartColumn(s *sourceInfo, c int) bool {
	return s.needed[c] || c == s.src.TimeCol || stagesRead(s, c)
}
