package num

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestParseInt64(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  error
	}{
		{"0", 0, nil},
		{"42", 42, nil},
		{"-7", -7, nil},
		{"+3", 3, nil},
		{"007", 7, nil},
		{"5.0", 5, nil},
		{"5.", 5, nil},
		{"-0.0", 0, nil},
		{"1.5e1", 15, nil},
		{"1e3", 1000, nil},
		{"1E+3", 1000, nil},
		{"1000e-3", 1, nil},
		{"0e99999999999", 0, nil},
		{"0.000e-5", 0, nil},
		{"9223372036854775807", math.MaxInt64, nil},
		{"-9223372036854775808", math.MinInt64, nil},
		{"9223372036854775807.000", math.MaxInt64, nil},
		{"922337203685477580.7e1", math.MaxInt64, nil},
		{"0.9223372036854775807e19", math.MaxInt64, nil},
		{"123456789012345678", 123456789012345678, nil},
		{"9223372036854775808", 0, ErrRange},
		{"-9223372036854775809", 0, ErrRange},
		{"99999999999999999999", 0, ErrRange},
		{"1e19", 0, ErrRange},
		{"1e99999999999", 0, ErrRange},
		{"5.5", 0, ErrNotIntegral},
		{"1e-1", 0, ErrNotIntegral},
		{"0.1", 0, ErrNotIntegral},
		{"1e-99999999999", 0, ErrNotIntegral},
		{"", 0, ErrSyntax},
		{"-", 0, ErrSyntax},
		{".", 0, ErrSyntax},
		{"abc", 0, ErrSyntax},
		{"1x", 0, ErrSyntax},
		{"1e", 0, ErrSyntax},
		{"1e+", 0, ErrSyntax},
		{" 1", 0, ErrSyntax},
		{"1 ", 0, ErrSyntax},
		{"0x10", 0, ErrSyntax},
		{"1_000", 0, ErrSyntax},
		{"--1", 0, ErrSyntax},
	}
	for _, tt := range tests {
		got, err := ParseInt64([]byte(tt.in))
		if got != tt.want || !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
			t.Errorf("ParseInt64(%q) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestParseFloat64(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		err  error
	}{
		{"0", 0, nil},
		{"1.5", 1.5, nil},
		{"-2.25e3", -2250, nil},
		{".5", 0.5, nil},
		{"5.", 5, nil},
		{"+1", 1, nil},
		{"1e-400", 0, nil},
		{"4.9e-324", 5e-324, nil},
		{"Inf", math.Inf(1), nil},
		{"-infinity", math.Inf(-1), nil},
		{"+INF", math.Inf(1), nil},
		{"1e400", 0, ErrRange},
		{"-1e400", 0, ErrRange},
		{"", 0, ErrSyntax},
		{".", 0, ErrSyntax},
		{"0x1p-2", 0, ErrSyntax},
		{"1_0", 0, ErrSyntax},
		{"abc", 0, ErrSyntax},
		{"1e", 0, ErrSyntax},
		{"+nan", 0, ErrSyntax},
		{"infinit", 0, ErrSyntax},
	}
	for _, tt := range tests {
		got, err := ParseFloat64([]byte(tt.in))
		if got != tt.want || !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
			t.Errorf("ParseFloat64(%q) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
	if got, err := ParseFloat64([]byte("NaN")); err != nil || !math.IsNaN(got) {
		t.Errorf("ParseFloat64(NaN) = %v, %v", got, err)
	}
}

func TestNoAllocations(t *testing.T) {
	inputs := [][]byte{[]byte("12345"), []byte("1.5e1"), []byte("-123.456e-7")}
	allocs := testing.AllocsPerRun(100, func() {
		for _, in := range inputs {
			ParseInt64(in)
			ParseFloat64(in)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run", allocs)
	}
}

// FuzzParseInt64 compares ParseInt64 with exact big.Rat arithmetic.
func FuzzParseInt64(f *testing.F) {
	for _, s := range []string{"0", "-12", "5.0", "1.5e1", "12345678", "-123456789", "1234567/", "12345:78", "1436918400000", "9999999999999999", "99999999999999999999", "+12345678.0", "9223372036854775807", "-9223372036854775808.0e0", "1e-3", "12e+2", "0.0001e4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseInt64([]byte(s))
		if err == ErrSyntax {
			if _, ferr := strconv.ParseFloat(s, 64); ferr == nil && isDecimal([]byte(s)) {
				t.Fatalf("ParseInt64(%q): syntax error on a decimal", s)
			}
			return
		}
		if e := strings.IndexAny(s, "eE"); len(s) > 60 || e >= 0 && len(s)-e > 4 {
			return // big.Rat is slow with huge exponents
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("ParseInt64(%q) = %d, %v; big.Rat rejects it", s, got, err)
		}
		switch {
		case !r.IsInt():
			if err != ErrNotIntegral {
				t.Fatalf("ParseInt64(%q) = %d, %v; want ErrNotIntegral", s, got, err)
			}
		case !r.Num().IsInt64():
			if err != ErrRange {
				t.Fatalf("ParseInt64(%q) = %d, %v; want ErrRange", s, got, err)
			}
		default:
			if err != nil || got != r.Num().Int64() {
				t.Fatalf("ParseInt64(%q) = %d, %v; want %d", s, got, err, r.Num().Int64())
			}
		}
	})
}

func BenchmarkParseInt64(b *testing.B) {
	in := []byte("1700000000123")
	b.ReportAllocs()
	for b.Loop() {
		ParseInt64(in)
	}
}

func BenchmarkParseFloat64(b *testing.B) {
	in := []byte("187.25")
	b.ReportAllocs()
	for b.Loop() {
		ParseFloat64(in)
	}
}

// FuzzFastFloat checks the one-pass fast path against strconv on every input
// it takes: the same float64, bit for bit (the sign of zero included).
func FuzzFastFloat(f *testing.F) {
	for _, s := range []string{"187.25", "-0", "-0.0", ".5", "5.", "999999999999999", "0.000000000000001",
		"123456789.012345", "1.5e3", "1234567890123456", "+7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := fastFloat([]byte(s))
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("fastFloat(%q) = %v, strconv %v, %v", s, got, want, err)
		}
	})
}

func TestFastFloatRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		digits := 1 + r.IntN(15)
		b := make([]byte, 0, 20)
		if r.IntN(2) == 0 {
			b = append(b, '-')
		}
		dot := r.IntN(digits + 1)
		for i := range digits {
			if i == dot {
				b = append(b, '.')
			}
			b = append(b, byte('0'+r.IntN(10)))
		}
		got, ok := fastFloat(b)
		want, err := strconv.ParseFloat(string(b), 64)
		if !ok || err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("fastFloat(%q) = %v, %v; strconv %v, %v", b, got, ok, want, err)
		}
	}
}

// FuzzInteger: Integer accepts exactly an optional '-' and 1 to 18 digits,
// with strconv's value.
func FuzzInteger(f *testing.F) {
	for _, s := range []string{"", "-", "0", "-12345678", "123456789012345678", "1234567890123456789", "1234567:", "+1", "12345678 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := Integer([]byte(s))
		digits := strings.TrimPrefix(s, "-")
		want := len(digits) >= 1 && len(digits) <= 18 && strings.Trim(digits, "0123456789") == ""
		if ok != want {
			t.Fatalf("Integer(%q) ok = %v, want %v", s, ok, want)
		}
		if w, _ := strconv.ParseInt(s, 10, 64); ok && v != w {
			t.Fatalf("Integer(%q) = %d, want %d", s, v, w)
		}
	})
}
