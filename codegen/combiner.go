package codegen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// The combiner of a key-partitioned job (physical.Combine): Route folds each
// row into the partial states of the part of the worker owning its group
// (pt.c, windows of the aggregate's own key and state types) instead of
// copying the row into the part; ProcessPart merges them into the owner's
// windows (mergePart) before it runs the rows that crossed as rows. A row
// Route finds late (its window closed by the watermark before it in the
// chunk) or whose expressions fail crosses as a row, and the owner runs it
// as one engine does; the folded rows' record numbers stay in the part, for
// the rare partial whose window the chunks before it in the round closed:
// the owner reports those rows late one by one. The parts are emptied when
// their sender starts its next round (resetCombiner), so no partial state
// outlives a round and a checkpoint, taken between rounds, holds none.
//
// Over a changelog file Route folds each change with its weight from the
// batch (LineWeight), as the view's own loop does: the partials are signed
// (counts, exact sums, multisets of MIN and MAX, W the net rows), and
// merge<op> adds them, W too, for the owner's flush to drop a group whose
// rows all went.
//
// A part whose rounds folded rows into more than a third as many groups (keys
// nearly unique) goes back to rows for combinerOffRounds rounds, then tries
// again: folding then costs a lookup per row on the sender and saves little.
// The rows and groups are counted over the part's rounds until they hold
// combinerDecideRows rows (decided, the counts start again): a part of fewer
// rows a round (shared rounds' parts of a slot, runtime/job/shared.go, at 4
// workers and more) decides on the same number of rows as one of more.

// foldTarget redirects an aggregate's row code (aggUpdate) to a combiner's
// partial states: state is the windows it folds into, folded the
// statements run after a row was folded.
type foldTarget struct {
	state  jen.Code
	folded []jen.Code
}

// combinerMinRows is the rows per group (on average over a part's round)
// below which folding does not pay: a lookup per row on the sender and one
// per group on the owner cost more than the rows' copies they save
// (groupby_many, GROUP BY price, about 2 rows a group in a part: 7% more
// CPU folded). 3, not 4: on shared rounds (runtime/job/shared.go) a part
// holds a slot's rows, a quarter of a chunk's, and q5_tumble's parts (about
// 3.9 rows a group) went over to rows at 4: +5.8% instructions at two
// workers against fixed chunks, +2.9% at 3 (1M events, callgrind).
const combinerMinRows = 3

// combinerMinRowsFlat is combinerMinRows where a row crossing as a row is a
// column batch's few columns without pointers (a Parquet source's part row
// of integers and timestamps): its copy is a plain store of a few words,
// nothing for the write barrier or the collector, so folding it (a lookup
// per row on the sender, as the owner's per row) pays only when the groups
// are few. 10M Parquet bids at 2 workers, busy CPU folded against rows:
// COUNT per auction per 10 s window (about 9 rows a group in a part's round)
// 0.44-0.48 against 0.38 s, per 160 s window (about 50) still 0.33-0.37
// against 0.31-0.34 s. Rows with a string (COUNT, SUM, MAX and MIN(channel)
// per auction; per channel, a few groups) fold for less: 0.88-0.96 against
// 0.90-0.95 s and 0.72 against 0.78 s (critical path 0.41 against 0.47 s).
const combinerMinRowsFlat = 64

// combMinRows is the job's rows per group below which a part sends rows.
func (g *generator) combMinRows() int {
	s := g.sources[g.part.Source]
	if !slimPart(s) {
		return combinerMinRows
	}
	for c, col := range s.src.Schema {
		if columnarPartColumn(s, c) && col.Type.Kind == types.String {
			return combinerMinRows // strings: a row's copy has pointers
		}
	}
	return combinerMinRowsFlat
}

// combinerOffRounds is how many rounds a part whose groups were nearly
// unique sends rows before it folds again.
const combinerOffRounds = 64

// combinerDecideRows is the folded rows over which a part decides whether
// folding pays: 256, fewer than a chunk's part holds up to 14 workers
// (3,770 bids in 4,096 events) but more than a slot's part of shared rounds
// holds past 3 (about 940 bids a slot, split among the workers). Deciding on each round's rows alone, such a part never
// went over to rows: groupby_many at 4 workers +8.8% instructions against
// fixed chunks (1M events, callgrind).
const combinerDecideRows = 256

// combSpan is the time span of the combiner's partial windows: a hopping
// window's pane (a slide long), else the window's size (a cumulating
// window's state is per window, by its end less the size).
func combSpan(o *opInfo) int64 {
	if o.panes {
		return o.op.Window().Slide
	}
	return o.op.Window().Size
}

// combDecide is resetCombiner's count of a folding part's round (rows folded
// into groups), and its decision once the rounds since the last one hold
// combinerDecideRows rows: rows when they were under combMinRows a group.
func (g *generator) combDecide(rows, groups jen.Code) []jen.Code {
	pt := func(f string) *jen.Statement { return jen.Id("pt").Dot(f) }
	return []jen.Code{
		pt("tried").Op("+=").Add(rows),
		pt("tgroups").Op("+=").Add(groups),
		jen.If(pt("tried").Op(">=").Lit(combinerDecideRows)).Block(
			pt("raw").Op("=").Lit(g.combMinRows()).Op("*").Add(pt("tgroups")).Op(">").Add(pt("tried")),
			jen.List(pt("tried"), pt("tgroups")).Op("=").List(jen.Lit(0), jen.Lit(0))),
	}
}

// combOp is the combined aggregate.
func (g *generator) combOp() *opInfo { return g.ops[g.comb.Op] }

// combFields are the part's fields of the combiner.
func (g *generator) combFields() []jen.Code {
	if !g.comb.Combines() {
		return nil
	}
	o := g.combOp()
	tail := []jen.Code{
		jen.Id("raw").Bool().Comment("combiner off: the rows cross as rows (its rounds held under combMinRows rows a group)"),
		jen.Id("rawRounds").Int().Comment("rounds since the combiner went off"),
		jen.Id("tried").Int().Comment("rows folded in the rounds since the last decision (combinerDecideRows)"),
		jen.Id("tgroups").Int().Comment("their rounds' groups"),
	}
	if !o.op.Windowed() {
		return append([]jen.Code{
			jen.Id("c").Op("*").Add(rt("window.Groups")).Types(jen.Id(o.keyType()), jen.Id(o.accType())).Comment("combiner: partial states of " + o.what() + " per group, from the round's rows"),
			jen.Id("nfold").Int().Comment("combiner: the rows folded into c"),
		}, tail...)
	}
	return append([]jen.Code{
		jen.Id("c").Op("*").Add(rt("window.Windows")).Types(jen.Id(o.keyType()), jen.Id(o.accType())).Comment("combiner: partial states of " + o.what() + " per window and group, from the round's rows"),
		jen.Id("folded").Index().Int32().Comment("combiner: the record of each row folded into c, in input order"),
		jen.Id("runs").Index().Id("partRun").Comment("combiner: where the window of the folded rows changes"),
	}, tail...)
}

// combNewPart is NewPart's new part.
func (g *generator) combNewPart(ptType string) jen.Code {
	if !g.comb.Combines() {
		return jen.New(jen.Id(ptType))
	}
	o := g.combOp()
	if !o.op.Windowed() {
		return jen.Op("&").Id(ptType).Values(jen.Dict{
			jen.Id("c"): rt("window.NewGroups").Types(jen.Id(o.keyType()), jen.Id(o.accType())).Call(),
		})
	}
	return jen.Op("&").Id(ptType).Values(jen.Dict{
		jen.Id("c"): rt("window.NewWindows").Types(jen.Id(o.keyType()), jen.Id(o.accType())).Call(jen.Lit(combSpan(o))),
	})
}

// combRowWM names the watermark before a row in Route: wm, or rowWM when the
// combined view's code, which puts late rows in their part, rebinds wm to the
// watermark less its allowed lateness.
func (g *generator) combRowWM() string {
	if g.comb.Combines() && g.combOp().op.Windowed() && g.combOp().op.Agg.Lateness != 0 {
		return "rowWM"
	}
	return "wm"
}

// combRoute is Route's code for a row: pick (decl) its owner's part pt,
// then put the row in it (put) when the part sends rows, else fold it into
// pt.c, putting it there only when it is late or fails. line is the row's
// record number.
func (g *generator) combRoute(s *sourceInfo, decl jen.Code, put []jen.Code, line jen.Code) []jen.Code {
	o := g.combOp()
	putRow := jen.Null()
	for i, c := range put {
		if i > 0 {
			putRow.Line()
		}
		putRow.Add(c)
	}
	env := make([]operand, len(s.src.Schema))
	for i, c := range s.src.Schema {
		if tb := s.src.Typed; tb != nil && !tb.Columnar {
			v := jen.Id("r").Dot(tb.Fields[i])
			if c.Type.Nullable {
				v = rt("value.Of").Call(v)
			}
			env[i] = operand{v, c.Type.Nullable}
			continue
		}
		env[i] = operand{jen.Id("r").Dot(s.fields[i]), c.Type.Nullable}
	}
	runs := jen.Id("pt").Dot("runs")
	if !o.op.Windowed() {
		g.fold = &foldTarget{state: jen.Id("pt").Dot("c"), folded: []jen.Code{jen.Id("pt").Dot("nfold").Op("++")}}
	} else {
		folded := jen.Id("pt").Dot("folded")
		record := []jen.Code{
			jen.If(jen.Id("n").Op(":=").Len(runs), jen.Id("n").Op("==").Lit(0).Op("||").Add(runs).Index(jen.Id("n").Op("-").Lit(1)).Dot("ws").Op("!=").Id("ws")).Block(
				jen.Add(runs).Op("=").Append(runs, jen.Id("partRun").Values(jen.Dict{jen.Id("ws"): jen.Id("ws"), jen.Id("from"): jen.Int32().Call(jen.Len(folded))}))),
			jen.Add(folded).Op("=").Append(folded, line),
		}
		if o.op.Window().Kind == plan.Cumulate {
			// a row folds into each of its windows, earliest end first: its
			// record goes with that window's, whose closing makes it late
			record = []jen.Code{
				jen.Comment("the row's first window: the one whose closing makes it late"),
				jen.If(jen.Id("n").Op(":=").Len(folded), jen.Id("n").Op("==").Lit(0).Op("||").Add(folded).Index(jen.Id("n").Op("-").Lit(1)).Op("!=").Add(line)).Block(record...),
			}
		}
		g.fold = &foldTarget{state: jen.Id("pt").Dot("c"), folded: record}
	}
	defer func() { g.fold = nil }()
	why := "folded into the owner's partial state; a late or failed row crosses as a row"
	if !o.op.Windowed() {
		why = "folded into the owner's partial state; a failed row crosses as a row"
	}
	acc := rowAccess{
		env:  env,
		late: func(string) jen.Code { return putRow },
		fail: func(string, jen.Code) jen.Code { return putRow },
	}
	var weight []jen.Code
	if s.src.Updating {
		// a changelog's row folds with its weight, as on one engine: the
		// partial's counts, sums and multisets are signed
		weight = []jen.Code{jen.Id("w").Op(":=").Id("b").Dot("LineWeight").Call(jen.Id("i"))}
		acc.weight = jen.Id("w")
	}
	tmp := 0
	fold := g.opRow(o, &tmp, acc)
	var rowWM jen.Code = jen.Null()
	if g.combRowWM() != "wm" {
		rowWM = jen.Id("rowWM").Op(":=").Id("wm").Comment("the row's watermark; the view's code sees it less the allowed lateness")
	}
	return []jen.Code{
		decl,
		rowWM,
		jen.If(jen.Id("pt").Dot("raw")).Block(put...).Else().Block(append(append([]jen.Code{
			jen.Comment(why),
		}, weight...), fold...)...),
	}
}

// combinerCode generates the combiner's functions: mergePart, the late
// reports of a closed window's folded rows, resetCombiner and merge<op>.
func (g *generator) combinerCode(s *sourceInfo, ptType string) {
	if !g.comb.Combines() {
		return
	}
	o := g.combOp()
	if !o.op.Windowed() {
		g.groupsCombinerCode(ptType)
		return
	}
	size := combSpan(o)
	g.f.Comment("partRun is where a run of folded rows in one window begins (partBid.folded).")
	g.f.Type().Id("partRun").Struct(
		jen.Id("ws").Int64().Comment("the window's start"),
		jen.Id("from").Int32().Comment("the run's first row in folded"),
	)
	g.f.Line()
	if !o.panes { // panes have it, to merge a window's
		g.mergeFunc(o)
	}
	self := jen.Id("p").Dot("src" + s.goName)
	wmDecl := jen.Id("wm").Op(":=").Add(self).Dot("wm")
	if l := o.op.Agg.Lateness; l != 0 {
		// windows close, and rows are late, by the watermark less the lateness
		wmDecl = jen.Id("wm").Op(":=").Add(rt("window.ShiftWatermark")).Call(jen.Add(self).Dot("wm"), jen.Lit(-l))
	}
	findDst := []jen.Code{
		jen.If(jen.Id("ws").Op("+").Lit(size).Op("<=").Id("wm")).Block(
			jen.Comment("closed by the chunks before this one in the round"),
			jen.Id("late").Op("=").True(),
			jen.Continue()),
		jen.Id("dst").Op(":=").Id("p").Dot(o.name).Dot("Window").Call(jen.Id("ws")),
	}
	if o.panes {
		findDst = []jen.Code{
			jen.If(jen.Id("ws").Op("+").Lit(size).Op("<=").Id("wm")).Block(
				jen.Comment("the pane's earliest window closed by the chunks before this one in the round:"),
				jen.Comment("its rows are late, and count in the later windows still open"),
				jen.Id("late").Op("=").True()),
			jen.Id("dst").Op(":=").Id("p").Dot(o.name).Dot("Pane").Call(jen.Id("ws")),
			jen.If(jen.Id("dst").Op("==").Nil()).Block(
				jen.Comment("every window holding the pane closed"),
				jen.Continue()),
		}
	}
	g.f.Comment(fmt.Sprintf("mergePart merges the partial states of %s that a worker folded from its chunk's rows", o.what()))
	g.f.Comment("for the groups this worker owns into its windows, at start, the watermark one engine has")
	g.f.Comment("before the chunk: a window start closed holds none of them on one engine, whose rows are late.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("mergePart").Params(jen.Id("pt").Op("*").Id(ptType), jen.Id("start").Int64()).Block(
		jen.If(jen.Id("pt").Dot("c").Dot("Len").Call().Op("==").Lit(0)).Block(jen.Return()),
		jen.If(jen.Id("start").Op(">").Add(self).Dot("wm")).Block(
			jen.Add(self).Dot("wm").Op("=").Id("start"),
			jen.Id("p").Dot("fire"+s.goName).Call(jen.Id("start"))),
		wmDecl,
		jen.Id("late").Op(":=").False(),
		jen.For(jen.Id("w").Op(":=").Lit(0).Op(";").Id("w").Op("<").Id("pt").Dot("c").Dot("Len").Call().Op(";").Id("w").Op("++")).Block(
			append([]jen.Code{jen.List(jen.Id("ws"), jen.Id("src")).Op(":=").Id("pt").Dot("c").Dot("At").Call(jen.Id("w"))},
				append(findDst, jen.For(jen.Id("gi").Op(":=").Range().Id("src").Dot("Count").Call()).Block(
					jen.List(jen.Id("di"), jen.Id("_")).Op(":=").Id("dst").Dot("Find").Call(jen.Op("*").Id("src").Dot("Key").Call(jen.Id("gi"))),
					jen.Id("merge"+o.fn).Call(jen.Id("dst").Dot("State").Call(jen.Id("di")), jen.Id("src").Dot("State").Call(jen.Id("gi")))))...)...),
		jen.If(jen.Id("late")).Block(jen.Id("p").Dot("lateFolded").Call(jen.Id("pt"), jen.Id("wm"))),
	)
	g.f.Line()
	var report jen.Code
	if s.src.Typed != nil {
		report = jen.Id("p").Dot("late"+s.goName).Call(jen.Nil(), jen.Nil(), jen.Lit(0), jen.Id("p").Dot("partRecord"+s.goName).Call(jen.Id("pt").Dot("folded").Index(jen.Id("k"))), jen.Lit(o.op.Name))
	} else {
		report = jen.Id("p").Dot("late"+s.goName).Call(jen.Id("pt").Dot("b"), jen.Id("pt").Dot("folded"), jen.Int().Call(jen.Id("k")), jen.Nil(), jen.Lit(o.op.Name))
	}
	g.f.Comment("lateFolded reports late, in input order, the folded rows of a part whose windows the")
	g.f.Comment("watermark wm has closed.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("lateFolded").Params(jen.Id("pt").Op("*").Id(ptType), jen.Id("wm").Int64()).Block(
		jen.For(jen.List(jen.Id("i"), jen.Id("run")).Op(":=").Range().Id("pt").Dot("runs")).Block(
			jen.If(jen.Id("run").Dot("ws").Op("+").Lit(size).Op(">").Id("wm")).Block(jen.Continue()),
			jen.Id("end").Op(":=").Int32().Call(jen.Len(jen.Id("pt").Dot("folded"))),
			jen.If(jen.Id("i").Op("+").Lit(1).Op("<").Len(jen.Id("pt").Dot("runs"))).Block(
				jen.Id("end").Op("=").Id("pt").Dot("runs").Index(jen.Id("i").Op("+").Lit(1)).Dot("from")),
			jen.For(jen.Id("k").Op(":=").Id("run").Dot("from").Op(";").Id("k").Op("<").Id("end").Op(";").Id("k").Op("++")).Block(report),
		),
	)
	g.f.Line()
	c := jen.Id("pt").Dot("c")
	g.f.Comment("resetCombiner empties a part's partial states for its sender's next round, and turns")
	g.f.Comment("the combiner off for a while when its rounds held under combMinRows rows a group (combDecide).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("resetCombiner").Params(jen.Id("pt").Op("*").Id(ptType)).Block(
		jen.Switch().Block(
			jen.Case(jen.Id("pt").Dot("raw")).Block(
				jen.Id("pt").Dot("rawRounds").Op("++"),
				jen.If(jen.Id("pt").Dot("rawRounds").Op(">=").Lit(combinerOffRounds)).Block(
					jen.List(jen.Id("pt").Dot("raw"), jen.Id("pt").Dot("rawRounds")).Op("=").List(jen.False(), jen.Lit(0)))),
			jen.Default().Block(g.combDecide(jen.Len(jen.Id("pt").Dot("folded")), jen.Add(c).Dot("Groups").Call())...),
		),
		jen.For(jen.Add(c).Dot("Len").Call().Op(">").Lit(0)).Block(
			jen.List(jen.Id("_"), jen.Id("grp")).Op(":=").Add(c).Dot("PopEarliest").Call(),
			jen.Add(c).Dot("Release").Call(jen.Id("grp"))),
		jen.List(jen.Id("pt").Dot("folded"), jen.Id("pt").Dot("runs")).Op("=").List(jen.Id("pt").Dot("folded").Index(jen.Empty(), jen.Lit(0)), jen.Id("pt").Dot("runs").Index(jen.Empty(), jen.Lit(0))),
	)
	g.f.Line()
}

// groupsCombinerCode generates the combiner's functions for an unwindowed
// aggregate: no row is late, and the merged groups are marked changed, for
// EndRound to emit.
func (g *generator) groupsCombinerCode(ptType string) {
	o := g.combOp()
	g.mergeFunc(o)
	g.f.Comment(fmt.Sprintf("mergePart merges the partial states of %s that a worker folded from its chunk's rows", o.what()))
	g.f.Comment("for the groups this worker owns into its groups, marking them changed (emitted at EndRound).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("mergePart").Params(jen.Id("pt").Op("*").Id(ptType), jen.Id("_").Int64()).Block(
		jen.Id("src").Op(":=").Id("pt").Dot("c"),
		jen.Id("dst").Op(":=").Id("p").Dot(o.name),
		jen.For(jen.Id("gi").Op(":=").Range().Id("src").Dot("Count").Call()).Block(
			jen.List(jen.Id("di"), jen.Id("_")).Op(":=").Id("dst").Dot("Find").Call(jen.Op("*").Id("src").Dot("Key").Call(jen.Id("gi"))),
			jen.Id("acc").Op(":=").Id("dst").Dot("State").Call(jen.Id("di")),
			jen.Id("merge"+o.fn).Call(jen.Id("acc"), jen.Id("src").Dot("State").Call(jen.Id("gi"))),
			jen.If(jen.Op("!").Id("acc").Dot("dirty")).Block(
				jen.Id("acc").Dot("dirty").Op("=").True(),
				jen.Id("dst").Dot("Dirty").Op("=").Append(jen.Id("dst").Dot("Dirty"), jen.Id("di")))),
	)
	g.f.Line()
	g.f.Comment("resetCombiner empties a part's partial states for its sender's next round, and turns")
	g.f.Comment("the combiner off for a while when its rounds held under combMinRows rows a group (combDecide).")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("resetCombiner").Params(jen.Id("pt").Op("*").Id(ptType)).Block(
		jen.Switch().Block(
			jen.Case(jen.Id("pt").Dot("raw")).Block(
				jen.Id("pt").Dot("rawRounds").Op("++"),
				jen.If(jen.Id("pt").Dot("rawRounds").Op(">=").Lit(combinerOffRounds)).Block(
					jen.List(jen.Id("pt").Dot("raw"), jen.Id("pt").Dot("rawRounds")).Op("=").List(jen.False(), jen.Lit(0)))),
			jen.Default().Block(g.combDecide(jen.Id("pt").Dot("nfold"), jen.Id("pt").Dot("c").Dot("Len").Call())...),
		),
		jen.Id("pt").Dot("c").Dot("Reset").Call(),
		jen.Id("pt").Dot("nfold").Op("=").Lit(0),
	)
	g.f.Line()
}
