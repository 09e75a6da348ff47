package job

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// SinkWriter is where generated code writes one sink's output. Generated code
// appends each encoded row (a JSON object and '\n') to Buf and counts it in
// Rows; the runtime hands Buf to the sink's connector after every batch and
// empties it, so the hot path neither allocates nor calls an interface.
type SinkWriter struct {
	Name string
	Buf  []byte
	Rows int64
	// Discard marks a sink that throws rows away (blackhole): generated code
	// counts its rows without encoding them, as a benchmark sink should.
	Discard bool
	// the connector behind it is the runtime's business (unexported fields)
	sink connector.Sink
}

// Context is what generated code sees of the running job.
//
// Contexts are made by Run; a zero Context cannot report records.
type Context struct {
	// Sinks, indexed like Spec.Sinks.
	Sinks []*SinkWriter

	sources    []SourceSummary // indexed like Spec.Sources
	deadLetter *recordLog
	late       *recordLog
	console    *console
	log        *slog.Logger
	pending    []pendingLog // this batch's log lines, written in input order at its end
	held       heldRecords  // this batch's over-long and rejected records, for the dead letters
	// late and failed rows reported to a Context not made by Run
	lateUncounted, failedUncounted int64
	// result rows of views that could not be represented (OutputFailed)
	outputFailed int64
	// onLate receives late rows in an embedded pipeline (NewEmbedded)
	onLate func(src int, view string, record []byte)
	// onMalformed receives undecodable records in an embedded pipeline
	onMalformed func(src int, line, offset int64, record []byte, err error)
	// window-close times not yet written to the sinks, and the delays from
	// a window's close to its rows reaching the sinks (Run only)
	trackDelays bool
	closed      []closedRun
	emitDelays  *Histogram
	// rec, in a worker of a partitioned job, holds the reports of this
	// Context until the round ends, when they are replayed into the job's
	// Context in input order (workers.go)
	rec *recorder
	// env is what connectors open with (lookup tables: Env)
	env connector.Env
	// clock is the processing time (Now); nil is the wall clock
	clock Clock
}

// Malformed reports record i of batch (of source src) that could not be
// decoded: it is counted, logged with its line number and offset, and written
// to the dead-letter output. The job goes on.
func (c *Context) Malformed(src int, batch *connector.LineBatch, i int, err error) {
	if c.rec != nil {
		c.rec.add(call{kind: callMalformed, src: src, batch: batch, i: i, err: err})
		return
	}
	if c.onMalformed != nil {
		c.onMalformed(src, batch.LineNos[i], batch.Offsets[i], batch.Lines[i], err)
		return
	}
	c.release(src, batch.LineNos[i])
	s := &c.sources[src]
	s.Malformed++
	part := recordPartition(batch, i)
	c.deadLetter.write(deadLetterRecord{
		Source:    s.Name,
		Line:      batch.LineNos[i],
		Partition: part,
		Offset:    batch.Offsets[i],
		Error:     err.Error(),
		Record:    string(batch.Lines[i]),
	})
	if s.Malformed <= maxLoggedPerSource {
		where := recordWhere(batch, i)
		c.logLater(int64(i)+1, slog.LevelWarn, fmt.Sprintf("source %s %s: %v; written to %s", s.Name, where, err, c.deadLetter.where()),
			slog.String("event", "malformed"), slog.String("source", s.Name), slog.String("at", where), lineAttr(batch, i),
			slog.Int64("offset", batch.Offsets[i]), slog.String("error", err.Error()), slog.String("written_to", c.deadLetter.where()))
	}
}

// Late reports record i of batch (of source src) that arrived after the
// window it belongs to had closed in view `view`: counted, logged, written to
// the late-data output. The row is not added to that window.
func (c *Context) Late(src int, batch *connector.LineBatch, i int, view string) {
	if c.rec != nil {
		c.rec.add(call{kind: callLate, src: src, batch: batch, i: i, view: view})
		return
	}
	s := &c.sources[src]
	s.Late++
	c.late.write(lateRecord{
		Source:    s.Name,
		Line:      batch.LineNos[i],
		Partition: recordPartition(batch, i),
		Offset:    batch.Offsets[i],
		View:      view,
		Reason:    "late",
		Record:    string(batch.Lines[i]),
	})
	if s.Late <= maxLoggedPerSource {
		where := recordWhere(batch, i)
		c.logLater(int64(i)+1, slog.LevelWarn, fmt.Sprintf("source %s %s: late for view %s; written to %s", s.Name, where, view, c.late.where()),
			slog.String("event", "late"), slog.String("source", s.Name), slog.String("at", where), lineAttr(batch, i),
			slog.Int64("offset", batch.Offsets[i]), slog.String("view", view), slog.String("written_to", c.late.where()))
	}
}

// AtRecord tells, on a worker of a partitioned job (runtime/job/workers.go),
// the index in its chunk of the row whose reports follow when they have no
// batch to point at (a typed source's rows: LateRow, RowFailedRow), so that
// they are replayed in input order; elsewhere it does nothing.
func (c *Context) AtRecord(i int) {
	if c.rec != nil {
		c.rec.record = i
	}
}

// ChunkRecord returns, on a worker of a partitioned job fed by a generator
// (runtime/job/workers.go), record k of the chunk whose rows the worker is
// on, generated again from its event number (a *nexmark.Event, valid until
// the next call): a late or failed row is reported with every column
// although the chunk's batches are reused. Of a source the workers read in
// units (Parquet row groups) it is a UnitRecord, the chunk's unit read
// again. Elsewhere it returns nil.
func (c *Context) ChunkRecord(k int) any {
	if c.rec == nil || c.rec.regen == nil {
		return nil
	}
	return c.rec.regen(c.rec.chunk, k)
}

// LateRow reports a late row that has no raw record (a generated or pushed
// row): record is the row encoded as JSON. Counted, logged, written to the
// late-data output like Late.
func (c *Context) LateRow(src int, view string, record []byte) {
	if c.rec != nil {
		c.rec.add(call{kind: callLateRow, src: src, i: -1, view: view, record: record})
		return
	}
	if c.onLate != nil {
		c.onLate(src, view, record)
		return
	}
	if c.sources == nil { // a Context not made by Run (benchmarks) only counts
		c.lateUncounted++
		return
	}
	s := &c.sources[src]
	s.Late++
	c.late.write(lateRecord{Source: s.Name, View: view, Reason: "late", Record: string(record)})
	if s.Late <= maxLoggedPerSource {
		c.logLater(0, slog.LevelWarn, fmt.Sprintf("source %s: late row for view %s; written to %s", s.Name, view, c.late.where()),
			slog.String("event", "late"), slog.String("source", s.Name), slog.String("view", view), slog.String("written_to", c.late.where()))
	}
}

// WindowClosed records that the watermark closed a window just now; the
// delay until its rows reach the sinks is reported in the summary. Called
// by generated code once per closed window, not per row.
func (c *Context) WindowClosed() {
	if c.rec != nil {
		c.rec.add(call{kind: callWindowClosed, i: -1, at: time.Now()})
		return
	}
	if c.trackDelays {
		c.closedAt(time.Time{})
	}
}

// closedRun is a run of windows closed one after another, from at: their
// delays are measured from at, the first one's close (a later one's is over
// by the time taken to close the ones before it in the run, microseconds).
type closedRun struct {
	at time.Time
	n  int
}

// maxClosedRun is the most windows of one closedRun: one clock read per so
// many closes, not one each (the end of input closes every open window:
// 200K sessions in Nexmark q11, whose clock reads and list of times were 3%
// of the job's time).
const maxClosedRun = 64

// closedAt counts a window closed at t; a zero t is now, read only when a
// new run starts.
func (c *Context) closedAt(t time.Time) {
	if k := len(c.closed); k > 0 && c.closed[k-1].n < maxClosedRun {
		c.closed[k-1].n++
		return
	}
	if t.IsZero() {
		t = time.Now()
	}
	c.closed = append(c.closed, closedRun{at: t, n: 1})
}

// rowsWritten ends the delays of the windows closed since the last call.
func (c *Context) rowsWritten() {
	if len(c.closed) == 0 {
		return // most batches close no window: no clock read
	}
	now := time.Now()
	for _, r := range c.closed {
		c.emitDelays.ObserveN(now.Sub(r.at), r.n)
	}
	c.closed = c.closed[:0]
}

// lineAttr is a record's line number for JSON logs (0 for a source without
// lines, such as a Kafka partition).
func lineAttr(b *connector.LineBatch, i int) slog.Attr {
	if i < len(b.LineNos) {
		return slog.Int64("line", b.LineNos[i])
	}
	return slog.Int64("line", 0)
}
