package nexmark

import (
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

func mustGenerator(t testing.TB, cfg Config) *Generator {
	t.Helper()
	g, err := NewGenerator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// sameEvent compares the members that Kind names.
func sameEvent(a, b Event) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case KindPerson:
		return a.Person == b.Person
	case KindAuction:
		return a.Auction == b.Auction
	}
	return a.Bid == b.Bid
}

// each calls f with every event of g and its index in g's output.
func each(g *Generator, f func(i int64, ev *Event)) {
	var ev Event
	for i := int64(0); g.Next(&ev); i++ {
		f(i, &ev)
	}
}

// collect returns every event of g.
func collect(t testing.TB, g *Generator) []Event {
	t.Helper()
	var events []Event
	var ev Event
	for g.Next(&ev) {
		events = append(events, ev)
	}
	return events
}

func TestKindMix(t *testing.T) {
	events := collect(t, mustGenerator(t, Config{Events: 50_000}))
	if len(events) != 50_000 {
		t.Fatalf("got %d events, want 50000", len(events))
	}
	counts := map[Kind]int{}
	for i, ev := range events {
		counts[ev.Kind]++
		want := KindBid
		switch i % 50 {
		case 0:
			want = KindPerson
		case 1, 2, 3:
			want = KindAuction
		}
		if ev.Kind != want {
			t.Fatalf("event %d is a %v, want a %v", i, ev.Kind, want)
		}
	}
	if counts[KindPerson] != 1000 || counts[KindAuction] != 3000 || counts[KindBid] != 46000 {
		t.Errorf("kind counts %v, want 1000 people, 3000 auctions, 46000 bids", counts)
	}
}

func TestIDRanges(t *testing.T) {
	var people, auctions int64 // generated so far
	each(mustGenerator(t, Config{Events: 200_000}), func(i int64, ev *Event) {
		switch ev.Kind {
		case KindPerson:
			if want := firstPersonID + people; ev.Person.ID != want {
				t.Fatalf("event %d: person id %d, want %d", i, ev.Person.ID, want)
			}
			people++
		case KindAuction:
			a := ev.Auction
			if want := firstAuctionID + auctions; a.ID != want {
				t.Fatalf("event %d: auction id %d, want %d", i, a.ID, want)
			}
			auctions++
			checkPersonID(t, i, "seller", a.Seller, people)
			if a.Category < 10 || a.Category >= 15 {
				t.Fatalf("event %d: category %d outside [10, 15)", i, a.Category)
			}
			if a.Reserve < a.InitialBid {
				t.Fatalf("event %d: reserve %d below initial bid %d", i, a.Reserve, a.InitialBid)
			}
		case KindBid:
			b := ev.Bid
			lo := firstAuctionID + max(auctions-1-numInFlightAuction, 0)
			hi := firstAuctionID + auctions - 1 + auctionIDLead
			if b.Auction < lo || b.Auction > hi {
				t.Fatalf("event %d: auction %d outside [%d, %d]", i, b.Auction, lo, hi)
			}
			checkPersonID(t, i, "bidder", b.Bidder, people)
		}
	})
}

// checkPersonID checks that id is one of the last 1000 people or the next 10.
func checkPersonID(t *testing.T, event int64, what string, id, people int64) {
	t.Helper()
	lo := firstPersonID + people - min(people, numActivePeople)
	hi := firstPersonID + people - 1 + personIDLead
	if id < lo || id > hi {
		t.Fatalf("event %d: %s %d outside [%d, %d]", event, what, id, lo, hi)
	}
}

func TestHotKeyShares(t *testing.T) {
	var bids, hotAuction, hotBidder, hotChannel, auctions, hotSeller float64
	each(mustGenerator(t, Config{Events: 500_000, Seed: 7}), func(n int64, ev *Event) {
		switch ev.Kind {
		case KindAuction:
			auctions++
			if ev.Auction.Seller == firstPersonID+lastBase0PersonID(n)/hotBlock*hotBlock {
				hotSeller++
			}
		case KindBid:
			bids++
			b := ev.Bid
			if b.Auction == firstAuctionID+lastBase0AuctionID(n)/hotBlock*hotBlock {
				hotAuction++
			}
			if b.Bidder == firstPersonID+lastBase0PersonID(n)/hotBlock*hotBlock+1 {
				hotBidder++
			}
			for _, c := range hotChannels {
				if b.Channel == c {
					hotChannel++
				}
			}
		}
	})
	// The hot path has probability 1 - 1/ratio; a uniform draw adds a little
	// (at most 1/110 of the rest for auctions, 1/1010 for people).
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"hot auction", hotAuction / bids, 0.5},
		{"hot bidder", hotBidder / bids, 0.75},
		{"hot seller", hotSeller / auctions, 0.75},
		{"hot channel", hotChannel / bids, 0.5},
	} {
		if c.got < c.want-0.01 || c.got > c.want+0.015 {
			t.Errorf("%s share %.4f, want about %.2f", c.name, c.got, c.want)
		}
	}
}

func TestPrices(t *testing.T) {
	var bids, belowMedian, belowTenth int
	each(mustGenerator(t, Config{Events: 200_000}), func(_ int64, ev *Event) {
		if ev.Kind != KindBid {
			return
		}
		p := ev.Bid.Price
		if p < 100 || p > 100_000_000 {
			t.Fatalf("price %d outside [$1, $1M] in cents", p)
		}
		bids++
		if p < 100_000 { // 10^(6*0.5)*100
			belowMedian++
		}
		if p < 398 { // ~10^(6*0.1)*100
			belowTenth++
		}
	})
	// Log-uniform: half the prices are below $1000, a tenth below ~$3.98.
	if f := float64(belowMedian) / float64(bids); math.Abs(f-0.5) > 0.01 {
		t.Errorf("share of prices below $1000: %.4f, want 0.5", f)
	}
	if f := float64(belowTenth) / float64(bids); math.Abs(f-0.1) > 0.01 {
		t.Errorf("share of prices below $3.98: %.4f, want 0.1", f)
	}
}

func TestEventSizes(t *testing.T) {
	events := collect(t, mustGenerator(t, Config{Events: 100_000, Seed: 3}))
	sum := map[Kind]float64{}
	count := map[Kind]float64{}
	for _, ev := range events {
		var size int // as the reference counts it
		switch ev.Kind {
		case KindPerson:
			p := ev.Person
			size = 8 + len(p.Name) + len(p.EmailAddress) + len(p.CreditCard) + len(p.City) + len(p.State) + len(p.Extra)
		case KindAuction:
			a := ev.Auction
			size = 8 + len(a.ItemName) + len(a.Description) + 40 + len(a.Extra)
		case KindBid:
			size = 32 + len(ev.Bid.Extra)
		}
		sum[ev.Kind] += float64(size)
		count[ev.Kind]++
	}
	for kind, want := range map[Kind]float64{KindPerson: 200, KindAuction: 500, KindBid: 100} {
		got := sum[kind] / count[kind]
		if math.Abs(got-want) > 0.05*want {
			t.Errorf("average %v size %.1f, want %v +-5%%", kind, got, want)
		}
	}
}

var (
	emailPattern = regexp.MustCompile(`^([a-z]([a-z ]*[a-z])?)?@([a-z]([a-z ]*[a-z])?)?\.com$`)
	cardPattern  = regexp.MustCompile(`^\d{4} \d{4} \d{4} \d{4}$`)
	urlPattern   = regexp.MustCompile(`^https://www\.nexmark\.com/[a-z_]{3,4}/[a-z_]{3,4}/[a-z_]{3,4}/item\.htm\?query=1(&channel_id=\d+)?$`)
)

func TestFieldShapes(t *testing.T) {
	states := strings.Join(usStates, ",")
	events := collect(t, mustGenerator(t, Config{Events: 20_000}))
	for _, ev := range events {
		switch ev.Kind {
		case KindPerson:
			p := ev.Person
			if !emailPattern.MatchString(p.EmailAddress) {
				t.Fatalf("email %q", p.EmailAddress)
			}
			if !cardPattern.MatchString(p.CreditCard) {
				t.Fatalf("credit card %q", p.CreditCard)
			}
			if !strings.Contains(states, p.State) || len(strings.Fields(p.Name)) != 2 {
				t.Fatalf("person %+v", p)
			}
		case KindAuction:
			a := ev.Auction
			if len(a.ItemName) >= 20 || len(a.Description) >= 100 || strings.TrimSpace(a.ItemName) != a.ItemName {
				t.Fatalf("item name %q, description %q", a.ItemName, a.Description)
			}
		case KindBid:
			b := ev.Bid
			if !urlPattern.MatchString(b.URL) {
				t.Fatalf("url %q", b.URL)
			}
			if !strings.HasPrefix(b.Channel, "channel-") && strings.Contains(b.URL, "&") {
				t.Fatalf("hot channel %q with a channel_id url %q", b.Channel, b.URL)
			}
		}
	}
	withID := 0
	for _, u := range pools().urls {
		if strings.Contains(u, "&channel_id=") {
			withID++
		}
	}
	if withID < 8800 || withID > 9200 {
		t.Errorf("%d of 10000 channel URLs have a channel_id, want about 9000", withID)
	}
	if got := channelID(1); got != 1<<31 {
		t.Errorf("channelID(1) = %d, want %d", got, int64(1)<<31)
	}
}

func TestDeterminism(t *testing.T) {
	a := collect(t, mustGenerator(t, Config{Events: 5000, Seed: 42}))
	b := collect(t, mustGenerator(t, Config{Events: 5000, Seed: 42}))
	c := collect(t, mustGenerator(t, Config{Events: 5000, Seed: 43}))
	differ := 0
	for i := range a {
		if !sameEvent(a[i], b[i]) {
			t.Fatalf("event %d differs for the same seed:\n%+v\n%+v", i, a[i], b[i])
		}
		if !sameEvent(a[i], c[i]) {
			differ++
		}
	}
	if differ < 4900 {
		t.Errorf("only %d of 5000 events differ between seeds 42 and 43", differ)
	}
}

func TestPartitionsUnionIsTheStream(t *testing.T) {
	for _, c := range []struct {
		events     int64
		partitions int
		group      int
	}{
		{1000, 1, 1},
		{1000, 2, 1},
		{1001, 3, 1},
		{997, 7, 1},
		{1000, 4, 9}, // out of order, with a short last group
		{5, 8, 1},    // more partitions than events
	} {
		single := collect(t, mustGenerator(t, Config{Events: c.events, Seed: 1, OutOfOrderGroupSize: c.group}))
		total := 0
		for p := range c.partitions {
			part := collect(t, mustGenerator(t, Config{Events: c.events, Seed: 1, OutOfOrderGroupSize: c.group, Partitions: c.partitions, Partition: p}))
			total += len(part)
			// Partition p's k-th event is the stream's event at position p + k*partitions.
			for k, ev := range part {
				if pos := p + k*c.partitions; !sameEvent(ev, single[pos]) {
					t.Fatalf("%+v: partition %d event %d differs from the stream's event %d", c, p, k, pos)
				}
			}
		}
		if total != int(c.events) {
			t.Errorf("%+v: partitions generated %d events, want %d", c, total, c.events)
		}
	}
}

func TestOutOfOrderPermutesWithinGroups(t *testing.T) {
	for _, c := range []struct {
		events int64
		group  int
	}{{1000, 1}, {1000, 10}, {1003, 10}, {1000, 7}, {2000, 1000}, {1953, 1000}} {
		g := mustGenerator(t, Config{Events: c.events, OutOfOrderGroupSize: c.group})
		seen := make([]bool, c.events)
		displaced := 0
		for pos := range c.events {
			n := g.eventNumber(pos)
			if n < 0 || n >= c.events || seen[n] {
				t.Fatalf("%+v: position %d maps to %d, out of range or repeated", c, pos, n)
			}
			if n/int64(c.group) != pos/int64(c.group) {
				t.Fatalf("%+v: position %d maps to %d, outside its group", c, pos, n)
			}
			seen[n] = true
			if n != pos {
				displaced++
			}
		}
		if (c.group > 1) != (displaced > 0) {
			t.Errorf("%+v: %d events out of order", c, displaced)
		}
	}
}

func TestEventTimes(t *testing.T) {
	base := time.Date(2015, 7, 15, 0, 0, 0, 0, time.UTC).UnixMicro()
	if base != DefaultBaseTime {
		t.Fatalf("DefaultBaseTime %d, want %d", DefaultBaseTime, base)
	}
	for _, c := range []struct {
		rate  float64
		n     int64
		delta int64
	}{
		{0, 10, 1}, // default rate 10M/s: 10 events per µs
		{0, 9, 0},
		{0, 100_000_000, 10_000_000},
		{100_000, 1, 10},
		{100_000, 100_000, 1_000_000},
		{3, 1, 333_333},
		{3, 3, 1_000_000},
		{1e6, 30, 30},
	} {
		g := mustGenerator(t, Config{Rate: c.rate})
		var ev Event
		g.Fill(c.n, &ev)
		if got := ev.DateTime() - base; got != c.delta {
			t.Errorf("rate %v event %d: time base%+d µs, want base%+d", c.rate, c.n, got, c.delta)
		}
	}
	// In order, times never decrease; auctions expire after they open.
	g := mustGenerator(t, Config{Events: 20_000, Rate: 1000, BaseTime: 5})
	var ev Event
	last := int64(math.MinInt64)
	for g.Next(&ev) {
		if ev.DateTime() < last {
			t.Fatalf("time went back from %d to %d", last, ev.DateTime())
		}
		last = ev.DateTime()
		if ev.Kind == KindAuction {
			horizon := int64(1666 * 1000) // 1666 events at 1000 events/s, in µs
			if d := ev.Auction.Expires - ev.Auction.DateTime; d < 1 || d > 2*horizon {
				t.Fatalf("auction lasts %d µs, want [1, %d]", d, 2*horizon)
			}
		}
	}
	if want := int64(5 + 19_999*1000); last != want {
		t.Errorf("last event time %d, want %d", last, want)
	}
}

func TestNextAllocatesNothing(t *testing.T) {
	g := mustGenerator(t, Config{})
	var ev Event
	if allocs := testing.AllocsPerRun(10_000, func() { g.Next(&ev) }); allocs != 0 {
		t.Errorf("Next allocates %v times per event, want 0", allocs)
	}
}

func TestNewGeneratorRejects(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Events: -1}, "Events"},
		{Config{Rate: -5}, "Rate"},
		{Config{Rate: math.NaN()}, "Rate"},
		{Config{Rate: math.Inf(1)}, "Rate"},
		{Config{Partitions: -1}, "Partitions"},
		{Config{Partitions: 2, Partition: 2}, "Partition"},
		{Config{Partition: -1}, "Partition"},
		{Config{OutOfOrderGroupSize: -3}, "OutOfOrderGroupSize"},
		{Config{OutOfOrderGroupSize: 953 * 2}, "OutOfOrderGroupSize"},
	} {
		_, err := NewGenerator(c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewGenerator(%+v) = %v, want an error naming %s", c.cfg, err, c.want)
		}
	}
}

func FuzzFill(f *testing.F) {
	f.Add(int64(0), int64(0), 10_000_000.0)
	f.Add(int64(-1), int64(1<<40), 1.0)
	f.Add(int64(99), int64(123_456_789), 100_000.0)
	f.Fuzz(func(t *testing.T, seed, n int64, rate float64) {
		if n < 0 || n > 1<<50 || !(rate >= 1e-3) || rate > 1e12 {
			return
		}
		g, err := NewGenerator(Config{Seed: seed, Rate: rate})
		if err != nil {
			t.Fatal(err)
		}
		var a, b Event
		g.Fill(n, &a)
		g.Fill(n, &b)
		if !sameEvent(a, b) {
			t.Fatalf("event %d is not a function of (seed, n)", n)
		}
		switch a.Kind {
		case KindAuction:
			if a.Auction.Expires <= a.Auction.DateTime || a.Auction.Category < 10 || a.Auction.Category > 14 {
				t.Fatalf("auction %+v", a.Auction)
			}
		case KindBid:
			if a.Bid.Price < 100 || a.Bid.Price > 1e8 || a.Bid.Auction < firstAuctionID || a.Bid.Bidder < firstPersonID {
				t.Fatalf("bid %+v", a.Bid)
			}
		}
	})
}

func BenchmarkGenerator(b *testing.B) {
	g := mustGenerator(b, Config{})
	var ev Event
	var sink int64
	b.ReportAllocs()
	for b.Loop() {
		g.Next(&ev)
		sink += ev.DateTime()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	_ = sink
}

func TestPow10x6MatchesMathPow(t *testing.T) {
	r := random{state: 1}
	for i := range 1_000_000 {
		u := r.float()
		if i < 3 {
			u = []float64{0, 0.5, 1 - 0x1p-53}[i]
		}
		want := math.Pow(10, 6*u)
		if got := pow10x6(u); math.Abs(got-want) > 1e-14*want {
			t.Fatalf("pow10x6(%v) = %v, want %v", u, got, want)
		}
	}
}

// TestNextBatch: NextBatch fills what Next would, batch after batch, over
// partitions and out-of-order groups, and counts the events of its kind.
func TestNextBatch(t *testing.T) {
	for _, cfg := range []Config{
		{Events: 1000, Seed: 3},
		{Events: 1001, Seed: 3, OutOfOrderGroupSize: 7},
		{Events: 1000, Seed: 3, Partitions: 3, Partition: 1},
	} {
		want := collect(t, mustGenerator(t, cfg))
		for _, kind := range []Kind{0, KindBid, KindAuction} {
			g := mustGenerator(t, cfg)
			var got []Event
			buf := make([]Event, 64)
			for {
				n, kept := g.NextBatch(buf, kind)
				k := 0
				for _, e := range buf[:n] {
					if kind == 0 || e.Kind == kind {
						k++
					}
				}
				if kept != k {
					t.Fatalf("%+v kind %v: kept %d of a batch holding %d", cfg, kind, kept, k)
				}
				got = append(got, buf[:n]...)
				if n < len(buf) {
					break
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%+v: %d events, want %d", cfg, len(got), len(want))
			}
			for i := range got {
				if !sameEvent(got[i], want[i]) {
					t.Fatalf("%+v: event %d is %+v, want %+v", cfg, i, got[i], want[i])
				}
			}
		}
	}
}

// TestNextOfKind: NextOfKind goes past the events Next would give and keeps
// those of its kind, the same events, in order and across the stream's end,
// in order or not, on one partition of several or the whole stream.
func TestNextOfKind(t *testing.T) {
	for _, cfg := range []Config{
		{Events: 5003, Seed: 3},
		{Events: 5003, Seed: 3, OutOfOrderGroupSize: 10},
		{Events: 5003, Seed: 3, Partitions: 3, Partition: 1},
	} {
		for _, kind := range []Kind{0, KindPerson, KindAuction, KindBid} {
			all, err := NewGenerator(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var want []Event
			for ev := (Event{}); all.Next(&ev); ev = (Event{}) {
				if kind == 0 || ev.Kind == kind {
					want = append(want, ev)
				}
			}
			g, _ := NewGenerator(cfg)
			var got []Event
			went := 0
			for i := 0; ; i++ {
				count := 1 + i*37%700
				evs := make([]Event, count)
				n, kept := g.NextOfKind(evs, kind, count)
				went += n
				got = append(got, evs[:kept]...)
				if n < count {
					break
				}
			}
			if went != int(all.Generated()) || g.Generated() != all.Generated() {
				t.Errorf("%+v kind %d: went past %d (generated %d), want %d", cfg, kind, went, g.Generated(), all.Generated())
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%+v kind %d: %d events, want %d, or they differ", cfg, kind, len(got), len(want))
			}
		}
	}
}

// TestSkip: Skip goes past as many events as Next would give, up to the end.
func TestSkip(t *testing.T) {
	for _, cfg := range []Config{{Events: 1000}, {Events: 1000, Partitions: 3, Partition: 2}} {
		g, _ := NewGenerator(cfg)
		all, _ := NewGenerator(cfg)
		var ev Event
		for all.Next(&ev) {
		}
		total := 0
		for {
			n := g.Skip(64)
			total += n
			if n < 64 {
				break
			}
		}
		if int64(total) != all.Generated() || g.Generated() != all.Generated() || g.Next(&ev) {
			t.Errorf("%+v: skipped %d, want %d", cfg, total, all.Generated())
		}
	}
}

// TestSkipOfKind: from any event, SkipOfKind(kind, k) makes the next event
// the k-th of kind that Next would reach, generating none before it.
func TestSkipOfKind(t *testing.T) {
	for _, cfg := range []Config{
		{Events: 2003, Seed: 3},
		{Events: 2003, Seed: 3, OutOfOrderGroupSize: 10},
		{Events: 2003, Seed: 3, Partitions: 3, Partition: 1},
	} {
		all, _ := NewGenerator(cfg)
		var evs []Event
		for ev := (Event{}); all.Next(&ev); ev = (Event{}) {
			evs = append(evs, ev)
		}
		for _, kind := range []Kind{KindPerson, KindAuction, KindBid} {
			g, _ := NewGenerator(cfg)
			for _, from := range []int{0, 1, 3, 4, 49, 50, 51, 577} {
				var want []Event // kind's events from event from
				for _, ev := range evs[from:] {
					if ev.Kind == kind {
						want = append(want, ev)
					}
				}
				for _, k := range []int{0, 1, 2, 3, 45, 46, 47, 100, 333, len(want) - 1, len(want), len(want) + 5} {
					if k < 0 {
						continue
					}
					g.SkipTo(int64(from))
					g.SkipOfKind(kind, k)
					var ev Event
					ok := g.Next(&ev)
					if k >= len(want) {
						if ok {
							t.Errorf("%+v kind %d from %d: event %d of %d is %+v, want none", cfg, kind, from, k, len(want), ev)
						}
						continue
					}
					if !ok || !reflect.DeepEqual(ev, want[k]) {
						t.Errorf("%+v kind %d from %d: event %d is %+v, want %+v", cfg, kind, from, k, ev, want[k])
					}
				}
			}
		}
	}
}
