package job

// ReportMark is where a worker's reports stand in input order (the chunk,
// the phase and the record of the row being processed), for a row handed to
// another worker (a window over a view re-exchanged by its key): the worker
// that runs it reports its late row where one engine would have.
type ReportMark struct {
	chunk  int64
	phase  int8
	record int32
}

// Mark is the place the next report would take; the zero mark without a
// worker pool.
func (c *Context) Mark() ReportMark {
	if c.rec == nil {
		return ReportMark{}
	}
	return ReportMark{chunk: c.rec.chunk, phase: c.rec.phase, record: int32(c.rec.record)}
}

// AtMark makes the next reports take place m (Mark's, of any worker).
func (c *Context) AtMark(m ReportMark) {
	if c.rec != nil {
		c.rec.chunk, c.rec.phase, c.rec.record = m.chunk, m.phase, int(m.record)
	}
}
