package job

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/trace"
	"slices"
	"sync/atomic"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/exchange"
	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// Partitioned is implemented by generated pipelines whose rows and state
// split among workers by key (compiler/physical.Partition). Each worker runs
// an engine of its own, built by the job's Factory, over the key partitions
// it owns; the runtime moves rows between them in parts (codegen/parallel.go).
type Partitioned interface {
	// Partition says which sources are split and whether by key (otherwise
	// their batches are split as they come and no row moves).
	Partition() Partition
	// NewPart returns an empty part of source src; ResetPart empties one.
	NewPart(src int) any
	ResetPart(src int, part any)
	// Route decodes batch b of source src on the calling worker and appends
	// each row to parts[owner of its key] (parts[0] when not keyed) with the
	// watermark before it, starting from wm; it returns the watermark after b.
	Route(src int, b *connector.LineBatch, parts []any, wm int64) int64
	// ProcessPart runs the views over a part's rows of source src, the
	// watermark before each row being the larger of start and the part's own.
	ProcessPart(src int, part any, start int64)
	// EndRound moves source src's watermark to wm and emits the changes of
	// updating views.
	EndRound(src int, wm int64)
	// Prune drops the groups whose key's hash owns reports false for.
	Prune(owns func(h uint64) bool)
}

// Exchanging is implemented by partitioned pipelines with an aggregate over
// another view that groups by a key of its own (physical.Partitioning
// .Exchanged): the rows it reads, emitted on any worker in the round, are
// sent to the worker owning their group, which runs the aggregate on them
// after every worker has run the round (a third phase). An aggregate over
// (views of) such an aggregate, by a key of its own again, is exchanged at
// the next level: a fourth phase, and so on (physical.Partitioning.Levels).
type Exchanging interface {
	// SetWorker makes the engine worker w of n; without it, it is one
	// engine and the rows go straight on.
	SetWorker(w, n int)
	// ResetExchange empties the rows the engine sends.
	ResetExchange()
	// ExchangeLevels is the number of exchange phases after the round's.
	ExchangeLevels() int
	// Exchange runs the aggregates exchanged at level (1...) on the rows
	// that engine from sent to this one; EndExchange then emits their
	// changes (rows for the next level's).
	Exchange(from any, level int)
	EndExchange(level int)
}

// Partition is what Partitioned.Partition reports: the sources whose rows
// the workers split, in source order (every source of the job when it has
// several: each worker reads a share of each).
type Partition struct {
	Sources []SourcePartition
}

// SourcePartition says how the rows of one source split.
type SourcePartition struct {
	Source int
	Keyed  bool
	// Lines: a view reads the source's line numbers (METADATA FROM
	// 'line'), which a worker reading its own byte ranges of a file does
	// not know while it decodes: the file is read by one reader then
	Lines bool
}

// nexmarkChunk is how many generated events a worker takes per round when
// rows move between workers (twoPhase): 16 generator batches, so that a
// round's work (about 0.2 ms) dwarfs its two barriers, while the round's
// parts stay in the cache.
const nexmarkChunk = 16 * 256

// nexmarkChunkStateless is the chunk of a job whose rows do not move
// (!twoPhase): nothing of a round waits in parts, so a longer round costs
// no cache, and fewer rounds are fewer meetings, at each of which a worker
// that the OS has descheduled holds the other up.
const nexmarkChunkStateless = 64 * 256

// workerPool runs a partitioned job on n workers in rounds. In round k
// worker w takes chunk k*n+w of the input (a batch of lines, or nexmarkChunk
// generated events), decodes it and routes its rows to the parts of their
// owners (phase 1); after a barrier each worker runs its engine over the
// parts addressed to it, in chunk order, with the watermark a single engine
// would have had before each row — the running maximum over all earlier
// chunks of the round and the round before — and ends the round at the
// watermark after all chunks (phase 2). At the second barrier the last
// worker to arrive merges the round: reports replayed in input order, sink
// output appended worker by worker, positions, and a checkpoint when one is
// due, while the others wait: a checkpoint is a stop-the-world cut at a
// round boundary, where no row is in flight between workers.
type workerPool struct {
	r *runner
	n int
	// the sources the workers read, in source order: one, or every source
	// of a job of several (joins, UNION ALL), each worker reading a chunk of
	// each in a round, run source by source in phase 2
	srcs []*poolSource
	// per worker: its engine, its Context
	pipes   []Pipeline
	engines []Partitioned
	ctxs    []*Context

	// exchanging: the engines send rows of views to the worker owning their
	// groups, run in a third phase after barrier x
	exchanging bool
	keyed      bool // some source's rows are routed by key
	levels     int
	x          *exchange.Barrier

	round   int64
	stop    bool
	ending  bool // the input ended: the workers close their windows (endInput)
	err     error
	ctx     context.Context
	ticks   <-chan time.Time // progress
	cps     <-chan time.Time // checkpoints (cpTimer's; see nextCheckpoint)
	cpTimer *time.Timer
	mem     *memoryGuard
	meter   progressMeter
	began   time.Time
	a, b    *exchange.Barrier
	// shared rounds (shared.go): the round's events in slots that any
	// worker takes, the next round's taken by a worker done with this one's
	// views; slots is the chunks of a source per round (wp.n without)
	shared bool
	slots  int
	// the slots' first generator batches in the round and their batches
	slotAt, slotSize []int64
	// split slots (splitslots.go): a stateless job's round of byte ranges
	// in slots that any worker takes: the next to take, each slot's worker
	// and where its sink rows are in that worker's buffers
	splitSlots bool
	nextSlot   atomic.Int64
	slotWorker []int
	slotSinks  [][]sinkSpan
	e          *exchange.Barrier // after the end of input
	// out writes the rounds' sink rows a round behind the workers; nil
	// when no sink writes bytes (the merge then writes them itself)
	out *sinkOutput

	// the CPU time of each worker's phases in the round (threadCPU), and
	// over the run: the sum of each round's busiest worker, the merges
	measure  bool // LAMINAR_WORKERS_CPU set: measure the phases' CPU time
	busy     []int64
	stats    WorkersSummary
	critical int64
	serial   int64
	total    int64
}

// poolSource is the input of one source of a worker pool and its parts.
type poolSource struct {
	si      int // its index in workerPool.srcs
	src     int
	keyed   bool
	kind    nexmark.Kind
	parts   [][]any // parts[sender][receiver]
	chunkWM []int64 // watermark after each sender's chunk, from none
	wms     [][]int64
	roundWM int64 // the watermark before the round, the same on every worker
	// finishing: its input ended at the last merge (others go on); in this
	// round each worker ends it (EndOfInput) in its place in phase 2. done:
	// ended on every worker, or before the checkpoint the run resumed from.
	finishing, done bool

	// input: batches of a file source dealt to the workers in order, or a
	// generator per worker
	in   []chan batchMsg
	out  chan batchMsg // the reader's batches, before deal hands them out
	msgs []batchMsg
	free chan *connector.LineBatch
	gens []*connector.NexmarkSource
	// ownKind: the generators make the source's table's events alone
	// (nextEvents), in a job of several sources, as its one engine's
	// shared stream does; a job of one source generates every event, as
	// its one engine does, so that one worker and n do the same work
	ownKind bool
	gbufs   []*connector.LineBatch // per worker, the batch each generator call of a chunk fills
	rbufs   []*connector.LineBatch // per worker, a record generated again (ChunkRecord)
	base    int64                  // events generated before this round
	chunk   int64                  // events a worker generates per round
	gen     []int64                // events each worker generated this round
	kept    []int64
	ended   []bool
	// paced: beside this dealt source another source is read in byte
	// ranges or generated, whose rounds an idle reader must not hold back
	// longer than idleRound
	paced bool

	// a file read in byte ranges by the workers themselves (parallel
	// ingest): in each round worker w reads range w of n ranges of step
	// bytes from the offset after the round before (that of the lines
	// consumed: r.positions), decodes and routes its lines; the merge puts
	// the line numbers right, in input order. nil when one reader deals
	// batches (a pipe, a CSV file, LAMINAR_FILE_SPLITS=0).
	splits   *connector.FileSplits
	splitSrc connector.Source // the file source of the splits, closed at the end
	step     int64
	size     int64 // the file's size as the ranges know it
	isJSON   bool
	// decText: the decoder counts the records with invalid text as it
	// decodes them (SourceSpec.DecoderChecksText), in Route as in
	// ProcessLines: no pass over a batch before it (badText)
	decText       bool
	sbufs         []connector.SplitBuffer
	sbatch        []*connector.LineBatch
	snext, slines []int64 // per worker: the offset after its range's lines (-1: none), their lines
	// split slots: each slot's offset in the round and its bytes (nil:
	// range w of the round is worker w's, at w*step)
	slotAt, slotSize []int64

	// a source the workers read in units of their own (Parquet row
	// groups: units.go); nil for the others
	units *poolUnits

	// shared rounds (shared.go): per round's parity, the slots' parts
	// [slot][receiver], their watermarks and counts, and the next slot to
	// take
	sh [2]sharedRound
}

// chunk is the number of worker w's chunk of source ps in the round: the
// order of the reports (chunks source by source, worker by worker).
func (wp *workerPool) chunk(ps *poolSource, w int) int64 {
	return wp.chunkAt(wp.round, ps, w)
}

// chunkAt is chunk in round k: with shared rounds, w is a slot.
func (wp *workerPool) chunkAt(k int64, ps *poolSource, w int) int64 {
	return (k*int64(len(wp.srcs))+int64(ps.si))*int64(wp.slots) + int64(w)
}

// WorkersSummary is what the workers of a partitioned job did (summary
// JSON "workers"). With LAMINAR_WORKERS_CPU set (a measuring knob: each
// worker is locked to its thread to read the thread's CPU clock): the CPU
// time of their phases (decode, route, views) and the critical path, the
// sum over rounds of the busiest worker's plus the merges between rounds.
// On idle cores the run's wall time approaches the critical path; on a
// loaded machine it is the figure that the load leaves alone.
type WorkersSummary struct {
	Workers         int     `json:"workers"`
	Rounds          int64   `json:"rounds"`
	BusyCPUSeconds  float64 `json:"busy_cpu_seconds"`
	CriticalSeconds float64 `json:"critical_path_cpu_seconds"`
	MergeSeconds    float64 `json:"merge_cpu_seconds"`
	// SinkWriterSeconds: the CPU time of writing the sinks' rows, on a
	// goroutine of its own a round behind the workers (beside the critical
	// path, which it bounds when it is longer)
	SinkWriterSeconds float64 `json:"sink_writer_cpu_seconds,omitempty"`
}

// workerCount is --workers, or the cores; 1 for a job that does not split.
func (r *runner) workerCount() int {
	n := r.opts.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return n
}

// newWorkerPool returns the pool for a job that runs on several workers, or
// nil for one that runs as one engine: a single worker, a pipeline that does
// not split (explain says why), a connector other than file and nexmark, or
// keyed state in badger. A job of several sources splits when every source
// still to read is a generator or a file: one the workers read in byte
// ranges, or one whose reader deals them its batches (CSV, a changelog, a
// pipe), each source with a dealer of its own.
func (r *runner) newWorkerPool(factory Factory) (*workerPool, error) {
	n := r.workerCount()
	part, ok := r.pipeline.(Partitioned)
	if n <= 1 || !ok || r.external != nil {
		return nil, nil
	}
	how := part.Partition().Sources
	if len(how) == 0 || (len(how) > 1 && len(how) != len(r.spec.Sources)) || (len(how) == 1 && len(r.spec.Sources) != 1) {
		return nil, nil
	}
	wp := &workerPool{r: r, n: n, slots: n}
	open := 0
	for si, h := range how {
		c := r.spec.Sources[h.Source].Connector
		ps := &poolSource{si: si, src: h.Source, keyed: h.Keyed, kind: r.kinds[h.Source], roundWM: math.MinInt64}
		switch {
		case r.sources[h.Source] == nil && len(how) > 1:
			ps.done = true // ended before the checkpoint this run resumed from
		case c != "file" && c != "nexmark" && !dealtChangelog(c) && !unitsSource(r.sources[h.Source]), r.sources[h.Source] == nil:
			return nil, nil
		}
		if !ps.done {
			open++
		}
		wp.srcs = append(wp.srcs, ps)
	}
	if open == 0 {
		return nil, nil
	}
	// the state loaded from a checkpoint, handed to every worker, which
	// keeps its own keys
	var units []StateUnit
	st, stateful := r.pipeline.(Stateful)
	if stateful {
		units = st.StateUnits()
	}
	var saved [][]byte
	for i := range units {
		saved = append(saved, st.SaveState(i, nil))
	}
	keyed := false
	for _, ps := range wp.srcs {
		keyed = keyed || ps.keyed
	}
	for w := range n {
		// env: a worker opens its own lookup tables, with paths resolved like the job's
		ctx := &Context{rec: &recorder{worker: w, record: -1}, env: r.jobCtx.env}
		for _, s := range r.jobCtx.Sinks {
			ctx.Sinks = append(ctx.Sinks, &SinkWriter{Name: s.Name, Discard: s.Discard})
		}
		p := factory(ctx)
		if stateful {
			wst := p.(Stateful)
			for i, data := range saved {
				if err := wst.LoadState(i, data); err != nil {
					return nil, fmt.Errorf("%s: %w", units[i].Name, err)
				}
			}
		}
		eng := p.(Partitioned)
		if ex, ok := p.(Exchanging); ok {
			ex.SetWorker(w, n)
			wp.exchanging, wp.levels = true, ex.ExchangeLevels()
		}
		wp.keyed = keyed
		if keyed || wp.exchanging {
			eng.Prune(func(h uint64) bool { return exchange.Owner(h, n) == w })
		}
		wp.pipes = append(wp.pipes, p)
		wp.engines = append(wp.engines, eng)
		if w == n-1 {
			release(r.pipeline) // its state now lives in the workers
		}
		wp.ctxs = append(wp.ctxs, ctx)
		for _, ps := range wp.srcs {
			var parts []any
			for range n {
				parts = append(parts, eng.NewPart(ps.src))
			}
			ps.parts = append(ps.parts, parts)
		}
	}
	var wms []int64
	if w, ok := wp.pipes[0].(Watermarked); ok {
		wms = w.Watermarks(nil)
	}
	wp.busy = make([]int64, n)
	wp.measure = os.Getenv("LAMINAR_WORKERS_CPU") != ""
	nexmark := false
	for _, ps := range wp.srcs {
		// every worker's source watermark is the one before the round
		if ps.src < len(wms) {
			ps.roundWM = wms[ps.src]
		}
		ps.chunkWM = make([]int64, n)
		ps.wms = make([][]int64, n)
		ps.msgs = make([]batchMsg, n)
		ps.gen, ps.kept, ps.ended = make([]int64, n), make([]int64, n), make([]bool, n)
		if ps.done {
			continue
		}
		spec := r.spec.Sources[ps.src]
		ps.decText = spec.DecoderChecksText
		if spec.Connector == "file" {
			wp.openSplits(ps, how[ps.si])
		}
		if err := wp.openUnits(ps); err != nil {
			return nil, err
		}
		if spec.Connector == "nexmark" {
			nexmark = true
			ps.base = r.positions[ps.src].Offset
			ps.chunk = nexmarkChunk
			if !wp.twoPhase() {
				ps.chunk = nexmarkChunkStateless
			}
			for range n {
				// named table: the generator counts its table's events (Kept)
				g, err := connector.OpenNexmark(withNexmarkTable(spec).Options)
				if err != nil {
					return nil, fmt.Errorf("source %s: %w", spec.Name, err)
				}
				ps.gens = append(ps.gens, g)
				ps.gbufs = append(ps.gbufs, new(connector.LineBatch))
				ps.rbufs = append(ps.rbufs, new(connector.LineBatch))
			}
			ps.ownKind = len(how) > 1
			r.sources[ps.src].Close() // each worker generates its own chunks
			r.sources[ps.src] = nil
		}
	}
	wp.openShared()
	wp.openSplitSlots()
	if nexmark || slices.ContainsFunc(wp.srcs, func(ps *poolSource) bool { return ps.units != nil }) {
		for w := range n {
			wp.ctxs[w].rec.regen = func(chunk int64, k int) any { return wp.regenerate(w, chunk, k) }
		}
	}
	return wp, nil
}

// splitStep is the bytes of a worker's range per round for a batch size:
// about the lines of a batch (Nexmark bids are ~250 bytes), at most
// MaxBatchBytes.
func splitStep(batchSize int) int64 {
	return min(max(int64(batchSize), 1)*256, connector.MaxBatchBytes)
}

// canSplit tells whether the workers can read a file source in byte
// ranges: a regular file of lines that may split at any newline (not CSV:
// its quoted fields may hold newlines), no line numbers read while
// decoding.
func canSplit(r *runner, h SourcePartition) bool {
	fsrc, ok := r.sources[h.Source].(*connector.FileSource)
	if !ok || h.Lines || r.spec.Sources[h.Source].Format == "csv" || os.Getenv("LAMINAR_FILE_SPLITS") == "0" {
		return false
	}
	sp := fsrc.Splits()
	if sp == nil {
		return false
	}
	_, err := sp.Size()
	return err == nil
}

// openSplits makes the workers read a file source in byte ranges when they
// can (canSplit).
func (wp *workerPool) openSplits(ps *poolSource, h SourcePartition) {
	r := wp.r
	if !canSplit(r, h) {
		return
	}
	fsrc := r.sources[ps.src].(*connector.FileSource)
	sp := fsrc.Splits()
	size, err := sp.Size()
	if err != nil {
		return
	}
	ps.splits, ps.splitSrc, ps.size = sp, fsrc, size
	// ranges of four batches' bytes (1 MiB at the default batch size),
	// keyed or not: a keyed round's two barriers, its spinning waits and a
	// combiner's partials per round cost more than its parts falling out
	// of the cache (q5_tumble over 4.6M bids at two workers: 2,304 rounds
	// of 256 KiB, process CPU 0.89 s, critical path 0.35 s; 577 of 1 MiB:
	// 0.70 s, 0.32 s)
	ps.step = splitStep(4 * r.opts.BatchSize)
	ps.isJSON = true
	ps.sbufs = make([]connector.SplitBuffer, wp.n)
	ps.snext, ps.slines = make([]int64, wp.n), make([]int64, wp.n)
	for range wp.n {
		ps.sbatch = append(ps.sbatch, new(connector.LineBatch))
	}
	r.sources[ps.src] = nil
}

// readSplit reads range w of the round (worker w's, or slot w's with split
// slots) and hands its batch to batch. The ranges begin at the position
// after the round before, where a line begins.
func (wp *workerPool) readSplit(ps *poolSource, w int, batch func(*connector.LineBatch)) {
	lo, n := wp.r.positions[ps.src].Offset+int64(w)*ps.step, ps.step
	if ps.slotAt != nil {
		lo, n = wp.r.positions[ps.src].Offset+ps.slotAt[w], ps.slotSize[w]
	}
	b := ps.sbatch[w]
	next, lines, err := ps.splits.Read(b, &ps.sbufs[w], lo, lo+n, ps.size, w == 0)
	ps.snext[w], ps.slines[w] = next, lines
	m := batchMsg{src: ps.src, batch: b, more: true, err: err}
	if err == nil && !ps.decText {
		m.bad = badText(b, ps.isJSON)
	}
	ps.msgs[w] = m
	if b.Len() > 0 && err == nil {
		batch(b)
	}
}

// placeSplit puts worker w's range in the input, at the round's merge, the
// ranges before it placed: its line numbers count the lines before it, and
// the position after it is where its lines end.
func (wp *workerPool) placeSplit(ps *poolSource, w int) {
	m := &ps.msgs[w]
	at := wp.r.positions[ps.src]
	lineNos, before := m.batch.LineNos, at.Line // locals: the loop reloads nothing per line
	for i := range lineNos {
		lineNos[i] += before
	}
	for i := range m.batch.Oversized {
		m.batch.Oversized[i].Line += at.Line
	}
	m.pos = connector.Position{Offset: at.Offset, Line: at.Line + ps.slines[w]}
	if next := ps.snext[w]; next >= 0 {
		m.pos.Offset = next
	}
}

// splitsEnded is, after a round's ranges were placed, whether they reached
// the input's end: the file's end, unless lines were appended meanwhile
// (then the ranges go on to its new end).
func (wp *workerPool) splitsEnded(ps *poolSource) (bool, error) {
	pos := &wp.r.positions[ps.src]
	if pos.Offset < ps.size {
		return false, nil
	}
	size, err := ps.splits.AtEnd(ps.size)
	if err != nil || size <= ps.size {
		return true, err
	}
	ps.size = size
	return false, nil
}

// checkpoint takes a checkpoint (final: the last one) at the round
// boundary, with the input check of a file read in byte ranges computed for
// its position (two reads of checkWindow bytes: only when it is needed).
func (wp *workerPool) checkpoint(final bool) error {
	r := wp.r
	if err := wp.drainSinks(); err != nil {
		return err
	}
	for _, ps := range wp.srcs {
		if ps.splits != nil && r.durable != nil && !ps.done {
			pos := &r.positions[ps.src]
			check, err := ps.splits.Check(pos.Offset)
			if err != nil {
				return fmt.Errorf("source %s: %w", r.spec.Sources[ps.src].Name, err)
			}
			pos.Check = check
		}
	}
	return r.checkpoint(final)
}

// run runs the rounds until the input ends, the job fails or ctx is
// canceled, then takes the final checkpoint.
func (wp *workerPool) run(ctx context.Context) error {
	r := wp.r
	wp.ctx = ctx
	readCtx, stopReading := context.WithCancel(context.Background())
	defer stopReading()
	var dealers []chan struct{} // closed as each dealer returns
	for _, ps := range wp.srcs {
		if ps.splits != nil {
			defer ps.splitSrc.Close()
		}
		if ps.units != nil {
			defer ps.closeUnits()
		}
		if ps.done || ps.gens != nil || ps.splits != nil || ps.units != nil {
			continue
		}
		// one reader per source, batches dealt to the workers round-robin;
		// two rounds' worth of batches, so the reader reads a round ahead:
		// lines must outlive the source's two buffers, and a round's
		// batches are in work while the reader fills the next round's
		done := make(chan struct{})
		dealers = append(dealers, done)
		for _, o := range wp.srcs {
			ps.paced = ps.paced || (!o.done && (o.gens != nil || o.splits != nil))
		}
		src := connector.Detach(r.sources[ps.src])
		r.sources[ps.src] = nil
		ps.free = make(chan *connector.LineBatch, 2*wp.n+2)
		for range cap(ps.free) {
			ps.free <- new(connector.LineBatch)
		}
		out := make(chan batchMsg, wp.n)
		ps.out = out
		ps.in = make([]chan batchMsg, wp.n)
		for w := range ps.in {
			ps.in[w] = make(chan batchMsg, 2)
		}
		// a decoder that checks the text policy counts in the batch, in
		// Route as in ProcessLines (account)
		go readSource(readCtx, ps.src, src, r.opts.BatchSize, textCheckOf(r.spec.Sources[ps.src]), ps.free, out)
		go wp.deal(readCtx, ps, out, done)
	}
	if r.opts.Progress {
		t := time.NewTicker(r.opts.ProgressInterval)
		defer t.Stop()
		wp.ticks = t.C
	}
	if r.durable != nil {
		wp.cpTimer = time.NewTimer(r.opts.CheckpointInterval)
		defer wp.cpTimer.Stop()
		wp.cps = wp.cpTimer.C
	}
	wp.began = time.Now()
	wp.meter = progressMeter{lastTime: wp.began}
	defer r.console.clearProgress()
	wp.mem = newMemoryGuard(r.opts.MemoryLimit)
	defer wp.mem.close()

	wp.a = exchange.NewBarrier(wp.n, nil)
	wp.x = exchange.NewBarrier(wp.n, nil)
	wp.b = exchange.NewBarrier(wp.n, wp.endRound)
	wp.e = exchange.NewBarrier(wp.n, wp.endOutput)
	wp.out = newSinkOutput(r, wp.n, wp.measure)
	finished := make(chan struct{})
	for w := range wp.n {
		go func() {
			wp.work(w)
			finished <- struct{}{}
		}()
	}
	for range wp.n {
		<-finished
	}
	// no round runs again: the parts' combiner partials are no state
	wp.dropParts()
	stopReading()
	for _, done := range dealers {
		<-done
	}
	if wp.out != nil {
		// the last rounds' rows written before the final checkpoint and
		// before the runner closes the sinks
		if err := wp.out.close(); err != nil && wp.err == nil {
			wp.err = err
		}
	}
	r.live.update(func(s *Status) { s.Phase = "stopping" })
	if wp.err != nil {
		return wp.err
	}
	return wp.checkpoint(true)
}

// A live input (a pipe, a FIFO) may have nothing ready. The dealer then
// waits idleRound for the reader's next batch before it completes the round
// with empty batches, so that the round's rows do not wait for more input;
// and an idle job runs a round of empty batches every idleTick, to get to
// its round boundaries, where it flushes its sinks, takes and answers
// checkpoints and sees an interruption.
const (
	idleRound = 5 * time.Millisecond
	idleTick  = 100 * time.Millisecond
)

// deal hands the reader's batches to the workers in turn. Once the source
// has ended, the rest of that round's workers get an empty last batch; while
// the reader is idle, empty batches at the position so far (above).
func (wp *workerPool) deal(ctx context.Context, ps *poolSource, out <-chan batchMsg, done chan<- struct{}) {
	defer close(done)
	next := 0
	pos := wp.r.positions[ps.src] // the resume point, then the last batch's
	timer := time.NewTimer(idleTick)
	defer timer.Stop()
	// empty sends worker next an empty batch: the end of the input (more
	// false) or an idle reader (more true)
	empty := func(more bool) bool {
		select {
		case b := <-ps.free:
			b.Reset()
			select {
			case ps.in[next] <- batchMsg{src: ps.src, batch: b, pos: pos, more: more}:
				next = (next + 1) % wp.n
				return true
			case <-ctx.Done():
			}
		case <-ctx.Done():
		}
		return false
	}
	for {
		var m batchMsg
		select {
		case m = <-out:
		case <-ctx.Done():
			return
		default:
			// nothing ready: wait a while, then complete the round (or run
			// an empty one)
			wait := idleRound
			if next == 0 && !ps.paced {
				wait = idleTick
			}
			timer.Reset(wait)
			select {
			case m = <-out:
				timer.Stop()
			case <-timer.C:
				for ok := empty(true); ok && next != 0; ok = empty(true) {
				}
				continue
			case <-ctx.Done():
				return
			}
		}
		pos = m.pos
		select {
		case ps.in[next] <- m:
		case <-ctx.Done(): // the workers stopped (a failure, the memory limit)
			return
		}
		next = (next + 1) % wp.n
		if m.more {
			continue
		}
		for next != 0 && empty(false) {
		}
		return
	}
}

// work is worker w's loop over the rounds.
func (wp *workerPool) work(w int) {
	if wp.measure {
		// its thread's CPU clock is its own; a locked thread wakes slower
		// from a barrier on a busy machine, so only when asked
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	clock := func() int64 {
		if wp.measure {
			return threadCPU()
		}
		return 0
	}
	if wp.shared {
		wp.workShared(w, clock)
		return
	}
	if wp.splitSlots {
		wp.workSplitSlots(w, clock)
		return
	}
	eng := wp.engines[w]
	rec := wp.ctxs[w].rec
	for !wp.stop {
		t0 := clock()
		if wp.exchanging {
			wp.pipes[w].(Exchanging).ResetExchange()
		}
		// phase 1: this worker's chunk of each source, decoded and routed
		// to the owners
		region := trace.StartRegion(wp.ctx, "read")
		for _, ps := range wp.srcs {
			if ps.done || ps.finishing {
				continue
			}
			wp.readChunk(ps, w)
		}
		region.End()
		wp.busy[w] = clock() - t0
		if !wp.twoPhase() {
			// no row moves: the round's end is the merge's (endRound)
			wp.b.Wait()
			if wp.ending {
				wp.endInput(w, clock)
			}
			continue
		}
		wp.a.Wait()
		t0 = clock()

		// phase 2: the parts addressed to this worker, source by source, in
		// input order
		region = trace.StartRegion(wp.ctx, "views")
		for _, ps := range wp.srcs {
			switch {
			case ps.done:
				continue
			case ps.finishing:
				// its input ended at the last merge: its windows close
				rec.chunk, rec.phase, rec.record = wp.chunk(ps, 0), 2, -1
				wp.pipes[w].EndOfInput(ps.src)
				continue
			}
			start := ps.roundWM
			for s := range wp.n {
				rec.chunk, rec.phase, rec.record = wp.chunk(ps, s), 1, -1
				if ps.keyed {
					eng.ProcessPart(ps.src, ps.parts[s][w], start)
				}
				start = max(start, ps.chunkWM[s])
			}
			rec.phase, rec.record = 2, -1
			eng.EndRound(ps.src, start)
		}
		region.End()
		if wp.exchanging {
			// phase 3 on: the rows of exchanged views sent to this worker,
			// in input order, once every worker has sent its round's, level
			// by level
			rec.chunk = wp.chunk(wp.srcs[len(wp.srcs)-1], wp.n-1)
			for l := 1; l <= wp.levels; l++ {
				wp.busy[w] += clock() - t0
				wp.x.Wait()
				t0 = clock()
				wp.exchangeIn(w, l)
			}
		}
		wp.busy[w] += clock() - t0
		wp.b.Wait() // the last to arrive runs endRound
		if wp.ending {
			wp.endInput(w, clock)
		}
	}
}

// readChunk is phase 1 of worker w for source ps: its chunk read, decoded
// and routed to its rows' owners.
func (wp *workerPool) readChunk(ps *poolSource, w int) {
	eng := wp.engines[w]
	rec := wp.ctxs[w].rec
	parts := ps.parts[w]
	if !ps.keyed {
		parts = parts[:1] // its own rows stay with it
	}
	for _, pt := range parts {
		eng.ResetPart(ps.src, pt)
	}
	rec.chunk, rec.phase = wp.chunk(ps, w), 0
	wm := int64(math.MinInt64)
	// a batch of the chunk: routed to its rows' owners, or without
	// state (no key) run through the engine in place, since no row
	// needs the watermark of the rows before it in other chunks
	batch := func(b *connector.LineBatch) {
		if ps.keyed {
			wm = eng.Route(ps.src, b, parts, wm)
			return
		}
		rec.phase = 1
		wp.pipes[w].ProcessLines(ps.src, b)
		wm = wp.watermark(ps, w)
	}
	if ps.gens != nil {
		wp.generate(ps, w, batch)
	} else if ps.splits != nil {
		wp.readSplit(ps, w, batch)
	} else if ps.units != nil {
		wp.readUnit(ps, w, batch)
	} else {
		m := <-ps.in[w]
		ps.msgs[w] = m
		m.batch.InvalidText = 0 // the decoder's count, if it keeps one
		if m.batch.Len() > 0 && m.err == nil {
			batch(m.batch)
		}
	}
	ps.chunkWM[w] = wm
}

// endInput is worker w's end of input, at once with the other workers': its
// engine closes every window (and, exchanging, the exchanged views run on
// the rows every engine sent at its end, after barrier x); the last worker
// to arrive at barrier e writes what they emitted (endOutput).
func (wp *workerPool) endInput(w int, clock func() int64) {
	t0 := clock()
	p := wp.pipes[w]
	if wp.exchanging {
		p.(Exchanging).ResetExchange() // the round's, run
	}
	wp.ctxs[w].rec.chunk, wp.ctxs[w].rec.phase = math.MaxInt64, 3
	for _, ps := range wp.srcs {
		if !ps.done {
			p.EndOfInput(ps.src)
		}
	}
	wp.busy[w] = clock() - t0
	if wp.exchanging {
		for l := 1; l <= wp.levels; l++ {
			wp.x.Wait()
			t0 = clock()
			wp.exchangeIn(w, l)
			wp.busy[w] += clock() - t0
		}
	}
	wp.e.Wait()
}

// endOutput merges the end of input as endRound merges a round: the
// reports in input order, the sinks' rows worker by worker.
func (wp *workerPool) endOutput() {
	r := wp.r
	if wp.measure {
		began := threadCPU()
		defer func() { wp.serial += threadCPU() - began }()
	}
	var most int64
	for _, b := range wp.busy {
		most = max(most, b)
		wp.total += b
	}
	wp.critical += most
	wp.replay(nil)
	for _, ps := range wp.srcs {
		r.done[ps.src] = true
		ps.done = true
	}
	if err := wp.writeSinks(); err != nil && wp.err == nil {
		wp.err = err
	}
	r.publish()
	wp.sinkWatermarks()
}

// exchangeIn runs worker w's views exchanged at level on the rows every
// worker sent it, sender by sender, and emits their changes.
func (wp *workerPool) exchangeIn(w, level int) {
	ex := wp.pipes[w].(Exchanging)
	for _, from := range wp.pipes {
		ex.Exchange(from, level)
	}
	ex.EndExchange(level)
}

// watermark is worker w's watermark of source ps.
func (wp *workerPool) watermark(ps *poolSource, w int) int64 {
	wm, ok := wp.pipes[w].(Watermarked)
	if !ok {
		return math.MinInt64
	}
	ps.wms[w] = wm.Watermarks(ps.wms[w])
	return ps.wms[w][ps.src]
}

// generate fills worker w's chunk of the round of source ps from its own
// generator, handing each batch to batch.
func (wp *workerPool) generate(ps *poolSource, w int, batch func(*connector.LineBatch)) {
	g := ps.gens[w]
	at := ps.base + int64(w)*ps.chunk
	g.SeekEvent(at)
	ps.gen[w], ps.kept[w], ps.ended[w] = 0, 0, false
	// every call of the chunk fills the same batch, which stays in the
	// cache: the parts hold copies of the rows' columns, and a late or
	// failed row's record is generated again by its number (regenerate)
	b := ps.gbufs[w]
	for ps.gen[w] < ps.chunk {
		n, more := ps.nextEvents(g, b, int(min(256, ps.chunk-ps.gen[w])))
		ps.gen[w] += int64(n)
		if b.TypedLen > 0 {
			ps.kept[w] += int64(b.Kept)
			batch(b)
		}
		if !more {
			ps.ended[w] = true
			break
		}
	}
}

// nextEvents fills b with generator g's next count events, those of the
// source's table alone when ps.ownKind (a chunk's records are then numbered
// among them: regenerate); it returns the events gone past and whether more
// follow.
func (ps *poolSource) nextEvents(g *connector.NexmarkSource, b *connector.LineBatch, count int) (int, bool) {
	if ps.ownKind {
		return g.NextOwn(b, count)
	}
	more, _ := g.Next(b, count)
	return b.TypedLen, more
}

// regenerate is record k of chunk (of the current round; of a generator of
// a job of several sources its k-th event of the source's table, as
// nextEvents fills a chunk), generated again
// on worker w's generator of the chunk's source, which is idle outside the
// round's first phase: events are functions of their number. Of a source
// read in units it is the record read again (rereadUnit).
func (wp *workerPool) regenerate(w int, chunk int64, k int) any {
	slots := int64(wp.slots) // wp.n unless shared rounds, of generators only
	rel := chunk - wp.round*int64(len(wp.srcs))*slots
	ps := wp.srcs[rel/slots]
	if ps.units != nil {
		return wp.rereadUnit(ps, w, int(rel%slots), chunk, k)
	}
	if ps.gens == nil {
		return nil
	}
	at := (rel % slots) * ps.chunk
	if wp.shared {
		at = wp.slotAt[rel%slots] * slotBatch
	}
	g, b := ps.gens[w], ps.rbufs[w]
	if ps.ownKind {
		g.SeekKind(ps.base+at, k) // k counts the chunk's events of the table
	} else {
		g.SeekEvent(ps.base + at + int64(k))
	}
	if n, _ := ps.nextEvents(g, b, 1); n != 1 || b.TypedLen != 1 {
		return nil
	}
	return &(*b.Typed.(*[]nexmark.Event))[0]
}

// endRound merges the round that every worker has just finished, on the
// last worker to arrive while the others wait.
func (wp *workerPool) endRound() {
	defer trace.StartRegion(wp.ctx, "merge").End()
	r := wp.r
	if wp.measure {
		began := threadCPU()
		defer func() { wp.serial += threadCPU() - began }()
	}
	var most int64
	for _, b := range wp.busy {
		most = max(most, b)
		wp.total += b
	}
	wp.critical += most
	wp.stats.Rounds++
	if !wp.twoPhase() {
		// the engines' round ends, which their workers leave to the merge:
		// at the watermark after every chunk, as in phase 2, source by
		// source (a source that ended at the last merge ends here)
		for _, ps := range wp.srcs {
			for w, eng := range wp.engines {
				rec := wp.ctxs[w].rec
				rec.chunk, rec.phase, rec.record = wp.chunk(ps, wp.slots-1), 2, -1
				switch {
				case ps.done:
				case ps.finishing:
					wp.pipes[w].EndOfInput(ps.src)
				default:
					eng.EndRound(ps.src, max(ps.roundWM, slices.Max(ps.chunkWM)))
				}
			}
		}
	}
	reading := make([]bool, len(wp.srcs)) // read a chunk in the round
	ended := make([]bool, len(wp.srcs))
	for _, ps := range wp.srcs {
		if ps.finishing {
			// ended on every worker in the round
			ps.finishing, ps.done = false, true
			r.done[ps.src] = true
			continue
		}
		if ps.done {
			continue
		}
		reading[ps.si] = true
		if !wp.shared {
			ps.roundWM = max(ps.roundWM, slices.Max(ps.chunkWM))
		}
		if wp.shared {
			wp.accountShared(ps, &ended[ps.si])
		} else if ps.gens != nil {
			var total int64
			for w := range wp.n {
				total += ps.gen[w]
				r.jobCtx.sources[ps.src].RowsIn += ps.gen[w]
				r.jobCtx.sources[ps.src].Kept += ps.kept[w]
				ended[ps.si] = ended[ps.si] || ps.ended[w]
			}
			ps.base += total
			r.positions[ps.src] = connector.Position{Offset: ps.base, Line: ps.base}
		}
	}
	wp.replay(func(ps *poolSource, w int) {
		if !reading[ps.si] || ps.gens != nil {
			return
		}
		if ps.splits != nil {
			wp.placeSplit(ps, w)
		}
		m := ps.msgs[w]
		if err := wp.account(m); err != nil && wp.err == nil {
			wp.err = err
		}
		if !m.more {
			ended[ps.si] = true
		}
	})
	for _, ps := range wp.srcs {
		if ps.splits != nil && reading[ps.si] && wp.err == nil {
			end, err := wp.splitsEnded(ps)
			if err != nil {
				wp.err = fmt.Errorf("source %s: %w", r.spec.Sources[ps.src].Name, err)
			}
			ended[ps.si] = ended[ps.si] || end
		}
		if ps.units != nil && reading[ps.si] && wp.err == nil {
			end := wp.unitsEnded(ps)
			ended[ps.si] = ended[ps.si] || end
		}
	}
	if err := wp.writeSinks(); err != nil && wp.err == nil {
		wp.err = err
	}
	if wp.out == nil && wp.dealt() && r.unflushed && wp.idle() && wp.err == nil {
		// about to wait for input: push the rows out of the sinks' buffers,
		// as the one-engine loop does, so that a live input shows its
		// results in output files now (a busy job does not flush)
		wp.err = r.flushSinks()
	}
	// the end of every input closes every window: every worker its own
	// engine's, after this merge (endInput); a source that ends before the
	// others is ended in the next round (finishing)
	all := true
	for _, ps := range wp.srcs {
		if !ps.done && !ended[ps.si] {
			all = false
		}
	}
	if !all {
		for _, ps := range wp.srcs {
			if !ps.done && ended[ps.si] {
				ps.finishing = true
			}
		}
	}
	wp.ending = all && wp.err == nil
	for _, ps := range wp.srcs {
		if ps.in != nil {
			// once each: a source that ended reads no more batches
			for i, m := range ps.msgs {
				if m.batch != nil {
					ps.free <- m.batch
					ps.msgs[i].batch = nil
				}
			}
		}
	}
	r.publish()
	wp.sinkWatermarks()
	if wp.out != nil && wp.dealt() && wp.idle() && wp.err == nil {
		// the same flush, once the writer has written the round's rows
		wp.err = wp.flushSinks()
	}
	if wp.shared {
		wp.resetShared()
	}
	if wp.splitSlots {
		wp.resetSplitSlots()
	}
	wp.round++
	wp.stop = all || wp.err != nil
	if wp.stop {
		return
	}
	wp.between()
}

// twoPhase tells whether the workers meet twice a round, after routing
// their chunks' rows and after running the views on them: rows move
// between workers (keyed, exchanging). Otherwise each worker runs its own
// chunk through its engine in phase 1 and the round needs only the merge's
// barrier: the engines' round ends (EndRound, cheap without keyed state)
// run in the merge.
func (wp *workerPool) twoPhase() bool { return wp.keyed || wp.exchanging }

// dealt tells whether a source's batches are dealt to the workers by a
// reader (a pipe, CSV, a changelog, ...).
func (wp *workerPool) dealt() bool {
	for _, ps := range wp.srcs {
		if ps.in != nil {
			return true
		}
	}
	return false
}

// idle tells whether the next round's input of the dealt sources has yet
// to be read.
func (wp *workerPool) idle() bool {
	for _, ps := range wp.srcs {
		if ps.in == nil || ps.done {
			continue
		}
		if len(ps.out) > 0 {
			return false
		}
		for _, in := range ps.in {
			if len(in) > 0 {
				return false
			}
		}
	}
	return true
}

// between does, at a round boundary, what the one-engine loop does between
// batches: interruption, progress, checkpoints, the memory limit.
func (wp *workerPool) between() {
	r := wp.r
	select {
	case <-wp.ctx.Done():
		r.interrupted = true
		wp.stop = true
		return
	default:
	}
	select {
	case now := <-wp.ticks:
		line := wp.meter.line(r.rowsIn(), now)
		if pct, ok := r.progressPercent(now.Sub(wp.began)); ok {
			line += ", " + pct
		}
		r.console.progress(line)
	default:
	}
	checkpoint := false
	var reply chan checkpointResult
	select {
	case <-wp.cps:
		checkpoint = true
	case reply = <-r.live.requests:
		if r.durable == nil {
			reply <- checkpointResult{err: ErrNoStateDir}
			reply = nil
		} else {
			checkpoint = true
		}
	default:
	}
	if checkpoint {
		err := wp.checkpoint(false)
		if reply != nil {
			reply <- checkpointResult{epoch: r.durable.next - 1, err: err}
		}
		if err != nil {
			wp.err, wp.stop = err, true
			return
		}
		nextCheckpoint(wp.cpTimer, r.opts.CheckpointInterval)
	}
	// past the limit the job stops after this checkpoint: the parts' combiner
	// partials (this round's, merged; with shared rounds the next round's,
	// which the resumed run reads again) are dropped before the state's
	// groups are counted
	if err := wp.mem.check(wp.dropParts); err != nil {
		if cerr := wp.checkpoint(true); cerr != nil {
			err = fmt.Errorf("%w (and the final checkpoint failed: %v)", err, cerr)
		}
		wp.err, wp.stop = err, true
	}
}

// dropParts empties every part of the pool (ResetPart), once no round
// runs again or before the memory limit's report: a combiner's partial
// states in a part are window.Groups, which window.Live counts with the
// engines' state until the part's sender empties it in its next round, so
// that the job's summary (state_groups) and the report counted the last
// round's partials as groups of state (a one-round file of 50,000 keys at
// two workers: 100,000 groups). Any engine empties any part, as the slots
// of shared rounds do.
func (wp *workerPool) dropParts() {
	eng := wp.engines[0]
	reset := func(parts [][]any, src int) {
		for _, row := range parts {
			for _, pt := range row {
				eng.ResetPart(src, pt)
			}
		}
	}
	for _, ps := range wp.srcs {
		reset(ps.parts, ps.src)
		for i := range ps.sh {
			reset(ps.sh[i].parts, ps.src)
		}
	}
}

// account counts a file batch of the round as process does, and holds its
// over-long and rejected records (a changelog's records that are no
// changes) until replay reaches their places among its lines' reports
// (Context.hold), as process does.
func (wp *workerPool) account(m batchMsg) error {
	r := wp.r
	r.jobCtx.sources[m.src].RowsIn += int64(len(m.batch.Oversized) + len(m.batch.Rejected))
	r.jobCtx.hold(m.src, m.batch, r.opts.MaxRecordBytes)
	if n := m.batch.Len(); n > 0 {
		r.jobCtx.sources[m.src].RowsIn += int64(n)
		// counted before decoding (m.bad) or by the decoder (0 unless it
		// counts: Reset, readChunk)
		r.jobCtx.sources[m.src].InvalidText += m.bad + m.batch.InvalidText
		if isCSVHeader(r.spec.Sources[m.src], m.batch) {
			r.jobCtx.sources[m.src].RowsIn--
		}
	}
	if m.err != nil {
		return fmt.Errorf("source %s: %w", r.spec.Sources[m.src].Name, m.err)
	}
	r.positions[m.src] = m.pos
	return nil
}

// replay hands the reports the workers held back to the job's Context in
// input order: chunk by chunk, source by source (calling chunk(ps, w) first,
// for the batch of worker w of source ps), malformed records before the
// rows' reports, rows by line.
func (wp *workerPool) replay(chunk func(ps *poolSource, w int)) {
	r := wp.r
	var calls []call
	for _, c := range wp.ctxs {
		calls = append(calls, c.rec.calls...)
		// the next round's, made before this merge (shared rounds)
		c.rec.calls, c.rec.ahead = append(c.rec.calls[:0], c.rec.ahead...), c.rec.ahead[:0]
	}
	slices.SortStableFunc(calls, func(a, b call) int {
		switch {
		case a.chunk != b.chunk:
			return cmpInt(a.chunk, b.chunk)
		case a.phase != b.phase:
			return cmpInt(int64(a.phase), int64(b.phase))
		case a.i != b.i:
			return cmpInt(int64(a.i), int64(b.i))
		case a.worker != b.worker:
			return cmpInt(int64(a.worker), int64(b.worker))
		}
		return cmpInt(int64(a.seq), int64(b.seq))
	})
	next := 0
	for _, ps := range wp.srcs {
		for w := range wp.slots {
			if chunk != nil && !wp.shared {
				chunk(ps, w)
			}
			for ; next < len(calls) && calls[next].chunk <= wp.chunk(ps, w); next++ {
				calls[next].replay(r.jobCtx)
			}
			// the chunk's over-long records after its last line's reports
			r.jobCtx.release(ps.src, math.MaxInt64)
			r.jobCtx.flushLogs()
		}
	}
	for ; next < len(calls); next++ { // the round's end, the end of input
		calls[next].replay(r.jobCtx)
	}
	r.jobCtx.flushLogs()
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// writeSinks appends each worker's output of the round to the sinks, worker
// by worker, and writes them; with a writer (wp.out) it counts their rows
// and leaves the bytes to sinkWatermarks, which hands them over after the
// round's watermark is known.
func (wp *workerPool) writeSinks() error {
	r := wp.r
	if wp.out != nil {
		for _, c := range wp.ctxs {
			for i, s := range c.Sinks {
				r.jobCtx.Sinks[i].Rows += s.Rows
				s.Rows = 0
			}
		}
		r.jobCtx.flushLogs()
		r.jobCtx.rowsWritten() // handed to the writer at this merge
		if err := r.jobCtx.deadLetter.err; err != nil {
			return err
		}
		return r.jobCtx.late.err
	}
	if wp.splitSlots {
		// in slot order, which is input order
		for _, piece := range wp.slotOrder() {
			for i, buf := range piece {
				r.jobCtx.Sinks[i].Buf = append(r.jobCtx.Sinks[i].Buf, buf...)
			}
		}
	}
	for _, c := range wp.ctxs {
		for i, s := range c.Sinks {
			dst := r.jobCtx.Sinks[i]
			dst.Rows += s.Rows
			if !wp.splitSlots {
				dst.Buf = append(dst.Buf, s.Buf...)
			}
			s.Rows, s.Buf = 0, s.Buf[:0]
		}
	}
	return r.writeSinks()
}

// sinkWatermarks hands the sinks the watermark after the round (after its
// rows: with a writer, both go to it).
func (wp *workerPool) sinkWatermarks() {
	r := wp.r
	if wp.out == nil {
		r.sinkWatermarks()
		return
	}
	rows := false
	for _, c := range wp.ctxs {
		for _, s := range c.Sinks {
			rows = rows || len(s.Buf) > 0
		}
	}
	var order [][][]byte
	if wp.splitSlots && rows {
		order = wp.slotOrder()
	}
	if err := wp.out.handOver(wp.ctxs, order, watermarkSinks(r.jobCtx.Sinks), r.sinkWatermark()); err != nil && wp.err == nil {
		wp.err = err
	}
	if rows {
		r.unflushed = true
	}
}

// drainSinks waits until the writer has written every round handed to it:
// the sinks are then the caller's (a checkpoint, a flush, the end).
func (wp *workerPool) drainSinks() error {
	if wp.out == nil {
		return nil
	}
	return wp.out.drain()
}

// flushSinks flushes the sinks once the writer has written what it holds.
func (wp *workerPool) flushSinks() error {
	if err := wp.drainSinks(); err != nil {
		return err
	}
	if !wp.r.unflushed {
		return nil
	}
	return wp.r.flushSinks()
}

// merged is the pipeline a checkpoint saves: a fresh engine holding the
// state of every worker, in the layout of one engine, so that a checkpoint
// restores at any number of workers.
func (wp *workerPool) merged() (Pipeline, error) {
	ctx := &Context{}
	for _, s := range wp.r.jobCtx.Sinks {
		ctx.Sinks = append(ctx.Sinks, &SinkWriter{Name: s.Name, Discard: s.Discard})
	}
	p := wp.r.factory(ctx)
	st, ok := p.(Stateful)
	if !ok {
		return p, nil
	}
	var buf []byte
	for i, u := range st.StateUnits() {
		for _, wpipe := range wp.pipes {
			buf = wpipe.(Stateful).SaveState(i, buf[:0])
			if err := st.LoadState(i, buf); err != nil {
				return nil, fmt.Errorf("%s: %w", u.Name, err)
			}
		}
	}
	return p, nil
}

// summary is the workers' part of the job's summary.
func (wp *workerPool) summary() *WorkersSummary {
	s := wp.stats
	s.Workers = wp.n
	s.BusyCPUSeconds = float64(wp.total) / 1e9
	s.CriticalSeconds = float64(wp.critical+wp.serial) / 1e9
	s.MergeSeconds = float64(wp.serial) / 1e9
	if wp.out != nil {
		s.SinkWriterSeconds = float64(wp.out.cpu) / 1e9
	}
	return &s
}

// release drops the groups of an engine no longer used (the one a
// checkpoint was loaded into or saved from), so that the state's size in
// the summary and /status counts each group once.
func release(p Pipeline) {
	if part, ok := p.(Partitioned); ok {
		part.Prune(func(uint64) bool { return false })
	}
}

// recorder holds a worker's reports until the end of the round.
type recorder struct {
	worker int
	chunk  int64 // the chunk whose rows the worker is on
	phase  int8  // 0 decoding, 1 rows, 2 the round's end, 3 the end of input
	// record is the index in its chunk of the row being reported, for a
	// report without a batch (a typed source's row; AtRecord), -1 if none
	record int
	calls  []call
	// next: the reports are the next round's (shared rounds: made before
	// this round's merge), held in ahead until the merge has replayed
	// this round's
	next  bool
	ahead []call
	// regen generates record k of a chunk again (ChunkRecord); nil unless
	// a source of the job is a generator or read in units (Parquet)
	regen func(chunk int64, k int) any
}

type callKind int8

const (
	callMalformed callKind = iota
	callLate
	callLateRow
	callRowFailed
	callRowFailedRow
	callOutputFailed
	callWindowClosed
)

// call is one held-back report, with where it belongs in input order.
type call struct {
	kind     callKind
	chunk    int64
	phase    int8
	i        int // the record's index in batch, -1 without one
	worker   int
	seq      int
	src      int
	batch    *connector.LineBatch
	view     string
	record   []byte
	err      error
	start    int64
	windowed bool
	key      any
	at       time.Time
}

func (rc *recorder) add(c call) {
	c.chunk, c.phase, c.worker, c.seq = rc.chunk, rc.phase, rc.worker, len(rc.calls)
	if c.kind == callMalformed {
		c.phase = 0 // a batch's malformed records come before its rows' reports
	}
	if c.i < 0 && c.phase == 1 {
		c.i = rc.record // a typed row's place in its chunk
	}
	if rc.next {
		rc.ahead = append(rc.ahead, c)
		return
	}
	rc.calls = append(rc.calls, c)
}

// replay makes the report to the job's Context.
func (c *call) replay(ctx *Context) {
	switch c.kind {
	case callMalformed:
		ctx.Malformed(c.src, c.batch, c.i, c.err)
	case callLate:
		ctx.Late(c.src, c.batch, c.i, c.view)
	case callLateRow:
		ctx.LateRow(c.src, c.view, c.record)
	case callRowFailed:
		ctx.RowFailed(c.src, c.batch, c.i, c.view, c.err)
	case callRowFailedRow:
		ctx.RowFailedRow(c.src, c.view, c.record, c.err)
	case callOutputFailed:
		ctx.OutputFailed(c.view, c.start, c.windowed, c.key, c.err)
	case callWindowClosed:
		if ctx.trackDelays {
			ctx.closedAt(c.at)
		}
	}
	c.batch, c.record, c.key, c.err = nil, nil, nil, nil
}
