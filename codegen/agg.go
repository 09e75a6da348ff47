package codegen

import (
	"fmt"
	"slices"

	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/physical"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// field is a state struct field: its name, SQL type and a comment. A
// multiset field holds weighted values of type t (window.Multiset).
type field struct {
	name     string
	t        types.Type
	comment  string
	multiset bool
	// container, when set, is the runtime type of a field that is neither
	// a plain value nor a multiset ("timed", "sketch"; see agg_more.go)
	container string
}

// String renders the field for state layout ids; a plain field renders as it
// did before multisets existed, so checkpoints of unchanged jobs stay valid.
func (f field) String() string {
	type plain struct {
		name    string
		t       types.Type
		comment string
	}
	s := fmt.Sprint(plain{f.name, f.t, f.comment})
	if f.multiset {
		s += " multiset"
	}
	if f.container != "" {
		s += " " + f.container
	}
	return s
}

// accFields are the state fields of aggregate i: A<i> holds the count, sum or
// extreme; N<i> counts the non-NULL inputs (net of retractions) where the
// result needs it. Over an updating input an extreme cannot be retracted
// from one value, so MIN and MAX keep the multiset M<i> of their inputs.
func accFields(i int, a plan.Agg, weighted bool) []field {
	A, N := fmt.Sprintf("A%d", i), fmt.Sprintf("N%d", i)
	count := field{N, types.Of(types.Int), "", false, ""}
	if more, ok := moreAccFields(i, a, weighted); ok {
		return more
	}
	if (weighted && (a.Func == plan.Min || a.Func == plan.Max)) || a.Distinct {
		return []field{{fmt.Sprintf("M%d", i), types.Of(a.Arg.Type().Kind), a.String() + ": every input value", true, ""}}
	}
	switch a.Func {
	case plan.Count, plan.CountStar:
		return []field{{A, types.Of(types.Int), a.String(), false, ""}}
	case plan.Sum:
		out := []field{{A, types.Of(a.Arg.Type().Kind), a.String(), false, ""}}
		if exactSum(a) {
			out = append(out, wraps(i))
		}
		if a.T.Nullable {
			out = append(out, count)
		}
		return out
	case plan.Avg:
		out := []field{{A, types.Of(a.Arg.Type().Kind), a.String() + ": sum", false, ""}}
		if exactSum(a) {
			out = append(out, wraps(i))
		}
		return append(out, count)
	default: // MIN, MAX
		return []field{{A, types.Of(a.Arg.Type().Kind), a.String(), false, ""}, count}
	}
}

// wraps is the high word H<i> of the exact 128-bit SUM (or AVG) of BIGINT
// aggregate i, whose low word is A<i> (see value.SumInt).
func wraps(i int) field {
	return field{fmt.Sprintf("H%d", i), types.Of(types.Int), "times the sum wrapped around int64", false, ""}
}

// exactSum reports whether aggregate a sums BIGINTs (or DECIMALs' unscaled
// values) into 128 bits.
func exactSum(a plan.Agg) bool {
	if a.Func != plan.Sum && a.Func != plan.Avg {
		return false
	}
	k := a.Arg.Type().Kind
	return k == types.Int || k.IsDecimal()
}

// accLayout lists every field of an operator's accumulator struct, except
// the per-batch dirty flag.
func accLayout(o *opInfo) []field {
	var out []field
	shared := sharedDistinct(o.op.Agg.Aggs, o.op.InputUpdating || o.session)
	for i, a := range o.op.Agg.Aggs {
		if slot, ok := shared[i]; ok {
			if slot.owner == i {
				out = append(out, distinctField(i, o.op.Agg.Aggs, shared))
			}
			continue
		}
		out = append(out, accFields(i, a, o.op.InputUpdating)...)
	}
	if o.op.InputUpdating {
		out = append(out, field{"W", types.Of(types.Int), "rows in the group, net of retractions", false, ""})
	}
	if o.op.Updating {
		out = append(out, field{"emitted", types.Of(types.Bool), "last holds a row the sinks have seen", false, ""})
	}
	return out
}

// keyLayout lists the fields of an operator's key struct.
func keyLayout(o *opInfo) []field {
	var out []field
	for i, k := range o.keyIdx {
		out = append(out, field{o.keyFields[i], o.op.Agg.Keys[k].Type(), o.op.Agg.Keys[k].String(), false, ""})
	}
	return out
}

func structFields(fs []field) []jen.Code {
	out := make([]jen.Code, len(fs))
	for i, f := range fs {
		out[i] = jen.Id(f.name).Add(goType(f.t))
		if f.multiset {
			out[i] = jen.Id(f.name).Add(rt("window.Multiset")).Types(baseType(f.t.Kind))
		}
		if f.container != "" {
			out[i] = jen.Id(f.name).Add(containerType(f))
		}
		if f.comment != "" {
			out[i] = jen.Add(out[i]).Comment(commentLines(f.comment)[0])
		}
	}
	return out
}

// opCode generates an operator's types and emit functions.
func (g *generator) opCode(o *opInfo) {
	op := o.op
	// emit<op>: write a row to every sink of the view and pass it on to the
	// operators that read it
	emit := []jen.Code{jen.Id("p").Dot(o.name + "Out").Op("++")}
	if op.View != nil {
		emit = append(emit,
			jen.For(jen.List(jen.Id("_"), jen.Id("s")).Op(":=").Range().Id("p").Dot(o.name+"Sinks")).Block(
				jen.Id("s").Dot("Rows").Op("++"),
				jen.If(jen.Op("!").Id("s").Dot("Discard")).Block(
					jen.Id("s").Dot("Buf").Op("=").Id("append"+o.rowType).Call(jen.Id("s").Dot("Buf"), jen.Id("row"), jen.Id("op"))),
			),
			jen.Id("p").Dot(o.name+"Subs").Dot("Emit").Call(jen.Id("row"), rt("laminar.Op").Call(jen.Id("op"))))
	}
	for _, c := range g.consumers(o) {
		if c.op.Join != nil {
			// a self-join reads the row on both sides
			for i, s := range sides {
				if c.inputs[i] != o {
					continue
				}
				args := []jen.Code{jen.Id("row")}
				if c.op.SideUpdating[i] {
					args = append(args, rt("window.WeightOf").Call(jen.Id("op")))
				}
				emit = append(emit, jen.Id("p").Dot("push"+c.fn+s).Call(args...))
			}
			continue
		}
		arg := jen.Code(jen.Id("row"))
		if c.op.Union {
			arg = jen.Parens(jen.Op("*").Id(c.rowType)).Call(jen.Id("row"))
		}
		args := []jen.Code{arg}
		if c.op.InputUpdating {
			args = append(args, rt("window.WeightOf").Call(jen.Id("op")))
		}
		push := "push"
		if g.exchanged(c) >= 0 {
			push = "xchg" // to the worker owning the row's group
		}
		emit = append(emit, jen.Id("p").Dot(push+c.fn).Call(args...))
	}
	g.f.Comment(fmt.Sprintf("emit%s writes a row of %s to its sinks and the operators reading it.", o.fn, o.what()))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("emit"+o.fn).Params(jen.Id("row").Op("*").Id(o.rowType), jen.Id("op").Byte()).Block(emit...)
	g.f.Line()
	if op.Agg == nil {
		return
	}
	agg := op.Agg
	// key and accumulator types
	g.f.Comment(fmt.Sprintf("%s is a group key of %s.", o.keyType(), o.what()))
	g.f.Type().Id(o.keyType()).Struct(structFields(keyLayout(o))...)
	g.f.Line()
	accs := structFields(accLayout(o))
	if op.Updating {
		// dirty next to emitted: two bools share one word, not two
		accs = append(accs,
			jen.Id("dirty").Bool().Comment("changed since the last flush"),
			jen.Id("last").Id(o.rowType))
	}
	g.f.Comment(fmt.Sprintf("%s is the aggregate state of one group of %s.", o.accType(), o.what()))
	g.f.Type().Id(o.accType()).Struct(accs...)
	g.f.Line()
	if o.panes || o.session {
		g.mergeFunc(o)
	}

	// the output env of the aggregate: keys, then finished aggregates
	tmp := 0
	eg := &exprGen{tmp: &tmp, glob: g.glob, faults: new(bool)}
	for k, key := range agg.Keys {
		if isEnd, ok := windowBound(op, k); ok {
			var code jen.Code = jen.Id("start")
			if isEnd {
				code = jen.Parens(jen.Id("start").Op("+").Lit(op.Window().Size))
			}
			code = windowBoundCode(o, isEnd, code)
			eg.env = append(eg.env, operand{code, false})
			continue
		}
		f := o.keyFields[indexOf(o.keyIdx, k)]
		eg.env = append(eg.env, operand{jen.Id("k").Dot(f), key.Type().Nullable})
	}
	read := postReads(op.Post, len(agg.Keys)+len(agg.Aggs))
	shared := sharedDistinct(agg.Aggs, op.InputUpdating || o.session)
	for i, a := range agg.Aggs {
		if !read[len(agg.Keys)+i] {
			eg.env = append(eg.env, operand{}) // an aggregate of a CTE or subquery the outer query leaves out
			continue
		}
		if slot, ok := shared[i]; ok {
			eg.env = append(eg.env, finishShared(slot))
			continue
		}
		eg.env = append(eg.env, finishAgg(eg, i, a, op.InputUpdating))
	}
	if o.session {
		g.sessionEmit(o, eg, read)
		return
	}
	var prelude []jen.Code
	if slices.ContainsFunc(o.keyIdx, func(k int) bool { return read[k] }) {
		prelude = append(prelude, jen.Id("k").Op(":=").Id("grp").Dot("Key").Call(jen.Id("gi")))
	}
	if op.Updating || slices.Contains(read[len(agg.Keys):], true) {
		prelude = append(prelude, jen.Id("acc").Op(":=").Id("grp").Dot("State").Call(jen.Id("gi")))
	}
	params := []jen.Code{jen.Id("start").Int64(), jen.Id("grp").Op("*").Add(rt("window.Groups")).Types(jen.Id(o.keyType()), jen.Id(o.accType()))}
	// a group whose result cannot be represented emits no row: reported
	report := func(f jen.Code) jen.Code {
		key := jen.Code(jen.Nil())
		if len(o.keyIdx) > 0 {
			// k is declared only when the row reads a key; a fault reads acc, so gi is there
			key = jen.Op("*").Id("grp").Dot("Key").Call(jen.Id("gi"))
		}
		return jen.Id("p").Dot("ctx").Dot("OutputFailed").Call(jen.Lit(op.Name), jen.Id("start"), jen.Lit(op.Windowed()), key, f)
	}
	if !op.Updating {
		tail := func(eg *exprGen) []jen.Code {
			return append(eg.stmts, eg.guard(
				jen.Id("out").Op(":=").Id(o.rowType).Values(rowValues(o, eg.env)),
				jen.Id("p").Dot("emit"+o.fn).Call(jen.Op("&").Id("out"), jen.LitRune('+')))...)
		}
		loop := jen.For(jen.Id("gi").Op(":=").Range().Id("grp").Dot("Count").Call())
		if len(prelude) == 0 {
			loop = jen.For(jen.Range().Id("grp").Dot("Count").Call()) // a row per group, nothing of it read
		}
		body := append(prelude, eg.faultScope(stages(eg, op.Post, tail), report)...)
		g.f.Comment(fmt.Sprintf("close%s emits the rows of a window of %s that has closed.", o.fn, o.what()))
		g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("close" + o.fn).Params(params...).Block(
			loop.Block(body...))
		g.f.Line()
		return
	}
	tail := func(eg *exprGen) []jen.Code {
		return append(eg.stmts, eg.guard(
			jen.Id("row").Op("=").Id(o.rowType).Values(rowValues(o, eg.env)),
			jen.Id("pass").Op("=").True())...)
	}
	body := append(prelude,
		jen.Id("acc").Dot("dirty").Op("=").False(),
		jen.Var().Id("row").Id(o.rowType),
		jen.Id("pass").Op(":=").False(),
	)
	post := eg.faultScope(stages(eg, op.Post, tail), report)
	removes := op.InputUpdating && len(o.keyIdx) > 0
	if removes {
		// a group whose rows all retracted has no row: its last one is retracted
		post = []jen.Code{jen.If(jen.Id("acc").Dot("W").Op("!=").Lit(0)).Block(post...)}
	}
	body = append(body, post...)
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
	g.f.Comment(fmt.Sprintf("changes%s emits the changes of the groups of %s touched since the last flush.", o.fn, o.what()))
	var changes []jen.Code
	if removes {
		changes = append(changes, jen.Var().Id("empty").Index().Int32())
		body = append(body, jen.If(jen.Id("acc").Dot("W").Op("==").Lit(0)).Block(
			jen.Id("empty").Op("=").Append(jen.Id("empty"), jen.Id("gi"))))
	}
	changes = append(changes,
		jen.For(jen.List(jen.Id("_"), jen.Id("gi")).Op(":=").Range().Id("grp").Dot("Dirty")).Block(body...),
		jen.Id("grp").Dot("Dirty").Op("=").Id("grp").Dot("Dirty").Index(jen.Empty(), jen.Lit(0)))
	if removes {
		changes = append(changes, jen.Comment("empty groups leave the state"),
			jen.If(jen.Len(jen.Id("empty")).Op(">").Lit(0)).Block(jen.Id("grp").Dot("Remove").Call(jen.Id("empty"))))
	}
	changes = append(changes, g.spillCall(o))
	g.f.Func().Params(jen.Id("p").Op("*").Id(coreType)).Id("changes" + o.fn).Params(params...).Block(changes...)
	g.f.Line()
}

// postReads tells which of the n columns of an aggregate's output the
// stages after it read.
func postReads(post []physical.Stage, n int) []bool {
	need := map[int]bool{}
	width := n
	if len(post) > 0 {
		width = len(post[len(post)-1].Out)
	}
	for c := range width {
		need[c] = true
	}
	for i := len(post) - 1; i >= 0; i-- {
		switch s := post[i]; s.Kind {
		case physical.StageFilter:
			plan.ColumnsUsed(s.Pred, need)
		case physical.StageProject:
			next := map[int]bool{}
			for c := range need {
				plan.ColumnsUsed(s.Exprs[c], next)
			}
			need = next
		case physical.StageWindow:
			// a window TVF over the aggregate's rows: its bounds are new columns
			next := map[int]bool{s.Window.TimeCol: true}
			for c := range need {
				if c < len(s.Out)-2 {
					next[c] = true
				}
			}
			need = next
		}
	}
	read := make([]bool, n)
	for c := range need {
		read[c] = true
	}
	return read
}

func indexOf(xs []int, x int) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// finishAgg is the SQL value of aggregate i from its state.
func finishAgg(eg *exprGen, i int, a plan.Agg, weighted bool) operand {
	A, N := jen.Id("acc").Dot(fmt.Sprintf("A%d", i)), jen.Id("acc").Dot(fmt.Sprintf("N%d", i))
	if v, ok := finishMore(eg, i, a, weighted); ok {
		return v
	}
	if a.Distinct {
		return eg.assignTemp(a.T, jen.Id("acc").Dot(fmt.Sprintf("M%d", i)).Dot("Distinct").Call())
	}
	if weighted && (a.Func == plan.Min || a.Func == plan.Max) {
		v, ok := eg.newTemp(), eg.newTemp()
		fn := "Min"
		if a.Func == plan.Max {
			fn = "Max"
		}
		if !a.T.Nullable {
			eg.stmts = append(eg.stmts, jen.List(jen.Id(v), jen.Id("_")).Op(":=").Id("acc").Dot(fmt.Sprintf("M%d", i)).Dot(fn).Call())
			return operand{jen.Id(v), false}
		}
		eg.stmts = append(eg.stmts, jen.List(jen.Id(v), jen.Id(ok)).Op(":=").Id("acc").Dot(fmt.Sprintf("M%d", i)).Dot(fn).Call())
		return eg.assignTemp(a.T, rt("value.Null").Types(baseType(a.T.Kind)).Values(jen.Dict{jen.Id("V"): jen.Id(v), jen.Id("Valid"): jen.Id(ok)}))
	}
	if v, ok := decimalAgg(eg, i, a); ok {
		return v
	}
	switch a.Func {
	case plan.Count, plan.CountStar:
		return operand{A, false}
	case plan.Avg:
		v := jen.Add(A).Op("/").Float64().Call(N)
		if exactSum(a) {
			v = rt("value.AvgInt").Call(A, jen.Id("acc").Dot(fmt.Sprintf("H%d", i)), N)
		}
		if !a.T.Nullable {
			return eg.assignTemp(a.T, v)
		}
		return eg.assignTemp(a.T, rt("value.Null").Types(jen.Float64()).Values(jen.Dict{jen.Id("V"): v, jen.Id("Valid"): jen.Add(N).Op(">").Lit(0)}))
	}
	if exactSum(a) { // the exact sum must fit in BIGINT
		*eg.faults = true
		A = rt("value.SumResult").Call(A, jen.Id("acc").Dot(fmt.Sprintf("H%d", i)), jen.Op("&").Id(faultVar))
		if !a.T.Nullable {
			return eg.assignTemp(a.T, A)
		}
	}
	if !a.T.Nullable {
		return operand{A, false}
	}
	return eg.assignTemp(a.T, rt("value.Null").Types(baseType(a.T.Kind)).Values(jen.Dict{jen.Id("V"): A, jen.Id("Valid"): jen.Add(N).Op(">").Lit(0)}))
}

// aggUpdate is the per-row tail of an aggregating view: find the group (in
// its window), then fold the row into each aggregate.
func (g *generator) aggUpdate(o *opInfo, eg *exprGen) []jen.Code {
	op := o.op
	agg := op.Agg
	key := jen.Dict{}
	for i, k := range o.keyIdx {
		key[jen.Id(o.keyFields[i])] = eg.expr(agg.Keys[k]).code
	}
	var updates []jen.Code
	shared := sharedDistinct(agg.Aggs, op.InputUpdating || o.session)
	updates = append(updates, sharedMasks(shared, len(agg.Aggs))...)
	for i, a := range agg.Aggs {
		if slot, ok := shared[i]; ok {
			updates = append(updates, foldShared(eg, a, slot)...)
			continue
		}
		updates = append(updates, foldAgg(eg, i, a)...)
	}
	updates = append(updates, addShared(eg, agg.Aggs, shared)...)
	if eg.weight != nil {
		updates = append(updates, jen.Id("acc").Dot("W").Op("+=").Add(eg.weight))
	}
	stmts := eg.stmts
	if o.session {
		return append(stmts, eg.guard(sessionAssign(o, key, updates)...)...)
	}
	var find []jen.Code
	var state jen.Code = jen.Id("p").Dot(o.name)
	if g.fold != nil { // a combiner's partial states (combiner.go)
		state = g.fold.state
	}
	if op.Windowed() {
		find = append(find, jen.Id("grp").Op(":=").Add(state).Dot("Window").Call(jen.Id("ws")))
	} else {
		find = append(find, jen.Id("grp").Op(":=").Add(state))
	}
	if g.kvBacked(o) {
		find = append(find,
			jen.List(jen.Id("gi"), jen.Id("added")).Op(":=").Id("grp").Dot("Find").Call(jen.Id(o.keyType()).Values(key)),
			jen.Id("acc").Op(":=").Id("grp").Dot("State").Call(jen.Id("gi")),
			jen.Comment("a group's first row in this batch: its state comes from the store"),
			jen.If(jen.Id("added").Op("&&").Id("p").Dot("kv").Op("!=").Nil()).Block(
				jen.Id("p").Dot("fetch"+o.fn).Call(jen.Id("grp").Dot("Key").Call(jen.Id("gi")), jen.Id("acc"))),
		)
	} else if (len(agg.Aggs) > 0 || eg.weight != nil || (op.Updating && g.fold == nil)) && len(keyLayout(o)) == 0 {
		// no key but the window's: the window's one group
		find = append(find,
			jen.Id("gi").Op(":=").Id("grp").Dot("Only").Call(),
			jen.Id("acc").Op(":=").Id("grp").Dot("State").Call(jen.Id("gi")),
		)
	} else if len(agg.Aggs) > 0 || eg.weight != nil || (op.Updating && g.fold == nil) {
		find = append(find,
			jen.List(jen.Id("gi"), jen.Id("_")).Op(":=").Id("grp").Dot("Find").Call(jen.Id(o.keyType()).Values(key)),
			jen.Id("acc").Op(":=").Id("grp").Dot("State").Call(jen.Id("gi")),
		)
	} else {
		// no aggregates (a GROUP BY for its keys, DISTINCT), or a combiner's
		// partial of one, which marks nothing: the group is all
		find = append(find, jen.Id("grp").Dot("Find").Call(jen.Id(o.keyType()).Values(key)))
	}
	find = append(find, updates...)
	if g.fold != nil {
		find = append(find, g.fold.folded...)
	}
	if op.Updating && g.fold == nil { // a partial state's owner marks its group changed
		find = append(find, jen.If(jen.Op("!").Id("acc").Dot("dirty")).Block(
			jen.Id("acc").Dot("dirty").Op("=").True(),
			jen.Id("grp").Dot("Dirty").Op("=").Append(jen.Id("grp").Dot("Dirty"), jen.Id("gi")),
		))
	}
	// a row whose values failed updates no state (and is not late either)
	if op.ProcTime() && o.panes {
		// the row's pane is the wall clock's: it is never late
		return append(stmts, eg.guard(jen.If(jen.Id("grp").Op(":=").Id("p").Dot(o.name).Dot("Pane").Call(jen.Id("ws")), jen.Id("grp").Op("!=").Nil()).Block(find[1:]...))...)
	}
	if op.ProcTime() {
		return append(stmts, eg.guard(find...)...) // the wall clock's window is open
	}
	if o.panes && g.fold == nil {
		// ws is the row's pane; the earliest window holding it ends a slide later
		slide := op.Window().Slide
		// find[0] opens a window; here the if below finds the pane instead
		return append(stmts, eg.guard(
			jen.If(jen.Id("ws").Op("+").Lit(slide).Op("<=").Id("wm")).Block(
				jen.Comment("windows holding this row closed before it arrived"),
				jen.Id("late").Op("=").True()),
			jen.If(jen.Id("grp").Op(":=").Id("p").Dot(o.name).Dot("Pane").Call(jen.Id("ws")), jen.Id("grp").Op("!=").Nil()).Block(find[1:]...))...)
	}
	if op.Windowed() {
		size := op.Window().Size
		if g.fold != nil && o.panes {
			// a combiner folds a row into its pane unless its earliest window
			// closed: then the row crosses as a row, for its owner to report
			// it late and fold it into the pane if a later window is open
			size = op.Window().Slide
		}
		then := jen.Else()
		if g.fold != nil && op.Window().Kind == plan.Cumulate {
			// a cumulating window's row loops over its windows by end: the
			// late ones come first, and a combiner folds a row late in one of
			// them into none (it crosses as a row)
			then = jen.Else().If(jen.Op("!").Id("late"))
		}
		closed := "the window closed before this row arrived"
		if g.fold != nil && o.panes {
			closed = "the pane's earliest window closed before this row arrived"
		}
		return append(stmts, eg.guard(jen.If(jen.Id("ws").Op("+").Lit(size).Op("<=").Id("wm")).Block(
			jen.Comment(closed),
			jen.Id("late").Op("=").True(),
		).Add(then).Block(find...))...)
	}
	return append(stmts, eg.guard(find...)...)
}

// foldAgg folds the current row into aggregate i of acc: once for an
// append-only input, by the row's weight (+1 or -1) for an updating one.
func foldAgg(eg *exprGen, i int, a plan.Agg) []jen.Code {
	upd := foldAggRow(eg, i, a)
	if a.Filter == nil {
		return upd
	}
	// FILTER (WHERE …): only the rows where it is TRUE
	return []jen.Code{jen.If(truth(eg.expr(a.Filter))).Block(upd...)}
}

// foldAggRow folds the current row into aggregate i, whatever its FILTER.
func foldAggRow(eg *exprGen, i int, a plan.Agg) []jen.Code {
	A, N := jen.Id("acc").Dot(fmt.Sprintf("A%d", i)), jen.Id("acc").Dot(fmt.Sprintf("N%d", i))
	w := eg.weight
	count := func(x jen.Code) jen.Code {
		if w == nil {
			return jen.Add(x).Op("++")
		}
		return jen.Add(x).Op("+=").Add(w)
	}
	if a.Func == plan.CountStar || (a.Func == plan.Count && !a.Distinct && !a.Arg.Type().Nullable) {
		return []jen.Code{count(A)} // a NOT NULL argument need not be computed
	}
	x := eg.expr(a.Arg)
	v := x.code
	if x.nullable {
		v = jen.Add(x.code).Dot("V")
	}
	scaled := v // the value times the row's weight
	if w != nil {
		if a.Arg.Type().Kind == types.Float {
			scaled = jen.Float64().Call(w).Op("*").Add(v)
		} else {
			scaled = jen.Add(w).Op("*").Add(v)
		}
	}
	var upd []jen.Code
	switch a.Func {
	default:
		upd = foldMore(eg, i, a, v, w)
	case plan.Count:
		upd = []jen.Code{count(A)}
		if a.Distinct {
			one := jen.Code(jen.Lit(int64(1)))
			if w != nil {
				one = w
			}
			upd = []jen.Code{jen.Id("acc").Dot(fmt.Sprintf("M%d", i)).Dot("Add").Call(v, one)}
		}
	case plan.Sum:
		upd = []jen.Code{jen.Add(A).Op("+=").Add(scaled)}
		if exactSum(a) {
			upd = []jen.Code{exactFold(i, a, v, w)}
		}
		if a.T.Nullable {
			upd = append(upd, count(N))
		}
	case plan.Avg:
		upd = []jen.Code{jen.Add(A).Op("+=").Add(scaled), count(N)}
		if exactSum(a) {
			upd = []jen.Code{exactFold(i, a, v, w), count(N)}
		}
	case plan.Min, plan.Max:
		if w != nil {
			upd = []jen.Code{jen.Id("acc").Dot(fmt.Sprintf("M%d", i)).Dot("Add").Call(v, w)}
			break
		}
		cmp := "<"
		if a.Func == plan.Max {
			cmp = ">"
		}
		upd = []jen.Code{
			jen.If(jen.Add(N).Op("==").Lit(0).Op("||").Add(orderOp(v, cmp, A, a.Arg.Type().Kind))).Block(jen.Add(A).Op("=").Add(v)),
			jen.Add(N).Op("++"),
		}
	}
	if x.nullable {
		return []jen.Code{jen.If(jen.Add(x.code).Dot("Valid")).Block(upd...)}
	}
	return upd
}

// exactFold adds v to (or, for a retraction, subtracts it from) the exact
// 128-bit sum (A<i>, H<i>) of a SUM or AVG of BIGINT; w is the row's weight
// (+1 or -1), nil for an append-only input.
func exactFold(i int, a plan.Agg, v, w jen.Code) jen.Code {
	A, H := jen.Id("acc").Dot(fmt.Sprintf("A%d", i)), jen.Id("acc").Dot(fmt.Sprintf("H%d", i))
	sum, weighted := "value.SumInt", "value.SumIntWeighted"
	if a.Arg.Type().Kind.IsWideDecimal() { // 128 bits and the times they wrapped
		sum, weighted = "value.SumDec128", "value.SumDec128Weighted"
	}
	if w == nil {
		return jen.List(A, H).Op("=").Add(rt(sum)).Call(A, H, v)
	}
	return jen.List(A, H).Op("=").Add(rt(weighted)).Call(A, H, v, w)
}

// mergeFunc generates merge<op>, which folds one state of a group (src)
// into another (dst): a hopping window's pane into the window being
// emitted, a session into the one a row bridged it to, or a combiner's
// partial state into its owner's. Counts and sums add, extremes compare.
func (g *generator) mergeFunc(o *opInfo) {
	var body []jen.Code
	weighted := o.op.InputUpdating // a combiner's partials of a changelog's rows
	for i, a := range o.op.Agg.Aggs {
		A, N := fmt.Sprintf("A%d", i), fmt.Sprintf("N%d", i)
		d, s := jen.Id("dst"), jen.Id("src")
		if a.Distinct || (weighted && (a.Func == plan.Min || a.Func == plan.Max)) {
			// sessions' distinct values (panes keep none, nor shared sets), and
			// a MIN or MAX over retractions: every value with its signed count
			M := fmt.Sprintf("M%d", i)
			body = append(body, jen.Add(d).Dot(M).Dot("Merge").Call(jen.Op("&").Add(s).Dot(M)))
			continue
		}
		if m := mergeMore(i, a); m != nil {
			body = append(body, m...)
			continue
		}
		hasN := false
		for _, f := range accFields(i, a, weighted) {
			hasN = hasN || f.name == N
		}
		switch a.Func {
		case plan.Min, plan.Max:
			cmp := "<"
			if a.Func == plan.Max {
				cmp = ">"
			}
			body = append(body, jen.If(jen.Add(s).Dot(N).Op(">").Lit(0).Op("&&").Parens(
				jen.Add(d).Dot(N).Op("==").Lit(0).Op("||").Add(orderOp(jen.Add(s).Dot(A), cmp, jen.Add(d).Dot(A), a.Arg.Type().Kind)))).Block(
				jen.Add(d).Dot(A).Op("=").Add(s).Dot(A)))
		default:
			if exactSum(a) {
				H := fmt.Sprintf("H%d", i)
				merge := "value.MergeSum"
				if a.Arg.Type().Kind.IsWideDecimal() {
					merge = "value.MergeSumDec128"
				}
				body = append(body, jen.List(jen.Add(d).Dot(A), jen.Add(d).Dot(H)).Op("=").Add(rt(merge)).Call(
					jen.Add(d).Dot(A), jen.Add(d).Dot(H), jen.Add(s).Dot(A), jen.Add(s).Dot(H)))
				break
			}
			body = append(body, jen.Add(d).Dot(A).Op("+=").Add(s).Dot(A))
		}
		if hasN {
			body = append(body, jen.Add(d).Dot(N).Op("+=").Add(s).Dot(N))
		}
	}
	if weighted {
		// the rows of the group net of retractions: a group whose merged W
		// is 0 leaves the state at the next flush
		body = append(body, jen.Id("dst").Dot("W").Op("+=").Id("src").Dot("W"))
	}
	g.f.Comment(fmt.Sprintf("merge%s folds a state of a group of %s (src) into another (dst).", o.fn, o.what()))
	g.f.Func().Id("merge" + o.fn).Params(jen.List(jen.Id("dst"), jen.Id("src")).Op("*").Id(o.accType())).Block(body...)
	g.f.Line()
}

// consumers are the operators that read o's output.
func (g *generator) consumers(o *opInfo) []*opInfo {
	var out []*opInfo
	for _, c := range o.op.Consumers {
		out = append(out, g.ops[c.Index])
	}
	return out
}
