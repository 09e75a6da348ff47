package job

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// Embedded is what a pipeline compiled with --lib runs on inside a user's
// program: a Context whose sinks are the SQL's real sink connectors (a
// blackhole for views that have none), flushed after every push.
type Embedded struct {
	ctx        *Context
	env        connector.Env
	epochSinks []NamedEpochSink
	unlock     func() // releases the state dir's lock; nil without one
}

// EmbedOptions configure NewEmbedded.
type EmbedOptions struct {
	// BaseDir is where relative sink paths resolve; "" is the current directory.
	BaseDir string
	// OnLate receives late rows: source index, view name, the row as JSON.
	OnLate func(src int, view string, record []byte)
	// OnMalformed receives records of sources the pipeline reads itself that
	// do not decode: source index, line number, byte offset, the record.
	OnMalformed func(src int, line, offset int64, record []byte, err error)
	// StateDir, when set, opens file sinks exactly-once: their rows become
	// visible per checkpoint epoch (see EpochSinks), with uncommitted epochs
	// kept under StateDir/sinks. The state dir is locked until Close, as a
	// job's is: a second pipeline (in this process or another) opening it
	// gets an LDB-5001 error instead of interleaving its checkpoints.
	StateDir string
}

// NamedEpochSink is a sink that takes part in checkpoints.
type NamedEpochSink struct {
	Name string
	Sink connector.EpochSink
}

// NewEmbedded opens the sinks named in spec.
func NewEmbedded(spec Spec, opts EmbedOptions) (*Embedded, error) {
	env := connector.Env{BaseDir: opts.BaseDir}
	ctx := &Context{onLate: opts.OnLate, onMalformed: opts.OnMalformed, env: env}
	if ctx.onMalformed == nil {
		ctx.onMalformed = func(int, int64, int64, []byte, error) {}
	}
	if ctx.onLate == nil {
		ctx.onLate = func(int, string, []byte) {}
	}
	var epochSinks []NamedEpochSink
	var unlock func()
	if opts.StateDir != "" {
		var err error
		if unlock, err = lockStateDir(opts.StateDir); err != nil {
			return nil, err
		}
	}
	for _, s := range spec.Sinks {
		var sink connector.Sink
		var err error
		if opts.StateDir != "" {
			sink, err = connector.OpenEpochSink(env, s.Connector, s.Options, filepath.Join(opts.StateDir, "sinks", safeName(s.Name)))
			sink = formatSink(sink, s)
			if es, ok := sink.(connector.EpochSink); ok && err == nil {
				epochSinks = append(epochSinks, NamedEpochSink{Name: s.Name, Sink: es})
			}
		} else {
			sink, err = connector.OpenSink(env, s.Connector, s.Options)
			sink = formatSink(sink, s)
		}
		if err != nil {
			for _, w := range ctx.Sinks {
				w.sink.Close()
			}
			if unlock != nil {
				unlock()
			}
			return nil, fmt.Errorf("sink %s: %w", s.Name, err)
		}
		ctx.Sinks = append(ctx.Sinks, &SinkWriter{Name: s.Name, sink: sink, Discard: s.Connector == "blackhole"})
	}
	return &Embedded{ctx: ctx, env: env, epochSinks: epochSinks, unlock: unlock}, nil
}

// EpochSinks are the sinks that commit per checkpoint (opened with a state
// dir); a durable embedded pipeline recovers, prepares and commits them.
func (e *Embedded) EpochSinks() []NamedEpochSink { return e.epochSinks }

// Context is the context to build the generated engine on.
func (e *Embedded) Context() *Context { return e.ctx }

// Drain hands the rows the last push produced to the sink connectors,
// which buffer them.
func (e *Embedded) Drain() error {
	for _, w := range e.ctx.Sinks {
		if len(w.Buf) == 0 {
			continue
		}
		if err := w.sink.Write(w.Buf); err != nil {
			return fmt.Errorf("sink %s: %w", w.Name, err)
		}
		w.Buf = w.Buf[:0]
	}
	return nil
}

// Flush drains and makes the sink connectors write out their buffers.
func (e *Embedded) Flush() error {
	if err := e.Drain(); err != nil {
		return err
	}
	for _, w := range e.ctx.Sinks {
		if err := w.sink.Flush(); err != nil {
			return fmt.Errorf("sink %s: %w", w.Name, err)
		}
	}
	return nil
}

// Close drains and closes the sinks, then releases the state dir.
func (e *Embedded) Close() error {
	err := e.Drain()
	for _, w := range e.ctx.Sinks {
		if cerr := w.sink.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("sink %s: %w", w.Name, cerr))
		}
	}
	if e.unlock != nil {
		e.unlock()
	}
	return err
}

// Read feeds source src of spec to process until the source ends, fails or
// ctx is canceled: batches of up to batchSize records, then one call with
// end true. process runs with mu held. An embedded pipeline runs it in a
// goroutine for each source it reads itself (a connector other than push).
func (e *Embedded) Read(ctx context.Context, src int, spec SourceSpec, mu *sync.Mutex, process func(b *connector.LineBatch, end bool) error) error {
	s, err := connector.OpenSource(e.env, spec.Connector, spec.Options)
	if err != nil {
		return fmt.Errorf("source %s: %w", spec.Name, err)
	}
	s, err = configureSource(e.env, s, spec)
	if err != nil {
		return fmt.Errorf("source %s: %w", spec.Name, err)
	}
	defer s.Close()
	var b connector.LineBatch
	for ctx.Err() == nil {
		more, err := s.Next(&b, DefaultBatchSize)
		if err != nil {
			return fmt.Errorf("source %s: %w", spec.Name, err)
		}
		mu.Lock()
		for _, o := range b.Oversized { // skipped by the source: malformed records
			e.ctx.onMalformed(src, o.Line, o.Offset, o.Prefix, fmt.Errorf("record of %d bytes is longer than the limit of %d bytes; the record given is its start", o.Length, connector.MaxLineBytes))
		}
		for _, r := range b.Rejected { // not a change of its format
			e.ctx.onMalformed(src, r.Line, r.Offset, r.Record, r.Err)
		}
		perr := process(&b, !more)
		mu.Unlock()
		if perr != nil {
			return perr
		}
		if !more {
			return nil
		}
	}
	return nil
}
