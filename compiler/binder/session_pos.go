package binder

import (
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
)

// Positions for the errors of session windows: the PARTITION BY of Flink's
// SESSION table function, and the aggregate that reads a session's bounds.

// partitionPos is where q's SESSION table function names its PARTITION BY,
// or q's own position.
func partitionPos(q *ast.Select) ast.Pos {
	if tvf, ok := q.From.(*ast.WindowTVF); ok && len(tvf.Partition) > 0 {
		return tvf.Partition[0].Position()
	}
	return q.Pos
}

// boundAggPos is where an aggregate of q's SELECT list or HAVING takes
// window_start or window_end as its argument, or q's own position.
func boundAggPos(q *ast.Select) ast.Pos {
	exprs := []ast.Expr{q.Having}
	for _, it := range q.Items {
		exprs = append(exprs, it.Expr)
	}
	for _, e := range exprs {
		c, ok := e.(*ast.Call)
		if !ok || !isAggregate(c.Name) {
			continue
		}
		for _, a := range append(append([]ast.Expr{}, c.Args...), c.Filter) {
			if r, ok := a.(*ast.ColumnRef); ok && (strings.EqualFold(r.Name.Name, "window_start") || strings.EqualFold(r.Name.Name, "window_end")) {
				return c.Pos
			}
		}
	}
	return q.Pos
}
