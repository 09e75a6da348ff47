package value

import "math"

// AbsInt returns |x|, NULL for MinInt64, whose absolute value overflows.
func AbsInt(x int64) Null[int64] {
	if x == math.MinInt64 {
		return Null[int64]{}
	}
	if x < 0 {
		x = -x
	}
	return Null[int64]{V: x, Valid: true}
}

// AbsFloat returns |x|.
func AbsFloat(x float64) float64 { return math.Abs(x) }

// Floor returns the greatest integer value <= x.
func Floor(x float64) float64 { return math.Floor(x) }

// Ceil returns the least integer value >= x.
func Ceil(x float64) float64 { return math.Ceil(x) }

// Round rounds x to digits decimal places, half away from zero; negative
// digits round to tens, hundreds and so on. It computes as DuckDB's
// round(DOUBLE, INTEGER) does, x*10^digits rounded, so it sees the binary
// value of x: Round(1.005, 2) is 1 because 1.005 is stored as 1.00499999....
// When the scaled value overflows, the result is x for digits >= 0 and 0 for
// negative digits, as in DuckDB.
func Round(x float64, digits int64) float64 {
	// Beyond ±400 every power of ten is 0 or Inf in float64 anyway; clamping
	// keeps -digits from overflowing.
	digits = min(max(digits, -400), 400)
	if digits >= 0 {
		scale := math.Pow10(int(digits))
		r := math.Round(x*scale) / scale
		if math.IsInf(r, 0) || math.IsNaN(r) {
			return x
		}
		return r
	}
	scale := math.Pow10(int(-digits))
	r := math.Round(x/scale) * scale
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return 0
	}
	return r
}

// pow10Int holds the powers of ten that fit in int64.
var pow10Int = [...]int64{
	1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
}

// RoundInt rounds x to -digits tens (digits -1: tens, -2: hundreds), half away
// from zero; digits >= 0 leave x unchanged. A result outside the int64 range
// (only near ±9.2e18) saturates at MaxInt64 or MinInt64.
func RoundInt(x int64, digits int64) int64 {
	if digits >= 0 {
		return x
	}
	if digits < -int64(len(pow10Int)-1) {
		// The unit 10^19 and above exceeds every int64: the result is 0, or
		// ±10^19 (saturated) for |x| >= 5e18.
		switch {
		case x >= 5e18:
			return math.MaxInt64
		case x <= -5e18:
			return math.MinInt64
		}
		return 0
	}
	unit := pow10Int[-digits]
	q, r := x/unit, x%unit // truncated: r has the sign of x, |r| < unit <= 1e18
	switch {
	case r >= 0 && 2*r >= unit:
		q++
	case r < 0 && -2*r >= unit:
		q--
	}
	switch {
	case q > math.MaxInt64/unit:
		return math.MaxInt64
	case q < math.MinInt64/unit:
		return math.MinInt64
	}
	return q * unit
}

// TruncFloat is TRUNC(x, digits) of a DOUBLE: x cut toward zero to digits
// (>= 0) after the point.
func TruncFloat(x float64, digits int64) float64 {
	if digits == 0 {
		return math.Trunc(x)
	}
	scale := math.Pow10(int(min(digits, 400)))
	r := math.Trunc(x*scale) / scale
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return x
	}
	return r
}
