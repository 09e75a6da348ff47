package laminar

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/laminar-sql/laminar/runtime/checkpoint"
	"github.com/laminar-sql/laminar/runtime/job"
	"github.com/laminar-sql/laminar/runtime/wal"
)

// DurableOptions configure OpenDurable.
type DurableOptions struct {
	Dir             string        // state directory: checkpoints/ and wal/
	Interval        time.Duration // from a checkpoint's end to the next one; 0 means 10 s
	AllowStateReset bool          // start units the checkpoint lacks empty instead of failing
	Sync            wal.SyncPolicy
	// Sinks commit their rows per checkpoint (two-phase): recovered to the
	// checkpoint on open, prepared before and committed after each one.
	Sinks []job.NamedEpochSink
	// Logf reports what recovery found (a torn tail cut off the log); nil
	// logs a warning through log/slog's default logger.
	Logf func(format string, args ...any)
}

// StateError reports state a checkpoint holds that the pipeline cannot take
// (an edited query) or state the pipeline needs that the checkpoint lacks.
type StateError struct {
	Missing []string // units of the pipeline without state in the checkpoint
	Orphans []string // units in the checkpoint the pipeline no longer has
}

func (e *StateError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, "no saved state for "+strings.Join(e.Missing, ", ")+" (new or changed)")
	}
	if len(e.Orphans) > 0 {
		parts = append(parts, "saved state of "+strings.Join(e.Orphans, ", ")+" would be lost")
	}
	return "laminar: the checkpoint does not match the pipeline: " + strings.Join(parts, "; ") +
		"; set AllowStateReset to start them empty"
}

// Durable makes an embedded pipeline survive crashes: pushed rows are
// appended to a write-ahead log before they are processed, state is
// checkpointed at an interval, and on open the newest checkpoint is loaded
// and the rows logged after it are replayed.
type Durable struct {
	store    *checkpoint.Store
	log      *wal.WAL
	state    job.Stateful
	name     string
	interval time.Duration
	last     time.Time
	replay   func([]byte) error
	sinks    []job.NamedEpochSink
	from     wal.Position // replay start, until Start has run
	started  bool
	buf      []byte
	recovery wal.Recovery
}

// OpenDurable restores the newest checkpoint of dir into st. The caller
// holds the state dir's lock (job.NewEmbedded with the same StateDir takes
// it). Rows logged
// after it are replayed by Start, through replay.
func OpenDurable(name string, st job.Stateful, replay func(record []byte) error, o DurableOptions) (*Durable, error) {
	store, err := checkpoint.Open(filepath.Join(o.Dir, "checkpoints"), checkpoint.Options{})
	if err != nil {
		return nil, err
	}
	cp, _, err := store.Latest()
	if err != nil {
		return nil, err
	}
	d := &Durable{store: store, state: st, name: name, interval: o.Interval, replay: replay, last: time.Now(), sinks: o.Sinks}
	if d.interval <= 0 {
		d.interval = 10 * time.Second
	}
	for _, s := range o.Sinks {
		var epoch uint64
		var data []byte
		if cp != nil {
			for _, k := range cp.Sinks {
				if k.Name == s.Name {
					epoch, data = k.Epoch, k.Data
				}
			}
		}
		if err := s.Sink.Recover(epoch, data); err != nil {
			return nil, fmt.Errorf("laminar: sink %s: %w", s.Name, err)
		}
	}
	if cp != nil {
		if err := restore(st, cp, o.AllowStateReset); err != nil {
			return nil, err
		}
		if len(cp.Sources) > 0 {
			if d.from, err = parsePosition(cp.Sources[0].WAL); err != nil {
				return nil, fmt.Errorf("laminar: checkpoint %d: %w", cp.Epoch, err)
			}
		}
	}
	dir := filepath.Join(o.Dir, "wal")
	d.log, d.recovery, err = wal.Open(dir, wal.Options{Sync: o.Sync})
	if err != nil {
		return nil, err
	}
	if r := d.recovery; r.Torn {
		// A push whose append a crash interrupted: Log had not returned, so
		// the row was never acknowledged; say so rather than drop it quietly.
		logf := o.Logf
		if logf == nil {
			logf = func(format string, args ...any) { slog.Warn(fmt.Sprintf(format, args...)) }
		}
		logf("laminar: pipeline %s: the write-ahead log %s ended in a torn tail (an append a crash interrupted): cut at %v, %d partial record(s) and %d bytes discarded; that push was not acknowledged",
			name, dir, r.TornAt, r.DroppedRecords, r.DroppedBytes)
	}
	return d, nil
}

// Recovery says what opening the write-ahead log found, a torn tail cut
// off it included.
func (d *Durable) Recovery() wal.Recovery { return d.recovery }

func restore(st job.Stateful, cp *checkpoint.Checkpoint, allowReset bool) error {
	units := st.StateUnits()
	have := map[string]bool{}
	var serr StateError
	for i, u := range units {
		have[u.ID] = true
		saved := cp.Unit(u.ID)
		if saved == nil {
			serr.Missing = append(serr.Missing, u.Name)
			continue
		}
		if err := st.LoadState(i, saved.Data); err != nil {
			return fmt.Errorf("laminar: state of %s in checkpoint %d: %w", u.Name, cp.Epoch, err)
		}
	}
	for _, u := range cp.Units {
		if !have[u.ID] {
			serr.Orphans = append(serr.Orphans, u.Name)
		}
	}
	if (len(serr.Missing) > 0 || len(serr.Orphans) > 0) && !allowReset {
		return &serr
	}
	return nil
}

func parsePosition(s string) (wal.Position, error) {
	if s == "" {
		return wal.Position{}, nil
	}
	seg, off, ok := strings.Cut(s, ":")
	a, err1 := strconv.ParseUint(seg, 10, 64)
	b, err2 := strconv.ParseInt(off, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return wal.Position{}, fmt.Errorf("bad WAL position %q", s)
	}
	return wal.Position{Segment: a, Offset: b}, nil
}

// Start replays the rows logged after the last checkpoint, once.
func (d *Durable) Start() error {
	if d.started {
		return nil
	}
	d.started = true
	r, err := d.log.NewReader(d.from)
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		rec, _, err := r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := d.replay(rec); err != nil {
			return fmt.Errorf("laminar: replaying the write-ahead log: %w", err)
		}
	}
}

// Log appends one record to the write-ahead log; with the default sync
// policy it is on disk when Log returns.
func (d *Durable) Log(record []byte) error {
	_, err := d.log.Append(record)
	return err
}

// MaybeCheckpoint checkpoints when the interval has passed since the last
// checkpoint ended (so that slow checkpoints leave time for input, as in
// a job's runner).
func (d *Durable) MaybeCheckpoint() error {
	if time.Since(d.last) < d.interval {
		return nil
	}
	return d.Checkpoint()
}

// Checkpoint saves every state unit with the log position it covers, then
// drops the log segments before it.
func (d *Durable) Checkpoint() error {
	defer func() { d.last = time.Now() }()
	pos := d.log.End()
	cp := &checkpoint.Checkpoint{Epoch: d.store.LastEpoch() + 1, Pipeline: d.name,
		Sources: []checkpoint.SourcePos{{Name: "pushed", WAL: pos.String()}}}
	for i, u := range d.state.StateUnits() {
		d.buf = d.state.SaveState(i, d.buf[:0])
		cp.Units = append(cp.Units, checkpoint.Unit{ID: u.ID, Name: u.Name, Data: append([]byte(nil), d.buf...)})
	}
	if err := d.log.Sync(); err != nil {
		return err
	}
	for _, s := range d.sinks {
		if err := s.Sink.Flush(); err != nil {
			return fmt.Errorf("laminar: sink %s: %w", s.Name, err)
		}
		data, err := s.Sink.Prepare(cp.Epoch)
		if err != nil {
			return fmt.Errorf("laminar: sink %s: %w", s.Name, err)
		}
		cp.Sinks = append(cp.Sinks, checkpoint.SinkState{Name: s.Name, Epoch: cp.Epoch, Data: data})
	}
	if err := d.store.Write(cp); err != nil {
		return err
	}
	for _, s := range d.sinks {
		if err := s.Sink.Commit(cp.Epoch); err != nil {
			return fmt.Errorf("laminar: sink %s: %w", s.Name, err)
		}
	}
	return d.log.RemoveBefore(pos)
}

// Close takes a final checkpoint and closes the log.
func (d *Durable) Close() error {
	err := d.Checkpoint()
	return errors.Join(err, d.log.Close())
}
