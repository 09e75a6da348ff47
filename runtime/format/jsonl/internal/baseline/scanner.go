// Package baseline is the JSON-lines Scanner as it was before the word-at-a-time
// scanning, kept verbatim (package name aside) as the baseline that the
// jsonl benchmarks compare against in the same run. Nothing but benchmarks
// uses it.
package baseline

import (
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/laminar-sql/laminar/runtime/format/internal/num"
	"github.com/laminar-sql/laminar/runtime/timestamp"
)

// maxNesting bounds the depth of the values Skip walks, counting the
// record's own object, as encoding/json does.
const maxNesting = 10000

// maxExcerpt bounds how much of the input an error message repeats.
const maxExcerpt = 40

type scanState uint8

const (
	stateDone     scanState = iota // before Reset, after the closing '}', or after an error
	stateFirstKey                  // just after '{'
	stateNextKey                   // after a value: ',' or '}' comes next
	stateValue                     // after a key and its ':', before the value
)

// Scanner walks the keys and values of one JSON object (one line) without
// allocating once its buffers are warm. Call Reset, then NextKey until it
// returns false; after each key consume its value with exactly one of
// ValueIsNull (then another if it returned false), Int64, Float64, Bool, Str,
// Timestamp or Skip. Errors are sticky: the first is kept and returned by
// Err, later calls return zero values and NextKey returns false. A value left
// unconsumed is skipped by the next NextKey. Duplicate keys are all reported.
//
// The zero value is ready to use after Reset. A Scanner is not safe for
// concurrent use.
type Scanner struct {
	line  []byte
	pos   int
	state scanState
	err   error
	key   []byte // the current key, for error messages

	keyBuf []byte // unescaped keys
	strBuf []byte // unescaped string values
	nest   []byte // the containers Skip is inside: '{' or '['
}

// SyntaxError describes why a line was rejected.
type SyntaxError struct {
	Column int    // 1-based byte column in the line
	Key    string // the key whose value is at fault; empty when none
	Msg    string // what was expected and found
}

func (e *SyntaxError) Error() string {
	s := "column " + strconv.Itoa(e.Column) + ": "
	if e.Key != "" {
		s += "key " + strconv.Quote(e.Key) + ": "
	}
	return s + e.Msg
}

// Reset starts scanning line, which must hold one JSON object, possibly
// surrounded by whitespace. The Scanner keeps line until the next Reset.
func (s *Scanner) Reset(line []byte) {
	s.line = line
	s.pos = 0
	s.err = nil
	s.key = nil
	s.state = stateDone
	s.skipSpace()
	if s.pos >= len(s.line) || s.line[s.pos] != '{' {
		s.fail(s.pos, false, "expected '{'")
		return
	}
	s.pos++
	s.state = stateFirstKey
}

// Err returns the first error met since Reset, as a *SyntaxError, or nil.
func (s *Scanner) Err() error { return s.err }

// NextKey returns the next key, unescaped and valid until the next call to
// NextKey or Reset, and positions the Scanner before its value. It returns
// false at the end of the object and on error (see Err). At the end it also
// checks that only whitespace follows the object.
func (s *Scanner) NextKey() (key []byte, ok bool) {
	switch s.state {
	case stateDone:
		return nil, false
	case stateValue:
		s.Skip()
		if s.err != nil {
			return nil, false
		}
	}
	s.skipSpace()
	if s.state == stateNextKey {
		if s.pos < len(s.line) && s.line[s.pos] == ',' {
			s.pos++
			s.skipSpace()
			if s.pos >= len(s.line) || s.line[s.pos] != '"' {
				s.fail(s.pos, false, "expected a key")
				return nil, false
			}
		} else if s.pos >= len(s.line) || s.line[s.pos] != '}' {
			s.fail(s.pos, false, "expected ',' or '}'")
			return nil, false
		}
	}
	if s.pos < len(s.line) && s.line[s.pos] == '}' {
		s.pos++
		s.skipSpace()
		if s.pos < len(s.line) {
			s.fail(s.pos, false, "expected the end of the line after the object")
			return nil, false
		}
		s.state = stateDone
		return nil, false
	}
	if s.pos >= len(s.line) || s.line[s.pos] != '"' {
		s.fail(s.pos, false, "expected a key or '}'")
		return nil, false
	}
	s.key = nil
	key, ok = s.readString(&s.keyBuf)
	if !ok {
		return nil, false
	}
	s.key = key
	s.skipSpace()
	if s.pos >= len(s.line) || s.line[s.pos] != ':' {
		s.fail(s.pos, true, "expected ':' after the key")
		return nil, false
	}
	s.pos++
	s.skipSpace()
	s.state = stateValue
	return key, true
}

// ValueIsNull consumes the value and returns true if it is null; otherwise
// it consumes nothing and returns false.
func (s *Scanner) ValueIsNull() bool {
	if s.state != stateValue || !s.hasLiteral("null") {
		return false
	}
	s.pos += len("null")
	s.state = stateNextKey
	return true
}

// Int64 consumes a JSON number whose value is an integer in int64 range
// ("5", "-3", "5.0" and "1e3" are; "5.5" and "1e19" are errors).
func (s *Scanner) Int64() int64 {
	if !s.beginValue() {
		return 0
	}
	start := s.pos
	tok, ok := s.readNumber()
	if !ok {
		s.fail(start, true, "expected an integer")
		return 0
	}
	v, err := num.ParseInt64(tok)
	if err != nil {
		s.failNumber(start, err, "an integer")
		return 0
	}
	return v
}

// Float64 consumes a JSON number. A number beyond the range of float64 is an
// error.
func (s *Scanner) Float64() float64 {
	if !s.beginValue() {
		return 0
	}
	start := s.pos
	tok, ok := s.readNumber()
	if !ok {
		s.fail(start, true, "expected a number")
		return 0
	}
	v, err := num.ParseFloat64(tok)
	if err != nil {
		s.failNumber(start, err, "a number")
		return 0
	}
	return v
}

// Bool consumes true or false.
func (s *Scanner) Bool() bool {
	if !s.beginValue() {
		return false
	}
	switch {
	case s.hasLiteral("true"):
		s.pos += len("true")
		return true
	case s.hasLiteral("false"):
		s.pos += len("false")
		return false
	}
	s.fail(s.pos, true, "expected true or false")
	return false
}

// Str consumes a JSON string and returns it unescaped, with invalid UTF-8
// and unpaired surrogates replaced by U+FFFD as encoding/json does. The
// result is valid until the next value is read or Reset, and may alias the
// line.
func (s *Scanner) Str() []byte {
	if !s.beginValue() {
		return nil
	}
	if s.line[s.pos] != '"' {
		s.fail(s.pos, true, "expected a string")
		return nil
	}
	str, _ := s.readString(&s.strBuf)
	return str
}

// Timestamp consumes a timestamp: a JSON string that timestamp.Parse
// accepts, or an integral JSON number of milliseconds since the Unix epoch.
// It returns microseconds since the epoch.
func (s *Scanner) Timestamp() int64 {
	if !s.beginValue() {
		return 0
	}
	start := s.pos
	switch c := s.line[s.pos]; {
	case c == '"':
		str, ok := s.readString(&s.strBuf)
		if !ok {
			return 0
		}
		us, err := timestamp.Parse(str)
		if err != nil {
			var perr *timestamp.ParseError
			if errors.As(err, &perr) {
				s.failMsg(start, true, "invalid timestamp "+s.excerpt(start)+": "+perr.Msg)
			} else {
				s.failMsg(start, true, err.Error())
			}
			return 0
		}
		return us
	case c == '-' || isDigit(c):
		tok, ok := s.readNumber()
		if !ok {
			break
		}
		ms, err := num.ParseInt64(tok)
		if err != nil {
			s.failNumber(start, err, "a timestamp in integer milliseconds")
			return 0
		}
		us, ok := timestamp.FromMillisChecked(ms)
		if !ok {
			s.failMsg(start, true, "timestamp out of range: "+s.excerpt(start))
			return 0
		}
		return us
	}
	s.fail(start, true, "expected a timestamp (a string or epoch milliseconds)")
	return 0
}

// Skip consumes any value, checking that it is valid JSON.
func (s *Scanner) Skip() {
	if !s.beginValue() {
		return
	}
	s.nest = s.nest[:0] // the containers we are inside, innermost last
	for {
		// A value starts here.
		s.skipSpace()
		if s.pos >= len(s.line) {
			s.fail(s.pos, true, "expected a value")
			return
		}
		switch c := s.line[s.pos]; {
		case c == '{' || c == '[':
			if len(s.nest)+1 >= maxNesting {
				s.failMsg(s.pos, true, "values nested too deeply")
				return
			}
			closing := byte('}')
			if c == '[' {
				closing = ']'
			}
			s.pos++
			s.skipSpace()
			if s.pos < len(s.line) && s.line[s.pos] == closing {
				s.pos++
				break
			}
			s.nest = append(s.nest, c)
			if c == '{' && !s.skipMemberKey() {
				return
			}
			continue
		case c == '"':
			if _, ok := s.readString(&s.strBuf); !ok {
				return
			}
		case c == '-' || isDigit(c):
			if _, ok := s.readNumber(); !ok {
				s.fail(s.pos, true, "expected a value")
				return
			}
		case s.hasLiteral("true"):
			s.pos += len("true")
		case s.hasLiteral("false"):
			s.pos += len("false")
		case s.hasLiteral("null"):
			s.pos += len("null")
		default:
			s.fail(s.pos, true, "expected a value")
			return
		}

		// A value ended: close containers until one has another element.
		for {
			if len(s.nest) == 0 {
				return
			}
			s.skipSpace()
			open := s.nest[len(s.nest)-1]
			closing := byte('}')
			if open == '[' {
				closing = ']'
			}
			if s.pos < len(s.line) && s.line[s.pos] == closing {
				s.pos++
				s.nest = s.nest[:len(s.nest)-1]
				continue
			}
			if s.pos < len(s.line) && s.line[s.pos] == ',' {
				s.pos++
				if open == '{' && !s.skipMemberKey() {
					return
				}
				break
			}
			s.fail(s.pos, true, "expected ',' or '"+string(closing)+"'")
			return
		}
	}
}

// skipMemberKey reads `"key" :` inside a nested object.
func (s *Scanner) skipMemberKey() bool {
	s.skipSpace()
	if s.pos >= len(s.line) || s.line[s.pos] != '"' {
		s.fail(s.pos, true, "expected a key in a nested object")
		return false
	}
	if _, ok := s.readString(&s.strBuf); !ok {
		return false
	}
	s.skipSpace()
	if s.pos >= len(s.line) || s.line[s.pos] != ':' {
		s.fail(s.pos, true, "expected ':' in a nested object")
		return false
	}
	s.pos++
	return true
}

// beginValue checks that a value may be read now and marks it consumed.
func (s *Scanner) beginValue() bool {
	if s.state != stateValue {
		if s.err == nil {
			s.failMsg(s.pos, false, "internal error: value read without NextKey")
		}
		return false
	}
	if s.pos >= len(s.line) {
		s.fail(s.pos, true, "expected a value")
		return false
	}
	s.state = stateNextKey
	return true
}

func (s *Scanner) skipSpace() {
	for s.pos < len(s.line) {
		switch s.line[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// hasLiteral reports whether the input at the current position is word.
func (s *Scanner) hasLiteral(word string) bool {
	rest := s.line[s.pos:]
	return len(rest) >= len(word) && string(rest[:len(word)]) == word
}

// readNumber consumes a number in JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// On failure it consumes nothing and leaves error reporting to the caller.
func (s *Scanner) readNumber() ([]byte, bool) {
	b, i := s.line, s.pos
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	default:
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		for ; i < len(b) && isDigit(b[i]); i++ {
		}
		if i == start {
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		for ; i < len(b) && isDigit(b[i]); i++ {
		}
		if i == start {
			return nil, false
		}
	}
	tok := b[s.pos:i]
	s.pos = i
	return tok, true
}

// readString consumes the JSON string at the current position (its opening
// quote) and returns its unescaped content. Content without escapes or
// invalid UTF-8 is returned as a slice of the line; otherwise it is decoded
// into *buf.
func (s *Scanner) readString(buf *[]byte) ([]byte, bool) {
	b := s.line
	start := s.pos + 1
	i := start
	for i < len(b) {
		c := b[i]
		if c == '"' {
			s.pos = i + 1
			return b[start:i:i], true // capped: appending must not write into the line
		}
		if c == '\\' || c < 0x20 {
			break
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	out := append((*buf)[:0], b[start:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			*buf = out
			s.pos = i + 1
			return out[:len(out):len(out)], true
		case c < 0x20:
			s.failMsg(i, true, "control character in a string")
			return nil, false
		case c == '\\':
			r, n, ok := decodeEscape(b[i:])
			if !ok {
				s.fail(i, true, "invalid escape in a string")
				return nil, false
			}
			out = utf8.AppendRune(out, r)
			i += n
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			out = utf8.AppendRune(out, r) // RuneError for invalid UTF-8
			i += size
		}
	}
	*buf = out
	s.failMsg(start-1, true, "unterminated string")
	return nil, false
}

// decodeEscape decodes the escape sequence at the start of b (b[0] == '\\'),
// joining surrogate pairs and turning lone surrogates into U+FFFD.
func decodeEscape(b []byte) (r rune, n int, ok bool) {
	if len(b) < 2 {
		return 0, 0, false
	}
	switch b[1] {
	case '"', '\\', '/':
		return rune(b[1]), 2, true
	case 'b':
		return '\b', 2, true
	case 'f':
		return '\f', 2, true
	case 'n':
		return '\n', 2, true
	case 'r':
		return '\r', 2, true
	case 't':
		return '\t', 2, true
	case 'u':
		r, ok := hex4(b[2:])
		if !ok {
			return 0, 0, false
		}
		if r < 0xD800 || r > 0xDFFF {
			return r, 6, true
		}
		if r < 0xDC00 && len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
			if low, ok := hex4(b[8:]); ok && low >= 0xDC00 && low <= 0xDFFF {
				return 0x10000 + (r-0xD800)<<10 + (low - 0xDC00), 12, true
			}
		}
		return utf8.RuneError, 6, true
	}
	return 0, 0, false
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func isDigit(c byte) bool { return c-'0' <= 9 }

// fail records the first error: what was expected at pos, and what is
// there. withKey names the current key in the message.
func (s *Scanner) fail(pos int, withKey bool, expected string) {
	if s.err == nil {
		s.failMsg(pos, withKey, expected+", found "+s.excerpt(pos))
	}
}

// failMsg records the first error with a message of its own.
func (s *Scanner) failMsg(pos int, withKey bool, msg string) {
	if s.err != nil {
		return
	}
	e := &SyntaxError{Column: pos + 1, Msg: msg}
	if withKey && s.key != nil {
		e.Key = string(cut(s.key))
	}
	s.err = e
	s.state = stateDone
}

// failNumber records why num rejected the number at pos, which should have
// been what ("an integer").
func (s *Scanner) failNumber(pos int, err error, what string) {
	if err == num.ErrRange {
		s.failMsg(pos, true, "number out of range for "+what+": "+s.excerpt(pos))
		return
	}
	s.fail(pos, true, "expected "+what)
}

// excerpt describes the token at pos for an error message.
func (s *Scanner) excerpt(pos int) string {
	b := s.line
	if pos >= len(b) {
		return "the end of the line"
	}
	switch b[pos] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '}', ']', ',', ':':
		return "'" + string(b[pos]) + "'"
	}
	end := pos
	if b[pos] == '"' {
		for end = pos + 1; end < len(b) && b[end] != '"'; end++ {
			if b[end] == '\\' {
				end++
			}
		}
		end = min(end+1, len(b))
	} else {
		for end < len(b) && !isDelimiter(b[end]) {
			end++
		}
		end = max(end, pos+1)
	}
	token := b[pos:end]
	text := string(cut(token))
	if !printable(text) {
		return strconv.Quote(text)
	}
	if b[pos] == '"' {
		return text // quoted already
	}
	return "'" + text + "'" // as the scanner quotes it
}

func isDelimiter(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ',', ':', '{', '}', '[', ']', '"':
		return true
	}
	return false
}

// cut shortens b for an error message.
func cut(b []byte) []byte {
	if len(b) <= maxExcerpt {
		return b
	}
	out := make([]byte, 0, maxExcerpt+3)
	return append(append(out, b[:maxExcerpt]...), "..."...)
}

func printable(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}
