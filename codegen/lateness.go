package codegen

import (
	"github.com/dave/jennifer/jen"
	"github.com/laminar-sql/laminar/compiler/physical"
	"github.com/laminar-sql/laminar/compiler/plan"
)

// lateVia marks the windowed operators that read a source through views of
// their own (stateless operators with sinks), when LATE(source) is read:
// their late rows are the source's, reported with the row the source's loop
// is at (src<Source>.cur), so that LATE(source) carries them as it carries
// the rows late at windows fused into the loop.
func (g *generator) lateVia() {
	for _, o := range g.ops {
		if !o.op.Fires() || o.op.Join != nil {
			continue
		}
		src, ok := physical.LateThrough(o.op)
		if !ok {
			continue
		}
		s := g.sources[src]
		if len(s.lates) == 0 || s.src.Typed != nil {
			continue // nobody reads its late rows; a typed source's loop has no row of its type
		}
		o.lateVia, s.curRow = s, true
	}
}

// lateViaCall reports the current row of o.lateVia's loop late for view.
func lateViaCall(o *opInfo, view string) jen.Code {
	s := o.lateVia
	return jen.Id("p").Dot("late"+s.goName).Call(jen.Nil(), jen.Nil(), jen.Lit(0), jen.Id("p").Dot("src"+s.goName).Dot("cur"), jen.Lit(view))
}

// stagesRead tells whether the fused steps of an operator in source s's loop
// name source column c: a projection still copies a column nobody reads
// further on (the optimizer keeps plain copies), so a worker's part row
// must hold it.
func stagesRead(s *sourceInfo, c int) bool {
	for _, o := range s.ops {
		for _, st := range o.op.Pre {
			exprs := append([]plan.Expr{}, st.Exprs...)
			if st.Pred != nil {
				exprs = append(exprs, st.Pred)
			}
			used := map[int]bool{}
			for _, e := range exprs {
				plan.ColumnsUsed(e, used)
			}
			if used[c] {
				return true
			}
			if st.Kind == physical.StageProject {
				break // the later steps read its columns, not the source's
			}
		}
	}
	return false
}
