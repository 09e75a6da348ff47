package baseline

import "github.com/laminar-sql/laminar/runtime/nexmark"

// nexmarkBatch is the number of generated events a Nexmark source hands the
// pipeline at a time: updating queries emit their changes per batch, so the
// baselines of q9 and q18 flush at the same boundaries and emit as many rows.
const nexmarkBatch = 256

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
