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
// by row from the record numbers the part keeps (the record of a typed
// source made again by the runtime: a generator's event generated again, a
// Parquet row group read again, whose column batches are reused as it is
// read). Partials live within a round: a checkpoint, at a round boundary,
// has none in flight.
type Combiner struct {
	// Op is the operator index of the combined aggregate, or -1; Reason
	// then says why the job has no combiner.
	Op     int
	Reason string
}

// Combines reports whether the job has a combiner.
func (c Combiner) Combines() bool { return c.Op >= 0 }

// Combine decides the combiner of a partitioned plan. The rule covers one
// windowed aggregate fused into the source's loop, emitted once per window
// (ON WINDOW CLOSE, with or without allowed lateness), over an append-only
// source: tumbling windows, hopping windows kept as panes (a row folds into
// its one pane, as on one engine) and cumulating windows (a row folds into
// each window holding it; the windows are one engine's, by end); and an
// unwindowed aggregate under EMIT CHANGES, of an append-only source or of a
// changelog file (a debezium or changelog format, whose changes the reader
// deals to the workers). Its aggregates must merge exactly: COUNT, SUM and
// AVG of integers and DECIMALs (exact sums), MIN and MAX of integers,
// DECIMALs, timestamps and strings.
//
// Over a changelog a row folds with its weight (+1 inserted, -1 retracted),
// as on one engine: a partial's counts and sums are signed, its W the net
// rows of the group in the chunk, and a MIN or MAX a multiset of the chunk's
// values with signed counts (one engine keeps the multiset too: an extreme
// cannot be retracted from a partial extreme). The owner adds them, and
// integer addition is associative and commutative, so after every round its
// state is one engine's after the same rows, whichever worker read the
// insertion and which its retraction. A partial may net to W = 0 with sums
// that do not (a row updated within its group: -5 then +7) and is merged as
// any other; a group whose merged W is 0 leaves the owner's state at the
// round's end, as on one engine at a flush.
//
// Not combined: SESSION windows (a row's session is known only against the
// key's other rows: a row may bridge two sessions the reader never saw, or
// rows of two chunks may fall in one session or two depending on rows of a
// third, so a reader's partial per (key, session) is not one engine's
// session), hopping windows kept per window (a row in several windows, and
// the reader's lateness, per window, is known only after folding into the
// later ones), a typed changelog (none today: PostgreSQL CDC is JSON lines
// with weights, combined like a changelog file), and aggregates whose partials do not merge into one engine's
// result bit for bit (see combinable).
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
	case (src.Updating || op.InputUpdating) && (src.Typed != nil || op.Windowed()):
		// unreachable today: no typed source is updating (PostgreSQL CDC
		// is JSON lines with weights, combined like a changelog file), and
		// a window needs an append-only input
		return no("view %s reads a changelog that is typed or windowed (weighted partials cover an unwindowed GROUP BY of a changelog file)", op.Name)
	case !op.Windowed():
		// an unwindowed aggregate of an append-only input: no row is late,
		// and the owner emits its changed groups at the round's end
		if op.Agg.Emit != plan.EmitOnChanges {
			return no("view %s emits %s (an unwindowed aggregate is combined under EMIT CHANGES)", op.Name, op.Agg.Emit)
		}
	case IsSession(op):
		return no("view %s has SESSION windows (a row's session depends on the key's rows in other chunks: a reader's partial per session is not one engine's session)", op.Name)
	case op.ProcTime():
		return no("view %s closes windows by the wall clock", op.Name)
	case op.Updating || op.Agg.Emit != plan.EmitOnClose || op.Agg.Period != 0:
		return no("view %s emits before its windows close", op.Name)
	case op.Window().Kind == plan.Hop && op.Window().Slide != op.Window().Size && !Paned(op):
		return no("view %s keeps a hopping window's state per window, not per pane (a row in several windows)", op.Name)
	case op.Window().Kind == plan.Cumulate && readsWindowBounds(op):
		// a row loops over its windows: one whose values depend on the window
		// could fail in a later window after folding into an earlier one
		return no("view %s reads its CUMULATE windows' bounds after the window (a row's values may differ per window)", op.Name)
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
// into one engine's state, or "". Over a changelog the same aggregates
// combine: counts and sums are signed, and a MIN or MAX keeps the multiset
// of its values, which a partial holds too (signed counts per value, from
// the chunk's rows) and the owner adds.
func combinable(a plan.Agg) string {
	if a.Distinct {
		return "counts distinct values"
	}
	switch a.Func {
	case plan.CountStar, plan.Count:
		return ""
	case plan.Sum, plan.Avg:
		if k := a.Arg.Type().Kind; k == types.Int || k.IsDecimal() {
			return "" // an exact sum (128 bits, a wide DECIMAL's with the times it wrapped), checked at the output
		}
		if a.Arg.Type().Kind == types.Float {
			// rounding makes a float sum depend on the order of its terms: a
			// sum of per-chunk partials differs from one engine's sum in input
			// order in the last bits, and with the adaptive switch to rows the
			// grouping of terms would change with batch sizes and workers. The
			// job's result must be the same whatever the number of workers.
			// Exact partials (a superaccumulator) would not do either: one
			// engine's result is its running sum rounded at every row, not
			// the correctly rounded sum of the terms (and over a changelog +x
			// then -x need not restore it); they would agree only if one
			// engine summed exactly too, which changes every DOUBLE SUM's
			// state, cost and checkpoint layout.
			return "sums DOUBLE (a sum of partial sums rounds otherwise than one engine's sum in input order)"
		}
		return "sums " + a.Arg.Type().Kind.String() + " (partial sums of it are not built)"
	case plan.Min, plan.Max:
		if a.Arg.Type().Kind.IsDecimal() {
			return "" // one scale per type: equal values are the same integers
		}
		switch a.Arg.Type().Kind {
		case types.Int, types.Timestamp:
			return ""
		case types.String:
			// a total order whose equal values are the same bytes; the partial
			// holds the row's string, which the garbage collector keeps (a
			// decoded row's strings are its own: rows that cross as rows are
			// kept in the owner's state just so)
			return ""
		}
		if a.Arg.Type().Kind == types.Float {
			// one engine keeps the first extreme in input order under Go's <,
			// which is no total order: with NaN (never less nor greater) and
			// -0 = 0 the result depends on the order values fold in, and the
			// owner folds a partial before rows of the chunk that crossed as rows
			return "takes " + string(a.Func) + " of DOUBLE (no total order: with NaN or -0 the extreme depends on the order values fold in)"
		}
		return "takes " + string(a.Func) + " of " + a.Arg.Type().Kind.String() + " (partials of it are not built)"
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
	switch {
	case !op.Windowed():
		per = "group"
	case Paned(op):
		per = "(pane, group)"
	}
	if op.InputUpdating {
		return fmt.Sprintf("Combiner: view %s pre-aggregated per group on the reading worker into weighted partials (%s: each change folded with its weight, +1 or -1; signed counts and sums, MIN and MAX as multisets with signed counts, and the group's net rows); partial states cross the exchange, failed rows as rows; the owner adds them and drops a group whose net rows are 0; a worker sends its rows to an owner as rows for 64 rounds after a round of at least 256 whose groups were over a quarter of them",
			op.Name, strings.Join(aggs, ", "))
	}
	return fmt.Sprintf("Combiner: view %s pre-aggregated per %s on the reading worker (%s); partial states cross the exchange, late and failed rows as rows; a worker sends its rows to an owner as rows for 64 rounds after a round of at least 256 whose groups were over a quarter of them",
		op.Name, per, strings.Join(aggs, ", "))
}
