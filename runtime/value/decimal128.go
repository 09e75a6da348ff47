package value

import (
	"math/big"
	"math/bits"

	"github.com/laminar-sql/laminar/runtime/decimal"
)

// DECIMAL(p, s) with p > 18 is a decimal.Int128 (p <= 18 stays an int64,
// above). The compiler picks the representation from the precision, so a
// DECIMAL(18, 2) costs what it did; these are the operations of the wide
// one and the conversions between the two. Every result is kept within 38
// digits: beyond, a checked operation sets FaultDecimalRange.

// Dec128 is the Go type of a DECIMAL(p, s) with p > 18 (a Go function's
// parameter or result of that type, a lookup or Parquet column).
type Dec128 = decimal.Int128

// AddDec128 returns a + b, setting *f when it has more than 38 digits.
func AddDec128(a, b decimal.Int128, f *Fault) decimal.Int128 {
	s, ok := decimal.Add128(a, b)
	if !ok {
		*f = FaultDecimalRange
	}
	return s
}

// SubDec128 returns a − b, setting *f when it has more than 38 digits.
func SubDec128(a, b decimal.Int128, f *Fault) decimal.Int128 {
	s, ok := decimal.Sub128(a, b)
	if !ok {
		*f = FaultDecimalRange
	}
	return s
}

// MulDec128 returns a × b, setting *f when it has more than 38 digits.
func MulDec128(a, b decimal.Int128, f *Fault) decimal.Int128 {
	s, ok := decimal.Mul128(a, b)
	if !ok {
		*f = FaultDecimalRange
	}
	return s
}

// MulDecWide is the exact product of two 64-bit unscaled values (at most
// 38 digits: it cannot fail), as 0.908 * price of Nexmark q1 is.
func MulDecWide(a, b int64) decimal.Int128 { return decimal.MulWide(a, b) }

// NegDec128 is −a.
func NegDec128(a decimal.Int128) decimal.Int128 { return decimal.Neg128(a) }

// AbsDec128 is |a|.
func AbsDec128(a decimal.Int128) decimal.Int128 { return decimal.Abs128(a) }

// WidenDec is a 64-bit unscaled value as an Int128 (the same number).
func WidenDec(a int64) decimal.Int128 { return decimal.From64(a) }

// UpDec128 is a × 10^n, setting *f when it has more than 38 digits.
func UpDec128(a decimal.Int128, n int, f *Fault) decimal.Int128 {
	v, ok := decimal.Up128(a, n)
	if !ok {
		*f = FaultDecimalRange
	}
	return v
}

// UpDecWide is a 64-bit a × 10^n as an Int128, setting *f beyond 38 digits.
func UpDecWide(a int64, n int, f *Fault) decimal.Int128 {
	return UpDec128(decimal.From64(a), n, f)
}

// CmpDec128 compares a and b: -1, 0, +1.
func CmpDec128(a, b decimal.Int128) int { return a.Cmp(b) }

// ModDec128NN is a % b of DECIMALs at one scale, NULL when b is 0.
func ModDec128NN(a, b decimal.Int128) Null[decimal.Int128] {
	if b == (decimal.Int128{}) {
		return Null[decimal.Int128]{}
	}
	return Of(decimal.Rem128(a, b))
}

// SumDecWide is the SUM of DECIMAL(p <= 18), a DECIMAL(38, s), from its
// exact sum (lo, hi) (see SumInt), setting *f beyond 38 digits.
func SumDecWide(lo, hi int64, f *Fault) decimal.Int128 {
	h, c := bits.Add64(uint64(lo>>63), uint64(hi), 0)
	_ = c
	v := decimal.Int128{Hi: int64(h), Lo: uint64(lo)}
	if !decimal.Fits128(v, decimal.MaxPrecision) {
		*f = FaultDecimalRange
	}
	return v
}

// SumDec128 adds v to the SUM (or AVG) accumulator of DECIMAL(p > 18):
// the wrapped 128-bit sum a and the times h it wrapped, so no row's
// addition is lost (a sum that goes out of range and back in is exact).
func SumDec128(a decimal.Int128, h int64, v decimal.Int128) (decimal.Int128, int64) {
	lo, c := bits.Add64(a.Lo, v.Lo, 0)
	hi, _ := bits.Add64(uint64(a.Hi), uint64(v.Hi), c)
	s := decimal.Int128{Hi: int64(hi), Lo: lo}
	if (a.Hi < 0) == (v.Hi < 0) && (s.Hi < 0) != (a.Hi < 0) {
		if v.Hi < 0 {
			h--
		} else {
			h++
		}
	}
	return s, h
}

// SumDec128Weighted adds v when w > 0, subtracts it when w < 0 (a retraction).
func SumDec128Weighted(a decimal.Int128, h int64, v decimal.Int128, w int64) (decimal.Int128, int64) {
	if w > 0 {
		return SumDec128(a, h, v)
	}
	lo, b := bits.Sub64(a.Lo, v.Lo, 0)
	hi, _ := bits.Sub64(uint64(a.Hi), uint64(v.Hi), b)
	d := decimal.Int128{Hi: int64(hi), Lo: lo}
	if (a.Hi < 0) != (v.Hi < 0) && (d.Hi < 0) != (a.Hi < 0) {
		if v.Hi < 0 {
			h++
		} else {
			h--
		}
	}
	return d, h
}

// MergeSumDec128 adds the accumulator (a2, h2) to (a, h).
func MergeSumDec128(a decimal.Int128, h int64, a2 decimal.Int128, h2 int64) (decimal.Int128, int64) {
	a, h = SumDec128(a, h, a2)
	return a, h + h2
}

// SumDec128Result is the SUM of DECIMAL(p > 18) from its accumulator,
// setting *f when it has more than 38 digits.
func SumDec128Result(a decimal.Int128, h int64, f *Fault) decimal.Int128 {
	if h != 0 || !decimal.Fits128(a, decimal.MaxPrecision) {
		*f = FaultDecimalRange
	}
	return a
}

// AvgDec128 is AVG of DECIMAL(p > 18) with scale s (a DOUBLE): the exact
// sum (a, h) over n > 0 rows, divided by n × 10^s.
func AvgDec128(a decimal.Int128, h, n int64, s int) float64 {
	if h == 0 {
		return decimal.ToFloat128(a, s) / float64(n)
	}
	sum := new(big.Int).Lsh(big.NewInt(h), 128)
	lo := new(big.Int).SetUint64(a.Lo)
	sum.Add(sum, new(big.Int).Lsh(big.NewInt(a.Hi), 64)).Add(sum, lo)
	den := new(big.Int).Mul(big.NewInt(n), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s)), nil))
	f, _ := new(big.Rat).SetFrac(sum, den).Float64()
	return f
}

// DecToFloat128 is CAST(DECIMAL(p > 18, s) AS DOUBLE).
func DecToFloat128(a decimal.Int128, s int) float64 { return decimal.ToFloat128(a, s) }

// DecToInt128 is CAST(DECIMAL(p > 18, s) AS BIGINT), rounded half away
// from zero; ok is false when it does not fit.
func DecToInt128(a decimal.Int128, s int) (int64, bool) { return decimal.ToInt128(a, s) }

// RescaleDec128 is a CAST between DECIMALs of which one or both are wide:
// a at scale from, as DECIMAL(p, to); ok is false beyond p digits.
func RescaleDec128(a decimal.Int128, from, p, to int) (decimal.Int128, bool) {
	v, ok := decimal.Rescale128(a, from, to)
	return v, ok && decimal.Fits128(v, p)
}

// RescaleDecTo128 is CAST(DECIMAL(p1 <= 18, from) AS DECIMAL(p > 18, to)).
func RescaleDecTo128(a int64, from, p, to int) (decimal.Int128, bool) {
	return RescaleDec128(decimal.From64(a), from, p, to)
}

// RescaleDecTo64 is CAST(DECIMAL(p1 > 18, from) AS DECIMAL(p <= 18, to)).
func RescaleDecTo64(a decimal.Int128, from, p, to int) (int64, bool) {
	v, ok := RescaleDec128(a, from, p, to)
	return int64(v.Lo), ok // p <= 18 digits fit the low word
}

// IntToDec128 is CAST(BIGINT AS DECIMAL(p > 18, s)).
func IntToDec128(v int64, p, s int) (decimal.Int128, bool) { return decimal.FromInt128(v, p, s) }

// FloatToDec128 is CAST(DOUBLE AS DECIMAL(p > 18, s)).
func FloatToDec128(x float64, p, s int) (decimal.Int128, bool) { return decimal.FromFloat128(x, p, s) }

// ParseDec128 is CAST(VARCHAR AS DECIMAL(p > 18, s)), exact.
func ParseDec128(str string, p, s int) (decimal.Int128, bool) {
	return decimal.ParseString128(str, p, s)
}

// FormatDec128 is CAST(DECIMAL(p > 18, s) AS VARCHAR).
func FormatDec128(a decimal.Int128, s int) string { return decimal.String128(a, s) }

// RoundDec128 is ROUND(x, n) of a wide DECIMAL with scale s > n >= 0.
func RoundDec128(a decimal.Int128, s, n int) decimal.Int128 { return decimal.Down128(a, s-n) }

// TruncDec128 is TRUNC(x, n) of a wide DECIMAL with scale s > n >= 0.
func TruncDec128(a decimal.Int128, s, n int) decimal.Int128 { return decimal.Quo128(a, s-n) }

// FloorDec128 is FLOOR of a wide DECIMAL with scale s, at scale 0.
func FloorDec128(a decimal.Int128, s int) decimal.Int128 { return decimal.Floor128(a, s) }

// CeilDec128 is CEIL of a wide DECIMAL with scale s, at scale 0.
func CeilDec128(a decimal.Int128, s int) decimal.Int128 { return decimal.Ceil128(a, s) }

// RoundInt128 is ROUND(x, digits) with digits < 0 of a wide DECIMAL at
// scale 0: whole tens, hundreds, …, half away from zero, setting *f when
// the rounded value has more than 38 digits.
func RoundInt128(a decimal.Int128, digits int64, f *Fault) decimal.Int128 {
	if digits >= 0 {
		return a
	}
	n := int(min(-digits, decimal.MaxPrecision+1))
	return UpDec128(decimal.Down128(a, n), n, f)
}

// GreatestDec128 is GREATEST(a, b) of DECIMAL(p > 18), as Greatest.
func GreatestDec128(a, b Null[decimal.Int128]) Null[decimal.Int128] {
	if !a.Valid || b.Valid && a.V.Less(b.V) {
		return b
	}
	return a
}

// LeastDec128 is LEAST(a, b) of DECIMAL(p > 18), as Least.
func LeastDec128(a, b Null[decimal.Int128]) Null[decimal.Int128] {
	if !a.Valid || b.Valid && b.V.Less(a.V) {
		return b
	}
	return a
}

// UDFDec reads the text a Go function returned for its DECIMAL(p <= 18, s)
// result, as CAST(text AS DECIMAL(p, s)) does (rounded half away from zero
// to s digits), setting *f to FaultDecimalRange when it is not a number or
// has more than p digits (unless the call itself faulted).
func UDFDec(text string, p, s int, f *Fault) int64 {
	v, ok := decimal.ParseString(text, p, s)
	if !ok && *f == 0 {
		*f = FaultDecimalRange
	}
	return v
}

// UDFDec128 is UDFDec for a DECIMAL(p > 18, s) result.
func UDFDec128(text string, p, s int, f *Fault) decimal.Int128 {
	v, ok := decimal.ParseString128(text, p, s)
	if !ok && *f == 0 {
		*f = FaultDecimalRange
	}
	return v
}
