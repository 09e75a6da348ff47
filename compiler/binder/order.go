package binder

import (
	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
)

// windowOrder binds ORDER BY without LIMIT. A windowed query emitting on
// window close, ordered first by a window bound ascending, emits each
// window's rows at its close sorted by the ORDER BY keys (as Flink sorts by
// a time attribute first): a final top-N without limit per window. Any other
// ORDER BY would need the whole unbounded stream: LDB-4001, as in Flink.
func (b *binder) windowOrder(q *ast.Select, out plan.Node) plan.Node {
	keys := b.orderKeys(q, out)
	if keys == nil {
		return nil
	}
	first := keys[0]
	if !out.AppendOnly() || first.Desc || !plan.ClosedWindowCol(out, first.Col) {
		d := b.diags.Errorf(diag.Unsupported, q.OrderPos, "ORDER BY without LIMIT sorts only the rows of each window: a streaming view has no order")
		d.Hint = "in a windowed query (EMIT ON WINDOW CLOSE) ORDER BY window_start (or window_end) first, ascending; or add LIMIT n for the first n rows"
		if plan.ClosedWindowCol(out, first.Col) && first.Desc {
			d.Hint = "windows are emitted in time order: ORDER BY " + out.Schema()[first.Col].Name + " ascending, then the other keys"
		}
		return nil
	}
	return &plan.TopN{Input: out, Partition: []int{first.Col}, Order: keys, Func: plan.RowNumber, NoRank: true, Final: true, WindowCol: -1}
}
