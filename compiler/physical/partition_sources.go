package physical

import (
	"fmt"

	"github.com/laminar-sql/laminar/compiler/plan"
)

// partitionSources partitions a plan of several sources (joins and UNION
// ALL of sources): every source whose rows reach state is split by a key
// column of its own (Partitioning.Keys), chosen so that each join's two
// sides and each aggregate's input rows of one key, from whichever
// source, hash to one worker; a source whose rows reach no state has its
// batches split as they come. The workers read a share of every source in
// each round, and run each source's rows with that source's watermark of
// one engine reading the round's chunks source by source, so a join's
// watermark (the minimum of its inputs') is the same on every worker.
//
// It covers sources, stateless views, UNION ALL, joins (regular, interval
// and ASOF, by an equality key) and aggregates, windowed or not, over sources and
// views (a window over a UNION ALL of sources: each worker owns the windows
// of its keys, of every source's rows, and closes them by the watermark of
// one engine reading the round's chunks source by source, the same on every
// worker); the rest keeps the job on one worker, with the reason.
func partitionSources(p *Plan) Partitioning {
	no := func(format string, args ...any) Partitioning {
		return Partitioning{Source: -1, Key: -1, Reason: fmt.Sprintf(format, args...)}
	}
	n := len(p.Pipeline.Sources)
	if p.UsesProcTime() {
		return no("it reads the processing time (PROCTIME()), which each batch takes from one clock")
	}
	// the workers read a share of every source in each round: a file in
	// byte ranges (each worker cutting and decoding its own), Parquet row
	// groups (each worker decoding its own), the batches one reader of the
	// source deals them (CSV, a changelog, a pipe, line numbers read) or
	// the generator
	// each stateful operator constrains the keys: one of its options (a
	// source column per source whose rows reach it) must be the split keys
	var cons [][]map[int]int
	var consOp []*Operator
	var consKey [][]int // per option, its join key pair or group key index
	for _, op := range p.Operators {
		switch {
		case op.KV:
			return no("view %s keeps its state in the keyed-state store", op.Name)
		case op.LateOf != nil || lateReader(op):
			// LATE(source) and stateless views of it: a row late at a window
			// of its source is found on the worker owning its key, with the
			// watermark of one engine before it, and goes on from there (an
			// aggregate over them has no group key that is a source column:
			// below, one engine)
			continue
		case op.TopN != nil:
			// co-partitioned by a PARTITION BY column that is a column of
			// every source its rows come from: a partition's rows all on one
			// worker, each source's in input order (topnSources)
			if why := topnSources(op); why != "" {
				return no("view %s %s (%d sources)", op.Name, why, n)
			}
			var opts []map[int]int
			var idx []int
			for i, c := range op.TopN.Partition {
				if m, ok := sourceCols(p, op.Inputs[0], &plan.ColRef{Index: c}); ok && sameHash(p, m) {
					opts, idx = append(opts, m), append(idx, i)
				}
			}
			if len(opts) == 0 {
				return no("view %s ranks by no PARTITION BY column that is a column of every source it reads (%d sources)", op.Name, n)
			}
			cons, consOp, consKey = append(cons, opts), append(consOp, op), append(consKey, idx)
		case op.Lookup != nil:
			if !splitsWithItsInput(op) {
				return no("view %s looks up rows for an updating view (%d sources)", op.Name, n)
			}
			continue
		case op.Join != nil:
			var opts []map[int]int
			var idx []int
			for i := range op.Join.LeftKeys {
				l, lok := sourceCols(p, op.Inputs[0], op.Join.LeftKeys[i])
				r, rok := sourceCols(p, op.Inputs[1], op.Join.RightKeys[i])
				if m, ok := mergeCols(l, r); lok && rok && ok && sameHash(p, m) {
					opts, idx = append(opts, m), append(idx, i)
				}
			}
			if len(opts) == 0 {
				return no("view %s joins on no key that is a column of its sources on both sides", op.Name)
			}
			cons, consOp, consKey = append(cons, opts), append(consOp, op), append(consKey, idx)
		case op.Agg != nil && len(op.Inputs) == 1 && (op.Inputs[0].LateOf != nil || lateReader(op.Inputs[0])):
			return no("view %s aggregates the late rows of a source (on one source they are re-exchanged by its own key; a job of %d sources does not re-exchange)", op.Name, n)
		case op.Agg != nil:
			var opts []map[int]int
			var idx []int
			for k, e := range op.Agg.Keys {
				if k == op.Agg.WindowKey {
					continue
				}
				if m, ok := inputCols(p, op, e); ok && sameHash(p, m) {
					opts, idx = append(opts, m), append(idx, k)
				}
			}
			if len(opts) == 0 {
				return no("view %s has no group key that is a column of every source it reads", op.Name)
			}
			cons, consOp, consKey = append(cons, opts), append(consOp, op), append(consKey, idx)
		case !op.Direct() && op.Fires():
			return no("view %s is driven by the watermark over views of %d sources", op.Name, n)
		}
	}
	keys := make([]int, n)
	for i := range keys {
		keys[i] = -1
	}
	pick := make([]int, len(cons))
	if !solveKeys(cons, 0, keys, pick) {
		return no("the joins and aggregates share no key columns of the sources that put their rows of one key on one worker")
	}
	out := Partitioning{Source: 0, Key: keys[0], Keys: keys, OpKeys: make([]int, len(p.Operators)), Exchanged: make([]int, len(p.Operators))}
	for i := range out.OpKeys {
		out.OpKeys[i], out.Exchanged[i] = -1, -1
	}
	for ci, op := range consOp {
		out.OpKeys[op.Index] = consKey[ci][pick[ci]]
	}
	return out
}

// topnSources tells why a top-N over several sources cannot be split by a
// PARTITION BY column, or "": a partition's rows reach its worker source by
// source in each round, and the rounds of several workers are not one
// engine's, so rows of two sources interleave otherwise than on one
// engine. A ranking whose result does not depend on that order splits:
// RANK and DENSE_RANK (ties all in), and any over an updating input (ties
// ordered by every column); not ROW_NUMBER (ties numbered in arrival
// order) nor OVER aggregations over an append-only input (frames of rows in
// arrival order).
func topnSources(op *Operator) string {
	t := op.TopN
	switch {
	case op.KV:
		return "keeps its state in the keyed-state store"
	case op.InputUpdating:
		return ""
	case len(t.Aggs) > 0:
		return "aggregates OVER frames of rows in arrival order, which rows of several sources on several workers do not keep"
	case t.Func == plan.RowNumber:
		return "numbers rows of equal order in arrival order, which rows of several sources on several workers do not keep"
	}
	return ""
}

// solveKeys picks, constraint by constraint in plan order, the first option
// consistent with the keys chosen so far (backtracking), so that the choice
// is deterministic.
func solveKeys(cons [][]map[int]int, i int, keys, pick []int) bool {
	if i == len(cons) {
		return true
	}
	for oi, opt := range cons[i] {
		ok := true
		for s, c := range opt {
			if keys[s] >= 0 && keys[s] != c {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		var set []int
		for s, c := range opt {
			if keys[s] < 0 {
				keys[s] = c
				set = append(set, s)
			}
		}
		pick[i] = oi
		if solveKeys(cons, i+1, keys, pick) {
			return true
		}
		for _, s := range set {
			keys[s] = -1
		}
	}
	return false
}

// sameHash tells whether the source columns of an option hash alike: one
// kind, that codegen hashes.
func sameHash(p *Plan, m map[int]int) bool {
	kind := -1
	for s, c := range m {
		t := p.Pipeline.Sources[s].Schema[c].Type
		if !hashable(t) || (kind >= 0 && int(t.Kind) != kind) {
			return false
		}
		kind = int(t.Kind)
	}
	return kind >= 0
}

// mergeCols joins two sides' source columns; a source on both sides must
// pass the same column.
func mergeCols(a, b map[int]int) (map[int]int, bool) {
	m := map[int]int{}
	for s, c := range a {
		m[s] = c
	}
	for s, c := range b {
		if d, ok := m[s]; ok && d != c {
			return nil, false
		}
		m[s] = c
	}
	return m, true
}

// inputCols traces a group key of an aggregate (an expression over the
// output of its Pre stages) back to the source columns it passes through
// unchanged, one per source whose rows reach it.
func inputCols(p *Plan, op *Operator, e plan.Expr) (map[int]int, bool) {
	if op.Direct() {
		c, ok := sourceColumn(op.Source, op.Pre, e)
		if !ok {
			return nil, false
		}
		return map[int]int{op.SourceIndex: c}, true
	}
	if len(op.Inputs) != 1 {
		return nil, false
	}
	in := op.Inputs[0]
	i, ok := stageColumn(len(in.Output), op.Pre, e)
	if !ok {
		return nil, false
	}
	return sourceCols(p, in, &plan.ColRef{Index: i})
}

// sourceCols traces an expression over the output of operator op back to
// the source columns it passes through unchanged: one per source whose rows
// reach op (through stateless views, UNION ALL and aggregates' group keys).
func sourceCols(p *Plan, op *Operator, e plan.Expr) (map[int]int, bool) {
	switch {
	case op.Union:
		ref, ok := e.(*plan.ColRef)
		if !ok {
			return nil, false
		}
		m := map[int]int{}
		for _, in := range op.Inputs {
			c, ok := sourceCols(p, in, ref)
			if !ok {
				return nil, false
			}
			if m, ok = mergeCols(m, c); !ok {
				return nil, false
			}
		}
		return m, true
	case op.Join != nil || op.Lookup != nil || op.LateOf != nil || op.TopN != nil:
		return nil, false
	case op.Agg == nil:
		return inputCols(p, op, e)
	}
	j, ok := stageColumn(len(op.Agg.Keys)+len(op.Agg.Aggs), op.Post, e)
	if !ok || j >= len(op.Agg.Keys) || j == op.Agg.WindowKey {
		return nil, false
	}
	return inputCols(p, op, op.Agg.Keys[j])
}
