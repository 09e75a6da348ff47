// Package physical lowers optimized logical plans to the dataflow graph that
// code generation renders. Each node of the graph is an operator: a fused
// unit of stateless steps (filter, project, window assignment) before at most
// one state (an aggregate), and the stateless steps after it (HAVING, the
// final projection). Operators read a source, or the output of other
// operators (a view read by another view, a subquery, a CTE, the arms of a
// UNION ALL); a view read by several operators is computed once. The planner
// decides here everything codegen renders: which edges are updating (carry
// weights), which watermark each window closes by, where state lives.
package physical

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// StageKind is a stateless step of a fused operator.
type StageKind int

const (
	StageFilter StageKind = iota + 1
	StageProject
	StageWindow
)

// Stage is one fused stateless step. Out is the schema after it.
type Stage struct {
	Kind   StageKind
	Pred   plan.Expr    // StageFilter
	Exprs  []plan.Expr  // StageProject
	Names  []string     // StageProject
	Window *plan.Window // StageWindow
	Out    plan.Schema
}

// Operator is one node of the dataflow graph.
type Operator struct {
	Index int    // position in Plan.Operators: every operator comes after its inputs
	Name  string // the view's name, or "<view>/q<n>" for an inner query
	// View is the view whose rows this operator outputs, or nil for an inner
	// query (subquery, CTE, UNION arm); Statement is the view it belongs to.
	View      *plan.View
	Statement *plan.View
	// Source is set when the operator reads a source directly (its rows
	// are then processed inside that source's fused loop); otherwise Inputs
	// are the operators it reads.
	Source      *plan.Source
	SourceIndex int
	// LateOf is set for the operator that forwards the late rows of source
	// SourceIndex (LATE(source)), fed by that source's loop; it has no Inputs.
	LateOf *plan.Source
	Inputs []*Operator
	// Union forwards the rows of every input unchanged (UNION ALL); it has no
	// stages and no state.
	Union bool
	// Lookup joins each row of its one input with the rows of a lookup
	// table read by key (a cache in front); the stages after it are Post.
	Lookup *plan.LookupJoin
	// Join joins its two inputs (left, right); the stages after it are Post.
	// SideUpdating tells which inputs carry weights; SideWatermarks, for an
	// interval join, are the watermarks of its inputs' bound columns, by which
	// each side's rows are dropped (the other side's) and judged late (its own);
	// for a regular join with a TTL, its inputs' watermarks (rows' stamps and expiry).
	Join           *plan.Join
	SideUpdating   [2]bool
	SideWatermarks [2][]SourceShift
	// Dedup is set for a side of a join whose rows the one deduplication
	// reading the join ranks by their own columns (see dedupSides): a row
	// of it the deduplication's kept row beats is not joined, and a row
	// that joined is not kept.
	Dedup [2]*DedupSide
	// Unique is set for a side of an inner join that is unique on its join
	// keys (see uniqueSides): a row of the other side that finds the key's
	// row there is not kept, and that side's rows of a key go once the
	// key's row has come and met them.
	Unique [2]bool

	Pre []Stage         // per input row, before the state
	Agg *plan.Aggregate // nil for a stateless operator
	// TopN ranks its input's rows (it reads another operator; no Pre
	// stages); the stages after it are Post.
	TopN *plan.TopN
	Post []Stage // per emitted row, after the state
	// Output is the schema of the rows it emits; Updating tells that they
	// carry weights (retractions), InputUpdating the same of its input.
	Output        plan.Schema
	Updating      bool
	InputUpdating bool
	// TimeCols are the event-time columns of the output (see plan.TimeCol).
	TimeCols []plan.TimeCol
	// Watermark is, for an operator whose windows close by a watermark, the
	// watermark they close by: the minimum over the sources it depends on of
	// the source's watermark plus a shift.
	Watermark []SourceShift
	Consumers []*Operator
	Sinks     []int // indexes into Plan.Sinks
	// KV tells that the operator's groups live in the keyed-state store
	// (see PlaceState), not in Go maps.
	KV bool
	// Inline tells that the per-row code of an operator reading a source is
	// written into the source's loop; otherwise the loop calls a function of
	// its own (see inlineLimit).
	Inline bool
	// ID identifies the operator's state across edits of the pipeline: a hash of
	// what determines its state (its input, fused steps, keys, aggregates, window).
	ID string
}

// SourceShift is one term of a watermark: source Source's watermark plus Shift.
type SourceShift struct {
	Source int
	Shift  int64
}

// Fires reports whether watermarks drive the operator: it closes windows, or
// drops the rows of an interval join.
func (o *Operator) Fires() bool {
	return o.Windowed() || (o.Join != nil && (o.Join.Interval != nil || o.Join.Asof != nil || o.Join.TTL > 0)) || o.Closes()
}

// Closes reports whether the operator is a window top-N, emitting each
// window's ranking when the watermark passes the window's end, or an OVER
// aggregation emitting each row when the watermark passes its time.
func (o *Operator) Closes() bool { return o.TopN != nil && (o.TopN.Closes() || o.TopN.TimeOrdered) }

// Windowed reports whether the operator keeps state per window.
func (o *Operator) Windowed() bool { return o.Agg != nil && o.Agg.WindowKey >= 0 }

// Window is the window assigner of a windowed operator, or nil: the last
// one of its stages, the one its aggregate groups by (a view of a window
// TVF inlined below may bring another).
func (o *Operator) Window() *plan.Window {
	for i := len(o.Pre) - 1; i >= 0; i-- {
		if o.Pre[i].Kind == StageWindow {
			return o.Pre[i].Window
		}
	}
	return nil
}

// Direct reports whether the operator runs inside its source's fused loop.
func (o *Operator) Direct() bool { return o.Source != nil }

// Plan is the physical plan of a whole pipeline.
type Plan struct {
	Pipeline  *plan.Pipeline
	Operators []*Operator
	// Needed[i][c] tells whether column c of source i is read by any operator.
	Needed [][]bool
	// Borrowed[i][c] tells that the decoder of source i hands string column
	// c on as a view of the batch's read buffer, not a copy: every reader is
	// done with it before the batch is (see borrowed).
	Borrowed [][]bool
	// Pushdown[i], for a source whose reader can skip input by statistics
	// (Parquet row groups), is a predicate every operator reading the
	// source applies first: a disjunction (one entry per reader) of
	// conjunctions of column comparisons. A row failing it is dropped by
	// every reader; nil when some reader keeps every row.
	Pushdown [][][]Term
}

// Term is a comparison of a source column with a constant: Col Op Value,
// Value an int64 (BIGINT, TIMESTAMP in µs) or a string.
type Term struct {
	Col   int
	Op    string // =, <, <=, >, >=
	Value any
}

// Downstream lists the operators that depend on source src, directly or
// through other operators, in graph order.
func (p *Plan) Downstream(src int) []*Operator {
	reached := map[*Operator]bool{}
	var out []*Operator
	for _, op := range p.Operators {
		hit := (op.Direct() || op.LateOf != nil) && op.SourceIndex == src
		for _, in := range op.Inputs {
			hit = hit || reached[in]
		}
		if hit {
			reached[op] = true
			out = append(out, op)
		}
	}
	return out
}

// PlaceState decides where state lives for a job built with the keyed-state
// backend named (laminarc --state-backend): with "badger", the groups of every
// GROUP BY without a window over an append-only input — keyed state that
// grows without bound — live in the store; windows (bounded by the
// watermark), joins, and aggregates over updating input stay in memory.
func PlaceState(p *Plan, backend string) {
	for _, op := range p.Operators {
		op.KV = backend == "badger" && op.Agg != nil && !op.Windowed() && len(op.Agg.Keys) > 0 && !op.InputUpdating
	}
}

// builder lowers logical trees into operators, memoizing views so that each
// is computed once however many operators read it.
type builder struct {
	out      *Plan
	allViews bool
	sinkFed  map[*plan.View]bool
	srcIndex map[*plan.Source]int
	views    map[*plan.View]*Operator
	inner    map[*plan.View]int // inner queries named so far, per view
}

// Build lowers an optimized pipeline. Views that feed no sink, directly or
// through other views, are left out, since nothing would read their rows,
// unless allViews is set (an embedding program reads every view).
func Build(p *plan.Pipeline, allViews bool) *Plan {
	b := &builder{out: &Plan{Pipeline: p}, allViews: allViews, sinkFed: map[*plan.View]bool{},
		srcIndex: map[*plan.Source]int{}, views: map[*plan.View]*Operator{}, inner: map[*plan.View]int{}}
	for _, s := range p.Sinks {
		b.sinkFed[s.View] = true
	}
	for i, s := range p.Sources {
		b.srcIndex[s] = i
		b.out.Needed = append(b.out.Needed, make([]bool, len(s.Schema)))
	}
	for _, v := range p.Views {
		var sinks []int
		for i, s := range p.Sinks {
			if s.View == v {
				sinks = append(sinks, i)
			}
		}
		if len(sinks) == 0 && !allViews {
			continue
		}
		b.view(v).Sinks = sinks
	}
	direct := make([]int, len(p.Sources))
	for _, op := range b.out.Operators {
		for _, in := range op.Inputs {
			if !slices.Contains(in.Consumers, op) { // a self-join reads its input twice
				in.Consumers = append(in.Consumers, op)
			}
		}
		if op.Direct() {
			direct[op.SourceIndex]++
		}
	}
	for _, op := range b.out.Operators {
		op.Inline = op.Direct() && direct[op.SourceIndex] <= inlineLimit
	}
	dedupSides(b.out, allViews)
	uniqueSides(b.out)
	linkSides(b.out)
	for _, op := range b.out.Operators {
		op.ID = operatorID(op) // the ids of the joins dedupSides and uniqueSides changed, and of what reads them
	}
	b.out.Borrowed = borrowed(b.out, allViews)
	b.out.Pushdown = make([][][]Term, len(p.Sources))
	for i, s := range p.Sources {
		if s.Typed != nil && s.Typed.Columnar {
			b.out.Pushdown[i] = pushdown(b.out, i)
		}
	}
	return b.out
}

// pushdown is the predicate of source src that every operator reading it
// applies before anything else (see Plan.Pushdown): per reader, the simple
// comparisons among the conjuncts of its leading filters. nil when a
// reader has none (it keeps rows the others drop), or the source's late
// rows are a stream of their own (a skipped row could be one).
func pushdown(p *Plan, src int) [][]Term {
	var out [][]Term
	for _, op := range p.Operators {
		if op.LateOf != nil && op.SourceIndex == src {
			return nil
		}
		if !op.Direct() || op.SourceIndex != src {
			continue
		}
		var conj []Term
		for _, st := range op.Pre {
			if st.Kind != StageFilter {
				break
			}
			conj = append(conj, comparisons(st.Pred)...)
		}
		if len(conj) == 0 {
			return nil
		}
		out = append(out, conj)
	}
	return out
}

// formatPushdown renders a source's pushed-down predicate for explain.
func formatPushdown(src *plan.Source, pred [][]Term) string {
	var ors []string
	for _, conj := range pred {
		var ands []string
		for _, t := range conj {
			v := fmt.Sprint(t.Value)
			switch x := t.Value.(type) {
			case string:
				v = "'" + strings.ReplaceAll(x, "'", "''") + "'"
			case int64:
				if src.Schema[t.Col].Type.Kind == types.Timestamp {
					v = "TIMESTAMP '" + time.UnixMicro(x).UTC().Format("2006-01-02 15:04:05.999999") + "'"
				}
			}
			ands = append(ands, fmt.Sprintf("%s %s %s", src.Schema[t.Col].Name, t.Op, v))
		}
		ors = append(ors, strings.Join(ands, " AND "))
	}
	if len(ors) == 1 {
		return ors[0]
	}
	return "(" + strings.Join(ors, ") OR (") + ")"
}

// comparisons are the conjuncts of e of the form column op constant.
func comparisons(e plan.Expr) []Term {
	b, ok := e.(*plan.Binary)
	if !ok {
		return nil
	}
	if b.Op == "AND" {
		return append(comparisons(b.L), comparisons(b.R)...)
	}
	flip := map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
	if _, ok := flip[b.Op]; !ok {
		return nil
	}
	col, c1 := b.L.(*plan.ColRef)
	k, c2 := b.R.(*plan.Const)
	op := b.Op
	if !c1 || !c2 {
		col, c1 = b.R.(*plan.ColRef)
		k, c2 = b.L.(*plan.Const)
		op = flip[b.Op]
	}
	if !c1 || !c2 || k.Value == nil || col.T.Kind != k.T.Kind {
		return nil
	}
	switch col.T.Kind {
	case types.Int, types.Timestamp:
		if v, ok := k.Value.(int64); ok {
			return []Term{{Col: col.Index, Op: op, Value: v}}
		}
	case types.String:
		if v, ok := k.Value.(string); ok {
			return []Term{{Col: col.Index, Op: op, Value: v}}
		}
	}
	return nil
}

// inlineLimit is how many operators a source's loop holds inline. Beyond it
// each operator's per-row code is a function of its own, called from the
// loop: a call per row and operator costs a few nanoseconds, while one loop
// over hundreds of views is a function the Go compiler takes seconds to
// build (compile time grows faster than the size of a function).
const inlineLimit = 4

// view returns the operator computing v, building it on first use.
func (b *builder) view(v *plan.View) *Operator {
	if op, ok := b.views[v]; ok {
		return op
	}
	op := b.node(v.Root, v)
	if op.View != nil && op.View != v {
		// v only renames another view (a sink FROM it): pass its rows through
		op = b.add(&Operator{Statement: v, Inputs: []*Operator{op}, Output: op.Output, Updating: op.Updating, InputUpdating: op.Updating})
	}
	op.View = v
	op.Name = v.Name
	b.views[v] = op
	return op
}

// node returns the operator whose output is n's, building what it reads first.
func (b *builder) node(n plan.Node, stmt *plan.View) *Operator {
	if vs, ok := n.(*plan.ViewScan); ok {
		return b.view(vs.View)
	}
	if ls, ok := n.(*plan.LateScan); ok {
		return b.lateOp(ls, stmt)
	}
	if u, ok := n.(*plan.Union); ok {
		op := &Operator{Statement: stmt, Union: true, Output: u.Schema(), Updating: !u.AppendOnly()}
		for _, arm := range u.Arms {
			op.Inputs = append(op.Inputs, b.node(arm, stmt))
		}
		op.InputUpdating = op.Updating
		return b.add(op)
	}
	// the chain from n down to this operator's input: stateless steps above
	// at most one aggregate, and those below it
	var chain []plan.Node
	var input plan.Node
	seenAgg := false
	for x := n; ; {
		if vs, ok := x.(*plan.ViewScan); ok && b.inlined(vs.View) {
			x = vs.View.Root // its steps fuse into this operator
			continue
		}
		switch x := x.(type) {
		case *plan.Scan, *plan.ViewScan, *plan.Union, *plan.Join, *plan.LateScan, *plan.LookupJoin:
			input = x
		case *plan.Aggregate:
			if seenAgg {
				input = x
			}
			seenAgg = true
		case *plan.TopN:
			if !seenAgg {
				chain = append(chain, x) // its input is an operator of its own
				seenAgg = true
				input = x.Input
			} else {
				input = x
			}
		}
		if input != nil {
			break
		}
		chain = append(chain, x)
		x = x.Inputs()[0]
	}
	op := &Operator{Statement: stmt, Output: n.Schema(), Updating: !n.AppendOnly(), TimeCols: plan.EventTimes(n)}
	if j, ok := input.(*plan.Join); ok && !seenAgg {
		// the stateless steps above a join run on each joined row
		b.joinInputs(op, j, stmt)
		for i := len(chain) - 1; i >= 0; i-- {
			switch x := chain[i].(type) {
			case *plan.Filter:
				op.Post = append(op.Post, Stage{Kind: StageFilter, Pred: x.Pred, Out: x.Schema()})
			case *plan.Project:
				op.Post = append(op.Post, Stage{Kind: StageProject, Exprs: x.Exprs, Names: x.Names, Out: x.Schema()})
			}
		}
		return b.add(op)
	}
	if j, ok := input.(*plan.Join); ok && len(chain) == 0 {
		b.joinInputs(op, j, stmt) // the join alone (its reader has the aggregate)
		return b.add(op)
	}
	if lj, ok := input.(*plan.LookupJoin); ok && (!seenAgg || len(chain) == 0) {
		b.lookupInput(op, lj, stmt)
		for i := len(chain) - 1; i >= 0; i-- {
			switch x := chain[i].(type) {
			case *plan.Filter:
				op.Post = append(op.Post, Stage{Kind: StageFilter, Pred: x.Pred, Out: x.Schema()})
			case *plan.Project:
				op.Post = append(op.Post, Stage{Kind: StageProject, Exprs: x.Exprs, Names: x.Names, Out: x.Schema()})
			}
		}
		return b.add(op)
	}
	topn := false
	if len(chain) > 0 {
		_, topn = chain[len(chain)-1].(*plan.TopN)
	}
	if scan, ok := input.(*plan.Scan); ok && !topn {
		op.Source, op.SourceIndex = scan.Source, b.srcIndex[scan.Source]
		op.InputUpdating = scan.Source.Updating
		for c, need := range scanNeeded(scan) {
			if need {
				b.out.Needed[op.SourceIndex][c] = true
			}
		}
	} else {
		in := b.node(input, stmt)
		op.Inputs = []*Operator{in}
		op.InputUpdating = in.Updating
	}
	stages := &op.Pre
	for i := len(chain) - 1; i >= 0; i-- {
		switch x := chain[i].(type) {
		case *plan.Filter:
			*stages = append(*stages, Stage{Kind: StageFilter, Pred: x.Pred, Out: x.Schema()})
		case *plan.Project:
			*stages = append(*stages, Stage{Kind: StageProject, Exprs: x.Exprs, Names: x.Names, Out: x.Schema()})
		case *plan.Window:
			*stages = append(*stages, Stage{Kind: StageWindow, Window: x, Out: x.Schema()})
			if x.Proc {
				op.Watermark = nil // the wall clock closes its windows
				break
			}
			t, _ := plan.EventTimeCol(x.Input, x.TimeCol)
			op.Watermark = b.watermark(op, input, t.Shift)
		case *plan.Aggregate:
			op.Agg = x
			stages = &op.Post
		case *plan.TopN:
			op.TopN = x
			stages = &op.Post
			if x.Closes() {
				w, _, _ := plan.WindowBound(x.Input, &plan.ColRef{Index: x.WindowCol})
				t, _ := plan.EventTimeCol(w.Input, w.TimeCol)
				op.Watermark = b.watermark(op, input, t.Shift)
			}
			if x.TimeOrdered {
				t, _ := plan.EventTimeCol(x.Input, x.Order[0].Col)
				op.Watermark = b.watermark(op, input, t.Shift)
			}
		}
	}
	pruneStages(op)
	return b.add(op)
}

// joinInputs makes op the join j of its two inputs.
func (b *builder) joinInputs(op *Operator, j *plan.Join, stmt *plan.View) {
	op.Join = j
	for i, in := range []plan.Node{j.Left, j.Right} {
		in := b.node(in, stmt)
		op.Inputs = append(op.Inputs, in)
		op.SideUpdating[i] = in.Updating
	}
	op.InputUpdating = op.SideUpdating[0] || op.SideUpdating[1]
	if j.TTL > 0 && j.Interval == nil && j.Asof == nil {
		// state retention: rows are stamped with, and expire by, their inputs' watermarks
		for i := range op.SideWatermarks {
			op.SideWatermarks[i] = b.edgeWatermark(op.Inputs[i])
		}
		return
	}
	var times []int // the bound (interval) or compared (ASOF) column of each input
	if iv := j.Interval; iv != nil {
		times = []int{iv.LeftTime, iv.RightTime}
	} else if a := j.Asof; a != nil {
		times = []int{a.LeftTime, a.RightTime}
	}
	if times != nil {
		lt, _ := plan.EventTimeCol(j.Left, times[0])
		rt, _ := plan.EventTimeCol(j.Right, times[1])
		for i, shift := range []int64{lt.Shift, rt.Shift} {
			for _, t := range b.edgeWatermark(op.Inputs[i]) {
				op.SideWatermarks[i] = addTerm(op.SideWatermarks[i], SourceShift{t.Source, satAdd(t.Shift, shift)})
			}
		}
	}
}

// inlined tells whether a view's steps are fused into each operator that
// reads it rather than computed by an operator of its own: a view of stateless
// steps over a source (or over such views) whose rows nobody else sees (no
// sink; not compiled for embedding, where every view is an output). Repeating
// a filter in two readers costs less than a call per row between operators.
func (b *builder) inlined(v *plan.View) bool {
	if b.allViews || b.sinkFed[v] {
		return false
	}
	for x := v.Root; ; {
		switch n := x.(type) {
		case *plan.Scan:
			return true
		case *plan.ViewScan:
			return b.inlined(n.View)
		case *plan.Filter, *plan.Project, *plan.Window:
			x = x.Inputs()[0]
		default:
			return false
		}
	}
}

// watermark is the watermark an operator's windows close by: its input's,
// plus the shift of the windowed column.
func (b *builder) watermark(op *Operator, input plan.Node, shift int64) []SourceShift {
	if op.Source != nil {
		return []SourceShift{{op.SourceIndex, shift}}
	}
	var out []SourceShift
	for _, t := range b.edgeWatermark(op.Inputs[0]) {
		out = addTerm(out, SourceShift{t.Source, satAdd(t.Shift, shift)})
	}
	return out
}

// edgeWatermark is the watermark of an operator's output edge: a source's
// for an operator reading it, a union's the minimum over its inputs, and a
// windowed operator's the watermark its windows close by.
func (b *builder) edgeWatermark(op *Operator) []SourceShift {
	switch {
	case op.Windowed() || op.Closes():
		return op.Watermark
	case op.Source != nil:
		return []SourceShift{{op.SourceIndex, 0}}
	}
	var out []SourceShift
	for _, in := range op.Inputs {
		for _, t := range b.edgeWatermark(in) {
			out = addTerm(out, t)
		}
	}
	return out
}

// addTerm adds a term to a minimum, keeping one term per source.
func addTerm(terms []SourceShift, t SourceShift) []SourceShift {
	for i := range terms {
		if terms[i].Source == t.Source {
			terms[i].Shift = min(terms[i].Shift, t.Shift)
			return terms
		}
	}
	return append(terms, t)
}

func satAdd(a, b int64) int64 {
	if s := a + b; (b < 0) == (s < a) {
		return s
	}
	if b < 0 {
		return -1 << 63
	}
	return 1<<63 - 1
}

// add appends op to the graph, names it and computes its id.
func (b *builder) add(op *Operator) *Operator {
	op.Index = len(b.out.Operators)
	b.inner[op.Statement]++
	op.Name = fmt.Sprintf("%s/q%d", op.Statement.Name, b.inner[op.Statement])
	op.ID = operatorID(op)
	b.out.Operators = append(b.out.Operators, op)
	return op
}

func scanNeeded(s *plan.Scan) []bool {
	if s.Needed == nil {
		all := make([]bool, len(s.Source.Schema))
		for i := range all {
			all[i] = true
		}
		return all
	}
	return s.Needed
}

// operatorID hashes what decides the layout and meaning of the operator's
// state: what it reads (a source, or its inputs' ids and output steps), its
// fused steps and aggregate. Its own output-only steps (HAVING, the final
// projection) are left out: editing them keeps the state valid.
func operatorID(op *Operator) string {
	h := sha256.New()
	if op.Source != nil {
		fmt.Fprintf(h, "source %s %v wm %d %d\n", op.Source.Name, op.Source.Schema, op.Source.TimeCol, op.Source.Delay)
	}
	if op.LateOf != nil {
		fmt.Fprintf(h, "late rows of %s %v\n", op.LateOf.Name, op.LateOf.Schema)
	}
	if op.Union {
		fmt.Fprintln(h, "union")
	}
	if op.Join != nil {
		fmt.Fprintln(h, op.Join.Describe())
		joinIdentity(h, op.Join)
		for i, d := range op.Dedup {
			if d != nil {
				fmt.Fprintf(h, "side %d ranked by a deduplication %v\n", i, *d) // it keeps fewer rows
			}
		}
		for i, u := range op.Unique {
			if u {
				fmt.Fprintf(h, "side %d unique on its keys\n", i) // the other keeps fewer rows
			}
		}
	}
	if op.Lookup != nil {
		fmt.Fprintln(h, op.Lookup.Describe(), op.Lookup.Table.Options)
	}
	for _, in := range op.Inputs {
		fmt.Fprintf(h, "input %s\n", in.ID)
		for _, s := range in.Post {
			fmt.Fprintln(h, describeStage(s))
			if in.Join != nil || in.Lookup != nil {
				stageIdentity(h, s) // over the joined columns, whose names repeat
			}
		}
	}
	for _, s := range op.Pre {
		fmt.Fprintln(h, describeStage(s))
	}
	if op.Agg != nil {
		fmt.Fprintln(h, op.Agg.Describe())
	}
	if op.TopN != nil {
		fmt.Fprintln(h, op.TopN.Describe())
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func describeStage(s Stage) string {
	switch s.Kind {
	case StageFilter:
		return "Filter " + s.Pred.String()
	case StageProject:
		parts := make([]string, len(s.Exprs))
		for i, e := range s.Exprs {
			parts[i] = e.String() + " AS " + s.Names[i]
		}
		return "Project " + strings.Join(parts, ", ")
	case StageWindow:
		return s.Window.Describe()
	}
	return "?"
}

// Format renders the dataflow graph for `laminarc explain`: per source what
// it decodes and its watermark, then every operator in graph order with its
// input, stream property, watermark, fused steps, state and consumers.
func Format(p *Plan) string {
	var b strings.Builder
	for i, src := range p.Pipeline.Sources {
		var cols []string
		for c, need := range p.Needed[i] {
			if need {
				cols = append(cols, src.Schema[c].Name)
			}
		}
		wm := "no watermark"
		if src.TimeCol >= 0 {
			wm = fmt.Sprintf("watermark %s - %s", src.Schema[src.TimeCol].Name, plan.FormatMicros(src.Delay))
		}
		for _, u := range src.Unique {
			names := make([]string, len(u))
			for j, c := range u {
				names[j] = src.Schema[c].Name
			}
			wm += fmt.Sprintf("; unique (%s), not enforced", strings.Join(names, ", "))
		}
		fmt.Fprintf(&b, "Source %s (%s, %s; decode [%s]; %s)\n", src.Name, src.Connector, src.Format, strings.Join(cols, ", "), wm)
		if names := p.BorrowedColumns(i); len(names) > 0 {
			fmt.Fprintf(&b, "  strings read in place (views of the read buffer, no copy; every reader is done with them within the batch): %s\n", strings.Join(names, ", "))
		}
		if i < len(p.Pushdown) && len(p.Pushdown[i]) > 0 {
			fmt.Fprintf(&b, "  reads only the row groups whose statistics allow: %s\n", formatPushdown(src, p.Pushdown[i]))
		}
	}
	for _, op := range p.Operators {
		prop := "append-only"
		if op.Updating {
			prop = "updating"
		}
		kind := "view " + op.Name
		if op.View == nil {
			kind = "query " + op.Name
		}
		var from []string
		switch {
		case op.Inline:
			from = append(from, "source "+op.Source.Name+" (fused into its loop)")
		case op.Source != nil:
			from = append(from, "source "+op.Source.Name+" (called from its loop)")
		case op.LateOf != nil:
			from = append(from, "the late rows of source "+op.LateOf.Name+" (LATE), from its loop")
		}
		for _, in := range op.Inputs {
			edge := "append-only"
			if in.Updating {
				edge = "updating"
			}
			from = append(from, fmt.Sprintf("#%d %s (%s)", in.Index, in.Name, edge))
		}
		fmt.Fprintf(&b, "#%d %s  (%s, operator %s)\n", op.Index, kind, prop, op.ID)
		fmt.Fprintf(&b, "  from %s\n", strings.Join(from, ", "))
		if op.Union {
			b.WriteString("  Union ALL\n      state: none\n")
		}
		if l := op.Lookup; l != nil {
			fmt.Fprintf(&b, "  %s\n", l.Describe())
			fmt.Fprintf(&b, "    state: %s\n", lookupStateText(l, op.InputUpdating))
			for _, s := range op.Post {
				fmt.Fprintf(&b, "  %s\n", describeStage(s))
			}
		}
		if j := op.Join; j != nil {
			fmt.Fprintf(&b, "  %s\n", j.Describe())
			fmt.Fprintf(&b, "    state: %s\n", joinStateText(p, op))
			for _, s := range op.Post {
				fmt.Fprintf(&b, "  %s\n", describeStage(s))
			}
		}
		for _, s := range op.Pre {
			fmt.Fprintf(&b, "  %s\n", describeStage(s))
		}
		if op.ProcTime() {
			fmt.Fprintf(&b, "    windows close on the wall clock (processing time)\n")
		} else if op.Windowed() {
			fmt.Fprintf(&b, "    windows close at watermark %s\n", formatWatermark(p, op.Watermark))
		}
		if op.Closes() {
			fmt.Fprintf(&b, "    emits by watermark %s\n", formatWatermark(p, op.Watermark))
		}
		if op.Agg != nil {
			fmt.Fprintf(&b, "  %s\n", op.Agg.Describe())
			fmt.Fprintf(&b, "    state: %s\n", stateText(op))
			for _, s := range op.Post {
				fmt.Fprintf(&b, "  emit: %s\n", describeStage(s))
			}
		} else if t := op.TopN; t != nil {
			fmt.Fprintf(&b, "  %s\n", t.Describe())
			fmt.Fprintf(&b, "    state: %s\n", topnStateText(t))
			for _, s := range op.Post {
				fmt.Fprintf(&b, "  emit: %s\n", describeStage(s))
			}
		} else if !op.Union && op.Join == nil && op.Lookup == nil {
			b.WriteString("    state: none\n")
		}
		for _, si := range op.Sinks {
			s := p.Pipeline.Sinks[si]
			fmt.Fprintf(&b, "  -> sink %s (%s)\n", s.Name, s.Connector)
		}
		for _, c := range op.Consumers {
			fmt.Fprintf(&b, "  -> #%d %s\n", c.Index, c.Name)
		}
	}
	return b.String()
}

func formatWatermark(p *Plan, terms []SourceShift) string {
	var parts []string
	for _, t := range terms {
		s := p.Pipeline.Sources[t.Source].Name
		switch {
		case t.Shift < 0:
			s += " - " + plan.FormatMicros(-t.Shift)
		case t.Shift > 0:
			s += " + " + plan.FormatMicros(t.Shift)
		}
		parts = append(parts, s)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "min(" + strings.Join(parts, ", ") + ")"
}

func joinStateText(p *Plan, op *Operator) string {
	j := op.Join
	if j.Asof != nil {
		return asofStateText(p, op)
	}
	rows := func(i int) string {
		r := "rows"
		if op.SideUpdating[i] {
			r = "rows with weights"
		}
		if op.Dedup[i] != nil {
			r += " that matched nothing on arrival and rank before the row the deduplication reading the join keeps (it would drop the others' joined rows)"
		}
		if d := op.Dedup[1-i]; d != nil && d.Link != nil {
			r = "rows by id, without a map: the deduplication reading the join keeps each one's id with its key's partition, made when the row is kept, and drops the partition when the row goes (no joined row of its key can come)"
		}
		if d := op.Dedup[i]; d != nil && d.Link != nil {
			r += fmt.Sprintf(", which find their key's %s row and the row kept in the deduplication's one lookup", sideNames[1-i])
		}
		if op.Unique[1-i] {
			r += fmt.Sprintf(", of keys whose %s row has not come yet (%s is unique on the key: its one row meets them, and they go; a row arriving after it is not kept)", sideNames[1-i], sideNames[1-i])
		}
		return r
	}
	s := fmt.Sprintf("per side: map[%d-column key] of %s (left: %s; right: %s)", len(j.LeftKeys), "its rows", rows(0), rows(1))
	switch j.Kind {
	case plan.SemiJoin, plan.AntiJoin:
		s += ", each left row with its count of matches, which decides whether it is output"
	case plan.LeftJoin, plan.RightJoin, plan.FullJoin:
		s += ", each with its count of matches for the NULL-padded row"
	}
	if iv := j.Interval; iv != nil {
		ls, rs := j.Left.Schema(), j.Right.Schema()
		return s + fmt.Sprintf("; a left row is dropped once the right watermark (%s) passes its %s %s, a right row once the left watermark (%s) passes its %s %s; rows behind their own side's watermark are late",
			formatWatermark(p, op.SideWatermarks[1]), ls[iv.LeftEnd].Name, offsetWord(iv.Upper), formatWatermark(p, op.SideWatermarks[0]), rs[iv.RightStart].Name, offsetWord(-iv.Lower))
	}
	if j.TTL > 0 {
		return s + fmt.Sprintf("; state_ttl %s: each row is stamped with its input's watermark (left %s, right %s) when it arrives, a left and a right row join only when their stamps are within %s of each other, and a row goes once both watermarks pass its stamp + %s, counted as expired (results differ from exact ones)",
			plan.FormatMicros(j.TTL), formatWatermark(p, op.SideWatermarks[0]), formatWatermark(p, op.SideWatermarks[1]), plan.FormatMicros(j.TTL), plan.FormatMicros(j.TTL))
	}
	return s + "; kept forever (a regular join)"
}

func offsetWord(us int64) string {
	if us < 0 {
		return "- " + plan.FormatMicros(-us)
	}
	return "+ " + plan.FormatMicros(us)
}

func stateText(op *Operator) string {
	keys := 0
	for k := range op.Agg.Keys {
		if _, bound := WindowBoundKey(op, k); !bound {
			keys++
		}
	}
	if op.Windowed() && op.Window().Kind == plan.Session {
		return sessionStateText(op, keys)
	}
	if op.Windowed() {
		w := op.Window()
		layout := "per window: map[%d-column key]aggregates, freed when the watermark passes the window end"
		if w.Kind == plan.Hop && Paned(op) {
			layout = fmt.Sprintf("per pane of %s: map[%%d-column key]aggregates; a window is the merge of its %d panes, freed when the watermark passes its end", plan.FormatMicros(w.Slide), w.Size/w.Slide)
		} else if w.Kind == plan.Hop {
			layout += fmt.Sprintf(" (each row updates %d overlapping windows)", w.Size/w.Slide)
		}
		if op.ProcTime() {
			layout = strings.ReplaceAll(layout, "the watermark passes", "the wall clock passes")
		}
		return fmt.Sprintf(layout, keys)
	}
	s := fmt.Sprintf("map[%d-column key]aggregates + last emitted row, kept forever (updating)", keys)
	if op.KV {
		s += "; in the badger store, a batch's groups in memory"
	}
	if op.InputUpdating {
		s += "; input weights net per group, a group whose rows all retract is removed"
		for _, a := range op.Agg.Aggs {
			if a.Func == plan.Min || a.Func == plan.Max {
				s += "; MIN/MAX as multisets of values"
				break
			}
		}
	}
	return s
}

// Paned reports whether a windowed operator keeps its state as panes of one
// slide: a hopping window emitted on close whose rows, keys and aggregates
// do not read window_start/window_end (a pane knows only its own start). A
// row then updates one pane instead of size/slide windows.
func Paned(op *Operator) bool {
	w := op.Window()
	if w == nil || w.Kind != plan.Hop || !op.Windowed() || op.Updating || w.Size == w.Slide {
		return false
	}
	return !readsWindowBounds(op)
}

// readsWindowBounds tells whether a windowed aggregate's stages after its
// window, its keys other than the window's bounds, or its aggregates read
// window_start or window_end (or count distinct values).
func readsWindowBounds(op *Operator) bool {
	w := op.Window()
	base := len(w.Input.Schema())
	readsWindow := func(e plan.Expr) bool {
		used := map[int]bool{}
		plan.ColumnsUsed(e, used)
		return used[base] || used[base+1]
	}
	after := false
	for _, s := range op.Pre {
		switch s.Kind {
		case StageWindow:
			after = true
		case StageFilter:
			if after && readsWindow(s.Pred) {
				return true
			}
		case StageProject:
			if after {
				return true // columns renumbered: keep it simple
			}
		}
	}
	for k, key := range op.Agg.Keys {
		if _, bound := WindowBoundKey(op, k); !bound && readsWindow(key) {
			return true
		}
	}
	for _, a := range op.Agg.Aggs {
		if (a.Arg != nil && readsWindow(a.Arg)) || (a.Filter != nil && readsWindow(a.Filter)) || (a.Time != nil && readsWindow(a.Time)) || a.Distinct {
			return true // a pane's distinct values would need a merge of multisets
		}
	}
	return false
}

// WindowBoundKey tells whether group key k is window_start or window_end of
// the operator's window: those are not stored in the key, since every group
// of a window shares them (end is true for window_end).
func WindowBoundKey(op *Operator, k int) (end, ok bool) {
	w := op.Window()
	if w == nil || op.Agg.WindowKey < 0 {
		return false, false
	}
	c, isRef := op.Agg.Keys[k].(*plan.ColRef)
	if !isRef {
		return false, false
	}
	if w.Kind == plan.Session {
		return sessionBound(op, c.Index)
	}
	// only when no projection after the window assigner renumbers columns
	seenWindow := false
	for _, s := range op.Pre {
		switch s.Kind {
		case StageWindow:
			seenWindow = true
		case StageProject:
			if seenWindow {
				return false, false
			}
		}
	}
	base := len(w.Input.Schema())
	switch c.Index {
	case base:
		return false, true
	case base + 1:
		return true, true
	}
	return false, false
}

// pruneStages turns an expression of the operator's Pre stages that nothing
// after it reads into a constant, so that no code computes it: an inlined
// view's columns its reader leaves out (the optimizer prunes within a view,
// not across views).
func pruneStages(op *Operator) {
	if len(op.Pre) == 0 {
		return
	}
	need := map[int]bool{}
	if op.Agg != nil {
		for _, k := range op.Agg.Keys {
			plan.ColumnsUsed(k, need)
		}
		for _, a := range op.Agg.Aggs {
			for _, e := range []plan.Expr{a.Arg, a.Filter, a.Time} {
				if e != nil {
					plan.ColumnsUsed(e, need)
				}
			}
		}
	} else {
		for c := range op.Pre[len(op.Pre)-1].Out {
			need[c] = true
		}
	}
	for i := len(op.Pre) - 1; i >= 0; i-- {
		s := &op.Pre[i]
		switch s.Kind {
		case StageFilter:
			plan.ColumnsUsed(s.Pred, need)
		case StageProject:
			next := map[int]bool{}
			exprs := slices.Clone(s.Exprs) // the view's plan is shared with its other readers
			for c, e := range exprs {
				if need[c] {
					plan.ColumnsUsed(e, next)
				} else {
					exprs[c] = plan.Unread(e)
				}
			}
			s.Exprs, need = exprs, next
		case StageWindow:
			next := map[int]bool{s.Window.TimeCol: true}
			for c := range need {
				if c < len(s.Out)-2 {
					next[c] = true
				}
			}
			need = next
		}
	}
}

func topnStateText(t *plan.TopN) string {
	s := fmt.Sprintf("per partition (map[%d-column key]): its rows in rank order and the rows last emitted", len(t.Partition))
	switch {
	case t.TimeOrdered:
		reach := "every row (an unbounded frame)"
		if !t.Frame.Unbounded {
			reach = "the rows the next rows' frames reach"
		}
		return fmt.Sprintf("per partition (map[%d-column key]): its rows in time order, until the watermark passes them, then %s; rows waiting for the watermark in a heap by time", len(t.Partition), reach)
	case t.Closes():
		return s + fmt.Sprintf("; a window's partition (only its rows ranked within %d) is emitted and freed when the watermark passes the window's end", t.Limit)
	case t.Final:
		return s + "; a window's partition is emitted once, at the end of the batch its rows arrive in (its window's close), and freed"
	case t.Bounded():
		s += fmt.Sprintf("; append-only input: only the rows ranked within %d are kept (plus ties for RANK and DENSE_RANK)", t.Limit)
	default:
		s += "; every row is kept (an updating input may retract a row ranked within the limit), kept forever"
	}
	return s + "; changed partitions emit their retractions and insertions at the end of each batch"
}
