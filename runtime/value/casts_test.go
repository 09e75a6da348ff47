package value

import (
	"math"
	"strconv"
	"testing"
)

func TestFloatToInt(t *testing.T) {
	cases := []struct {
		x    float64
		want int64
		ok   bool
	}{
		{0, 0, true},
		{1.4, 1, true},
		{1.5, 2, true}, // half to even, as DuckDB
		{2.5, 2, true},
		{3.5, 4, true},
		{-1.5, -2, true},
		{-2.5, -2, true},
		{0.5, 0, true},
		{-0.4, 0, true},
		{1e15 + 0.5, 1e15, true},
		{-9223372036854775808, math.MinInt64, true},      // -2^63 is exact
		{9223372036854774784, 9223372036854774784, true}, // largest float64 below 2^63
		{9223372036854775808, 0, false},                  // 2^63
		{-9223372036854777856, 0, false},                 // next float64 below -2^63
		{1e19, 0, false},
		{math.Inf(1), 0, false},
		{math.Inf(-1), 0, false},
		{math.NaN(), 0, false},
	}
	for _, c := range cases {
		got, ok := FloatToInt(c.x)
		if got != c.want || ok != c.ok {
			t.Errorf("FloatToInt(%g) = %d, %v; want %d, %v", c.x, got, ok, c.want, c.ok)
		}
	}
	if got := IntToFloat(-3); got != -3 {
		t.Errorf("IntToFloat(-3) = %g", got)
	}
}

func TestParseInt(t *testing.T) {
	cases := []struct {
		s    string
		want int64
		ok   bool
	}{
		{"12", 12, true},
		{"-3", -3, true},
		{"+4", 4, true},
		{"  42 ", 42, true},
		{"\t7\n", 7, true},
		{"0", 0, true},
		{"007", 7, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"", 0, false},
		{"   ", 0, false},
		{"1.5", 0, false},
		{"1e3", 0, false},
		{"1_000", 0, false},
		{"0x10", 0, false},
		{"12a", 0, false},
		{"- 3", 0, false},
		{"+", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseInt(c.s)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("ParseInt(%q) = %d, %v; want %d, %v", c.s, got, ok, c.want, c.ok)
		}
	}
}

func TestParseFloat(t *testing.T) {
	cases := []struct {
		s    string
		want float64
		ok   bool
	}{
		{"1.5", 1.5, true},
		{" -2.25 ", -2.25, true},
		{"+3", 3, true},
		{"1e3", 1000, true},
		{"1E-2", 0.01, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"Infinity", math.Inf(1), true},
		{"-infinity", math.Inf(-1), true},
		{"inf", math.Inf(1), true},
		{"1.7976931348623157e308", math.MaxFloat64, true},
		{"1e-400", 0, true}, // underflows to zero
		{"1e400", 0, false}, // out of range
		{"-1e400", 0, false},
		{"", 0, false},
		{"abc", 0, false},
		{"1.5x", 0, false},
		{"1,5", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseFloat(c.s)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("ParseFloat(%q) = %g, %v; want %g, %v", c.s, got, ok, c.want, c.ok)
		}
	}
	if got, ok := ParseFloat(" NaN "); !ok || !math.IsNaN(got) {
		t.Errorf("ParseFloat(NaN) = %g, %v", got, ok)
	}
}

func TestParseBool(t *testing.T) {
	cases := []struct {
		s      string
		want   bool
		wantOK bool
	}{
		{"true", true, true}, {"TRUE", true, true}, {"True", true, true}, {"t", true, true},
		{"T", true, true}, {"yes", true, true}, {"YES", true, true}, {"on", true, true},
		{"On", true, true}, {"1", true, true}, {"  true\t", true, true},
		{"false", false, true}, {"FALSE", false, true}, {"f", false, true}, {"F", false, true},
		{"no", false, true}, {"NO", false, true}, {"off", false, true}, {"OFF", false, true},
		{"0", false, true}, {" 0 ", false, true},
		{"", false, false}, {"tru", false, false}, {"y", false, false}, {"2", false, false},
		{"on1", false, false}, {"truee", false, false}, {"-1", false, false},
	}
	for _, c := range cases {
		got, ok := ParseBool(c.s)
		if got != c.want || ok != c.wantOK {
			t.Errorf("ParseBool(%q) = %v, %v; want %v, %v", c.s, got, ok, c.want, c.wantOK)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = ParseBool(" Off ") }); n != 0 {
		t.Errorf("ParseBool allocates %v times", n)
	}
}

func TestFormat(t *testing.T) {
	intCases := map[int64]string{0: "0", -7: "-7", math.MaxInt64: "9223372036854775807", math.MinInt64: "-9223372036854775808"}
	for x, want := range intCases {
		if got := FormatInt(x); got != want {
			t.Errorf("FormatInt(%d) = %q, want %q", x, got, want)
		}
	}
	if FormatBool(true) != "true" || FormatBool(false) != "false" {
		t.Errorf("FormatBool: %q, %q", FormatBool(true), FormatBool(false))
	}
	floatCases := []struct {
		x    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{1.5, "1.5"},
		{-1.5, "-1.5"},
		{100, "100"},
		{1e6, "1000000"},
		{0.1, "0.1"},
		{0.30000000000000004, "0.30000000000000004"}, // 0.1 + 0.2 at run time
		{1.0 / 3, "0.3333333333333333"},
		{123456789.125, "123456789.125"},
		{1e20, "100000000000000000000"},
		{1e21, "1e+21"},
		{1.5e300, "1.5e+300"},
		{-2e21, "-2e+21"},
		{0.000001, "0.000001"},
		{1e-7, "1e-7"},
		{1.5e-7, "1.5e-7"},
		{5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
	}
	for _, c := range floatCases {
		got := FormatFloat(c.x)
		if got != c.want {
			t.Errorf("FormatFloat(%g) = %q, want %q", c.x, got, c.want)
		}
		// Every finite result reads back as the same number.
		if back, err := strconv.ParseFloat(got, 64); err == nil && back != c.x && !math.IsNaN(c.x) {
			t.Errorf("FormatFloat(%g) = %q reads back as %g", c.x, got, back)
		}
	}
}
