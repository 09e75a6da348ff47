package connector

import "bytes"

// CSV records (RFC 4180) may span lines: a newline inside a quoted field is
// data. A quote opens a quoted field only at the start of a field; inside
// one, "" is a quote and a single " closes it. A quote anywhere else (5"
// in an unquoted field) is stray: it opens nothing, so one bad line stays
// one dead letter instead of swallowing the lines after it (csvrow.Split
// rejects it, as encoding/csv does). A quoted field left open runs to the
// end of the input; past the line limit it is skipped as one over-long
// record, to its end all the same, so record boundaries never depend on how
// the input was buffered.

// csvState is where the scan of a record stands.
type csvState uint8

const (
	csvFieldStart    csvState = iota // at the start of a field
	csvUnquoted                      // in an unquoted field (or after a closed quoted one)
	csvQuoted                        // in a quoted field
	csvQuoteInQuoted                 // a quote in a quoted field: closing, or the first of ""
)

// SetQuotedNewlines makes the source read CSV records: a newline inside a
// quoted field is part of the record.
func (s *ReaderSource) SetQuotedNewlines() { s.quotedNewlines = true }

// csvAdvance scans b (no newline in it; at input offset off) on from the
// record's state and returns the state after it. A byte-order mark opening
// the input is skipped like the source skips it.
func (s *ReaderSource) csvAdvance(b []byte, off int64) csvState {
	st := s.csv
	if len(b) > 0 && off >= int64(len(utf8BOM)) && st != csvQuoted && bytes.IndexByte(b, '"') < 0 {
		// No quote (the common case) and no byte-order mark to skip: the
		// record stays out of quotes, and only its last byte matters. (After
		// a quote in a quoted field, b[0] is not a quote: the field closed.)
		if b[len(b)-1] == ',' {
			st = csvFieldStart
		} else {
			st = csvUnquoted
		}
		s.csv = st
		return st
	}
	for len(b) > 0 {
		switch st {
		case csvFieldStart:
			switch {
			case off < int64(len(utf8BOM)) && b[0] == utf8BOM[off]:
			case b[0] == '"':
				st = csvQuoted
			case b[0] == ',':
			default:
				st = csvUnquoted
				continue
			}
			b, off = b[1:], off+1
		case csvUnquoted:
			i := bytes.IndexByte(b, ',')
			if i < 0 {
				b = nil
				continue
			}
			b, off, st = b[i+1:], off+int64(i)+1, csvFieldStart
		case csvQuoted:
			i := bytes.IndexByte(b, '"')
			if i < 0 {
				b = nil
				continue
			}
			b, off, st = b[i+1:], off+int64(i)+1, csvQuoteInQuoted
		case csvQuoteInQuoted:
			if b[0] == '"' { // "" is a quote
				b, off, st = b[1:], off+1, csvQuoted
			} else {
				st = csvUnquoted // closed; what follows up to a comma is the decoder's to reject
			}
		}
	}
	s.csv = st
	return st
}
