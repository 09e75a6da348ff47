package codegen

import (
	"fmt"
	"slices"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/physical"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// A top-N operator (ROW_NUMBER/RANK/DENSE_RANK filtered by rank, ORDER BY …
// LIMIT) keeps its state in a runtime/topn.State keyed by a generated
// partition key struct, over the rows of its input's row type, remembering
// the output rows it emitted. push<Op> folds a row in; flush<Op>, at the end
// of each batch, ranks each changed partition, runs the stages after the
// top-N on its rows and emits the difference from what it emitted before.

var topnKinds = map[plan.RankFunc]string{plan.RowNumber: "topn.RowNumber", plan.Rank: "topn.Rank", plan.DenseRank: "topn.DenseRank"}

func (o *opInfo) topnState() *jen.Statement {
	if dedup(o) {
		return rt("topn.Dedup").Types(jen.Id(o.keyType()), jen.Id(o.inputs[0].rowType), jen.Id(o.rowType))
	}
	return rt("topn.State").Types(jen.Id(o.keyType()), jen.Id(o.inputs[0].rowType), jen.Id(o.rowType))
}

func (o *opInfo) topnPartition() *jen.Statement {
	return rt("topn.Partition").Types(jen.Id(o.inputs[0].rowType), jen.Id(o.rowType))
}

// topnPart is the type of a partition of o's state: a deduplication's is
// a topn.DedupPart.
func (o *opInfo) topnPart() *jen.Statement {
	if dedup(o) {
		return rt("topn.DedupPart").Types(jen.Id(o.inputs[0].rowType), jen.Id(o.rowType))
	}
	return o.topnPartition()
}

// dedup tells whether o is a deduplication over an append-only input
// (ROW_NUMBER = 1, not per window, no OVER aggregate), whose state is a
// topn.Dedup: one row and one output row per partition, flushed without
// ranking.
func dedup(o *opInfo) bool {
	t := o.op.TopN
	return t != nil && t.Bounded() && t.Func == plan.RowNumber && t.Limit == 1 && !t.Closes() && !o.op.Closes() &&
		!t.TimeOrdered && !t.Final && len(t.Aggs) == 0 && !o.op.InputUpdating
}

// topnFields are the engine's fields of a top-N operator.
func (g *generator) topnFields(o *opInfo) []jen.Code {
	fields := []jen.Code{jen.Id(o.name).Op("*").Add(o.topnState()).Comment("state of " + o.what())}
	if !dedup(o) { // a Dedup projects into a scratch of its own
		fields = append(fields, jen.Id(o.name+"Scratch").Index().Id(o.rowType).Comment("a partition's new output, reused"))
	}
	if o.op.Closes() {
		fields = append(fields, jen.Id(o.name+"WM").Int64().Comment("the watermark its windows closed at"))
	}
	return fields
}

// topnWindowKey is the index in the partition key of the window bound a
// window top-N closes by.
func topnWindowKey(o *opInfo) int {
	return indexOf(o.op.TopN.Partition, o.op.TopN.WindowCol)
}

// topnNew builds the state in newEngine.
func (g *generator) topnNew(o *opInfo) []jen.Code {
	t := o.op.TopN
	if dedup(o) {
		return []jen.Code{jen.Id("p").Dot(o.name).Op("=").Add(rt("topn.NewDedup")).Types(jen.Id(o.keyType()), jen.Id(o.inputs[0].rowType), jen.Id(o.rowType)).Call(jen.Id("cmp"+o.fn), jen.Id("p").Dot("project"+o.fn))}
	}
	out := []jen.Code{jen.Id("p").Dot(o.name).Op("=").Add(rt("topn.New")).Types(jen.Id(o.keyType()), jen.Id(o.inputs[0].rowType), jen.Id(o.rowType)).Call(
		rt(topnKinds[t.Func]), jen.Lit(t.Limit), jen.Lit(t.Bounded()), jen.Lit(t.Final), jen.Id("cmp"+o.fn))}
	if t.Closes() {
		out = append(out, jen.Id("p").Dot(o.name).Dot("Windowed").Call(jen.Id("end"+o.fn)))
	}
	if t.TimeOrdered {
		f := t.Frame
		out = append(out, jen.Id("p").Dot(o.name).Dot("Timed").Call(jen.Id("ts"+o.fn),
			rt("topn.Frame").Values(jen.Dict{jen.Id("Rows"): jen.Lit(f.Rows), jen.Id("Unbounded"): jen.Lit(f.Unbounded), jen.Id("Preceding"): jen.Lit(f.Preceding)})))
	}
	if o.op.Closes() {
		out = append(out, jen.Id("p").Dot(o.name+"WM").Op("=").Qual("math", "MinInt64"))
	}
	return out
}

// topnCode generates the key type, the ORDER BY comparison, push<Op> and flush<Op>.
func (g *generator) topnCode(o *opInfo) {
	t := o.op.TopN
	in := o.inputs[0]
	schema := in.op.Output
	var keys []jen.Code
	key := jen.Dict{}
	for i, c := range t.Partition {
		f := fmt.Sprintf("K%d", i)
		keys = append(keys, jen.Id(f).Add(goType(schema[c].Type)).Comment(commentLines(schema[c].Name)[0]))
		key[jen.Id(f)] = jen.Id("r").Dot(in.fields[c])
	}
	g.f.Comment(fmt.Sprintf("%s is a partition key of %s.", o.keyType(), o.what()))
	g.f.Type().Id(o.keyType()).Struct(keys...)
	g.f.Line()

	// the ORDER BY: NULLs last both ascending and descending (DuckDB's default).
	// Over an updating input, rows equal in it are ordered by their columns,
	// so that their ranks do not depend on the order of the input's changes.
	var body []jen.Code
	order := t.Order
	// (ROW_NUMBER and ROWS frames only: RANK, DENSE_RANK and RANGE peers are ties)
	if o.op.InputUpdating && t.Func == plan.RowNumber && (len(t.Aggs) == 0 || t.Frame.Rows) {
		order = slices.Clone(order)
		for c := range schema {
			if !slices.ContainsFunc(t.Order, func(k plan.SortKey) bool { return k.Col == c }) {
				order = append(order, plan.SortKey{Col: c})
			}
		}
	}
	body = append(body, cmpKeys(order, schema,
		func(c int) *jen.Statement { return jen.Id("a").Dot(in.fields[c]) },
		func(c int) *jen.Statement { return jen.Id("b").Dot(in.fields[c]) })...)
	body = append(body, jen.Return(jen.Lit(0)))
	g.f.Comment(fmt.Sprintf("cmp%s orders two rows of a partition of %s by its ORDER BY.", o.fn, o.what()))
	g.f.Func().Id("cmp" + o.fn).Params(jen.List(jen.Id("a"), jen.Id("b")).Op("*").Id(in.rowType)).Int().Block(body...)
	g.f.Line()

	params := []jen.Code{jen.Id("r").Op("*").Id(in.rowType)}
	w := jen.Code(jen.Lit(1))
	if o.op.InputUpdating {
		params = append(params, jen.Id("w").Int64())
		w = jen.Id("w")
	}
	push := []jen.Code{jen.Id("k").Op(":=").Id(o.keyType()).Values(key)}
	if t.TimeOrdered {
		g.f.Comment(fmt.Sprintf("ts%s is the event time of a row of %s, by which the watermark releases it.", o.fn, o.what()))
		g.f.Func().Id("ts" + o.fn).Params(jen.Id("r").Op("*").Id(in.rowType)).Int64().Block(jen.Return(jen.Id("r").Dot(in.fields[t.Order[0].Col])))
		g.f.Line()
		// a row before the watermark is late: rows after it were emitted without it
		push = append(push, jen.If(jen.Id("ts"+o.fn).Call(jen.Id("r")).Op("<").Id("p").Dot(o.name+"WM")).Block(
			jen.Id("p").Dot("ctx").Dot("LateRow").Call(jen.Lit(o.op.Watermark[0].Source), jen.Lit(o.op.Name), jen.Id("append"+in.rowType).Call(jen.Nil(), jen.Id("r"), jen.LitRune('+'))),
			jen.Return()))
	}
	if t.Closes() {
		end := jen.Id("k").Dot(fmt.Sprintf("K%d", topnWindowKey(o)))
		if !t.WindowEnd {
			end = jen.Id("k").Dot(fmt.Sprintf("K%d", topnWindowKey(o))).Op("+").Lit(t.WindowSize)
		}
		g.f.Comment(fmt.Sprintf("end%s is the end of the window of a partition of %s.", o.fn, o.what()))
		g.f.Func().Id("end" + o.fn).Params(jen.Id("k").Op("*").Id(o.keyType())).Int64().Block(jen.Return(end))
		g.f.Line()
		// a row of a window that has closed is late
		push = append(push, jen.If(jen.Id("end"+o.fn).Call(jen.Op("&").Id("k")).Op("<=").Id("p").Dot(o.name+"WM")).Block(
			jen.Id("p").Dot("ctx").Dot("LateRow").Call(jen.Lit(o.op.Watermark[0].Source), jen.Lit(o.op.Name), jen.Id("append"+in.rowType).Call(jen.Nil(), jen.Id("r"), jen.LitRune('+'))),
			jen.Return()))
	}
	if dedup(o) {
		push = append(push, jen.Id("p").Dot(o.name).Dot("Add").Call(jen.Id("k"), jen.Op("*").Id("r")))
	} else {
		push = append(push, jen.Id("p").Dot(o.name).Dot("Add").Call(jen.Id("k"), jen.Op("*").Id("r"), w))
	}
	g.f.Comment(fmt.Sprintf("push%s folds a row of %s into its partition of %s.", o.fn, in.what(), o.what()))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("push" + o.fn).Params(params...).Block(push...)
	g.f.Line()

	// flush: rank each changed partition, run the stages after the top-N
	env := make([]operand, 0, len(schema)+1)
	for i, c := range schema {
		env = append(env, operand{jen.Id("r").Dot(in.fields[i]), c.Type.Nullable})
	}
	if !t.NoRank {
		env = append(env, operand{jen.Id("rank"), false})
	}
	tmp := 0
	eg := &exprGen{tmp: &tmp, env: env, glob: g.glob, faults: new(bool)}
	if len(t.Aggs) > 0 {
		eg.stmts, eg.env = g.overAggs(o, eg)
	}
	tail := func(eg *exprGen) []jen.Code {
		return append(eg.stmts, eg.guard(jen.Id("out").Op("=").Append(jen.Id("out"), jen.Id(o.rowType).Values(rowValues(o, eg.env))))...)
	}
	report := func(f jen.Code) jen.Code {
		return jen.Id("p").Dot("ctx").Dot("OutputFailed").Call(jen.Lit(o.op.Name), jen.Lit(0), jen.False(), jen.Nil(), f)
	}
	row := eg.faultScope(stages(eg, o.op.Post, tail), report)
	rankParam, ranked := jen.Id("rank"), !t.NoRank || len(t.Aggs) > 0
	if !ranked {
		rankParam = jen.Id("_")
	}
	each := jen.Func().Params(jen.Id("_").Id(o.keyType()), jen.Id("part").Op("*").Add(o.topnPartition())).Block(
		jen.Id("out").Op(":=").Id("p").Dot(o.name+"Scratch").Index(jen.Empty(), jen.Lit(0)),
		jen.Id("p").Dot(o.name).Dot("Top").Call(jen.Id("part"), jen.Func().Params(jen.Id("r").Op("*").Id(in.rowType), jen.Add(rankParam).Int64()).Block(row...)),
		jen.Id("p").Dot(o.name).Dot("Emit").Call(jen.Id("part"), jen.Id("out"), jen.Id("p").Dot("emit"+o.fn)),
		jen.Id("p").Dot(o.name+"Scratch").Op("=").Id("out"),
	)
	if incrementalRows(o, eg) {
		// a ROWS frame covers rows before its row only: the rows before
		// the first changed one keep their frames, so their output rows
		// (one per row) are reused and the rest computed
		each = jen.Func().Params(jen.Id("_").Id(o.keyType()), jen.Id("part").Op("*").Add(o.topnPartition())).Block(
			jen.Id("from").Op(":=").Id("p").Dot(o.name).Dot("Unchanged").Call(jen.Id("part")),
			jen.Id("out").Op(":=").Append(jen.Id("p").Dot(o.name+"Scratch").Index(jen.Empty(), jen.Lit(0)), jen.Id("part").Dot("Emitted").Index(jen.Empty(), jen.Id("from")).Op("...")),
			jen.Id("p").Dot(o.name).Dot("TopFrom").Call(jen.Id("part"), jen.Id("from"), jen.Func().Params(jen.Id("r").Op("*").Id(in.rowType), jen.Add(rankParam).Int64()).Block(row...)),
			jen.Id("p").Dot(o.name).Dot("Emit").Call(jen.Id("part"), jen.Id("out"), jen.Id("p").Dot("emit"+o.fn)),
			jen.Id("p").Dot(o.name+"Scratch").Op("=").Id("out"),
		)
	}
	if t.TimeOrdered {
		g.f.Comment(fmt.Sprintf("fire%s emits, in time order, every row of %s the watermark wm has passed, with its", o.fn, o.what()))
		g.f.Comment("aggregates over its frame.")
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("fire" + o.fn).Params(jen.Id("wm").Int64()).Block(
			jen.Id("p").Dot(o.name).Dot("Release").Call(jen.Id("wm"), jen.Func().Params(jen.Id("_").Id(o.keyType()), jen.Id("part").Op("*").Add(o.topnPartition()), jen.Id("i").Int()).Block(
				jen.Id("out").Op(":=").Id("p").Dot(o.name+"Scratch").Index(jen.Empty(), jen.Lit(0)),
				jen.Func().Params(jen.Id("r").Op("*").Id(in.rowType), jen.Id("rank").Int64()).Block(row...).Call(jen.Op("&").Id("part").Dot("Rows").Index(jen.Id("i")), jen.Int64().Call(jen.Id("i").Op("+").Lit(1))),
				jen.For(jen.Id("j").Op(":=").Range().Id("out")).Block(jen.Id("p").Dot("emit"+o.fn).Call(jen.Op("&").Id("out").Index(jen.Id("j")), jen.LitRune('+'))),
				jen.Id("p").Dot(o.name+"Scratch").Op("=").Id("out"),
			)))
		g.f.Line()
		return
	}
	if t.Closes() {
		g.f.Comment(fmt.Sprintf("fire%s emits, in window order, the ranking of every window of %s whose end the watermark wm has reached.", o.fn, o.what()))
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("fire" + o.fn).Params(jen.Id("wm").Int64()).Block(
			jen.Id("p").Dot(o.name).Dot("Close").Call(jen.Id("wm"), each))
		g.f.Line()
		return
	}
	if dedup(o) {
		// one row per partition, of rank 1: no ranking. The state keeps no
		// output rows: it projects a partition's row again for the
		// retraction of the output row it left.
		project := row
		if ranked {
			project = []jen.Code{jen.Func().Params(jen.Id("r").Op("*").Id(in.rowType), jen.Id("rank").Int64()).Block(row...).Call(jen.Id("r"), jen.Lit(1))}
		}
		g.f.Comment(fmt.Sprintf("project%s appends to out the output row of a partition of %s whose row is r", o.fn, o.what()))
		g.f.Comment("(none if a filter drops it).")
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("project"+o.fn).Params(jen.Id("r").Op("*").Id(in.rowType), jen.Id("out").Index().Id(o.rowType)).Index().Id(o.rowType).Block(
			append(project, jen.Return(jen.Id("out")))...)
		g.f.Line()
		g.f.Comment(fmt.Sprintf("flush%s emits what changed in the partitions of %s since the last flush:", o.fn, o.what()))
		g.f.Comment("the retraction of the row a partition emitted before, and its new row.")
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("flush" + o.fn).Params().Block(
			jen.Id("p").Dot(o.name).Dot("Flush").Call(jen.Id("p").Dot("emit" + o.fn)))
		g.f.Line()
		return
	}
	g.f.Comment(fmt.Sprintf("flush%s emits what changed in the partitions of %s since the last flush:", o.fn, o.what()))
	g.f.Comment("a retraction for each row that left its output or changed rank, an insertion for each new one.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("flush" + o.fn).Params().Block(
		jen.Id("p").Dot(o.name).Dot("Flush").Call(each))
	g.f.Line()
}

// topnSaveLoad generates save<Op> and load<Op> of a top-N: per partition its
// key, its rows in rank order and the rows it last emitted.
func (g *generator) topnSaveLoad(o *opInfo) {
	t := o.op.TopN
	in := o.inputs[0]
	var encK, decK []jen.Code
	for i, c := range t.Partition {
		ty := in.op.Output[c].Type
		encK = append(encK, encodeField(jen.Id("k").Dot(fmt.Sprintf("K%d", i)), ty)...)
		decK = append(decK, decodeField(jen.Id("k").Dot(fmt.Sprintf("K%d", i)), ty)...)
	}
	rowsCodec := func(list jen.Code, schema plan.Schema, fields []string, typ string) (enc, dec []jen.Code) {
		var e, d []jen.Code
		for i, c := range schema {
			e = append(e, encodeField(jen.Id("e").Dot(fields[i]), c.Type)...)
			d = append(d, decodeField(jen.Id("e").Dot(fields[i]), c.Type)...)
		}
		enc = []jen.Code{
			jen.Id("buf").Op("=").Add(rt("snapshot.AppendUint")).Call(jen.Id("buf"), jen.Uint64().Call(jen.Len(list))),
			jen.For(jen.Id("i").Op(":=").Range().Add(list)).Block(append([]jen.Code{jen.Id("e").Op(":=").Op("&").Add(list).Index(jen.Id("i"))}, e...)...),
		}
		dec = []jen.Code{
			jen.Add(list).Op("=").Make(jen.Index().Id(typ), jen.Id("d").Dot("Len").Call()),
			jen.For(jen.Id("i").Op(":=").Range().Add(list)).Block(append([]jen.Code{jen.Id("e").Op(":=").Op("&").Add(list).Index(jen.Id("i"))}, d...)...),
		}
		return enc, dec
	}
	encRows, decRows := rowsCodec(jen.Id("part").Dot("Rows"), in.op.Output, in.fields, in.rowType)
	encOut, decOut := rowsCodec(jen.Id("part").Dot("Emitted"), o.op.Output, o.fields, o.rowType)
	if dedup(o) {
		// the same encoding, of a partition's row and output row (none or one);
		// decoded into a Partition's slices as for any top-N, then restored
		encRows, _ = rowsCodec(jen.Id("part").Dot("Rows").Call(), in.op.Output, in.fields, in.rowType)
		encOut, _ = rowsCodec(jen.Id("em"), o.op.Output, o.fields, o.rowType)
		encOut = append([]jen.Code{jen.Id("em").Op(":=").Id("p").Dot(o.name).Dot("Emitted").Call(jen.Id("part"))}, encOut...)
	}
	var save, load []jen.Code
	if o.op.Closes() {
		save = append(save, jen.Id("buf").Op("=").Add(rt("snapshot.AppendInt")).Call(jen.Id("buf"), jen.Id("p").Dot(o.name+"WM")))
		load = append(load, jen.Id("p").Dot(o.name+"WM").Op("=").Id("d").Dot("Int").Call())
	}
	encPart := append(append(encK, encRows...), encOut...)
	if t.TimeOrdered {
		encPart = append(encPart, jen.Id("buf").Op("=").Add(rt("snapshot.AppendInt")).Call(jen.Id("buf"), jen.Int64().Call(jen.Id("part").Dot("Done"))))
	}
	save = append(save,
		jen.Id("buf").Op("=").Add(rt("snapshot.AppendUint")).Call(jen.Id("buf"), jen.Uint64().Call(jen.Id("p").Dot(o.name).Dot("Len").Call())),
		jen.Id("p").Dot(o.name).Dot("Each").Call(jen.Func().Params(jen.Id("k").Id(o.keyType()), jen.Id("part").Op("*").Add(o.topnPart())).Block(encPart...)),
	)
	loadBody := []jen.Code{jen.Var().Id("k").Id(o.keyType()), jen.Var().Id("part").Add(o.topnPartition())}
	loadBody = append(loadBody, decK...)
	loadBody = append(loadBody, decRows...)
	loadBody = append(loadBody, decOut...)
	loadBody = append(loadBody, jen.Id("p").Dot(o.name).Dot("Restore").Call(jen.Id("k"), jen.Id("part").Dot("Rows"), jen.Id("part").Dot("Emitted")))
	if t.TimeOrdered {
		loadBody = append(loadBody, jen.Id("p").Dot(o.name).Dot("Parts").Index(jen.Id("k")).Dot("Done").Op("=").Int().Call(jen.Id("d").Dot("Int").Call()))
	}
	load = append(load, jen.For(jen.Id("n").Op(":=").Id("d").Dot("Len").Call().Op(";").Id("n").Op(">").Lit(0).Op(";").Id("n").Op("--")).Block(loadBody...))
	if t.TimeOrdered {
		// the rows waiting for the watermark, with the arrival order of their ties
		save = append(save,
			jen.Id("buf").Op("=").Add(rt("snapshot.AppendUint")).Call(jen.Id("buf"), jen.Id("p").Dot(o.name).Dot("Seq").Call()),
			jen.Id("buf").Op("=").Add(rt("snapshot.AppendUint")).Call(jen.Id("buf"), jen.Uint64().Call(jen.Id("p").Dot(o.name).Dot("Pending").Call())),
			jen.Id("p").Dot(o.name).Dot("EachPending").Call(jen.Func().Params(jen.Id("ts").Int64(), jen.Id("seq").Uint64(), jen.Id("k").Id(o.keyType())).Block(
				append([]jen.Code{
					jen.Id("buf").Op("=").Add(rt("snapshot.AppendInt")).Call(jen.Id("buf"), jen.Id("ts")),
					jen.Id("buf").Op("=").Add(rt("snapshot.AppendUint")).Call(jen.Id("buf"), jen.Id("seq")),
				}, encK...)...)))
		load = append(load,
			jen.Id("p").Dot(o.name).Dot("SetSeq").Call(jen.Id("d").Dot("Uint").Call()),
			jen.For(jen.Id("n").Op(":=").Id("d").Dot("Len").Call().Op(";").Id("n").Op(">").Lit(0).Op(";").Id("n").Op("--")).Block(
				append(append([]jen.Code{jen.Id("ts").Op(":=").Id("d").Dot("Int").Call(), jen.Id("seq").Op(":=").Id("d").Dot("Uint").Call(), jen.Var().Id("k").Id(o.keyType())}, decK...),
					jen.Id("p").Dot(o.name).Dot("RestorePending").Call(jen.Id("ts"), jen.Id("seq"), jen.Id("k")))...))
	}
	save = append(save, jen.Return(jen.Id("buf")))
	g.stateFuncs(o, save, load)
}

// incrementalRows tells whether a flush of o may reuse the output rows of a
// partition's unchanged first rows: an OVER aggregation over an updating
// input with a ROWS frame, one output row per row (no filter after it, no
// checked arithmetic that could leave a row out), ranked by position.
func incrementalRows(o *opInfo, eg *exprGen) bool {
	t := o.op.TopN
	if len(t.Aggs) == 0 || !t.Frame.Rows || t.TimeOrdered || t.Closes() || t.Final || t.Limit != 0 || t.Func != plan.RowNumber || eg.faulty() {
		return false
	}
	for _, st := range o.op.Post {
		if st.Kind != physical.StageProject {
			return false
		}
	}
	return true
}

// overAggs generates, inside the ranking callback of a partition (row r of
// rank rank, 1-based position), the frame of the row and each OVER
// aggregate over it; it returns the statements and the env with the
// aggregates appended.
func (g *generator) overAggs(o *opInfo, eg *exprGen) ([]jen.Code, []operand) {
	t := o.op.TopN
	in := o.inputs[0]
	schema := in.op.Output
	f := t.Frame
	stmts := []jen.Code{jen.Id("i").Op(":=").Int().Call(jen.Id("rank")).Op("-").Lit(1)}
	if f.Rows {
		stmts = append(stmts, jen.List(jen.Id("lo"), jen.Id("hi")).Op(":=").Add(rt("topn.FrameRows")).Call(jen.Id("i"), jen.Lit(f.Preceding), jen.Lit(f.Unbounded)))
	} else {
		key := jen.Func().Params(jen.Id("*" + in.rowType)).Int64().Block(jen.Return(jen.Lit(0)))
		if len(t.Order) == 1 && !f.Unbounded {
			key = jen.Id("key" + o.fn)
			g.f.Comment(fmt.Sprintf("key%s is the ORDER BY key of a row of %s, by which RANGE frames reach back.", o.fn, o.what()))
			g.f.Func().Id("key" + o.fn).Params(jen.Id("r").Op("*").Id(in.rowType)).Int64().Block(jen.Return(jen.Id("r").Dot(in.fields[t.Order[0].Col])))
			g.f.Line()
		}
		stmts = append(stmts, jen.List(jen.Id("lo"), jen.Id("hi")).Op(":=").Id("p").Dot(o.name).Dot("FrameRange").Call(jen.Id("part"), jen.Id("i"), jen.Lit(f.Preceding), jen.Lit(f.Unbounded), key))
	}
	env := append([]operand{}, eg.env...)
	loop := func(body ...jen.Code) jen.Code {
		return jen.For(jen.Id("j").Op(":=").Id("lo").Op(";").Id("j").Op("<=").Id("hi").Op(";").Id("j").Op("++")).Block(body...)
	}
	for ai, a := range t.Aggs {
		name := fmt.Sprintf("a%d", ai)
		if a.Func == plan.CountStar {
			stmts = append(stmts, jen.Id(name).Op(":=").Int64().Call(jen.Id("hi").Op("-").Id("lo").Op("+").Lit(1)))
			env = append(env, operand{jen.Id(name), false})
			continue
		}
		c := a.Arg.(*plan.ColRef).Index
		ct := schema[c].Type
		field := jen.Id("part").Dot("Rows").Index(jen.Id("j")).Dot(in.fields[c])
		v, valid := jen.Add(field), jen.Code(nil)
		if ct.Nullable {
			v, valid = jen.Add(field).Dot("V"), jen.Add(field).Dot("Valid")
		}
		when := func(cond jen.Code, body ...jen.Code) jen.Code {
			if cond == nil {
				return jen.Block(body...)
			}
			return jen.If(cond).Block(body...)
		}
		and := func(cond, more jen.Code) jen.Code {
			if cond == nil {
				return more
			}
			return jen.Add(cond).Op("&&").Parens(more)
		}
		s, h, n := name+"s", name+"h", name+"n"
		switch a.Func {
		case plan.Count:
			if valid == nil {
				stmts = append(stmts, jen.Id(name).Op(":=").Int64().Call(jen.Id("hi").Op("-").Id("lo").Op("+").Lit(1)))
			} else {
				stmts = append(stmts, jen.Var().Id(name).Int64(), loop(when(valid, jen.Id(name).Op("++"))))
			}
			env = append(env, operand{jen.Id(name), false})
			continue
		case plan.Sum, plan.Avg:
			// an exact sum: BIGINT and DECIMAL(p <= 18) in 128 bits, DECIMAL(p > 18)
			// in 128 bits and the times it wrapped, as the grouped SUM and AVG
			switch {
			case ct.Kind == types.Int || ct.Kind.IsDecimal() && !ct.Kind.IsWideDecimal():
				stmts = append(stmts, jen.Var().List(jen.Id(s), jen.Id(h), jen.Id(n)).Int64(),
					loop(when(valid, jen.List(jen.Id(s), jen.Id(h)).Op("=").Add(rt("value.SumInt")).Call(jen.Id(s), jen.Id(h), v), jen.Id(n).Op("++"))))
			case ct.Kind.IsWideDecimal():
				stmts = append(stmts, jen.Var().Id(s).Add(rt("decimal.Int128")), jen.Var().List(jen.Id(h), jen.Id(n)).Int64(),
					loop(when(valid, jen.List(jen.Id(s), jen.Id(h)).Op("=").Add(rt("value.SumDec128")).Call(jen.Id(s), jen.Id(h), v), jen.Id(n).Op("++"))))
			default:
				stmts = append(stmts, jen.Var().Id(s).Float64(), jen.Var().Id(n).Int64(),
					loop(when(valid, jen.Id(s).Op("+=").Add(v), jen.Id(n).Op("++"))))
			}
			var result jen.Code
			switch {
			case a.Func == plan.Avg && ct.Kind == types.Int:
				result = rt("value.AvgInt").Call(jen.Id(s), jen.Id(h), jen.Id(n))
			case a.Func == plan.Avg && ct.Kind.IsWideDecimal():
				result = rt("value.AvgDec128").Call(jen.Id(s), jen.Id(h), jen.Id(n), jen.Lit(ct.Kind.Scale()))
			case a.Func == plan.Avg && ct.Kind.IsDecimal():
				result = rt("value.AvgDec").Call(jen.Id(s), jen.Id(h), jen.Id(n), jen.Lit(ct.Kind.Scale()))
			case ct.Kind.IsWideDecimal():
				*eg.faults = true // a sum of more than 38 digits fails the row, as the grouped SUM's
				result = rt("value.SumDec128Result").Call(jen.Id(s), jen.Id(h), jen.Op("&").Id(faultVar))
			case ct.Kind.IsDecimal():
				*eg.faults = true
				result = rt("value.SumDecWide").Call(jen.Id(s), jen.Id(h), jen.Op("&").Id(faultVar))
			case a.Func == plan.Avg:
				result = jen.Id(s).Op("/").Float64().Call(jen.Id(n))
			case ct.Kind == types.Int:
				*eg.faults = true // an exact sum that does not fit fails the row
				result = rt("value.SumResult").Call(jen.Id(s), jen.Id(h), jen.Op("&").Id(faultVar))
			default:
				result = jen.Id(s)
			}
			stmts = append(stmts, jen.Var().Id(name).Add(goType(a.T)),
				jen.If(jen.Id(n).Op(">").Lit(0)).Block(jen.Id(name).Op("=").Add(rt("value.Of")).Call(result)))
		case plan.Min, plan.Max:
			op := "<"
			if a.Func == plan.Max {
				op = ">"
			}
			stmts = append(stmts, jen.Var().Id(name).Add(goType(a.T)),
				loop(jen.If(and(valid, jen.Op("!").Id(name).Dot("Valid").Op("||").Add(orderOp(v, op, jen.Id(name).Dot("V"), ct.Kind)))).Block(
					jen.Id(name).Op("=").Add(rt("value.Of")).Call(v))))
		}
		env = append(env, operand{jen.Id(name), true})
	}
	return stmts, env
}

// topnPrune generates, in Prune, the dropping of the partitions of a top-N
// whose PARTITION BY column (the split or exchange key, OpKeys) another
// worker owns; of a gathered top-N's one partition on every worker but its
// owner.
func (g *generator) topnPrune(o *opInfo, part physical.Partitioning) jen.Code {
	if part.Gathers(o.op.Index) {
		// a global top-N: its one partition is the owner's of the hash of no
		// key (the worker its rows are gathered on)
		return jen.If(jen.Op("!").Id("owns").Call(rt("exchange.Seed"))).Block(
			jen.Id("p").Dot(o.name).Dot("Prune").Call(jen.Func().Params(jen.Id(o.keyType())).Bool().Block(jen.Return(jen.False()))))
	}
	i := part.OpKeys[o.op.Index]
	t := o.op.TopN.Partition[i]
	kt := o.inputs[0].op.Output[t].Type
	return jen.Id("p").Dot(o.name).Dot("Prune").Call(jen.Func().Params(jen.Id("k").Id(o.keyType())).Bool().Block(
		jen.Return(jen.Id("owns").Call(hashCode(rt("exchange.Seed"), jen.Id("k").Dot(fmt.Sprintf("K%d", i)), kt)))))
}

// topnPrefilterCode generates xkeep<op> for a gathered top-N whose workers
// send only the rows within their own top N (physical.Partitioning
// .Prefilters): the worker keeps the best N rows it sent (RANK; of N
// distinct orders for DENSE_RANK) and drops a row they all rank before.
func (g *generator) topnPrefilterCode(o *opInfo) {
	t := o.op.TopN
	in := o.inputs[0]
	best := jen.Id("p").Dot("xbest" + o.name)
	cmp := func(i jen.Code) *jen.Statement {
		return jen.Id("cmp"+o.fn).Call(jen.Op("&").Id("b").Index(i), jen.Id("r"))
	}
	body := []jen.Code{
		jen.Id("b").Op(":=").Add(best),
		jen.Id("lo").Op(":=").Lit(0).Comment("the rows sent that rank before r"),
		jen.For(jen.Id("lo").Op("<").Len(jen.Id("b")).Op("&&").Add(cmp(jen.Id("lo"))).Op("<").Lit(0)).Block(jen.Id("lo").Op("++")),
	}
	if t.Func == plan.DenseRank {
		body = append(body,
			jen.If(jen.Id("lo").Op("<").Len(jen.Id("b")).Op("&&").Add(cmp(jen.Id("lo"))).Op("==").Lit(0)).Block(
				jen.Return(jen.True()).Comment("an order kept: the same dense rank")),
			jen.If(jen.Id("lo").Op(">=").Lit(int(t.Limit))).Block(jen.Return(jen.False())),
			jen.Id("b").Op("=").Qual("slices", "Insert").Call(jen.Id("b"), jen.Id("lo"), jen.Op("*").Id("r")),
		)
	} else {
		body = append(body,
			jen.If(jen.Id("lo").Op(">=").Lit(int(t.Limit))).Block(jen.Return(jen.False())),
			jen.Id("at").Op(":=").Id("lo"),
			jen.For(jen.Id("at").Op("<").Len(jen.Id("b")).Op("&&").Add(cmp(jen.Id("at"))).Op("==").Lit(0)).Block(jen.Id("at").Op("++")),
			jen.Id("b").Op("=").Qual("slices", "Insert").Call(jen.Id("b"), jen.Id("at"), jen.Op("*").Id("r")),
		)
	}
	body = append(body,
		jen.If(jen.Len(jen.Id("b")).Op(">").Lit(int(t.Limit))).Block(jen.Id("b").Op("=").Id("b").Index(jen.Empty(), jen.Lit(int(t.Limit)))),
		jen.Add(best).Op("=").Id("b"),
		jen.Return(jen.True()),
	)
	g.f.Comment(fmt.Sprintf("xkeep%s tells whether a row of %s can rank within %d in %s, a global", o.fn, in.what(), t.Limit, o.what()))
	g.f.Comment(fmt.Sprintf("ranking gathered on one worker: not when %d rows this worker sent rank before it", t.Limit))
	if t.Func == plan.DenseRank {
		g.f.Comment("(of as many distinct orders: DENSE_RANK), which the owner has and which never leave (an")
	} else {
		g.f.Comment("(RANK), which the owner has and which never leave (an")
	}
	g.f.Comment("append-only input). It keeps those rows; they are no state: after a restore it sends more.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("xkeep" + o.fn).Params(jen.Id("r").Op("*").Id(in.rowType)).Bool().Block(body...)
	g.f.Line()
}

// cmpKeys is the comparison, by order over columns of schema, of the rows
// whose column c is a(c) and b(c): it returns from the function at the
// first key that tells them apart (the rest of cmp<Op>'s body).
func cmpKeys(order []plan.SortKey, schema plan.Schema, af, bf func(c int) *jen.Statement) []jen.Code {
	var body []jen.Code
	for _, k := range order {
		c := schema[k.Col]
		a, b := af(k.Col), bf(k.Col)
		cmpOf := func(x, y jen.Code) jen.Code {
			if c.Type.Kind == types.Bool {
				return rt("topn.CompareBool").Call(x, y)
			}
			if c.Type.Kind.IsWideDecimal() {
				return rt("topn.CompareDec128").Call(x, y)
			}
			return rt("topn.Compare").Call(x, y)
		}
		ret := jen.Return(jen.Id("c"))
		if k.Desc {
			ret = jen.Return(jen.Op("-").Id("c"))
		}
		if c.Type.Nullable {
			body = append(body,
				jen.If(jen.Add(a).Dot("Valid").Op("!=").Add(b).Dot("Valid")).Block(
					jen.If(jen.Add(a).Dot("Valid")).Block(jen.Return(jen.Lit(-1))),
					jen.Return(jen.Lit(1))),
				jen.If(jen.Add(a).Dot("Valid")).Block(
					jen.If(jen.Id("c").Op(":=").Add(cmpOf(jen.Add(a).Dot("V"), jen.Add(b).Dot("V"))), jen.Id("c").Op("!=").Lit(0)).Block(ret)))
			continue
		}
		body = append(body, jen.If(jen.Id("c").Op(":=").Add(cmpOf(a, b)), jen.Id("c").Op("!=").Lit(0)).Block(ret))
	}
	return body
}
