// Package connector reads raw records from where a job's input lives (files,
// stdin) and writes encoded rows to where its output goes (files, stdout, a
// discarding sink). It knows nothing of SQL types: decoding is generated code.
package connector

import "github.com/laminar-sql/laminar/runtime/nexmark"

// LineBatch is a batch of raw records (lines without their newline) of one
// source. The byte slices point into the source's buffer and are valid only
// until the source's next call to Next. A generator source (Nexmark) fills
// Events instead of Lines.
type LineBatch struct {
	Lines   [][]byte
	Offsets []int64 // byte offset in the input of each line's first byte
	LineNos []int64 // 1-based line number of each line
	Events  []nexmark.Event
}

// Reset empties the batch, keeping its capacity.
func (b *LineBatch) Reset() {
	b.Lines = b.Lines[:0]
	b.Offsets = b.Offsets[:0]
	b.LineNos = b.LineNos[:0]
	b.Events = b.Events[:0]
}

// Len is the number of records in the batch.
func (b *LineBatch) Len() int { return len(b.Lines) + len(b.Events) }
