package optimizer

import (
	"fmt"

	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// SplitDistinct computes the COUNT(DISTINCT) aggregates of a GROUP BY that
// asks for it (Aggregate.SplitDistinct, from SET 'distinct_split') in two
// levels, as Flink's table.optimizer.distinct-agg.split does:
//
//	Aggregate keys [k] aggs [COUNT(*), COUNT(DISTINCT x) FILTER (WHERE f), COUNT(DISTINCT y)]
//
// becomes, with one partial aggregate per distinct argument, keyed by the
// group and a bucket of the argument (a fixed hash of it, modulo the
// number of buckets), so that each value is counted in exactly one partial
// group and a group's distinct values are spread over many smaller ones:
//
//	Aggregate keys [k] aggs [SUM(c), SUM(dx), SUM(dy)]          (final)
//	  Union ALL
//	    Project k, c, dx, 0 AS dy
//	      Aggregate keys [k, DISTINCT_BUCKET(x, N)] aggs [COUNT(*), COUNT(DISTINCT x) FILTER (WHERE f)]
//	    Project k, 0 AS c, 0 AS dx, dy
//	      Aggregate keys [k, DISTINCT_BUCKET(y, N)] aggs [COUNT(DISTINCT y)]
//
// The other aggregates (COUNT, SUM of BIGINT, MIN, MAX) are computed by the
// first partial aggregate and combined by the final one (SUM of the counts
// and sums, MIN of the minima, MAX of the maxima); the other partials fill
// their columns with 0 (counts) or NULL, which the final aggregate ignores.
// Every row reaches the first partial, so the final groups are the
// original's. The partial aggregates update (a changed count retracts its
// previous row), and the final one reads that changelog: retractions of
// the input, and of the partials, are netted as in any updating aggregate.
// An aggregate the rule cannot split keeps its plan and says why (Split).
func SplitDistinct(root plan.Node) plan.Node {
	return bottomUp(root, func(n plan.Node) plan.Node {
		a, ok := n.(*plan.Aggregate)
		if !ok || a.SplitDistinct == 0 || a.Split != "" {
			return n
		}
		if why := splitBlocker(a); why != "" {
			c := *a
			c.Split = "distinct not split: " + why
			return &c
		}
		return splitAggregate(a)
	})
}

// combinable reports whether a non-distinct aggregate's partial results
// combine into its result, and how.
func combinable(a plan.Agg) (plan.AggFunc, bool) {
	switch a.Func {
	case plan.CountStar, plan.Count:
		return plan.Sum, true
	case plan.Sum:
		return plan.Sum, a.Arg.Type().Kind == types.Int
	case plan.Min, plan.Max:
		return a.Func, true
	}
	return "", false
}

// splitBlocker says why an aggregate cannot be split, or "".
func splitBlocker(a *plan.Aggregate) string {
	switch {
	case a.WindowKey >= 0:
		return "a windowed aggregate (its state is freed when the window closes)"
	case a.Emit != plan.EmitOnChanges:
		return "emit " + a.Emit.String()
	}
	for _, g := range a.Aggs {
		if g.Distinct {
			if g.Func != plan.Count {
				return g.String() + " (only COUNT(DISTINCT) splits)"
			}
			continue
		}
		if _, ok := combinable(g); !ok {
			return g.String() + " (only COUNT, SUM of BIGINT, MIN and MAX combine from partial results)"
		}
	}
	return ""
}

func splitAggregate(a *plan.Aggregate) plan.Node {
	n := a.SplitDistinct
	k := len(a.Keys)
	// arms: one per distinct argument, in order of first use; the
	// non-distinct aggregates go to the first
	var args []plan.Expr
	armOf := make([]int, len(a.Aggs))
	ids := map[string]int{}
	for i, g := range a.Aggs {
		if !g.Distinct {
			continue
		}
		id := plan.Identity(g.Arg)
		arm, seen := ids[id]
		if !seen {
			arm = len(args)
			ids[id] = arm
			args = append(args, g.Arg)
		}
		armOf[i] = arm
	}
	// the union's columns: the keys, then one per aggregate
	cols := make(plan.Schema, 0, k+len(a.Aggs))
	for i, key := range a.Keys {
		cols = append(cols, plan.Column{Name: a.KeyNames[i], Type: key.Type()})
	}
	for i, g := range a.Aggs {
		t := g.T
		if !g.Distinct && (g.Func == plan.Sum || g.Func == plan.Min || g.Func == plan.Max) {
			t.Nullable = true // filled with NULL by the other arms
		}
		cols = append(cols, plan.Column{Name: a.AggNames[i], Type: t})
	}
	arms := make([]plan.Node, len(args))
	for arm, x := range args {
		bucket := &plan.Func{Name: "DISTINCT_BUCKET", Args: []plan.Expr{x, &plan.Const{Value: int64(n), T: types.Of(types.Int)}},
			T: types.Type{Kind: types.Int, Nullable: x.Type().Nullable}}
		p := &plan.Aggregate{Input: a.Input, WindowKey: -1, Emit: plan.EmitOnChanges,
			Keys:     append(append([]plan.Expr{}, a.Keys...), bucket),
			KeyNames: append(append([]string{}, a.KeyNames...), "bucket"),
			Split:    fmt.Sprintf("split distinct: partial, %d buckets of %s", n, x)}
		at := map[int]int{} // aggregate -> its column in p
		for i, g := range a.Aggs {
			if armOf[i] == arm && (g.Distinct || arm == 0) {
				at[i] = k + 1 + len(p.Aggs)
				p.Aggs = append(p.Aggs, g)
				p.AggNames = append(p.AggNames, a.AggNames[i])
			}
		}
		exprs := make([]plan.Expr, 0, len(cols))
		names := make([]string, 0, len(cols))
		for c, col := range cols {
			var e plan.Expr
			switch i := c - k; {
			case c < k:
				e = &plan.ColRef{Index: c, Name: col.Name, T: col.Type}
			default:
				if j, ok := at[i]; ok {
					e = &plan.ColRef{Index: j, Name: col.Name, T: a.Aggs[i].T}
					if a.Aggs[i].T != col.Type {
						e = &plan.Cast{X: e, T: col.Type} // only nullable
					}
				} else if col.Type.Nullable {
					e = &plan.Const{Value: nil, T: col.Type}
				} else {
					e = &plan.Const{Value: int64(0), T: col.Type}
				}
			}
			exprs, names = append(exprs, e), append(names, col.Name)
		}
		arms[arm] = &plan.Project{Input: p, Exprs: exprs, Names: names}
	}
	var in plan.Node = arms[0]
	if len(arms) > 1 {
		in = &plan.Union{Arms: arms}
	}
	final := &plan.Aggregate{Input: in, WindowKey: -1, Emit: a.Emit, KeyNames: a.KeyNames, AggNames: a.AggNames,
		Split: fmt.Sprintf("split distinct: final, adds up %d buckets", n)}
	for c := range k {
		final.Keys = append(final.Keys, &plan.ColRef{Index: c, Name: cols[c].Name, T: cols[c].Type})
	}
	for i, g := range a.Aggs {
		f := plan.Sum
		if !g.Distinct {
			f, _ = combinable(g)
		}
		col := cols[k+i]
		final.Aggs = append(final.Aggs, plan.Agg{Func: f, Arg: &plan.ColRef{Index: k + i, Name: col.Name, T: col.Type}, T: g.T})
	}
	return final
}
