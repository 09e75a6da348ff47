package baseline

import (
	"math/bits"
	"time"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// q16: channel statistics per day (queries/q16.sql): q15's counts per
// (channel, day) instead of per day, and the latest minute ('HH:mm') of the
// group. The same fast code as q15 (a bit mask per distinct value, two map
// probes per bid) under a map by channel and day; the latest minute is the
// latest bid time, formatted once when the row is emitted. A group's row is
// emitted once, at the end (the compiled job is an updating view whose last
// row per group nets to the same table).

type q16Key struct {
	channel string
	day     int64
}

type q16Group struct {
	q15Day
	channel string
	day     int64
	latest  int64 // the latest bid time of the group
}

func runQ16(g *nexmark.Generator) Result {
	var ev nexmark.Event
	var events int64
	var out sink
	groups := map[q16Key]*q16Group{}
	var order []*q16Group
	for g.Next(&ev) {
		events++
		if ev.Kind != nexmark.KindBid {
			continue
		}
		b := &ev.Bid
		k := q16Key{b.Channel, floorTo(b.DateTime, 86_400_000_000)}
		d := groups[k]
		if d == nil {
			d = &q16Group{q15Day: q15Day{bidders: map[int64]uint8{}, auctions: map[int64]uint8{}}, channel: k.channel, day: k.day, latest: b.DateTime}
			groups[k] = d
			order = append(order, d)
		}
		d.latest = max(d.latest, b.DateTime)
		rank := q15Rank(b.Price)
		d.bids[0]++
		d.bids[bits.TrailingZeros8(rank)]++
		mask := rank | 1
		q15See(d.bidders, &d.nBidders, b.Bidder, mask)
		q15See(d.auctions, &d.nAuction, b.Auction, mask)
	}
	for _, d := range order {
		day := time.UnixMicro(d.day).UTC().Format("2006-01-02")
		minute := time.UnixMicro(d.latest).UTC().Format("15:04")
		out.emit(q16Hash(d.channel, day, minute, d.q15Day))
	}
	return out.result(events)
}

// q16Hash hashes a q16 row: channel, day and minute (strings by length),
// then the twelve counts.
func q16Hash(channel, day, minute string, d q15Day) uint64 {
	h := hashInt(hashInt(hashInt(hashStart, int64(len(channel))), int64(len(day))), int64(len(minute)))
	for _, c := range [][4]int64{d.bids, d.nBidders, d.nAuction} {
		for _, v := range c {
			h = hashInt(h, v)
		}
	}
	return h
}
