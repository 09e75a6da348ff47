package plan

import "slices"

// ProcTimeFunc is the name of the processing-time function: PROCTIME() is a
// Func of no arguments whose value is the wall clock when a batch is
// processed (µs since the epoch, UTC).
const ProcTimeFunc = "PROCTIME"

// IsProcTime tells whether e is PROCTIME().
func IsProcTime(e Expr) bool {
	f, ok := e.(*Func)
	return ok && f.Name == ProcTimeFunc && len(f.Args) == 0
}

// ProcTimeCols returns the processing-time attributes of n's output: the
// columns that are PROCTIME() (in a SELECT or a source's `p AS PROCTIME()`),
// passed through filters, window assigners, plain-column projections, views
// and lookup joins. A processing-time window (TUMBLE/HOP) reads one of them.
func ProcTimeCols(n Node) []int {
	switch n := n.(type) {
	case *ViewScan:
		return ProcTimeCols(n.View.Root)
	case *Filter:
		return ProcTimeCols(n.Input)
	case *Window:
		return ProcTimeCols(n.Input)
	case *LookupJoin:
		return ProcTimeCols(n.Input) // the input's columns come first, unchanged
	case *Project:
		in := ProcTimeCols(n.Input)
		var out []int
		for i, e := range n.Exprs {
			if c, ok := e.(*ColRef); IsProcTime(e) || ok && slices.Contains(in, c.Index) {
				out = append(out, i)
			}
		}
		return out
	}
	return nil
}

// UsesProcTime tells whether any expression of the tree under n reads the
// processing time.
func UsesProcTime(n Node) bool {
	found := false
	var walk func(n Node)
	walk = func(n Node) {
		switch x := n.(type) {
		case *Project:
			for _, e := range x.Exprs {
				Walk(e, func(e Expr) { found = found || IsProcTime(e) })
			}
		case *ViewScan:
			walk(x.View.Root)
		}
		for _, in := range n.Inputs() {
			walk(in)
		}
	}
	walk(n)
	return found
}
