package plan

import "fmt"

// AsofDir is the direction of an ASOF join's match.
type AsofDir int

const (
	// AsofBackward matches the latest right row at or before the left row's time.
	AsofBackward AsofDir = iota + 1
	// AsofForward matches the earliest right row at or after it.
	AsofForward
	// AsofNearest matches the closest right row either way (the earlier on a tie).
	AsofNearest
)

func (d AsofDir) String() string { return [...]string{"?", "BACKWARD", "FORWARD", "NEAREST"}[d] }

// Asof is the match of an ASOF join: each left row meets at most one right row
// of its key, the one with the closest time in direction Dir among those with
// right time - left time within [Lo, Hi] (MinInt64 or MaxInt64: open). A left
// row's match is final once the right input's watermark has passed every
// time that could still beat it; state goes by both watermarks.
type Asof struct {
	LeftTime, RightTime int // columns of each side: event-time columns
	Dir                 AsofDir
	Lo, Hi              int64
	// Temporal: a temporal join (FOR SYSTEM_TIME AS OF) of a versioned table,
	// whose key is its primary key: the version valid at the left time.
	Temporal bool
}

func (a *Asof) describe(ls, rs Schema) string {
	out := fmt.Sprintf("%s right.%s - left.%s", a.Dir, rs[a.RightTime].Name, ls[a.LeftTime].Name)
	signed := func(us int64) string {
		if us < 0 {
			return "-" + FormatMicros(-us)
		}
		return FormatMicros(us)
	}
	switch {
	case a.Lo != minInt64 && a.Hi != maxInt64:
		out += fmt.Sprintf(" BETWEEN %s AND %s", signed(a.Lo), signed(a.Hi))
	case a.Lo != minInt64:
		out += " >= " + signed(a.Lo)
	case a.Hi != maxInt64:
		out += " <= " + signed(a.Hi)
	}
	return out
}

const (
	minInt64 = -1 << 63
	maxInt64 = 1<<63 - 1
)

// FinalAfter is how far past a left row's time the right watermark must be
// for its match to be final whatever right rows are kept: Hi (a backward
// match is bounded by it), or false without an upper bound, when only a
// right row can make a forward or nearest match final before the input ends.
func (a *Asof) FinalAfter() (int64, bool) { return a.Hi, a.Hi != maxInt64 }

// asofEventTimes: an ASOF join emits a left row once the right watermark has
// passed its time plus FinalAfter, so a later output row has a left time of
// at least min(left W, right W - FinalAfter).
func asofEventTimes(n *Join) []TimeCol {
	a := n.Asof
	after, ok := a.FinalAfter()
	if !ok {
		return nil
	}
	lt, lok := EventTimeCol(n.Left, a.LeftTime)
	rt, rok := EventTimeCol(n.Right, a.RightTime)
	if !lok || !rok {
		return nil
	}
	shift := rt.Shift - after
	if (after > 0) != (shift < rt.Shift) && after != 0 {
		shift = minInt64 // overflowed: no useful bound
	}
	return []TimeCol{{a.LeftTime, min(lt.Shift, shift)}}
}
