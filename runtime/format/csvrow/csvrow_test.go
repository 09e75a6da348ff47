package csvrow

import (
	"encoding/csv"
	"errors"
	"math"
	"strings"
	"testing"
)

// render shows fields with their quoted flags: a, "b", and ∅ for NULL.
func render(s *Splitter, fields [][]byte) string {
	out := make([]string, len(fields))
	for i, f := range fields {
		switch {
		case s.Quoted(i):
			out[i] = `"` + string(f) + `"`
		case len(f) == 0:
			out[i] = "∅"
		default:
			out[i] = string(f)
		}
	}
	return strings.Join(out, "|")
}

func TestSplit(t *testing.T) {
	tests := []struct{ line, want string }{
		{``, `∅`},
		{`a`, `a`},
		{`a,b,c`, `a|b|c`},
		{`a,,c`, `a|∅|c`},
		{`,`, `∅|∅`},
		{`a,`, `a|∅`},
		{`"",x`, `""|x`},
		{`"a,b",c`, `"a,b"|c`},
		{`"say ""hi""",2`, `"say "hi""|2`},
		{`""""`, `"""`},
		{`"a""b""c","d""e"`, `"a"b"c"|"d"e"`},
		{`x,"multi word",y`, `x|"multi word"|y`},
		{` a , b `, ` a | b `},
		{"a,b\n", `a|b`},
		{"a,b\r\n", `a|b`},
		{"a,\"b\"\r\n", `a|"b"`},
		{`AAPL,187.25,100,2024-01-02T03:04:05Z`, `AAPL|187.25|100|2024-01-02T03:04:05Z`},
	}
	var s Splitter
	for _, tt := range tests {
		fields, err := s.Split([]byte(tt.line))
		if err != nil {
			t.Errorf("Split(%q): %v", tt.line, err)
			continue
		}
		if got := render(&s, fields); got != tt.want {
			t.Errorf("Split(%q) = %s, want %s", tt.line, got, tt.want)
		}
	}
	if s.Quoted(-1) || s.Quoted(100) {
		t.Error("Quoted out of range returned true")
	}
}

func TestSplitErrors(t *testing.T) {
	tests := []struct{ line, want string }{
		{`a"b`, `column 2 (field 1): stray '"' in an unquoted field`},
		{`x,ab"`, `column 5 (field 2): stray '"' in an unquoted field`},
		{` "a"`, `column 2 (field 1): stray '"' in an unquoted field`},
		{`"abc`, `column 1 (field 1): unterminated quoted field`},
		{`a,"b""`, `column 3 (field 2): unterminated quoted field`},
		{`"a"b`, `column 4 (field 1): expected ',' after the closing quote`},
		{`"a" ,b`, `column 4 (field 1): expected ',' after the closing quote`},
	}
	var s Splitter
	for _, tt := range tests {
		fields, err := s.Split([]byte(tt.line))
		if err == nil {
			t.Errorf("Split(%q) = %q, want an error", tt.line, fields)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Split(%q):\n got %s\nwant %s", tt.line, err, tt.want)
		}
	}
}

func TestSplitFieldsSurviveLaterFields(t *testing.T) {
	// Many escaped fields force the unescape buffer to grow mid-line; the
	// earlier fields must keep their content.
	var s Splitter
	line := strings.Repeat(`"a""b",`, 100) + `"x""y"`
	fields, err := s.Split([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range fields[:100] {
		if string(f) != `a"b` {
			t.Fatalf("field %d = %q", i, f)
		}
	}
	if string(fields[100]) != `x"y` {
		t.Fatalf("last field = %q", fields[100])
	}
}

func TestSplitNoAllocations(t *testing.T) {
	var s Splitter
	lines := [][]byte{[]byte(tradeLine), []byte(`"a ""quoted"" name",,"",1`)}
	allocs := testing.AllocsPerRun(100, func() {
		for _, line := range lines {
			if _, err := s.Split(line); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("Split allocated %v times per run", allocs)
	}
}

func TestParsers(t *testing.T) {
	ints := []struct {
		in   string
		want int64
		err  string
	}{
		{"42", 42, ""},
		{"-9223372036854775808", math.MinInt64, ""},
		{"+7", 7, ""},
		{"5.0", 5, ""},
		{"1e3", 1000, ""},
		{"5.5", 0, `expected an integer, found "5.5"`},
		{"", 0, `expected an integer, found ""`},
		{" 1", 0, `expected an integer, found " 1"`},
		{"9223372036854775808", 0, `number out of range for an integer: "9223372036854775808"`},
	}
	for _, tt := range ints {
		got, err := ParseInt64([]byte(tt.in))
		if got != tt.want || errString(err) != tt.err {
			t.Errorf("ParseInt64(%q) = %d, %v; want %d, %s", tt.in, got, err, tt.want, tt.err)
		}
	}

	floats := []struct {
		in   string
		want float64
		err  string
	}{
		{"187.25", 187.25, ""},
		{"-1e-3", -0.001, ""},
		{"inf", math.Inf(1), ""},
		{"abc", 0, `expected a number, found "abc"`},
		{"1e999", 0, `number out of range for a number: "1e999"`},
		{strings.Repeat("9", 50) + "x", 0, `expected a number, found "` + strings.Repeat("9", 40) + `"...`},
	}
	for _, tt := range floats {
		got, err := ParseFloat64([]byte(tt.in))
		if got != tt.want || errString(err) != tt.err {
			t.Errorf("ParseFloat64(%q) = %v, %v; want %v, %s", tt.in, got, err, tt.want, tt.err)
		}
	}

	bools := []struct {
		in   string
		want bool
		err  string
	}{
		{"true", true, ""}, {"TRUE", true, ""}, {"t", true, ""}, {"T", true, ""}, {"1", true, ""},
		{"false", false, ""}, {"False", false, ""}, {"f", false, ""}, {"0", false, ""},
		{"yes", false, `expected a boolean, found "yes"`},
		{"", false, `expected a boolean, found ""`},
		{"10", false, `expected a boolean, found "10"`},
	}
	for _, tt := range bools {
		got, err := ParseBool([]byte(tt.in))
		if got != tt.want || errString(err) != tt.err {
			t.Errorf("ParseBool(%q) = %v, %v; want %v, %s", tt.in, got, err, tt.want, tt.err)
		}
	}

	stamps := []struct {
		in   string
		want int64
		err  string
	}{
		{"2024-01-02T03:04:05.5Z", 1704164645500000, ""},
		{"2024-01-02 03:04:05.5", 1704164645500000, ""},
		{"1704164645500", 1704164645500000, ""},
		{"-1", -1000, ""},
		{"0", 0, ""},
		{"9223372036854775807", 0, `timestamp out of range: "9223372036854775807"`},
		{"99999999999999999999", 0, `number out of range for a timestamp: "99999999999999999999"`},
		{"2024-02-30", 0, `invalid timestamp "2024-02-30": day 30 out of range for the month`},
		{"", 0, `invalid timestamp "": expected YYYY-MM-DD`},
	}
	for _, tt := range stamps {
		got, err := ParseTimestamp([]byte(tt.in))
		if got != tt.want || errString(err) != tt.err {
			t.Errorf("ParseTimestamp(%q) = %v, %v; want %v, %s", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestParsersNoAllocations(t *testing.T) {
	i, f, b, ts := []byte("300"), []byte("187.25"), []byte("TRUE"), []byte("2024-01-02T03:04:05.123Z")
	allocs := testing.AllocsPerRun(100, func() {
		ParseInt64(i)
		ParseFloat64(f)
		ParseBool(b)
		ParseTimestamp(ts)
		ParseTimestamp(i)
	})
	if allocs != 0 {
		t.Errorf("parsers allocated %v times per run", allocs)
	}
}

// FuzzSplit compares Split with encoding/csv on single lines.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{tradeLine, `a,"b""c",,""`, `"a`, `a"b`, `"a"b`, `,`, `"x,y",z,`, "\"two\nlines\",x", "a,\"\n\"\"\n\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var s Splitter
		fields, err := s.Split([]byte(line))
		if line == "" || strings.Contains(line, "\r") || !newlinesQuoted(line) {
			return // encoding/csv reads these as several or no records
		}
		r := csv.NewReader(strings.NewReader(line))
		r.FieldsPerRecord = -1
		want, werr := r.Read()
		if (err == nil) != (werr == nil) {
			t.Fatalf("Split(%q) error %v; encoding/csv error %v", line, err, werr)
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Column < 1 || se.Column > len(line) {
				t.Fatalf("Split(%q): bad error %v", line, err)
			}
			return
		}
		if len(fields) != len(want) {
			t.Fatalf("Split(%q) = %q, encoding/csv %q", line, fields, want)
		}
		for i := range want {
			if string(fields[i]) != want[i] {
				t.Fatalf("Split(%q) = %q, encoding/csv %q", line, fields, want)
			}
			if s.Quoted(i) != (len(line) > 0 && fieldStartsQuoted(line, i)) {
				t.Fatalf("Split(%q): Quoted(%d) = %v", line, i, s.Quoted(i))
			}
		}
	})
}

// newlinesQuoted reports whether every newline of line is inside quotes,
// as in a record the source cut (RFC 4180: such a newline is data).
func newlinesQuoted(line string) bool {
	quotes := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			quotes++
		case '\n':
			if quotes%2 == 0 {
				return false
			}
		}
	}
	return true
}

// fieldStartsQuoted re-derives whether field i was quoted by splitting the
// raw line by hand: outside quotes, commas separate fields.
func fieldStartsQuoted(line string, i int) bool {
	inQuotes, field, atStart := false, 0, true
	for j := 0; j < len(line); j++ {
		c := line[j]
		if atStart && field == i {
			return c == '"'
		}
		atStart = false
		switch {
		case c == '"':
			inQuotes = !inQuotes
		case c == ',' && !inQuotes:
			field++
			atStart = true
		}
	}
	return false
}

func FuzzParsers(f *testing.F) {
	for _, s := range []string{"1", "-1.5e3", "true", "2024-01-02T03:04:05Z", "1704164645500", "nan", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		ParseInt64(b)
		ParseFloat64(b)
		ParseBool(b)
		ParseTimestamp(b)
	})
}

const tradeLine = `AAPL,187.25,300,2024-01-02T03:04:05.123Z,NASDAQ`

func BenchmarkSplitAndParse(b *testing.B) {
	var s Splitter
	line := []byte(tradeLine)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		fields, err := s.Split(line)
		if err != nil || len(fields) != 5 {
			b.Fatal(err)
		}
		if _, err := ParseFloat64(fields[1]); err != nil {
			b.Fatal(err)
		}
		if _, err := ParseInt64(fields[2]); err != nil {
			b.Fatal(err)
		}
		if _, err := ParseTimestamp(fields[3]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSplit(b *testing.B) {
	var s Splitter
	line := []byte(`AAPL,"Apple, Inc.",187.25,300,"say ""hi""",2024-01-02T03:04:05.123Z`)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Split(line); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSplitEncodingCSV is the baseline Split replaces.
func BenchmarkSplitEncodingCSV(b *testing.B) {
	line := `AAPL,"Apple, Inc.",187.25,300,"say ""hi""",2024-01-02T03:04:05.123Z`
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		r := csv.NewReader(strings.NewReader(line))
		r.ReuseRecord = true
		if _, err := r.Read(); err != nil {
			b.Fatal(err)
		}
	}
}

// bidLine is a Nexmark bid as CSV: short numbers, a URL and a long padding field.
const bidLine = `1000,1007,9663083,channel-5965,https://www.nexmark.com/wph/hbm/oku_/item.htm?query=1&channel_id=1293418496,1436918400000,jlktpkmrnheixkxvqgblxzcuxfurchpivfafazspdmlyzaclilfonivltseteawklyoagbyphizzub`

func BenchmarkSplitBid(b *testing.B) {
	var s Splitter
	line := []byte(bidLine)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if f, err := s.Split(line); err != nil || len(f) != 7 {
			b.Fatal(err)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	if v, err := ParseDecimal([]byte("-12.345"), 6, 2); err != nil || v != -1235 {
		t.Errorf("got %d, %v", v, err)
	}
	if _, err := ParseDecimal([]byte("12345"), 6, 2); err == nil || !strings.Contains(err.Error(), "out of range for DECIMAL(6,2)") {
		t.Errorf("range: %v", err)
	}
	if _, err := ParseDecimal([]byte("x"), 6, 2); err == nil || !strings.Contains(err.Error(), "expected a number") {
		t.Errorf("syntax: %v", err)
	}
}
