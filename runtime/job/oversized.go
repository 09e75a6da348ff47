package job

import (
	"fmt"

	"github.com/laminar-sql/laminar/runtime/connector"
)

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
