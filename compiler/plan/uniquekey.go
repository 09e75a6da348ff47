package plan

import "slices"

// UniqueKey is a set of columns of n's output (positions in n.Schema())
// whose values no two rows of n's current table share: the GROUP BY
// columns of an aggregate, the PRIMARY KEY of an updating source, the PARTITION BY
// columns of a deduplicating top-N (ROW_NUMBER() ... = 1), kept through
// filters, projections that keep the columns, windows and inner joins.
// ok is false when the planner cannot tell one (a union, a global
// aggregate: one row, whose key is no column). An upsert sink keys its
// records by it.
func UniqueKey(n Node) (key []int, ok bool) {
	switch n := n.(type) {
	case *Scan:
		// an append-only source's PRIMARY KEY names versions, many per key
		if !n.Source.Updating || len(n.Source.PrimaryKey) == 0 {
			return nil, false
		}
		return append([]int(nil), n.Source.PrimaryKey...), true
	case *ViewScan:
		return UniqueKey(n.View.Root)
	case *Filter:
		return UniqueKey(n.Input)
	case *Project:
		in, ok := UniqueKey(n.Input)
		if !ok {
			return nil, false
		}
		for _, c := range in {
			at := -1
			for i, e := range n.Exprs {
				if r, isRef := e.(*ColRef); isRef && r.Index == c {
					at = i
					break
				}
			}
			if at < 0 {
				return nil, false // a key column projected away
			}
			key = append(key, at)
		}
		return key, true
	case *Window:
		in, ok := UniqueKey(n.Input)
		if !ok {
			return nil, false
		}
		// a hopping window copies a row into several windows: its start
		// tells the copies apart
		return append(in, len(n.Input.Schema())), true
	case *Aggregate:
		if len(n.Keys) == 0 {
			return nil, false
		}
		for i := range n.Keys {
			key = append(key, i)
		}
		return key, true
	case *TopN:
		if len(n.Aggs) > 0 || len(n.Partition) == 0 {
			return nil, false
		}
		switch {
		case n.Limit == 1 && n.Func == RowNumber:
			return append([]int(nil), n.Partition...), true
		case !n.NoRank && n.Func == RowNumber:
			// the row number tells a partition's rows apart
			return append(append([]int(nil), n.Partition...), len(n.Input.Schema())), true
		}
		return nil, false
	case *Join:
		if n.Asof != nil {
			return nil, false
		}
		l, ok := UniqueKey(n.Left)
		if !ok {
			return nil, false
		}
		if n.Kind == SemiJoin || n.Kind == AntiJoin {
			return l, true
		}
		if n.Kind != InnerJoin {
			return nil, false
		}
		r, ok := UniqueKey(n.Right)
		if !ok {
			return nil, false
		}
		off := len(n.Left.Schema())
		for _, c := range r {
			l = append(l, off+c)
		}
		return l, true
	}
	return nil, false
}

// UniqueSets are the column sets (positions in n.Schema()) no two rows n
// ever emits share, when n is append-only: a source's declared Unique
// columns (plan.Source.Unique), kept through filters and projections that
// keep the columns. Over an append-only stream, "ever" is the point: once a
// row of such a key has come, no other row of that key will, so an inner
// join need keep no row of the other side that met it (physical.uniqueSides).
func UniqueSets(n Node) [][]int {
	if !n.AppendOnly() {
		return nil
	}
	switch n := n.(type) {
	case *Scan:
		if n.Source.Updating {
			return nil
		}
		var out [][]int
		for _, u := range n.Source.Unique {
			out = append(out, slices.Clone(u)) // a scan's columns are its source's
		}
		return out
	case *ViewScan:
		return UniqueSets(n.View.Root)
	case *Filter:
		return UniqueSets(n.Input)
	case *Project:
		var out [][]int
		for _, set := range UniqueSets(n.Input) {
			var mapped []int
			for _, c := range set {
				at := -1
				for i, e := range n.Exprs {
					if r, isRef := e.(*ColRef); isRef && r.Index == c {
						at = i
						break
					}
				}
				if at < 0 {
					mapped = nil // a key column projected away
					break
				}
				mapped = append(mapped, at)
			}
			if mapped != nil {
				out = append(out, mapped)
			}
		}
		return out
	}
	return nil
}
