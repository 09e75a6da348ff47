package baseline

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// bids returns every bid of cfg, in generation order.
func bids(t testing.TB, cfg nexmark.Config) (all []nexmark.Bid, events int64) {
	t.Helper()
	g, err := nexmark.NewGenerator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var ev nexmark.Event
	for g.Next(&ev) {
		events++
		if ev.Kind == nexmark.KindBid {
			all = append(all, ev.Bid)
		}
	}
	return all, events
}

// The reference answers below are the batch queries, written the obvious way
// over all bids at once. Over a bounded, in-order (or nearly in-order) input no
// bid is late, so a streaming query must give the same rows.

func batchQ0(all []nexmark.Bid) (out sink) {
	for _, b := range all {
		out.emit(hashInt(hashInt(hashInt(hashInt(hashInt(hashStart, b.Auction), b.Bidder), b.Price), b.DateTime), int64(len(b.Extra))))
	}
	return out
}

func batchQ1(all []nexmark.Bid) (out sink) {
	for _, b := range all {
		out.emit(hashInt(hashInt(hashInt(hashInt(hashInt(hashStart, b.Auction), b.Bidder), b.Price*908), b.DateTime), int64(len(b.Extra))))
	}
	return out
}

func batchQ2(all []nexmark.Bid) (out sink) {
	for _, b := range all {
		if b.Auction%123 == 0 {
			out.emit(hashInt(hashInt(hashStart, b.Auction), b.Price))
		}
	}
	return out
}

// batchQ5 assigns each bid to its 5 hopping windows directly.
func batchQ5(all []nexmark.Bid) (out sink) {
	counts := map[int64]map[int64]int64{} // window start -> auction -> bids
	for _, b := range all {
		last := floorTo(b.DateTime, hopSlide)
		for start := last - windowSize + hopSlide; start <= last; start += hopSlide {
			if counts[start] == nil {
				counts[start] = map[int64]int64{}
			}
			counts[start][b.Auction]++
		}
	}
	for _, window := range counts {
		var most int64
		for _, n := range window {
			most = max(most, n)
		}
		for auction, n := range window {
			if n == most {
				out.emit(hashInt(hashInt(hashStart, auction), n))
			}
		}
	}
	return out
}

func batchQ7(all []nexmark.Bid) (out sink) {
	maxPrice := map[int64]int64{}
	for _, b := range all {
		start := floorTo(b.DateTime, windowSize)
		maxPrice[start] = max(maxPrice[start], b.Price)
	}
	for _, b := range all {
		if b.Price == maxPrice[floorTo(b.DateTime, windowSize)] {
			out.emit(hashInt(hashInt(hashInt(hashInt(hashInt(hashStart, b.Auction), b.Price), b.Bidder), b.DateTime), int64(len(b.Extra))))
		}
	}
	return out
}

func TestQueriesMatchBatchAnswers(t *testing.T) {
	batch := map[string]func([]nexmark.Bid) sink{
		"q0": batchQ0, "q1": batchQ1, "q2": batchQ2, "q5": batchQ5, "q7": batchQ7, "q15": batchQ15, "q16": batchQ16,
	}
	configs := []nexmark.Config{
		// Many windows: 30 s of event time.
		{Events: 30_000, Rate: 1000, Seed: 1},
		// Few, crowded windows, with windows closing while bids arrive.
		{Events: 60_000, Rate: 5000, Seed: 2},
		// Out of order within groups of 1001 events (0.5 s at this rate), which
		// straddle window boundaries.
		{Events: 40_000, Rate: 2000, Seed: 3, OutOfOrderGroupSize: 1001},
		// The benchmark's density: everything in one pane.
		{Events: 50_000, Seed: 4},
	}
	for _, cfg := range configs {
		all, events := bids(t, cfg)
		for query, reference := range batch {
			want := reference(all).result(events)
			got, err := Run(query, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s over %+v: got %+v, want %+v", query, cfg, got, want)
			}
			if want.Rows == 0 {
				t.Errorf("%s over %+v: no rows; the test checks nothing", query, cfg)
			}
		}
	}
}

func TestQ5HotItemsByHand(t *testing.T) {
	const s = 1_000_000 // µs
	q := newQ5ForTest()
	for _, b := range []struct{ auction, t int64 }{
		{1, 1 * s}, {2, 3 * s}, {1, 9 * s}, {2, 11 * s}, {3, 19 * s},
	} {
		q.bid(b.auction, b.t)
	}
	// The watermark is now 15 s, so the windows ending at 2..14 s have closed:
	// [-8,2) {1}; [-6,4), [-4,6), [-2,8) {1,2} tied; [0,10) {1: 2 bids};
	// [2,12) {2: 2 bids}; [4,14) {1,2} tied.
	if got, want := q.out.rows, int64(1+2+2+2+1+1+2); got != want {
		t.Errorf("%d rows before end of input, want %d", got, want)
	}
	q.closeAll()
	// End of input closes [6,16), [8,18) {1,2}; [10,20) {2,3}; then [12,22)
	// to [18,28) {3}.
	if got, want := q.out.rows, int64(11+2+2+2+1+1+1+1); got != want {
		t.Errorf("%d rows in all, want %d", got, want)
	}
	// A bid whose every window has closed is late.
	q.bid(4, 1*s)
	if q.late != 1 || q.out.rows != 21 {
		t.Errorf("late = %d, rows = %d after a late bid, want 1 and 21", q.late, q.out.rows)
	}
}

func TestQ7HighestBidByHand(t *testing.T) {
	const s = 1_000_000 // µs
	q := &q7{windows: map[int64]*q7Window{}, closedEnd: -1 << 63, nextEnd: 1<<63 - 1, maxTime: -1 << 63}
	for _, b := range []nexmark.Bid{
		{Auction: 1, Price: 500, DateTime: 1 * s},
		{Auction: 2, Price: 700, DateTime: 2 * s},
		{Auction: 3, Price: 100, DateTime: 12 * s}, // watermark 8 s: [0,10) stays open
		{Auction: 4, Price: 700, DateTime: 9 * s},  // out of order, not late: ties the max
		{Auction: 5, Price: 300, DateTime: 15 * s}, // watermark 11 s: [0,10) closes
		{Auction: 6, Price: 900, DateTime: 5 * s},  // late: would have been the max
	} {
		q.bid(&b)
	}
	if q.out.rows != 2 || q.late != 1 {
		t.Errorf("rows = %d, late = %d before end of input, want 2 and 1", q.out.rows, q.late)
	}
	want := sink{}
	for _, b := range []nexmark.Bid{{Auction: 2, Price: 700, DateTime: 2 * s}, {Auction: 4, Price: 700, DateTime: 9 * s}} {
		want.emit(hashInt(hashInt(hashInt(hashInt(hashInt(hashStart, b.Auction), b.Price), b.Bidder), b.DateTime), 0))
	}
	if q.out != want {
		t.Errorf("window [0,10) emitted %+v, want the two bids at 700 (%+v)", q.out, want)
	}
	q.closeAll()
	if q.out.rows != 3 {
		t.Errorf("rows = %d after end of input, want 3", q.out.rows)
	}
}

func newQ5ForTest() *q5 {
	q := &q5{}
	*q = q5{panes: map[int64]map[int64]int64{}, window: map[int64]int64{}}
	q.closedEnd, q.nextEnd, q.maxTime = -1<<63, 1<<63-1, -1<<63
	return q
}

func TestRunRejectsUnknownQueries(t *testing.T) {
	if _, err := Run("q99", nexmark.Config{Events: 10}); err == nil || !strings.Contains(err.Error(), "q99") {
		t.Errorf("Run(q99) = %v, want an error naming it", err)
	}
	if _, err := Run("q0", nexmark.Config{Events: -1}); err == nil {
		t.Error("Run with a bad config succeeded")
	}
}

func TestRunAllocatesLittle(t *testing.T) {
	// Stateless queries allocate nothing per event; q5 and q7 only as their
	// state grows (map buckets), not per event.
	for _, query := range []string{"q0", "q1", "q2"} {
		allocs := testing.AllocsPerRun(3, func() { _, _ = Run(query, nexmark.Config{Events: 100_000}) })
		if allocs > 20 {
			t.Errorf("%s: %v allocations for 100000 events", query, allocs)
		}
	}
}

func benchmarkQuery(b *testing.B, query string) {
	b.ReportAllocs()
	var res Result
	for b.Loop() {
		var err error
		// One run over b.N... would change the state size with b.N; a fixed
		// run of 1M events per iteration keeps the figures comparable.
		res, err = Run(query, nexmark.Config{Events: 1_000_000})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(res.Rows), "rows/op")
}

func BenchmarkGeneratorOnly(b *testing.B) { benchmarkQuery(b, "gen") }
func BenchmarkQ0(b *testing.B)            { benchmarkQuery(b, "q0") }
func BenchmarkQ1(b *testing.B)            { benchmarkQuery(b, "q1") }
func BenchmarkQ2(b *testing.B)            { benchmarkQuery(b, "q2") }
func BenchmarkQ5(b *testing.B)            { benchmarkQuery(b, "q5") }
func BenchmarkQ7(b *testing.B)            { benchmarkQuery(b, "q7") }

// batchQ15 is q15 the obvious way: a set per (day, column, rank).
func batchQ15(all []nexmark.Bid) (out sink) {
	type key struct {
		day  int64
		rank int
	}
	bidsOf, bidders, auctions := map[key]int64{}, map[key]map[int64]bool{}, map[key]map[int64]bool{}
	var days []int64
	seenDay := map[int64]bool{}
	for _, b := range all {
		day := floorTo(b.DateTime, 86_400_000_000)
		if !seenDay[day] {
			seenDay[day] = true
			days = append(days, day)
		}
		rank := 3
		if b.Price < 10_000 {
			rank = 1
		} else if b.Price < 1_000_000 {
			rank = 2
		}
		for _, r := range []int{0, rank} {
			k := key{day, r}
			bidsOf[k]++
			if bidders[k] == nil {
				bidders[k], auctions[k] = map[int64]bool{}, map[int64]bool{}
			}
			bidders[k][b.Bidder], auctions[k][b.Auction] = true, true
		}
	}
	for _, day := range days {
		h := hashInt(hashStart, int64(len("2006-01-02")))
		for _, m := range []func(key) int64{
			func(k key) int64 { return bidsOf[k] },
			func(k key) int64 { return int64(len(bidders[k])) },
			func(k key) int64 { return int64(len(auctions[k])) },
		} {
			for r := 0; r < 4; r++ {
				h = hashInt(h, m(key{day, r}))
			}
		}
		out.emit(h)
	}
	return out
}

// batchQ16 is q16 the obvious way: q15's sets per (channel, day, rank),
// groups in order of their first bid.
func batchQ16(all []nexmark.Bid) (out sink) {
	type group struct {
		channel string
		day     int64
	}
	type key struct {
		g    group
		rank int
	}
	bidsOf, bidders, auctions := map[key]int64{}, map[key]map[int64]bool{}, map[key]map[int64]bool{}
	latest := map[group]string{}
	var groups []group
	for _, b := range all {
		g := group{b.Channel, floorTo(b.DateTime, 86_400_000_000)}
		minute := time.UnixMicro(b.DateTime).UTC().Format("15:04")
		if m, ok := latest[g]; !ok {
			groups = append(groups, g)
			latest[g] = minute
		} else if minute > m {
			latest[g] = minute
		}
		rank := 3
		if b.Price < 10_000 {
			rank = 1
		} else if b.Price < 1_000_000 {
			rank = 2
		}
		for _, r := range []int{0, rank} {
			k := key{g, r}
			bidsOf[k]++
			if bidders[k] == nil {
				bidders[k], auctions[k] = map[int64]bool{}, map[int64]bool{}
			}
			bidders[k][b.Bidder], auctions[k][b.Auction] = true, true
		}
	}
	for _, g := range groups {
		var d q15Day
		for r := 0; r < 4; r++ {
			k := key{g, r}
			d.bids[r], d.nBidders[r], d.nAuction[r] = bidsOf[k], int64(len(bidders[k])), int64(len(auctions[k]))
		}
		out.emit(q16Hash(g.channel, time.UnixMicro(g.day).UTC().Format("2006-01-02"), latest[g], d))
	}
	return out
}

// TestQ11MatchesBatchSessions: q11's sessions are those of each bidder's
// bids sorted by time and cut where two bids are more than 10 s apart.
func TestQ11MatchesBatchSessions(t *testing.T) {
	for _, cfg := range []nexmark.Config{{Events: 200_000, Rate: 100, Seed: 1}, {Events: 100_000, Rate: 2000, Seed: 2}, {Events: 50_000, Seed: 3}} {
		all, events := bids(t, cfg)
		times := map[int64][]int64{}
		for _, b := range all {
			times[b.Bidder] = append(times[b.Bidder], b.DateTime)
		}
		var want sink
		sessions := 0
		for bidder, ts := range times {
			slices.Sort(ts)
			s := q11Session{start: ts[0], end: ts[0] + q11Gap, count: 1}
			for _, t := range ts[1:] {
				if t > s.end { // more than 10 s after the last bid
					want.emit(hashQ11(bidder, &s))
					sessions++
					s = q11Session{start: t, end: t, count: 0}
				}
				s.end, s.count = t+q11Gap, s.count+1
			}
			want.emit(hashQ11(bidder, &s))
			sessions++
		}
		got, err := Run("q11", cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got != want.result(events) {
			t.Errorf("q11 over %+v: got %+v, want %+v", cfg, got, want.result(events))
		}
		if sessions <= len(times) && cfg.Rate == 100 {
			t.Errorf("q11 over %+v: %d sessions of %d bidders: no bidder has two, the test checks little", cfg, sessions, len(times))
		}
	}
}

// TestQ20MatchesBatchJoin: q20's streaming join gives the pairs of the batch
// join of all bids with all category-10 auctions.
func TestQ20MatchesBatchJoin(t *testing.T) {
	cfg := nexmark.Config{Events: 50_000, Rate: 1000, Seed: 5}
	g, err := nexmark.NewGenerator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var all []nexmark.Bid
	byID := map[int64][]nexmark.Auction{}
	var ev nexmark.Event
	var events int64
	for g.Next(&ev) {
		events++
		switch ev.Kind {
		case nexmark.KindBid:
			all = append(all, ev.Bid)
		case nexmark.KindAuction:
			if ev.Auction.Category == 10 {
				byID[ev.Auction.ID] = append(byID[ev.Auction.ID], ev.Auction)
			}
		}
	}
	var want sink
	for i := range all {
		for j := range byID[all[i].Auction] {
			want.emit(q20Hash(&all[i], &byID[all[i].Auction][j]))
		}
	}
	got, err := Run("q20", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if w := want.result(events); got != w || w.Rows == 0 {
		t.Errorf("q20: got %+v, want %+v", got, w)
	}
}
