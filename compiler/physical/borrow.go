package physical

import (
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// borrowed decides, for each source, which of its string columns the
// decoder may hand on as views of the batch's read buffer instead of
// copies (Plan.Borrowed). A view of the buffer is good only while the
// batch's lines are, which the runtime keeps unchanged until the batch is
// processed: its decoded rows are run through the views, and the sinks
// encode them into their own bytes, within ProcessLines (and
// ProcessDecoded, the rows of a decoder off the engine's goroutine, run
// before their batch goes back to the reader). A column is borrowed only
// when nothing can keep it past that:
//
//   - the source's records are lines that the JSON decoder reads (not a
//     generator's typed records, not CSV, not a metadata column);
//   - every operator that depends on the source is stateless: no
//     aggregate, window, join, top-N or lookup (whose cache keeps keys)
//     keeps rows or keys, and no LATE(source) operator forwards its late
//     rows;
//   - no Go function (CREATE FUNCTION) is called there, which could keep
//     its argument;
//   - the pipeline is not an embedded one (laminarc compile --lib), whose
//     program receives every view's rows and may keep them.
//
// Every sink encodes a row into its own buffer as it is emitted (a sink
// written a round behind, at a checkpoint or by a writer goroutine writes
// those bytes, not the row), so a view's sinks are no reason to copy.
// Strings with escapes are decoded into new memory whatever this says
// (jsonl.Scanner.StrView).
func borrowed(p *Plan, embedded bool) [][]bool {
	out := make([][]bool, len(p.Pipeline.Sources))
	for i, src := range p.Pipeline.Sources {
		out[i] = make([]bool, len(src.Schema))
		if embedded || src.Typed != nil || src.Format == "csv" || !borrowSafe(p, i) {
			continue
		}
		for c, col := range src.Schema {
			meta := src.Metadata != nil && src.Metadata[c] != ""
			out[i][c] = p.Needed[i][c] && !meta && col.Type.Kind == types.String
		}
	}
	return out
}

// borrowSafe tells whether every operator that depends on source src is
// done with its rows before the batch's processing returns (see borrowed).
func borrowSafe(p *Plan, src int) bool {
	for _, op := range p.Downstream(src) {
		if op.Agg != nil || op.Join != nil || op.TopN != nil || op.Lookup != nil || op.LateOf != nil {
			return false
		}
		for _, stages := range [][]Stage{op.Pre, op.Post} {
			for _, st := range stages {
				if callsUDF(p.Pipeline, st) {
					return false
				}
			}
		}
	}
	return true
}

// callsUDF tells whether a stage calls a Go function.
func callsUDF(pl *plan.Pipeline, st Stage) bool {
	exprs := append([]plan.Expr{st.Pred}, st.Exprs...)
	found := false
	for _, e := range exprs {
		if e == nil {
			continue
		}
		plan.Walk(e, func(x plan.Expr) {
			if f, ok := x.(*plan.Func); ok {
				if _, udf := pl.UDFOf(f); udf {
					found = true
				}
			}
		})
	}
	return found
}

// BorrowedColumns are the names of the columns of source src that its
// decoder hands on as views of the read buffer (explain).
func (p *Plan) BorrowedColumns(src int) []string {
	var names []string
	if src >= len(p.Borrowed) {
		return nil
	}
	for c, b := range p.Borrowed[src] {
		if b {
			names = append(names, p.Pipeline.Sources[src].Schema[c].Name)
		}
	}
	return names
}
