package codegen

import (
	"fmt"
	"slices"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/plan"
)

// SESSION and CUMULATE windows. A session window's state is
// window.Sessions: per key, its open sessions with their aggregates; a row
// finds (or opens) its session there, merging the sessions it bridges, and a
// session closes when the watermark reaches its end. A cumulating window is
// a windowed aggregate whose windows share a start: it keeps one state per
// window end, found by the virtual start end - size, so that windows close in
// order of their ends as tumbling ones do.

// sessionStage binds a SESSION or CUMULATE window stage. A session stage
// names the row's time (sts) for the state to place it; its bounds are the
// session's, which only the state knows (the planner lets nothing before it
// read them). A cumulating stage loops over the windows holding the row.
func sessionStage(eg *exprGen, w *plan.Window, ts jen.Code, body func(env []operand) []jen.Code) []jen.Code {
	if w.Kind == plan.Session {
		env := append(append([]operand{}, eg.env...), operand{jen.Id("sts"), false}, operand{jen.Id("sts"), false})
		return append(eg.stmts, jen.Block(append([]jen.Code{jen.Id("sts").Op(":=").Add(ts)}, body(env)...)...))
	}
	env := append(append([]operand{}, eg.env...), operand{jen.Id("cs"), false}, operand{jen.Id("we"), false})
	return append(eg.stmts, jen.Block(
		jen.Id("cs").Op(":=").Add(rt("value.TumbleStart")).Call(ts, jen.Lit(w.Size), jen.Lit(w.Offset)),
		jen.Comment("every window from cs that ends after ts, up to the largest"),
		jen.For(
			jen.Id("we").Op(":=").Id("cs").Op("+").Parens(jen.Parens(ts).Op("-").Id("cs")).Op("/").Lit(w.Slide).Op("*").Lit(w.Slide).Op("+").Lit(w.Slide),
			jen.Id("we").Op("<=").Id("cs").Op("+").Lit(w.Size),
			jen.Id("we").Op("+=").Lit(w.Slide),
		).Block(append([]jen.Code{jen.Id("ws").Op(":=").Id("we").Op("-").Lit(w.Size)}, body(env)...)...),
	))
}

// windowBoundCode is the value of window_start (or window_end) in the code
// that emits a window's rows; def is a tumbling or hopping window's.
func windowBoundCode(o *opInfo, isEnd bool, def jen.Code) jen.Code {
	w := o.op.Window()
	switch {
	case o.session && isEnd:
		return jen.Id("s").Dot("End")
	case o.session:
		return jen.Id("s").Dot("Start")
	case w.Kind == plan.Cumulate && !isEnd:
		// start is the window's end less the size
		return rt("value.TumbleStart").Call(jen.Id("start").Op("+").Lit(w.Size-1), jen.Lit(w.Size), jen.Lit(w.Offset))
	}
	return def
}

// sessionType is *window.Session[Key, Acc] of operator o.
func (o *opInfo) sessionType() *jen.Statement {
	return jen.Op("*").Add(rt("window.Session")).Types(jen.Id(o.keyType()), jen.Id(o.accType()))
}

// newSessions builds the operator's empty sessions.
func (g *generator) newSessions(o *opInfo) jen.Code {
	return jen.Id("p").Dot(o.name).Op("=").Add(rt("window.NewSessions")).Types(jen.Id(o.keyType()), jen.Id(o.accType())).Call(
		jen.Lit(o.op.Window().Size), jen.Id("merge"+o.fn), jen.Lit(o.op.Updating))
}

// sessionAssign is the per-row update of a session aggregate: the row's
// session, then each aggregate folded in; a row no open session takes and
// whose own window has closed is late.
func sessionAssign(o *opInfo, key jen.Dict, updates []jen.Code) []jen.Code {
	assign := jen.Id("p").Dot(o.name).Dot("Assign").Call(jen.Id(o.keyType()).Values(key), jen.Id("sts"), jen.Id("wm"))
	late := jen.Block(jen.Comment("the session closed before this row arrived"), jen.Id("late").Op("=").True())
	if len(updates) == 0 {
		return []jen.Code{jen.If(jen.Add(assign).Op("==").Nil()).Add(late)}
	}
	return []jen.Code{jen.If(jen.Id("acc").Op(":=").Add(assign), jen.Id("acc").Op("==").Nil()).Add(late).Else().Block(updates...)}
}

// sessionEmit generates what emits a session's row: close<op> (on window
// close), or session<op> and changes<op> (EMIT CHANGES: a changed session
// retracts its last row and inserts the new one; a session merged into
// another retracts its last row).
func (g *generator) sessionEmit(o *opInfo, eg *exprGen, read []bool) {
	op := o.op
	agg := op.Agg
	var prelude []jen.Code
	if slices.ContainsFunc(o.keyIdx, func(k int) bool { return read[k] }) {
		prelude = append(prelude, jen.Id("k").Op(":=").Op("&").Id("s").Dot("Key"))
	}
	if op.Updating || slices.Contains(read[len(agg.Keys):], true) {
		prelude = append(prelude, jen.Id("acc").Op(":=").Op("&").Id("s").Dot("State"))
	}
	report := func(f jen.Code) jen.Code {
		return jen.Id("p").Dot("ctx").Dot("OutputFailed").Call(jen.Lit(op.Name), jen.Id("s").Dot("Start"), jen.True(), jen.Id("s").Dot("Key"), f)
	}
	params := []jen.Code{jen.Id("s").Add(o.sessionType())}
	if !op.Updating {
		tail := func(eg *exprGen) []jen.Code {
			return append(eg.stmts, eg.guard(
				jen.Id("out").Op(":=").Id(o.rowType).Values(rowValues(o, eg.env)),
				jen.Id("p").Dot("emit"+o.fn).Call(jen.Op("&").Id("out"), jen.LitRune('+')))...)
		}
		body := append(prelude, eg.faultScope(stages(eg, op.Post, tail), report)...)
		g.f.Comment(fmt.Sprintf("close%s emits the row of a session of %s that has closed.", o.fn, o.what()))
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("close" + o.fn).Params(params...).Block(body...)
		g.f.Line()
		return
	}
	tail := func(eg *exprGen) []jen.Code {
		return append(eg.stmts, eg.guard(
			jen.Id("row").Op("=").Id(o.rowType).Values(rowValues(o, eg.env)),
			jen.Id("pass").Op("=").True())...)
	}
	body := append(prelude,
		jen.Id("s").Dot("Clean").Call(),
		jen.Var().Id("row").Id(o.rowType),
		jen.Id("pass").Op(":=").False(),
	)
	body = append(body, eg.faultScope(stages(eg, op.Post, tail), report)...)
	body = append(body,
		jen.Comment("retract the row the sinks saw, then insert the new one; an unchanged row emits nothing"),
		jen.If(jen.Id("acc").Dot("emitted").Op("&&").Parens(jen.Op("!").Id("pass").Op("||").Id("row").Op("!=").Id("acc").Dot("last"))).Block(
			jen.Id("p").Dot("emit"+o.fn).Call(jen.Op("&").Id("acc").Dot("last"), jen.LitRune('-')),
			jen.Id("acc").Dot("emitted").Op("=").False(),
		),
		jen.If(jen.Id("pass").Op("&&").Op("!").Id("acc").Dot("emitted")).Block(
			jen.Id("p").Dot("emit"+o.fn).Call(jen.Op("&").Id("row"), jen.LitRune('+')),
			jen.Id("acc").Dot("last").Op("=").Id("row"),
			jen.Id("acc").Dot("emitted").Op("=").True(),
		),
	)
	g.f.Comment(fmt.Sprintf("session%s emits the change of one session of %s.", o.fn, o.what()))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("session" + o.fn).Params(params...).Block(body...)
	g.f.Line()
	st := jen.Id("p").Dot(o.name)
	g.f.Comment(fmt.Sprintf("changes%s emits the changes of the sessions of %s since the last flush:", o.fn, o.what()))
	g.f.Comment("sessions merged into others retract their rows, changed ones emit theirs.")
	g.f.Comment("Under EMIT AFTER WATERMARK only the sessions ending before due emit; the others wait.")
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("changes"+o.fn).Params(jen.Id("due").Int64()).Block(
		jen.For(jen.Id("i").Op(":=").Range().Add(st).Dot("Absorbed")).Block(
			jen.If(jen.Id("a").Op(":=").Op("&").Add(st).Dot("Absorbed").Index(jen.Id("i")), jen.Id("a").Dot("emitted")).Block(
				jen.Id("p").Dot("emit"+o.fn).Call(jen.Op("&").Id("a").Dot("last"), jen.LitRune('-')))),
		jen.For(jen.List(jen.Id("_"), jen.Id("s")).Op(":=").Range().Add(st).Dot("Dirty")).Block(
			jen.If(jen.Id("s").Dot("Live").Call().Op("&&").Id("s").Dot("Dirty").Call().Op("&&").Id("s").Dot("End").Op("<").Id("due")).Block(
				jen.Id("p").Dot("session"+o.fn).Call(jen.Id("s")))),
		jen.Add(st).Dot("Flushed").Call(jen.Id("due")),
	)
	g.f.Line()
}

// closeSessions closes the sessions of o whose end the watermark wm has
// reached, in order of their ends.
func (g *generator) closeSessions(o *opInfo) []jen.Code {
	emit := jen.Id("p").Dot("close" + o.fn).Call(jen.Id("s"))
	if o.op.Updating {
		emit = jen.If(jen.Id("s").Dot("Dirty").Call()).Block(jen.Id("p").Dot("session" + o.fn).Call(jen.Id("s")))
	}
	return []jen.Code{jen.For(
		jen.Id("s").Op(":=").Id("p").Dot(o.name).Dot("NextClosed").Call(jen.Id("wm")),
		jen.Id("s").Op("!=").Nil(),
		jen.Id("s").Op("=").Id("p").Dot(o.name).Dot("NextClosed").Call(jen.Id("wm")),
	).Block(jen.Id("p").Dot("ctx").Dot("WindowClosed").Call(), emit)}
}

// sessionState generates save<op> and load<op> of a session aggregate: the
// watermark its sessions closed at (for an operator reading other
// operators), then its open sessions in the order they opened, each its key,
// bounds and state.
func (g *generator) sessionState(o *opInfo) {
	encKey, decKey, encAcc, decAcc := groupCodecs(o)
	st := jen.Id("p").Dot(o.name)
	var save, load []jen.Code
	if o.src == nil {
		save = append(save, jen.Id("buf").Op("=").Add(rt("snapshot.AppendInt")).Call(jen.Id("buf"), jen.Id("p").Dot(o.name+"WM")))
		load = append(load, jen.Id("p").Dot(o.name+"WM").Op("=").Id("d").Dot("Int").Call())
	}
	enc := []jen.Code{}
	if len(encKey) > 0 {
		enc = append(enc, jen.Id("k").Op(":=").Op("&").Id("s").Dot("Key"))
	}
	if len(encAcc) > 0 {
		enc = append(enc, jen.Id("a").Op(":=").Op("&").Id("s").Dot("State"))
	}
	enc = append(enc, encKey...)
	enc = append(enc,
		jen.Id("buf").Op("=").Add(rt("snapshot.AppendInt")).Call(jen.Id("buf"), jen.Id("s").Dot("Start")),
		jen.Id("buf").Op("=").Add(rt("snapshot.AppendInt")).Call(jen.Id("buf"), jen.Id("s").Dot("End")))
	enc = append(enc, encAcc...)
	save = append(save,
		jen.Id("open").Op(":=").Add(st).Dot("Open").Call(),
		jen.Id("buf").Op("=").Add(rt("snapshot.AppendUint")).Call(jen.Id("buf"), jen.Uint64().Call(jen.Len(jen.Id("open")))),
		jen.For(jen.List(jen.Id("_"), jen.Id("s")).Op(":=").Range().Id("open")).Block(enc...),
		jen.Return(jen.Id("buf")))
	dec := []jen.Code{jen.Var().Id("key").Id(o.keyType()), jen.Var().Id("acc").Id(o.accType())}
	if len(decKey) > 0 {
		dec = append(dec, jen.Id("k").Op(":=").Op("&").Id("key"))
	}
	if len(decAcc) > 0 {
		dec = append(dec, jen.Id("a").Op(":=").Op("&").Id("acc"))
	}
	dec = append(dec, decKey...)
	dec = append(dec, jen.Id("start").Op(":=").Id("d").Dot("Int").Call(), jen.Id("end").Op(":=").Id("d").Dot("Int").Call())
	dec = append(dec, decAcc...)
	dec = append(dec, jen.Add(st).Dot("Restore").Call(jen.Id("key"), jen.Id("start"), jen.Id("end"), jen.Id("acc")))
	load = append(load, jen.For(jen.Id("n").Op(":=").Id("d").Dot("Len").Call().Op(";").Id("n").Op(">").Lit(0).Op(";").Id("n").Op("--")).Block(dec...))
	g.stateFuncs(o, periodicSave(o, save), periodicLoad(o, load))
}
