// Package csvrow splits CSV records (RFC 4180, one record per line) into
// fields and parses field values, for generated job code. It is the
// per-event hot path: nothing here allocates on success once warm.
package csvrow

import (
	"bytes"
	"errors"
	"math/bits"
	"strconv"

	"github.com/laminar-sql/laminar/runtime/decimal"
	"github.com/laminar-sql/laminar/runtime/format/internal/num"
	"github.com/laminar-sql/laminar/runtime/timestamp"
)

// maxExcerpt bounds how much of a bad value an error message repeats.
const maxExcerpt = 40

// Splitter splits lines into fields. Its zero value is ready to use; it
// keeps its buffers between calls, and is not safe for concurrent use.
type Splitter struct {
	fields   [][]byte
	quoted   []bool
	unescape []byte   // fields that contained "" escapes, unescaped
	masks    []uint16 // splitPlain's commas, 16 bytes of the line each
}

// SyntaxError describes a line that is not valid CSV.
type SyntaxError struct {
	Column int // 1-based byte column in the line
	Field  int // 1-based field number
	Msg    string
}

func (e *SyntaxError) Error() string {
	return "column " + strconv.Itoa(e.Column) + " (field " + strconv.Itoa(e.Field) + "): " + e.Msg
}

// Split splits one line into its fields: separated by commas, each either
// unquoted or wrapped in double quotes, in which a doubled quote ("") stands
// for one quote and commas are data. Fields come back without their quotes;
// they are valid until the next Split and may alias line. One trailing "\n"
// or "\r\n" is ignored. An empty line is one empty field.
//
// A quote inside an unquoted field, text after a closing quote and an
// unterminated quoted field are errors. Quoted tells an empty unquoted field
// (SQL NULL) from "" (the empty string).
func (s *Splitter) Split(line []byte) (fields [][]byte, err error) {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n > 1 && line[n-2] == '\r' {
			line = line[:n-2]
		}
	}
	s.fields = s.fields[:0]
	s.quoted = s.quoted[:0]
	s.unescape = s.unescape[:0]
	if fields, ok := s.splitPlain(line); ok {
		// no quotes (the common case): the fields are what lies between
		// the commas, and none is quoted (Quoted is false past s.quoted)
		return fields, nil
	}
	for i := 0; ; {
		if i < len(line) && line[i] == '"' {
			field, next, err := s.quotedField(line, i)
			if err != nil {
				return nil, err
			}
			if next < len(line) && line[next] != ',' {
				return nil, s.errorAt(next, "expected ',' after the closing quote")
			}
			s.fields = append(s.fields, field)
			s.quoted = append(s.quoted, true)
			i = next
		} else {
			end := len(line)
			if j := bytes.IndexByte(line[i:], ','); j >= 0 {
				end = i + j
			}
			field := line[i:end:end]
			if j := bytes.IndexByte(field, '"'); j >= 0 {
				return nil, s.errorAt(i+j, `stray '"' in an unquoted field`)
			}
			s.fields = append(s.fields, field)
			s.quoted = append(s.quoted, false)
			i = end
		}
		if i >= len(line) {
			return s.fields, nil
		}
		i++ // the comma; a comma at the very end leaves one empty field
	}
}

// splitPlain splits a line of 16 bytes or more that has no quotes at its
// commas, found sixteen bytes a step by sepMasks; with a quote, or when the
// line is shorter, it leaves the line to the general path (ok false). Its
// fields are unquoted.
func (s *Splitter) splitPlain(line []byte) (fields [][]byte, ok bool) {
	if len(line) < 16 {
		return nil, false
	}
	n := (len(line) + 15) / 16
	if cap(s.masks) < n {
		s.masks = make([]uint16, n+n/2)
	}
	masks := s.masks[:n]
	if sepMasks(line, masks) {
		return nil, false
	}
	fields, start := s.fields, 0
	for k, m := range masks {
		for ; m != 0; m &= m - 1 {
			j := k*16 + bits.TrailingZeros16(m)
			fields = append(fields, line[start:j:j])
			start = j + 1
		}
	}
	s.fields = append(fields, line[start:len(line):len(line)])
	return s.fields, true
}

// quotedField reads the quoted field whose opening quote is at line[open],
// returning its content and the index just past its closing quote.
func (s *Splitter) quotedField(line []byte, open int) (field []byte, next int, err error) {
	start := open + 1
	segment := start // line[segment:i] is not yet copied to s.unescape
	unescapeStart := len(s.unescape)
	escaped := false
	for i := start; ; {
		j := bytes.IndexByte(line[i:], '"')
		if j < 0 {
			return nil, 0, s.errorAt(open, "unterminated quoted field")
		}
		i += j
		if i+1 < len(line) && line[i+1] == '"' {
			s.unescape = append(s.unescape, line[segment:i+1]...) // keeps one quote
			i += 2
			segment = i
			escaped = true
			continue
		}
		if !escaped {
			return line[start:i:i], i + 1, nil
		}
		s.unescape = append(s.unescape, line[segment:i]...)
		end := len(s.unescape)
		return s.unescape[unescapeStart:end:end], i + 1, nil
	}
}

func (s *Splitter) errorAt(i int, msg string) error {
	return &SyntaxError{Column: i + 1, Field: len(s.fields) + 1, Msg: msg}
}

// Quoted reports whether field i of the last Split was quoted. An empty
// unquoted field is NULL; an empty quoted one is the empty string.
func (s *Splitter) Quoted(i int) bool {
	return i >= 0 && i < len(s.quoted) && s.quoted[i]
}

// ParseInt64 parses a decimal integer in int64 range: an optional sign and
// digits; a fraction of zeros and an exponent are allowed when the value is
// integral ("5.0", "1e3"). Spaces are not trimmed.
func ParseInt64(b []byte) (int64, error) {
	if v, ok := num.Integer(b); ok { // the common case
		return v, nil
	}
	v, err := num.ParseInt64(b)
	if err != nil {
		return 0, valueError(err, "an integer", b)
	}
	return v, nil
}

// ParseFloat64 parses a decimal number, or inf, infinity or nan in any case.
// Finite values beyond float64 are errors.
func ParseFloat64(b []byte) (float64, error) {
	v, err := num.ParseFloat64(b)
	if err != nil {
		return 0, valueError(err, "a number", b)
	}
	return v, nil
}

// ParseBool parses true, false, t, f, 1 or 0, in any case.
func ParseBool(b []byte) (bool, error) {
	switch {
	case num.EqualFold(b, "true"), num.EqualFold(b, "t"), string(b) == "1":
		return true, nil
	case num.EqualFold(b, "false"), num.EqualFold(b, "f"), string(b) == "0":
		return false, nil
	}
	return false, errors.New("expected a boolean, found " + quote(b))
}

// ParseTimestamp parses a timestamp as timestamp.Parse does, or an integer
// (an optional '-' and digits only) as milliseconds since the Unix epoch. It
// returns microseconds since the epoch.
func ParseTimestamp(b []byte) (int64, error) {
	if ms, ok := num.Integer(b); ok { // the common case, in one pass
		us, ok := timestamp.FromMillisChecked(ms)
		if !ok {
			return 0, errors.New("timestamp out of range: " + quote(b))
		}
		return us, nil
	}
	if !isInteger(b) {
		return timestamp.Parse(b)
	}
	ms, err := num.ParseInt64(b)
	if err != nil {
		return 0, valueError(err, "a timestamp", b)
	}
	us, ok := timestamp.FromMillisChecked(ms)
	if !ok {
		return 0, errors.New("timestamp out of range: " + quote(b))
	}
	return us, nil
}

func isInteger(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func valueError(err error, what string, b []byte) error {
	if err == num.ErrRange {
		return errors.New("number out of range for " + what + ": " + quote(b))
	}
	return errors.New("expected " + what + ", found " + quote(b))
}

// quote renders a value for an error message, cut to a readable length.
func quote(b []byte) string {
	if len(b) > maxExcerpt {
		return strconv.Quote(string(b[:maxExcerpt])) + "..."
	}
	return strconv.Quote(string(b))
}

// ParseDecimal parses a DECIMAL(p, s) field exactly (see decimal.Parse) and
// returns its unscaled value at scale s. Spaces are not trimmed.
func ParseDecimal(b []byte, p, s int) (int64, error) {
	v, err := decimal.Parse(b, p, s)
	return v, decimalError(err, b, p, s)
}

// ParseDecimal128 is ParseDecimal for a DECIMAL(p > 18, s).
func ParseDecimal128(b []byte, p, s int) (decimal.Int128, error) {
	v, err := decimal.Parse128(b, p, s)
	return v, decimalError(err, b, p, s)
}

func decimalError(err error, b []byte, p, s int) error {
	switch err {
	case nil:
		return nil
	case decimal.ErrRange:
		return errors.New("number out of range for DECIMAL(" + strconv.Itoa(p) + "," + strconv.Itoa(s) + "): " + quote(b))
	}
	return errors.New("expected a number, found " + quote(b))
}
