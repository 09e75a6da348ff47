package baseline

import (
	"math/bits"
	"time"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// q15: bidding statistics per day (queries/q15.sql): counts of bids in three
// price ranks, and distinct bidders and auctions overall and per rank.
//
// The straightforward fast code: per day, one map per distinct column whose
// value is a bit mask of the ranks the value was seen in (bit 0: any), and a
// counter per mask bit that counts values the first time their bit is set.
// So each bid costs two map probes however many COUNT(DISTINCT)s share a
// column. A day's row is emitted once, at the end (the compiled job is an
// updating view whose last row per day nets to the same table).

type q15Day struct {
	bids     [4]int64 // total, rank1, rank2, rank3
	bidders  map[int64]uint8
	auctions map[int64]uint8
	nBidders [4]int64
	nAuction [4]int64
}

// q15Rank is the price rank's bit: 1 below 10,000, 2 below 1,000,000, 3 above.
func q15Rank(price int64) uint8 {
	switch {
	case price < 10_000:
		return 1 << 1
	case price < 1_000_000:
		return 1 << 2
	}
	return 1 << 3
}

// q15See sets the bits of mask for v in seen, counting each bit newly set.
func q15See(seen map[int64]uint8, counts *[4]int64, v int64, mask uint8) {
	old := seen[v]
	added := mask &^ old
	if added == 0 {
		return
	}
	seen[v] = old | added
	for added != 0 {
		i := bits.TrailingZeros8(added)
		counts[i]++
		added &= added - 1
	}
}

func runQ15(g *nexmark.Generator) Result {
	var ev nexmark.Event
	var events int64
	var out sink
	days := map[int64]*q15Day{} // day number since the epoch
	var order []int64
	for g.Next(&ev) {
		events++
		if ev.Kind != nexmark.KindBid {
			continue
		}
		b := &ev.Bid
		day := floorTo(b.DateTime, 86_400_000_000)
		d := days[day]
		if d == nil {
			d = &q15Day{bidders: map[int64]uint8{}, auctions: map[int64]uint8{}}
			days[day] = d
			order = append(order, day)
		}
		rank := q15Rank(b.Price)
		d.bids[0]++
		d.bids[bits.TrailingZeros8(rank)]++
		mask := rank | 1
		q15See(d.bidders, &d.nBidders, b.Bidder, mask)
		q15See(d.auctions, &d.nAuction, b.Auction, mask)
	}
	for _, day := range order {
		d := days[day]
		h := hashInt(hashStart, int64(len(time.UnixMicro(day).UTC().Format("2006-01-02"))))
		for _, c := range [][4]int64{d.bids, d.nBidders, d.nAuction} {
			for _, v := range c {
				h = hashInt(h, v)
			}
		}
		out.emit(h)
	}
	return out.result(events)
}
