// Package baseline holds hand-written Go for Nexmark queries: for each query the
// fastest straightforward code a senior engineer would write for that query alone
// (typed structs, plain loops and maps, no framework). It is the ceiling that
// Laminar's generated code is measured against.
//
// Every query reads the nexmark generator in-line (generate an event, process
// it), so its cost includes the generator's, as an engine's does. Results go to
// a discarding sink that counts rows and sums a hash of each row: the sum does
// not depend on emission order, so two implementations of a query that emit the
// same multiset of rows have the same Result.
package baseline

import (
	"fmt"
	"sort"
	"strings"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// Result is what a run of a query produced.
type Result struct {
	Events   int64  // events generated (of every kind)
	Rows     int64  // rows emitted
	Checksum uint64 // sum over the rows of a hash of each row's columns
}

// queries maps a query's name to its implementation. "gen" only generates the
// events, to measure the generator's share of a query's cost.
var queries = map[string]func(g *nexmark.Generator) Result{
	"gen": runGeneratorOnly,
	"q0":  runQ0,
	"q1":  runQ1,
	"q2":  runQ2,
	"q5":  runQ5,
	"q7":  runQ7,
	"q3":  runQ3,
	"q8":  runQ8,
	"q11": runQ11,
	"q15": runQ15,
	"q16": runQ16,
	"q18": runQ18,
	"q9":  runQ9,
	"q20": runQ20,
	// the three-level view chain (queries/chain3.sql)
	"chain3": runChain3,
}

// Queries returns the names Run accepts, sorted.
func Queries() []string {
	names := make([]string, 0, len(queries))
	for name := range queries {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Run runs query over the events that cfg generates. A bounded cfg (Events > 0)
// ends the input, which closes every window; an unbounded one never returns.
func Run(query string, cfg nexmark.Config) (Result, error) {
	run, ok := queries[query]
	if !ok {
		return Result{}, fmt.Errorf("baseline: unknown query %q (known: %s)", query, strings.Join(Queries(), ", "))
	}
	g, err := nexmark.NewGenerator(cfg)
	if err != nil {
		return Result{}, err
	}
	return run(g), nil
}

// sink is the discarding output: it counts rows and sums their hashes.
type sink struct {
	rows int64
	sum  uint64
}

func (s *sink) emit(rowHash uint64) {
	s.rows++
	s.sum += mix64(rowHash)
}

func (s sink) result(events int64) Result {
	return Result{Events: events, Rows: s.rows, Checksum: s.sum}
}

// hashStart and hashInt hash a row column by column (FNV-1a over 64-bit words);
// a string column is hashed by its length, which is what a sink's cost depends on.
const hashStart uint64 = 0xcbf29ce484222325

func hashInt(h uint64, v int64) uint64 { return (h ^ uint64(v)) * 0x100000001b3 }

// mix64 scrambles a row hash before it is summed, so that sums of similar rows
// do not cancel out.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// eachOfKinds calls fn with each event of g's stream that is of one of
// kinds, without generating the others (an event's kind is a function of
// its number), and returns the number of events gone past: eachBatchOfKinds
// event by event.
func eachOfKinds(g *nexmark.Generator, kinds []nexmark.Kind, fn func(ev *nexmark.Event)) int64 {
	return eachBatchOfKinds(g, kinds, func(_ nexmark.Kind, evs []nexmark.Event) {
		for i := range evs {
			fn(&evs[i])
		}
	})
}

// eachBatchOfKinds goes through g's stream in batches of 1,024 events and
// calls fn with each batch's events of each of kinds in turn, in the order
// of kinds, without generating the others: what a compiled job whose
// sources read distinct tables does with its shared Nexmark stream
// (runtime/connector/nexmark.go), so that both do the same work. It returns
// the number of events gone past.
func eachBatchOfKinds(g *nexmark.Generator, kinds []nexmark.Kind, fn func(k nexmark.Kind, evs []nexmark.Event)) int64 {
	const batch = sharedNexmarkBatch
	buf := make([]nexmark.Event, batch)
	var events int64
	for {
		from, n := g.Generated(), 0
		for _, k := range kinds {
			g.SkipTo(from)
			var kept int
			n, kept = g.NextOfKind(buf, k, batch)
			fn(k, buf[:kept])
		}
		if n == 0 {
			return events
		}
		events += int64(n)
	}
}

func runGeneratorOnly(g *nexmark.Generator) Result {
	var ev nexmark.Event
	var events int64
	var out sink
	for g.Next(&ev) {
		events++
	}
	return out.result(events)
}

// runQ0 is the pass-through: every bid's auction, bidder, price, dateTime, extra.
func runQ0(g *nexmark.Generator) Result {
	var ev nexmark.Event
	var events int64
	var out sink
	for g.Next(&ev) {
		events++
		if ev.Kind != nexmark.KindBid {
			continue
		}
		b := &ev.Bid
		out.emit(hashInt(hashInt(hashInt(hashInt(hashInt(hashStart, b.Auction), b.Bidder), b.Price), b.DateTime), int64(len(b.Extra))))
	}
	return out.result(events)
}

// runQ1 is the currency conversion: q0 with price * 0.908. The result is the
// exact DECIMAL value, as its unscaled integer at scale 3 (price*908 means
// price*908/1000), as a DECIMAL(p, 3) column holds it; no float rounding.
func runQ1(g *nexmark.Generator) Result {
	var ev nexmark.Event
	var events int64
	var out sink
	for g.Next(&ev) {
		events++
		if ev.Kind != nexmark.KindBid {
			continue
		}
		b := &ev.Bid
		priceScaled3 := b.Price * 908
		out.emit(hashInt(hashInt(hashInt(hashInt(hashInt(hashStart, b.Auction), b.Bidder), priceScaled3), b.DateTime), int64(len(b.Extra))))
	}
	return out.result(events)
}

// runQ2 is the selection: auction and price of the bids on auctions whose id is
// a multiple of 123.
func runQ2(g *nexmark.Generator) Result {
	var ev nexmark.Event
	var events int64
	var out sink
	for g.Next(&ev) {
		events++
		if ev.Kind != nexmark.KindBid || ev.Bid.Auction%123 != 0 {
			continue
		}
		out.emit(hashInt(hashInt(hashStart, ev.Bid.Auction), ev.Bid.Price))
	}
	return out.result(events)
}

// Event-time constants of q5 and q7, in µs.
const (
	watermarkDelay = 4_000_000  // the suite's watermark: dateTime - 4 s
	windowSize     = 10_000_000 // q5's hop size, q7's tumble size
	hopSlide       = 2_000_000  // q5's hop slide
)

// floorTo rounds t down to a multiple of step (also for negative t).
func floorTo(t, step int64) int64 {
	r := t % step
	if r < 0 {
		r += step
	}
	return t - r
}
