package job

import "time"

// Processing time: the wall clock that PROCTIME() reads and processing-time
// windows close by.

// ProcessingTimer is a Pipeline that reads the processing time (PROCTIME()).
// The runtime calls ProcessingTime with the clock's time (µs since the
// epoch, UTC) every Options.TimerInterval, between batches, so that a
// processing-time window closes when the clock passes its end even when no
// row arrives; the pipeline also reads Context.Now before each batch.
type ProcessingTimer interface {
	ProcessingTime(now int64)
}

// DefaultTimerInterval is how often processing-time windows are checked
// when Options.TimerInterval is 0: a window closes at most this late.
const DefaultTimerInterval = 100 * time.Millisecond

// Clock is a source of processing time. Tests inject one (Options.Clock,
// EmbedOptions.Clock) to drive processing time by hand.
type Clock func() time.Time

// Now is the processing time, µs since the epoch (UTC): the job's clock.
func (c *Context) Now() int64 {
	if c.clock != nil {
		return c.clock().UnixMicro()
	}
	return time.Now().UnixMicro()
}

// SetClock makes clock the Context's processing time (nil: the wall clock).
func (c *Context) SetClock(clock Clock) { c.clock = clock }

// procTimer is the timer of processing-time windows of a run, or nil
// channels when the pipeline reads no processing time.
func (r *runner) procTimer(pipeline Pipeline) (<-chan time.Time, func()) {
	if _, ok := pipeline.(ProcessingTimer); !ok {
		return nil, func() {}
	}
	every := r.opts.TimerInterval
	if every <= 0 {
		every = DefaultTimerInterval
	}
	t := time.NewTicker(every)
	return t.C, t.Stop
}

// procTick moves the pipeline's processing time to the clock's and hands the
// rows of the windows it closed to the sinks.
func (r *runner) procTick(pipeline Pipeline) error {
	pipeline.(ProcessingTimer).ProcessingTime(r.jobCtx.Now())
	return r.writeSinks()
}
