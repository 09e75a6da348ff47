package physical

import (
	"slices"

	"github.com/laminar-sql/laminar/compiler/plan"
)

// sideNames names the inputs of a join in plans.
var sideNames = [2]string{"left", "right"}

// uniqueSides marks, for every inner join of append-only inputs (equi or
// interval, without state_ttl), the sides unique on their join keys: a side
// whose rows, by a declared unique column set (plan.UniqueSets) within its
// join keys, never share a key. For such a side U and the other side O:
//   - a row of O whose key's row of U is kept meets it (or not, by the
//     residual or the time bounds) and is not kept: no other row of U with
//     that key will come, so it could meet nothing more;
//   - when the row of U of a key comes, it meets the rows of O kept for the
//     key, which then go, for the same reason.
//
// So O keeps only its rows whose key's row of U has not come yet (or has
// come and gone: an interval join dropped it). The output is the same as
// long as the declaration holds; when the data break it, a second row of U
// with a key meets only the rows of O that come after it while the side
// holds it, not the earlier ones (docs/dialect.md, UNIQUE … NOT ENFORCED).
// Outer, semi and anti joins keep their rows for their counts of matches,
// and an updating side's row can retract: they are left alone.
func uniqueSides(p *Plan) {
	for _, op := range p.Operators {
		j := op.Join
		if j == nil || j.Kind != plan.InnerJoin || j.Asof != nil || j.TTL > 0 || op.SideUpdating[0] || op.SideUpdating[1] {
			continue
		}
		op.Unique[0] = uniqueOn(j.Left, j.LeftKeys)
		op.Unique[1] = uniqueOn(j.Right, j.RightKeys)
	}
}

// uniqueOn tells whether append-only n is unique on keys: a unique set of
// its columns is among the columns keys are.
func uniqueOn(n plan.Node, keys []plan.Expr) bool {
	var cols []int
	for _, k := range keys {
		if c, ok := k.(*plan.ColRef); ok {
			cols = append(cols, c.Index)
		}
	}
	for _, set := range plan.UniqueSets(n) {
		if len(set) > 0 && !slices.ContainsFunc(set, func(c int) bool { return !slices.Contains(cols, c) }) {
			return true
		}
	}
	return false
}
