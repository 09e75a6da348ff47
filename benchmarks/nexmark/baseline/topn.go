package baseline

import "github.com/laminar-sql/laminar/runtime/nexmark"

// nexmarkBatch is the number of generated events a Nexmark source hands the
// pipeline at a time: updating queries emit their changes per batch, so the
// baselines of q9 and q18 flush at the same boundaries and emit as many rows.
const nexmarkBatch = 256

// sharedNexmarkBatch is the batch of a job with several Nexmark sources,
// which share one generator (runtime/connector).
const sharedNexmarkBatch = 1024

func hashBid(h uint64, b *nexmark.Bid) uint64 {
	return hashInt(hashInt(hashInt(hashInt(hashInt(hashInt(hashInt(h, b.Auction), b.Bidder), b.Price),
		int64(len(b.Channel))), int64(len(b.URL))), b.DateTime), int64(len(b.Extra)))
}

// q18Entry is the latest bid of a (bidder, auction) and the one last emitted.
type q18Entry struct {
	cur, last nexmark.Bid
	emitted   bool
	dirty     bool
}

// runQ18 is "last bid per bidder and auction": ROW_NUMBER() OVER (PARTITION
// BY bidder, auction ORDER BY dateTime DESC) = 1, an updating view. Each batch
// of events ends with, per key whose latest bid changed, the retraction of the
// row emitted before and the new row. Of bids at the same time the first wins.
func runQ18(g *nexmark.Generator) Result {
	type key struct{ bidder, auction int64 }
	state := map[key]*q18Entry{}
	var dirty []*q18Entry
	var out sink
	var ev nexmark.Event
	var events int64
	flush := func() {
		for _, e := range dirty {
			e.dirty = false
			if e.emitted {
				out.emit(hashBid(hashStart^1, &e.last)) // the retraction
			}
			out.emit(hashBid(hashStart, &e.cur))
			e.last, e.emitted = e.cur, true
		}
		dirty = dirty[:0]
	}
	for g.Next(&ev) {
		events++
		if ev.Kind == nexmark.KindBid {
			b := &ev.Bid
			k := key{b.Bidder, b.Auction}
			e := state[k]
			switch {
			case e == nil:
				e = &q18Entry{cur: *b}
				state[k] = e
			case b.DateTime > e.cur.DateTime:
				e.cur = *b
			default:
				e = nil // an older bid, or a later one at the same time: no change
			}
			if e != nil && !e.dirty {
				e.dirty = true
				dirty = append(dirty, e)
			}
		}
		if events%nexmarkBatch == 0 {
			flush()
		}
	}
	flush()
	return out.result(events)
}

// q9Entry is an auction with its winning bid so far and the one last emitted.
type q9Entry struct {
	a            nexmark.Auction
	best, last   nexmark.Bid
	has, emitted bool
	dirty        bool
}

func hashQ9(h uint64, a *nexmark.Auction, b *nexmark.Bid) uint64 {
	h = hashInt(hashInt(hashInt(hashInt(hashInt(h, a.ID), int64(len(a.ItemName))), int64(len(a.Description))), a.InitialBid), a.Reserve)
	h = hashInt(hashInt(hashInt(hashInt(hashInt(h, a.DateTime), a.Expires), a.Seller), a.Category), int64(len(a.Extra)))
	return hashInt(hashInt(hashInt(hashInt(hashInt(h, b.Auction), b.Bidder), b.Price), b.DateTime), int64(len(b.Extra)))
}

// runQ9 is "winning bids": per auction, of the bids on it between its start
// and its expiry, the highest (the earliest of equal prices, then the first
// seen), as an updating view: a batch ends with, per auction whose winner
// changed, the retraction of its last row and the new one. Like the compiled
// regular join it keeps every auction and, for auctions not seen yet, their
// bids.
func runQ9(g *nexmark.Generator) Result {
	auctions := map[int64]*q9Entry{}
	early := map[int64][]nexmark.Bid{} // bids on auctions not generated yet
	var dirty []*q9Entry
	var out sink
	offer := func(e *q9Entry, b *nexmark.Bid) {
		if b.DateTime < e.a.DateTime || b.DateTime > e.a.Expires {
			return
		}
		if e.has && (b.Price < e.best.Price || (b.Price == e.best.Price && b.DateTime >= e.best.DateTime)) {
			return
		}
		e.best, e.has = *b, true
		if !e.dirty {
			e.dirty = true
			dirty = append(dirty, e)
		}
	}
	flush := func() {
		for _, e := range dirty {
			e.dirty = false
			if e.emitted {
				out.emit(hashQ9(hashStart^1, &e.a, &e.last))
			}
			out.emit(hashQ9(hashStart, &e.a, &e.best))
			e.last, e.emitted = e.best, true
		}
		dirty = dirty[:0]
	}
	// A job with two Nexmark sources of distinct tables reads the generator
	// in shared batches, each batch's auctions, then its bids (the persons
	// never generated), each followed by a flush.
	events := eachBatchOfKinds(g, []nexmark.Kind{nexmark.KindAuction, nexmark.KindBid}, func(k nexmark.Kind, evs []nexmark.Event) {
		for i := range evs {
			ev := &evs[i]
			if k == nexmark.KindAuction {
				e := &q9Entry{a: ev.Auction}
				auctions[e.a.ID] = e
				if bs, ok := early[e.a.ID]; ok {
					for i := range bs {
						offer(e, &bs[i])
					}
					delete(early, e.a.ID)
				}
			} else if e := auctions[ev.Bid.Auction]; e != nil {
				offer(e, &ev.Bid)
			} else {
				early[ev.Bid.Auction] = append(early[ev.Bid.Auction], ev.Bid)
			}
		}
		flush()
	})
	return out.result(events)
}
