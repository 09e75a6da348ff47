package baseline

import (
	"math"
	"slices"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// runChain3 is the three-level view chain of queries/chain3.sql: bids above a
// price of 1000, counted (and their top price) per auction per 10 s tumbling
// window, then rolled up per minute by the minute of each 10 s window's end:
// the auctions, bids and top price of the minute. Both levels close by the
// bid watermark (latest bid time - 4 s); end of input closes every window.
func runChain3(g *nexmark.Generator) Result {
	c := chain3{
		tens:      map[int64]map[int64]*auctionTen{},
		minutes:   map[int64]*minuteAgg{},
		maxTime:   math.MinInt64,
		closedEnd: math.MinInt64,
	}
	var ev nexmark.Event
	var events int64
	for g.Next(&ev) {
		events++
		if ev.Kind != nexmark.KindBid {
			continue
		}
		b := &ev.Bid
		if b.Price > 1000 {
			c.bid(b.Auction, b.Price, b.DateTime)
		}
		if b.DateTime > c.maxTime {
			c.maxTime = b.DateTime
			c.advance(b.DateTime - watermarkDelay)
		}
	}
	c.advance(math.MaxInt64)
	return c.out.result(events)
}

type auctionTen struct{ bids, top int64 }

type minuteAgg struct{ auctions, bids, top int64 }

type chain3 struct {
	tens      map[int64]map[int64]*auctionTen // 10 s window start -> auction -> counts
	starts    []int64                         // open 10 s windows, ascending
	minutes   map[int64]*minuteAgg            // minute start -> rollup
	maxTime   int64
	closedEnd int64 // end of the latest closed 10 s window
	out       sink
}

func (c *chain3) bid(auction, price, t int64) {
	start := floorTo(t, windowSize)
	if start+windowSize <= c.closedEnd {
		return // late: its window closed
	}
	w, ok := c.tens[start]
	if !ok {
		w = map[int64]*auctionTen{}
		c.tens[start] = w
		i, _ := slices.BinarySearch(c.starts, start)
		c.starts = slices.Insert(c.starts, i, start)
	}
	a := w[auction]
	if a == nil {
		a = &auctionTen{}
		w[auction] = a
	}
	a.bids++
	a.top = max(a.top, price)
}

// advance closes the 10 s windows the watermark has passed, rolling their rows
// into their minutes, then the minutes it has passed.
func (c *chain3) advance(wm int64) {
	for len(c.starts) > 0 && c.starts[0]+windowSize <= wm {
		start := c.starts[0]
		c.starts = c.starts[1:]
		end := start + windowSize
		c.closedEnd = end
		minute := floorTo(end, 60_000_000)
		m := c.minutes[minute]
		if m == nil {
			m = &minuteAgg{}
			c.minutes[minute] = m
		}
		for _, a := range c.tens[start] {
			m.auctions++
			m.bids += a.bids
			m.top = max(m.top, a.top)
		}
		delete(c.tens, start)
	}
	for minute, m := range c.minutes {
		if minute+60_000_000 <= wm {
			c.out.emit(hashInt(hashInt(hashInt(hashInt(hashInt(hashStart, minute), minute+60_000_000), m.auctions), m.bids), m.top))
			delete(c.minutes, minute)
		}
	}
}
