package job

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// heldRecords are a batch's records that are not among its lines (longer
// than the limit, or rejected by their format), held until the pipeline
// reaches their place in the input: each is written to the dead letters
// before the first malformed or failed line after it, so that the dead
// letters come in input order.
type heldRecords struct {
	src   int
	limit int
	recs  []heldRecord
}

type heldRecord struct {
	line int64
	over *connector.Oversized // or
	rej  *connector.Rejected
}

// hold reports batch b's over-long and rejected records in input order
// among its lines' reports (release), or at once when b's lines do not
// say where they fall (a batch of several partitions, each with its own
// line numbers, or one without lines).
func (c *Context) hold(src int, b *connector.LineBatch, limit int) {
	h := &c.held
	h.src, h.limit, h.recs = src, limit, h.recs[:0]
	for i := range b.Oversized {
		h.recs = append(h.recs, heldRecord{line: b.Oversized[i].Line, over: &b.Oversized[i]})
	}
	for i := range b.Rejected {
		h.recs = append(h.recs, heldRecord{line: b.Rejected[i].Line, rej: &b.Rejected[i]})
	}
	if len(b.Lines) == 0 || len(b.Partitions) > 0 || len(b.LineNos) != len(b.Lines) {
		c.release(src, math.MaxInt64)
		return
	}
	slices.SortStableFunc(h.recs, func(a, b heldRecord) int { return cmp.Compare(a.line, b.line) })
}

// release writes the held records of source src before line.
func (c *Context) release(src int, line int64) {
	h := &c.held
	for len(h.recs) > 0 && h.src == src && h.recs[0].line < line {
		r := h.recs[0]
		h.recs = h.recs[1:]
		if r.over != nil {
			c.oversized(src, *r.over, h.limit)
		} else {
			c.rejected(src, *r.rej)
		}
	}
	if len(h.recs) == 0 {
		h.recs = nil
	}
}

// oversized reports a record of source src longer than --max-record-bytes:
// counted as malformed, logged, and written to the dead-letter output with
// its offset and length and its first bytes. The source has skipped it, so
// the job goes on, and a restart does not meet it again.
func (c *Context) oversized(src int, o connector.Oversized, limit int) {
	s := &c.sources[src]
	s.Malformed++
	truncated := int64(len(o.Prefix)) < o.Length
	err := fmt.Sprintf("record of %d bytes is longer than the limit of %d bytes (--max-record-bytes)", o.Length, limit)
	if truncated {
		err += fmt.Sprintf("; only its first %d bytes are kept here", len(o.Prefix))
	}
	c.deadLetter.write(deadLetterRecord{
		Source:    s.Name,
		Line:      o.Line,
		Offset:    o.Offset,
		Error:     err,
		Record:    string(o.Prefix),
		Length:    o.Length,
		Truncated: truncated,
	})
	if s.Malformed <= maxLoggedPerSource {
		c.console.logf("source %s line %d (offset %d): %s; written to %s", s.Name, o.Line, o.Offset, err, c.deadLetter.where())
	}
}

// rejected reports a record its source's format could not read (a change
// event without an op): as a malformed record, with its partition.
func (c *Context) rejected(src int, r connector.Rejected) {
	b := connector.LineBatch{Lines: [][]byte{r.Record}, Offsets: []int64{r.Offset}, LineNos: []int64{r.Line}}
	if r.Partition >= 0 {
		b.Partitions = []int32{r.Partition}
	}
	c.Malformed(src, &b, 0, r.Err)
}
