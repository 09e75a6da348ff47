package baseline

import "github.com/laminar-sql/laminar/runtime/nexmark"

// q11: user sessions (queries/q11.sql): per bidder, its bids grouped into
// sessions that end 10 s after their last bid, [start, last + 10 s), with
// their count. Over the harness's in-order input a bid either extends its
// bidder's open session (it comes at most 10 s after the session's last bid)
// or closes it and opens the next, so one open session per bidder is all the
// state; the sessions still open at the end are emitted then. (Out-of-order
// bids could bridge two sessions, which the compiled job merges; this
// baseline does not handle them.)

const q11Gap = 10_000_000 // µs

type q11Session struct {
	start, end, count int64
}

func hashQ11(bidder int64, s *q11Session) uint64 {
	return hashInt(hashInt(hashInt(hashInt(hashStart, bidder), s.count), s.start), s.end)
}

func runQ11(g *nexmark.Generator) Result {
	var ev nexmark.Event
	var events int64
	var out sink
	open := map[int64]*q11Session{}
	var order []int64 // bidders in order of their first session, for the final emission
	for g.Next(&ev) {
		events++
		if ev.Kind != nexmark.KindBid {
			continue
		}
		b := &ev.Bid
		s := open[b.Bidder]
		switch {
		case s == nil:
			open[b.Bidder] = &q11Session{start: b.DateTime, end: b.DateTime + q11Gap, count: 1}
			order = append(order, b.Bidder)
		case b.DateTime <= s.end:
			s.end = max(s.end, b.DateTime+q11Gap)
			s.count++
		default:
			out.emit(hashQ11(b.Bidder, s))
			*s = q11Session{start: b.DateTime, end: b.DateTime + q11Gap, count: 1}
		}
	}
	for _, bidder := range order {
		out.emit(hashQ11(bidder, open[bidder]))
	}
	return out.result(events)
}
