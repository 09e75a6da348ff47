package value

import (
	"math"
	"testing"
)

func TestAbs(t *testing.T) {
	cases := []struct {
		x    int64
		want Null[int64]
	}{
		{5, Of[int64](5)},
		{-5, Of[int64](5)},
		{0, Of[int64](0)},
		{math.MaxInt64, Of[int64](math.MaxInt64)},
		{-math.MaxInt64, Of[int64](math.MaxInt64)},
		{math.MinInt64, Null[int64]{}},
	}
	for _, c := range cases {
		if got := AbsInt(c.x); got != c.want {
			t.Errorf("AbsInt(%d) = %+v, want %+v", c.x, got, c.want)
		}
	}
	if got := AbsFloat(-2.5); got != 2.5 {
		t.Errorf("AbsFloat(-2.5) = %g", got)
	}
	if got := AbsFloat(math.Inf(-1)); !math.IsInf(got, 1) {
		t.Errorf("AbsFloat(-Inf) = %g", got)
	}
}

func TestFloorCeil(t *testing.T) {
	cases := []struct{ x, floor, ceil float64 }{
		{1.5, 1, 2},
		{-1.5, -2, -1},
		{2, 2, 2},
		{-0.1, -1, 0},
	}
	for _, c := range cases {
		if got := Floor(c.x); got != c.floor {
			t.Errorf("Floor(%g) = %g, want %g", c.x, got, c.floor)
		}
		if got := Ceil(c.x); got != c.ceil {
			t.Errorf("Ceil(%g) = %g, want %g", c.x, got, c.ceil)
		}
	}
}

func TestRound(t *testing.T) {
	cases := []struct {
		x      float64
		digits int64
		want   float64
	}{
		{0.5, 0, 1},
		{1.5, 0, 2},
		{2.5, 0, 3}, // half away from zero, not to even
		{-0.5, 0, -1},
		{-2.5, 0, -3},
		{2.4, 0, 2},
		{-2.4, 0, -2},
		{1.25, 1, 1.3}, // 1.25 is exact in binary
		{-1.25, 1, -1.3},
		{1.24, 1, 1.2},
		{3.14159, 2, 3.14},
		{3.14159, 4, 3.1416},
		{-3.14159, 3, -3.142},
		{2.675, 2, 2.68}, // 2.67499999... * 100 rounds to 267.5 in float64
		{1.005, 2, 1},    // 1.00499999... * 100 is 100.49999999999999 (DuckDB agrees)
		{1234.5678, -1, 1230},
		{1234.5678, -2, 1200},
		{1250, -2, 1300},
		{-1250, -2, -1300},
		{-1249, -2, -1200},
		{1234.5, -4, 0},
		{5000, -4, 10000},
		{123.456, 400, 123.456},  // scale overflows: x unchanged
		{123.456, 1000, 123.456}, // clamped
		{123.456, -400, 0},
		{123.456, math.MinInt64, 0},
		{123.456, math.MaxInt64, 123.456},
		{1e300, 10, 1e300}, // x*scale is +Inf: x unchanged
		{1e308, -308, 1e308},
		{0, 2, 0},
	}
	for _, c := range cases {
		if got := Round(c.x, c.digits); got != c.want {
			t.Errorf("Round(%g, %d) = %g, want %g", c.x, c.digits, got, c.want)
		}
	}
	if got := Round(math.NaN(), 2); !math.IsNaN(got) {
		t.Errorf("Round(NaN, 2) = %g", got)
	}
	if got := Round(math.Inf(-1), 2); !math.IsInf(got, -1) {
		t.Errorf("Round(-Inf, 2) = %g", got)
	}
}

func TestRoundInt(t *testing.T) {
	cases := []struct {
		x, digits, want int64
	}{
		{1234, 0, 1234},
		{1234, 5, 1234},
		{1234, -1, 1230},
		{1235, -1, 1240},
		{-1235, -1, -1240},
		{-1234, -1, -1230},
		{1250, -2, 1300},
		{-1250, -2, -1300},
		{1249, -2, 1200},
		{-1249, -2, -1200},
		{49, -2, 0},
		{50, -2, 100},
		{-50, -2, -100},
		{0, -3, 0},
		{math.MaxInt64, -1, math.MaxInt64}, // 9223372036854775810 saturates
		{math.MinInt64, -1, math.MinInt64},
		{math.MaxInt64, -2, 9223372036854775800},
		{math.MaxInt64, -18, 9e18},
		{4_999_999_999_999_999_999, -19, 0},
		{5e18, -19, math.MaxInt64},
		{-5e18, -19, math.MinInt64},
		{123, -19, 0},
		{123, math.MinInt64, 0},
	}
	for _, c := range cases {
		if got := RoundInt(c.x, c.digits); got != c.want {
			t.Errorf("RoundInt(%d, %d) = %d, want %d", c.x, c.digits, got, c.want)
		}
	}
}
