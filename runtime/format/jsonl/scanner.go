// Package jsonl decodes and encodes JSON lines, one JSON object per record,
// for generated job code. It is the per-event hot path: the Scanner and the
// Append functions do not allocate on success and use neither reflection nor
// interfaces.
package jsonl

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
	"strconv"
	"unicode/utf8"
	"unsafe"

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
	key   []byte // the current key, for error messages, unless keyHi > 0
	// line[keyLo:keyHi] is the current key when NextCol guessed it (set
	// without storing a pointer: no write barrier per key)
	keyLo, keyHi int

	keyBuf []byte // unescaped keys
	strBuf []byte // unescaped string values
	nest   []byte // the containers Skip is inside: '{' or '['

	// NextCol's guesses: the keys of the last line read with guessFor, in
	// order, as the raw bytes that introduce them.
	guessFor *Keys
	guesses  []keyGuess
	keyNo    int // keys read since Reset

	// badText: a string of the line read since Reset has invalid UTF-8 or
	// an escaped lone surrogate (BadText)
	badText bool
}

// Keys numbers the keys a decoder reads, the columns of a source, for
// NextCol. It is immutable once made and may be shared.
type Keys struct{ index map[string]int }

// NewKeys numbers names in order: NextCol returns 0 for names[0], and so on.
func NewKeys(names ...string) *Keys {
	t := &Keys{index: make(map[string]int, len(names))}
	for i, n := range names {
		t.index[n] = i
	}
	return t
}

// keyGuess is the raw text of a key as the line before had it at the
// same place: `"key":` for the first key of the object, `,"key":` for the
// others. An input holding these bytes there has the key, plain (no
// escape), so NextCol takes them with one comparison of two words.
type keyGuess struct {
	w0, w1 uint64 // the first 16 bytes of tok, zero-padded
	m0, m1 uint64 // the bytes of w0 and w1 that tok has
	tok    []byte // empty when the key was not plain: never guessed
	short  int    // len(tok) when the two words hold it whole (16 bytes at most), else 0
	off    int    // where the key starts in tok
	col    int    // the key's number in guessFor, -1 for none
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
	s.keyHi = 0
	s.state = stateDone
	s.keyNo = 0
	s.badText = false
	if len(line) > 0 && line[0] == '{' { // the common case: no space before the object
		s.pos, s.state = 1, stateFirstKey
		return
	}
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

// BadText reports whether a string (key or value, read or skipped) of the
// line since Reset has invalid UTF-8 or an escaped lone surrogate, which
// reading it replaces by U+FFFD. Once a line is scanned without error
// (every byte of it is then in a string or in JSON's ASCII syntax), it is
// InvalidText(line): a decoder counts the text policy's invalid records
// as it decodes, without a pass of its own over them.
func (s *Scanner) BadText() bool { return s.badText }

// InvalidText reports whether line has invalid UTF-8 or an escaped lone
// surrogate (\ud800 not followed by an escaped low surrogate): a record of
// JSON the text policy counts, whatever its syntax.
func InvalidText(line []byte) bool {
	return !utf8.Valid(line) || HasLoneSurrogate(line)
}

// HasLoneSurrogate reports an escape \uD800-\uDFFF in line that is not a
// high surrogate followed by an escaped low one. Escapes are walked two
// bytes at a time, so an escaped backslash before "ud800" is not one.
func HasLoneSurrogate(line []byte) bool {
	for {
		i := bytes.IndexByte(line, '\\')
		if i < 0 || i+1 >= len(line) {
			return false
		}
		if line[i+1] != 'u' {
			line = line[i+2:] // another escape, or the escaped backslash
			continue
		}
		line = line[i+2:]
		hi, ok := hex4(line)
		if !ok || hi < 0xD800 || hi > 0xDFFF {
			continue
		}
		if hi >= 0xDC00 { // a low surrogate first
			return true
		}
		if len(line) < 10 || line[4] != '\\' || line[5] != 'u' {
			return true
		}
		if lo, ok := hex4(line[6:]); !ok || lo < 0xDC00 || lo > 0xDFFF {
			return true
		}
		line = line[10:]
	}
}

// loneSurrogate reports whether the escape at the start of b, which
// decodeEscape read as U+FFFD, is a lone surrogate (and not \ufffd).
func loneSurrogate(b []byte) bool {
	r, _ := hex4(b[2:])
	return r >= 0xD800 && r <= 0xDFFF
}

// NextKey returns the next key, unescaped and valid until the next call to
// NextKey or Reset, and positions the Scanner before its value. It returns
// false at the end of the object and on error (see Err). At the end it also
// checks that only whitespace follows the object.
func (s *Scanner) NextKey() (key []byte, ok bool) {
	// The common case first: `,"key":` (or `"key":` after the '{') with
	// no whitespace before the ':' and a key of plain ASCII. Only a full
	// match moves the Scanner; anything else takes the general path from
	// where it stands, so errors are reported as there.
	b, i := s.line, s.pos
	switch {
	case s.state == stateNextKey && i+1 < len(b) && b[i] == ',' && b[i+1] == '"':
		i += 2
	case s.state == stateFirstKey && i < len(b) && b[i] == '"':
		i++
	default:
		return s.nextKey()
	}
	start := i
	for i+8 <= len(b) {
		w := binary.LittleEndian.Uint64(b[i:])
		if m := stringSpecial(w) | w&msbs; m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			break
		}
		i += 8
	}
	if i+1 >= len(b) || b[i] != '"' || b[i+1] != ':' {
		return s.nextKey()
	}
	key = b[start:i:i]
	s.key, s.keyHi = key, 0
	s.pos = i + 2
	s.skipSpace()
	s.state = stateValue
	return key, true
}

// NextCol is NextKey for a decoder of the keys t numbers: it returns the
// number of the key in t, or -1 for a key t does not have. Files usually
// write the keys of every line in one order; NextCol learns the order from
// the lines it reads and tries the key the line before had at the same
// place first, falling back to NextKey for any other input. The result is
// that of NextKey in every case (errors included); only the speed differs.
func (s *Scanner) NextCol(t *Keys) (col int, ok bool) {
	// The guess of a key that two words hold whole, here; every other
	// case in nextColSlow, so that this path needs no stack frame.
	b, i, k := s.line, s.pos, s.keyNo
	// stateFirstKey and stateNextKey, in one unsigned comparison
	if k < len(s.guesses) && s.guessFor == t && s.state-stateFirstKey <= stateNextKey-stateFirstKey && i+16 <= len(b) {
		g := &s.guesses[k]
		w := b[i : i+16 : i+16]
		if n := g.short; n > 0 && binary.LittleEndian.Uint64(w)&g.m0 == g.w0 && binary.LittleEndian.Uint64(w[8:])&g.m1 == g.w1 {
			s.keyLo, s.keyHi = i+g.off, i+n-2
			i += n
			s.pos = i
			s.state = stateValue
			s.keyNo = k + 1
			if i < len(b) && b[i] <= ' ' { // only whitespace is, of what may follow ':'
				s.skipSpace()
			}
			return g.col, true
		}
	}
	return s.nextColSlow(t)
}

// Ahead returns the next n bytes of the line when a key (after the ','
// that ends the value before) may come next and the line has them, and nil
// otherwise. With TakeKey it lets a decoder match the key it expects next,
// the column after the last one in its order (the order most files write
// their keys in), with one comparison of the text against a constant:
//
//	if string(s.Ahead(9)) == `,"price":` {
//		s.TakeKey(9)
//		// the value of price
//	}
//
// Any other input (another key, escapes, whitespace) goes to NextCol,
// which reads it whatever it is.
func (s *Scanner) Ahead(n int) []byte {
	if s.state != stateNextKey || len(s.line)-s.pos < n {
		return nil
	}
	return s.line[s.pos : s.pos+n]
}

// TakeKey consumes the n bytes that Ahead returned, which must be ',' and
// a plain key with its ':' (`,"name":`, a name without escapes), and the
// whitespace after them, and positions the Scanner before the key's value
// as NextCol would.
func (s *Scanner) TakeKey(n int) {
	i := s.pos + n
	s.keyLo, s.keyHi = s.pos+2, i-2
	s.pos, s.state = i, stateValue
	s.keyNo++
	if i < len(s.line) && s.line[i] <= ' ' { // only whitespace is, of what may follow ':'
		s.skipSpace()
	}
}

// End is NextCol at the end of the object, for a decoder that expects
// it: when the input ends with the object's closing '}' right at the
// current position, End consumes it and returns true (NextCol would then
// return false with no error). Otherwise it consumes nothing and returns
// false, and NextCol goes on.
func (s *Scanner) End() bool {
	if s.state == stateNextKey && s.pos+1 == len(s.line) && s.line[s.pos] == '}' {
		s.pos, s.state = len(s.line), stateDone
		return true
	}
	return false
}

// nextColSlow is NextCol for guesses longer than 16 bytes, near the end
// of the line, at the end of the object and when the guess fails.
func (s *Scanner) nextColSlow(t *Keys) (col int, ok bool) {
	b, i := s.line, s.pos
	if k := s.keyNo; k < len(s.guesses) && s.guessFor == t && (s.state == stateNextKey || s.state == stateFirstKey) {
		// the whole guess, compared as text
		if g := &s.guesses[k]; len(g.tok) > 0 && i+len(g.tok) <= len(b) && string(b[i:i+len(g.tok)]) == string(g.tok) {
			s.keyLo, s.keyHi = i+g.off, i+len(g.tok)-2
			s.pos = i + len(g.tok)
			s.skipSpace()
			s.state = stateValue
			s.keyNo = k + 1
			return g.col, true
		}
	}
	if s.state == stateNextKey && i+1 == len(b) && b[i] == '}' {
		s.pos = len(b)
		s.state = stateDone
		return -1, false
	}
	return s.nextCol(t)
}

// curKey is the current key as error messages name it.
func (s *Scanner) curKey() []byte {
	if s.keyHi > 0 {
		return s.line[s.keyLo:s.keyHi]
	}
	return s.key
}

// nextCol is NextCol when the guess failed: NextKey, and the key's raw
// text becomes the guess for its place.
func (s *Scanner) nextCol(t *Keys) (int, bool) {
	if s.guessFor != t {
		s.guessFor, s.guesses = t, s.guesses[:0]
	}
	if s.state == stateValue {
		s.Skip()
		if s.err != nil {
			return -1, false
		}
	}
	first, at := s.state == stateFirstKey, s.pos
	k, ok := s.NextKey()
	if !ok {
		return -1, false
	}
	col, found := t.index[string(k)]
	if !found {
		col = -1
	}
	if s.keyNo <= len(s.guesses) {
		if s.keyNo == len(s.guesses) {
			s.guesses = append(s.guesses, keyGuess{})
		}
		s.guesses[s.keyNo].learn(s.line, at, first, k, col)
	}
	s.keyNo++
	return col, true
}

// learn makes g the guess of key k (number col), read from the raw text
// at line[at:]: a guess only when that text is the plain key, with ':'
// right after its closing quote.
func (g *keyGuess) learn(line []byte, at int, first bool, k []byte, col int) {
	g.col, g.off, g.tok, g.short = col, 2, g.tok[:0], 0
	if first {
		g.off = 1
	}
	n := g.off + len(k) + 2
	raw := line[at:]
	// k aliases the line only when the key had no escape and valid UTF-8
	plain := len(raw) >= n && raw[g.off-1] == '"' && (first || raw[0] == ',') &&
		(len(k) == 0 || &k[0] == &raw[g.off]) && raw[n-2] == '"' && raw[n-1] == ':'
	if !plain {
		g.w0, g.m0 = 1, 0 // never equal
		return
	}
	g.tok = append(g.tok, raw[:n]...)
	if n <= 16 {
		g.short = n
	}
	var pad [16]byte
	copy(pad[:], g.tok)
	g.w0, g.w1 = binary.LittleEndian.Uint64(pad[:]), binary.LittleEndian.Uint64(pad[8:])
	g.m0, g.m1 = wordMask(n), wordMask(n-8)
}

// wordMask has the low n bytes of a word set (all for n >= 8, none for n <= 0).
func wordMask(n int) uint64 {
	switch {
	case n >= 8:
		return math.MaxUint64
	case n <= 0:
		return 0
	}
	return 1<<(8*n) - 1
}

// nextKey is NextKey in general.
func (s *Scanner) nextKey() (key []byte, ok bool) {
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
	s.key, s.keyHi = nil, 0
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
	if v, ok := s.shortInt(); ok {
		return v
	}
	if v, ok := s.fastInt(); ok {
		return v
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
		// the strings AppendFloat writes for what JSON cannot hold
		for _, w := range nonFinite {
			if s.hasLiteral(w.text) {
				s.pos += len(w.text)
				return w.v
			}
		}
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

// nonFinite are the DOUBLE values JSON has no number for, as AppendFloat writes them.
var nonFinite = [...]struct {
	text string
	v    float64
}{{`"Infinity"`, math.Inf(1)}, {`"-Infinity"`, math.Inf(-1)}, {`"NaN"`, math.NaN()}}

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

// StrView is Str as a string that is a view of the line, with no copy,
// when the JSON string is the line's bytes as they are (no escapes, valid
// UTF-8: most strings); a string that had to be decoded is a copy. A view
// is good only while the line's bytes are unchanged: the generated decoder
// uses it for the columns the planner found every reader to be done with
// before the batch is (physical.Plan.Borrowed).
func (s *Scanner) StrView() string {
	b := s.Str()
	if len(b) == 0 {
		return ""
	}
	p, lo := uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(unsafe.Pointer(unsafe.SliceData(s.line)))
	if p-lo < uintptr(len(s.line)) {
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
	return string(b) // unescaped into the scanner's buffer, which the next value reuses
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
		ms, ok := s.fastInt()
		if !ok {
			tok, ok := s.readNumber()
			if !ok {
				break
			}
			var err error
			if ms, err = num.ParseInt64(tok); err != nil {
				s.failNumber(start, err, "a timestamp in integer milliseconds")
				return 0
			}
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

// SkipNotNull is ValueIsNull and, for a value that is not null, Skip, in
// one call: it returns false for a null value, which it consumes.
func (s *Scanner) SkipNotNull() bool {
	if s.state == stateValue && s.pos < len(s.line) {
		switch c := s.line[s.pos]; {
		case c == '"':
			s.state = stateNextKey
			s.skipString()
			return true
		case c-'1' <= 8 && s.skipPlainInt():
			s.state = stateNextKey
			return true
		case c == '-' || isDigit(c):
			s.state = stateNextKey
			if !s.skipNumber() {
				s.fail(s.pos, true, "expected a value")
			}
			return true
		}
	}
	if s.ValueIsNull() {
		return false
	}
	s.Skip()
	return true
}

// Skip consumes any value, checking that it is valid JSON.
func (s *Scanner) Skip() {
	if !s.beginValue() {
		return
	}
	// Most skipped values are strings and numbers: no container walk.
	switch c := s.line[s.pos]; {
	case c == '"':
		s.skipString()
		return
	case c-'1' <= 8 && s.skipPlainInt():
		return
	case c == '-' || isDigit(c):
		if !s.skipNumber() {
			s.fail(s.pos, true, "expected a value")
		}
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
			if !s.skipString() {
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
	if !s.skipString() {
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
// It is small enough to inline; badValue reports why not.
func (s *Scanner) beginValue() bool {
	if s.state == stateValue && s.pos < len(s.line) {
		s.state = stateNextKey
		return true
	}
	return s.badValue()
}

// badValue is beginValue when no value may be read: it records why and
// returns false.
func (s *Scanner) badValue() bool {
	if s.state != stateValue {
		if s.err == nil {
			s.failMsg(s.pos, false, "internal error: value read without NextKey")
		}
		return false
	}
	s.fail(s.pos, true, "expected a value") // at the end of the line
	return false
}

func (s *Scanner) skipSpace() {
	for s.pos < len(s.line) && isSpace[s.line[s.pos]] {
		s.pos++
	}
}

var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// hasLiteral reports whether the input at the current position is word.
func (s *Scanner) hasLiteral(word string) bool {
	rest := s.line[s.pos:]
	return len(rest) >= len(word) && string(rest[:len(word)]) == word
}

// shortInt reads the commonest integer, positive with at most nine digits
// (the first 1-9) and neither fraction nor exponent, followed by something,
// a digit at a time: cheaper than fastInt's words for so few. It
// consumes nothing and returns false for anything else, which fastInt and
// the general path then read.
func (s *Scanner) shortInt() (int64, bool) {
	b, i := s.line, s.pos
	v := uint64(b[i]) - '1'
	if v > 8 {
		return 0, false
	}
	v++
	for i++; i < len(b) && b[i]-'0' <= 9 && v < 1e8; i++ {
		v = v*10 + uint64(b[i]-'0')
	}
	if i == len(b) || b[i]-'0' <= 9 || b[i] == '.' || b[i]|0x20 == 'e' {
		return 0, false
	}
	s.pos = i
	return int64(v), true
}

// skipPlainInt consumes the commonest number, a positive integer (its
// first digit 1-9 at the current position) with neither fraction nor
// exponent, followed by something, and returns true; for anything else it
// consumes nothing and returns false. It is small enough to inline into
// Skip and SkipNotNull.
func (s *Scanner) skipPlainInt() bool {
	b, i := s.line, s.pos+1
	for i < len(b) && b[i]-'0' <= 9 {
		i++
	}
	if i == len(b) || b[i] == '.' || b[i]|0x20 == 'e' {
		return false
	}
	s.pos = i
	return true
}

// skipNumber is readNumber for a value that is not read: the common
// integer (no leading zero, fraction or exponent) in one tight loop, the
// rest through readNumber, which consumes the same numbers.
func (s *Scanner) skipNumber() bool {
	b, i := s.line, s.pos
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i]-'1' <= 8 {
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
		if i == len(b) || b[i] != '.' && b[i]|0x20 != 'e' {
			s.pos = i
			return true
		}
	}
	_, ok := s.readNumber()
	return ok
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
	// plainEnd up to the first byte that is not plain ASCII; the walk
	// below goes on from there.
	i := start + plainEnd(b[start:])
	if i < len(b) && b[i] == '"' {
		s.pos = i + 1
		return b[start:i:i], true // capped: appending must not write into the line
	}
	for i < len(b) {
		if i+8 <= len(b) {
			// Eight bytes at a time up to the first that is not plain ASCII.
			m := stringSpecial(binary.LittleEndian.Uint64(b[i:])) | binary.LittleEndian.Uint64(b[i:])&msbs
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		}
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
			if r == utf8.RuneError && loneSurrogate(b[i:]) {
				s.badText = true
			}
			out = utf8.AppendRune(out, r)
			i += n
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				s.badText = true
			}
			out = utf8.AppendRune(out, r) // RuneError for invalid UTF-8
			i += size
		}
	}
	*buf = out
	s.failMsg(start-1, true, "unterminated string")
	return nil, false
}

// skipString consumes the JSON string at the current position (its opening
// quote) without unescaping it, checking it as readString would: the same
// strings fail with the same errors. Invalid UTF-8 is no error (readString
// replaces it), so only quotes, backslashes and control bytes need a look.
func (s *Scanner) skipString() bool {
	// plainEnd up to the first quote, backslash, control byte or byte
	// that is not ASCII; valid escapes and runes are stepped over, noting
	// lone surrogates and invalid UTF-8 (BadText).
	b := s.line
	start := s.pos + 1
	i := start
	for i < len(b) {
		i += plainEnd(b[i:])
		if i >= len(b) {
			break
		}
		switch c := b[i]; {
		case c == '"':
			s.pos = i + 1
			return true
		case c == '\\':
			// the common escape, \u and four hex digits of no surrogate
			// (URLs' \u0026), checked without decoding it
			if i+6 <= len(b) && b[i+1] == 'u' && b[i+2]|0x20 != 'd' &&
				isHex[b[i+2]] && isHex[b[i+3]] && isHex[b[i+4]] && isHex[b[i+5]] {
				i += 6
				continue
			}
			if r, n, ok := decodeEscape(b[i:]); ok {
				if r == utf8.RuneError && loneSurrogate(b[i:]) {
					s.badText = true
				}
				i += n
				continue
			}
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				s.badText = true
			}
			i += size
			continue
		}
		break
	}
	return s.skipStringFrom(start, i)
}

// skipStringFrom is skipString byte by byte from b[i], the string's
// content from start up to i being valid.
func (s *Scanner) skipStringFrom(start, i int) bool {
	b := s.line
	for i < len(b) {
		if i+8 <= len(b) {
			m := stringSpecial(binary.LittleEndian.Uint64(b[i:]))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		}
		switch c := b[i]; {
		case c == '"':
			s.pos = i + 1
			return true
		case c == '\\':
			_, n, ok := decodeEscape(b[i:])
			if !ok {
				s.fail(i, true, "invalid escape in a string")
				return false
			}
			i += n
		case c < 0x20:
			s.failMsg(i, true, "control character in a string")
			return false
		default:
			i++
		}
	}
	s.failMsg(start-1, true, "unterminated string")
	return false
}

const (
	lsbs = 0x0101010101010101 // the lowest bit of every byte of a word
	msbs = 0x8080808080808080 // the highest bit of every byte of a word
)

// stringSpecial marks, in the high bit of each byte, the bytes of w (eight
// bytes, little-endian) that end a string's plain run: '"', '\\' and control
// characters. A marked byte may also mark bytes after it (a borrow carries
// on), but the lowest mark is always exact, and only it is used.
func stringSpecial(w uint64) uint64 {
	// Flipping bit 1 makes '"' (0x22) the 0x20 and leaves the control
	// bytes below it, so one test below 0x21 finds both.
	y := w ^ (lsbs * 0x02)
	bs := w ^ (lsbs * '\\')
	return ((y-lsbs*0x21)&^y | (bs-lsbs)&^bs) & msbs
}

// fastInt reads the common integer, at most 18 digits with no fraction or
// exponent, in one pass, eight digits at a time. It consumes nothing and
// returns false for anything else (leading zeros, errors included), which
// the callers then read the general way.
func (s *Scanner) fastInt() (int64, bool) {
	// Most integers have at most 15 digits and are not at the very end of
	// the line: two words hold them and the byte after, without a loop.
	b, i := s.line, s.pos
	if i+17 > len(b) {
		return s.fastIntLoop()
	}
	neg := b[i] == '-'
	if neg {
		i++
	}
	// two words from b itself (a load each; of a subslice w, the first
	// was read a byte at a time)
	_ = b[i+15] // the words: one bounds check for both (b[i+n] is in them)
	d := binary.LittleEndian.Uint64(b[i:]) - lsbs*'0'
	var v uint64
	var n int
	// A byte is not a digit when it is above 9 once '0' is taken off, or
	// took a borrow; the lowest such byte is exact.
	if nd := (d | (d + lsbs*(0x80-10))) & msbs; nd != 0 {
		n = bits.TrailingZeros64(nd) >> 3 // 0 to 7 digits
		if n == 0 {
			return 0, false
		}
		v = eightDigits(d << (64 - 8*n))
	} else {
		d2 := binary.LittleEndian.Uint64(b[i+8:]) - lsbs*'0'
		nd2 := (d2 | (d2 + lsbs*(0x80-10))) & msbs
		if nd2 == 0 {
			return s.fastIntLoop() // 16 digits or more
		}
		k := bits.TrailingZeros64(nd2) >> 3
		n = 8 + k
		v = eightDigits(d)*pow10[k] + eightDigits(d2<<(64-8*k)) // a shift by 64 is 0
	}
	if n > 1 && b[i] == '0' {
		return 0, false
	}
	if c := b[i+n]; c == '.' || c|0x20 == 'e' {
		return 0, false
	}
	s.pos = i + n
	if neg {
		return -int64(v), true
	}
	return int64(v), true
}

// fastIntLoop is fastInt near the end of the line, and for 16 digits or
// more: eight digits a step.
func (s *Scanner) fastIntLoop() (int64, bool) {
	b, i := s.line, s.pos
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	start := i
	var v uint64
	for i+8 <= len(b) {
		d := binary.LittleEndian.Uint64(b[i:]) - lsbs*'0'
		// A byte is not a digit when it is above 9 once '0' is taken off,
		// or took a borrow; the lowest such byte is exact.
		if nd := (d | (d + lsbs*(0x80-10))) & msbs; nd != 0 {
			k := bits.TrailingZeros64(nd) >> 3
			if k > 0 {
				v = v*pow10[k] + eightDigits(d<<(64-8*k))
				i += k
			}
			goto end
		}
		v = v*1e8 + eightDigits(d)
		i += 8
		if i-start > 18 {
			return 0, false
		}
	}
	for i < len(b) && i-start < 19 {
		d := b[i] - '0'
		if d > 9 {
			break
		}
		v = v*10 + uint64(d)
		i++
	}
end:
	n := i - start
	if uint(n-1) > 17 || n > 1 && b[start] == '0' { // none, or more than 18 digits
		return 0, false
	}
	// b[i] is no digit: both loops stop at one, or at 19 digits (n > 18)
	if i < len(b) {
		if c := b[i]; c == '.' || c|0x20 == 'e' {
			return 0, false
		}
	}
	s.pos = i
	if neg {
		return -int64(v), true
	}
	return int64(v), true
}

// pow10[k] is 10^k, for k up to 8.
var pow10 = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8}

// eightDigits is the number written by the eight digit values (0-9) in the
// bytes of d, the first (most significant) in the lowest byte: pairs, then
// quads, then the whole, each step one multiply.
func eightDigits(d uint64) uint64 {
	d = (d * (10<<8 + 1)) >> 8 & 0x00ff00ff00ff00ff
	d = (d * (100<<16 + 1)) >> 16 & 0x0000ffff0000ffff
	return (d * (10000<<32 + 1)) >> 32 & 0xffffffff
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

// isHex marks the hex digits.
var isHex = [256]bool{
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true,
	'a': true, 'b': true, 'c': true, 'd': true, 'e': true, 'f': true, 'A': true, 'B': true, 'C': true, 'D': true, 'E': true, 'F': true,
}

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
	if k := s.curKey(); withKey && k != nil {
		e.Key = string(cut(k))
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
	return "'" + text + "'" // the offending text, set off from the message
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
