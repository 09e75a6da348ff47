package physical

import "github.com/laminar-sql/laminar/compiler/plan"

// ProcTime reports whether the operator's windows close on the wall clock
// (a TUMBLE or HOP over a PROCTIME() column) rather than by a watermark.
func (o *Operator) ProcTime() bool {
	if !o.Windowed() {
		return false
	}
	w := o.Window()
	return w != nil && w.Proc
}

// UsesProcTime reports whether any operator reads the processing time: a
// PROCTIME() in its steps, or windows closed by the wall clock.
func (p *Plan) UsesProcTime() bool {
	for _, op := range p.Operators {
		if op.ProcTime() {
			return true
		}
		for _, st := range append(append([]Stage{}, op.Pre...), op.Post...) {
			exprs := append([]plan.Expr{}, st.Exprs...)
			if st.Pred != nil {
				exprs = append(exprs, st.Pred)
			}
			for _, e := range exprs {
				found := false
				plan.Walk(e, func(x plan.Expr) { found = found || plan.IsProcTime(x) })
				if found {
					return true
				}
			}
		}
	}
	return false
}
