package codegen

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/physical"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

func (o *opInfo) keyType() string { return o.name + "Key" }
func (o *opInfo) accType() string { return o.name + "Acc" }

// stateType is the Go type of the operator's state: open windows, or groups.
func (o *opInfo) stateType() *jen.Statement {
	if o.panes {
		return rt("window.Panes").Types(jen.Id(o.keyType()), jen.Id(o.accType()))
	}
	if o.session {
		return rt("window.Sessions").Types(jen.Id(o.keyType()), jen.Id(o.accType()))
	}
	if o.op.Windowed() {
		return rt("window.Windows").Types(jen.Id(o.keyType()), jen.Id(o.accType()))
	}
	return rt("window.Groups").Types(jen.Id(o.keyType()), jen.Id(o.accType()))
}

func (g *generator) pipelineStruct() {
	fields := []jen.Code{
		jen.Id("ctx").Op("*").Add(rt("job.Context")),
		jen.Id("json").Add(rt("jsonl.Scanner")),
		jen.Id("csv").Add(rt("csvrow.Splitter")),
		jen.Id("intern").Add(rt("jsonl.Interner")),
	}
	for _, s := range g.sources {
		src := []jen.Code{
			jen.Id("rows").Index().Id(s.rowType),
			jen.Id("lines").Index().Int32().Comment("index in the raw batch of each decoded row"),
			jen.Id("wm").Int64().Comment("watermark: max event time seen minus the declared delay"),
		}
		if s.partitioned() {
			src = append(src, jen.Id("pw").Op("*").Add(rt("window.PartitionWatermarks")).Comment("the watermark of each partition; wm is their minimum"))
		}
		if s.curRow {
			src = append(src, jen.Id("cur").Op("*").Id(s.rowType).Comment("the row the loop is at, late for views further down (LATE(source))"))
			if s.recordCur() {
				src = append(src, jen.Id("rec").Op("*").Add(rt(s.src.Typed.RowType)).Comment("or the typed record it is at, read in place (then cur is nil)"))
				if g.parallel() {
					src = append(src, jen.Id("partRec").Int32().Comment("or, in a worker's loop over a part (cur and rec nil), the record's index in its chunk"))
				}
			}
		}
		fields = append(fields, jen.Id("src"+s.goName).Struct(src...))
	}
	if g.procTime {
		fields = append(fields, jen.Id("now").Int64().Comment("processing time (µs since the epoch) of the batch being processed; it never goes back"))
	}
	for _, o := range g.ops {
		if o.op.Agg != nil {
			fields = append(fields, jen.Id(o.name).Op("*").Add(o.stateType()).Comment("state of "+o.what()))
		}
		if o.op.TopN != nil {
			fields = append(fields, g.topnFields(o)...)
		}
		if o.src == nil && o.op.Windowed() {
			fields = append(fields, jen.Id(o.name+"WM").Int64().Comment("the watermark its windows closed at"))
		}
		if periodic(o) {
			fields = append(fields, jen.Id(o.name+"Tick").Int64().Comment("the last period (watermark / period) it emitted in"))
		}
		if o.op.Lookup != nil {
			fields = append(fields, jen.Id(o.name).Op("*").Add(o.lookupType()).Comment("the table cache of "+o.what()))
			if o.op.InputUpdating {
				fields = append(fields, jen.Id(o.name+"Held").Op("*").Add(rt("lookup.Held")).Types(jen.Id(o.inputs[0].rowType), jen.Id(o.tableRowType())).Comment("the table rows each input row's insertion met"))
			}
		}
		if o.op.Join != nil && o.op.Join.Asof != nil {
			fields = append(fields, jen.Id(o.name).Op("*").Add(o.asofType()).Comment("state of "+o.what()))
		} else if o.op.Join != nil {
			for _, s := range g.joinSides(o) {
				fields = append(fields, jen.Id(o.name+s.name).Op("*").Add(o.sideType(s)).Comment("rows of the "+sides[s.i]+" input of "+o.what()))
			}
			if o.op.Join.Interval != nil {
				fields = append(fields, jen.Id(o.name+"WM").Index(jen.Lit(2)).Int64().Comment("the watermarks of its inputs' bound columns"))
			}
			if o.ttl() {
				fields = append(fields, jen.Id(o.name+"WM").Index(jen.Lit(2)).Int64().Comment("the watermarks of its inputs, by which its rows expire (state_ttl)"),
					jen.Id(o.name+"Expired").Int64().Comment("rows it dropped by state_ttl"))
			}
		}
		fields = append(fields, jen.Id(o.name+"Out").Int64().Comment("rows "+o.what()+" emitted, for explain --analyze"))
		if o.op.View != nil {
			fields = append(fields, jen.Id(o.name+"Sinks").Index().Op("*").Qual(pkgJob, "SinkWriter"))
			fields = append(fields, jen.Id(o.name+"Subs").Add(rt("laminar.Subscribers")).Types(jen.Id(o.rowType)).Comment("callbacks of an embedding program"))
		}
	}
	fields = append(fields, g.exchangeFields()...)
	if g.backend == "badger" {
		fields = append(fields,
			jen.Id("kv").Op("*").Add(rt("kvstate.Store")).Comment("keyed state of GROUP BYs without a window"),
			jen.Id("kvErr").Error().Comment("the first error of the store, reported at the next checkpoint"),
			jen.List(jen.Id("kbuf"), jen.Id("vbuf")).Index().Byte())
		for _, o := range g.ops {
			if g.kvBacked(o) {
				fields = append(fields, jen.Id(o.name+"KV").Op("*").Add(rt("kvstate.Table")))
			}
		}
	}
	g.f.Comment("engine runs every view of the pipeline. It is used from one goroutine at a time.")
	g.f.Type().Id(coreType).Struct(fields...)
	g.f.Line()

	// New
	body := []jen.Code{jen.Id("p").Op(":=").Op("&").Id(coreType).Values(jen.Dict{jen.Id("ctx"): jen.Id("ctx")})}
	for _, s := range g.sources {
		body = append(body, jen.Id("p").Dot("src"+s.goName).Dot("wm").Op("=").Qual("math", "MinInt64"))
		if s.partitioned() {
			body = append(body, jen.Id("p").Dot("src"+s.goName).Dot("pw").Op("=").Add(rt("window.NewPartitionWatermarks")).Call())
		}
	}
	for _, o := range g.ops {
		if o.src == nil && o.op.Windowed() {
			body = append(body, jen.Id("p").Dot(o.name+"WM").Op("=").Qual("math", "MinInt64"))
		}
		if periodic(o) {
			body = append(body, jen.Id("p").Dot(o.name+"Tick").Op("=").Qual("math", "MinInt64"))
		}
		if o.op.Lookup != nil {
			body = append(body, g.lookupNew(o))
			if o.op.InputUpdating {
				body = append(body, jen.Id("p").Dot(o.name+"Held").Op("=").Add(rt("lookup.NewHeld")).Types(jen.Id(o.inputs[0].rowType), jen.Id(o.tableRowType())).Call())
			}
		}
		if o.op.Join != nil && o.op.Join.Asof != nil {
			body = append(body, o.asofNew())
		} else if o.op.Join != nil {
			for _, s := range g.joinSides(o) {
				newSide := "join.NewSide"
				if o.keyedSides() {
					newSide = "join.NewKeyedSide"
				} else if o.growingSides() {
					newSide = "join.NewGrowingSide"
				}
				body = append(body, jen.Id("p").Dot(o.name+s.name).Op("=").Add(rt(newSide)).Types(jen.Id(o.keyType()), jen.Id(s.in.rowType)).Call())
				if g.linkedBy(o, s) {
					body = append(body, g.joinKeyless(o, s))
				}
			}
			if o.op.Join.Interval != nil || o.ttl() {
				body = append(body, jen.Id("p").Dot(o.name+"WM").Op("=").Index(jen.Lit(2)).Int64().Values(jen.Qual("math", "MinInt64"), jen.Qual("math", "MinInt64")))
			}
		}
		if o.op.TopN != nil {
			body = append(body, g.topnNew(o)...)
		}
		if o.op.Agg != nil {
			if o.session {
				body = append(body, g.newSessions(o))
			} else if o.panes {
				w := o.op.Window()
				body = append(body, jen.Id("p").Dot(o.name).Op("=").Add(rt("window.NewPanes")).Types(jen.Id(o.keyType()), jen.Id(o.accType())).Call(jen.Lit(w.Slide), jen.Lit(w.Size), jen.Lit(w.Offset)))
			} else if o.op.Windowed() {
				body = append(body, jen.Id("p").Dot(o.name).Op("=").Add(rt("window.NewWindows")).Types(jen.Id(o.keyType()), jen.Id(o.accType())).Call(jen.Lit(o.op.Window().Size)))
			} else {
				body = append(body, jen.Id("p").Dot(o.name).Op("=").Add(rt("window.NewGroups")).Types(jen.Id(o.keyType()), jen.Id(o.accType())).Call())
				if len(o.op.Agg.Keys) == 0 {
					// without GROUP BY the one group exists before any row, as in batch SQL;
					// a block of its own, as several views may be global aggregates
					body = append(body, jen.Block(
						jen.List(jen.Id("gi"), jen.Id("_")).Op(":=").Id("p").Dot(o.name).Dot("Find").Call(jen.Id(o.keyType()).Values()),
						jen.Id("p").Dot(o.name).Dot("State").Call(jen.Id("gi")).Dot("dirty").Op("=").True(),
						jen.Id("p").Dot(o.name).Dot("Dirty").Op("=").Append(jen.Id("p").Dot(o.name).Dot("Dirty"), jen.Id("gi"))))
				}
			}
		}
		if o.op.View == nil {
			continue
		}
		var sinks []jen.Code
		for _, si := range o.op.Sinks {
			sinks = append(sinks, jen.Id("ctx").Dot("Sinks").Index(jen.Lit(si)))
		}
		body = append(body, jen.Id("p").Dot(o.name+"Sinks").Op("=").Index().Op("*").Qual(pkgJob, "SinkWriter").Values(sinks...))
	}
	body = append(body, jen.Return(jen.Id("p")))
	g.f.Comment("newEngine builds the pipeline over the runtime's context.")
	g.f.Func().Id("newEngine").Params(jen.Id("ctx").Op("*").Add(rt("job.Context"))).Op("*").Id(coreType).Block(body...)
	g.f.Line()
	g.f.Comment("New builds the pipeline over the runtime's context; it is the job's job.Factory.")
	g.f.Func().Id("New").Params(jen.Id("ctx").Op("*").Add(rt("job.Context"))).Add(rt("job.Pipeline")).Block(jen.Return(jen.Id("newEngine").Call(jen.Id("ctx"))))
	g.f.Line()

	// ProcessLines / EndOfInput dispatch
	var cases, ends []jen.Code
	for _, s := range g.sources {
		cases = append(cases, jen.Case(jen.Lit(s.idx)).Block(jen.Id("p").Dot("lines"+s.goName).Call(jen.Id("b"))))
		ends = append(ends, jen.Case(jen.Lit(s.idx)).Block(jen.Id("p").Dot("end"+s.goName).Call()))
	}
	g.f.Comment("ProcessLines decodes and processes a batch of raw records of source src.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("ProcessLines").Params(jen.Id("src").Int(), jen.Id("b").Op("*").Add(rt("connector.LineBatch"))).Block(
		jen.Switch(jen.Id("src")).Block(cases...))
	g.f.Line()
	g.f.Comment("EndOfInput moves source src's watermark to +infinity: every window over it closes.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("EndOfInput").Params(jen.Id("src").Int()).Block(
		jen.Switch(jen.Id("src")).Block(ends...))
	g.f.Line()
}

// sourceCode generates, for one source: the decoder, the batch entry point,
// the fused per-row loop of all its views, watermark firing and end of input.
func (g *generator) sourceCode(s *sourceInfo) {
	g.f.Comment(fmt.Sprintf("late%s reports row ri of a batch of source %s as late for view.", s.goName, commentLines(s.src.Name)[0]))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("late"+s.goName).Params(
		jen.Id("b").Op("*").Add(rt("connector.LineBatch")), jen.Id("lines").Index().Int32(), jen.Id("ri").Int(), jen.Id("r").Op("*").Id(s.rowType), jen.Id("view").String(),
	).Block(
		g.lateForward(s),
		jen.If(jen.Id("b").Op("==").Nil().Op("||").Len(jen.Id("b").Dot("Lines")).Op("==").Lit(0)).Block(
			jen.Id("p").Dot("ctx").Dot("LateRow").Call(jen.Lit(s.idx), jen.Id("view"), jen.Id("append"+s.rowType).Call(jen.Nil(), jen.Id("r"))),
			jen.Return()),
		jen.Id("p").Dot("ctx").Dot("Late").Call(jen.Lit(s.idx), jen.Id("b"), jen.Int().Call(jen.Id("lines").Index(jen.Id("ri"))), jen.Id("view")),
	)
	g.f.Line()
	g.f.Comment(fmt.Sprintf("fail%s sets row ri of a batch of source %s aside: a checked operation of view failed.", s.goName, commentLines(s.src.Name)[0]))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("fail"+s.goName).Params(
		jen.Id("b").Op("*").Add(rt("connector.LineBatch")), jen.Id("lines").Index().Int32(), jen.Id("ri").Int(), jen.Id("r").Op("*").Id(s.rowType), jen.Id("view").String(), jen.Id("f").Add(rt("value.Fault")),
	).Block(
		jen.If(jen.Id("b").Op("==").Nil().Op("||").Len(jen.Id("b").Dot("Lines")).Op("==").Lit(0)).Block(
			jen.Id("p").Dot("ctx").Dot("RowFailedRow").Call(jen.Lit(s.idx), jen.Id("view"), jen.Id("append"+s.rowType).Call(jen.Nil(), jen.Id("r")), jen.Id("f")),
			jen.Return()),
		jen.Id("p").Dot("ctx").Dot("RowFailed").Call(jen.Lit(s.idx), jen.Id("b"), jen.Int().Call(jen.Id("lines").Index(jen.Id("ri"))), jen.Id("view"), jen.Id("f")),
	)
	g.f.Line()
	if s.src.Typed != nil {
		g.typedIngest(s)
	} else {
		g.decoder(s)
		g.linesCode(s)
	}
	g.processCode(s)
}

// linesCode generates lines<Source>: decode a raw batch, then process it.
func (g *generator) linesCode(s *sourceInfo) {
	self := jen.Id("p").Dot("src" + s.goName)
	// lines<Source>: decode the batch, then run the fused loop over it
	decode := "decode" + s.rowType + "JSON"
	decArgs := []jen.Code{jen.Op("&").Id("p").Dot("json"), jen.Op("&").Id("p").Dot("intern"), jen.Id("line"), jen.Op("&").Id("rows").Index(jen.Len(jen.Id("rows")).Op("-").Lit(1))}
	if s.src.Format == "csv" {
		decode = "decode" + s.rowType + "CSV"
		decArgs[0] = jen.Op("&").Id("p").Dot("csv")
		decArgs = append(decArgs, jen.Id("b").Dot("LineNos").Index(jen.Id("i")))
	}
	if s.src.Metadata != nil {
		decode = "decode" + s.rowType
		decArgs = append(decArgs, jen.Id("b"), jen.Id("i"))
	}
	checks := decoderChecksText(s.src)
	g.f.Comment(fmt.Sprintf("lines%s decodes a batch of raw records of source %s and processes it.", s.goName, commentLines(s.src.Name)[0]))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("lines" + s.goName).Params(jen.Id("b").Op("*").Add(rt("connector.LineBatch"))).BlockFunc(func(body *jen.Group) {
		body.List(jen.Id("rows"), jen.Id("lines")).Op(":=").List(jen.Add(self).Dot("rows").Index(jen.Empty(), jen.Lit(0)), jen.Add(self).Dot("lines").Index(jen.Empty(), jen.Lit(0)))
		if checks {
			body.Var().Id("invalid").Int64().Comment("records with invalid text (the text policy), counted as they decode")
		}
		body.For(jen.List(jen.Id("i"), jen.Id("line")).Op(":=").Range().Id("b").Dot("Lines")).BlockFunc(func(loop *jen.Group) {
			loop.Id("rows").Op("=").Append(jen.Id("rows"), jen.Id(s.rowType).Values())
			loop.If(jen.Id("err").Op(":=").Id(decode).Call(decArgs...), jen.Id("err").Op("!=").Nil()).BlockFunc(func(bad *jen.Group) {
				bad.Id("rows").Op("=").Id("rows").Index(jen.Empty(), jen.Len(jen.Id("rows")).Op("-").Lit(1))
				if checks {
					bad.Add(textCount(nil, false))
				}
				bad.If(jen.Id("err").Op("!=").Id("errHeader")).Block(
					jen.Id("p").Dot("ctx").Dot("Malformed").Call(jen.Lit(s.idx), jen.Id("b"), jen.Id("i"), jen.Id("err")))
				bad.Continue()
			})
			if checks {
				loop.Add(textCount(jen.Id("p").Dot("json"), true))
			}
			loop.Id("lines").Op("=").Append(jen.Id("lines"), jen.Int32().Call(jen.Id("i")))
		})
		if checks {
			body.Id("b").Dot("InvalidText").Op("=").Id("invalid")
		}
		body.List(jen.Add(self).Dot("rows"), jen.Add(self).Dot("lines")).Op("=").List(jen.Id("rows"), jen.Id("lines"))
		body.Id("p").Dot("Process"+s.goName).Call(jen.Id("rows"), jen.Id("b"), jen.Id("lines"))
	})
	g.f.Line()
}

// typedIngest generates lines<Source> for a typed source (the Nexmark
// generator, say): the fused loop runs over the batch's records themselves,
// reading their fields in place, with no copy into rows.
func (g *generator) typedIngest(s *sourceInfo) {
	tb := s.src.Typed
	if tb.Columnar {
		g.columnarIngest(s)
		return
	}
	env := make([]operand, len(s.src.Schema))
	vals := jen.Dict{}
	for i, c := range s.src.Schema {
		v := jen.Id("r").Dot(tb.Fields[i])
		if c.Type.Nullable {
			v = rt("value.Of").Call(v)
		}
		env[i] = operand{v, c.Type.Nullable}
		vals[jen.Id(s.fields[i])] = v
	}
	row := []jen.Code{jen.Id("ev").Op(":=").Op("&").Id("records").Index(jen.Id("ri"))}
	if tb.Filter != "" {
		row = append(row, jen.If(jen.Id("ev").Dot(tb.Filter).Op("!=").Add(rt(tb.FilterValue))).Block(jen.Continue()))
	}
	if tb.Row != "" {
		row = append(row, jen.Id("r").Op(":=").Op("&").Id("ev").Dot(tb.Row))
	} else {
		row = append(row, jen.Id("r").Op(":=").Id("ev"))
	}
	body := []jen.Code{jen.Id("records").Op(":=").Op("*").Id("b").Dot("Typed").Assert(jen.Op("*").Index().Add(rt(tb.Elem)))}
	body = append(body, g.fusedLoop(s, rowAccess{
		over:    jen.Id("records"),
		rowType: rt(tb.RowType),
		record:  true,
		prefix:  "record",
		row:     row,
		env:     env,
		late: func(view string) jen.Code {
			return jen.Id("p").Dot("late"+s.goName).Call(jen.Nil(), jen.Nil(), jen.Id("ri"), jen.Op("&").Id(s.rowType).Values(vals), jen.Lit(view))
		},
		fail: func(view string, f jen.Code) jen.Code {
			return jen.Id("p").Dot("fail"+s.goName).Call(jen.Nil(), jen.Nil(), jen.Lit(0), jen.Op("&").Id(s.rowType).Values(vals), jen.Lit(view), f)
		},
	})...)
	g.f.Comment(fmt.Sprintf("lines%s runs every view over source %s on the records of a batch of its", s.goName, commentLines(s.src.Name)[0]))
	g.f.Comment("typed connector, reading their fields in place.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("lines" + s.goName).Params(jen.Id("b").Op("*").Add(rt("connector.LineBatch"))).Block(body...)
	g.f.Line()
}

// columnarIngest generates lines<Source> for a source whose batches hold
// columns (Parquet): the fused loop builds each row from the slices of the
// columns the views read, in place, with no decoding.
func (g *generator) columnarIngest(s *sourceInfo) {
	tb := s.src.Typed
	self := jen.Id("p").Dot("src" + s.goName)
	env := make([]operand, len(s.src.Schema))
	vals := jen.Dict{}
	var cols []jen.Code
	for i, c := range s.src.Schema {
		if !s.needed[i] && i != s.src.TimeCol {
			env[i] = operand{jen.Id("r").Dot(s.fields[i]), c.Type.Nullable} // never read
			continue
		}
		col := fmt.Sprintf("col%d", i)
		cols = append(cols, jen.Id(col).Op(":=").Id("batch").Dot("Columns").Index(jen.Lit(i)).Dot(tb.Fields[i]).Index(jen.Empty(), jen.Id("n")).Comment(commentLines(c.Name)[0]))
		vals[jen.Id(s.fields[i])] = jen.Id(col).Index(jen.Id("ri"))
		env[i] = operand{jen.Id("r").Dot(s.fields[i]), c.Type.Nullable}
	}
	body := []jen.Code{jen.Id("batch").Op(":=").Id("b").Dot("Typed").Assert(jen.Op("*").Add(rt(tb.Elem)))}
	if s.src.TimeCol >= 0 {
		// row groups the reader skipped by their statistics move the
		// watermark as their rows would have
		adv := []jen.Code{jen.Add(self).Dot("wm").Op("=").Id("next")}
		if s.windowed {
			adv = append(adv, jen.Id("p").Dot("fire"+s.goName).Call(jen.Id("next")))
		}
		body = append(body, jen.Comment("row groups skipped by their statistics move the watermark as their rows would have"),
			jen.If(jen.Id("batch").Dot("Skipped")).Block(
				jen.If(jen.Id("next").Op(":=").Id("batch").Dot("SkippedTime").Op("-").Lit(s.src.Delay), jen.Id("next").Op(">").Add(self).Dot("wm")).Block(adv...)))
	}
	row := []jen.Code{jen.Id("r").Op(":=").Op("&").Id(s.rowType).Values(vals)}
	loop := g.fusedLoop(s, rowAccess{
		over:    jen.Id("n"),
		rowType: jen.Id(s.rowType),
		prefix:  "record",
		row:     row,
		env:     env,
		late: func(view string) jen.Code {
			return jen.Id("p").Dot("late"+s.goName).Call(jen.Nil(), jen.Nil(), jen.Id("ri"), jen.Id("r"), jen.Lit(view))
		},
		fail: func(view string, f jen.Code) jen.Code {
			return jen.Id("p").Dot("fail"+s.goName).Call(jen.Nil(), jen.Nil(), jen.Lit(0), jen.Id("r"), jen.Lit(view), f)
		},
	})
	if len(s.ops) > 0 || s.src.TimeCol >= 0 {
		body = append(body, jen.Id("n").Op(":=").Id("batch").Dot("Len"))
		body = append(body, cols...)
	}
	body = append(body, loop...)
	g.f.Comment(fmt.Sprintf("lines%s runs every view over source %s on a batch of its columns,", s.goName, commentLines(s.src.Name)[0]))
	g.f.Comment("reading the values of the columns the views read in place.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("lines" + s.goName).Params(jen.Id("b").Op("*").Add(rt("connector.LineBatch"))).Block(body...)
	g.f.Line()
}

// rowAccess says how an operator's per-row code reaches the current row: the
// loop header, the statements that name the row, the operands of its columns,
// the weight of an updating input, and the report of a late row.
type rowAccess struct {
	over jen.Code // what the loop ranges over, row ri of it
	row  []jen.Code
	env  []operand
	// rowType is the type of r, the row the env reads, and prefix names the
	// per-operator row functions of a loop that does not inline them.
	rowType jen.Code
	prefix  string
	weight  jen.Code // nil for append-only input
	// partition is the row's partition, for a source with a watermark per
	// partition; nil for the others
	partition jen.Code
	late      func(view string) jen.Code
	// fail sets the row aside for view with fault f (a checked operation
	// failed); failRow does it without the batch's locals, from a row
	// function, with the row encoded instead of its raw record.
	fail, failRow func(view string, f jen.Code) jen.Code
	// wmGiven: the watermark before each row is set by row (a worker's
	// ProcessPart, codegen/parallel.go), not advanced by the loop, and the
	// changes of updating views are emitted at the end of a round, not here.
	wmGiven bool
	// record: r is a typed connector's record, read in place (typedIngest)
	record bool
	// line is, in a worker's loop over a typed source's part, the index in
	// its chunk of row ri's record (in the row: packedPart)
	line jen.Code
}

// fusedLoop is one loop over a batch that runs every view over source s,
// advances the source's watermark row by row, and at the end of the batch
// emits the changes of updating views.
func (g *generator) fusedLoop(s *sourceInfo, acc rowAccess) []jen.Code {
	self := jen.Id("p").Dot("src" + s.goName)
	tmp := 0
	loop := append([]jen.Code{}, acc.row...)
	switch {
	case s.curRow && !acc.wmGiven && acc.record:
		loop = append(loop, jen.List(jen.Add(self).Dot("rec"), jen.Add(self).Dot("cur")).Op("=").List(jen.Id("r"), jen.Nil()))
	case s.curRow && !acc.wmGiven && s.recordCur():
		loop = append(loop, jen.List(jen.Add(self).Dot("rec"), jen.Add(self).Dot("cur")).Op("=").List(jen.Nil(), jen.Id("r")))
	case s.curRow && !acc.wmGiven:
		loop = append(loop, jen.Add(self).Dot("cur").Op("=").Id("r"))
	case s.curRow && s.recordCur():
		// a worker's loop over a part: the typed record is generated again
		// by its index in the chunk if a view further down finds it late
		loop = append(loop, jen.Add(self).Dot("partRec").Op("=").Add(acc.line))
	case s.curRow:
		loop = append(loop, jen.Add(self).Dot("cur").Op("=").Id("r"))
	}
	if s.src.TimeCol >= 0 && (!acc.wmGiven || s.windowed) {
		loop = append(loop, jen.Id("wm").Op(":=").Add(self).Dot("wm"))
	}
	for _, o := range s.ops {
		if o.op.Inline {
			loop = append(loop, g.opRow(o, &tmp, acc)...)
			continue
		}
		loop = append(loop, g.rowFunc(o, acc))
	}
	if s.src.TimeCol >= 0 && !acc.wmGiven {
		ts := acc.env[s.src.TimeCol].code
		adv := []jen.Code{jen.Add(self).Dot("wm").Op("=").Id("next")}
		if s.windowed {
			adv = append(adv, jen.Id("p").Dot("fire"+s.goName).Call(jen.Id("next")))
		}
		next := jen.Add(ts).Op("-").Lit(s.src.Delay)
		if acc.partition != nil {
			// the minimum over the partitions' watermarks
			next = jen.Add(self).Dot("pw").Dot("Observe").Call(acc.partition, next)
		}
		loop = append(loop, jen.Comment("the watermark advances row by row, so lateness does not depend on batch sizes"),
			jen.If(jen.Id("next").Op(":=").Add(next), jen.Id("next").Op(">").Id("wm")).Block(adv...))
	}
	var body []jen.Code
	if g.procTime {
		// a batch is processed at one instant, read before its rows
		body = append(body, jen.Id("p").Dot("ProcessingTime").Call(jen.Id("p").Dot("ctx").Dot("Now").Call()))
	}
	if acc.partition != nil && s.src.TimeCol >= 0 {
		// the partitions the source has, and which are idle, move it too
		adv := []jen.Code{jen.Add(self).Dot("wm").Op("=").Id("wm")}
		if s.windowed {
			adv = append(adv, jen.Id("p").Dot("fire"+s.goName).Call(jen.Id("wm")))
		}
		body = append(body, jen.If(jen.Id("b").Op("!=").Nil()).Block(
			jen.If(jen.Id("wm").Op(":=").Add(self).Dot("pw").Dot("Sync").Call(jen.Id("b").Dot("AllPartitions"), jen.Id("b").Dot("IdlePartitions")), jen.Id("wm").Op(">").Add(self).Dot("wm")).Block(adv...)))
	}
	if len(s.ops) > 0 || s.src.TimeCol >= 0 {
		// views that read no column of the row (SELECT COUNT(*) FROM s)
		// name neither r nor, then, ri: the loop leaves them out
		loop = dropUnusedDecl(loop, "r")
		if acc.wmGiven {
			// a worker's loop over a part advances the watermark before
			// each row; the views may not read it (a join's fire does)
			loop = dropUnusedDecl(loop, "wm")
		}
		header := jen.Range().Add(acc.over)
		if usesIdent(loop, "ri") {
			header = jen.Id("ri").Op(":=").Add(header)
		}
		body = append(body, jen.For(header).Block(loop...))
	}
	if s.updating && !acc.wmGiven {
		body = append(body, jen.Id("p").Dot("flush"+s.goName).Call())
	}
	return body
}

// processCode generates the fused loop and the watermark, firing and
// end-of-input code of a source.
func (g *generator) processCode(s *sourceInfo) {
	self := jen.Id("p").Dot("src" + s.goName)
	// Process<Source>: the fused loop
	env := make([]operand, len(s.src.Schema))
	for i, c := range s.src.Schema {
		env[i] = operand{jen.Id("r").Dot(s.fields[i]), c.Type.Nullable}
	}
	row := []jen.Code{jen.Id("r").Op(":=").Op("&").Id("rows").Index(jen.Id("ri"))}
	var weight, partition jen.Code
	if s.partitioned() {
		partition = jen.Id("b").Dot("RowPartition").Call(jen.Id("lines"), jen.Id("ri"))
	}
	if s.src.Updating {
		// an updating source (CDC, a changelog format): each row's weight
		row = append(row, jen.Id("w").Op(":=").Id("b").Dot("RowWeight").Call(jen.Id("lines"), jen.Id("ri")))
		weight = jen.Id("w")
	}
	body := g.fusedLoop(s, rowAccess{
		over:      jen.Id("rows"),
		rowType:   jen.Id(s.rowType),
		prefix:    "row",
		row:       row,
		weight:    weight,
		partition: partition,
		env:       env,
		late: func(view string) jen.Code {
			return jen.Id("p").Dot("late"+s.goName).Call(jen.Id("b"), jen.Id("lines"), jen.Id("ri"), jen.Id("r"), jen.Lit(view))
		},
		fail: func(view string, f jen.Code) jen.Code {
			return jen.Id("p").Dot("fail"+s.goName).Call(jen.Id("b"), jen.Id("lines"), jen.Id("ri"), jen.Id("r"), jen.Lit(view), f)
		},
		failRow: func(view string, f jen.Code) jen.Code {
			return jen.Id("p").Dot("fail"+s.goName).Call(jen.Nil(), jen.Nil(), jen.Lit(0), jen.Id("r"), jen.Lit(view), f)
		},
	})
	g.f.Comment(fmt.Sprintf("Process%s runs every view over source %s on a batch of typed rows, in", s.goName, commentLines(s.src.Name)[0]))
	g.f.Comment("one fused loop. b and lines locate each row's raw record for late-data reports; both may be nil.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("Process"+s.goName).Params(
		jen.Id("rows").Index().Id(s.rowType), jen.Id("b").Op("*").Add(rt("connector.LineBatch")), jen.Id("lines").Index().Int32(),
	).Block(body...)
	g.f.Line()

	// fire<Source>: close windows the watermark has passed
	if s.windowed {
		var fire []jen.Code
		for _, o := range s.fires {
			if o.op.Inline {
				fire = append(fire, g.closeWindows(o)...)
				continue
			}
			fire = append(fire, jen.Id("p").Dot("fire"+o.fn).Call(jen.Id("wm")))
			g.f.Comment(fmt.Sprintf("fire%s closes, in order, every window of %s whose end the watermark wm has reached.", o.fn, o.what()))
			g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("fire" + o.fn).Params(jen.Id("wm").Int64()).Block(g.closeWindows(o)...)
			g.f.Line()
		}
		if len(s.propagate) > 0 {
			fire = append(fire, jen.Id("p").Dot("propagate"+s.goName).Call())
		}
		g.f.Comment(fmt.Sprintf("fire%s closes, in order, every window whose end the watermark wm has reached.", s.goName))
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("fire" + s.goName).Params(jen.Id("wm").Int64()).Block(fire...)
		g.f.Line()
	}
	if len(s.propagate) > 0 {
		var prop []jen.Code
		for _, o := range s.propagate {
			if o.op.Join != nil {
				// an interval join drops rows by the watermark of each input
				wm := o.op.SideWatermarks
				prop = append(prop, jen.Id("p").Dot("fire"+o.fn).Call(jen.Index(jen.Lit(2)).Int64().Values(g.watermarkExpr(wm[0]), g.watermarkExpr(wm[1]))))
				continue
			}
			due := jen.Id("wm").Op(">").Id("p").Dot(o.name + "WM")
			if g.windowExchanged(o) {
				// on workers its rows and windows are the exchange's (xmerge)
				due = jen.Id("p").Dot("xn").Op("<=").Lit(1).Op("&&").Add(due)
			}
			prop = append(prop, jen.If(jen.Id("wm").Op(":=").Add(g.watermarkExpr(o.op.Watermark)), due).Block(
				jen.Id("p").Dot(o.name+"WM").Op("=").Id("wm"),
				jen.Id("p").Dot("fire"+o.fn).Call(jen.Id("wm"))))
		}
		g.f.Comment(fmt.Sprintf("propagate%s moves the watermarks of the windowed operators further down the", s.goName))
		g.f.Comment(fmt.Sprintf("graph from source %s, in graph order, closing their windows.", commentLines(s.src.Name)[0]))
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("propagate" + s.goName).Params().Block(prop...)
		g.f.Line()
	}
	// flush<Source>: emit the changes of updating views at the end of a batch
	if s.updating {
		var flush []jen.Code
		for _, o := range s.flushes {
			if o.op.TopN != nil {
				flush = append(flush, jen.Id("p").Dot("flush"+o.fn).Call())
				continue
			}
			if periodic(o) {
				continue // it emits as the watermark crosses its periods
			}
			if o.session {
				flush = append(flush, jen.Id("p").Dot("changes"+o.fn).Call(g.dueWatermark(o)))
			} else if o.op.Windowed() {
				flush = append(flush, jen.For(jen.Id("w").Op(":=").Lit(0).Op(";").Add(g.dueWindow(o)).Op(";").Id("w").Op("++")).Block(
					jen.List(jen.Id("start"), jen.Id("grp")).Op(":=").Id("p").Dot(o.name).Dot("At").Call(jen.Id("w")),
					jen.Id("p").Dot("changes"+o.fn).Call(jen.Id("start"), jen.Id("grp")),
				))
			} else {
				flush = append(flush, jen.Id("p").Dot("changes"+o.fn).Call(jen.Lit(0), jen.Id("p").Dot(o.name)))
			}
		}
		g.f.Comment(fmt.Sprintf("flush%s emits what the updating views over %s changed in the last batch,", s.goName, commentLines(s.src.Name)[0]))
		g.f.Comment("in graph order, so that each sees the changes of those it reads.")
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("flush" + s.goName).Params().Block(flush...)
		g.f.Line()
	}
	// advance<Source>: move the watermark by hand (embedding programs)
	if s.src.TimeCol >= 0 {
		adv := []jen.Code{jen.Add(self).Dot("wm").Op("=").Id("wm")}
		if s.windowed {
			adv = append(adv, jen.Id("p").Dot("fire"+s.goName).Call(jen.Id("wm")))
		}
		g.f.Comment(fmt.Sprintf("advance%s moves the watermark of source %s forward to wm.", s.goName, commentLines(s.src.Name)[0]))
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("advance" + s.goName).Params(jen.Id("wm").Int64()).Block(
			jen.If(jen.Id("wm").Op(">").Add(self).Dot("wm")).Block(adv...))
		g.f.Line()
	}
	// end<Source>
	end := []jen.Code{}
	if s.src.TimeCol >= 0 {
		end = append(end, jen.Add(self).Dot("wm").Op("=").Qual("math", "MaxInt64"))
		if s.windowed {
			end = append(end, jen.Id("p").Dot("fire"+s.goName).Call(jen.Qual("math", "MaxInt64")))
		}
	}
	if len(s.procs) > 0 {
		// the input is over: its processing-time windows will get no more rows
		end = append(end, jen.Id("p").Dot("procTime"+s.goName).Call(jen.Qual("math", "MaxInt64")))
	}
	if s.updating {
		end = append(end, jen.Id("p").Dot("flush"+s.goName).Call())
	}
	g.f.Comment(fmt.Sprintf("end%s handles the end of source %s.", s.goName, commentLines(s.src.Name)[0]))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("end" + s.goName).Params().Block(end...)
	g.f.Line()
}

// opRow generates one view's per-row code inside the fused loop.
func (g *generator) opRow(o *opInfo, tmp *int, acc rowAccess) []jen.Code {
	eg := &exprGen{tmp: tmp, env: acc.env, glob: g.glob, panes: o.panes, weight: acc.weight, faults: new(bool)}
	var tail func(eg *exprGen) []jen.Code
	late := o.op.Windowed()
	if o.op.Agg == nil {
		tail = func(eg *exprGen) []jen.Code {
			op := jen.Code(jen.LitRune('+'))
			if acc.weight != nil {
				op = rt("window.OpOf").Call(acc.weight)
			}
			return append(eg.stmts, eg.guard(jen.Id("out").Op(":=").Id(o.rowType).Values(rowValues(o, eg.env)),
				jen.Id("p").Dot("emit"+o.fn).Call(jen.Op("&").Id("out"), op))...)
		}
	} else {
		tail = func(eg *exprGen) []jen.Code { return g.aggUpdate(o, eg) }
	}
	code := stages(eg, o.op.Pre, tail)
	var out []jen.Code
	out = append(out, jen.Comment(fmt.Sprintf("%s (operator %s):", o.what(), o.op.ID)))
	out = append(out, sqlComment(o.op.Statement.SQL)...)
	block := eg.faultScope(code, func(f jen.Code) jen.Code { return acc.fail(o.op.Name, f) })
	if late {
		block = append(latenessWatermark(o), block...)
		block = append([]jen.Code{jen.Id("late").Op(":=").False()}, block...)
		block = append(block, jen.If(jen.Id("late")).Block(acc.late(o.op.Name)))
	}
	return append(out, jen.Block(block...))
}

// rowFunc generates <prefix><Op>, the per-row code of one operator of a
// source's loop as a function of its own, and returns its call.
func (g *generator) rowFunc(o *opInfo, acc rowAccess) jen.Code {
	name := acc.prefix + o.fn
	params := []jen.Code{jen.Id("r").Op("*").Add(acc.rowType)}
	inner := acc
	if acc.failRow != nil {
		inner.fail = acc.failRow // the batch's b, lines and ri are not in scope
	}
	args := []jen.Code{jen.Id("r")}
	if acc.weight != nil {
		params = append(params, jen.Id("w").Int64())
		args = append(args, acc.weight)
		inner.weight = jen.Id("w")
	}
	call := jen.Id("p").Dot(name).Call(args...)
	var results []jen.Code
	if o.op.Windowed() {
		params = append(params, jen.Id("wm").Int64())
		results = []jen.Code{jen.Id("late").Bool()}
		inner.late = func(string) jen.Code { return jen.Return(jen.True()) }
		call = jen.If(jen.Id("p").Dot(name).Call(jen.Id("r"), jen.Id("wm"))).Block(acc.late(o.op.Name))
	}
	tmp := 0
	body := g.opRow(o, &tmp, inner)
	if o.op.Windowed() {
		body = append(body, jen.Return(jen.False()))
	}
	g.f.Comment(fmt.Sprintf("%s runs %s on one row of its source's loop.", name, o.what()))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id(name).Params(params...).Params(results...).Block(body...)
	g.f.Line()
	return call
}

// rowValues builds a view's output row literal from env.
func rowValues(o *opInfo, env []operand) jen.Code {
	d := jen.Dict{}
	for i, c := range o.op.Output {
		d[jen.Id(o.fields[i])] = fit(env[i], c.Type)
	}
	return d
}

// fit converts o to a Go value of SQL type t (a nullable field takes a NOT
// NULL value by wrapping it).
func fit(o operand, t types.Type) jen.Code {
	switch {
	case t.Nullable && !o.nullable:
		return rt("value.Of").Call(o.code)
	case !t.Nullable && o.nullable:
		panic("codegen: nullable value for a NOT NULL column")
	}
	return o.code
}

// stages generates the fused stateless steps, innermost last: a filter opens
// an if, a projection binds temporaries, a window assigner opens its loop.
func stages(eg *exprGen, st []physical.Stage, tail func(*exprGen) []jen.Code) []jen.Code {
	if len(st) == 0 {
		return tail(eg)
	}
	s := st[0]
	switch s.Kind {
	case physical.StageFilter:
		c := truth(eg.expr(s.Pred))
		if eg.faulty() {
			// a row whose values failed passes no filter; the test comes
			// after the predicate, whose own checked operations run first
			c = jen.Parens(c).Op("&&").Id(faultVar).Op("==").Lit(0)
		}
		inner := eg.sub()
		body := stages(inner, st[1:], tail)
		return append(eg.stmts, jen.If(c).Block(body...))
	case physical.StageProject:
		env := make([]operand, len(s.Exprs))
		for i, e := range s.Exprs {
			o := eg.expr(e)
			switch e.(type) {
			case *plan.ColRef, *plan.Const:
			default:
				if !o.nullable {
					// typed by the value, which may be NOT NULL where the column is
					// nullable (a UNION arm widened to the other arm's type)
					o = eg.assignTemp(types.Of(e.Type().Kind), o.code)
				}
			}
			env[i] = o
		}
		next := eg.with(env)
		next.stmts = eg.stmts
		return stages(next, st[1:], tail)
	case physical.StageWindow:
		w := s.Window
		ts := eg.env[w.TimeCol].code
		if w.Kind == plan.Session || w.Kind == plan.Cumulate {
			return sessionStage(eg, w, ts, func(env []operand) []jen.Code {
				inner := eg.with(env)
				return stages(inner, st[1:], tail)
			})
		}
		env := append(append([]operand{}, eg.env...),
			operand{jen.Id("ws"), false}, operand{jen.Parens(jen.Id("ws").Op("+").Lit(w.Size)), false})
		inner := eg.with(env)
		body := stages(inner, st[1:], tail)
		if w.Kind == plan.Tumble || eg.panes {
			// a tumbling window, or the one pane (a slide long) of a hopping one
			if !readsWindowStart(body) {
				// a window TVF whose bounds nothing reads: each row is in one window
				return append(eg.stmts, jen.Block(body...))
			}
			return append(eg.stmts, jen.Block(append([]jen.Code{
				jen.Id("ws").Op(":=").Add(rt("value.TumbleStart")).Call(ts, jen.Lit(w.Slide), jen.Lit(w.Offset))}, body...)...))
		}
		return append(eg.stmts, jen.For(
			jen.Id("ws").Op(":=").Add(rt("value.HopLastStart")).Call(ts, jen.Lit(w.Slide), jen.Lit(w.Offset)),
			jen.Id("ws").Op(">").Add(ts).Op("-").Lit(w.Size),
			jen.Id("ws").Op("-=").Lit(w.Slide),
		).Block(body...))
	}
	panic("codegen: unknown stage")
}

var wsIdent = regexp.MustCompile(`\bws\b`)

// readsWindowStart tells whether generated statements use ws, the window
// start a window stage binds. A window stage nested inside (an inlined
// window TVF view below a windowed aggregate) declares its own ws: only its
// initializer and what comes before it can read the outer one.
func readsWindowStart(body []jen.Code) bool {
	code := fmt.Sprintf("%#v", jen.Block(body...))
	i := strings.Index(code, "ws :=")
	if i < 0 {
		return wsIdent.MatchString(code)
	}
	init := code[i+len("ws :="):]
	if j := strings.IndexAny(init, ";\n"); j >= 0 {
		init = init[:j]
	}
	return wsIdent.MatchString(code[:i]) || wsIdent.MatchString(init)
}

// closeWindows closes the windows of operator o whose end the watermark wm
// has reached, in order, emitting their rows.
func (g *generator) closeWindows(o *opInfo) []jen.Code {
	if periodic(o) {
		return append(g.periodicChanges(o), g.closeWindowsLate(o)...)
	}
	return g.closeWindowsLate(o)
}

// closeWindowsLate closes the windows of o, given its allowed lateness.
func (g *generator) closeWindowsLate(o *opInfo) []jen.Code {
	if l := latenessWatermark(o); l != nil {
		// windows close when the watermark passes their end plus the lateness
		return []jen.Code{jen.Block(append(l, g.closeWindowsAt(o)...)...)}
	}
	return g.closeWindowsAt(o)
}

// closeWindowsAt closes the windows of o whose end plus allowed lateness
// the watermark wm has reached (wm less the lateness, when there is one).
func (g *generator) closeWindowsAt(o *opInfo) []jen.Code {
	if o.session {
		return g.closeSessions(o)
	}
	st := jen.Id("p").Dot(o.name)
	emit := "close" + o.fn
	if o.op.Updating {
		emit = "changes" + o.fn
	}
	if o.panes {
		size := o.op.Window().Size
		return []jen.Code{jen.For().Block(
			jen.List(jen.Id("ws"), jen.Id("ok")).Op(":=").Add(st).Dot("NextWindow").Call(),
			jen.If(jen.Op("!").Id("ok").Op("||").Id("ws").Op(">").Id("wm").Op("-").Lit(size)).Block(jen.Break()),
			jen.Id("p").Dot("ctx").Dot("WindowClosed").Call(),
			jen.Id("sc").Op(":=").Add(st).Dot("Scratch"),
			jen.Id("sc").Dot("Reset").Call(),
			jen.Comment("the window is the merge of its panes"),
			jen.For(jen.Id("i").Op(":=").Lit(0).Op(";").Id("i").Op("<").Add(st).Dot("Len").Call().Op(";").Id("i").Op("++")).Block(
				jen.List(jen.Id("ps"), jen.Id("pg")).Op(":=").Add(st).Dot("At").Call(jen.Id("i")),
				jen.If(jen.Id("ps").Op(">=").Id("ws").Op("+").Lit(size)).Block(jen.Break()),
				jen.For(jen.Id("gi").Op(":=").Range().Id("pg").Dot("Count").Call()).Block(
					jen.List(jen.Id("si"), jen.Id("_")).Op(":=").Id("sc").Dot("Find").Call(jen.Op("*").Id("pg").Dot("Key").Call(jen.Id("gi"))),
					jen.Id("merge"+o.fn).Call(jen.Id("sc").Dot("State").Call(jen.Id("si")), jen.Id("pg").Dot("State").Call(jen.Id("gi"))),
				),
			),
			jen.Id("p").Dot(emit).Call(jen.Id("ws"), jen.Id("sc")),
			jen.Add(st).Dot("Emitted").Call(jen.Id("ws")),
		), jen.Add(st).Dot("Closed").Call(jen.Id("wm"))}
	}
	return []jen.Code{jen.For(jen.Add(st).Dot("Len").Call().Op(">").Lit(0).Op("&&").Add(st).Dot("NextEnd").Call().Op("<=").Id("wm")).Block(
		jen.Id("p").Dot("ctx").Dot("WindowClosed").Call(),
		jen.List(jen.Id("start"), jen.Id("grp")).Op(":=").Add(st).Dot("PopEarliest").Call(),
		jen.Id("p").Dot(emit).Call(jen.Id("start"), jen.Id("grp")),
		jen.Add(st).Dot("Release").Call(jen.Id("grp")),
	)}
}

// watermarkExpr is the minimum over terms of a source's watermark plus a
// shift (physical.Operator.Watermark).
func (g *generator) watermarkExpr(terms []physical.SourceShift) jen.Code {
	var args []jen.Code
	for _, t := range terms {
		wm := jen.Id("p").Dot("src" + g.sources[t.Source].goName).Dot("wm")
		if t.Shift != 0 {
			wm = rt("window.ShiftWatermark").Call(wm, jen.Lit(t.Shift))
		}
		args = append(args, wm)
	}
	if len(args) == 1 {
		return args[0]
	}
	return jen.Min(args...)
}

// inputCode generates, for an operator that reads other operators, push<op>:
// its per-row code over a row of its input (with the row's weight when the
// input is updating), and for a windowed one fire<op>.
func (g *generator) inputCode(o *opInfo) {
	if o.op.LateOf != nil {
		return // fed by its source's late<Source>
	}
	if o.op.Join != nil {
		g.joinCode(o)
		return
	}
	if o.op.TopN != nil {
		g.topnCode(o)
		return
	}
	if o.op.Lookup != nil {
		g.lookupCode(o)
		return
	}
	in := o.inputs[0]
	env := make([]operand, len(in.op.Output))
	for i, c := range in.op.Output {
		env[i] = operand{jen.Id("r").Dot(in.fields[i]), c.Type.Nullable}
	}
	params := []jen.Code{jen.Id("r").Op("*").Id(in.rowType)}
	if o.op.Union {
		params[0] = jen.Id("r").Op("*").Id(o.rowType) // its inputs' rows have its layout
	}
	acc := rowAccess{env: env}
	if o.op.InputUpdating {
		params = append(params, jen.Id("w").Int64())
		acc.weight = jen.Id("w")
	}
	lateSrc := 0
	if len(o.op.Watermark) > 0 {
		lateSrc = o.op.Watermark[0].Source
	}
	acc.late = func(view string) jen.Code {
		if o.lateVia != nil {
			return lateViaCall(o, view) // a late row of the source, for LATE(source)
		}
		return jen.Id("p").Dot("ctx").Dot("LateRow").Call(jen.Lit(lateSrc), jen.Lit(view), jen.Id("append"+in.rowType).Call(jen.Nil(), jen.Id("r"), jen.LitRune('+')))
	}
	acc.fail = func(view string, f jen.Code) jen.Code {
		return jen.Id("p").Dot("ctx").Dot("RowFailedRow").Call(jen.Lit(lateSrc), jen.Lit(view), jen.Id("append"+in.rowType).Call(jen.Nil(), jen.Id("r"), jen.LitRune('+')), f)
	}
	tmp := 0
	var body []jen.Code
	if o.op.Windowed() && !o.op.ProcTime() {
		body = append(body, jen.Id("wm").Op(":=").Id("p").Dot(o.name+"WM"))
	}
	if o.op.Union {
		op := jen.Code(jen.LitRune('+'))
		if o.op.InputUpdating {
			op = rt("window.OpOf").Call(jen.Id("w"))
		}
		body = append(body, jen.Id("p").Dot("emit"+o.fn).Call(jen.Id("r"), op))
	} else {
		body = append(body, g.opRow(o, &tmp, acc)...)
	}
	g.f.Comment(fmt.Sprintf("push%s runs %s on a row of %s.", o.fn, o.what(), in.what()))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("push" + o.fn).Params(params...).Block(body...)
	g.f.Line()
	if o.op.Windowed() {
		g.f.Comment(fmt.Sprintf("fire%s closes, in order, every window of %s whose end the watermark wm has reached.", o.fn, o.what()))
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("fire" + o.fn).Params(jen.Id("wm").Int64()).Block(g.closeWindows(o)...)
		g.f.Line()
	}
}
