package binder

// SESSION and CUMULATE windows, the EMIT modes and ALLOWED LATENESS, and
// LATE(source).

import (
	"slices"
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
)

// bindPartition binds the PARTITION BY of Flink's SESSION TVF over the
// window's input.
func (b *binder) bindPartition(w *plan.Window, part []ast.Expr) bool {
	sc := &scope{schema: w.Input.Schema()}
	for _, e := range part {
		x := b.expr(e, sc, nil)
		if x == nil {
			return false
		}
		w.Partition = append(w.Partition, concrete(x))
	}
	return true
}

// sessionInput checks what a SESSION window's rows may feed: an aggregate,
// with no filter on the session's bounds before it (they are known only once
// the session closes).
func (b *binder) sessionInput(q *ast.Select, in plan.Node, aggregating bool) bool {
	w, ok := windowOf(in)
	if !ok || w.Kind != plan.Session {
		return true
	}
	if !aggregating || q.Distinct && len(q.GroupBy) == 0 {
		d := b.diags.Errorf(diag.Unsupported, q.Pos, "a SESSION window needs a GROUP BY: its rows are the sessions' aggregates")
		d.Hint = "GROUP BY the session's keys, window_start and window_end"
		return false
	}
	if _, tvf := q.From.(*ast.WindowTVF); tvf && q.Where != nil {
		// Flink computes the sessions of the table function's input, then
		// filters: a filtered-out row still extends its session
		d := b.diags.Errorf(diag.Unsupported, q.Where.Position(), "WHERE over a SESSION table function is not supported yet: the sessions would be those of the unfiltered rows")
		d.Hint = "filter in a view that the session window reads, or use GROUP BY SESSION(ts, gap), which groups the filtered rows"
		return false
	}
	if f, ok := in.(*plan.Filter); ok && readsBounds(f.Pred, w) {
		b.diags.Errorf(diag.Unsupported, q.Where.Position(), "WHERE cannot read a session's window_start or window_end: they are known when it closes").Hint = "filter on them in HAVING"
		return false
	}
	return true
}

// readsBounds tells whether e, over a window's output, reads its bounds.
func readsBounds(e plan.Expr, w *plan.Window) bool {
	used := map[int]bool{}
	plan.ColumnsUsed(e, used)
	base := len(w.Input.Schema())
	return used[base] || used[base+1]
}

// windowKeys completes the window keys of an aggregate over a SESSION or
// CUMULATE window: both bounds are keys (the one not grouped by is not the
// other plus a constant), and a session is per the other keys, which
// must be its PARTITION BY when it has one.
func (b *binder) windowKeys(q *ast.Select, agg *plan.Aggregate) bool {
	w, ok := windowOf(agg.Input)
	if !ok || (w.Kind != plan.Session && w.Kind != plan.Cumulate) {
		return true
	}
	base := len(w.Input.Schema())
	has := [2]bool{}
	var others, otherNames []string
	for i, k := range agg.Keys {
		if c, ok := k.(*plan.ColRef); ok && (c.Index == base || c.Index == base+1) {
			has[c.Index-base] = true
			continue
		}
		if readsBounds(k, w) {
			b.diags.Errorf(diag.Unsupported, q.Pos, "a GROUP BY key of a %s window may read window_start or window_end only as a key of its own", windowSpecs[kindOf(w)].name)
			return false
		}
		others = append(others, plan.Identity(k))
		if i < len(agg.KeyNames) {
			otherNames = append(otherNames, agg.KeyNames[i])
		}
	}
	if !has[0] && !has[1] {
		b.diags.Errorf(diag.EmitNeedsWindow, q.Pos, "a %s window needs GROUP BY window_start and window_end", windowSpecs[kindOf(w)].name)
		return false
	}
	for i, name := range []string{"window_start", "window_end"} {
		if !has[i] {
			agg.Keys = append(agg.Keys, &plan.ColRef{Index: base + i, Name: name, T: w.Schema()[base+i].Type})
			agg.KeyNames = append(agg.KeyNames, name)
		}
	}
	if w.Kind != plan.Session || len(w.Partition) == 0 {
		return true
	}
	var part []string
	for _, p := range w.Partition {
		part = append(part, plan.Identity(p))
	}
	slices.Sort(part)
	slices.Sort(others)
	if !slices.Equal(slices.Compact(part), slices.Compact(others)) {
		d := b.diags.Errorf(diag.Unsupported, partitionPos(q), "the SESSION window's PARTITION BY must name the GROUP BY keys besides window_start and window_end")
		d.Hint = "sessions are per group: PARTITION BY the keys you GROUP BY (" + strings.Join(otherNames, ", ") + ")"
		return false
	}
	return true
}

func kindOf(w *plan.Window) ast.WindowKind {
	switch w.Kind {
	case plan.Session:
		return ast.Session
	case plan.Cumulate:
		return ast.Cumulate
	case plan.Hop:
		return ast.Hop
	}
	return ast.Tumble
}

var emitWords = map[ast.EmitMode]string{ast.EmitOnWindowClose: "ON WINDOW CLOSE", ast.EmitChanges: "CHANGES", ast.EmitAfterWatermark: "AFTER WATERMARK", ast.EmitPeriodically: "PERIODICALLY"}

// emitLateness binds ALLOWED LATENESS and checks that the EMIT mode fits the
// aggregate: both need a window.
func (b *binder) emitLateness(q *ast.Select, agg *plan.Aggregate) bool {
	if w, ok := windowOf(agg.Input); ok && w.Kind == plan.Session {
		for _, a := range agg.Aggs {
			if a.Arg != nil && readsBounds(a.Arg, w) || a.Filter != nil && readsBounds(a.Filter, w) {
				d := b.diags.Errorf(diag.Unsupported, boundAggPos(q), "an aggregate cannot read a session's window_start or window_end: they are known when it closes")
				d.Hint = "select window_start and window_end themselves (they are GROUP BY keys); their difference is the session's length"
				return false
			}
		}
	}
	if (q.Emit == ast.EmitAfterWatermark || q.Emit == ast.EmitPeriodically) && agg.WindowKey < 0 {
		d := b.diags.Errorf(diag.EmitNeedsWindow, q.EmitPos, "EMIT %s needs a GROUP BY on window_start or window_end", emitWords[q.Emit])
		d.Hint = "a GROUP BY without a window emits its changes after every batch (EMIT CHANGES)"
		return false
	}
	if q.Emit == ast.EmitPeriodically {
		v, ok := b.intervalConst(q.Period)
		if !ok {
			return false
		}
		if v <= 0 {
			b.diags.Errorf(diag.BadWindow, q.Period.Position(), "the period of EMIT PERIODICALLY must be positive")
			return false
		}
		agg.Period = v
	}
	if q.Lateness == nil {
		return true
	}
	if agg.WindowKey < 0 {
		b.diags.Errorf(diag.EmitNeedsWindow, q.LatenessPos, "ALLOWED LATENESS needs a GROUP BY on window_start or window_end")
		return false
	}
	v, ok := b.intervalConst(q.Lateness)
	if !ok {
		return false
	}
	if v < 0 {
		b.diags.Errorf(diag.BadWindow, q.LatenessPos, "ALLOWED LATENESS must not be negative")
		return false
	}
	agg.Lateness = v
	return true
}

// lateSource binds LATE(source): the source's late rows with the view each
// was late for.
func (b *binder) lateSource(t *ast.LateSource) (plan.Node, *scope) {
	src, ok := b.sources[t.Source.Name]
	if !ok {
		d := b.diags.Errorf(diag.UnknownTable, t.Source.Pos, "LATE reads a source, and %q is not one", t.Source.Name)
		if c := closest(t.Source.Name, sortedKeys(b.sources)); c != "" {
			d.Hint = "did you mean " + c + "?"
		}
		return nil, nil
	}
	if src.TimeCol < 0 {
		d := b.diags.Errorf(diag.NoWatermark, t.Pos, "source %s has no watermark, so none of its rows is ever late", src.Name)
		d.Hint = "declare WATERMARK FOR in CREATE SOURCE " + src.Name
		return nil, nil
	}
	n := &plan.LateScan{Source: src}
	q := []string{"late"}
	if t.Alias != nil {
		q = []string{t.Alias.Name}
	}
	return n, &scope{schema: n.Schema(), qualifiers: q}
}
