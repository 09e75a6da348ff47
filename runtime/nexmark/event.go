// Package nexmark generates the events of the Nexmark streaming benchmark: people
// who register, open auctions and bid. It follows the semantics of the reference
// generator (the Flink nexmark project's NexmarkGenerator, which Feldera's Rust port
// follows too), so that figures measured over it compare with the published ones.
// docs/nexmark.md lists every parameter and where this generator differs.
//
// Every event is a pure function of (seed, event number): partitions can generate
// disjoint parts of one stream in parallel and their union is exactly the stream
// that a single generator yields. Generation allocates nothing per event: every
// string is a substring of a pool built once per process.
package nexmark

// Kind says which member of an Event is set.
type Kind uint8

const (
	KindPerson Kind = iota + 1
	KindAuction
	KindBid
)

func (k Kind) String() string {
	switch k {
	case KindPerson:
		return "person"
	case KindAuction:
		return "auction"
	case KindBid:
		return "bid"
	}
	return "invalid"
}

// Person is a person who registers on the auction site. Times are
// microseconds since the Unix epoch, UTC.
type Person struct {
	ID           int64
	Name         string
	EmailAddress string
	CreditCard   string
	City         string
	State        string
	DateTime     int64
	Extra        string
}

// Auction is an item put up for auction by a seller (a person id).
type Auction struct {
	ID          int64
	ItemName    string
	Description string
	InitialBid  int64 // cents
	Reserve     int64 // cents
	DateTime    int64
	Expires     int64
	Seller      int64
	Category    int64
	Extra       string
}

// Bid is a bid by a bidder (a person id) on an auction (an auction id).
type Bid struct {
	Auction  int64
	Bidder   int64
	Price    int64 // cents
	Channel  string
	URL      string
	DateTime int64
	Extra    string
}

// Event is one generated event. Only the member named by Kind is filled; the
// others keep whatever an earlier call left in them, so that reusing one Event
// costs nothing.
type Event struct {
	Kind    Kind
	Person  Person
	Auction Auction
	Bid     Bid
}

// DateTime is the event time of whichever member is set.
func (e *Event) DateTime() int64 {
	switch e.Kind {
	case KindPerson:
		return e.Person.DateTime
	case KindAuction:
		return e.Auction.DateTime
	}
	return e.Bid.DateTime
}
