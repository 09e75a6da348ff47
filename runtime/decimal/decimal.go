// Package decimal is the arithmetic of SQL DECIMAL(p, s) values: a value is
// an int64, the unscaled number, and its scale s is known to the generated
// code (1.25 in DECIMAL(5,2) is 125). Every operation is exact; those that
// may leave the int64 range report it (ok false) instead of wrapping, and
// those that drop digits round half away from zero, as DuckDB and
// PostgreSQL do.
package decimal

import (
	"errors"
	"math"
	"math/bits"
	"strconv"
)

// MaxScale is the largest scale an int64 unscaled value can carry a
// nonzero integer part at (10^18 < 2^63).
const MaxScale = 18

// pow10 holds 10^0 … 10^18.
var pow10 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// Pow10 is 10^n for 0 <= n <= 18.
func Pow10(n int) int64 { return pow10[n] }

// Fits reports whether unscaled u has at most p digits (|u| < 10^p).
func Fits(u int64, p int) bool {
	if p > MaxScale {
		return true // any int64 has at most 19 digits
	}
	return u < pow10[p] && u > -pow10[p]
}

// Up multiplies u by 10^n (n >= 0): the value at a scale n larger. ok is
// false when it leaves int64.
func Up(u int64, n int) (int64, bool) {
	if n == 0 {
		return u, true
	}
	if n > MaxScale {
		return 0, u == 0
	}
	return mul(u, pow10[n])
}

// Down divides u by 10^n (n >= 0), rounding half away from zero: the value
// at a scale n smaller.
func Down(u int64, n int) int64 {
	if n == 0 {
		return u
	}
	if n > MaxScale {
		return 0 // |u| < 10^19 / 2
	}
	m := pow10[n]
	q, r := u/m, u%m
	switch {
	case r >= (m+1)/2:
		q++
	case r <= -(m+1)/2:
		q--
	}
	return q
}

// Rescale converts u from scale from to scale to, rounding when to < from.
func Rescale(u int64, from, to int) (int64, bool) {
	if to >= from {
		return Up(u, to-from)
	}
	return Down(u, from-to), true
}

// Trunc drops the last n digits of u toward zero, keeping its scale.
func Trunc(u int64, n int) int64 {
	if n <= 0 {
		return u
	}
	if n > MaxScale {
		return 0
	}
	return u / pow10[n] * pow10[n]
}

// Quo divides u by 10^n (n >= 0) toward zero.
func Quo(u int64, n int) int64 {
	if n > MaxScale {
		return 0
	}
	return u / pow10[n]
}

// Floor is the largest integer at or below u / 10^s, at scale 0.
func Floor(u int64, s int) int64 {
	if s == 0 {
		return u
	}
	if s > MaxScale {
		if u < 0 {
			return -1
		}
		return 0
	}
	q := u / pow10[s]
	if u%pow10[s] < 0 {
		q--
	}
	return q
}

// Ceil is the smallest integer at or above u / 10^s, at scale 0.
func Ceil(u int64, s int) int64 {
	if s == 0 {
		return u
	}
	if s > MaxScale {
		if u > 0 {
			return 1
		}
		return 0
	}
	q := u / pow10[s]
	if u%pow10[s] > 0 {
		q++
	}
	return q
}

func mul(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	hi -= uint64(a>>63)&uint64(b) + uint64(b>>63)&uint64(a)
	return int64(lo), int64(hi) == int64(lo)>>63
}

// Mul is the exact product of two unscaled values (its scale is the sum of
// theirs); ok is false when it leaves int64.
func Mul(a, b int64) (int64, bool) { return mul(a, b) }

// ToFloat is u / 10^s as the nearest float64 (one correctly rounded
// division when |u| < 2^53, exact operands both).
func ToFloat(u int64, s int) float64 {
	if s < 0 {
		return float64(u) * math.Pow(10, float64(-s))
	}
	if s <= 22 {
		return float64(u) / float64pow10[s]
	}
	return float64(u) / math.Pow(10, float64(s))
}

var float64pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
	1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// FromFloat is f at scale s, rounded half away from zero, as DuckDB casts a
// DOUBLE (f × 10^s, rounded); ok is false when f is not finite or the
// result has more than p digits.
func FromFloat(f float64, p, s int) (int64, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	var x float64
	if s <= 22 {
		x = math.Round(f * float64pow10[s])
	} else {
		x = math.Round(f * math.Pow(10, float64(s)))
	}
	if x >= 9.223372036854775e18 || x <= -9.223372036854775e18 {
		return 0, false
	}
	u := int64(x)
	return u, Fits(u, p)
}

// ToInt is u / 10^s rounded half away from zero, as DuckDB casts a DECIMAL
// to BIGINT.
func ToInt(u int64, s int) int64 { return Down(u, s) }

// FromInt is v at scale s; ok is false when it has more than p digits.
func FromInt(v int64, p, s int) (int64, bool) {
	u, ok := Up(v, s)
	return u, ok && Fits(u, p)
}

// Errors of Parse.
var (
	ErrSyntax = errors.New("not a number")
	ErrRange  = errors.New("out of range")
)

// Parse reads a decimal number (an optional sign, digits with an optional
// point, an optional exponent: "12", "-0.5", ".5", "1.25e3") as an unscaled
// value at scale s, rounding half away from zero beyond s digits, exactly:
// no float64 on the way. It fails with ErrRange when the value has more than
// p digits, ErrSyntax when b is not a number. Spaces are not trimmed.
func Parse(b []byte, p, s int) (int64, error) {
	neg, digits, nd, point, err := scan(b)
	if err != nil || nd == 0 {
		return 0, err
	}
	// the value is 0.d1d2…dnd × 10^point (d1 not 0); at scale s it has
	// point+s digits before the rounding digit
	keep := point + s
	if keep > p {
		return 0, ErrRange // more integer digits than DECIMAL(p, s) has
	}
	var u uint64
	for k := range keep {
		d := uint64(0)
		if k < nd {
			d = uint64(digits[k])
		}
		u = u*10 + d
		if u > math.MaxInt64 {
			return 0, ErrRange
		}
	}
	if keep >= 0 && keep < nd && digits[keep] >= 5 {
		u++ // half away from zero
	}
	if u > math.MaxInt64 || !Fits(int64(u), p) {
		return 0, ErrRange
	}
	if neg {
		return -int64(u), nil
	}
	return int64(u), nil
}

// scan reads the number in b: its sign, its significant digits (no leading
// zeros; at most 40 kept), how many of them nd, and the position of the
// point: the value is 0.d1d2…dnd × 10^point. nd is 0 for a zero.
func scan(b []byte) (neg bool, digits [40]byte, nd, point int, err error) {
	i := 0
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	sawDigit, sawPoint := false, false
	lead := true // leading zeros are not kept
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			sawDigit = true
			if lead && c == '0' {
				if sawPoint {
					point--
				}
				continue
			}
			lead = false
			if nd < len(digits) {
				digits[nd] = c - '0'
				nd++
				if !sawPoint {
					point++
				}
			} else if !sawPoint {
				return neg, digits, 0, 0, ErrRange // more than 40 integer digits
			}
		case c == '.' && !sawPoint:
			sawPoint = true
		default:
			goto exponent
		}
	}
exponent:
	if !sawDigit {
		return neg, digits, 0, 0, ErrSyntax
	}
	if i < len(b) {
		if b[i] != 'e' && b[i] != 'E' {
			return neg, digits, 0, 0, ErrSyntax
		}
		e, err := strconv.Atoi(string(b[i+1:]))
		if err != nil || b[i+1] == ' ' {
			return neg, digits, 0, 0, ErrSyntax
		}
		switch {
		case nd == 0:
		case e > 100:
			return neg, digits, 0, 0, ErrRange
		case e < -100:
			return neg, digits, 0, 0, nil // rounds to zero at any scale
		default:
			point += e
		}
	}
	return neg, digits, nd, point, nil
}

// ParseString is Parse of a string with spaces around it trimmed, as a
// CAST from VARCHAR reads it; ok is false when it fails.
func ParseString(str string, p, s int) (int64, bool) {
	b := []byte(str)
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	v, err := Parse(b, p, s)
	return v, err == nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// Append appends u at scale s in plain notation with exactly s digits after
// the point ("1.50", "-0.05", "12"), as DuckDB and Flink print a DECIMAL.
func Append(dst []byte, u int64, s int) []byte {
	if s == 0 {
		return strconv.AppendInt(dst, u, 10)
	}
	var buf [24]byte
	mag := uint64(u)
	if u < 0 {
		dst = append(dst, '-')
		mag = -mag
	}
	digits := strconv.AppendUint(buf[:0], mag, 10)
	if len(digits) <= s {
		dst = append(dst, '0', '.')
		for range s - len(digits) {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-s]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-s:]...)
}

// String is u at scale s as Append writes it.
func String(u int64, s int) string { return string(Append(nil, u, s)) }
