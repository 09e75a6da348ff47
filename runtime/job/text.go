package job

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode/utf8"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/format/csvrow"
	"github.com/laminar-sql/laminar/runtime/format/jsonl"
)

// Text policy: a record is decoded as UTF-8. Invalid UTF-8, and in JSON an
// escaped lone surrogate (\ud800 without its pair), become U+FFFD in the
// values read, as encoding/json does; the record is kept, and counted per
// source ("invalid_utf8" in the summary) so that the replacement is never
// silent. A UTF-8 byte-order mark opening the input is skipped by the
// source. CSV records follow RFC 4180 (a newline in a quoted field is part
// of the record), and a first record naming the columns is a header: not a
// row, and not counted in rows in.

// configureSource tells a line source what its format needs.
func configureSource(env connector.Env, src connector.Source, s SourceSpec) (connector.Source, error) {
	if connector.IsTranscoded(s.Format) {
		// a binary format (Avro): records become JSON rows for the decoder
		return connector.NewTranscodeSource(env, src, s.Format, s.Options)
	}
	if s.Format == "csv" {
		if q, ok := src.(interface{ SetQuotedNewlines() }); ok {
			q.SetQuotedNewlines()
		}
	}
	if connector.IsChangeFormat(s.Format) {
		// records are changes: rows with weights for the JSON decoder
		return connector.NewChangeSource(src, s.Format), nil
	}
	return src, nil
}

// formatSink wraps a sink whose format is not the JSON rows the pipeline
// encodes: CSV is transcoded from them.
func formatSink(sink connector.Sink, s SinkSpec) connector.Sink {
	if sink != nil && s.Format == "csv" {
		return connector.NewCSVSink(sink)
	}
	return sink
}

// textCheck is how a source's records are checked for the text policy
// before they are decoded.
type textCheck uint8

const (
	checkUTF8    textCheck = iota // invalid UTF-8 (CSV)
	checkJSON                     // invalid UTF-8 and escaped lone surrogates
	checkDecoder                  // none: the decoder counts them (SourceSpec.DecoderChecksText)
)

// textCheckOf is the check of source s's batches ahead of its decoder,
// none when the decoder counts (on one engine and on workers alike).
func textCheckOf(s SourceSpec) textCheck {
	switch {
	case s.DecoderChecksText:
		return checkDecoder
	case s.Format == "csv":
		return checkUTF8
	}
	return checkJSON
}

// count is the number of records of b with invalid text, as far as the
// check before decoding goes: 0 when the decoder counts them.
func (c textCheck) count(b *connector.LineBatch) int64 {
	if c == checkDecoder {
		return 0
	}
	return badText(b, c == checkJSON)
}

// badText counts the records of b with invalid UTF-8 or, for JSON, an
// escaped lone surrogate. It runs on the source's reader goroutine, beside
// the pipeline: one fast pass over the batch, line by line only when that
// finds something.
func badText(b *connector.LineBatch, isJSON bool) (n int64) {
	// the common case in one pass over the batch's text: the line ends
	// between its lines are ASCII, so it is valid UTF-8 if every line is
	var valid bool
	if isJSON {
		// the escapes that may be surrogates in the same pass: when there
		// may be one, every line is checked for both
		if b.Text != nil && plainJSONText(b.Text) {
			return 0
		}
	} else if valid = b.Text != nil && validUTF8(b.Text); valid {
		return 0
	}
	for _, line := range b.Lines {
		if !valid && !validUTF8(line) || isJSON && hasLoneSurrogate(line) {
			n++
		}
	}
	return n
}

// mayHaveSurrogate reports whether text has a backslash followed by 'u'
// and 'd' or 'D': every escaped surrogate does, and few other escapes
// (URLs' \u0026, accented letters) do, so lines that have none are
// checked no further. It looks at every backslash, escaped ones too,
// which can only find more than there are.
func mayHaveSurrogate(text []byte) bool {
	for {
		i := bytes.IndexByte(text, '\\')
		if i < 0 || i+2 >= len(text) {
			return false
		}
		if text[i+1] == 'u' && text[i+2]|0x20 == 'd' {
			return true
		}
		text = text[i+1:]
	}
}

// plainJSONText is validUTF8(text) && !mayHaveSurrogate(text) in one walk:
// plainPrefix goes over ASCII up to a backslash or a byte that is not
// ASCII, which most JSON has few of.
func plainJSONText(b []byte) bool {
	i := 0
	for {
		i += plainPrefix(b[i:])
		if i == len(b) {
			return true
		}
		if b[i] == '\\' {
			if i+2 < len(b) && b[i+1] == 'u' && b[i+2]|0x20 == 'd' {
				return false
			}
			i++
			continue
		}
		j := i // b[i] is not ASCII, and the first of a rune if it is valid
		for j+8 <= len(b) && word(b[j:])&highBits != 0 {
			j += 8
		}
		if j+8 > len(b) {
			j = len(b)
		}
		// the stretch to j, and the backslashes in it (two bytes past it
		// for one at its end: the walk goes on from j)
		if !utf8.Valid(b[i:j]) || mayHaveSurrogate(b[i:min(j+2, len(b))]) {
			return false
		}
		i = j
	}
}

// plainPrefixGeneric is plainPrefix in Go, a word at a time.
func plainPrefixGeneric(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := word(b[i:])
		bs := w ^ (lsbs * '\\')
		if m := ((bs-lsbs)&^bs | w) & highBits; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= utf8.RuneSelf || b[i] == '\\' {
			return i
		}
	}
	return len(b)
}

// lsbs is the lowest bit of every byte of a word.
const lsbs = 0x0101010101010101

// validUTF8 is utf8.Valid with a faster walk over ASCII, which most text
// is: asciiPrefix (SSE2 on amd64, 64 bytes a step) rather than 8 bytes a
// test. Stretches that are not ASCII go to utf8.Valid whole, cut at a word
// of ASCII, which no rune can straddle.
func validUTF8(b []byte) bool {
	i := 0
	for {
		i += asciiPrefix(b[i:])
		if i == len(b) {
			return true
		}
		j := i // b[i] is not ASCII, and the first of a rune if it is valid
		for j+8 <= len(b) && word(b[j:])&highBits != 0 {
			j += 8
		}
		if j+8 > len(b) {
			return utf8.Valid(b[i:])
		}
		if !utf8.Valid(b[i:j]) {
			return false
		}
		i = j + 8
	}
}

// asciiPrefixGeneric is asciiPrefix in Go, 32 bytes a test.
func asciiPrefixGeneric(b []byte) int {
	i := 0
	for ; i+32 <= len(b); i += 32 {
		w := b[i : i+32 : i+32]
		if (word(w)|word(w[8:])|word(w[16:])|word(w[24:]))&highBits != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= utf8.RuneSelf {
			return i
		}
	}
	return len(b)
}

// highBits is the high bit of every byte of a word: set only outside ASCII.
const highBits = 0x8080808080808080

func word(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// hasLoneSurrogate reports an escape \uD800-\uDFFF in line that is not a
// high surrogate followed by an escaped low one (jsonl.HasLoneSurrogate,
// which the JSON decoder's count of invalid text agrees with).
func hasLoneSurrogate(line []byte) bool { return jsonl.HasLoneSurrogate(line) }

// isCSVHeader reports whether the first record of batch is the CSV header
// of s: line 1, its fields the column names (the generated decoder skips
// the same line).
func isCSVHeader(s SourceSpec, b *connector.LineBatch) bool {
	if s.Format != "csv" || len(b.Lines) == 0 || b.LineNos[0] != 1 || len(s.Columns) == 0 {
		return false
	}
	var sp csvrow.Splitter
	f, err := sp.Split(b.Lines[0])
	if err != nil || len(f) != len(s.Columns) {
		return false
	}
	for i, c := range s.Columns {
		if string(f[i]) != c {
			return false
		}
	}
	return true
}
