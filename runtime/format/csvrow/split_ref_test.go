package csvrow

import (
	"bytes"
	"errors"
	"testing"

	"github.com/laminar-sql/laminar/runtime/format/internal/num"
	"github.com/laminar-sql/laminar/runtime/timestamp"
)

// splitRef is Split as it was before the no-quote fast path (splitPlain):
// a field at a time, bytes.IndexByte for the comma and for a stray quote.
func (s *Splitter) splitRef(line []byte) (fields [][]byte, err error) {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n > 1 && line[n-2] == '\r' {
			line = line[:n-2]
		}
	}
	s.fields = s.fields[:0]
	s.quoted = s.quoted[:0]
	s.unescape = s.unescape[:0]
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
		i++
	}
}

// FuzzSplitAgreesWithReference checks Split against splitRef on any line:
// the same fields, the same Quoted answers (also past the last field), the
// same error (column, field, message). Lines of commas, bytes near ','
// (0x2b, 0x2d, 0xac) and lengths around multiples of 8 are the seeds.
func FuzzSplitAgreesWithReference(f *testing.F) {
	for _, s := range []string{"", ",", ",,,,,,,,", "a,b,c,d,e,f,g,h,i", "-,+,-,\xac,\xad", "1000,1007,9663083,channel-5965,https://x/y?q=1&c=2,1436918400000,jlktp",
		"1234567,", "12345678,", "123456789,", `a,"b""c",,""`, `a"b`, "\"x\ny\",z\r\n", "x,y\n", ",,\r\n",
		"0123456789abcde,0123456789abcde,", "0123456789abcdef,0123456789abcdef", ",,,,,,,,,,,,,,,,,", "0123456789abcdef,012\"4,x", "0123456789abcdef,\"x\"\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var s, r Splitter
		got, err := s.Split([]byte(line))
		want, werr := r.splitRef([]byte(line))
		if (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) {
			t.Fatalf("Split(%q) error %v; reference %v", line, err, werr)
		}
		if err != nil {
			var a, b *SyntaxError
			if !errors.As(err, &a) || !errors.As(werr, &b) || *a != *b {
				t.Fatalf("Split(%q) error %#v; reference %#v", line, err, werr)
			}
			return
		}
		if len(got) != len(want) {
			t.Fatalf("Split(%q) = %q; reference %q", line, got, want)
		}
		for i := -1; i <= len(want); i++ {
			if i >= 0 && i < len(want) && (string(got[i]) != string(want[i]) || cap(got[i]) != len(got[i])) {
				t.Fatalf("Split(%q) = %q; reference %q", line, got, want)
			}
			if s.Quoted(i) != r.Quoted(i) {
				t.Fatalf("Split(%q): Quoted(%d) = %v; reference %v", line, i, s.Quoted(i), r.Quoted(i))
			}
		}
	})
}

// BenchmarkSplitBidReference is BenchmarkSplitBid through splitRef: the
// split before the no-quote fast path, for a before/after in one run.
func BenchmarkSplitBidReference(b *testing.B) {
	var s Splitter
	line := []byte(bidLine)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if f, err := s.splitRef(line); err != nil || len(f) != 7 {
			b.Fatal(err)
		}
	}
}

// parseTimestampRef is ParseTimestamp as it was before num.Integer: the
// integer check, then num.ParseInt64.
func parseTimestampRef(b []byte) (int64, error) {
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

// parseInt64Ref is ParseInt64 as it was before num.Integer.
func parseInt64Ref(b []byte) (int64, error) {
	v, err := num.ParseInt64(b)
	if err != nil {
		return 0, valueError(err, "an integer", b)
	}
	return v, nil
}

// FuzzParsersAgreeWithReference: ParseTimestamp and ParseInt64 give the
// same value or the same error as parseTimestampRef and parseInt64Ref; the
// seeds sit around 8, 16, 18 and 19 digits and
// the millisecond range's ends.
func FuzzParsersAgreeWithReference(f *testing.F) {
	for _, s := range []string{"", "-", "0", "-0", "1436918400000", "-1436918400000", "12345678", "1234567a", "123456789012345678",
		"1234567890123456789", "9223372036854775807", "-9223372036854775808", "9223372036854", "-9223372036855", "+5", "5.0",
		"2024-01-02T03:04:05Z", "00000000000000001000", "--1", "1e3", "-5.0", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTimestamp([]byte(s))
		want, werr := parseTimestampRef([]byte(s))
		if got != want || (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) {
			t.Fatalf("ParseTimestamp(%q) = %d, %v; reference %d, %v", s, got, err, want, werr)
		}
		got, err = ParseInt64([]byte(s))
		want, werr = parseInt64Ref([]byte(s))
		if got != want || (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) {
			t.Fatalf("ParseInt64(%q) = %d, %v; reference %d, %v", s, got, err, want, werr)
		}
	})
}
