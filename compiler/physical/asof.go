package physical

import (
	"fmt"
	"io"

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

// lookupInput makes op the lookup join lj of its one input.
func (b *builder) lookupInput(op *Operator, lj *plan.LookupJoin, stmt *plan.View) {
	op.Lookup = lj
	in := b.node(lj.Input, stmt)
	op.Inputs = []*Operator{in}
	op.InputUpdating = in.Updating // its rows' retractions retract what their insertions met
}

// lookupStateText says what a lookup join keeps: a cache, and over an
// updating input the table rows each input row met.
func lookupStateText(l *plan.LookupJoin, inputUpdating bool) string {
	rows, ttl := "10000", "none (entries stay until evicted)"
	if v, ok := l.Table.Options["cache_rows"]; ok {
		rows = v
	}
	if v, ok := l.Table.Options["cache_ttl"]; ok {
		ttl = v
	}
	if inputUpdating {
		return fmt.Sprintf("per input row still in (by weight), the table rows its insertion met, which its retraction joins with (checkpointed); a cache of up to %s table rows by key (ristretto), TTL %s; the table is read when a new row misses it", rows, ttl)
	}
	return fmt.Sprintf("none checkpointed; a cache of up to %s table rows by key (ristretto), TTL %s; the table is read when a row misses it", rows, ttl)
}

// joinIdentity and stageIdentity add to an operator's id the expressions
// over a join's columns rendered by position (plan.Identity): by name, l.x
// and r.x both read "x", so two joins differing only there would share an
// id. Only joins' ids take them, so other operators keep theirs.
func joinIdentity(h io.Writer, j *plan.Join) {
	for i := range j.LeftKeys {
		fmt.Fprintln(h, "key", plan.Identity(j.LeftKeys[i]), plan.Identity(j.RightKeys[i]))
	}
	if j.Residual != nil {
		fmt.Fprintln(h, "residual", plan.Identity(j.Residual))
	}
}

func stageIdentity(h io.Writer, s Stage) {
	switch s.Kind {
	case StageFilter:
		fmt.Fprintln(h, "filter", plan.Identity(s.Pred))
	case StageProject:
		for _, e := range s.Exprs {
			fmt.Fprintln(h, "project", plan.Identity(e))
		}
	}
}
