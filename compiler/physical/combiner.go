package physical

import (
	"fmt"
	"strings"

	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// Combiner says whether the workers of a key-partitioned job pre-aggregate
// the rows they read before the exchange: each worker folds the rows of its
// chunk into partial states per (window, group) for the worker owning the
// group, which merges them into its windows, instead of receiving the rows.
// A row the reading worker finds late (its window closed by the watermark
// before it in its chunk) or whose expressions fail still crosses as a row,
// and the owner runs it as one engine would; a partial whose window the
// owner finds closed (by the chunks before it in the round) is reported row
// by row from the record numbers the part keeps. Partials live within a
// round: a checkpoint, at a round boundary, has none in flight.
type Combiner struct {
	// Op is the operator index of the combined aggregate, or -1; Reason
	// then says why the job has no combiner.
	Op     int
	Reason string
}

// Combines reports whether the job has a combiner.
func (c Combiner) Combines() bool { return c.Op >= 0 }

// Combine decides the combiner of a partitioned plan. The rule covers one
// tumbling-windowed aggregate fused into the source's loop, emitted once
// per window (ON WINDOW CLOSE, no allowed lateness), over an append-only
// source, whose aggregates merge exactly: COUNT, SUM and AVG of integers
// (128-bit exact sums), MIN and MAX of integers and timestamps.
func Combine(p *Plan, part Partitioning) Combiner {
	no := func(format string, args ...any) Combiner {
		return Combiner{Op: -1, Reason: fmt.Sprintf(format, args...)}
	}
	if !part.Partitioned() || part.Key < 0 {
		return no("the rows are not exchanged by key")
	}
	if len(part.Keys) > 1 {
		return no("%d sources (a combiner covers one aggregate over one source)", len(part.Keys))
	}
	if part.Exchanges() || len(p.Operators) != 1 {
		return no("%d operators (a combiner covers one aggregate over the source)", len(p.Operators))
	}
	op := p.Operators[0]
	src := p.Pipeline.Sources[part.Source]
	switch {
	case op.Agg == nil:
		return no("view %s does not aggregate", op.Name)
	case !op.Direct() || !op.Inline:
		return no("view %s is not fused into the source's loop", op.Name)
	case op.KV:
		return no("view %s keeps its state in the keyed-state store", op.Name)
	case src.Updating || op.InputUpdating:
		return no("view %s reads a changelog (partial states with retractions are not built)", op.Name)
	case !op.Windowed():
		// an unwindowed aggregate of an append-only input: no row is late,
		// and the owner emits its changed groups at the round's end
		if op.Agg.Emit != plan.EmitOnChanges {
			return no("view %s emits %s (an unwindowed aggregate is combined under EMIT CHANGES)", op.Name, op.Agg.Emit)
		}
	case op.ProcTime() || IsSession(op):
		return no("view %s closes windows that are not event-time tumbling windows", op.Name)
	case op.Window().Kind != plan.Tumble || op.Window().Slide != op.Window().Size:
		return no("view %s has windows that overlap (a row in several windows)", op.Name)
	case op.Updating || op.Agg.Emit != plan.EmitOnClose || op.Agg.Lateness != 0 || op.Agg.Period != 0:
		return no("view %s emits before or after its windows close", op.Name)
	case op.TopN != nil || op.Join != nil || op.Lookup != nil:
		return no("view %s is not a plain aggregate", op.Name)
	}
	for _, a := range op.Agg.Aggs {
		if why := combinable(a); why != "" {
			return no("view %s %s", op.Name, why)
		}
	}
	return Combiner{Op: op.Index}
}

// combinable tells why an aggregate's partial states do not merge exactly
// into one engine's state, or "".
func combinable(a plan.Agg) string {
	if a.Distinct {
		return "counts distinct values"
	}
	switch a.Func {
	case plan.CountStar, plan.Count:
		return ""
	case plan.Sum, plan.Avg:
		if a.Arg.Type().Kind == types.Int {
			return "" // an exact 128-bit sum, checked at the output
		}
		return "sums " + a.Arg.Type().Kind.String() + " (partial sums of it do not merge exactly)"
	case plan.Min, plan.Max:
		switch a.Arg.Type().Kind {
		case types.Int, types.Timestamp:
			return ""
		}
		return "takes " + string(a.Func) + " of " + a.Arg.Type().Kind.String()
	}
	return "computes " + string(a.Func) + " (not a decomposable aggregate)"
}

// FormatCombiner is the line explain shows for it.
func FormatCombiner(p *Plan, part Partitioning, c Combiner) string {
	if !part.Partitioned() || part.Key < 0 {
		return ""
	}
	if !c.Combines() {
		return "Combiner: none (" + c.Reason + ")"
	}
	op := p.Operators[c.Op]
	var aggs []string
	for _, a := range op.Agg.Aggs {
		aggs = append(aggs, a.String())
	}
	per := "(window, group)"
	if !op.Windowed() {
		per = "group"
	}
	return fmt.Sprintf("Combiner: view %s pre-aggregated per %s on the reading worker (%s); partial states cross the exchange, late and failed rows as rows; a worker sends its rows to an owner as rows for 64 rounds after a round of at least 256 whose groups were over a quarter of them",
		op.Name, per, strings.Join(aggs, ", "))
}
