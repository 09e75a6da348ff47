package job

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Status is a running job as its admin server (/status) and `laminarc
// explain --analyze` see it: what the runtime counts, by source, sink and
// state unit. Its JSON is a stable interface.
type Status struct {
	Job     string    `json:"job"`
	SQL     string    `json:"sql"`
	Phase   string    `json:"phase"` // starting, running, stopping, done, failed
	Ready   bool      `json:"ready"` // recovery has finished and batches flow
	Started time.Time `json:"started"`
	// ElapsedSeconds is the time since the start (to the end, once done).
	ElapsedSeconds float64          `json:"elapsed_seconds"`
	Sources        []SourceStatus   `json:"sources"`
	Sinks          []SinkStatus     `json:"sinks"`
	State          []StateStatus    `json:"state"`
	Operators      []OperatorStatus `json:"operators,omitempty"`
	Checkpoints    CheckpointStats  `json:"checkpoints"`
	WindowsClosed  uint64           `json:"windows_closed"`
	EmitDelayP50us float64          `json:"window_emit_delay_p50_us"`
	EmitDelayP99us float64          `json:"window_emit_delay_p99_us"`
	// Lookups are the lookup joins' cache counters (pipelines with any).
	Lookups []LookupStatus `json:"lookups,omitempty"`
	Error   string         `json:"error,omitempty"`
}

// SourceStatus is one source's counters.
type SourceStatus struct {
	Name      string `json:"name"`
	Connector string `json:"connector"`
	RowsIn    int64  `json:"rows_in"`
	// Bytes read, for sources that read bytes (file, stdin); 0 for the others.
	Bytes     int64 `json:"bytes"`
	Malformed int64 `json:"malformed"`
	Late      int64 `json:"late"`
	Ended     bool  `json:"ended"`
	// Watermark is the source's event-time watermark, for sources that
	// declare one, once rows came; WatermarkLagSeconds is how far it is
	// behind the wall clock (large for replayed old data).
	Watermark           time.Time `json:"watermark,omitzero"`
	WatermarkLagSeconds float64   `json:"watermark_lag_seconds,omitempty"`
}

// Watermarked is implemented by generated pipelines: each source's
// watermark in µs since the epoch (math.MinInt64 for none yet, MaxInt64
// once its input ended), appended to dst. Called between batches.
type Watermarked interface {
	Watermarks(dst []int64) []int64
}

// SinkStatus is one sink's counters.
type SinkStatus struct {
	Name      string `json:"name"`
	Connector string `json:"connector"`
	RowsOut   int64  `json:"rows_out"`
}

// OperatorStatus is one operator of the job's dataflow graph (a view, or
// an inner query of one) and what it counted so far.
type OperatorStatus struct {
	Name string `json:"name"`
	// Kind says what it does ("window aggregate", "join", ...); Inputs are
	// the operators or sources ("source trades") it reads.
	Kind   string   `json:"kind"`
	Inputs []string `json:"inputs"`
	// RowsIn counts the rows it read: its inputs' rows out (a source's rows
	// in); RowsOut the rows it emitted (retractions included).
	RowsIn  int64 `json:"rows_in"`
	RowsOut int64 `json:"rows_out"`
	// State is the number of groups or rows it holds (-1: not counted).
	State int64 `json:"state"`
	// Expired counts the rows it dropped by state retention (state_ttl).
	Expired int64 `json:"expired,omitempty"`
	// Funcs are the suffixes of the generated functions that run it
	// ("Op3": rowOp3, pushOp3, closeOp3, ...), for attributing a CPU
	// profile's samples; "" when its code is fused into its source's loop.
	Funcs string `json:"funcs,omitempty"`
	// Lines, for an operator fused into its source's loop, are the first
	// and last line of its code in the generated pipeline.go.
	Lines [2]int32 `json:"lines,omitzero"`
	// Watermark is the event time its windows close (or its interval join
	// drops rows) by, once it has one; WatermarkMicros is the same as the
	// pipeline reports it (math.MinInt64: none yet, or none at all).
	Watermark       time.Time `json:"watermark,omitzero"`
	WatermarkMicros int64     `json:"-"`
}

// Operated is implemented by generated pipelines: the operators of the
// graph with their counters, appended to dst. Called between batches.
type Operated interface {
	Operators(dst []OperatorStatus) []OperatorStatus
}

// StateStatus is one state unit (a source's watermark, a view's operator
// state) and its encoded size at the last checkpoint (-1 before one).
type StateStatus struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Bytes int64  `json:"bytes"`
}

// CheckpointStats sums up the checkpoints of this run.
type CheckpointStats struct {
	Enabled             bool      `json:"enabled"` // the job has a state dir
	Count               int       `json:"count"`
	LastEpoch           uint64    `json:"last_epoch"`
	LastTime            time.Time `json:"last_time,omitzero"`
	LastDurationSeconds float64   `json:"last_duration_seconds"`
	LastBytes           int64     `json:"last_bytes"`
	TotalSeconds        float64   `json:"total_seconds"`
}

// Monitor is what an admin server may see and do of a running job. Its
// methods are safe to call from any goroutine.
type Monitor interface {
	Status() Status
	// EmitDelays is the histogram of window emit delays (read-only use).
	EmitDelays() *Histogram
	// Checkpoint asks the job for a checkpoint between two batches and
	// waits for it; it fails without a state dir or once the job stops.
	Checkpoint(ctx context.Context) (epoch uint64, err error)
}

// AdminServer starts an admin server for a job on addr, and returns the
// function that stops it. runtime/admin provides one; it is a parameter
// so that a job links the HTTP and Prometheus code only when its main
// asks for it.
type AdminServer func(addr, token string, m Monitor, log *slog.Logger) (stop func(), err error)

// ErrNoStateDir is returned for a checkpoint asked of a job without one.
var ErrNoStateDir = errors.New("the job runs without --state-dir: it takes no checkpoints")

// live is the Monitor of a run: the main loop publishes its counters into
// it after every batch (one lock per batch, none per row).
type live struct {
	mu     sync.Mutex
	status Status
	delays *Histogram
	// checkpoint requests, served by the main loop between batches
	requests chan chan checkpointResult
	stopped  chan struct{} // closed when the loop no longer serves requests
}

type checkpointResult struct {
	epoch uint64
	err   error
}

func newLive(spec Spec, durable bool, delays *Histogram) *live {
	l := &live{delays: delays, requests: make(chan chan checkpointResult), stopped: make(chan struct{})}
	l.status = Status{Job: spec.Name, SQL: spec.SQL, Phase: "starting", Started: time.Now(),
		Sources: []SourceStatus{}, Sinks: []SinkStatus{}, State: []StateStatus{}}
	l.status.Checkpoints.Enabled = durable
	for _, s := range spec.Sources {
		l.status.Sources = append(l.status.Sources, SourceStatus{Name: s.Name, Connector: s.Connector})
	}
	for _, s := range spec.Sinks {
		l.status.Sinks = append(l.status.Sinks, SinkStatus{Name: s.Name, Connector: s.Connector})
	}
	return l
}

func (l *live) Status() Status {
	l.mu.Lock()
	s := l.status
	s.Sources = slices.Clone(s.Sources)
	s.Sinks = slices.Clone(s.Sinks)
	s.State = slices.Clone(s.State)
	s.Operators = slices.Clone(s.Operators)
	l.mu.Unlock()
	if s.Phase != "done" && s.Phase != "failed" {
		s.ElapsedSeconds = time.Since(s.Started).Seconds()
	}
	s.WindowsClosed = l.delays.Count()
	s.EmitDelayP50us = micros(l.delays.Quantile(0.5))
	s.EmitDelayP99us = micros(l.delays.Quantile(0.99))
	return s
}

func (l *live) EmitDelays() *Histogram { return l.delays }

func (l *live) Checkpoint(ctx context.Context) (uint64, error) {
	if !l.Status().Checkpoints.Enabled {
		return 0, ErrNoStateDir
	}
	reply := make(chan checkpointResult, 1)
	select {
	case l.requests <- reply:
	case <-l.stopped:
		return 0, errors.New("the job is stopping")
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	select {
	case r := <-reply:
		return r.epoch, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// update changes the status under the lock.
func (l *live) update(f func(s *Status)) {
	l.mu.Lock()
	f(&l.status)
	l.mu.Unlock()
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
