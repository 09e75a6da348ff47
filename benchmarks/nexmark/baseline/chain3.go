package baseline

import (
	"math"
	"slices"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// runChain3 is the three-level view chain of queries/chain3.sql: bids above a
// price of 1000, counted (and their top price) per auction per 10 s tumbling
// window, then rolled up per 30 s by the 30 s window of each 10 s window's end:
// the auctions, bids and top price of those 30 s. Both levels close by the
// bid watermark (latest bid time - 4 s); end of input closes every window.
func runChain3(g *nexmark.Generator) Result {
	c := chain3{
		tens:      map[int64]map[int64]*auctionTen{},
		rollups:   map[int64]*rollupAgg{},
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

type rollupAgg struct{ auctions, bids, top int64 }

type chain3 struct {
	tens      map[int64]map[int64]*auctionTen // 10 s window start -> auction -> counts
	starts    []int64                         // open 10 s windows, ascending
	rollups   map[int64]*rollupAgg            // rollup start -> rollup
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
// into their rollups, then the rollups it has passed.
func (c *chain3) advance(wm int64) {
	for len(c.starts) > 0 && c.starts[0]+windowSize <= wm {
		start := c.starts[0]
		c.starts = c.starts[1:]
		end := start + windowSize
		c.closedEnd = end
		rollup := floorTo(end, 30_000_000)
		m := c.rollups[rollup]
		if m == nil {
			m = &rollupAgg{}
			c.rollups[rollup] = m
		}
		for _, a := range c.tens[start] {
			m.auctions++
			m.bids += a.bids
			m.top = max(m.top, a.top)
		}
		delete(c.tens, start)
	}
	for rollup, m := range c.rollups {
		if rollup+30_000_000 <= wm {
			c.out.emit(hashInt(hashInt(hashInt(hashInt(hashInt(hashStart, rollup), rollup+30_000_000), m.auctions), m.bids), m.top))
			delete(c.rollups, rollup)
		}
	}
}
