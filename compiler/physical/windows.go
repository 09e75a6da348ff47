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

// serialOnly says why an operator runs on one worker: the workers' code
// (partitioned state, its merge at checkpoints) does not cover the later
// EMIT modes (AFTER WATERMARK, PERIODICALLY) or LATE(source) yet; "" when
// it may be partitioned.
func serialOnly(op *Operator) string {
	if op.LateOf != nil {
		return "reads LATE(" + op.LateOf.Name + ")"
	}
	if op.Agg != nil && op.Windowed() && (op.Agg.Emit == plan.EmitAfterWatermark || op.Agg.Emit == plan.EmitPeriodically) {
		return "emits " + op.Agg.Emit.String()
	}
	return ""
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
