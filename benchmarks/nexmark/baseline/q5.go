package baseline

import (
	"math"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// runQ5 is "hot items": for each hopping window of 10 s sliding by 2 s over
// bids by event time, the auctions whose bid count equals the window's largest
// count, emitted as (auction, count) when the watermark (latest bid time - 4 s)
// reaches the window's end. End of input closes every window.
//
// Bids are counted per pane (the 2 s slide): one map increment per bid instead
// of one per window (5). A window's counts are the sum of its 5 panes, computed
// once, when it closes. A pane is dropped when its last window closes.
func runQ5(g *nexmark.Generator) Result {
	q := q5{
		panes:     map[int64]map[int64]int64{},
		closedEnd: math.MinInt64,
		nextEnd:   math.MaxInt64,
		maxTime:   math.MinInt64,
		window:    map[int64]int64{},
	}
	var ev nexmark.Event
	var events int64
	for g.Next(&ev) {
		events++
		if ev.Kind == nexmark.KindBid {
			q.bid(ev.Bid.Auction, ev.Bid.DateTime)
		}
	}
	q.closeAll()
	return q.out.result(events)
}

type q5 struct {
	panes map[int64]map[int64]int64 // pane start -> auction -> bids
	free  []map[int64]int64         // emptied pane maps, for reuse

	// The pane of the latest bid, since bids arrive almost in order.
	curStart int64
	cur      map[int64]int64

	closedEnd int64 // end of the latest closed window
	nextEnd   int64 // end of the next window to close
	maxTime   int64 // latest bid time: the watermark is maxTime - watermarkDelay
	late      int64 // bids whose every window had closed

	window map[int64]int64 // scratch: counts of the window being closed
	out    sink
}

func (q *q5) bid(auction, t int64) {
	start := floorTo(t, hopSlide)
	// The bid's windows end at start+slide ... start+size.
	if start+windowSize <= q.closedEnd {
		q.late++
		return
	}
	if q.cur == nil || start != q.curStart {
		q.cur = q.pane(start)
		q.curStart = start
		q.nextEnd = min(q.nextEnd, max(start+hopSlide, q.closedEnd+hopSlide))
	}
	q.cur[auction]++
	if t > q.maxTime {
		q.maxTime = t
		q.advance(t - watermarkDelay)
	}
}

func (q *q5) pane(start int64) map[int64]int64 {
	if m, ok := q.panes[start]; ok {
		return m
	}
	var m map[int64]int64
	if n := len(q.free); n > 0 {
		m, q.free = q.free[n-1], q.free[:n-1]
	} else {
		m = map[int64]int64{}
	}
	q.panes[start] = m
	return m
}

// advance closes every window whose end the watermark has reached.
func (q *q5) advance(watermark int64) {
	for q.nextEnd <= watermark {
		if len(q.panes) == 0 {
			// Nothing left to emit up to the watermark.
			q.closedEnd = floorTo(watermark, hopSlide)
			q.nextEnd = math.MaxInt64
			return
		}
		q.close(q.nextEnd)
	}
}

func (q *q5) closeAll() {
	for len(q.panes) > 0 {
		q.close(q.nextEnd)
	}
}

// close emits the hot auctions of the window [end-size, end) and drops its first
// pane, whose last window it is.
func (q *q5) close(end int64) {
	start := end - windowSize
	var panes [windowSize / hopSlide]map[int64]int64
	used := 0
	for p := start; p < end; p += hopSlide {
		if m := q.panes[p]; len(m) > 0 {
			panes[used] = m
			used++
		}
	}
	counts := panes[0] // a window with one pane needs no merge
	if used > 1 {
		counts = q.window
		clear(counts)
		for _, m := range panes[:used] {
			for auction, n := range m {
				counts[auction] += n
			}
		}
	}
	var most int64
	for _, n := range counts {
		most = max(most, n)
	}
	for auction, n := range counts {
		if n == most {
			q.out.emit(hashInt(hashInt(hashStart, auction), n))
		}
	}

	if m, ok := q.panes[start]; ok {
		delete(q.panes, start)
		clear(m)
		q.free = append(q.free, m)
		if q.curStart == start {
			q.cur = nil
		}
	}
	q.closedEnd = end
	q.nextEnd = end + hopSlide
}
