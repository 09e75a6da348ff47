package connector

import (
	"bytes"
	"testing"
)

// csvAdvanceRef is csvAdvance as it was before its no-quote fast path: the
// state machine a field at a time.
func csvAdvanceRef(st csvState, b []byte, off int64) csvState {
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
			if b[0] == '"' {
				b, off, st = b[1:], off+1, csvQuoted
			} else {
				st = csvUnquoted
			}
		}
	}
	return st
}

// FuzzCSVAdvanceAgreesWithReference checks csvAdvance against csvAdvanceRef
// from every state, at input offsets inside and past a byte-order mark.
func FuzzCSVAdvanceAgreesWithReference(f *testing.F) {
	for _, s := range []string{"", ",", "a,b", "a,", "\xef\xbb\xbfa,b,", "\xef\xbb\xbf", "\xbb\xbf,x", `a,"b`, `"",x`, `x"y,`, "1,2,3,,"} {
		f.Add([]byte(s), uint8(0), uint8(0))
		f.Add([]byte(s), uint8(3), uint8(1))
	}
	f.Fuzz(func(t *testing.T, b []byte, state, off uint8) {
		st := csvState(state % 4)
		s := &ReaderSource{csv: st}
		got := s.csvAdvance(b, int64(off%6))
		want := csvAdvanceRef(st, b, int64(off%6))
		if got != want || s.csv != want {
			t.Fatalf("csvAdvance(%d, %q, %d) = %d (s.csv %d); reference %d", st, b, off%6, got, s.csv, want)
		}
	})
}
