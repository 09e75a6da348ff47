package connector

import (
	"sync"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// maxNexmarkBatch caps the events of one batch.
const maxNexmarkBatch = 256

// sharedNexmarkBatch is the batch of a shared generator: each of its sources
// receives a fraction of it, and fewer, larger batches mean fewer hand-offs
// between the sources' readers (measured on q3: 0.67 of hand-written at 256,
// 0.84 at 1024).
const sharedNexmarkBatch = 4 * maxNexmarkBatch

// NexmarkSource generates Nexmark events (connector = 'nexmark'). Every
// Nexmark source of a pipeline sees the same deterministic stream, so
// person, auction and bid sources see consistent ids; the generated
// pipeline keeps the events of its source's table.
//
// Sources of one job with the same generator options share one generator
// through Env.Nexmark: each event is generated once, as a single reader of
// the stream would, and each source receives only its table's events. A
// source opened without Env.Nexmark runs a generator of its own.
type NexmarkSource struct {
	stream *nexmarkStream
	// gen is the source's own generator on a shared stream: when the
	// stream's sources are of distinct tables, each generates its table's
	// events of a batch (see nexmarkStream.split)
	gen  *nexmark.Generator
	kind nexmark.Kind // the table's events; 0 keeps every event
	// events is the number of the stream's events (of its partition) this
	// source has consumed: its Position. It starts where a checkpoint said.
	events int64
	// seq is the number of the stream's batch this source took last.
	seq    int64
	closed bool
	// prefetchers is what Prefetch asked for; ahead the goroutines that
	// generate the batches of a source alone on its stream once it reads
	prefetchers int
	ahead       *nexmarkAhead
}

// NexmarkStreams are the generators of one job, one per distinct generator
// configuration, shared by that job's Nexmark sources. Every source of a
// stream must be opened before the first one is read.
type NexmarkStreams struct {
	mu      sync.Mutex
	streams map[nexmark.Config]*nexmarkStream
}

// NewNexmarkStreams returns an empty set of shared generators for one job.
func NewNexmarkStreams() *NexmarkStreams {
	return &NexmarkStreams{streams: map[nexmark.Config]*nexmarkStream{}}
}

// nexmarkStream is one generator and the batch its sources are taking. The
// sources advance in step: the next batch is generated once every source
// took the current one, so no source runs ahead of another by more than a
// batch (a join of two of them keeps no more state than a single reader
// would).
type nexmarkStream struct {
	mu   sync.Mutex
	cond sync.Cond
	gen  *nexmark.Generator
	// started is set by the first read: before it, a newly opened source
	// may move the generator back to its own resume position.
	started bool
	buf     []nexmark.Event
	first   int64 // the stream events (of the partition) before buf[0]
	seq     int64 // buf's batch number; 0 before the first batch
	ended   bool  // the generator has no more events after buf
	members int   // sources open on the stream
	waiting int   // members that have not taken buf yet
	// srcs are the members in the order they were opened (the job's
	// sources' order): they take each batch in that order (see mayTake)
	srcs []*NexmarkSource
	// kinds counts the members open per table (kind 0: every event)
	kinds [nexmark.KindBid + 1]int
	// split tells that the batch is n events its members generate each
	// (their table's alone: NexmarkSource.gen) rather than buf: it is when
	// the members are of distinct tables, so each event goes to one member
	// at most. It saves copying every event out of buf (Nexmark q9: 6% of
	// the job's instructions) and generating events no member reads.
	split bool
	n     int
}

// nexmarkSQLOptions are WITH options that are the compiler's, not the generator's.
var nexmarkSQLOptions = map[string]bool{"connector": true, "format": true, "table": true}

// nexmarkKinds names the event kind of each Nexmark table.
var nexmarkKinds = map[string]nexmark.Kind{"person": nexmark.KindPerson, "auction": nexmark.KindAuction, "bid": nexmark.KindBid}

// OpenNexmark starts a generator from the source's WITH options
// (events, rate, seed, partitions, partition, base_time, out_of_order_group).
func OpenNexmark(options map[string]string) (*NexmarkSource, error) {
	return OpenNexmarkAt(Env{}, options, 0)
}

// OpenNexmarkAt opens a Nexmark source that resumes after the first `events`
// events of the stream (a checkpoint's Position), on env's shared stream of
// its configuration if env has NexmarkStreams. Its table (option `table`)
// selects the events it receives from a shared stream.
func OpenNexmarkAt(env Env, options map[string]string, events int64) (*NexmarkSource, error) {
	opts := map[string]string{}
	for k, v := range options {
		if !nexmarkSQLOptions[k] {
			opts[k] = v
		}
	}
	cfg, err := nexmark.ParseOptions(opts)
	if err != nil {
		return nil, err
	}
	gen, err := nexmark.NewGenerator(cfg)
	if err != nil {
		return nil, err
	}
	src := &NexmarkSource{events: events, kind: nexmarkKinds[options["table"]]}
	if env.Nexmark == nil {
		src.stream = newNexmarkStream(gen)
	} else {
		src.stream = env.Nexmark.join(gen)
		if src.gen, err = nexmark.NewGenerator(cfg); err != nil {
			return nil, err
		}
	}
	src.stream.open(src)
	return src, nil
}

func newNexmarkStream(gen *nexmark.Generator) *nexmarkStream {
	s := &nexmarkStream{gen: gen}
	s.cond.L = &s.mu
	return s
}

// join returns the stream of gen's configuration, gen's own if it is the first.
func (ns *NexmarkStreams) join(gen *nexmark.Generator) *nexmarkStream {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	cfg := gen.Config()
	s, ok := ns.streams[cfg]
	if !ok {
		s = newNexmarkStream(gen)
		ns.streams[cfg] = s
	}
	return s
}

// open adds src to the stream; the stream starts at the earliest resume
// position of its sources, and each skips what it had consumed already.
func (s *nexmarkStream) open(src *NexmarkSource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.members == 0 || (!s.started && src.events < s.gen.Generated()) {
		s.gen.SkipTo(src.events)
	}
	s.members++
	s.kinds[src.kind]++
	s.srcs = append(s.srcs, src)
	src.seq = s.seq
}

// SeekEvent moves a source alone on its generator to the stream's
// events-th event (the workers of a partitioned job each generate chunks of
// the stream): events are functions of their number, so none before it is
// generated.
func (s *NexmarkSource) SeekEvent(events int64) {
	st := s.stream
	st.mu.Lock()
	defer st.mu.Unlock()
	st.gen.SkipTo(events)
	st.first = events
	s.events = events
}

// NextOwn fills b.Typed, a *[]nexmark.Event, with the events of the source's
// table among the next count events of the stream, generating no other
// (every event if the source has no table), and returns how many events it
// went past and whether the stream goes on after them. It is for a source
// alone on its generator, a worker's own (runtime/job/workers.go): as a
// shared stream's sources, it makes only its table's events (Nexmark q8 at
// two workers generated the bids, 92% of the stream, to drop them).
func (s *NexmarkSource) NextOwn(b *LineBatch, count int) (n int, more bool) {
	b.Reset()
	events, _ := b.Typed.(*[]nexmark.Event)
	if events == nil {
		events = new([]nexmark.Event)
		b.Typed = events
	}
	if cap(*events) < count {
		*events = make([]nexmark.Event, count)
	}
	st := s.stream
	st.mu.Lock()
	defer st.mu.Unlock()
	st.started = true
	ev := (*events)[:count]
	kept := 0
	if s.kind == 0 {
		n, kept = st.gen.NextBatch(ev, 0)
	} else {
		n, kept = st.gen.NextOfKind(ev, s.kind, count)
	}
	*events = ev[:kept]
	b.TypedLen, b.Kept = kept, kept
	s.events += int64(n)
	st.first = s.events
	return n, n == count
}

// SeekKind moves a source alone on its generator, as SeekEvent does, to the
// k-th event of its table (from 0) at or after the stream's events-th
// event, generating none: the record k of a worker's chunk that NextOwn
// filled (every event for a source without a table).
func (s *NexmarkSource) SeekKind(events int64, k int) {
	st := s.stream
	st.mu.Lock()
	defer st.mu.Unlock()
	st.gen.SkipTo(events)
	if s.kind == 0 {
		st.gen.SkipTo(events + int64(k))
	} else {
		st.gen.SkipOfKind(s.kind, k)
	}
	st.first = st.gen.Generated()
	s.events = st.first
}

// Position implements Positioned: Offset is the number of events consumed.
func (s *NexmarkSource) Position() Position {
	return Position{Offset: s.events, Line: s.events}
}

// Next fills b.Typed, a *[]nexmark.Event, with the events of the stream's
// next batch (up to maxLines; only the source's table's from a shared stream).
func (s *NexmarkSource) Next(b *LineBatch, maxLines int) (bool, error) {
	b.Reset()
	events, _ := b.Typed.(*[]nexmark.Event)
	if events == nil {
		events = new([]nexmark.Event)
		b.Typed = events
	}
	st := s.stream
	st.mu.Lock()
	defer st.mu.Unlock()
	st.started = true
	if st.members == 1 && s.seq == st.seq {
		// Alone on the stream: generate into the batch, no copy. An Event
		// is a few hundred bytes: larger batches fall out of the L2 cache
		// between the generator writing them and the pipeline reading them
		// (measured: 256 is steadily faster than 1024 on q0).
		if s.prefetchers > 1 || s.ahead != nil {
			maxLines = min(maxLines, maxAheadBatch)
		} else {
			maxLines = min(maxLines, maxNexmarkBatch)
		}
		if st.gen.Generated() < s.events {
			st.gen.SkipTo(s.events) // it resumed ahead of sources that have ended
		}
		if s.prefetchers > 1 {
			a, err := startAhead(st.gen.Config(), st.gen.Generated(), s.kind, s.prefetchers, maxLines)
			if err != nil {
				return false, err
			}
			s.ahead, s.prefetchers = a, 0
		}
		if s.ahead != nil && maxLines != s.ahead.batch {
			s.ahead.stop() // batches of another size: go on generating here
			s.ahead = nil
		}
		if s.ahead != nil {
			n, kept := s.ahead.take(b, events)
			b.TypedLen, b.Kept = n, kept
			s.events += int64(n)
			st.gen.SkipTo(s.events)
			st.first = s.events
			return n == maxLines, nil
		}
		if cap(*events) < maxLines {
			*events = make([]nexmark.Event, maxLines)
		}
		ev := (*events)[:maxLines]
		n, kept := st.gen.NextBatch(ev, s.kind)
		*events = ev[:n]
		b.TypedLen, b.Kept = n, kept
		s.events += int64(n)
		st.first = s.events
		return n == maxLines, nil
	}
	for s.seq == st.seq {
		if st.ended {
			*events = (*events)[:0]
			return false, nil
		}
		if st.waiting > 0 {
			st.cond.Wait() // another source has yet to take the current batch
			continue
		}
		st.generate(min(sharedNexmarkBatch, maxLines))
	}
	for !st.mayTake(s) {
		st.cond.Wait()
	}
	if st.split {
		s.take(b, events)
		return !st.ended, nil
	}
	// Take the batch: the events of the source's table that it had not
	// consumed before a restart.
	from := max(s.events-st.first, 0)
	if cap(*events) < len(st.buf) {
		*events = make([]nexmark.Event, len(st.buf))
	}
	ev := (*events)[:cap(*events)]
	n := 0
	for i := from; i < int64(len(st.buf)); i++ {
		e := &st.buf[i]
		if s.kind == 0 {
			ev[n] = *e
			n++
			continue
		}
		if e.Kind != s.kind {
			continue
		}
		// Only the table's member is read downstream: copy that alone, in
		// place (the batch's events of a table are all of its kind, so the
		// other members stay empty).
		c := &ev[n]
		c.Kind = e.Kind
		switch e.Kind {
		case nexmark.KindPerson:
			c.Person = e.Person
		case nexmark.KindAuction:
			c.Auction = e.Auction
		default:
			c.Bid = e.Bid
		}
		n++
	}
	*events = ev[:n]
	b.TypedLen, b.Kept = n, n // all of the table's
	s.events = max(s.events, st.first+int64(len(st.buf)))
	s.seq = st.seq
	st.waiting--
	st.cond.Broadcast() // the next member's turn, or the next batch
	return !st.ended, nil
}

// mayTake tells whether every open member opened before s has taken the
// current batch: the job then gets a batch's events table by table in the
// sources' order, whichever reader runs first (Nexmark q9 declares auctions
// before bids: taken bids first, 34% of a batch's bids would come before
// their auction, which a join keeps until it comes, against 0.4%).
func (st *nexmarkStream) mayTake(s *NexmarkSource) bool {
	for _, m := range st.srcs {
		if m == s {
			return true
		}
		if !m.closed && m.seq != st.seq {
			return false
		}
	}
	return true
}

// take generates the source's table's events of the stream's batch, a split
// one, that it had not consumed before a restart; the stream's lock is held.
func (s *NexmarkSource) take(b *LineBatch, events *[]nexmark.Event) {
	st := s.stream
	from := int(min(max(s.events-st.first, 0), int64(st.n)))
	if cap(*events) < st.n-from {
		*events = make([]nexmark.Event, st.n-from)
	}
	s.gen.SkipTo(st.first + int64(from))
	_, kept := s.gen.NextOfKind((*events)[:cap(*events)], s.kind, st.n-from)
	*events = (*events)[:kept]
	b.TypedLen, b.Kept = kept, kept
	s.events = max(s.events, st.first+int64(st.n))
	s.seq = st.seq
	st.waiting--
	st.cond.Broadcast() // the next member's turn, or the next batch
}

// generate fills the stream's next batch; the stream's lock is held.
func (st *nexmarkStream) generate(maxLines int) {
	st.split = st.members > 1 && st.kinds[0] == 0
	for _, n := range st.kinds {
		st.split = st.split && n <= 1
	}
	if st.split {
		st.first = st.gen.Generated()
		st.n = st.gen.Skip(maxLines)
		st.buf = st.buf[:0]
		st.ended = st.n < maxLines
		st.seq++
		st.waiting = st.members
		st.cond.Broadcast()
		return
	}
	if cap(st.buf) < maxLines {
		st.buf = make([]nexmark.Event, maxLines)
	}
	st.first = st.gen.Generated()
	buf := st.buf[:maxLines]
	n := 0
	for n < maxLines && st.gen.Next(&buf[n]) {
		n++
	}
	st.buf = buf[:n]
	st.ended = n < maxLines
	st.seq++
	st.waiting = st.members
	st.cond.Broadcast()
}

// Close leaves the stream: the other sources no longer wait for this one.
func (s *NexmarkSource) Close() error {
	st := s.stream
	st.mu.Lock()
	defer st.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.ahead != nil {
		s.ahead.stop()
		s.ahead = nil
	}
	st.members--
	st.kinds[s.kind]--
	if s.seq != st.seq && st.waiting > 0 {
		st.waiting-- // it will not take the current batch
	}
	st.cond.Broadcast()
	return nil
}
