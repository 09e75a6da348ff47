package value

import "github.com/laminar-sql/laminar/runtime/decimal"

// DECIMAL(p, s) values are int64 unscaled numbers (package decimal); the
// scale is the generated code's to know. Operands of + and - have been
// brought to one scale by the compiler, so these are integer operations
// whose overflow is a FaultDecimalRange rather than a BIGINT one.

// AddDec returns a + b, setting *f to FaultDecimalRange when it overflows.
func AddDec(a, b int64, f *Fault) int64 {
	s := a + b
	if (s^a)&(s^b) < 0 {
		*f = FaultDecimalRange
	}
	return s
}

// SubDec returns a - b, setting *f to FaultDecimalRange when it overflows.
func SubDec(a, b int64, f *Fault) int64 {
	d := a - b
	if (a^b)&(d^a) < 0 {
		*f = FaultDecimalRange
	}
	return d
}

// MulDec returns the product a * b (at the sum of their scales), setting
// *f to FaultDecimalRange when it overflows.
func MulDec(a, b int64, f *Fault) int64 {
	p, ok := decimal.Mul(a, b)
	if !ok {
		*f = FaultDecimalRange
	}
	return p
}

// NegDec returns -a, setting *f when a is the one value without a negation.
func NegDec(a int64, f *Fault) int64 {
	if a == -1<<63 {
		*f = FaultDecimalRange
	}
	return -a
}

// AbsDec returns |a|, setting *f when a is the one value without one.
func AbsDec(a int64, f *Fault) int64 {
	if a < 0 {
		return NegDec(a, f)
	}
	return a
}

// UpDec is a at a scale n larger (a × 10^n), setting *f when it overflows:
// an operand brought to the scale of the other side of + - or a comparison.
func UpDec(a int64, n int, f *Fault) int64 {
	v, ok := decimal.Up(a, n)
	if !ok {
		*f = FaultDecimalRange
	}
	return v
}

// SumDec is the SUM of DECIMAL from its exact 128-bit sum (see SumInt):
// the low word, setting *f to FaultDecimalRange when the sum needs more.
func SumDec(lo, hi int64, f *Fault) int64 {
	if hi != 0 {
		*f = FaultDecimalRange
	}
	return lo
}

// AvgDec is AVG of DECIMAL with scale s, a DOUBLE as in DuckDB: the exact
// sum (lo, hi) over n > 0 rows, divided by n × 10^s.
func AvgDec(lo, hi, n int64, s int) float64 {
	if hi == 0 {
		return float64(lo) / (float64(n) * decimal.ToFloat(1, -s))
	}
	return AvgInt(lo, hi, n) / decimal.ToFloat(1, -s)
}

// DecToFloat is CAST(DECIMAL(p, s) AS DOUBLE).
func DecToFloat(a int64, s int) float64 { return decimal.ToFloat(a, s) }

// DecToInt is CAST(DECIMAL(p, s) AS BIGINT), rounding half away from zero.
func DecToInt(a int64, s int) int64 { return decimal.ToInt(a, s) }

// RescaleDec is CAST(DECIMAL(p1, from) AS DECIMAL(p, to)): rounded half away
// from zero to the new scale; ok is false when it has more than p digits.
func RescaleDec(a int64, from, p, to int) (int64, bool) {
	v, ok := decimal.Rescale(a, from, to)
	return v, ok && decimal.Fits(v, p)
}

// IntToDec is CAST(BIGINT AS DECIMAL(p, s)); ok is false when the value has
// more than p digits.
func IntToDec(v int64, p, s int) (int64, bool) { return decimal.FromInt(v, p, s) }

// FloatToDec is CAST(DOUBLE AS DECIMAL(p, s)); ok is false for NaN, the
// infinities and values with more than p digits.
func FloatToDec(x float64, p, s int) (int64, bool) { return decimal.FromFloat(x, p, s) }

// ParseDec is CAST(VARCHAR AS DECIMAL(p, s)), exact.
func ParseDec(str string, p, s int) (int64, bool) { return decimal.ParseString(str, p, s) }

// FormatDec is CAST(DECIMAL(p, s) AS VARCHAR): s digits after the point.
func FormatDec(a int64, s int) string { return decimal.String(a, s) }

// RoundDec is ROUND(x, n) of a DECIMAL with scale s > n >= 0, at scale n.
func RoundDec(a int64, s, n int) int64 { return decimal.Down(a, s-n) }

// TruncDec is TRUNC(x, n) of a DECIMAL with scale s > n >= 0, at scale n.
func TruncDec(a int64, s, n int) int64 { return decimal.Quo(a, s-n) }

// FloorDec and CeilDec are FLOOR and CEIL of a DECIMAL with scale s, at scale 0.
func FloorDec(a int64, s int) int64 { return decimal.Floor(a, s) }

// CeilDec: see FloorDec.
func CeilDec(a int64, s int) int64 { return decimal.Ceil(a, s) }
