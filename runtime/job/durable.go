package job

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/laminar-sql/laminar/runtime/checkpoint"
	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/errcode"
	"github.com/laminar-sql/laminar/runtime/wal"
)

// DefaultCheckpointInterval is the time between checkpoints unless told
// otherwise.
const DefaultCheckpointInterval = 10 * time.Second

// checkpointDelayEnv names a test-only knob: a duration the job sleeps twice
// in every checkpoint (while the checkpoint's files are being written, and
// between its commit and the sinks' publication), so that crash tests can
// kill it there.
const checkpointDelayEnv = "LAMINAR_TEST_CHECKPOINT_DELAY"

// Names of the record logs in checkpoints: not SQL identifiers, so they
// cannot clash with a sink's name.
const (
	deadLetterSinkName = "@dead-letter"
	lateSinkName       = "@late"
)

// durable is the checkpointing side of a run with a state directory. Its
// layout:
//
//	<state-dir>/checkpoints/     the checkpoint store
//	<state-dir>/wal/<source>/    write-ahead log of a stdin source
//	<state-dir>/sinks/<sink>/    uncommitted epochs of a file sink
//	<state-dir>/records/<kind>/  uncommitted epochs of the dead-letter and late files
type durable struct {
	dir      string
	external ExternalState // keyed state committed with each checkpoint
	store    *checkpoint.Store
	cp       *checkpoint.Checkpoint // resumed from; nil for a fresh start
	next     uint64                 // epoch of the next checkpoint
	console  *console
	delay    time.Duration
	reset    bool
	// completed: the newest checkpoint holds the end of every source, so
	// the run has nothing to do (completed.go); cp's units' data were not
	// read.
	completed bool

	// sinks take part in the two-phase commit: the job's sinks that
	// support it, then the record logs.
	sinks     []epochSink
	walSource []*connector.WALSource // indexed like Spec.Sources; nil if not via a WAL
	prevPos   []connector.Position   // source positions of the previous checkpoint
	buf       []byte                 // reused for every unit's encoded state
	unlock    func()                 // releases the state dir's lock
	walCut    []walCut               // torn WAL tails cut at start, for the summary
	pauses    []time.Duration        // how long each checkpoint of this run stopped processing
	// sources told when a checkpoint holding their position is durable
	committers []sourceCommitter
	unitBytes  []int64   // encoded size of each state unit in the last checkpoint
	lastTime   time.Time // when the last checkpoint was committed
}

// walCut is what recovery cut off the torn tail of source src's WAL.
type walCut struct {
	src            int
	records, bytes int64
}

type epochSink struct {
	name string
	sink connector.EpochSink
}

// openDurable opens the checkpoint store in opts.StateDir and loads the
// newest valid checkpoint, reporting damaged newer ones.
func openDurable(spec Spec, opts Options, con *console) (*durable, error) {
	d := &durable{dir: opts.StateDir, console: con, reset: opts.AllowStateReset,
		walSource: make([]*connector.WALSource, len(spec.Sources))}
	if v := os.Getenv(checkpointDelayEnv); v != "" {
		delay, err := time.ParseDuration(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", checkpointDelayEnv, err)
		}
		d.delay = delay
	}
	unlock, err := lockStateDir(d.dir)
	if err != nil {
		return nil, err
	}
	d.unlock = unlock
	store, err := checkpoint.Open(filepath.Join(d.dir, "checkpoints"), checkpoint.Options{FS: opts.CheckpointFS})
	if err != nil {
		d.close()
		return nil, fmt.Errorf("state dir: %w", err)
	}
	d.store = store
	cp, skipped, err := store.LatestSkippingUnits(func(s []checkpoint.SourcePos) bool { return completedBy(spec, s) })
	if err != nil {
		d.close()
		return nil, fmt.Errorf("state dir: %w", err)
	}
	using := "starting from scratch"
	if cp != nil {
		using = fmt.Sprintf("using checkpoint %d", cp.Epoch)
	}
	for _, s := range skipped {
		con.logf("%s; %s", s, using)
	}
	d.cp = cp
	d.completed = cp != nil && cp.UnitsSkipped
	d.next = store.LastEpoch() + 1
	return d, nil
}

// close releases the state dir's lock; the job's files are closed first.
func (d *durable) close() {
	if d.unlock != nil {
		d.unlock()
		d.unlock = nil
	}
}

// sourcePos is where source `name` resumes, and whether it had ended.
func (d *durable) sourcePos(name string) (connector.Position, bool) {
	if d.cp != nil {
		for _, s := range d.cp.Sources {
			if s.Name == name {
				return connector.Position{Offset: s.Offset, Line: s.Line, WAL: s.WAL, Offsets: s.Offsets, Check: connector.ParseInputCheck(s.Check)}, s.Done
			}
		}
	}
	return connector.Position{}, false
}

// openSource opens source i at its checkpointed position; a stdin source
// goes through its write-ahead log. It returns nil for a source that had
// ended: its end is part of the pipeline's saved state already.
func (d *durable) openSource(env connector.Env, i int, s SourceSpec) (connector.Source, connector.Position, error) {
	pos, done := d.sourcePos(s.Name)
	if done {
		return nil, pos, nil
	}
	if s.Connector == "stdin" {
		dir := filepath.Join(d.dir, "wal", safeName(s.Name))
		in := env.Stdin
		if in == nil {
			in = os.Stdin
		}
		ws, err := connector.OpenWALSource(dir, in, "stdin", pos, wal.Options{})
		if err != nil {
			return nil, pos, err
		}
		d.walSource[i] = ws
		ws.SetMaxLine(env.MaxRecordBytes)
		if rec := ws.Recovery(); rec.Torn {
			d.walCut = append(d.walCut, walCut{src: i, records: int64(rec.DroppedRecords), bytes: rec.DroppedBytes})
			d.console.logf("source %s: the write-ahead log %s ended in a torn tail (an append a crash interrupted): cut at %v, %d partial record(s) and %d bytes discarded; that input was not acknowledged",
				s.Name, dir, rec.TornAt, rec.DroppedRecords, rec.DroppedBytes)
		}
		acked := ws.Acked()
		d.console.logf("source %s: stdin goes through the write-ahead log %s, which holds the input up to byte %d (line %d): send the rest from there",
			s.Name, dir, acked.Offset, acked.Line)
		return ws, pos, nil
	}
	src, err := connector.OpenSourceAt(env, s.Connector, s.Options, pos)
	if errcode.Of(err) == errcode.InputChanged {
		err = fmt.Errorf("%w\nthe checkpoint in %s cannot resume on it: restore the input it read, or start over by deleting the state dir %s (and the outputs)", err, d.store.Dir(), d.dir)
	}
	if c, ok := src.(connector.Committer); ok {
		d.committers = append(d.committers, sourceCommitter{i, c})
	}
	return src, pos, err
}

// checkUnits compares the pipeline's state units with the checkpoint's:
// state is matched by ID only, so a unit on one side only is state that
// would start empty or be lost. Unless --allow-state-reset, that refuses
// the start and names them.
func (d *durable) checkUnits(units []StateUnit) error {
	if d.cp == nil {
		return nil
	}
	var problems []string
	have := map[string]bool{}
	for _, u := range units {
		have[u.ID] = true
		if d.cp.Unit(u.ID) == nil {
			problems = append(problems, fmt.Sprintf("%s: not in the checkpoint (new or changed), its state would start empty", u.Name))
		}
	}
	for _, u := range d.cp.Units {
		if !have[u.ID] {
			problems = append(problems, fmt.Sprintf("%s: gone or changed, its state in the checkpoint would be lost", u.Name))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	if d.reset {
		for _, p := range problems {
			d.console.logf("--allow-state-reset: %s", p)
		}
		return nil
	}
	return fmt.Errorf("the pipeline does not match checkpoint %d in %s:\n  %s\nrun with --allow-state-reset to start such state empty",
		d.cp.Epoch, d.store.Dir(), strings.Join(problems, "\n  "))
}

// resumed logs where the job resumed from; began is when the job started
// to recover.
func (d *durable) resumed(began time.Time) {
	if d.cp == nil {
		return
	}
	var size int
	for _, u := range d.cp.Units {
		size += len(u.Data)
	}
	d.console.logf("resumed from checkpoint %d of %s (taken %s): %s of state, recovered in %v",
		d.cp.Epoch, d.store.Dir(), d.cp.Created.UTC().Format(time.RFC3339), megabytes(size), time.Since(began).Round(time.Millisecond))
}

func megabytes(n int) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// loadState loads every unit the checkpoint has, by ID.
func (d *durable) loadState(st Stateful) error {
	if d.cp == nil {
		return nil
	}
	for i, u := range st.StateUnits() {
		if cu := d.cp.Unit(u.ID); cu != nil {
			if err := st.LoadState(i, cu.Data); err != nil {
				return fmt.Errorf("checkpoint %d: %s: %w", d.cp.Epoch, u.Name, err)
			}
		}
	}
	return nil
}

// recoverSink brings an exactly-once sink back to the checkpoint and makes
// it part of the checkpoints from now on.
func (d *durable) recoverSink(name string, s connector.EpochSink) error {
	var epoch uint64
	var data []byte
	if d.cp != nil {
		for _, k := range d.cp.Sinks {
			if k.Name == name {
				epoch, data = k.Epoch, k.Data
			}
		}
	}
	if err := s.Recover(epoch, data); err != nil {
		return err
	}
	d.sinks = append(d.sinks, epochSink{name, s})
	return nil
}

// sinkDir is where a sink's (or record log's) uncommitted epochs live.
func (d *durable) sinkDir(kind, name string) string {
	return filepath.Join(d.dir, kind, safeName(name))
}

// take writes a checkpoint of the current cut: sources at positions (done
// marks ended ones), every state unit, and the sinks' epoch, then publishes
// the epoch. Called between batches only. The final checkpoint of a run is
// logged with its size and time.
func (d *durable) take(pipeline Pipeline, spec Spec, positions []connector.Position, done []bool, final bool) error {
	began := time.Now()
	stateSize := 0
	epoch := d.next
	cp := &checkpoint.Checkpoint{Epoch: epoch, Pipeline: spec.Name}
	for i, s := range spec.Sources {
		p := positions[i]
		cp.Sources = append(cp.Sources, checkpoint.SourcePos{Name: s.Name, Offset: p.Offset, Line: p.Line, WAL: p.WAL, Offsets: p.Offsets, Done: done[i], Check: p.Check.String()})
	}
	// A failure from here on stops the job without Abort: the store may or
	// may not have made the checkpoint visible, and only Recover, seeing
	// which checkpoint is the newest, knows whether the epoch is committed.
	for _, s := range d.sinks {
		if err := s.sink.Flush(); err != nil {
			return fmt.Errorf("sink %s: %w", s.name, err)
		}
		data, err := s.sink.Prepare(epoch)
		if err != nil {
			return fmt.Errorf("sink %s: %w", s.name, err)
		}
		cp.Sinks = append(cp.Sinks, checkpoint.SinkState{Name: s.name, Epoch: epoch, Data: data})
	}
	w, err := d.store.Begin(epoch)
	if err != nil {
		return err
	}
	d.unitBytes = d.unitBytes[:0]
	if st, ok := pipeline.(Stateful); ok {
		for i, u := range st.StateUnits() {
			d.buf = st.SaveState(i, d.buf[:0])
			stateSize += len(d.buf)
			d.unitBytes = append(d.unitBytes, int64(len(d.buf)))
			if err := w.AddUnit(u.ID, u.Name, d.buf); err != nil {
				return err
			}
		}
		if cap(d.buf) > 64<<20 {
			d.buf = nil // do not hold on to a huge state's buffer between checkpoints
		}
	}
	if d.external != nil {
		// the incremental commit of keyed state comes before the manifest:
		// a checkpoint that exists always covers it
		if err := d.external.CommitState(epoch); err != nil {
			return fmt.Errorf("keyed state: %w", err)
		}
	}
	time.Sleep(d.delay)
	if err := w.Commit(cp); err != nil {
		return err
	}
	d.next = epoch + 1
	time.Sleep(d.delay)
	for _, s := range d.sinks {
		if err := s.sink.Commit(epoch); err != nil {
			return fmt.Errorf("sink %s: %w", s.name, err)
		}
	}
	// WAL segments go one checkpoint late, so that the previous checkpoint
	// (used if this one turns out damaged) can still replay.
	for i, ws := range d.walSource {
		if ws != nil && d.prevPos != nil {
			if err := ws.RemoveBefore(d.prevPos[i]); err != nil {
				d.console.logf("source %s: %v", spec.Sources[i].Name, err)
			}
		}
	}
	for _, c := range d.committers {
		c.Committed(positions[c.src])
	}
	d.prevPos = append(d.prevPos[:0], positions...)
	d.pauses = append(d.pauses, time.Since(began))
	d.lastTime = time.Now()
	if final {
		d.console.logf("checkpoint %d written (%s of state in %v); the same --state-dir resumes from it",
			epoch, megabytes(stateSize), time.Since(began).Round(time.Millisecond))
	}
	return nil
}

// safeName turns a SQL name into a file name: letters, digits, '_' and '-'
// stay, every other byte becomes %XX.
func safeName(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '_' || c == '-' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	if b.Len() == 0 {
		return "%"
	}
	return b.String()
}
