package nexmark

import (
	"strings"
)

// Proportions of the event kinds: of every 50 consecutive event numbers, the
// first is a person, the next 3 auctions and the other 46 bids.
const (
	personProportion  = 1
	auctionProportion = 3
	totalProportion   = 50
)

// Id spaces, windows and hot-key ratios of the reference generator.
const (
	firstPersonID   = 1000
	firstAuctionID  = 1000
	firstCategoryID = 10
	numCategories   = 5

	numActivePeople    = 1000 // a random person is one of the last 1000 people...
	personIDLead       = 10   // ...or one of the next 10, not yet generated
	numInFlightAuction = 100  // a random auction is one of the last 100 auctions...
	auctionIDLead      = 10   // ...or one of the next 10

	// P(hot) = 1 - 1/ratio.
	hotAuctionRatio = 2
	hotBidderRatio  = 4
	hotSellerRatio  = 4
	hotChannelRatio = 2
	// Hot auctions, bidders and sellers are the first (bidders: second) of the
	// current block of this many ids.
	hotBlock = 100

	// Average event sizes in bytes that extra pads to, +-20%.
	avgPersonBytes  = 200
	avgAuctionBytes = 500
	avgBidBytes     = 100
)

// Generator yields the events of one partition of a Nexmark stream. It is not
// safe for concurrent use; run one Generator per partition.
type Generator struct {
	cfg     Config
	seedKey uint64
	pools   *stringPools
	// usPerEvent is the event-time distance of consecutive event numbers.
	usPerEvent float64
	// position is the index, in the whole stream, of the next event of this
	// partition; it becomes an event number through the out-of-order permutation.
	position int64
}

// NewGenerator returns a generator for cfg, or an error naming the field of cfg
// that is out of range.
func NewGenerator(cfg Config) (*Generator, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Generator{
		cfg:        cfg,
		seedKey:    mix64(uint64(cfg.Seed) ^ poolSeed),
		pools:      pools(),
		usPerEvent: 1e6 / cfg.Rate,
		position:   int64(cfg.Partition),
	}, nil
}

// Config returns the generator's configuration with its defaults filled in.
func (g *Generator) Config() Config { return g.cfg }

// Generated is the number of events of this partition generated so far
// (or skipped by SkipTo).
func (g *Generator) Generated() int64 {
	return (g.position - int64(g.cfg.Partition)) / int64(g.cfg.Partitions)
}

// SkipTo makes the next event the partition's event number `events` (counted
// from 0): every event is a function of its number, so resuming costs
// nothing.
func (g *Generator) SkipTo(events int64) {
	g.position = int64(g.cfg.Partition) + events*int64(g.cfg.Partitions)
}

// Next fills ev with the next event of this partition. It returns false, leaving
// ev alone, once the stream's Events have been generated.
func (g *Generator) Next(ev *Event) bool {
	if g.cfg.Events > 0 && g.position >= g.cfg.Events {
		return false
	}
	n := g.eventNumber(g.position)
	g.position += int64(g.cfg.Partitions)
	g.Fill(n, ev)
	return true
}

// NextBatch fills evs with the next events of this partition, as many as
// remain up to len(evs), as Next does one by one; it returns how many it
// filled and how many of those are of kind (every one for kind 0). One
// loop inside the generator: a caller's loop around Next reloads what the
// call may have changed (a tenth of the events' cost besides their fields).
func (g *Generator) NextBatch(evs []Event, kind Kind) (n, kept int) {
	// The loop's state in locals: for all the compiler knows, the call of
	// fill changes g (reloading it was a third of the loop's instructions).
	pos, step, last := g.position, int64(g.cfg.Partitions), g.cfg.Events
	inOrder := g.cfg.OutOfOrderGroupSize == 1
	for n < len(evs) {
		if last > 0 && pos >= last {
			break
		}
		num := pos
		if !inOrder {
			num = g.eventNumber(pos)
		}
		pos += step
		if k := g.fill(num, &evs[n]); kind == 0 || k == kind {
			kept++
		}
		n++
	}
	g.position = pos
	return n, kept
}

// NextOfKind goes past the next count events of this partition (as many as
// remain), filling evs (at least as long) with those of kind only, in order;
// it returns how many it went past and how many it filled. The events of
// other kinds are not generated: an event's kind is a function of its
// number. (A shared stream's sources each generate their own table's
// events of a batch this way, instead of copying them out of one buffer.)
func (g *Generator) NextOfKind(evs []Event, kind Kind, count int) (n, kept int) {
	pos, step, last := g.position, int64(g.cfg.Partitions), g.cfg.Events
	if g.cfg.OutOfOrderGroupSize == 1 && step == 1 {
		// event numbers are positions: go from one run of kind's events in
		// the proportions' cycle to the next, without a division each
		start, end := pos, pos+int64(count)
		if last > 0 {
			end = max(min(end, last), pos)
		}
		lo, hi := kindOffsets(kind)
		off := pos % totalProportion
		for pos < end {
			switch {
			case off < lo:
				d := min(lo-off, end-pos)
				pos, off = pos+d, off+d
			case off >= hi:
				d := min(totalProportion-off, end-pos)
				pos, off = pos+d, off+d
			default:
				g.fill(pos, &evs[kept])
				kept++
				pos, off = pos+1, off+1
			}
			if off == totalProportion {
				off = 0
			}
		}
		g.position = pos
		return int(pos - start), kept
	}
	for ; n < count; n++ {
		if last > 0 && pos >= last {
			break
		}
		num := g.eventNumber(pos)
		pos += step
		if lo, hi := kindOffsets(kind); num%totalProportion >= lo && num%totalProportion < hi {
			g.fill(num, &evs[kept])
			kept++
		}
	}
	g.position = pos
	return n, kept
}

// SkipOfKind goes past the events of this partition before its k-th next
// event of kind (counted from 0), generating none: the next event is then
// that one, unless the stream ends first. It finds again an event that
// NextOfKind filled (a workers' chunk numbers its records among its
// table's events).
func (g *Generator) SkipOfKind(kind Kind, k int) {
	pos, step, last := g.position, int64(g.cfg.Partitions), g.cfg.Events
	lo, hi := kindOffsets(kind)
	if g.cfg.OutOfOrderGroupSize == 1 && step == 1 && k >= int(hi-lo) {
		// event numbers are positions: go to the next cycle, then over
		// whole cycles of hi-lo events of kind each
		for off := pos % totalProportion; off != 0; off = pos % totalProportion {
			if off >= lo && off < hi {
				k--
			}
			pos++
		}
		cycles := int64(k) / (hi - lo)
		pos += cycles * totalProportion
		k -= int(cycles * (hi - lo))
	}
	for last <= 0 || pos < last {
		if m := g.eventNumber(pos) % totalProportion; m >= lo && m < hi {
			if k == 0 {
				break
			}
			k--
		}
		pos += step
	}
	g.position = pos
}

// kindOffsets are the offsets [lo, hi) of kind's events in each cycle of
// totalProportion events (kind 0: all).
func kindOffsets(kind Kind) (lo, hi int64) {
	switch kind {
	case KindPerson:
		return 0, personProportion
	case KindAuction:
		return personProportion, personProportion + auctionProportion
	case KindBid:
		return personProportion + auctionProportion, totalProportion
	}
	return 0, totalProportion
}

// Skip goes past the next count events of this partition (as many as
// remain) without generating them, and returns how many.
func (g *Generator) Skip(count int) int {
	n := int64(count)
	if last := g.cfg.Events; last > 0 {
		step := int64(g.cfg.Partitions)
		n = min(n, max((last-g.position+step-1)/step, 0))
	}
	g.position += n * int64(g.cfg.Partitions)
	return int(n)
}

// eventNumber permutes stream positions within groups of OutOfOrderGroupSize, as
// the reference's nextAdjustedEventNumber. The last group of a bounded stream may
// be shorter; it is permuted within its own length, so that no event number
// reaches Events.
func (g *Generator) eventNumber(position int64) int64 {
	size := int64(g.cfg.OutOfOrderGroupSize)
	if size == 1 {
		return position
	}
	base := position / size * size
	if g.cfg.Events > 0 && base+size > g.cfg.Events {
		size = g.cfg.Events - base
		if size%outOfOrderStride == 0 {
			return position // not a permutation of this short group: keep it in order
		}
	}
	return base + (position-base)*outOfOrderStride%size
}

// TimeOf is the event time of event number n, in µs since the epoch.
func (g *Generator) TimeOf(n int64) int64 {
	// Multiply before dividing: exact for every n below 2^53/1e6, so that
	// integral times are never one µs short.
	return g.cfg.BaseTime + int64(float64(n)*1e6/g.cfg.Rate)
}

// Fill sets ev to event number n of the stream, whatever the partition. It is
// what Next calls; tests and tools use it to look at single events.
func (g *Generator) Fill(n int64, ev *Event) { g.fill(n, ev) }

// fill is Fill, returning the event's kind.
func (g *Generator) fill(n int64, ev *Event) Kind {
	r := eventRandom(g.seedKey, n)
	t := g.TimeOf(n)
	switch offset := n % totalProportion; {
	case offset < personProportion:
		ev.Kind = KindPerson
		g.person(n, t, &r, &ev.Person)
		return KindPerson
	case offset < personProportion+auctionProportion:
		ev.Kind = KindAuction
		g.auction(n, t, &r, &ev.Auction)
		return KindAuction
	default:
		ev.Kind = KindBid
		g.bid(n, t, &r, &ev.Bid)
		return KindBid
	}
}

func (g *Generator) person(n, t int64, r *random, p *Person) {
	pl := g.pools
	p.ID = lastBase0PersonID(n) + firstPersonID
	p.Name = pl.names[r.intn(int64(len(pl.names)))]
	p.EmailAddress = pl.emails[r.intn(emailPoolSize)]
	card := int(r.intn(cardGroups)) * 5
	p.CreditCard = pl.cards[card : card+19]
	p.City = pl.cities[r.intn(int64(len(pl.cities)))]
	p.State = pl.states[r.intn(int64(len(pl.states)))]
	p.DateTime = t
	// Sizes are counted as the reference counts them (id plus the strings).
	size := 8 + len(p.Name) + len(p.EmailAddress) + len(p.CreditCard) + len(p.City) + len(p.State)
	p.Extra = g.extra(r, size, avgPersonBytes)
}

func (g *Generator) auction(n, t int64, r *random, a *Auction) {
	a.ID = lastBase0AuctionID(n) + firstAuctionID
	if r.intn(hotSellerRatio) > 0 {
		a.Seller = lastBase0PersonID(n) / hotBlock * hotBlock
	} else {
		a.Seller = randomBase0PersonID(n, r)
	}
	a.Seller += firstPersonID
	a.Category = firstCategoryID + r.intn(numCategories)
	a.InitialBid = r.price()
	a.Reserve = a.InitialBid + r.price()
	a.DateTime = t
	// An auction lasts on average until numInFlightAuction more auctions have
	// been opened.
	horizon := g.TimeOf(n+numInFlightAuction*totalProportion/auctionProportion) - t
	a.Expires = t + 1 + r.intn(max(2*horizon, 1))
	a.ItemName = g.text(r, 20)
	a.Description = g.text(r, 100)
	size := 8 + len(a.ItemName) + len(a.Description) + 8 + 8 + 8 + 8 + 8
	a.Extra = g.extra(r, size, avgAuctionBytes)
}

func (g *Generator) bid(n, t int64, r *random, b *Bid) {
	if r.intn(hotAuctionRatio) > 0 {
		b.Auction = lastBase0AuctionID(n) / hotBlock * hotBlock
	} else {
		b.Auction = randomBase0AuctionID(n, r)
	}
	b.Auction += firstAuctionID
	// The second person of the block, so that hot bidders and hot sellers
	// differ. The reference adds firstPersonID twice here (bidders from 2000
	// on, never matching a person); we add it once, as Feldera does.
	if r.intn(hotBidderRatio) > 0 {
		b.Bidder = lastBase0PersonID(n)/hotBlock*hotBlock + 1
	} else {
		b.Bidder = randomBase0PersonID(n, r)
	}
	b.Bidder += firstPersonID
	b.Price = r.price()
	if r.intn(hotChannelRatio) > 0 {
		i := r.intn(int64(len(g.pools.hotChannels)))
		b.Channel, b.URL = g.pools.hotChannels[i], g.pools.hotURLs[i]
	} else {
		i := r.intn(channelCount)
		b.Channel, b.URL = g.pools.channels[i], g.pools.urls[i]
	}
	b.DateTime = t
	// The reference counts a bid as its four numbers, not its channel and URL.
	b.Extra = g.extra(r, 8+8+8+8, avgBidBytes)
}

// lastBase0PersonID is the id (from 0) of the latest person at event n: n's own
// if n is a person.
func lastBase0PersonID(n int64) int64 {
	epoch, offset := n/totalProportion, n%totalProportion
	if offset >= personProportion {
		offset = personProportion - 1
	}
	return epoch*personProportion + offset
}

// lastBase0AuctionID is the id (from 0) of the latest auction at event n: n's
// own if n is an auction. It is -1 before the first auction.
func lastBase0AuctionID(n int64) int64 {
	epoch, offset := n/totalProportion, n%totalProportion
	switch {
	case offset < personProportion:
		epoch--
		offset = auctionProportion - 1
	case offset >= personProportion+auctionProportion:
		offset = auctionProportion - 1
	default:
		offset -= personProportion
	}
	return epoch*auctionProportion + offset
}

// randomBase0PersonID is one of the last numActivePeople people, or of the next
// personIDLead ones (which makes some events appear before the person they name).
func randomBase0PersonID(n int64, r *random) int64 {
	people := lastBase0PersonID(n) + 1
	active := min(people, numActivePeople)
	return people - active + r.intn(active+personIDLead)
}

// randomBase0AuctionID is one of the last numInFlightAuction auctions or of the
// next auctionIDLead ones.
func randomBase0AuctionID(n int64, r *random) int64 {
	last := lastBase0AuctionID(n)
	first := max(last-numInFlightAuction, 0)
	return first + r.intn(last-first+1+auctionIDLead)
}

// text is the reference's nextString: [3, maxLength) lowercase letters with 1 in
// 13 spaces, trimmed.
func (g *Generator) text(r *random, maxLength int64) string {
	length := minStringLength + r.intn(maxLength-minStringLength)
	start := r.intn(poolSpan)
	return strings.Trim(g.pools.text[start:start+length], " ")
}

// extra pads an event whose other fields count size bytes to an average of
// average bytes, +-20% of the padding, as the reference's nextExtra.
func (g *Generator) extra(r *random, size, average int) string {
	if size > average {
		return ""
	}
	padding := average - size
	// round(padding * 0.2) in integers: padding/5 is never half-way
	delta := (padding + 2) / 5
	length := padding - delta
	if delta > 0 {
		length += int(r.intn(int64(2 * delta)))
	}
	start := r.intn(poolSpan)
	return g.pools.letters[start : start+int64(length)]
}
