package jsonl

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/runtime/format/jsonl/internal/baseline"
)

// scanner is what the Scanner and its baseline have in common, so that one
// walk drives both.
type scanner interface {
	Reset([]byte)
	NextKey() ([]byte, bool)
	ValueIsNull() bool
	Int64() int64
	Float64() float64
	Bool() bool
	Str() []byte
	Timestamp() int64
	Skip()
	Err() error
}

// walk reads each value of line with the reader picked by the key's first
// letter (i: Int64, f: Float64, b: Bool, s: Str, t: Timestamp, else Skip)
// and renders all it saw, errors included.
func walk(s scanner, line []byte) string {
	var out strings.Builder
	s.Reset(line)
	for k, ok := s.NextKey(); ok; k, ok = s.NextKey() {
		fmt.Fprintf(&out, "%q=", k)
		if s.ValueIsNull() {
			out.WriteString("null ")
			continue
		}
		var c byte
		if len(k) > 0 {
			c = k[0]
		}
		switch c {
		case 'i':
			fmt.Fprint(&out, s.Int64())
		case 'f':
			fmt.Fprint(&out, s.Float64())
		case 'b':
			fmt.Fprint(&out, s.Bool())
		case 's':
			fmt.Fprintf(&out, "%q", s.Str())
		case 't':
			fmt.Fprint(&out, s.Timestamp())
		default:
			s.Skip()
		}
		out.WriteByte(' ')
	}
	fmt.Fprint(&out, "err=", s.Err())
	return out.String()
}

// FuzzScannerMatchesBaseline checks that the word-at-a-time Scanner reads
// every line as the byte-at-a-time baseline did: the same values, and the
// same error with the same column and message.
func FuzzScannerMatchesBaseline(f *testing.F) {
	for _, s := range []string{
		tradeLine, `{"i":12,"f":1.5,"b":true,"s":"a\"b","t":1704164645500,"x":[1,{"y":"z"}]}`,
		`{"s":"abcdefghijklmnop\u0026qrstuvwxyz0123456789","x":"abcdefgh\u00e9ijklmnopq\\"}`,
		"{\"s\":\"abcdefgh\xffijklmnop\",\"x\":\"abcdefghijk\x01lmnop\"}", `{"x":"abcdefghijklmnopqrstuvwxyz\q"}`,
		`{"i":-0,"i2":007,"i3":123456789012345678,"i4":1234567890123456789,"i5":-9223372036854775808,"i6":1.0}`,
		`{"t":"2024-01-02T03:04:05Z","t2":-12,"t3":99999999999999999,"t4":1e3}`, `{"x":"abcdefghijklmnopqrstu`,
		`{"i":12 , "f" : -0.25e-2 }`, `{"i":1,"abcdefghijklmnop":2,"s" :"x","t\u0031":3,"é":4,"b":true}`,
		`{"i":1,"s"`, `{"i":1,"s":`, `{"i":1,"abcdefgh"`, `{"i":1,"abcdefg":}`, `{"i":12345678901234567,"i2":-123456789012345678}`,
		`{"i":12345678,"i2":1234567890123456789,"i3":00,"i4":-0,"t":1234567890123x}`, `{"i":1.5}`, `{"i":1e400}`, `{"f":123456789012345.6}`,
		// skipped numbers, eight digits a step: ends inside and after a word, fractions and exponents after it
		`{"x":1007,"y":123456789,"z":-1234567890123456789012,"w":12345678.5,"v":1234567812345678e-3,"u":12345678}`,
		`{"x":123456789x}`, `{"x":12345678-}`, `{"x":1234567890123456.}`, `{"x":123456789012345678`,
		// skipped strings' \u escapes: plain, surrogates, near them, malformed, cut by the end
		`{"x":"a\u0026b\u00E9\uD7FF\uE000\uD800\udbff\udfff\uDC00\ud83d\ude00","y":"\u12G4"}`, `{"x":"\u004`, `{"x":"\u0041"`, `{"x":"\uzzzz"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var s Scanner
		var old baseline.Scanner
		got, want := walk(&s, []byte(line)), walk(&old, []byte(line))
		if got != want {
			t.Fatalf("%q:\n scanner  %s\n baseline %s", line, got, want)
		}
	})
}

// walkKeys are the keys walkCols reads by number, as a decoder would.
var walkKeys = NewKeys("i", "f", "b", "s", "t", "x", "i2", "abcdefghijklmnop", "abcdefghijklmnopq", "é")

// walkCols is walk over NextCol: the key comes from its number in
// walkKeys (the Scanner's last key when -1), so it renders the same text.
// Keys starting with x are skipped with SkipNotNull.
func walkCols(s *Scanner, line []byte) string {
	names := map[int]string{}
	for k, i := range walkKeys.index {
		names[i] = k
	}
	var out strings.Builder
	s.Reset(line)
	for c, ok := s.NextCol(walkKeys); ok; c, ok = s.NextCol(walkKeys) {
		k := []byte(names[c])
		if c < 0 {
			k = s.curKey()
		} else if string(k) != string(s.curKey()) && !bytes.ContainsRune(line, '\\') {
			// a key read by number is the one in the line
			return fmt.Sprintf("key %q read as %d (%q)", s.curKey(), c, k)
		}
		fmt.Fprintf(&out, "%q=", k)
		if len(k) > 0 && k[0] == 'x' {
			// what walk's ValueIsNull then Skip do, in one call
			if !s.SkipNotNull() {
				out.WriteString("null ")
				continue
			}
			out.WriteByte(' ')
			continue
		}
		if s.ValueIsNull() {
			out.WriteString("null ")
			continue
		}
		var ch byte
		if len(k) > 0 {
			ch = k[0]
		}
		switch ch {
		case 'i':
			fmt.Fprint(&out, s.Int64())
		case 'f':
			fmt.Fprint(&out, s.Float64())
		case 'b':
			fmt.Fprint(&out, s.Bool())
		case 's':
			fmt.Fprintf(&out, "%q", s.Str())
		case 't':
			fmt.Fprint(&out, s.Timestamp())
		default:
			s.Skip()
		}
		out.WriteByte(' ')
	}
	fmt.Fprint(&out, "err=", s.Err())
	return out.String()
}

// FuzzNextColMatchesBaseline checks that NextCol, with the key order it
// learned from the lines before, reads a line as NextKey over the
// byte-at-a-time baseline does: the keys in the lines before only change
// how fast it gets there.
func FuzzNextColMatchesBaseline(f *testing.F) {
	bid := `{"event_type":2,"i":1000,"i2":1007,"f":9663083,"s":"channel-5965","x":"https://www.nexmark.com/wph/hbm/oku_/item.htm?query=1\u0026channel_id=1293418496","t":1436918400000,"abcdefghijklmnopq":"jlktpkmrnheixkxvqgblxzcuxfurchpivfafazspdmlyzaclilfonivltseteawklyoagbyphizzub"}`
	for _, s := range [][2]string{
		{bid, bid}, {bid, strings.Replace(bid, `"i2"`, `"i3"`, 1)}, {bid, strings.Replace(bid, `,"i2"`, ` ,"i2"`, 1)},
		{bid, strings.Replace(bid, `"i":1000,`, ``, 1)}, {bid, strings.Replace(bid, `"s":`, `"s" :`, 1)},
		{bid, bid[:60]}, {bid, bid[:len(bid)-1]}, {bid, bid + " "}, {bid, bid + "x"}, {bid, strings.Replace(bid, `"t"`, `"\u0074"`, 1)},
		{`{"i":1,"é":2,"abcdefghijklmnop":3}`, `{"i":1,"é":2,"abcdefghijklmnop":3}`},
		{`{"i":1,"é":2,"abcdefghijklmnop":3}`, `{"i":1,"é":2,"abcdefghijklmnop":}`},
		{`{"":1,"s":"a"}`, `{"":1,"s":"a"}`}, {`{"\u0069":1,"s":"a"}`, `{"i":1,"s":"a"}`}, {`{"i":1}`, `{"i":1,"i":2}`},
		{"{\"\xff\":1}", "{\"\xff\":1}"}, {`{"i":1,"s":"a"}`, `{"i":1,"s":"a\u0026b\tc"}`},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, before, line string) {
		var s Scanner
		walkCols(&s, []byte(before))
		walkCols(&s, []byte(before))
		var old baseline.Scanner
		got, want := walkCols(&s, []byte(line)), walk(&old, []byte(line))
		if got != want {
			t.Fatalf("after %q\n%q:\n NextCol  %s\n baseline %s", before, line, got, want)
		}
		// and again, with the order learned from line itself
		if got = walkCols(&s, []byte(line)); got != want {
			t.Fatalf("%q read twice:\n NextCol  %s\n baseline %s", line, got, want)
		}
	})
}

// walkExpect is walkCols in the shape of a generated decoder: after the
// value of a key of walkKeys, the key after it in walkKeys is tried with
// Ahead and TakeKey, and after the last one the end with End; NextCol
// reads whatever else comes. It renders what walk renders.
func walkExpect(s *Scanner, line []byte) string {
	names := make([]string, len(walkKeys.index))
	for k, i := range walkKeys.index {
		names[i] = k
	}
	var out strings.Builder
	s.Reset(line)
	for c, ok := s.NextCol(walkKeys); ok; c, ok = s.NextCol(walkKeys) {
	next:
		var k []byte
		if c < 0 {
			k = s.curKey()
		} else {
			k = []byte(names[c])
			if string(k) != string(s.curKey()) && !bytes.ContainsRune(line, '\\') {
				return fmt.Sprintf("key %q read as %d (%q)", s.curKey(), c, k)
			}
		}
		fmt.Fprintf(&out, "%q=", k)
		switch ch := byte(0); {
		case len(k) > 0 && k[0] == 'x':
			if !s.SkipNotNull() {
				out.WriteString("null ")
			} else {
				out.WriteByte(' ')
			}
		case s.ValueIsNull():
			out.WriteString("null ")
		default:
			if len(k) > 0 {
				ch = k[0]
			}
			switch ch {
			case 'i':
				fmt.Fprint(&out, s.Int64())
			case 'f':
				fmt.Fprint(&out, s.Float64())
			case 'b':
				fmt.Fprint(&out, s.Bool())
			case 's':
				fmt.Fprintf(&out, "%q", s.Str())
			case 't':
				fmt.Fprint(&out, s.Timestamp())
			default:
				s.Skip()
			}
			out.WriteByte(' ')
		}
		switch {
		case c < 0:
		case c+1 < len(names):
			if tok := `,"` + names[c+1] + `":`; names[c+1] != "é" && string(s.Ahead(len(tok))) == tok {
				s.TakeKey(len(tok))
				c++
				goto next
			}
		case s.End():
			fmt.Fprint(&out, "err=", s.Err())
			return out.String()
		}
	}
	fmt.Fprint(&out, "err=", s.Err())
	return out.String()
}

// FuzzExpectKeyMatchesBaseline checks that a decoder that tries the next
// column's key with Ahead and TakeKey (and the end with End), as
// generated decoders do, reads a line as NextKey over the byte-at-a-time
// baseline does: the values, and the same error at the same column.
func FuzzExpectKeyMatchesBaseline(f *testing.F) {
	row := `{"i":1000,"f":1.5,"b":true,"s":"channel-5965","t":1436918400000,"x":"https://www.nexmark.com/item.htm?query=1\u0026channel_id=1293418496","i2":7,"abcdefghijklmnop":3,"abcdefghijklmnopq":"abc"}`
	for _, s := range [][2]string{
		{row, row}, {row, strings.Replace(row, `,"f"`, ` ,"f"`, 1)}, {row, strings.Replace(row, `"f":`, `"f": `, 1)},
		{row, strings.Replace(row, `"f":1.5,`, ``, 1)}, {row, strings.Replace(row, `"b":`, `"b" :`, 1)},
		{row, strings.Replace(row, `"s":`, `"\u0073":`, 1)}, {row, strings.Replace(row, `,"t"`, `,"z":1,"t"`, 1)},
		{row, row[:40]}, {row, row[:len(row)-1]}, {row, row + " "}, {row, row + "x"}, {row, row + "}"},
		{row, strings.Replace(row, `"i2":7`, `"i2":null`, 1)}, {row, strings.Replace(row, `"f":1.5`, `"f":`, 1)},
		{row, strings.Replace(row, `,"b":true`, `,"b":true,"b":false`, 1)}, {row, strings.Replace(row, `"f":1.5,`, `"f":1.5`, 1)},
		{`{"i":1,"f":2}`, `{"i":1,"f":2,"é":3}`}, {`{"i":1}`, `{"i":1,"f"`}, {`{"i":1}`, `{"i":1,"f":`}, {`{"i":1}`, `{"i":1,`},
		{`{"é":1}`, `{"é":2}x`}, {`{"é":1}`, `{"é":2}}`}, {`{"é":1}`, `{"é":2} `}, {`{"é":1}`, `{"é":2,"i":1}`},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, before, line string) {
		var s Scanner
		walkExpect(&s, []byte(before))
		var old baseline.Scanner
		got, want := walkExpect(&s, []byte(line)), walk(&old, []byte(line))
		if got != want {
			t.Fatalf("after %q\n%q:\n expect   %s\n baseline %s", before, line, got, want)
		}
		if got = walkExpect(&s, []byte(line)); got != want {
			t.Fatalf("%q read twice:\n expect   %s\n baseline %s", line, got, want)
		}
	})
}

// FuzzBadTextMatchesInvalidText checks that a line the Scanner reads
// without error has BadText exactly when InvalidText(line), the check
// the job ran over every record before decoding: whether its strings
// are read (Str, keys, Timestamp) or skipped (Skip, SkipNotNull, values
// of keys no decoder reads), through NextKey and through NextCol.
func FuzzBadTextMatchesInvalidText(f *testing.F) {
	for _, s := range []string{
		tradeLine, `{"s":"\ud800","x":"a"}`, `{"x":"\ud83d\ude00","s":"\uDC00"}`, `{"s":"\ufffd","x":"\uFFFD"}`,
		"{\"s\":\"\xff\",\"x\":1}", "{\"x\":\"abcdefghijklmnopqrstuvwxyz0123456789\xe2\x82\",\"s\":\"\xc3\xa9\"}",
		"{\"\xff\":1,\"x\":[\"\xfe\",{\"\\ud800\":2}]}", `{"t":"2024-01-02T03:04:05Z","x":{"a":"\ud800\u0041"}}`,
		"{\"s\":\"\xe2\x82\xac\xf0\x9f\x98\x80\",\"x\":\"\\\\ud800\"}", `{"i":1,"x":"abc\u0026def","f":2.5}`,
		`{"x":"\uD7FF\ud7ff\uDbFf\uE000"}`, `{"x":"\ud800\u0026"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		want := InvalidText([]byte(line))
		var s Scanner
		walk(&s, []byte(line))
		if s.Err() == nil && s.BadText() != want {
			t.Fatalf("%q: walk: BadText %v, InvalidText %v", line, s.BadText(), want)
		}
		for range 2 { // the second time with the key order learned
			walkCols(&s, []byte(line))
			if s.Err() == nil && s.BadText() != want {
				t.Fatalf("%q: walkCols: BadText %v, InvalidText %v", line, s.BadText(), want)
			}
		}
	})
}
