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
	// Keys gives, per source, the column whose hash picks a row's worker
	// (-1: its batches split as they come); Keys[Source] is Key. A job of
	// several sources splits every one (partitionSources).
	Keys []int
	// OpKeys gives, per operator index, the index in Agg.Keys of the group
	// key that is the Key column (-1 for a stateless operator): each worker
	// keeps exactly the groups whose key hashes to it, so a checkpoint's
	// state re-partitions by it at load. For a lookup join over an
	// updating view it is the column of its input rows that is that view's
	// group key (heldKey).
	OpKeys []int
	// Exchanged gives, per operator index, for an aggregate reading another
	// operator whose rows are not on the worker owning its group (its group
	// key is not Key passed through), the column of its input whose hash
	// picks the worker its input rows are sent to, after the round's rows
	// have run (a second exchange); -1 for the others.
	Exchanged []int
	// Levels gives, per operator index, the exchange after which it runs:
	// 0 in the source's loop (the first exchange, by Key), 1 for an
	// exchanged operator reading views of the source's loop, 2 for one
	// reading (views of) a level-1 operator, and so on; a stateless view
	// runs at the level of its input. The workers run the levels one after
	// another, each after a barrier (job.Exchanging).
	Levels []int
	// Gathered tells, per operator index, whether an exchanged top-N has no
	// PARTITION BY (a global ranking, ORDER BY ... LIMIT): its input rows,
	// emitted on any worker, all go to one owner (the worker of the hash of
	// no key, exchange.Seed), which keeps its one partition and emits its
	// changes; the views below it stay parallel. Exchanged and OpKeys are 0
	// for it, and name no column. Nil when no operator is gathered.
	Gathered []bool
}

// Gathers reports whether op is a gathered top-N (Gathered).
func (p Partitioning) Gathers(op int) bool { return op < len(p.Gathered) && p.Gathered[op] }

// Prefilters tells whether the workers of a gathered top-N send its owner
// only the rows that can rank within its limit (a partial top-N per
// worker): over an append-only input, by RANK or DENSE_RANK with a limit N
// and no OVER aggregates, a row that N rows sent before it (N distinct
// orders for DENSE_RANK) rank before never ranks within N, since they never
// leave; every row that does is sent, with every row ranking before it, so
// the owner ranks it as one engine. What a worker keeps to filter (its best
// N rows sent) is no state: after a restore it starts empty and sends more.
// ROW_NUMBER numbers ties in arrival order, which keeps such a job on one
// engine (topnExchangeKey); over an updating input a partial top-N would
// hold every row of the worker for the retractions, a state of its own
// that a checkpoint would have to re-split: not built, every row crosses.
func (p Partitioning) Prefilters(op *Operator) bool {
	t := op.TopN
	return p.Gathers(op.Index) && !op.InputUpdating && t.Limit > 0 && len(t.Aggs) == 0 && (t.Func == plan.Rank || t.Func == plan.DenseRank)
}

// ExchangeLevels is the number of exchanges after the source's: the
// largest of Levels.
func (p Partitioning) ExchangeLevels() int {
	n := 0
	for _, l := range p.Levels {
		n = max(n, l)
	}
	return n
}

// Exchanges reports whether some operator's input rows are exchanged by a
// key of their own (Exchanged).
func (p Partitioning) Exchanges() bool {
	for _, c := range p.Exchanged {
		if c >= 0 {
			return true
		}
	}
	return false
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
	if len(p.Pipeline.Sources) > 1 {
		return partitionSources(p)
	}
	if len(p.Pipeline.Sources) != 1 {
		return no("%d sources (partitioning covers one source)", len(p.Pipeline.Sources))
	}
	out := partitionOne(p)
	if out.Partitioned() {
		out.Keys = []int{out.Key}
	}
	return out
}

// partitionOne is Partition of a plan of one source.
func partitionOne(p *Plan) Partitioning {
	no := func(format string, args ...any) Partitioning {
		return Partitioning{Source: -1, Key: -1, Reason: fmt.Sprintf(format, args...)}
	}
	if p.UsesProcTime() {
		return no("it reads the processing time (PROCTIME()), which each batch takes from one clock")
	}
	src := p.Pipeline.Sources[0]
	// candidates: the source columns every aggregate groups by
	var common map[int]bool
	keyOf := make([]map[int]int, len(p.Operators)) // source column -> Agg.Keys index
	// soft: per top-N, the source columns it is co-partitioned by; they pick
	// the key when no aggregate or join does (a top-N can also be exchanged)
	var soft []map[int]int
	for _, op := range p.Operators {
		switch {
		case op.Join != nil:
			// a join by the split key: both sides' rows of a key on its
			// worker (an ASOF join's too: a left row's match is among its
			// key's right rows, final by the watermarks of one engine)
			cols := joinColumns(src, op)
			if len(cols) == 0 {
				return no("view %s joins on no key that is a column of source %s on both sides", op.Name, src.Name)
			}
			keyOf[op.Index] = cols
			if common == nil {
				common = map[int]bool{}
				for c := range cols {
					common[c] = true
				}
				continue
			}
			for c := range common {
				if _, ok := cols[c]; !ok {
					delete(common, c)
				}
			}
			continue
		case op.LateOf != nil || lateReader(op):
			// LATE(source) and stateless views of it: a late row is found
			// on the worker owning its key, and goes on from there
			continue
		case op.Agg != nil && !op.Fires() && !op.KV && len(op.Inputs) == 1 && (op.Inputs[0].LateOf != nil || lateReader(op.Inputs[0])):
			// an aggregate over LATE(source): each late row is found on the
			// worker owning its source key, and sent on by the aggregate's
			// own key (exchanged, below)
			keyOf[op.Index] = map[int]int{}
			continue
		case op.TopN != nil:
			if op.KV {
				return no("view %s keeps its state in the keyed-state store", op.Name)
			}
			// co-partitioned when a PARTITION BY column is the split key
			// passed through; exchanged by one of its own otherwise (below)
			cols := topnColumns(src, op)
			keyOf[op.Index] = cols
			if len(cols) > 0 {
				soft = append(soft, cols)
			}
			continue
		case !op.Direct() && !splitsWithItsInput(op) && !holdsByKey(op) && !readsOneOperator(op):
			return no("view %s reads another operator (partitioning covers operators in the source's loop)", op.Name)
		case op.KV:
			return no("view %s keeps its state in the keyed-state store", op.Name)
		case op.Agg == nil:
			continue
		}
		cols := map[int]bool{}
		keyOf[op.Index] = map[int]int{}
		for k, e := range op.Agg.Keys {
			if k == op.Agg.WindowKey {
				continue
			}
			if c, ok := traceColumn(src, op, op.Pre, e); ok && hashable(src.Schema[c].Type) {
				cols[c] = true
				if _, seen := keyOf[op.Index][c]; !seen {
					keyOf[op.Index][c] = k
				}
			}
		}
		if !op.Direct() {
			if len(keyOf[op.Index]) > 0 {
				soft = append(soft, keyOf[op.Index])
			}
			continue // co-partitioned with the source's rows, or exchanged (below)
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
	out := Partitioning{Source: 0, Key: -1, OpKeys: make([]int, len(p.Operators)), Exchanged: make([]int, len(p.Operators)), Levels: make([]int, len(p.Operators))}
	for i := range out.OpKeys {
		out.OpKeys[i], out.Exchanged[i] = -1, -1
	}
	if common == nil && len(soft) > 0 {
		common = softKey(soft)
	}
	if common != nil {
		for c := range src.Schema {
			if common[c] {
				out.Key = c
				break
			}
		}
		if out.Key < 0 {
			return no("the aggregates share no group key that is a column of source %s", src.Name)
		}
	}
	// below an exchange (an operator reading one exchanged, or reading such
	// a reader): stateless views, whose rows stay on the worker, and
	// aggregates and top-Ns whose input rows are exchanged again, by their
	// own key, at the next level
	below := make([]bool, len(p.Operators))
	for _, op := range p.Operators {
		for _, in := range op.Inputs {
			if below[in.Index] || out.Exchanged[in.Index] >= 0 {
				below[op.Index] = true
			}
			out.Levels[op.Index] = max(out.Levels[op.Index], out.Levels[in.Index])
		}
		if op.Join != nil {
			if below[op.Index] {
				return no("view %s reads a re-partitioned view and keeps state", op.Name)
			}
			out.OpKeys[op.Index] = keyOf[op.Index][out.Key]
			continue
		}
		if holdsByKey(op) {
			// a lookup join over an updating view: its held rows by the
			// worker owning their groups (heldKey)
			c, why := heldKey(op, out)
			if why != "" {
				return no("view %s %s", op.Name, why)
			}
			out.OpKeys[op.Index] = c
			continue
		}
		if op.TopN != nil {
			if k, ok := keyOf[op.Index][out.Key]; ok && out.Key >= 0 && !below[op.Index] {
				out.OpKeys[op.Index] = k // its partitions' rows are on the worker already
				continue
			}
			k, col, why := topnExchangeKey(op)
			if why != "" {
				return no("view %s %s", op.Name, why)
			}
			if len(op.TopN.Partition) == 0 {
				if out.Gathered == nil {
					out.Gathered = make([]bool, len(p.Operators))
				}
				out.Gathered[op.Index] = true
			}
			out.OpKeys[op.Index], out.Exchanged[op.Index] = k, col
			out.Levels[op.Index]++
			continue
		}
		if op.Agg == nil {
			if below[op.Index] && (op.Fires() || op.Lookup != nil) {
				return no("view %s reads a re-partitioned view and keeps state", op.Name)
			}
			continue
		}
		if op.Direct() {
			out.OpKeys[op.Index] = keyOf[op.Index][out.Key]
			continue
		}
		if k, ok := keyOf[op.Index][out.Key]; ok && out.Key >= 0 && !below[op.Index] {
			out.OpKeys[op.Index] = k // its groups' rows are on the worker already
			continue
		}
		if below[op.Index] && op.Fires() {
			return no("view %s closes windows over a re-partitioned view", op.Name)
		}
		if lateThroughWindow(p, op) {
			// its late rows are the source's, which its owner, running the
			// exchanged rows of several workers, has only if they carry it
			if why := lateCarried(p, op); why != "" {
				return no("view %s reports its late rows as rows of the source (LATE(source) through views) and is grouped by no key of the source's split: %s", op.Name, why)
			}
		}
		k, col, why := exchangeKey(op)
		if why != "" {
			return no("view %s %s", op.Name, why)
		}
		out.OpKeys[op.Index], out.Exchanged[op.Index] = k, col
		out.Levels[op.Index]++
	}
	return out
}

// exchangeKey picks the group key by which the rows an aggregate reads from
// another operator are exchanged among the workers (each worker owns the
// groups of its keys' hashes): a key that is a column of its input passed
// through its stages unchanged. It returns the key's index in Agg.Keys and
// the input column, or why the aggregate cannot be exchanged.
func exchangeKey(op *Operator) (k, col int, why string) {
	if op.Fires() {
		if why := windowExchange(op); why != "" {
			return 0, 0, why
		}
	}
	in := op.Inputs[0]
	for k, e := range op.Agg.Keys {
		if c, ok := stageColumn(len(in.Output), op.Pre, e); ok && hashable(in.Output[c].Type) {
			return k, c, ""
		}
	}
	return 0, 0, "has no group key that is a column of the view it reads"
}

// windowExchange tells why a windowed aggregate over a view grouped by
// another key cannot have its input rows exchanged, or "" if it can: its
// rows are the source's rows passed on by stateless views in the source's
// loop, each sent with the watermark its windows had before it (that of one
// engine), and the worker owning its group runs them in watermark order,
// closing its windows on the way. Rows of equal watermark from several
// workers are not in input order, which an order-dependent aggregate
// (FIRST_VALUE, LAST_VALUE) or a session's merging would see.
func windowExchange(op *Operator) string {
	if _, ok := LateThrough(op); !ok || !op.Windowed() || op.InputUpdating || op.ProcTime() {
		return "closes windows over a view grouped by another key (an exchange covers windows over stateless views of the source)"
	}
	if IsSession(op) {
		return "closes session windows over a view grouped by another key"
	}
	for _, a := range op.Agg.Aggs {
		if a.Func == plan.FirstValue || a.Func == plan.LastValue {
			return "takes " + string(a.Func) + " in windows over a view grouped by another key (rows of several workers are not in input order)"
		}
	}
	return ""
}

// lateReader tells whether op is a stateless view of the late rows of a
// source (LATE(source)), or of such a view.
func lateReader(op *Operator) bool {
	if len(op.Inputs) != 1 || op.Agg != nil || op.TopN != nil || op.Join != nil || op.Union || op.Lookup != nil || op.Fires() {
		return false
	}
	in := op.Inputs[0]
	return in.LateOf != nil || lateReader(in)
}

// topnColumns gives, for a top-N, the source columns (hashable) that its
// input's rows pass through unchanged into one of its PARTITION BY columns,
// each with that column's index in TopN.Partition: split by one, every row
// of a partition is on one worker, in input order.
func topnColumns(src *plan.Source, op *Operator) map[int]int {
	cols := map[int]int{}
	for i, c := range op.TopN.Partition {
		if s, ok := outputColumn(src, op.Inputs[0], &plan.ColRef{Index: c}); ok && hashable(src.Schema[s].Type) {
			if _, seen := cols[s]; !seen {
				cols[s] = i
			}
		}
	}
	return cols
}

// softKey picks the split key among the top-Ns' candidates when no
// aggregate or join constrains it: the columns every top-N can be
// co-partitioned by, or else the first top-N's (the others are exchanged).
func softKey(soft []map[int]int) map[int]bool {
	key := map[int]bool{}
	for c := range soft[0] {
		key[c] = true
	}
	for _, cols := range soft[1:] {
		for c := range key {
			if _, ok := cols[c]; !ok {
				delete(key, c)
			}
		}
	}
	if len(key) > 0 {
		return key
	}
	for c := range soft[0] {
		key[c] = true
	}
	return key
}

// topnExchangeKey picks the PARTITION BY column by which the rows a top-N
// reads are exchanged among the workers (each owns the partitions of its
// keys' hashes): it returns the column's index in TopN.Partition and in
// the input, or why the top-N cannot be exchanged. A top-N without
// PARTITION BY (ORDER BY ... LIMIT, a global ranking) keeps one state of
// all rows: its input rows are gathered on one owner (0, 0: Gathered), on
// the same conditions.
func topnExchangeKey(op *Operator) (k, col int, why string) {
	t := op.TopN
	switch {
	case op.Fires():
		return 0, 0, "is emitted by the watermark over a view partitioned by another key (an exchange covers top-Ns without watermarks)"
	case !op.InputUpdating && (t.Func == plan.RowNumber || (len(t.Aggs) > 0 && t.Frame.Rows)):
		// an updating input's ties are ordered by every column
		return 0, 0, "numbers rows of equal order in arrival order over a view partitioned by another key, which an exchange does not keep"
	case len(t.Partition) == 0:
		return 0, 0, ""
	}
	in := op.Inputs[0]
	for i, c := range t.Partition {
		if hashable(in.Output[c].Type) {
			return i, c, ""
		}
	}
	return 0, 0, "has no PARTITION BY column whose values are hashed (BIGINT, TIMESTAMP, VARCHAR, BOOLEAN)"
}

// splitsWithItsInput tells whether an operator that reads another one still
// runs in each worker over that worker's rows: a lookup join over an
// append-only input keeps no state (each worker has its own cache of the
// table), so a row joins the same wherever it runs.
func splitsWithItsInput(op *Operator) bool {
	return op.Lookup != nil && !op.InputUpdating
}

// holdsByKey tells whether an operator is a lookup join over an updating
// input, which holds the table rows each input row's insertion met for its
// retraction (lookup.Held): each worker looks up its own rows, with a cache
// of its own, and holds them, when a row's retraction comes on the worker
// its insertion came on (heldKey).
func holdsByKey(op *Operator) bool {
	return op.Lookup != nil && op.InputUpdating
}

// heldKey gives, for a lookup join over an updating view, the column of its
// input rows by whose hash a checkpoint's held rows go to their workers: the
// group key of the aggregate it reads (split by the source's key or
// exchanged by its own), passed through that aggregate's Post stages. A
// group's changes, insertions and retractions, are all emitted on the
// worker that owns it, so each worker holds exactly its groups' rows. It
// returns why not otherwise.
func heldKey(op *Operator, part Partitioning) (int, string) {
	in := op.Inputs[0]
	if in.Agg == nil || part.OpKeys[in.Index] < 0 {
		return 0, "looks up the rows of an updating view that is not an aggregate split by a key (a lookup join over an updating view covers aggregates)"
	}
	k := part.OpKeys[in.Index]
	for c := range in.Output {
		if j, ok := stageColumn(len(in.Agg.Keys)+len(in.Agg.Aggs), in.Post, &plan.ColRef{Index: c}); ok && j == k {
			return c, ""
		}
	}
	return 0, fmt.Sprintf("looks up the rows of view %s, which do not carry its group key that splits it among the workers", in.Name)
}

// readsOneOperator tells whether an operator reads one other operator that
// partitions with it: an aggregate or a view of filters and projections over
// another aggregate or such view (views over views). Each worker runs it over
// the rows its input emits on that worker, so it splits when its groups' key
// is one the input's rows were exchanged by (Partition checks that).
func readsOneOperator(op *Operator) bool {
	if len(op.Inputs) != 1 || op.Union || op.Join != nil || op.TopN != nil || op.Lookup != nil || op.LateOf != nil {
		return false
	}
	in := op.Inputs[0]
	return in.Union == false && in.Join == nil && in.LateOf == nil && (in.Lookup == nil || splitsWithItsInput(in))
}

// joinColumns gives, for a join, the source columns (hashable) that both
// sides' rows pass through unchanged into one same pair of its keys, each
// with the index of that pair in Join.LeftKeys: split by one, the rows of a
// key of both sides are on one worker, with its state (a row whose key is
// NULL matches nothing and is not kept: an outer join pads it at once).
func joinColumns(src *plan.Source, op *Operator) map[int]int {
	cols := map[int]int{}
	j := op.Join
	for i := range j.LeftKeys {
		l, lok := outputColumn(src, op.Inputs[0], j.LeftKeys[i])
		r, rok := outputColumn(src, op.Inputs[1], j.RightKeys[i])
		if !lok || !rok || l != r || !hashable(src.Schema[l].Type) {
			continue
		}
		if _, seen := cols[l]; !seen {
			cols[l] = i
		}
	}
	return cols
}

// outputColumn traces an expression over the output of operator op back to
// the source column it passes through unchanged, if it does: through its
// stages, and through an aggregate's Post stages and group keys.
func outputColumn(src *plan.Source, op *Operator, e plan.Expr) (int, bool) {
	switch {
	case op.TopN != nil:
		// the input's columns, then the rank and the OVER aggregates
		in := op.Inputs[0]
		j, ok := stageColumn(len(in.Output)+len(op.TopN.Aggs)+1, op.Post, e)
		if !ok || j >= len(in.Output) {
			return 0, false
		}
		return outputColumn(src, in, &plan.ColRef{Index: j})
	case op.Join != nil || op.Lookup != nil || op.Union || op.LateOf != nil:
		return 0, false
	case op.Agg == nil:
		return traceColumn(src, op, op.Pre, e)
	}
	j, ok := stageColumn(len(op.Agg.Keys)+len(op.Agg.Aggs), op.Post, e)
	if !ok || j >= len(op.Agg.Keys) || j == op.Agg.WindowKey {
		return 0, false
	}
	return traceColumn(src, op, op.Pre, op.Agg.Keys[j])
}

// lateThroughWindow tells whether a windowed operator reading another one
// reports its late rows as rows of the source (LATE(source) through views,
// when a view reads LATE of that source): a worker's loop over a part keeps
// no current row. Without such a reader its late rows are its input's.
func lateThroughWindow(p *Plan, op *Operator) bool {
	src, ok := LateThrough(op)
	if !ok || !op.Windowed() {
		return false
	}
	for _, o := range p.Operators {
		if o.LateOf != nil && o.SourceIndex == src {
			return true
		}
	}
	return false
}

// lateCarried tells why the rows of a windowed aggregate exchanged by its
// own key cannot carry the source's row they came from (lateThroughWindow),
// for its owner to report them late as one engine would, or "": a source
// decoded into rows (not a typed one, whose record a worker's part
// regenerates by its index on the worker that read it), whose late rows
// (LATE(source)) only stateless views read, so that a late row found at an
// exchange goes on from there, at that level.
func lateCarried(p *Plan, op *Operator) string {
	src, _ := LateThrough(op)
	if s := p.Pipeline.Sources[src]; s.Typed != nil {
		return fmt.Sprintf("source %s is typed (a record is generated again on the worker that read it, not carried with its row)", s.Name)
	}
	for _, o := range p.Operators {
		for _, in := range o.Inputs {
			if (in.LateOf != nil || lateReader(in)) && !lateReader(o) {
				return fmt.Sprintf("view %s keeps state over the late rows (a late row found at the exchange would reach it after its own ran)", o.Name)
			}
		}
	}
	return ""
}

// traceColumn traces an expression over the output of stages, run by op on
// its input's rows, back to the column of source src it passes through
// unchanged: through op's stages, and, for an operator reading another,
// through that one's Post stages and group keys (or, for a stateless one,
// its stages) down to the source's loop.
func traceColumn(src *plan.Source, op *Operator, stages []Stage, e plan.Expr) (int, bool) {
	if op.Direct() {
		return sourceColumn(src, stages, e)
	}
	if !readsOneOperator(op) {
		return 0, false
	}
	in := op.Inputs[0]
	i, ok := stageColumn(len(in.Output), stages, e)
	if !ok {
		return 0, false
	}
	return outputColumn(src, in, &plan.ColRef{Index: i})
}

// stageColumn traces an expression over the output of stages back to the
// column of their input (of width in) it passes through unchanged.
func stageColumn(in int, stages []Stage, e plan.Expr) (int, bool) {
	ref, ok := e.(*plan.ColRef)
	if !ok {
		return 0, false
	}
	i := ref.Index
	for s := len(stages) - 1; s >= 0; s-- {
		st := stages[s]
		w := in
		if s > 0 {
			w = len(stages[s-1].Out)
		}
		switch st.Kind {
		case StageProject:
			r, ok := st.Exprs[i].(*plan.ColRef)
			if !ok {
				return 0, false
			}
			i = r.Index
		case StageWindow:
			if i >= w {
				return 0, false // window_start or window_end
			}
		}
	}
	return i, i < in
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
	if part.Partitioned() {
		// the runtime splits only what the workers can read themselves
		for _, src := range p.Pipeline.Sources {
			if src.Connector != "file" && src.Connector != "nexmark" && src.Connector != "postgres" && !(src.Typed != nil && src.Typed.Columnar) {
				return fmt.Sprintf("Workers: one (source %s reads connector %s; the workers read files and the Nexmark generator)", src.Name, src.Connector)
			}
		}
	}
	switch {
	case !part.Partitioned():
		return "Workers: one (" + part.Reason + ")"
	case len(part.Keys) > 1:
		return formatSources(p, part)
	case part.Key < 0 && !part.Exchanges():
		return "Workers: --workers N, " + splitUnits(p.Pipeline.Sources[part.Source]) + " of source " + p.Pipeline.Sources[part.Source].Name + " split among them (no state)"
	}
	src := p.Pipeline.Sources[part.Source]
	line := "Workers: --workers N, " + splitUnits(src) + " of source " + src.Name + " split among them"
	if part.Key >= 0 {
		line = fmt.Sprintf("Workers: --workers N, rows of source %s exchanged by hash of %s (each worker owns the groups of its keys)", src.Name, src.Schema[part.Key].Name)
	}
	for i, c := range part.Exchanged {
		if c >= 0 {
			op := p.Operators[i]
			if part.Gathers(i) {
				line += fmt.Sprintf("; rows of %s gathered on one worker for %s (a global top-N", op.Inputs[0].Name, op.Name)
				if part.Prefilters(op) {
					line += fmt.Sprintf("; each worker sends only the rows within its own top %d", op.TopN.Limit)
				}
				line += ")"
				continue
			}
			line += fmt.Sprintf("; rows of %s re-exchanged by hash of %s for %s", op.Inputs[0].Name, op.Inputs[0].Output[c].Name, op.Name)
		}
	}
	return line
}

// formatSources is FormatPartitioning's line for a job of several sources.
func formatSources(p *Plan, part Partitioning) string {
	line := "Workers: --workers N, each reading a share of every source;"
	sep := " "
	for i, src := range p.Pipeline.Sources {
		if c := part.Keys[i]; c >= 0 {
			line += fmt.Sprintf("%srows of source %s exchanged by hash of %s", sep, src.Name, src.Schema[c].Name)
		} else {
			line += fmt.Sprintf("%sbatches of source %s split among them", sep, src.Name)
		}
		sep = ", "
	}
	return line + " (each worker owns the groups and join rows of its keys)"
}

// splitUnits names what the workers of a job split of a source when its
// rows do not move: batches, or the row groups each worker reads and
// decodes itself (Parquet).
func splitUnits(src *plan.Source) string {
	if src.Typed != nil && src.Typed.Columnar {
		return "row groups"
	}
	return "batches"
}
