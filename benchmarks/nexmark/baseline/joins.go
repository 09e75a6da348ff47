package baseline

import (
	"math"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// runQ3 is "local item suggestion": the auctions of category 10 joined with
// their sellers living in OR, ID or CA, a regular inner join that keeps both
// filtered inputs by key for the whole run and emits each pair when its
// second row arrives.
func runQ3(g *nexmark.Generator) Result {
	type seller struct{ name, city, state string }
	sellers := map[int64][]seller{} // person id -> people (ids are unique; a slice as a join keeps them)
	auctions := map[int64][]int64{} // seller -> auction ids
	var out sink
	emit := func(p seller, auction int64) {
		out.emit(hashInt(hashInt(hashInt(hashInt(hashStart, int64(len(p.name))), int64(len(p.city))), int64(len(p.state))), auction))
	}
	// persons and auctions only: the bids, 92% of the stream, are not generated
	events := eachOfKinds(g, []nexmark.Kind{nexmark.KindPerson, nexmark.KindAuction}, func(ev *nexmark.Event) {
		switch ev.Kind {
		case nexmark.KindPerson:
			p := &ev.Person
			if p.State != "OR" && p.State != "ID" && p.State != "CA" {
				return
			}
			s := seller{p.Name, p.City, p.State}
			for _, a := range auctions[p.ID] {
				emit(s, a)
			}
			sellers[p.ID] = append(sellers[p.ID], s)
		case nexmark.KindAuction:
			a := &ev.Auction
			if a.Category != 10 {
				return
			}
			for _, s := range sellers[a.Seller] {
				emit(s, a.ID)
			}
			auctions[a.Seller] = append(auctions[a.Seller], a.ID)
		}
	})
	return out.result(events)
}

// runQ8 is "monitor new users": the people who created an auction in the
// same 10 s tumbling window in which they registered. Each input keeps its
// distinct (id, name) and sellers per window; a window's matches are emitted
// once both inputs' watermarks (their latest time - 4 s) have passed its
// end, and its state goes.
func runQ8(g *nexmark.Generator) Result {
	type person struct {
		id   int64
		name string
	}
	people := map[int64]map[person]bool{} // window start -> distinct people
	sellers := map[int64]map[int64]bool{} // window start -> distinct sellers
	personMax, auctionMax := int64(math.MinInt64), int64(math.MinInt64)
	var out sink
	closeUpTo := func(wm int64) {
		if wm == math.MinInt64 {
			return // an input has no watermark yet
		}
		if wm != math.MaxInt64 {
			wm -= watermarkDelay // wm is the inputs' latest time
		}
		for start, ps := range people {
			if start+windowSize > wm {
				continue
			}
			ss := sellers[start]
			for p := range ps {
				if ss[p.id] {
					out.emit(hashInt(hashInt(hashInt(hashStart, p.id), int64(len(p.name))), start))
				}
			}
			delete(people, start)
		}
		for start := range sellers {
			if start+windowSize <= wm {
				delete(sellers, start)
			}
		}
	}
	// persons and auctions only: the bids, 92% of the stream, are not generated
	events := eachOfKinds(g, []nexmark.Kind{nexmark.KindPerson, nexmark.KindAuction}, func(ev *nexmark.Event) {
		switch ev.Kind {
		case nexmark.KindPerson:
			p := &ev.Person
			start := floorTo(p.DateTime, windowSize)
			if people[start] == nil {
				people[start] = map[person]bool{}
			}
			people[start][person{p.ID, p.Name}] = true
			if p.DateTime > personMax {
				personMax = p.DateTime
				closeUpTo(min(personMax, auctionMax))
			}
		case nexmark.KindAuction:
			a := &ev.Auction
			start := floorTo(a.DateTime, windowSize)
			if sellers[start] == nil {
				sellers[start] = map[int64]bool{}
			}
			sellers[start][a.Seller] = true
			if a.DateTime > auctionMax {
				auctionMax = a.DateTime
				closeUpTo(min(personMax, auctionMax))
			}
		}
	})
	closeUpTo(math.MaxInt64)
	return out.result(events)
}

// runQ20 is "expand bid with auction": each bid joined with its auction when
// that auction is of category 10, a regular inner join that keeps the bids
// by auction (any bid may wait for its auction, as the join keeps both
// inputs for the whole run) and the category-10 auctions by id, and emits
// each pair when its second row arrives, with all 16 columns.
func runQ20(g *nexmark.Generator) Result {
	bids := map[int64][]nexmark.Bid{}         // auction -> bids
	auctions := map[int64][]nexmark.Auction{} // id -> category-10 auctions
	var out sink
	// bids and auctions only (the query's source order): the persons are not generated
	events := eachOfKinds(g, []nexmark.Kind{nexmark.KindBid, nexmark.KindAuction}, func(ev *nexmark.Event) {
		switch ev.Kind {
		case nexmark.KindBid:
			b := ev.Bid
			for i := range auctions[b.Auction] {
				out.emit(q20Hash(&b, &auctions[b.Auction][i]))
			}
			bids[b.Auction] = append(bids[b.Auction], b)
		case nexmark.KindAuction:
			a := ev.Auction
			if a.Category != 10 {
				return
			}
			for i := range bids[a.ID] {
				out.emit(q20Hash(&bids[a.ID][i], &a))
			}
			auctions[a.ID] = append(auctions[a.ID], a)
		}
	})
	return out.result(events)
}

// q20Hash hashes a q20 row: the bid's columns, then the auction's (strings
// by length, as the other baselines do).
func q20Hash(b *nexmark.Bid, a *nexmark.Auction) uint64 {
	h := hashStart
	for _, v := range []int64{b.Auction, b.Bidder, b.Price, int64(len(b.Channel)), int64(len(b.URL)), b.DateTime, int64(len(b.Extra)),
		int64(len(a.ItemName)), int64(len(a.Description)), a.InitialBid, a.Reserve, a.DateTime, a.Expires, a.Seller, a.Category, int64(len(a.Extra))} {
		h = hashInt(h, v)
	}
	return h
}
