package connector

import (
	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// maxNexmarkBatch caps the events of one batch.
const maxNexmarkBatch = 256

// NexmarkSource generates Nexmark events (connector = 'nexmark'). Every
// Nexmark source of a pipeline runs the same deterministic generator, so
// person, auction and bid sources see consistent ids; the generated
// pipeline keeps the events of its source's table.
type NexmarkSource struct {
	gen    *nexmark.Generator
	events int64 // events generated so far: the source's Position
}

// nexmarkSQLOptions are WITH options that are the compiler's, not the generator's.
var nexmarkSQLOptions = map[string]bool{"connector": true, "format": true, "table": true}

// OpenNexmark starts a generator from the source's WITH options
// (events, rate, seed, partitions, partition, base_time, out_of_order_group).
func OpenNexmark(options map[string]string) (*NexmarkSource, error) {
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
	return &NexmarkSource{gen: gen}, nil
}

// OpenNexmarkAt starts a generator like OpenNexmark and skips the first
// `events` events, to resume where a checkpoint's Position says. Skipping
// generates them (the generator has no seek): it costs time in proportion.
func OpenNexmarkAt(options map[string]string, events int64) (*NexmarkSource, error) {
	s, err := OpenNexmark(options)
	if err != nil {
		return nil, err
	}
	var ev nexmark.Event
	for s.events < events && s.gen.Next(&ev) {
		s.events++
	}
	return s, nil
}

// Position implements Positioned: Offset is the number of events generated.
func (s *NexmarkSource) Position() Position {
	return Position{Offset: s.events, Line: s.events}
}

// Next fills b.Typed, a *[]nexmark.Event, with up to maxLines events.
func (s *NexmarkSource) Next(b *LineBatch, maxLines int) (bool, error) {
	// An Event is a few hundred bytes: larger batches fall out of the L2
	// cache between the generator writing them and the pipeline reading them
	// (measured: 256 is steadily faster than 1024 on q0).
	maxLines = min(maxLines, maxNexmarkBatch)
	b.Reset()
	events, _ := b.Typed.(*[]nexmark.Event)
	if events == nil {
		events = new([]nexmark.Event)
		b.Typed = events
	}
	if cap(*events) < maxLines {
		*events = make([]nexmark.Event, maxLines)
	}
	ev := (*events)[:maxLines]
	n := 0
	for n < maxLines && s.gen.Next(&ev[n]) {
		n++
	}
	*events = ev[:n]
	b.TypedLen = n
	s.events += int64(n)
	return n == maxLines, nil
}

// Close does nothing: a generator holds no resources.
func (s *NexmarkSource) Close() error { return nil }
