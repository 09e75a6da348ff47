package physical

import (
	"fmt"

	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// Partitioning says how the workers of a job (--workers N) share its rows
// and its state. Each worker runs the whole fused loop of the source over
// the rows of the key partitions it owns; an exchange moves the decoded rows
// of each batch to the worker that owns their key, in batches.
type Partitioning struct {
	// Source is the source whose rows are split, or -1 when the job runs on
	// one worker whatever --workers says; Reason then says why.
	Source int
	Reason string
	// Key is the source column whose hash picks a row's worker, or -1 for a
	// pipeline without state: its batches are split among the workers
	// as they come, with no exchange.
	Key int
	// OpKeys gives, per operator index, the index in Agg.Keys of the group
	// key that is the Key column (-1 for a stateless operator): each worker
	// keeps exactly the groups whose key hashes to it, so a checkpoint's
	// state re-partitions by it at load.
	OpKeys []int
}

// Partitioned reports whether the job's rows split among workers.
func (p Partitioning) Partitioned() bool { return p.Source >= 0 }

// Partition decides the partitioning of a plan. The rule is the simplest
// that keeps the output independent of the number of workers: one source,
// every operator in its loop (no operator reading another, no join), and
// every aggregate grouping by one same source column, passed through the
// fused stages unchanged, so that a group's rows all reach one worker.
func Partition(p *Plan) Partitioning {
	no := func(format string, args ...any) Partitioning {
		return Partitioning{Source: -1, Key: -1, Reason: fmt.Sprintf(format, args...)}
	}
	if len(p.Pipeline.Sources) != 1 {
		return no("%d sources (partitioning covers one source)", len(p.Pipeline.Sources))
	}
	if p.UsesProcTime() {
		return no("it reads the processing time (PROCTIME()), which each batch takes from one clock")
	}
	src := p.Pipeline.Sources[0]
	if src.Typed != nil && src.Typed.Columnar {
		return no("source %s is read as column batches (Parquet)", src.Name)
	}
	// candidates: the source columns every aggregate groups by
	var common map[int]bool
	keyOf := make([]map[int]int, len(p.Operators)) // source column -> Agg.Keys index
	for _, op := range p.Operators {
		switch {
		case !op.Direct() && !splitsWithItsInput(op):
			return no("view %s reads another operator (partitioning covers operators in the source's loop)", op.Name)
		case op.Join != nil:
			return no("view %s is a join", op.Name)
		case op.KV:
			return no("view %s keeps its state in the keyed-state store", op.Name)
		case op.InputUpdating:
			return no("view %s reads a changelog (rows with weights)", op.Name)
		case serialOnly(op) != "":
			return no("view %s %s", op.Name, serialOnly(op))
		case op.Agg == nil:
			continue
		}
		cols := map[int]bool{}
		keyOf[op.Index] = map[int]int{}
		for k, e := range op.Agg.Keys {
			if k == op.Agg.WindowKey {
				continue
			}
			if c, ok := sourceColumn(src, op.Pre, e); ok && hashable(src.Schema[c].Type) {
				cols[c] = true
				if _, seen := keyOf[op.Index][c]; !seen {
					keyOf[op.Index][c] = k
				}
			}
		}
		if common == nil {
			common = cols
			continue
		}
		for c := range common {
			if !cols[c] {
				delete(common, c)
			}
		}
	}
	out := Partitioning{Source: 0, Key: -1, OpKeys: make([]int, len(p.Operators))}
	for i := range out.OpKeys {
		out.OpKeys[i] = -1
	}
	if common == nil {
		return out // no aggregate: split batches
	}
	for c := range src.Schema {
		if common[c] {
			out.Key = c
			break
		}
	}
	if out.Key < 0 {
		return no("the aggregates share no group key that is a column of source %s", src.Name)
	}
	for _, op := range p.Operators {
		if op.Agg != nil {
			out.OpKeys[op.Index] = keyOf[op.Index][out.Key]
		}
	}
	return out
}

// splitsWithItsInput tells whether an operator that reads another one still
// runs in each worker over that worker's rows: a lookup join over an
// append-only input keeps no state (each worker has its own cache of the
// table), so a row joins the same wherever it runs.
func splitsWithItsInput(op *Operator) bool {
	return op.Lookup != nil && !op.InputUpdating
}

// sourceColumn traces an expression over the output of stages back to the
// source column it passes through unchanged, if it does.
func sourceColumn(src *plan.Source, stages []Stage, e plan.Expr) (int, bool) {
	ref, ok := e.(*plan.ColRef)
	if !ok {
		return 0, false
	}
	i := ref.Index
	for s := len(stages) - 1; s >= 0; s-- {
		st := stages[s]
		in := len(src.Schema)
		if s > 0 {
			in = len(stages[s-1].Out)
		}
		switch st.Kind {
		case StageProject:
			r, ok := st.Exprs[i].(*plan.ColRef)
			if !ok {
				return 0, false
			}
			i = r.Index
		case StageWindow:
			if i >= in {
				return 0, false // window_start or window_end
			}
		}
	}
	return i, i < len(src.Schema)
}

// hashable tells whether codegen hashes values of t to pick a worker.
func hashable(t types.Type) bool {
	switch t.Kind {
	case types.Int, types.Timestamp, types.String, types.Bool:
		return true
	}
	return false
}

// FormatPartitioning is the line explain shows for it.
func FormatPartitioning(p *Plan, part Partitioning) string {
	switch {
	case !part.Partitioned():
		return "Workers: one (" + part.Reason + ")"
	case part.Key < 0:
		return "Workers: --workers N, batches of source " + p.Pipeline.Sources[part.Source].Name + " split among them (no state)"
	}
	src := p.Pipeline.Sources[part.Source]
	return fmt.Sprintf("Workers: --workers N, rows of source %s exchanged by hash of %s (each worker owns the groups of its keys)", src.Name, src.Schema[part.Key].Name)
}
