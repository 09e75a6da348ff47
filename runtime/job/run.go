package job

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/fsys"
	"github.com/laminar-sql/laminar/runtime/nexmark"
	"github.com/laminar-sql/laminar/runtime/window"
)

// DefaultBatchSize is the number of lines per batch unless told otherwise.
const DefaultBatchSize = 1024

// Options configure Run. Main fills them from its flags; the zero value runs
// with the defaults.
type Options struct {
	// BaseDir is where relative WITH paths resolve; "" means ".".
	BaseDir string
	// DeadLetterPath receives malformed records as JSON lines; "" means
	// "<spec.Name>.dead.jsonl", "-" means stderr. Created on first use.
	DeadLetterPath string
	// LatePath receives late records; "" means "<spec.Name>.late.jsonl",
	// "-" means stderr. Created on first use.
	LatePath string
	// BatchSize is the most lines handed to the pipeline at once; 0 means
	// DefaultBatchSize.
	BatchSize int
	// MaxRecordBytes is the longest record a file or stdin source accepts;
	// longer ones go to the dead-letter output, truncated. 0 means
	// connector.MaxLineBytes.
	MaxRecordBytes int
	// Workers is how many workers run a pipeline whose rows split by key
	// (Partitioned), each with its own engine; 0 means GOMAXPROCS.
	Workers int
	// Decoders is how many goroutines decode each file or stdin source's
	// records when the pipeline supports it (ParallelDecoder); 0 means
	// GOMAXPROCS, 1 decodes on the pipeline's goroutine.
	Decoders int
	// Progress prints a progress line on stderr every ProgressInterval
	// (0 means a second).
	Progress         bool
	ProgressInterval time.Duration
	// Quiet leaves out the summary line at the end.
	Quiet bool
	// SummaryJSON, when set, is a file that receives the final counters.
	SummaryJSON string
	// StateDir, when set, makes the job durable: it writes checkpoints
	// there every CheckpointInterval (0 means DefaultCheckpointInterval), at
	// the end of its input and when interrupted, resumes from the newest
	// one, logs stdin to a write-ahead log and writes file sinks
	// exactly-once. "" runs without any of that.
	StateDir           string
	CheckpointInterval time.Duration
	// MemoryLimit, when positive, keeps the job under that many bytes: it
	// is Go's soft memory limit, and the job stops with an LDB-5101 error
	// (after a final checkpoint) once the live heap passes 3/4 of it.
	MemoryLimit int64
	// AllowStateReset starts state units that the checkpoint and the
	// pipeline do not share empty, instead of refusing to start.
	AllowStateReset bool
	// Clock, when set, is the processing time PROCTIME() reads (nil: the
	// wall clock); TimerInterval is how often processing-time windows are
	// checked for closing (0 means DefaultTimerInterval).
	Clock         Clock
	TimerInterval time.Duration
	// cpuProfile is the --cpuprofile flag, handled by Main.
	cpuProfile string
	// memProfile is the --memprofile flag, handled by Main.
	memProfile string
	// traceFile is the --trace flag, handled by Main.
	traceFile string
	// CheckpointFS is the filesystem checkpoints are written through; nil
	// means the real one (tests inject faults with fsys.Faulty).
	CheckpointFS fsys.FS
	// Stdin, Stdout and Stderr stand in for the process's own when set.
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// LogFormat is LogText ("" too) or LogJSON; LogLevel the least level
	// logged (malformed and late records are warnings).
	LogFormat string
	LogLevel  slog.Level
	// LogFile, when set, receives the log lines instead of Stderr; SIGHUP
	// reopens it (log rotation).
	LogFile string
	// HTTPAddr, when set, serves the admin endpoints there through Admin;
	// HTTPToken is the bearer token they require ("" for none, allowed on
	// a loopback address only).
	HTTPAddr  string
	HTTPToken string
	Admin     AdminServer
	// defaultLog makes the job's logger slog's default for the run, so that
	// libraries that log through slog.Default (badger, via kvstate) follow
	// --log-format and --log-level; set by Main, not by embedders' Run.
	defaultLog bool
	// configSource says where each setting came from: "flag", "env NAME",
	// "config FILE" (parseFlags; tests check the precedence with it)
	configSource map[string]string
}

func (o Options) withDefaults(spec Spec) Options {
	name := spec.Name
	if name == "" {
		name = "job"
	}
	if o.BaseDir == "" {
		o.BaseDir = "."
	}
	if o.DeadLetterPath == "" {
		o.DeadLetterPath = name + ".dead.jsonl"
	}
	if o.LatePath == "" {
		o.LatePath = name + ".late.jsonl"
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.MaxRecordBytes <= 0 {
		o.MaxRecordBytes = connector.MaxLineBytes
	}
	if o.CheckpointInterval <= 0 {
		o.CheckpointInterval = DefaultCheckpointInterval
	}
	if o.ProgressInterval <= 0 {
		o.ProgressInterval = time.Second
	}
	if o.Stdin == nil {
		o.Stdin = os.Stdin
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	return o
}

// SourceSummary holds the counters of one source.
type SourceSummary struct {
	Name      string `json:"name"`
	Connector string `json:"connector,omitempty"`
	RowsIn    int64  `json:"rows_in"`         // records read, malformed and late ones included
	Bytes     int64  `json:"bytes,omitempty"` // read, by file and stdin sources
	// Table and Kept, for a Nexmark source: every one reads the whole
	// stream of events (RowsIn) and keeps those of its table.
	Table     string `json:"table,omitempty"`
	Kept      int64  `json:"table_rows,omitempty"`
	Malformed int64  `json:"malformed"`
	Late      int64  `json:"late"`
	// InvalidText counts records with invalid UTF-8 (or, in JSON, an
	// escaped lone surrogate): kept, with U+FFFD for what does not decode.
	InvalidText int64 `json:"invalid_utf8,omitempty"`
	// What recovery cut off the torn tail of the source's write-ahead log
	// (an append a crash interrupted; that input was never acknowledged).
	WALTornRecords int64 `json:"wal_torn_records,omitempty"`
	WALTornBytes   int64 `json:"wal_torn_bytes,omitempty"`
	Failed         int64 `json:"failed"` // rows a view's expressions failed on (dead-lettered)
}

// SinkSummary holds the counters of one sink.
type SinkSummary struct {
	Name      string `json:"name"`
	Connector string `json:"connector,omitempty"`
	RowsOut   int64  `json:"rows_out"`
}

// Summary is what a run did.
type Summary struct {
	Sources     []SourceSummary // indexed like Spec.Sources
	Sinks       []SinkSummary   // indexed like Spec.Sinks
	Elapsed     time.Duration
	Interrupted bool // the context was canceled before the input ended
	// AlreadyCompleted: the state dir held a job that had completed, so
	// this run did nothing.
	AlreadyCompleted bool
	// OutputFailed counts result rows that could not be represented (dead-lettered).
	OutputFailed int64
	// StateGroups is the number of groups of keyed state held in memory at
	// the end, StateBytes an estimate of their size (strings' contents aside).
	StateGroups, StateBytes int64
	// EmitDelay is the time from the watermark closing a window to the
	// window's rows being handed to the sinks, over the windows closed.
	WindowsClosed int64
	EmitDelayP50  time.Duration
	EmitDelayP99  time.Duration
	// Checkpoints taken in this run, and how long processing stopped for
	// them (median and longest).
	Checkpoints                       int
	CheckpointPauseP50, CheckpointMax time.Duration
	// State is the size of each state unit at the last checkpoint.
	State []StateStatus
	// Operators are the dataflow graph's operators with their counters.
	Operators []OperatorStatus
	// Lookups are the lookup joins' cache counters, summed over the workers.
	Lookups []LookupStatus
	// Workers, for a job that ran on several workers.
	Workers *WorkersSummary
}

// RowsIn is the number of records read from all sources: for Nexmark
// sources, the events of their tables.
func (s Summary) RowsIn() (n int64) {
	for _, src := range s.Sources {
		n += src.Rows()
	}
	return n
}

// Rows is what the source contributed: its records, or for a Nexmark
// source the events of its table.
func (s SourceSummary) Rows() int64 {
	if s.Table != "" {
		return s.Kept
	}
	return s.RowsIn
}

// RowsOut is the number of rows written to all sinks.
func (s Summary) RowsOut() (n int64) {
	for _, sink := range s.Sinks {
		n += sink.RowsOut
	}
	return n
}

// Malformed is the number of malformed records of all sources.
func (s Summary) Malformed() (n int64) {
	for _, src := range s.Sources {
		n += src.Malformed
	}
	return n
}

// Late is the number of late records of all sources.
func (s Summary) Late() (n int64) {
	for _, src := range s.Sources {
		n += src.Late
	}
	return n
}

// Failed is the number of input rows and result rows that views could not
// compute (an arithmetic overflow), all in the dead-letter output.
func (s Summary) Failed() (n int64) {
	for _, src := range s.Sources {
		n += src.Failed
	}
	return n + s.OutputFailed
}

// String is the summary line (without the "laminar: " prefix):
// "done in 1.23s (8.1K rows/s): 10000 rows in (trades 10000), 120 rows out (vwap_out 120), 3 late, 2 malformed".
func (s Summary) String() string {
	if s.AlreadyCompleted {
		return "already completed: nothing to do"
	}
	var b strings.Builder
	verb := "done in"
	if s.Interrupted {
		verb = "interrupted after"
	}
	fmt.Fprintf(&b, "%s %.2fs", verb, s.Elapsed.Seconds())
	if secs := s.Elapsed.Seconds(); secs > 0 && s.RowsIn() > 0 {
		fmt.Fprintf(&b, " (%s rows/s)", humanCount(float64(s.RowsIn())/secs))
	}
	b.WriteString(": ")
	fmt.Fprintf(&b, "%s in", plural(s.RowsIn(), "row"))
	for i, src := range s.Sources {
		b.WriteString(listSep(i))
		if src.Table != "" {
			fmt.Fprintf(&b, "%s %d of %d events", src.Name, src.Kept, src.RowsIn)
		} else {
			fmt.Fprintf(&b, "%s %d", src.Name, src.RowsIn)
		}
	}
	if len(s.Sources) > 0 {
		b.WriteString(")")
	}
	fmt.Fprintf(&b, ", %s out", plural(s.RowsOut(), "row"))
	for i, sink := range s.Sinks {
		b.WriteString(listSep(i))
		fmt.Fprintf(&b, "%s %d", sink.Name, sink.RowsOut)
	}
	if len(s.Sinks) > 0 {
		b.WriteString(")")
	}
	fmt.Fprintf(&b, ", %d late, %d malformed", s.Late(), s.Malformed())
	for _, src := range s.Sources {
		if src.InvalidText > 0 {
			fmt.Fprintf(&b, ", source %s: %d records with invalid UTF-8 (replaced by U+FFFD)", src.Name, src.InvalidText)
		}
		if src.WALTornBytes > 0 {
			fmt.Fprintf(&b, ", source %s: torn write-ahead log tail cut (%d partial records, %d bytes)", src.Name, src.WALTornRecords, src.WALTornBytes)
		}
	}
	if n := s.Failed(); n > 0 {
		fmt.Fprintf(&b, ", %d failed", n)
	}
	if s.StateGroups > 0 {
		fmt.Fprintf(&b, ", state %d groups (~%s)", s.StateGroups, formatBytes(s.StateBytes))
	}
	return b.String()
}

func listSep(i int) string {
	if i == 0 {
		return " ("
	}
	return ", "
}

// Run runs the pipeline over its sources until they end or ctx is canceled,
// and reports what it did. A canceled context is not an error: what was read
// is processed and written out, and the summary says Interrupted. Errors name
// the source or sink and its path.
func Run(ctx context.Context, spec Spec, factory Factory, opts Options) (Summary, error) {
	opts = opts.withDefaults(spec)
	start := time.Now()
	con := &console{w: opts.Stderr}
	con.log = newLogger(con, opts.LogFormat, opts.LogLevel)
	if opts.LogFile != "" {
		lf, err := openLogFile(opts.LogFile)
		if err != nil {
			return Summary{}, err
		}
		defer lf.Close()
		con.logTo = lf
		defer reopenOnHUP(lf, con.log)()
	}
	if opts.defaultLog {
		prev := slog.Default()
		slog.SetDefault(con.log)
		defer slog.SetDefault(prev)
	}
	delays := &Histogram{}
	r := &runner{
		spec:    spec,
		opts:    opts,
		console: con,
		live:    newLive(spec, opts.StateDir != "", delays),
		jobCtx: &Context{
			trackDelays: true,
			console:     con,
			log:         con.log,
			emitDelays:  delays,
			deadLetter:  newRecordLog("dead-letter", opts.DeadLetterPath, con),
			late:        newRecordLog("late", opts.LatePath, con),
			clock:       opts.Clock,
		},
	}
	for _, src := range spec.Sources {
		ss := SourceSummary{Name: src.Name}
		if k := nexmarkKind(src); k != 0 {
			ss.Table = k.String()
		}
		r.jobCtx.sources = append(r.jobCtx.sources, ss)
	}
	if opts.HTTPAddr != "" {
		stop, err := startAdmin(opts, r.live, con.log)
		if err != nil {
			return Summary{}, err
		}
		defer stop()
	}

	env := connector.Env{BaseDir: opts.BaseDir, Stdin: opts.Stdin, Stdout: opts.Stdout, MaxRecordBytes: opts.MaxRecordBytes,
		StateDir: opts.StateDir, Logf: connectorLog(opts.Stderr), Nexmark: connector.NewNexmarkStreams()}
	r.jobCtx.env = env
	err := r.start(env, factory)
	if err == nil {
		var units []StateUnit
		if st, ok := r.pipeline.(Stateful); ok {
			units = st.StateUnits()
		}
		r.live.update(func(s *Status) {
			s.Phase, s.Ready = "running", true
			for _, u := range units { // sizes come with the first checkpoint
				s.State = append(s.State, StateStatus{ID: u.ID, Name: u.Name, Bytes: -1})
			}
		})
		err = r.loop(ctx)
	}
	close(r.live.stopped)
	if closeErr := r.close(); err == nil {
		err = closeErr
	}

	summary := r.summary(time.Since(start))
	r.publish()
	r.live.update(func(s *Status) {
		s.Phase, s.Ready, s.ElapsedSeconds = "done", false, summary.Elapsed.Seconds()
		if err != nil {
			s.Phase, s.Error = "failed", err.Error()
		}
	})
	if err == nil && !opts.Quiet {
		con.logf("%s", summary)
	}
	if opts.SummaryJSON != "" {
		if jsonErr := writeSummaryJSON(opts.SummaryJSON, summary, err); err == nil {
			err = jsonErr
		}
	}
	return summary, err
}

// runner is one run of a job: everything Run opens and counts.
type runner struct {
	spec    Spec
	opts    Options
	console *console
	jobCtx  *Context
	live    *live

	pipeline    Pipeline
	factory     Factory
	pool        *workerPool        // the workers of a partitioned job, or nil
	sources     []connector.Source // until handed to their readers; nil for an ended source
	unflushed   bool               // sinks got rows since their last Flush
	interrupted bool

	// With a state dir: the checkpointing, and the cut of the batches
	// processed so far (each source's position, and whether it ended).
	durable   *durable
	positions []connector.Position
	done      []bool
	// for the progress line and Nexmark's rows by table: how far each
	// source goes (0: unknown), and the event kind a Nexmark source keeps
	extents []int64
	kinds   []nexmark.Kind
	// each source's watermark after the last batch (Watermarked pipelines)
	watermarks     []int64
	operators      []OperatorStatus // the pipeline's, read after every batch
	scratchOps     []OperatorStatus // another worker's, being added up
	scratchLookups []LookupStatus   // another worker's lookup counters, being added up
	opInputs       [][]int          // each operator's inputs (see resolveOperatorInputs)

	// external keyed state (the badger backend), and its directory when it
	// is a temporary one (no state dir)
	external    ExternalState
	externalTmp string
}

// start opens the sources, builds the pipeline, then opens the sinks: a
// missing input or a pipeline that does not match its checkpoint is
// reported before any output file is touched. With a state dir it resumes
// from the newest checkpoint.
func (r *runner) start(env connector.Env, factory Factory) error {
	began := time.Now()
	if err := checkPaths(r.spec, r.opts, env); err != nil {
		return err
	}
	if r.opts.StateDir != "" {
		d, err := openDurable(r.spec, r.opts, r.console)
		if err != nil {
			return err
		}
		r.durable = d
	}
	r.positions = make([]connector.Position, len(r.spec.Sources))
	for _, s := range r.spec.Sources {
		r.extents = append(r.extents, sourceExtent(r.opts.BaseDir, s))
		r.kinds = append(r.kinds, nexmarkKind(s))
	}
	r.done = make([]bool, len(r.spec.Sources))
	for i, s := range r.spec.Sources {
		s = withNexmarkTable(s)
		var src connector.Source
		var err error
		if r.durable != nil {
			src, r.positions[i], err = r.durable.openSource(env, i, s)
			r.done[i] = src == nil && err == nil
		} else {
			src, err = connector.OpenSource(env, s.Connector, s.Options)
		}
		if err != nil {
			return fmt.Errorf("source %s: %w", s.Name, err)
		}
		if src != nil {
			wrapped, err := configureSource(env, src, s)
			if err != nil {
				src.Close()
				return fmt.Errorf("source %s: %w", s.Name, err)
			}
			src = wrapped
		}
		r.sources = append(r.sources, src)
	}
	for _, s := range r.spec.Sinks {
		r.jobCtx.Sinks = append(r.jobCtx.Sinks, &SinkWriter{Name: s.Name, Discard: s.Connector == "blackhole"})
	}
	r.pipeline, r.factory = factory(r.jobCtx), factory
	st, stateful := r.pipeline.(Stateful)
	// a completed job is checked too: an edit (a new view) is not "nothing to do"
	completed := r.durable != nil && r.durable.completed
	if r.durable != nil && stateful {
		if err := r.durable.checkUnits(st.StateUnits()); err != nil {
			return err
		}
	}
	for i, s := range r.spec.Sinks {
		sink, err := r.openSink(env, s)
		if err != nil {
			return fmt.Errorf("sink %s: %w", s.Name, err)
		}
		r.jobCtx.Sinks[i].sink = sink
	}
	if r.durable == nil {
		return r.openExternal()
	}
	for _, l := range []*recordLog{r.jobCtx.deadLetter, r.jobCtx.late} {
		if err := l.makeDurable(r.durable); err != nil {
			return err
		}
	}
	if completed {
		r.reportCompleted(env)
		return nil
	}
	if stateful {
		if err := r.durable.loadState(st); err != nil {
			return err
		}
	}
	if err := r.openExternal(); err != nil {
		return err
	}
	r.durable.resumed(began)
	return nil
}

// openExternal opens the pipeline's own state store, if it has one: under
// the state dir, rolled back to the checkpoint resumed from, or in a
// temporary directory for a run without checkpoints.
func (r *runner) openExternal() error {
	ext, ok := r.pipeline.(ExternalState)
	if !ok {
		return nil
	}
	var dir string
	var epoch uint64
	if r.durable != nil {
		dir = filepath.Join(r.durable.dir, "kv")
		if r.durable.cp != nil {
			epoch = r.durable.cp.Epoch
		}
		r.durable.external = ext
	} else {
		tmp, err := os.MkdirTemp("", "laminar-state-")
		if err != nil {
			return err
		}
		dir, r.externalTmp = tmp, tmp
	}
	if err := ext.OpenState(dir, epoch); err != nil {
		return fmt.Errorf("keyed state in %s: %w", dir, err)
	}
	r.external = ext
	return nil
}

// openSink opens a sink; with a state dir, one that supports it is
// exactly-once and recovered to the checkpoint.
func (r *runner) openSink(env connector.Env, s SinkSpec) (connector.Sink, error) {
	if r.durable == nil {
		sink, err := connector.OpenSink(env, s.Connector, s.Options)
		return formatSink(sink, s), err
	}
	sink, err := connector.OpenEpochSink(env, s.Connector, s.Options, r.durable.sinkDir("sinks", s.Name))
	if err != nil {
		return nil, err
	}
	sink = formatSink(sink, s)
	if es, ok := sink.(connector.EpochSink); ok {
		if err := r.durable.recoverSink(s.Name, es); err != nil {
			sink.Close()
			return nil, err
		}
	}
	return sink, nil
}

// batchMsg carries one filled batch from a source's reader to the main loop.
type batchMsg struct {
	src   int
	batch *connector.LineBatch
	pos   connector.Position // the source's position after the batch
	bad   int64              // records with invalid UTF-8 (text.go)
	more  bool
	err   error
	// decoded: a ParallelDecoder's decoder filled batch.Decoded
	decoded bool
}

// loop feeds the sources' batches to the pipeline, on this goroutine only,
// until every source has ended, one fails, or ctx is canceled.
func (r *runner) loop(ctx context.Context) error {
	pool, err := r.newWorkerPool(r.factory)
	if err != nil {
		return err
	}
	if pool != nil {
		r.pool, r.pipeline = pool, pool.pipes[0]
		return pool.run(ctx)
	}
	pipeline := r.pipeline
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()

	// Each source has two batches: its reader fills one while the pipeline
	// works on the other, and refills a batch only once it came back, since
	// the lines point into the source's buffers. A source decoded in
	// parallel has one more per decoder (see readSourceParallel).
	msgs := make(chan batchMsg, 2*len(r.sources))
	free := make([]chan *connector.LineBatch, len(r.sources))
	var readers sync.WaitGroup
	active := 0
	for i, src := range r.sources {
		if src == nil {
			continue // ended before the checkpoint this run resumed from
		}
		active++
		check := textCheckOf(r.spec.Sources[i])
		// Parallel decoding is for the file and stdin sources, whose batches
		// connector.Detach can copy; a connector with its own batch state
		// (Kafka partitions, CDC) keeps decoding on the pipeline's goroutine.
		textSource := r.spec.Sources[i].Connector == "file" || r.spec.Sources[i].Connector == "stdin"
		if workers := r.decodeWorkers(); workers > 1 && textSource && pipeline.(ParallelDecoder).NewDecoder(i) != nil {
			pd := pipeline.(ParallelDecoder)
			free[i] = make(chan *connector.LineBatch, workers+2)
			for range workers + 2 {
				free[i] <- new(connector.LineBatch)
			}
			newDecoder := func() func(*connector.LineBatch) { return pd.NewDecoder(i) }
			readers.Go(func() {
				readSourceParallel(readCtx, i, src, r.opts.BatchSize, check, newDecoder, workers, free[i], msgs)
			})
			continue
		}
		if p, ok := src.(connector.Prefetcher); ok {
			p.Prefetch(r.generators())
		}
		free[i] = make(chan *connector.LineBatch, 2)
		free[i] <- new(connector.LineBatch)
		free[i] <- new(connector.LineBatch)
		readers.Go(func() { readSource(readCtx, i, src, r.opts.BatchSize, check, free[i], msgs) })
	}
	r.sources = nil // the readers close them

	var tick <-chan time.Time
	if r.opts.Progress {
		ticker := time.NewTicker(r.opts.ProgressInterval)
		defer ticker.Stop()
		tick = ticker.C
	}
	var checkpointTick <-chan time.Time
	var checkpointTimer *time.Timer
	if r.durable != nil {
		checkpointTimer = time.NewTimer(r.opts.CheckpointInterval)
		defer checkpointTimer.Stop()
		checkpointTick = checkpointTimer.C
	}
	procTick, stopTimer := r.procTimer(pipeline)
	defer stopTimer()
	started := time.Now()
	meter := progressMeter{lastTime: started}
	defer r.console.clearProgress()
	mem := newMemoryGuard(r.opts.MemoryLimit)
	defer mem.close()

	for active > 0 {
		if ctx.Err() != nil {
			r.interrupted = true
			break
		}
		if r.unflushed && len(msgs) == 0 {
			// About to wait for input: push the rows out of the sinks'
			// buffers, so a live input shows its results in output files
			// now, not when a buffer fills. A busy job does not flush.
			if err := r.flushSinks(); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			r.interrupted = true
		case now := <-tick:
			line := meter.line(r.rowsIn(), now)
			if pct, ok := r.progressPercent(now.Sub(started)); ok {
				line += ", " + pct
			}
			r.console.progress(line)
		case <-checkpointTick:
			if err := r.checkpoint(false); err != nil {
				return err
			}
			// the next one is due an interval after this one's end (see
			// nextCheckpoint)
			nextCheckpoint(checkpointTimer, r.opts.CheckpointInterval)
		case <-procTick:
			// processing-time windows close on the clock, rows or not
			if err := r.procTick(pipeline); err != nil {
				return err
			}
		case reply := <-r.live.requests:
			// a checkpoint asked through the admin server
			if r.durable == nil {
				reply <- checkpointResult{err: ErrNoStateDir}
				continue
			}
			err := r.checkpoint(false)
			reply <- checkpointResult{epoch: r.durable.next - 1, err: err}
			if err != nil {
				return err
			}
			nextCheckpoint(checkpointTimer, r.opts.CheckpointInterval)
		case m := <-msgs:
			if err := r.process(pipeline, m); err != nil {
				return err // readers stop through readCtx and close their sources
			}
			if m.more {
				free[m.src] <- m.batch
			} else {
				active--
			}
			if err := mem.check(nil); err != nil {
				// stop between batches, with what was processed checkpointed
				if cerr := r.checkpoint(true); cerr != nil {
					return fmt.Errorf("%w (and the final checkpoint failed: %v)", err, cerr)
				}
				return err
			}
		}
	}
	r.live.update(func(s *Status) { s.Phase = "stopping" })
	if r.interrupted {
		// Everything read so far is processed and handed to the sinks; the
		// sinks are closed by Run. Readers may be blocked in a read that
		// cannot be interrupted (a terminal on stdin): they end on their
		// own, without waiting.
		return r.checkpoint(true)
	}
	readers.Wait() // each has sent its last batch and is closing its source
	return r.checkpoint(true)
}

// nextCheckpoint sets t to fire an interval from now, after a checkpoint
// ended: the interval runs from one checkpoint's end to the next one's
// start (Flink's min-pause between checkpoints, always on). Counted from
// their starts, as a ticker does, checkpoints that take longer than the
// interval (a disk whose fsyncs are slow, a short interval) leave the job
// no time for its input: with batches of one line and checkpoints every
// 4 ms a job took one line per checkpoint, 90 lines a second, on a disk
// where a checkpoint took 11 ms.
func nextCheckpoint(t *time.Timer, interval time.Duration) {
	t.Reset(interval) // a timer since Go 1.23: no stale tick to drain
}

// checkpoint takes a checkpoint of what was processed so far, if the job
// has a state dir; it is called between batches only.
func (r *runner) checkpoint(final bool) error {
	if r.durable == nil || r.durable.completed {
		return nil
	}
	pipeline := r.pipeline
	if r.pool != nil {
		merged, err := r.pool.merged()
		if err != nil {
			return err
		}
		defer release(merged)
		pipeline = merged
	}
	if err := r.durable.take(pipeline, r.spec, r.positions, r.done, final && !r.opts.Quiet); err != nil {
		return err
	}
	r.publishCheckpoint()
	return nil
}

// readSource fills src's free batches and sends them to the main loop until
// the source ends, fails, or ctx is canceled; then it closes the source.
func readSource(ctx context.Context, src int, s connector.Source, batchSize int, check textCheck,
	free <-chan *connector.LineBatch, out chan<- batchMsg) {
	// A read-only source has nothing to lose on Close; its errors are moot.
	defer s.Close()
	for {
		var b *connector.LineBatch
		select {
		case b = <-free:
		case <-ctx.Done():
			return
		}
		more, err := s.Next(b, batchSize)
		var pos connector.Position
		if p, ok := s.(connector.Positioned); ok {
			pos = p.Position()
		}
		select {
		case out <- batchMsg{src: src, batch: b, pos: pos, bad: check.count(b), more: more && err == nil, err: err}:
		case <-ctx.Done():
			return
		}
		if !more || err != nil {
			return
		}
	}
}

// process runs one batch through the pipeline and writes out what it made.
func (r *runner) process(pipeline Pipeline, m batchMsg) error {
	// over-long and rejected records go to the dead letters in input order
	// among the lines' reports, the rest once the batch is processed
	r.jobCtx.sources[m.src].RowsIn += int64(len(m.batch.Oversized) + len(m.batch.Rejected))
	r.jobCtx.hold(m.src, m.batch, r.opts.MaxRecordBytes)
	if k := r.kinds[m.src]; k != 0 {
		// A Nexmark source counts the stream's events it went past, of which
		// a shared generator hands it only its table's.
		r.jobCtx.sources[m.src].RowsIn += m.pos.Offset - r.positions[m.src].Offset
		r.jobCtx.sources[m.src].Kept += int64(m.batch.Kept)
	}
	r.jobCtx.sources[m.src].RowsIn += m.batch.SkippedRecords
	if n := m.batch.Len(); n > 0 {
		if r.kinds[m.src] == 0 {
			r.jobCtx.sources[m.src].RowsIn += int64(n)
		}
		r.jobCtx.sources[m.src].InvalidText += m.bad
		if isCSVHeader(r.spec.Sources[m.src], m.batch) {
			r.jobCtx.sources[m.src].RowsIn-- // the header is no row
		}
		if m.decoded {
			pipeline.(ParallelDecoder).ProcessDecoded(m.src, m.batch)
		} else {
			pipeline.ProcessLines(m.src, m.batch)
		}
		// what a decoder that checks the text policy counted (m.bad is
		// then 0: readSource left it to the decoder)
		r.jobCtx.sources[m.src].InvalidText += m.batch.InvalidText
	} else if len(m.batch.IdlePartitions) > 0 {
		// no records, but partitions went idle: the watermark may move
		pipeline.ProcessLines(m.src, m.batch)
	}
	r.jobCtx.release(m.src, math.MaxInt64)
	if !m.more && m.err == nil {
		pipeline.EndOfInput(m.src)
		r.done[m.src] = true
	}
	if err := r.writeSinks(); err != nil {
		return err
	}
	if m.err != nil {
		return fmt.Errorf("source %s: %w", r.spec.Sources[m.src].Name, m.err)
	}
	r.positions[m.src] = m.pos
	r.publish()
	r.sinkWatermarks()
	return nil
}

// sinkWatermarks tells the sinks that want it (connector.WatermarkSink) the
// smallest watermark of the sources still reading: +infinity once all
// have ended.
func (r *runner) sinkWatermarks() {
	deliverWatermark(r.jobCtx.Sinks, r.sinkWatermark())
}

// sinkWatermark is the watermark sinkWatermarks hands the sinks.
func (r *runner) sinkWatermark() int64 {
	wm := int64(math.MaxInt64)
	for i, w := range r.watermarks {
		if i < len(r.done) && !r.done[i] {
			wm = min(wm, w)
		}
	}
	if len(r.watermarks) == 0 {
		wm = math.MinInt64
		if !slices.Contains(r.done, false) {
			wm = math.MaxInt64
		}
	}
	return wm
}

// deliverWatermark hands wm to the sinks that take watermarks.
func deliverWatermark(sinks []*SinkWriter, wm int64) {
	for _, w := range sinks {
		if ws, ok := w.sink.(connector.WatermarkSink); ok {
			ws.Watermark(wm)
		}
	}
}

// watermarkSinks tells whether a sink takes watermarks.
func watermarkSinks(sinks []*SinkWriter) bool {
	for _, w := range sinks {
		if _, ok := w.sink.(connector.WatermarkSink); ok {
			return true
		}
	}
	return false
}

// writeSinks hands each sink the rows of the batch just processed and stops
// the job if a record file failed.
func (r *runner) writeSinks() error {
	// the rows of windows closed in this batch reach the sinks when this returns
	defer r.jobCtx.rowsWritten()
	r.jobCtx.flushLogs()
	for _, w := range r.jobCtx.Sinks {
		if len(w.Buf) == 0 {
			continue
		}
		if err := w.sink.Write(w.Buf); err != nil {
			return fmt.Errorf("sink %s: %w", w.Name, err)
		}
		w.Buf = w.Buf[:0]
		r.unflushed = true
	}
	if err := r.jobCtx.deadLetter.err; err != nil {
		return err
	}
	return r.jobCtx.late.err
}

func (r *runner) flushSinks() error {
	for _, w := range r.jobCtx.Sinks {
		if err := w.sink.Flush(); err != nil {
			return fmt.Errorf("sink %s: %w", w.Name, err)
		}
	}
	r.unflushed = false
	return nil
}

// close closes whatever is open, reports the records not logged one by one,
// and returns the first error.
func (r *runner) close() error {
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	if r.external != nil {
		if err := r.external.CloseState(); err != nil {
			keep(fmt.Errorf("keyed state: %w", err))
		}
		if r.externalTmp != "" {
			os.RemoveAll(r.externalTmp)
		}
	}
	for _, src := range r.sources { // opened but never handed to a reader
		if src != nil {
			src.Close()
		}
	}
	for _, w := range r.jobCtx.Sinks {
		if w.sink == nil {
			continue // never opened
		}
		if err := w.sink.Close(); err != nil {
			keep(fmt.Errorf("sink %s: %w", w.Name, err))
		}
	}
	if err := r.jobCtx.deadLetter.close(); err != nil {
		keep(err)
	}
	if err := r.jobCtx.late.close(); err != nil {
		keep(err)
	}
	if r.durable != nil {
		r.durable.close()
	}
	for _, s := range r.jobCtx.sources {
		if n := s.Malformed - maxLoggedPerSource; n > 0 {
			r.console.logf("source %s: ... and %d more malformed records, all in %s", s.Name, n, r.jobCtx.deadLetter.where())
		}
		if n := s.Failed - maxLoggedPerSource; n > 0 {
			r.console.logf("source %s: ... and %d more rows views failed on, all in %s", s.Name, n, r.jobCtx.deadLetter.where())
		}
		if n := s.Late - maxLoggedPerSource; n > 0 {
			r.console.logf("source %s: ... and %d more late records, all in %s", s.Name, n, r.jobCtx.late.where())
		}
	}
	return first
}

func (r *runner) rowsIn() (n int64) {
	for _, s := range r.jobCtx.sources {
		n += s.RowsIn
	}
	return n
}

func (r *runner) summary(elapsed time.Duration) Summary {
	s := Summary{
		Sources:      append([]SourceSummary{}, r.jobCtx.sources...),
		Sinks:        []SinkSummary{},
		Elapsed:      elapsed,
		Interrupted:  r.interrupted,
		OutputFailed: r.jobCtx.outputFailed,
	}
	s.AlreadyCompleted = r.durable != nil && r.durable.completed
	s.StateGroups, s.StateBytes = window.Live()
	for i, w := range r.jobCtx.Sinks {
		s.Sinks = append(s.Sinks, SinkSummary{Name: w.Name, Connector: r.spec.Sinks[i].Connector, RowsOut: w.Rows})
	}
	for i := range s.Sources {
		s.Sources[i].Connector = r.spec.Sources[i].Connector
		if c := s.Sources[i].Connector; (c == "file" || c == "stdin") && i < len(r.positions) {
			s.Sources[i].Bytes = r.positions[i].Offset
		}
	}
	if r.durable != nil {
		for _, c := range r.durable.walCut {
			s.Sources[c.src].WALTornRecords += c.records
			s.Sources[c.src].WALTornBytes += c.bytes
		}
	}
	if r.durable != nil && len(r.durable.pauses) > 0 {
		p := slices.Clone(r.durable.pauses)
		slices.Sort(p)
		s.Checkpoints, s.CheckpointPauseP50, s.CheckpointMax = len(p), p[len(p)/2], p[len(p)-1]
	}
	if d := r.jobCtx.emitDelays; d.Count() > 0 {
		s.WindowsClosed = int64(d.Count())
		s.EmitDelayP50, s.EmitDelayP99 = d.Quantile(0.5), d.Quantile(0.99)
	}
	st := r.live.Status()
	s.State, s.Operators, s.Lookups = st.State, st.Operators, st.Lookups
	if r.pool != nil {
		s.Workers = r.pool.summary()
	}
	return s
}

// summaryJSON is the --summary-json file.
type summaryJSON struct {
	ElapsedSeconds float64          `json:"elapsed_seconds"`
	WindowsClosed  int64            `json:"windows_closed"`
	EmitDelayP50us float64          `json:"window_emit_delay_p50_us"`
	EmitDelayP99us float64          `json:"window_emit_delay_p99_us"`
	Checkpoints    int              `json:"checkpoints"`
	PauseP50ms     float64          `json:"checkpoint_pause_p50_ms"`
	PauseMaxms     float64          `json:"checkpoint_pause_max_ms"`
	Interrupted    bool             `json:"interrupted"`
	Completed      bool             `json:"already_completed,omitempty"`
	Error          string           `json:"error,omitempty"`
	RowsIn         int64            `json:"rows_in"`
	RowsOut        int64            `json:"rows_out"`
	Malformed      int64            `json:"malformed"`
	Late           int64            `json:"late"`
	Failed         int64            `json:"failed"`
	StateGroups    int64            `json:"state_groups"`
	StateBytes     int64            `json:"state_bytes_estimate"`
	Sources        []SourceSummary  `json:"sources"`
	Sinks          []SinkSummary    `json:"sinks"`
	State          []StateStatus    `json:"state"`
	Operators      []OperatorStatus `json:"operators,omitempty"`
	Lookups        []LookupStatus   `json:"lookups,omitempty"`
	Workers        *WorkersSummary  `json:"workers,omitempty"`
}

func writeSummaryJSON(path string, s Summary, runErr error) error {
	out := summaryJSON{
		ElapsedSeconds: s.Elapsed.Seconds(),
		WindowsClosed:  s.WindowsClosed,
		EmitDelayP50us: float64(s.EmitDelayP50) / float64(time.Microsecond),
		EmitDelayP99us: float64(s.EmitDelayP99) / float64(time.Microsecond),
		Checkpoints:    s.Checkpoints,
		PauseP50ms:     float64(s.CheckpointPauseP50) / float64(time.Millisecond),
		PauseMaxms:     float64(s.CheckpointMax) / float64(time.Millisecond),
		Interrupted:    s.Interrupted,
		Completed:      s.AlreadyCompleted,
		RowsIn:         s.RowsIn(),
		RowsOut:        s.RowsOut(),
		Malformed:      s.Malformed(),
		Late:           s.Late(),
		Failed:         s.Failed(),
		StateGroups:    s.StateGroups,
		StateBytes:     s.StateBytes,
		Sources:        s.Sources,
		Sinks:          s.Sinks,
		State:          s.State,
		Operators:      s.Operators,
		Lookups:        s.Lookups,
		Workers:        s.Workers,
	}
	if out.State == nil {
		out.State = []StateStatus{}
	}
	if runErr != nil {
		out.Error = runErr.Error()
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	return nil
}
