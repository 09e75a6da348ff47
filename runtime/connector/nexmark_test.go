package connector

import (
	"slices"
	"sync"
	"testing"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// readEvents reads a Nexmark source to its end and returns its events.
func readEvents(t *testing.T, s *NexmarkSource) []nexmark.Event {
	t.Helper()
	var out []nexmark.Event
	var b LineBatch
	for {
		more, err := s.Next(&b, 1000)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, (*b.Typed.(*[]nexmark.Event))[:b.TypedLen]...)
		if !more {
			return out
		}
	}
}

// ofKind is the stream of a private generator, kept to one kind's events
// and counted from `from`.
func ofKind(t *testing.T, options map[string]string, kind nexmark.Kind, from int64) []nexmark.Event {
	t.Helper()
	s, err := OpenNexmarkAt(Env{}, options, from)
	if err != nil {
		t.Fatal(err)
	}
	var out []nexmark.Event
	for _, e := range readEvents(t, s) {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func sameEvents(t *testing.T, what string, got, want []nexmark.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d events, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i].Kind != want[i].Kind || got[i].DateTime() != want[i].DateTime() ||
			(got[i].Kind == nexmark.KindPerson && got[i].Person != want[i].Person) ||
			(got[i].Kind == nexmark.KindAuction && got[i].Auction != want[i].Auction) ||
			(got[i].Kind == nexmark.KindBid && got[i].Bid != want[i].Bid) {
			t.Fatalf("%s: event %d is %+v, want %+v", what, i, got[i], want[i])
		}
	}
}

// TestNexmarkSharedStream: the Nexmark sources of a job share one generator;
// each receives exactly its table's events of the stream, in order, read
// concurrently as the job's readers do, and each resumes at its own
// position.
// nexmarkTable is a source of a shared stream in tests: its table, and the
// events it resumes after.
type nexmarkTable struct {
	name string
	kind nexmark.Kind
	from int64
}

func TestNexmarkSharedStream(t *testing.T) {
	type table = nexmarkTable
	// sources of distinct tables each generate their own table's events of
	// a batch; two of one table copy them out of the stream's buffer
	for _, set := range [][]table{
		{{"person", nexmark.KindPerson, 0}, {"auction", nexmark.KindAuction, 0}, {"bid", nexmark.KindBid, 0}},
		{{"bid", nexmark.KindBid, 0}, {"auction", nexmark.KindAuction, 0}, {"bid", nexmark.KindBid, 0}},
	} {
		for _, order := range []string{"", "10"} {
			options := map[string]string{"events": "10000", "seed": "7"}
			if order != "" {
				options["out_of_order_group"] = order
			}
			testNexmarkSharedStream(t, options, slices.Clone(set)) // it sets the resume positions
		}
	}
}

func testNexmarkSharedStream(t *testing.T, options map[string]string, tables []nexmarkTable) {
	for _, resume := range []bool{false, true} {
		streams := NewNexmarkStreams()
		var srcs []*NexmarkSource
		for i, tb := range tables {
			if resume {
				tables[i].from = int64(1000 + 777*i) // as a checkpoint taken between batches might say
			}
			opts := map[string]string{"table": tb.name}
			for k, v := range options {
				opts[k] = v
			}
			s, err := OpenNexmarkAt(Env{Nexmark: streams}, opts, tables[i].from)
			if err != nil {
				t.Fatal(err)
			}
			srcs = append(srcs, s)
		}
		got := make([][]nexmark.Event, len(srcs))
		var wg sync.WaitGroup
		for i, s := range srcs {
			wg.Go(func() {
				got[i] = readEvents(t, s)
				s.Close()
			})
		}
		wg.Wait()
		for i, tb := range tables {
			sameEvents(t, tb.name, got[i], ofKind(t, options, tb.kind, tb.from))
			if p := srcs[i].Position(); p.Offset != 10000 {
				t.Errorf("%s ends at %+v, want offset 10000", tb.name, p)
			}
		}
	}
}

// TestNexmarkSharedStreamInStep: sources of a shared stream advance a batch
// at a time together, so one source cannot run ahead of another's event
// time (and a join of them hold the state of a whole run).
func TestNexmarkSharedStreamInStep(t *testing.T) {
	streams := NewNexmarkStreams()
	open := func(table string) *NexmarkSource {
		s, err := OpenNexmarkAt(Env{Nexmark: streams}, map[string]string{"table": table, "events": "100000"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	person, auction := open("person"), open("auction")
	var b LineBatch
	if _, err := person.Next(&b, 5000); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		person.Next(&b, 5000) // waits for auction to take the first batch
	}()
	select {
	case <-done:
		t.Fatal("person read a second batch before auction read the first")
	default:
	}
	var a LineBatch
	auction.Next(&a, 5000)
	<-done
	if p, q := person.Position().Offset, auction.Position().Offset; p != 2*sharedNexmarkBatch || q != sharedNexmarkBatch {
		t.Errorf("positions %d and %d", p, q)
	}
	// A closed source no longer holds the others back.
	auction.Close()
	if _, err := person.Next(&b, 5000); err != nil || person.Position().Offset != 2*sharedNexmarkBatch+maxNexmarkBatch {
		t.Errorf("alone: %v at %+v", err, person.Position())
	}
}

// TestNexmarkKept: a batch says how many of its events are of the source's
// table (the job's rows in), alone on a generator (every event handed out,
// with or without a shared-stream Env: a worker's generator has none) and on
// a shared stream (only the table's handed out).
func TestNexmarkKept(t *testing.T) {
	count := func(s *NexmarkSource, kind nexmark.Kind) (events, kept, want int) {
		var b LineBatch
		for {
			more, err := s.Next(&b, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range (*b.Typed.(*[]nexmark.Event))[:b.TypedLen] {
				if kind == 0 || e.Kind == kind {
					want++
				}
			}
			events, kept = events+b.TypedLen, kept+b.Kept
			if !more {
				return
			}
		}
	}
	for _, shared := range []bool{false, true} {
		for table, kind := range map[string]nexmark.Kind{"": 0, "bid": nexmark.KindBid, "person": nexmark.KindPerson} {
			var env Env
			if shared {
				env.Nexmark = NewNexmarkStreams()
			}
			opts := map[string]string{"events": "1000"}
			if table != "" {
				opts["table"] = table
			}
			s, err := OpenNexmarkAt(env, opts, 0)
			if err != nil {
				t.Fatal(err)
			}
			if events, kept, want := count(s, kind); events != 1000 || kept != want {
				t.Errorf("table %q, shared %v: %d events, %d kept, want 1000 and %d", table, shared, events, kept, want)
			}
		}
	}
	// two sources sharing a stream are handed only their table's events
	env := Env{Nexmark: NewNexmarkStreams()}
	var srcs []*NexmarkSource
	for _, table := range []string{"bid", "auction"} {
		s, err := OpenNexmarkAt(env, map[string]string{"events": "1000", "table": table}, 0)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, s)
	}
	var wg sync.WaitGroup
	got := make([][3]int, 2)
	for i, kind := range []nexmark.Kind{nexmark.KindBid, nexmark.KindAuction} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, k, w := count(srcs[i], kind)
			got[i] = [3]int{e, k, w}
		}()
	}
	wg.Wait()
	if got[0] != [3]int{920, 920, 920} || got[1] != [3]int{60, 60, 60} {
		t.Errorf("shared stream: bid %v, auction %v (events, kept, of the table)", got[0], got[1])
	}
}

// TestNexmarkNextOwn: a worker's own source (NextOwn) gets its table's
// events alone, in chunks of the stream's events, as Next does filtered,
// and SeekKind finds its k-th again.
func TestNexmarkNextOwn(t *testing.T) {
	options := map[string]string{"events": "3001", "seed": "5"}
	for _, table := range []string{"person", "auction", "bid"} {
		kind := nexmarkKinds[table]
		o := map[string]string{"events": "3001", "seed": "5", "table": table}
		s, err := OpenNexmark(o)
		if err != nil {
			t.Fatal(err)
		}
		s.SeekEvent(100)
		want := ofKind(t, options, kind, 100)
		var got []nexmark.Event
		var b LineBatch
		went := int64(0)
		for {
			n, more := s.NextOwn(&b, 256)
			went += int64(n)
			evs := (*b.Typed.(*[]nexmark.Event))[:b.TypedLen]
			if b.Kept != b.TypedLen {
				t.Fatalf("%s: kept %d of %d", table, b.Kept, b.TypedLen)
			}
			for _, e := range evs {
				if e.Kind != kind {
					t.Fatalf("%s: an event of kind %d in the batch", table, e.Kind)
				}
			}
			got = append(got, evs...)
			if !more {
				break
			}
		}
		if went != 2901 || s.Position().Offset != 3001 {
			t.Errorf("%s: went past %d events to %d, want 2901 to 3001", table, went, s.Position().Offset)
		}
		sameEvents(t, table, got, want)
		for _, k := range []int{0, 1, 7, len(want) - 1} {
			s.SeekKind(100, k)
			if n, _ := s.NextOwn(&b, 1); n != 1 || b.TypedLen != 1 {
				t.Fatalf("%s: record %d: went %d, got %d", table, k, n, b.TypedLen)
			}
			sameEvents(t, table, (*b.Typed.(*[]nexmark.Event))[:1], want[k:k+1])
		}
	}
}
