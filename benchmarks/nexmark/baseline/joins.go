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
	var ev nexmark.Event
	var events int64
	for g.Next(&ev) {
		events++
		switch ev.Kind {
		case nexmark.KindPerson:
			p := &ev.Person
			if p.State != "OR" && p.State != "ID" && p.State != "CA" {
				continue
			}
			s := seller{p.Name, p.City, p.State}
			for _, a := range auctions[p.ID] {
				emit(s, a)
			}
			sellers[p.ID] = append(sellers[p.ID], s)
		case nexmark.KindAuction:
			a := &ev.Auction
			if a.Category != 10 {
				continue
			}
			for _, s := range sellers[a.Seller] {
				emit(s, a.ID)
			}
			auctions[a.Seller] = append(auctions[a.Seller], a.ID)
		}
	}
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
	var ev nexmark.Event
	var events int64
	for g.Next(&ev) {
		events++
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
	}
	closeUpTo(math.MaxInt64)
	return out.result(events)
}
