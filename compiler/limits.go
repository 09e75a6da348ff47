package compiler

import (
	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
)

// Size limits of a pipeline (docs/dialect.md, Limits). Compiling is linear
// in the size of the SQL, but the Go compiler is not linear in the size of
// one generated function or struct: past these sizes `go build` of the job
// takes minutes (2,000 output columns took 11 s, 8,000 took 165 s), so they
// are refused up front with an error that names the limit.
const (
	// MaxColumns is the most columns a source declares or a query outputs.
	MaxColumns = 1000
	// MaxExprDepth is the deepest nesting of one expression (DuckDB's default
	// max_expression_depth): a + a + … is as deep as it is long.
	MaxExprDepth = 1000
	// MaxExprNodes is the most nodes (operators, function calls, operands) in
	// the expressions of one query, the constants of IN lists aside.
	MaxExprNodes = 10000
	// MaxInList is the most values of one IN list; a long list of constants
	// is one sorted-set lookup in the job, whatever its length.
	MaxInList = 100000
)

// checkLimits reports, once per statement and kind, what exceeds a limit.
func checkLimits(script *ast.Script, l *diag.List) {
	for _, st := range script.Stmts {
		switch st := st.(type) {
		case *ast.CreateSource:
			if n := len(st.Columns); n > MaxColumns {
				l.Errorf(diag.TooLarge, st.Pos, "source %s declares %d columns; at most %d are allowed", st.Name.Name, n, MaxColumns)
			}
		case *ast.CreateView:
			checkQuery(st.Query, l)
		case *ast.Insert:
			checkQuery(st.Query, l)
		}
	}
}

func checkQuery(q *ast.Select, l *diag.List) {
	if q == nil {
		return
	}
	if n := len(q.Items); n > MaxColumns {
		l.Errorf(diag.TooLarge, q.Pos, "the query outputs %d columns; at most %d are allowed", n, MaxColumns)
	}
	w := limitWalker{l: l}
	for _, c := range q.With {
		checkQuery(c.Query, l)
	}
	for _, op := range q.SetOps {
		checkQuery(op.Query, l)
	}
	w.table(q.From)
	for _, it := range q.Items {
		w.walk(it.Expr, 1)
	}
	w.walk(q.Where, 1)
	for _, g := range q.GroupBy {
		w.walk(g, 1)
	}
	w.walk(q.Having, 1)
	if w.nodes > MaxExprNodes {
		l.Errorf(diag.TooLarge, q.Pos, "the query has %d expression nodes; at most %d are allowed (split it into views; long lists of constants are cheap in IN (…))", w.nodes, MaxExprNodes)
	}
}

// limitWalker counts the nodes of a statement's expressions and reports
// the first expression nested too deep and the first IN list too long.
type limitWalker struct {
	l              *diag.List
	nodes          int
	deep, longList bool
}

// table checks the subqueries of a FROM clause and counts its join conditions.
func (w *limitWalker) table(t ast.TableRef) {
	switch t := t.(type) {
	case *ast.Subquery:
		checkQuery(t.Query, w.l)
	case *ast.Join:
		w.table(t.Left)
		w.table(t.Right)
		w.walk(t.On, 1)
	}
}

func (w *limitWalker) walk(e ast.Expr, depth int) {
	if e == nil {
		return
	}
	if depth > MaxExprDepth {
		if !w.deep {
			w.deep = true
			w.l.Errorf(diag.TooLarge, e.Position(), "expression nested more than %d deep (a chain of %d operators is that deep); split it into views", MaxExprDepth, MaxExprDepth)
		}
		return
	}
	w.nodes++
	d := depth + 1
	switch e := e.(type) {
	case *ast.Unary:
		w.walk(e.X, d)
	case *ast.Binary:
		w.walk(e.L, d)
		w.walk(e.R, d)
	case *ast.IsNull:
		w.walk(e.X, d)
	case *ast.In:
		if len(e.List) > MaxInList && !w.longList {
			w.longList = true
			w.l.Errorf(diag.TooLarge, e.Pos, "IN list of %d values; at most %d are allowed", len(e.List), MaxInList)
		}
		w.walk(e.X, d)
		for _, it := range e.List {
			if _, ok := it.(*ast.Literal); ok {
				continue // constants of a list are a set lookup, not code
			}
			w.walk(it, d)
		}
	case *ast.Between:
		w.walk(e.X, d)
		w.walk(e.Lo, d)
		w.walk(e.Hi, d)
	case *ast.Like:
		w.walk(e.X, d)
		w.walk(e.Pattern, d)
	case *ast.IsDistinct:
		w.walk(e.L, d)
		w.walk(e.R, d)
	case *ast.Case:
		w.walk(e.Operand, d)
		for _, wh := range e.Whens {
			w.walk(wh.Cond, d)
			w.walk(wh.Result, d)
		}
		w.walk(e.Else, d)
	case *ast.Cast:
		w.walk(e.X, d)
	case *ast.Call:
		for _, a := range e.Args {
			w.walk(a, d)
		}
	case *ast.InQuery:
		w.walk(e.X, d)
		checkQuery(e.Query, w.l)
	case *ast.Exists:
		checkQuery(e.Query, w.l)
	}
}
