package baseline

import (
	"math"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// runQ7 is "highest bid": for each 10 s tumbling window over bids by event time,
// the bids whose price equals the window's highest price, emitted as (auction,
// price, bidder, dateTime, extra) when the watermark (latest bid time - 4 s)
// reaches the window's end. End of input closes every window.
//
// Each open window keeps its highest price and the bids at that price; a
// higher price empties the list.
func runQ7(g *nexmark.Generator) Result {
	q := q7{
		windows:   map[int64]*q7Window{},
		closedEnd: math.MinInt64,
		nextEnd:   math.MaxInt64,
		maxTime:   math.MinInt64,
	}
	var ev nexmark.Event
	var events int64
	for g.Next(&ev) {
		events++
		if ev.Kind == nexmark.KindBid {
			q.bid(&ev.Bid)
		}
	}
	q.closeAll()
	return q.out.result(events)
}

type q7Window struct {
	maxPrice int64
	top      []nexmark.Bid // the bids at maxPrice (their strings point into the generator's pools)
}

type q7 struct {
	windows map[int64]*q7Window // window start -> window
	free    []*q7Window

	curStart int64 // window of the latest bid
	cur      *q7Window

	closedEnd int64
	nextEnd   int64
	maxTime   int64
	late      int64

	out sink
}

func (q *q7) bid(b *nexmark.Bid) {
	start := floorTo(b.DateTime, windowSize)
	if start+windowSize <= q.closedEnd {
		q.late++
		return
	}
	if q.cur == nil || start != q.curStart {
		q.cur = q.window(start)
		q.curStart = start
		q.nextEnd = min(q.nextEnd, start+windowSize)
	}
	w := q.cur
	if b.Price > w.maxPrice {
		w.maxPrice = b.Price
		w.top = w.top[:0]
	}
	if b.Price == w.maxPrice {
		w.top = append(w.top, *b)
	}
	if b.DateTime > q.maxTime {
		q.maxTime = b.DateTime
		q.advance(b.DateTime - watermarkDelay)
	}
}

func (q *q7) window(start int64) *q7Window {
	if w, ok := q.windows[start]; ok {
		return w
	}
	var w *q7Window
	if n := len(q.free); n > 0 {
		w, q.free = q.free[n-1], q.free[:n-1]
	} else {
		w = &q7Window{}
	}
	w.maxPrice = math.MinInt64
	w.top = w.top[:0]
	q.windows[start] = w
	return w
}

func (q *q7) advance(watermark int64) {
	for q.nextEnd <= watermark {
		if len(q.windows) == 0 {
			q.closedEnd = floorTo(watermark, windowSize)
			q.nextEnd = math.MaxInt64
			return
		}
		q.close(q.nextEnd)
	}
}

func (q *q7) closeAll() {
	for len(q.windows) > 0 {
		q.close(q.nextEnd)
	}
}

// close emits the highest bids of the window [end-size, end).
func (q *q7) close(end int64) {
	start := end - windowSize
	if w, ok := q.windows[start]; ok {
		for i := range w.top {
			b := &w.top[i]
			q.out.emit(hashInt(hashInt(hashInt(hashInt(hashInt(hashStart, b.Auction), b.Price), b.Bidder), b.DateTime), int64(len(b.Extra))))
		}
		delete(q.windows, start)
		q.free = append(q.free, w)
		if q.curStart == start {
			q.cur = nil
		}
	}
	q.closedEnd = end
	q.nextEnd = end + windowSize
}
