package jsonl

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// scanAs reads line with the reader kinds[key] names ("int", "float",
// "bool", "str", "ts"; anything else skips), trying ValueIsNull first, and
// renders what it saw as "key=value" pairs.
func scanAs(line string, kinds map[string]string) (string, error) {
	var s Scanner
	var out []string
	s.Reset([]byte(line))
	for k, ok := s.NextKey(); ok; k, ok = s.NextKey() {
		key := string(k)
		if s.ValueIsNull() {
			out = append(out, key+"=null")
			continue
		}
		var v string
		switch kinds[key] {
		case "int":
			v = strconv.FormatInt(s.Int64(), 10)
		case "float":
			v = strconv.FormatFloat(s.Float64(), 'g', -1, 64)
		case "bool":
			v = strconv.FormatBool(s.Bool())
		case "str":
			v = strconv.QuoteToASCII(string(s.Str()))
		case "ts":
			v = time.UnixMicro(s.Timestamp()).UTC().Format(time.RFC3339Nano)
		default:
			s.Skip()
			v = "skipped"
		}
		out = append(out, key+"="+v)
	}
	return strings.Join(out, " "), s.Err()
}

var tradeKinds = map[string]string{
	"symbol": "str", "price": "float", "volume": "int", "ts": "ts", "ok": "bool",
}

func TestScannerValid(t *testing.T) {
	tests := []struct {
		line string
		want string
	}{
		{`{}`, ``},
		{"  \t{ }\r\n", ``},
		{`{"symbol":"AAPL","price":187.25,"volume":100,"ts":"2024-01-02T03:04:05.5Z","ok":true}`,
			`symbol="AAPL" price=187.25 volume=100 ts=2024-01-02T03:04:05.5Z ok=true`},
		{` { "symbol" : "A" , "price" : -1e2 , "volume" : 5.0 } `, `symbol="A" price=-100 volume=5`},
		{`{"volume":1e3,"price":0,"ok":false}`, `volume=1000 price=0 ok=false`},
		{`{"volume":-9223372036854775808}`, `volume=-9223372036854775808`},
		{`{"volume":9223372036854775807}`, `volume=9223372036854775807`},
		{`{"symbol":null,"price":null,"volume":null,"ts":null,"ok":null}`,
			`symbol=null price=null volume=null ts=null ok=null`},
		{`{"ts":1704164645500}`, `ts=2024-01-02T03:04:05.5Z`},
		{`{"ts":-1}`, `ts=1969-12-31T23:59:59.999Z`},
		{`{"ts":"2024-01-02 03:04:05+01:00"}`, `ts=2024-01-02T02:04:05Z`},
		{`{"ts":"2024-01-02"}`, `ts=2024-01-02T00:00:00Z`},
		{`{"symbol":"a\"b\\c\/d\be\ff\ng\rh\ti"}`, `symbol="a\"b\\c/d\be\ff\ng\rh\ti"`},
		{`{"symbol":"\u00e9\u20AC\ud83d\ude00"}`, `symbol="\u00e9\u20ac\U0001f600"`},
		{`{"symbol":"\ud83d"}`, `symbol="\ufffd"`},
		{`{"symbol":"\ud83dx"}`, `symbol="\ufffdx"`},
		{`{"symbol":"\ud83d\u0041"}`, `symbol="\ufffdA"`},
		{`{"symbol":"\ude00"}`, `symbol="\ufffd"`},
		{"{\"symbol\":\"a\xffb\"}", `symbol="a\ufffdb"`},
		{`{"symbol":"héllo"}`, `symbol="h\u00e9llo"`},
		{`{"sym\u0062ol":"x"}`, `symbol="x"`},
		{`{"other":{"a":[1,{"b":null},"x\"]"],"c":{}},"symbol":"s"}`, `other=skipped symbol="s"`},
		{`{"other":[],"o2":[[[]]],"o3":"str","o4":-0.5e-3,"o5":true,"o6":false}`,
			`other=skipped o2=skipped o3=skipped o4=skipped o5=skipped o6=skipped`},
		{`{"symbol":"a","symbol":"b"}`, `symbol="a" symbol="b"`},
		{`{"price":1e-400}`, `price=0`},
		{`{"price":5e-324}`, `price=5e-324`},
	}
	for _, tt := range tests {
		got, err := scanAs(tt.line, tradeKinds)
		if err != nil {
			t.Errorf("%s: %v", tt.line, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.line, got, tt.want)
		}
	}
}

func TestScannerErrors(t *testing.T) {
	tests := []struct {
		line string
		want string
	}{
		{``, `column 1: expected '{', found the end of the line`},
		{`   `, `column 4: expected '{', found the end of the line`},
		{`[1,2]`, `column 1: expected '{', found an array`},
		{`"abc"`, `column 1: expected '{', found "abc"`},
		{`{`, `column 2: expected a key or '}', found the end of the line`},
		{`{"symbol"`, `column 10: key "symbol": expected ':' after the key, found the end of the line`},
		{`{"symbol":`, `column 11: key "symbol": expected a value, found the end of the line`},
		{`{"symbol":"AAPL"`, `column 17: expected ',' or '}', found the end of the line`},
		{`{"symbol":"AAPL",`, `column 18: expected a key, found the end of the line`},
		{`{"symbol":"AAPL",}`, `column 18: expected a key, found '}'`},
		{`{"symbol":"AAPL" "price":1}`, `column 18: expected ',' or '}', found "price"`},
		{`{symbol:1}`, `column 2: expected a key or '}', found 'symbol'`},
		{`{"symbol":"AAPL"} x`, `column 19: expected the end of the line after the object, found 'x'`},
		{`{"symbol":"AAPL"}{}`, `column 18: expected the end of the line after the object, found an object`},
		{`{"symbol":"AA`, `column 11: key "symbol": unterminated string`},
		{`{"sym`, `column 2: unterminated string`},
		{"{\"symbol\":\"a\tb\"}", `column 13: key "symbol": control character in a string`},
		{`{"symbol":"a\x"}`, `column 13: key "symbol": invalid escape in a string, found '\x'`},
		{`{"symbol":"a\u12"}`, `column 13: key "symbol": invalid escape in a string, found '\u12'`},
		{`{"symbol":1}`, `column 11: key "symbol": expected a string, found '1'`},
		{`{"price": "abc"}`, `column 11: key "price": expected a number, found "abc"`},
		{`{"price":-}`, `column 10: key "price": expected a number, found '-'`},
		{`{"price":01}`, `column 11: expected ',' or '}', found '1'`},
		{`{"price":1.}`, `column 10: key "price": expected a number, found '1.'`},
		{`{"price":.5}`, `column 10: key "price": expected a number, found '.5'`},
		{`{"price":+1}`, `column 10: key "price": expected a number, found '+1'`},
		{`{"price":NaN}`, `column 10: key "price": expected a number, found 'NaN'`},
		{`{"price":1e400}`, `column 10: key "price": number out of range for a number: '1e400'`},
		{`{"price":{"a":1}}`, `column 10: key "price": expected a number, found an object`},
		{`{"volume":5.5}`, `column 11: key "volume": expected an integer, found '5.5'`},
		{`{"volume":"5"}`, `column 11: key "volume": expected an integer, found "5"`},
		{`{"volume":9223372036854775808}`, `column 11: key "volume": number out of range for an integer: '9223372036854775808'`},
		{`{"volume":1e19}`, `column 11: key "volume": number out of range for an integer: '1e19'`},
		{`{"ok":1}`, `column 7: key "ok": expected true or false, found '1'`},
		{`{"ok":tru}`, `column 7: key "ok": expected true or false, found 'tru'`},
		{`{"ok":nul}`, `column 7: key "ok": expected true or false, found 'nul'`},
		{`{"ts":"2024-13-01"}`, `column 7: key "ts": invalid timestamp "2024-13-01": month 13 out of range`},
		{`{"ts":"yesterday"}`, `column 7: key "ts": invalid timestamp "yesterday": expected YYYY-MM-DD`},
		{`{"ts":1.5}`, `column 7: key "ts": expected a timestamp in integer milliseconds, found '1.5'`},
		{`{"ts":9223372036854775807}`, `column 7: key "ts": timestamp out of range: '9223372036854775807'`},
		{`{"ts":true}`, `column 7: key "ts": expected a timestamp (a string or epoch milliseconds), found 'true'`},
		{`{"x":[1,2}`, `column 10: key "x": expected ',' or ']', found '}'`},
		{`{"x":{"a" 1}}`, `column 11: key "x": expected ':' in a nested object, found '1'`},
		{`{"x":{1:2}}`, `column 7: key "x": expected a key in a nested object, found '1'`},
		{`{"x":[1,]}`, `column 9: key "x": expected a value, found ']'`},
		{`{"x":[`, `column 7: key "x": expected a value, found the end of the line`},
		{`{"x":@}`, `column 6: key "x": expected a value, found '@'`},
		{"{\"x\":\x01}", `column 6: key "x": expected a value, found "\x01"`},
		{`{"price":"` + strings.Repeat("y", 100) + `"}`,
			`column 10: key "price": expected a number, found "` + strings.Repeat("y", 39) + `...`},
		{`{"` + strings.Repeat("k", 100) + `":x}`,
			`column 105: key "` + strings.Repeat("k", 40) + `...": expected a value, found 'x'`},
		{`{"x":` + strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting) + `}`,
			`column ` + strconv.Itoa(6+maxNesting-1) + `: key "x": values nested too deeply`},
	}
	for _, tt := range tests {
		_, err := scanAs(tt.line, tradeKinds)
		if err == nil {
			t.Errorf("%.60s: no error, want %s", tt.line, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("%.60s:\n got %s\nwant %s", tt.line, err, tt.want)
		}
	}
}

func TestScannerStickyError(t *testing.T) {
	var s Scanner
	s.Reset([]byte(`{"a":"x","b":2,"c":3}`))
	if k, ok := s.NextKey(); !ok || string(k) != "a" {
		t.Fatalf("NextKey = %q, %v", k, ok)
	}
	if v := s.Int64(); v != 0 || s.Err() == nil {
		t.Fatalf("Int64 on a string = %d, err %v", v, s.Err())
	}
	first := s.Err()
	if k, ok := s.NextKey(); ok {
		t.Fatalf("NextKey after an error = %q, true", k)
	}
	if s.Float64() != 0 || s.Str() != nil || s.Bool() || s.ValueIsNull() || s.Timestamp() != 0 {
		t.Fatal("readers after an error returned non-zero values")
	}
	s.Skip()
	if s.Err() != first {
		t.Fatalf("error changed to %v", s.Err())
	}
	// Reset clears it.
	s.Reset([]byte(`{"a":1}`))
	if k, ok := s.NextKey(); !ok || string(k) != "a" || s.Int64() != 1 {
		t.Fatal("Reset did not clear the error")
	}
	if _, ok := s.NextKey(); ok || s.Err() != nil {
		t.Fatalf("end: ok=%v err=%v", ok, s.Err())
	}
}

func TestScannerUnconsumedValueIsSkipped(t *testing.T) {
	var s Scanner
	s.Reset([]byte(`{"a":{"x":[1]},"b":2}`))
	s.NextKey()
	k, ok := s.NextKey()
	if !ok || string(k) != "b" || s.Int64() != 2 {
		t.Fatalf("got %q %v", k, ok)
	}
	// ValueIsNull on a non-null value consumes nothing.
	s.Reset([]byte(`{"a":7}`))
	s.NextKey()
	if s.ValueIsNull() || s.Int64() != 7 {
		t.Fatal("ValueIsNull consumed a non-null value")
	}
}

func TestScannerMisuse(t *testing.T) {
	var s Scanner
	if s.Int64() != 0 || s.Err() == nil {
		t.Fatalf("Int64 before Reset: err %v", s.Err())
	}
	s.Reset([]byte(`{"a":1}`))
	if s.Int64() != 0 || s.Err() == nil || !strings.Contains(s.Err().Error(), "without NextKey") {
		t.Fatalf("Int64 before NextKey: err %v", s.Err())
	}
}

func TestScannerStrAliasesLineWithoutEscapes(t *testing.T) {
	var s Scanner
	line := []byte(`{"k":"plain"}`)
	s.Reset(line)
	k, _ := s.NextKey()
	v := s.Str()
	if &k[0] != &line[2] || &v[0] != &line[6] {
		t.Error("key or value without escapes was copied")
	}
}

const tradeLine = `{"symbol":"AAPL","price":187.25,"volume":300,"ts":"2024-01-02T03:04:05.123Z","exchange":"NASDAQ"}`

type trade struct {
	symbol, exchange string
	price            float64
	priceValid       bool
	volume           int64
	ts               int64
}

func scanTrade(s *Scanner, in *Interner, line []byte, r *trade) error {
	s.Reset(line)
	for k, ok := s.NextKey(); ok; k, ok = s.NextKey() {
		switch string(k) {
		case "symbol":
			r.symbol = in.Bytes(s.Str())
		case "price":
			if r.priceValid = !s.ValueIsNull(); r.priceValid {
				r.price = s.Float64()
			}
		case "volume":
			r.volume = s.Int64()
		case "ts":
			r.ts = s.Timestamp()
		case "exchange":
			r.exchange = in.Bytes(s.Str())
		default:
			s.Skip()
		}
	}
	return s.Err()
}

func TestScannerNoAllocations(t *testing.T) {
	var s Scanner
	var in Interner
	var r trade
	lines := [][]byte{
		[]byte(tradeLine),
		[]byte(`{"symbol":"A\u0041PL","price":null,"volume":1,"ts":1704164645123,"exchange":"N\tQ","x":[{"y":"\n"}]}`),
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, line := range lines {
			if err := scanTrade(&s, &in, line, &r); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("scanning allocated %v times per run", allocs)
	}
	if r.symbol != "AAPL" || r.exchange != "N\tQ" || r.priceValid || r.ts != 1704164645123000 {
		t.Errorf("scanned %+v", r)
	}
}

// FuzzScanner checks the Scanner against encoding/json: it must accept
// exactly the lines that are valid JSON objects and see the same values.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{
		tradeLine, `{}`, ` {"a" : [1, {"b": null}] , "c":"\u00e9\ud83d\ude00"} `, `{"a":1e400}`,
		`{"a":-0.0,"b":1E+2,"c":"\ud800"}`, `{"a":1}x`, `{"a"}`, `[1]`, `{"a":"\/"}`, "{\"\xff\":\"\xfe\"}",
		`{"a":9223372036854775808,"b":-9223372036854775808}`, `{"a":{"a":{"a":[[[]]]}}}`, `{"a":tru}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		got, floatRangeErr, err := scanGeneric([]byte(line))
		trimmed := bytes.TrimLeft([]byte(line), " \t\r\n")
		valid := json.Valid([]byte(line)) && len(trimmed) > 0 && trimmed[0] == '{'
		if !valid {
			if err == nil {
				t.Fatalf("accepted invalid line %q", line)
			}
			return
		}
		if err != nil {
			if floatRangeErr {
				return
			}
			t.Fatalf("rejected valid line %q: %v", line, err)
		}
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		var want map[string]any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: scanner saw %d keys, encoding/json %d", line, len(got), len(want))
		}
		for k, w := range want {
			g, ok := got[k]
			if !ok {
				t.Fatalf("%q: scanner missed key %q", line, k)
			}
			switch w := w.(type) {
			case map[string]any, []any:
				w = "nested"
				if g != w {
					t.Fatalf("%q: key %q: scanner %v, want %v", line, k, g, w)
				}
			case json.Number:
				f, _ := strconv.ParseFloat(string(w), 64)
				if g != f {
					t.Fatalf("%q: key %q: scanner %v, want %v", line, k, g, f)
				}
			default:
				if g != w {
					t.Fatalf("%q: key %q: scanner %#v, want %#v", line, k, g, w)
				}
			}
		}
		checkInt64(t, line)
	})
}

// scanGeneric reads every value of line with the reader its first byte
// calls for, into a map as encoding/json would decode it (nested values as
// "nested"). floatRangeErr is true when the error is a number beyond
// float64, which encoding/json with UseNumber accepts.
func scanGeneric(line []byte) (m map[string]any, floatRangeErr bool, err error) {
	var s Scanner
	m = map[string]any{}
	s.Reset(line)
	for k, ok := s.NextKey(); ok; k, ok = s.NextKey() {
		key := string(k)
		c := byte(0)
		if s.pos < len(s.line) {
			c = s.line[s.pos]
		}
		switch {
		case s.ValueIsNull():
			m[key] = nil
		case c == '"':
			m[key] = string(s.Str())
		case c == 't' || c == 'f':
			m[key] = s.Bool()
		case c == '-' || isDigit(c):
			m[key] = s.Float64()
			if s.Err() != nil {
				floatRangeErr = strings.Contains(s.Err().Error(), "out of range")
			}
		default:
			s.Skip()
			m[key] = "nested"
		}
	}
	return m, floatRangeErr, s.Err()
}

// checkInt64 reads every number of a valid line with Int64 and compares
// with exact arithmetic.
func checkInt64(t *testing.T, line string) {
	var s Scanner
	s.Reset([]byte(line))
	for k, ok := s.NextKey(); ok; k, ok = s.NextKey() {
		if s.pos >= len(s.line) || s.line[s.pos] != '-' && !isDigit(s.line[s.pos]) {
			s.Skip()
			continue
		}
		start := s.pos
		tok, _ := s.readNumber()
		s.pos = start
		if e := bytes.IndexAny(tok, "eE"); e >= 0 && len(tok)-e > 5 {
			return // huge exponents make big.Rat slow
		}
		r, _ := new(big.Rat).SetString(string(tok))
		got := s.Int64()
		fits := r.IsInt() && r.Num().IsInt64()
		if fits != (s.Err() == nil) || fits && got != r.Num().Int64() {
			t.Fatalf("%q: key %q: Int64(%s) = %d, %v", line, k, tok, got, s.Err())
		}
		if !fits {
			return
		}
	}
}

func BenchmarkScanTrade(b *testing.B) {
	var s Scanner
	var in Interner
	var r trade
	line := []byte(tradeLine)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if err := scanTrade(&s, &in, line, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanTradeEncodingJSON is the baseline the Scanner replaces.
func BenchmarkScanTradeEncodingJSON(b *testing.B) {
	type jsonTrade struct {
		Symbol   string   `json:"symbol"`
		Price    *float64 `json:"price"`
		Volume   int64    `json:"volume"`
		TS       string   `json:"ts"`
		Exchange string   `json:"exchange"`
	}
	line := []byte(tradeLine)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		var r jsonTrade
		if err := json.Unmarshal(line, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func TestScannerNestingLimitMatchesEncodingJSON(t *testing.T) {
	for _, depth := range []int{maxNesting - 2, maxNesting - 1, maxNesting} {
		line := `{"x":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`
		_, _, err := scanGeneric([]byte(line))
		if valid := json.Valid([]byte(line)); valid != (err == nil) {
			t.Errorf("depth %d: encoding/json valid=%v, scanner error %v", depth, valid, err)
		}
	}
}

// TestFloatNonFinite: the strings AppendFloat writes for NaN and the
// infinities read back as those values.
func TestFloatNonFinite(t *testing.T) {
	for _, f := range []float64{math.Inf(1), math.Inf(-1), math.NaN()} {
		line := append(append([]byte(`{"x":`), AppendFloat(nil, f)...), '}')
		var s Scanner
		s.Reset(line)
		if _, ok := s.NextKey(); !ok {
			t.Fatalf("%s: no key", line)
		}
		got := s.Float64()
		if s.Err() != nil || math.Float64bits(got) != math.Float64bits(f) && !(math.IsNaN(got) && math.IsNaN(f)) {
			t.Errorf("%s: got %v, %v", line, got, s.Err())
		}
	}
}

// TestStringSpecialLowestMark checks stringSpecial against a byte loop:
// its lowest mark is the first quote, backslash or control byte of the
// word, on random words and on words of bytes next to those.
func TestStringSpecialLowestMark(t *testing.T) {
	special := func(c byte) bool { return c == '"' || c == '\\' || c < 0x20 }
	near := []byte{0x00, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7f, 0x80, 0xa2, 0xdc, 0xff, 'a'}
	rng := rand.New(rand.NewPCG(1, 2))
	var w [8]byte
	for n := range 2_000_000 {
		for i := range w {
			if n%2 == 0 {
				w[i] = byte(rng.Uint32())
			} else {
				w[i] = near[rng.IntN(len(near))]
			}
		}
		want := 8
		for i, c := range w {
			if special(c) {
				want = i
				break
			}
		}
		got := 8
		if m := stringSpecial(binary.LittleEndian.Uint64(w[:])); m != 0 {
			got = bits.TrailingZeros64(m) >> 3
		}
		if got != want {
			t.Fatalf("% x: lowest mark at %d, want %d", w, got, want)
		}
	}
}

// TestInt64EveryLength reads integers of every length from 1 to 20 digits,
// signed or not, with a leading zero, a fraction or an exponent after them,
// at every distance from the end of the line: the two-word path of fastInt
// and its loop near the end agree with big.Rat (checkInt64).
func TestInt64EveryLength(t *testing.T) {
	digits := "98765432109876543210"
	for n := 1; n <= len(digits); n++ {
		for _, sign := range []string{"", "-"} {
			for _, num := range []string{digits[:n], "0" + digits[:n-1], digits[:n] + ".0", digits[:n] + ".5", digits[:n] + "e2", digits[:n] + "E0"} {
				for pad := 0; pad <= 18; pad++ {
					checkInt64(t, `{"a":`+sign+num+`,"b":"`+strings.Repeat("x", pad)+`"}`)
					checkInt64(t, `{"a":`+sign+num+strings.Repeat(" ", pad)+`}`)
				}
			}
		}
	}
}

// TestStrView: a string as it is in the line is a view of it (no copy,
// no allocation); one with escapes or invalid UTF-8 is decoded into a copy
// of its own, which the next value does not overwrite.
func TestStrView(t *testing.T) {
	line := []byte(`{"a":"plain","b":"x\"y\u00e9","c":"` + "\xff" + `z","d":""}`)
	var s Scanner
	s.Reset(line)
	var got []string
	for _, ok := s.NextKey(); ok; _, ok = s.NextKey() {
		got = append(got, s.StrView())
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"plain", "x\"yé", "\ufffdz", ""}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if unsafe.StringData(got[0]) != &line[6] {
		t.Errorf("a plain string is not a view of the line")
	}
	for i := range line {
		line[i] = '#' // the buffer reused: only the view changes
	}
	if got[0] != "#####" || got[1] != "x\"yé" || got[2] != "\ufffdz" {
		t.Errorf("after the line changed: %q", got)
	}
	plain := []byte(`{"a":"plain"}`)
	if n := testing.AllocsPerRun(100, func() {
		s.Reset(plain)
		s.NextKey()
		_ = s.StrView()
	}); n != 0 {
		t.Errorf("%v allocations per plain string, want 0", n)
	}
}
