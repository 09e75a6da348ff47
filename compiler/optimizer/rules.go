// Package optimizer rewrites logical plans. Each rule is one small, named
// transformation that keeps the plan's result unchanged; Optimize applies them
// in a fixed order.
package optimizer

import (
	"slices"

	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// Rule is one named rewrite of a view's plan.
type Rule struct {
	Name  string
	Apply func(plan.Node) plan.Node
}

// Rules are applied in this order.
var Rules = []Rule{
	{"FoldConstants", FoldConstants},
	{"SplitDistinct", SplitDistinct},
	{"MergeFilters", MergeFilters},
	{"PushDownFilters", PushDownFilters},
	{"MergeFilters", MergeFilters},
	{"LimitRanks", LimitRanks},
	{"MergeProjects", MergeProjects},
	{"PruneColumns", PruneColumns},
	// PruneColumns narrows join inputs under a projection back to their
	// width; this folds that projection into the one above the join
	{"MergeProjects", MergeProjects},
}

// Optimize applies every rule to every view of p.
func Optimize(p *plan.Pipeline) {
	for _, v := range p.Views {
		for _, r := range Rules {
			v.Root = r.Apply(v.Root)
		}
	}
}

// withInput rebuilds a one-input node n over in.
func withInput(n plan.Node, in plan.Node) plan.Node {
	return withInputs(n, []plan.Node{in})
}

// withInputs rebuilds n over new inputs (a copy; the plan is never mutated,
// since views read by other views are shared).
func withInputs(n plan.Node, in []plan.Node) plan.Node {
	switch n := n.(type) {
	case *plan.Filter:
		c := *n
		c.Input = in[0]
		return &c
	case *plan.Project:
		c := *n
		c.Input = in[0]
		return &c
	case *plan.Window:
		c := *n
		c.Input = in[0]
		return &c
	case *plan.Aggregate:
		c := *n
		c.Input = in[0]
		return &c
	case *plan.TopN:
		c := *n
		c.Input = in[0]
		return &c
	case *plan.Union:
		return &plan.Union{Arms: in}
	case *plan.Join:
		c := *n
		c.Left, c.Right = in[0], in[1]
		return &c
	case *plan.LookupJoin:
		c := *n
		c.Input = in[0]
		return &c
	}
	return n
}

// bottomUp applies f to every node, inputs first. It stops at leaves: a
// ViewScan's view is rewritten as a view of its own.
func bottomUp(n plan.Node, f func(plan.Node) plan.Node) plan.Node {
	if in := n.Inputs(); len(in) > 0 {
		next := make([]plan.Node, len(in))
		for i, x := range in {
			next[i] = bottomUp(x, f)
		}
		n = withInputs(n, next)
	}
	return f(n)
}

// FoldConstants evaluates constant subexpressions, and removes filters that
// are always TRUE.
func FoldConstants(root plan.Node) plan.Node {
	return bottomUp(root, func(n plan.Node) plan.Node {
		switch n := n.(type) {
		case *plan.Filter:
			pred := plan.Fold(n.Pred)
			if c, ok := pred.(*plan.Const); ok && c.Value == true {
				return n.Input
			}
			return &plan.Filter{Input: n.Input, Pred: pred}
		case *plan.Project:
			c := *n
			c.Exprs = make([]plan.Expr, len(n.Exprs))
			for i, e := range n.Exprs {
				c.Exprs[i] = plan.Fold(e)
			}
			return &c
		case *plan.Aggregate:
			c := *n
			c.Keys = make([]plan.Expr, len(n.Keys))
			for i, k := range n.Keys {
				c.Keys[i] = plan.Fold(k)
			}
			c.Aggs = make([]plan.Agg, len(n.Aggs))
			for i, a := range n.Aggs {
				if a.Arg != nil {
					a.Arg = plan.Fold(a.Arg)
				}
				if a.Filter != nil {
					a.Filter = plan.Fold(a.Filter)
				}
				c.Aggs[i] = a
			}
			return &c
		}
		return n
	})
}

// MergeFilters turns Filter(Filter(x, a), b) into Filter(x, a AND b).
func MergeFilters(root plan.Node) plan.Node {
	return bottomUp(root, func(n plan.Node) plan.Node {
		f, ok := n.(*plan.Filter)
		if !ok {
			return n
		}
		inner, ok := f.Input.(*plan.Filter)
		if !ok {
			return n
		}
		return &plan.Filter{Input: inner.Input, Pred: and(inner.Pred, f.Pred)}
	})
}

func and(a, b plan.Expr) plan.Expr {
	return &plan.Binary{Op: "AND", L: a, R: b, T: types.Type{Kind: types.Bool, Nullable: a.Type().Nullable || b.Type().Nullable}}
}

// MergeProjects turns Project(Project(x)) into one Project over x when no
// computed column of the inner one would be computed twice: each is read at
// most once by the outer one (plain columns and constants any number of times).
// A subquery, a CTE or a UNION arm's cast adds projections that this folds.
func MergeProjects(root plan.Node) plan.Node {
	return bottomUp(root, func(n plan.Node) plan.Node {
		outer, ok := n.(*plan.Project)
		if !ok {
			return n
		}
		inner, ok := outer.Input.(*plan.Project)
		if !ok {
			return n
		}
		uses := map[int]int{}
		for _, e := range outer.Exprs {
			countUses(e, uses)
		}
		for c, k := range uses {
			switch inner.Exprs[c].(type) {
			case *plan.ColRef, *plan.Const:
			default:
				if k > 1 {
					return n
				}
			}
		}
		exprs := make([]plan.Expr, len(outer.Exprs))
		for i, e := range outer.Exprs {
			exprs[i] = plan.Substitute(e, inner.Exprs)
		}
		return &plan.Project{Input: inner.Input, Exprs: exprs, Names: outer.Names}
	})
}

// countUses counts the references to each input column in e.
func countUses(e plan.Expr, uses map[int]int) {
	if c, ok := e.(*plan.ColRef); ok {
		uses[c.Index]++
	}
	for _, x := range plan.Children(e) {
		countUses(x, uses)
	}
}

// PushDownFilters moves a filter below a projection (when every column it
// reads is a plain column or constant there, so nothing is computed twice),
// below a window assigner (when it does not read window_start/window_end), and
// below an aggregate (when it reads group keys only: HAVING on a key filters
// rows before they are aggregated). Filtering earlier means less work and less
// state.
func PushDownFilters(root plan.Node) plan.Node {
	changed := true
	for changed {
		changed = false
		root = bottomUp(root, func(n plan.Node) plan.Node {
			f, ok := n.(*plan.Filter)
			if !ok {
				return n
			}
			if pushed, ok := pushFilter(f); ok {
				changed = true
				return pushed
			}
			return n
		})
	}
	return root
}

func pushFilter(f *plan.Filter) (plan.Node, bool) {
	used := map[int]bool{}
	plan.ColumnsUsed(f.Pred, used)
	switch in := f.Input.(type) {
	case *plan.Project:
		for c := range used {
			switch in.Exprs[c].(type) {
			case *plan.ColRef, *plan.Const:
			default:
				return nil, false
			}
		}
		pred := plan.Substitute(f.Pred, in.Exprs)
		return withInput(in, &plan.Filter{Input: in.Input, Pred: pred}), true
	case *plan.Window:
		base := len(in.Input.Schema())
		for c := range used {
			if c >= base {
				return nil, false
			}
		}
		return withInput(in, &plan.Filter{Input: in.Input, Pred: f.Pred}), true
	case *plan.Aggregate:
		if len(used) == 0 {
			return nil, false
		}
		for c := range used {
			if c >= len(in.Keys) {
				return nil, false
			}
		}
		pred := plan.Substitute(f.Pred, in.Keys)
		return withInput(in, &plan.Filter{Input: in.Input, Pred: pred}), true
	}
	return nil, false
}

// PruneColumns records on each Scan which source columns the view reads, so
// that generated decoders skip the others.
func PruneColumns(root plan.Node) plan.Node {
	all := map[int]bool{}
	for i := range root.Schema() {
		all[i] = true
	}
	return prune(root, all)
}

// prune rebuilds n knowing that only the columns in need of its output are
// read, tracking which input columns each operator reads down to the scans.
func prune(n plan.Node, need map[int]bool) plan.Node {
	next := map[int]bool{}
	switch n := n.(type) {
	case *plan.Scan:
		out := make([]bool, len(n.Source.Schema))
		for c := range need {
			out[c] = true
		}
		if n.Source.TimeCol >= 0 {
			out[n.Source.TimeCol] = true // the watermark always needs event time
		}
		return &plan.Scan{Source: n.Source, Needed: out}
	case *plan.Filter:
		for c := range need {
			next[c] = true
		}
		plan.ColumnsUsed(n.Pred, next)
	case *plan.Project:
		for c := range need {
			plan.ColumnsUsed(n.Exprs[c], next)
		}
		// an expression nothing reads (a column of a CTE or subquery the
		// outer query leaves out) becomes a constant: no code computes it
		exprs := slices.Clone(n.Exprs)
		for i, e := range exprs {
			if !need[i] {
				exprs[i] = plan.Unread(e)
			}
		}
		return &plan.Project{Input: prune(n.Input, next), Exprs: exprs, Names: n.Names}
	case *plan.Window:
		base := len(n.Input.Schema())
		for c := range need {
			if c < base {
				next[c] = true
			}
		}
		next[n.TimeCol] = true
	case *plan.Aggregate:
		for _, k := range n.Keys {
			plan.ColumnsUsed(k, next)
		}
		for _, a := range n.Aggs {
			// COUNT of a NOT NULL argument counts rows without computing it
			// (COUNT(DISTINCT x) needs the values of x all the same)
			if a.Arg != nil && !(a.Func == plan.Count && !a.Distinct && !a.Arg.Type().Nullable) {
				plan.ColumnsUsed(a.Arg, next)
			}
			if a.Filter != nil {
				plan.ColumnsUsed(a.Filter, next)
			}
			if a.Time != nil {
				plan.ColumnsUsed(a.Time, next)
			}
		}
	case *plan.TopN:
		base := len(n.Input.Schema())
		for c := range need {
			if c < base {
				next[c] = true
			}
		}
		for _, c := range n.Partition {
			next[c] = true
		}
		for _, k := range n.Order {
			next[k.Col] = true
		}
		for _, a := range n.Aggs {
			if a.Arg != nil {
				plan.ColumnsUsed(a.Arg, next)
			}
		}
	case *plan.Union:
		arms := make([]plan.Node, len(n.Arms))
		for i, a := range n.Arms {
			arms[i] = prune(a, need)
		}
		return &plan.Union{Arms: arms}
	case *plan.Join:
		nl := len(n.Left.Schema())
		all := map[int]bool{}
		for c := range need {
			all[c] = true
		}
		if n.Residual != nil {
			plan.ColumnsUsed(n.Residual, all)
		}
		left, right := map[int]bool{}, map[int]bool{}
		for c := range all {
			if c < nl {
				left[c] = true
			} else {
				right[c-nl] = true
			}
		}
		for i := range n.LeftKeys {
			plan.ColumnsUsed(n.LeftKeys[i], left)
			plan.ColumnsUsed(n.RightKeys[i], right)
		}
		if n.Interval != nil {
			left[n.Interval.LeftTime], right[n.Interval.RightTime] = true, true
			left[n.Interval.LeftEnd], right[n.Interval.RightStart] = true, true
		}
		if n.Asof != nil {
			left[n.Asof.LeftTime], right[n.Asof.RightTime] = true, true
		}
		keepUnzeroed(n, left, right)
		c := *n
		c.Left, c.Right = prune(n.Left, left), prune(n.Right, right)
		return NarrowJoinInputs(&c, left, right)
	case *plan.LookupJoin:
		nl := len(n.Input.Schema())
		for c := range need {
			if c < nl {
				next[c] = true
			}
		}
		for _, k := range n.Keys {
			plan.ColumnsUsed(k, next)
		}
		if n.Residual != nil {
			used := map[int]bool{}
			plan.ColumnsUsed(n.Residual, used)
			for c := range used {
				if c < nl {
					next[c] = true
				}
			}
		}
	default: // ViewScan: the view computes all its columns anyway
		return n
	}
	return withInput(n, prune(n.Inputs()[0], next))
}

// NarrowJoinInputs puts a projection of the columns read (left, right: by
// input column) on each input of join j that has others, so that each side's
// state keeps only what the join and the operators after it read (Nexmark q4
// reads 4 of an auction's 10 columns and 3 of a bid's 7: no strings, so the
// kept rows have no pointers for the GC to scan). The join's references are
// renumbered, and a projection above it gives its output the old columns
// back, those nothing reads as constants (MergeProjects folds it into the
// projection above). ASOF and temporal joins are left as they are.
func NarrowJoinInputs(j *plan.Join, left, right map[int]bool) plan.Node {
	if j.Asof != nil {
		return j
	}
	ls, rs := j.Left.Schema(), j.Right.Schema()
	out := j.Schema()
	keepUnzeroed(j, left, right)
	if len(left) == len(ls) && len(right) == len(rs) {
		return j
	}
	narrow := func(in plan.Node, s plan.Schema, keep map[int]bool) (plan.Node, []int) {
		where := make([]int, len(s)) // each column's index in the narrow input, or -1
		if len(keep) == len(s) {
			for i := range where {
				where[i] = i
			}
			return in, where
		}
		p := &plan.Project{Input: in}
		for i, c := range s {
			where[i] = -1
			if keep[i] {
				where[i] = len(p.Exprs)
				p.Exprs = append(p.Exprs, &plan.ColRef{Index: i, Name: c.Name, T: c.Type})
				p.Names = append(p.Names, c.Name)
			}
		}
		return p, where
	}
	c := *j
	var lw, rw []int
	c.Left, lw = narrow(j.Left, ls, left)
	c.Right, rw = narrow(j.Right, rs, right)
	nl := len(c.Left.Schema())
	c.LeftKeys, c.RightKeys = make([]plan.Expr, len(j.LeftKeys)), make([]plan.Expr, len(j.RightKeys))
	for i := range j.LeftKeys {
		c.LeftKeys[i] = renumber(j.LeftKeys[i], func(at int) int { return lw[at] })
		c.RightKeys[i] = renumber(j.RightKeys[i], func(at int) int { return rw[at] })
	}
	if j.Residual != nil {
		// over the joined row: the left columns, then the right ones
		c.Residual = renumber(j.Residual, func(at int) int {
			if at >= len(ls) {
				return rw[at-len(ls)] + nl
			}
			return lw[at]
		})
	}
	if iv := j.Interval; iv != nil {
		n := *iv
		n.LeftTime, n.LeftEnd = lw[iv.LeftTime], lw[iv.LeftEnd]
		n.RightTime, n.RightStart = rw[iv.RightTime], rw[iv.RightStart]
		c.Interval = &n
	}
	// the old output columns over the narrow join's
	top := &plan.Project{Input: &c}
	narrowOut := c.Schema()
	for i, col := range out {
		at := -1
		if i < len(ls) {
			at = lw[i]
		} else if rw[i-len(ls)] >= 0 {
			at = rw[i-len(ls)] + nl
		}
		if at < 0 {
			top.Exprs = append(top.Exprs, plan.Zero(col.Type))
		} else {
			top.Exprs = append(top.Exprs, &plan.ColRef{Index: at, Name: narrowOut[at].Name, T: narrowOut[at].Type})
		}
		top.Names = append(top.Names, col.Name)
	}
	return top
}

// keepUnzeroed adds to left and right the columns of join j's output that
// no constant can stand for, so NarrowJoinInputs keeps them.
func keepUnzeroed(j *plan.Join, left, right map[int]bool) {
	ls, out := j.Left.Schema(), j.Schema()
	for i := range ls {
		if i < len(out) && !left[i] && plan.Zero(out[i].Type) == nil {
			left[i] = true
		}
	}
	if len(out) > len(ls) {
		for i := range j.Right.Schema() {
			if !right[i] && plan.Zero(out[len(ls)+i].Type) == nil {
				right[i] = true
			}
		}
	}
}

// renumber rewrites the column references of e by where.
func renumber(e plan.Expr, where func(int) int) plan.Expr {
	return plan.Rewrite(e, func(x plan.Expr) plan.Expr {
		if r, ok := x.(*plan.ColRef); ok {
			return &plan.ColRef{Index: where(r.Index), Name: r.Name, T: r.T}
		}
		return x
	})
}
