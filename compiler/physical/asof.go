package physical

import (
	"fmt"

	"github.com/laminar-sql/laminar/compiler/plan"
)

// asofStateText says what an ASOF join keeps and when it lets go.
func asofStateText(p *Plan, op *Operator) string {
	a := op.Join.Asof
	ls, rs := op.Join.Left.Schema(), op.Join.Right.Schema()
	lw, rw := formatWatermark(p, op.SideWatermarks[0]), formatWatermark(p, op.SideWatermarks[1])
	s := fmt.Sprintf("right rows by %d-column key in %s order; left rows waiting for their match", len(op.Join.LeftKeys), rs[a.RightTime].Name)
	if after, ok := a.FinalAfter(); ok {
		s += fmt.Sprintf(" until the right watermark (%s) passes their %s %s", rw, ls[a.LeftTime].Name, offsetWord(after))
		if a.Dir != plan.AsofBackward {
			s += " or their match"
		}
	} else {
		s += fmt.Sprintf(" until the right watermark (%s) passes their match (or the input ends)", rw)
	}
	switch a.Dir {
	case plan.AsofForward:
		s += fmt.Sprintf("; a right row goes once the left watermark (%s) passes its %s", lw, rs[a.RightTime].Name)
	default:
		s += fmt.Sprintf("; per key, the right rows before the latest one the left watermark (%s) has passed go", lw)
	}
	if a.Lo != minInt64 && a.Lo < 0 {
		s += fmt.Sprintf(", and every one more than %s behind it", plan.FormatMicros(-a.Lo))
	}
	return s + "; rows behind their own side's watermark are late"
}

const minInt64 = -1 << 63
