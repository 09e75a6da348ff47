package jsonl

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// marshalString is encoding/json's encoding of s without HTML escaping.
func marshalString(t testing.TB, s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// replaceInvalid replaces each byte of invalid UTF-8 by U+FFFD, as the
// encoder promises.
func replaceInvalid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r)
		i += size
	}
	return b.String()
}

func TestAppendString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"<a&b>", `"<a&b>"`},
		{"\n\r\t\b\f", `"\n\r\t\b\f"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f" + `"`},
		{"é€😀", `"é€😀"`},
		{"a\xffb", `"a\ufffdb"`},
		{"\xe2\x82", `"\ufffd\ufffd"`},
		{"\u2028\u2029", `"\u2028\u2029"`},
	}
	for _, tt := range tests {
		if got := string(AppendString([]byte("x"), tt.in)); got != "x"+tt.want {
			t.Errorf("AppendString(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if got := string(AppendBytesString(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("AppendBytesString(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestAppendStringRandom compares with encoding/json for random strings
// made of the bytes that matter: ASCII, escapes, multi-byte and invalid UTF-8.
func TestAppendStringRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"a", "Z", " ", `"`, `\`, "\n", "\x00", "\x1f", "\x7f", "<", "é", "€", "😀",
		"\u2028", "\xff", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80"}
	for i := 0; i < 20_000; i++ {
		var b strings.Builder
		for n := rng.IntN(12); n > 0; n-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		got := AppendString(nil, s)
		if want := marshalString(t, s); string(got) != want {
			t.Fatalf("AppendString(%q) = %s, encoding/json %s", s, got, want)
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != replaceInvalid(s) {
			t.Fatalf("AppendString(%q) = %s decodes to %q, %v", s, got, back, err)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "abc", "a\"\\\n\x00", "é\xff\u2029😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := AppendString(nil, s)
		if want := marshalString(t, s); string(got) != want {
			t.Fatalf("AppendString(%q) = %s, encoding/json %s", s, got, want)
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != replaceInvalid(s) {
			t.Fatalf("AppendString(%q) = %s decodes to %q, %v", s, got, back, err)
		}
	})
}

func TestAppendFloat(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{3, "3"},
		{0.5, "0.5"},
		{187.25, "187.25"},
		{0.30000000000000004, "0.30000000000000004"},
		{1e20, "100000000000000000000"},
		{1e21, "1e+21"},
		{1e-6, "0.000001"},
		{1e-7, "1e-7"},
		{-1.5e-300, "-1.5e-300"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{5e-324, "5e-324"},
		{math.NaN(), `"NaN"`},
		{math.Inf(1), `"Infinity"`},
		{math.Inf(-1), `"-Infinity"`},
	}
	for _, tt := range tests {
		if got := string(AppendFloat(nil, tt.in)); got != tt.want {
			t.Errorf("AppendFloat(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 20_000; i++ {
		f := math.Float64frombits(rng.Uint64())
		if i%2 == 0 {
			f = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(60)-30))
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		got := AppendFloat(nil, f)
		want, _ := json.Marshal(f)
		if string(got) != string(want) {
			t.Fatalf("AppendFloat(%v) = %s, encoding/json %s", f, got, want)
		}
	}
}

func TestAppendScalars(t *testing.T) {
	var b []byte
	b = AppendInt(b, -42)
	b = append(b, ',')
	b = AppendInt(b, math.MinInt64)
	b = append(b, ',')
	b = AppendBool(b, true)
	b = append(b, ',')
	b = AppendBool(b, false)
	b = append(b, ',')
	b = AppendNull(b)
	b = append(b, ',')
	b = AppendTimestamp(b, 1704164645500000)
	b = append(b, ',')
	b = AppendTimestamp(b, -1)
	want := `-42,-9223372036854775808,true,false,null,"2024-01-02T03:04:05.5Z","1969-12-31T23:59:59.999999Z"`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

type outRow struct {
	symbol      string
	windowStart int64
	vwap        float64
	count       int64
	closed      bool
}

func appendRow(dst []byte, r *outRow) []byte {
	dst = append(dst, `{"symbol":`...)
	dst = AppendString(dst, r.symbol)
	dst = append(dst, `,"window_start":`...)
	dst = AppendTimestamp(dst, r.windowStart)
	dst = append(dst, `,"vwap":`...)
	dst = AppendFloat(dst, r.vwap)
	dst = append(dst, `,"n":`...)
	dst = AppendInt(dst, r.count)
	dst = append(dst, `,"closed":`...)
	dst = AppendBool(dst, r.closed)
	return append(dst, '}', '\n')
}

var sampleRow = outRow{symbol: "AAPL", windowStart: 1704164640000000, vwap: 187.2512345, count: 1234, closed: true}

func TestAppendRowNoAllocations(t *testing.T) {
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		buf = appendRow(buf[:0], &sampleRow)
		buf = AppendBytesString(buf, []byte("x\ny\xff"))
	})
	if allocs != 0 {
		t.Errorf("appending allocated %v times per run", allocs)
	}
	want := `{"symbol":"AAPL","window_start":"2024-01-02T03:04:00Z","vwap":187.2512345,"n":1234,"closed":true}` + "\n"
	if got := string(appendRow(nil, &sampleRow)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func BenchmarkAppendRow(b *testing.B) {
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = appendRow(buf[:0], &sampleRow)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkAppendString(b *testing.B) {
	for _, tc := range []struct{ name, s string }{
		{"escapes", "a moderately long string with \"quotes\" and\ttabs, é"},
		{"url", "https://www.nexmark.com/wph/hbm/oku_/item.htm?query=1&channel_id=1293418496"},
	} {
		for _, f := range []struct {
			name   string
			append func([]byte, string) []byte
		}{{"new", AppendString}, {"baseline", appendStringBaseline}} {
			b.Run(tc.name+"/"+f.name, func(b *testing.B) {
				buf := make([]byte, 0, 256)
				b.SetBytes(int64(len(tc.s)))
				b.ReportAllocs()
				for b.Loop() {
					buf = f.append(buf[:0], tc.s)
				}
			})
		}
	}
}

func TestAppendStringMatchesBaseline(t *testing.T) {
	for _, s := range []string{"", "plain ascii text, longer than a word", "tab\there and \"quotes\" \\ é \u2028 \u2029",
		"\x00\x01\x1f\x7f", "bad \xff utf-8 \xed\xa0\x80 surrogate", "12345678\n12345678é12345678\"", "1234567\xe2\x80\xa8"} {
		if got, want := string(AppendString(nil, s)), string(appendStringBaseline(nil, s)); got != want {
			t.Errorf("AppendString(%q) = %s, baseline %s", s, got, want)
		}
	}
}

// appendStringBaseline is AppendString as it was, a byte at a time: the
// baseline of BenchmarkAppendString.
func appendStringBaseline(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
