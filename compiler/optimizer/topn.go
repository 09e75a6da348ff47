package optimizer

import (
	"github.com/laminar-sql/laminar/compiler/plan"
)

// LimitRanks turns a filter on the rank column of a top-N (rn <= 3, rn < 4,
// rn = 1, 3 >= rn) into the top-N's limit, so that its state keeps only the
// rows within it. The conjuncts that set the limit leave the filter; the
// others stay above it.
func LimitRanks(root plan.Node) plan.Node {
	return bottomUp(root, func(n plan.Node) plan.Node {
		f, ok := n.(*plan.Filter)
		if !ok {
			return n
		}
		t, ok := f.Input.(*plan.TopN)
		if !ok || t.NoRank {
			return n
		}
		rank := len(t.Input.Schema())
		limit := t.Limit
		var rest []plan.Expr
		for _, c := range conjuncts(f.Pred) {
			if l, ok := rankBound(c, rank); ok {
				if limit == 0 || l < limit {
					limit = l
				}
				continue
			}
			rest = append(rest, c)
		}
		if limit == t.Limit {
			return n
		}
		c := *t
		c.Limit = max(limit, 0)
		if limit <= 0 {
			// rn <= 0 keeps nothing: a limit of 1 and a filter that fails
			c.Limit = 1
			rest = append(rest, &plan.Const{Value: false, T: f.Pred.Type()})
		}
		var out plan.Node = &c
		if len(rest) > 0 {
			pred := rest[0]
			for _, r := range rest[1:] {
				pred = and(pred, r)
			}
			out = &plan.Filter{Input: out, Pred: pred}
		}
		return out
	})
}

func conjuncts(e plan.Expr) []plan.Expr {
	if b, ok := e.(*plan.Binary); ok && b.Op == "AND" {
		return append(conjuncts(b.L), conjuncts(b.R)...)
	}
	return []plan.Expr{e}
}

// rankBound reads `rank <= c` (or <, =, and mirrored) as the limit c.
func rankBound(e plan.Expr, rank int) (int64, bool) {
	b, ok := e.(*plan.Binary)
	if !ok {
		return 0, false
	}
	op, l, r := b.Op, b.L, b.R
	if _, isConst := l.(*plan.Const); isConst {
		l, r = r, l
		op = map[string]string{"<=": ">=", "<": ">", ">=": "<=", ">": "<", "=": "="}[op]
	}
	ref, ok := l.(*plan.ColRef)
	if !ok || ref.Index != rank {
		return 0, false
	}
	c, ok := r.(*plan.Const)
	if !ok {
		return 0, false
	}
	v, ok := c.Value.(int64)
	if !ok {
		return 0, false
	}
	switch op {
	case "<=":
		return v, true
	case "<":
		return v - 1, true
	case "=":
		if v == 1 {
			return 1, true
		}
	}
	return 0, false
}
