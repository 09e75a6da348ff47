package physical

// Session windows and the late rows of a source (LATE(source)).

import (
	"fmt"

	"github.com/laminar-sql/laminar/compiler/plan"
)

// IsSession reports whether op aggregates over SESSION windows.
func IsSession(op *Operator) bool {
	w := op.Window()
	return w != nil && w.Kind == plan.Session && op.Windowed()
}

// sessionBound tells whether column col of the last stage before the state
// is window_start or window_end of the session window, through the filters
// and projections after it: a session's bounds are known only to its state,
// so they are never stored in the key.
func sessionBound(op *Operator, col int) (end, ok bool) {
	for i := len(op.Pre) - 1; i >= 0; i-- {
		switch s := op.Pre[i]; s.Kind {
		case StageProject:
			ref, isRef := s.Exprs[col].(*plan.ColRef)
			if !isRef {
				return false, false
			}
			col = ref.Index
		case StageWindow:
			base := len(s.Window.Input.Schema())
			if col == base || col == base+1 {
				return col == base+1, true
			}
			return false, false
		}
	}
	return false, false
}

func sessionStateText(op *Operator, keys int) string {
	s := fmt.Sprintf("per %d-column key: its open sessions (gap %s) with their aggregates, merged when a row bridges two, freed when the watermark passes a session's end", keys, plan.FormatMicros(op.Window().Size))
	if op.Updating {
		s += "; a merged session's last row is retracted"
	}
	return s
}

// lateOp returns the operator forwarding the late rows of a source, one per
// source however many views read LATE(source). Every column of the source
// is decoded: a late row carries them all.
func (b *builder) lateOp(ls *plan.LateScan, stmt *plan.View) *Operator {
	idx := b.srcIndex[ls.Source]
	for _, op := range b.out.Operators {
		if op.LateOf == ls.Source {
			return op
		}
	}
	for c := range b.out.Needed[idx] {
		b.out.Needed[idx][c] = true
	}
	op := b.add(&Operator{Statement: stmt, LateOf: ls.Source, SourceIndex: idx, Output: ls.Schema()})
	op.Name = "late(" + ls.Source.Name + ")"
	return op
}

// LateThrough tells, for an operator reading another operator, whether
// every row it gets is a row of source src passed on by stateless operators
// (filters and projections of views with sinks of their own) within that
// source's loop: a row late at its windows is then a late row of src, for
// LATE(src), as at a window that reads the source directly.
func LateThrough(op *Operator) (src int, ok bool) {
	if op.Direct() || len(op.Inputs) != 1 {
		return -1, false
	}
	for x := op.Inputs[0]; ; x = x.Inputs[0] {
		if x.Agg != nil || x.TopN != nil || x.Join != nil || x.Lookup != nil || x.Union || x.LateOf != nil {
			return -1, false
		}
		if x.Direct() {
			return x.SourceIndex, true
		}
		if len(x.Inputs) != 1 {
			return -1, false
		}
	}
}

// LateGap is a window (or interval join) over a source whose LATE rows a
// view reads, whose late rows are not the source's rows: it reads the
// source through Through, a stateful operator (an aggregate, a join, a
// top-N, a union or a lookup join), so a row late at it is a row of that
// operator's output. LATE(source) cannot carry such a row; the compiler
// refuses the pipeline rather than leave the stream silently short.
type LateGap struct {
	Op, Through *Operator
	Source      *plan.Source
}

// LateGaps lists the windows of a plan whose late rows LATE(source) would
// miss (see LateGap).
func LateGaps(p *Plan) []LateGap {
	var out []LateGap
	for _, l := range p.Operators {
		if l.LateOf == nil {
			continue
		}
		src := l.SourceIndex
		for _, op := range p.Operators {
			if !op.Fires() || op.LateOf != nil || (op.Direct() && op.SourceIndex == src) {
				continue
			}
			if s, ok := LateThrough(op); ok && s == src && op.Join == nil {
				continue // its late rows are the source's (codegen lateVia)
			}
			if through := statefulOnPath(op, src); through != nil {
				out = append(out, LateGap{Op: op, Through: through, Source: l.LateOf})
			}
		}
	}
	return out
}

// statefulOnPath is the operator nearest op (op itself for a join) through
// which op reads source src and whose output rows are not src's rows; nil
// when op does not read src.
func statefulOnPath(op *Operator, src int) *Operator {
	reads := func(x *Operator) bool {
		var walk func(x *Operator) bool
		walk = func(x *Operator) bool {
			if x.Direct() {
				return x.SourceIndex == src
			}
			for _, in := range x.Inputs {
				if walk(in) {
					return true
				}
			}
			return false
		}
		return walk(x)
	}
	if !reads(op) {
		return nil
	}
	if op.Join != nil || len(op.Inputs) != 1 {
		return op
	}
	for x := op.Inputs[0]; ; x = x.Inputs[0] {
		if x.Agg != nil || x.TopN != nil || x.Join != nil || x.Lookup != nil || x.Union || x.LateOf != nil || len(x.Inputs) > 1 {
			return x
		}
		if x.Direct() || len(x.Inputs) == 0 {
			return x
		}
	}
}
