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
		if len(s.lates) == 0 {
			continue // nobody reads its late rows
		}
		o.lateVia, s.curRow = s, true
		// a worker's loop over a part keeps the typed record's index
		o.partRec = s.recordCur() && g.parallel()
	}
}

// recordCur tells whether the loop of source s keeps its current record as
// the typed connector's own (a Nexmark bid, say), read in place, rather
// than a row of its row type.
func (s *sourceInfo) recordCur() bool { return s.src.Typed != nil && !s.src.Typed.Columnar }

// lateViaCall reports the current row of o.lateVia's loop late for view; a
// typed source's record becomes a row of the source's row type, as the late
// rows of its fused windows do (typedIngest).
func lateViaCall(o *opInfo, view string) jen.Code {
	s := o.lateVia
	self := jen.Id("p").Dot("src" + s.goName)
	call := func(row jen.Code) jen.Code {
		return jen.Id("p").Dot("late"+s.goName).Call(jen.Nil(), jen.Nil(), jen.Lit(0), row, jen.Lit(view))
	}
	if !s.recordCur() {
		return call(jen.Add(self).Dot("cur"))
	}
	vals := jen.Dict{}
	for i, c := range s.src.Schema {
		v := jen.Id("rec").Dot(s.src.Typed.Fields[i])
		if c.Type.Nullable {
			v = rt("value.Of").Call(v)
		}
		vals[jen.Id(s.fields[i])] = v
	}
	st := jen.If(jen.Id("rec").Op(":=").Add(self).Dot("rec"), jen.Id("rec").Op("!=").Nil()).Block(
		call(jen.Op("&").Id(s.rowType).Values(vals)),
	)
	if o.partRec {
		// in a worker's loop over a part, neither is at hand
		return st.Else().If(jen.Add(self).Dot("cur").Op("!=").Nil()).Block(call(jen.Add(self).Dot("cur"))).Else().Block(
			call(jen.Id("p").Dot("partRecord" + s.goName).Call(jen.Add(self).Dot("partRec"))))
	}
	return st.Else().Block(call(jen.Add(self).Dot("cur")))
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
