package nexmark

import (
	"hash/fnv"
	"math"
	"strconv"
	"testing"

	"github.com/laminar-sql/laminar/runtime/immortal"
)

// streamChecksumWant is the checksum of the first 200,000 events of seed 1
// as the generator made them before its arithmetic was made cheaper: every
// speed-up of the generator must leave every event as it was.
const streamChecksumWant = 0x5531cc14b8ff7d00

// TestStreamChecksum: the events of a stream, every field of every kind,
// hash to the same value as they always did.
func TestStreamChecksum(t *testing.T) {
	g, err := NewGenerator(Config{Events: 200_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	h := fnv.New64a()
	var ev Event
	var b []byte
	for g.Next(&ev) {
		b = b[:0]
		switch ev.Kind {
		case KindPerson:
			p := &ev.Person
			b = strconv.AppendInt(b, p.ID, 10)
			b = append(b, p.Name+"|"+p.EmailAddress+"|"+p.CreditCard+"|"+p.City+"|"+p.State+"|"+p.Extra...)
			b = strconv.AppendInt(b, p.DateTime, 10)
		case KindAuction:
			a := &ev.Auction
			for _, v := range []int64{a.ID, a.InitialBid, a.Reserve, a.DateTime, a.Expires, a.Seller, a.Category} {
				b = strconv.AppendInt(append(b, '|'), v, 10)
			}
			b = append(b, a.ItemName+"|"+a.Description+"|"+a.Extra...)
		case KindBid:
			x := &ev.Bid
			for _, v := range []int64{x.Auction, x.Bidder, x.Price, x.DateTime} {
				b = strconv.AppendInt(append(b, '|'), v, 10)
			}
			b = append(b, x.Channel+"|"+x.URL+"|"+x.Extra...)
		}
		h.Write(append(b, '\n'))
	}
	if got := h.Sum64(); got != streamChecksumWant {
		t.Fatalf("the stream's checksum is %#x, want %#x", got, uint64(streamChecksumWant))
	}
}

// TestExtraDeltaInIntegers: extra's (padding+2)/5 is the reference's
// Math.round(padding * 0.2) for every padding an event can have.
func TestExtraDeltaInIntegers(t *testing.T) {
	for p := range 100_000 {
		if got, want := (p+2)/5, int(math.Round(float64(p)*0.2)); got != want {
			t.Fatalf("padding %d: %d, want %d", p, got, want)
		}
	}
}

// TestStringsAreImmortal: every string of every event kind lies in the
// pools registered as immortal (so join state keeps it without a copy).
func TestStringsAreImmortal(t *testing.T) {
	g, err := NewGenerator(Config{Events: 20_000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var ev Event
	for g.Next(&ev) {
		var strs []string
		switch ev.Kind {
		case KindPerson:
			p := &ev.Person
			strs = []string{p.Name, p.EmailAddress, p.CreditCard, p.City, p.State, p.Extra}
		case KindAuction:
			strs = []string{ev.Auction.ItemName, ev.Auction.Description, ev.Auction.Extra}
		case KindBid:
			strs = []string{ev.Bid.Channel, ev.Bid.URL, ev.Bid.Extra}
		}
		for _, s := range strs {
			if s != "" && !immortal.Contains(s) {
				t.Fatalf("%v event: %q is not in the immortal pools", ev.Kind, s)
			}
		}
	}
}
