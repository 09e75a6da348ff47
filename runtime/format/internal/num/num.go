// Package num holds the number parsers shared by the record formats. They
// work on byte slices without allocating, and report failures with sentinel
// errors so that each format can word its own message.
package num

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"unsafe"
)

var (
	ErrSyntax      = errors.New("not a number")
	ErrNotIntegral = errors.New("not an integer")
	ErrRange       = errors.New("out of range")
)

// eightDigits parses b[:8] when all eight are ASCII digits, a word at a
// time: ok is whether every byte's high nibble is 3 and adding 6 leaves it
// so (the low nibble is at most 9); then the digits are combined pairwise
// (the first digit is the lowest byte): 8 -> 4 -> 2 -> 1 numbers.
func eightDigits(b []byte) (v uint64, ok bool) {
	w := binary.LittleEndian.Uint64(b)
	if w&0xf0f0f0f0f0f0f0f0|(w+0x0606060606060606)&0xf0f0f0f0f0f0f0f0>>4 != 0x3333333333333333 {
		return 0, false
	}
	w = (w & 0x0f0f0f0f0f0f0f0f) * (1 + 10<<8) >> 8
	w = (w & 0x00ff00ff00ff00ff) * (1 + 100<<16) >> 16
	return (w & 0x0000ffff0000ffff) * (1 + 10000<<32) >> 32, true
}

// Integer parses an optional '-' and 1 to 18 ASCII digits, nothing else
// (so it cannot overflow); ok is false for anything else, which ParseInt64
// may still accept.
func Integer(b []byte) (v int64, ok bool) {
	i := 0
	if len(b) > 0 && b[0] == '-' {
		i = 1
	}
	if n := len(b) - i; n == 0 || n > 18 {
		return 0, false
	}
	for ; i+8 <= len(b); i += 8 {
		w, ok := eightDigits(b[i : i+8])
		if !ok {
			return 0, false
		}
		v = v*1e8 + int64(w)
	}
	for ; i < len(b); i++ {
		d := b[i] - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + int64(d)
	}
	if b[0] == '-' {
		v = -v
	}
	return v, true
}

// ParseInt64 reads a decimal number whose value is an integer that fits in an
// int64: an optional sign, digits, an optional fraction and an optional
// exponent ("42", "-7", "+3", "5.0", "1.5e1", "1e3"). Values with a non-zero
// fraction fail with ErrNotIntegral, those beyond int64 with ErrRange. The
// conversion is exact (no detour through float64).
func ParseInt64(b []byte) (int64, error) {
	i, neg := 0, false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		i = 1
	}
	intStart := i
	// Fast path, in the same pass as the scan: at most 18 digits and
	// nothing else cannot overflow.
	var v int64
	for i+8 <= len(b) && i-intStart <= 8 { // two words at most: 16 digits
		w, ok := eightDigits(b[i : i+8])
		if !ok {
			break
		}
		v = v*1e8 + int64(w)
		i += 8
	}
	for i < len(b) && i-intStart < 18 {
		d := b[i] - '0'
		if d > 9 {
			break
		}
		v = v*10 + int64(d)
		i++
	}
	if i == len(b) && i > intStart {
		if neg {
			v = -v
		}
		return v, nil
	}
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	intDigits := b[intStart:i]

	var fracDigits []byte
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		for i < len(b) && isDigit(b[i]) {
			i++
		}
		fracDigits = b[start:i]
	}
	if len(intDigits)+len(fracDigits) == 0 {
		return 0, ErrSyntax
	}
	exp := 0
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		var ok bool
		if exp, i, ok = parseExponent(b, i+1); !ok {
			return 0, ErrSyntax
		}
	}
	if i != len(b) {
		return 0, ErrSyntax
	}

	// The value is digits × 10^exp, digits being intDigits then fracDigits.
	// Drop zeros at both ends of the digits, then require exp >= 0.
	exp -= len(fracDigits)
	for len(fracDigits) > 0 && fracDigits[len(fracDigits)-1] == '0' {
		fracDigits = fracDigits[:len(fracDigits)-1]
		exp++
	}
	if len(fracDigits) == 0 {
		for len(intDigits) > 0 && intDigits[len(intDigits)-1] == '0' {
			intDigits = intDigits[:len(intDigits)-1]
			exp++
		}
	}
	for len(intDigits) > 0 && intDigits[0] == '0' {
		intDigits = intDigits[1:]
	}
	if len(intDigits) == 0 {
		for len(fracDigits) > 0 && fracDigits[0] == '0' {
			fracDigits = fracDigits[1:]
		}
	}
	significant := len(intDigits) + len(fracDigits)
	if significant == 0 {
		return 0, nil // zero, whatever the exponent
	}
	if exp < 0 {
		return 0, ErrNotIntegral
	}
	if significant+exp > 20 {
		return 0, ErrRange
	}

	// At most 20 digits: accumulate in uint64 with overflow checks.
	var u uint64
	ok := true
	for _, c := range intDigits {
		u, ok = mulAdd(u, 10, uint64(c-'0'), ok)
	}
	for _, c := range fracDigits {
		u, ok = mulAdd(u, 10, uint64(c-'0'), ok)
	}
	for ; exp > 0; exp-- {
		u, ok = mulAdd(u, 10, 0, ok)
	}
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	if !ok || u > limit {
		return 0, ErrRange
	}
	if neg {
		return int64(-u), nil
	}
	return int64(u), nil
}

// mulAdd returns u*m+a; ok turns false on overflow.
func mulAdd(u, m, a uint64, ok bool) (uint64, bool) {
	if u > (math.MaxUint64-a)/m {
		return 0, false
	}
	return u*m + a, ok
}

// parseExponent reads [+-]digits at b[i:], clamping huge exponents (which
// only ever lead to zero, ErrRange or ErrNotIntegral anyway).
func parseExponent(b []byte, i int) (exp, next int, ok bool) {
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	start := i
	for ; i < len(b) && isDigit(b[i]); i++ {
		if exp < 100_000 {
			exp = exp*10 + int(b[i]-'0')
		}
	}
	if i == start {
		return 0, i, false
	}
	if neg {
		exp = -exp
	}
	return exp, i, true
}

// ParseFloat64 reads a decimal floating-point number: an optional sign,
// digits with an optional '.', an optional exponent, or one of inf,
// infinity, nan (any case, inf with a sign). Hexadecimal forms and
// underscores, which strconv would take, are rejected. Finite input whose
// value is beyond float64 fails with ErrRange.
func ParseFloat64(b []byte) (float64, error) {
	if f, ok := fastFloat(b); ok {
		return f, nil
	}
	if !isDecimal(b) && !isSpecialFloat(b) {
		return 0, ErrSyntax
	}
	f, err := strconv.ParseFloat(unsafeString(b), 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) && math.IsInf(f, 0) {
			return 0, ErrRange
		}
		if !errors.Is(err, strconv.ErrRange) {
			return 0, ErrSyntax
		}
		// Underflow: strconv already returned the nearest value (zero or a
		// denormal), which is the right answer.
	}
	return f, nil
}

// exactPow10 are the powers of ten that float64 holds exactly.
var exactPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// fastFloat reads the common decimal, [+-]digits[.digits] with at most 15
// digits in all and no exponent, in one pass. Such a value is an integer
// below 2^53 divided by an exact power of ten: one correctly rounded
// division gives the same float64 as strconv (Clinger's fast path). Anything
// else returns false and is parsed the general way.
func fastFloat(b []byte) (float64, bool) {
	i, neg := 0, false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		i = 1
	}
	var mant uint64
	digits, frac := 0, -1 // frac: digits after the '.', -1 before it
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case isDigit(c):
			mant = mant*10 + uint64(c-'0')
			digits++
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0:
			frac = 0
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	f := float64(mant)
	if frac > 0 {
		f /= exactPow10[frac]
	}
	if neg {
		f = -f
	}
	return f, true
}

// isDecimal reports whether b is [+-]digits[.digits][(e|E)[+-]digits], with
// at least one digit before the exponent (".5" and "5." included).
func isDecimal(b []byte) bool {
	i := 0
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		i++
	}
	digits := 0
	for ; i < len(b) && isDigit(b[i]); i++ {
		digits++
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && isDigit(b[i]); i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		var ok bool
		if _, i, ok = parseExponent(b, i+1); !ok {
			return false
		}
	}
	return i == len(b)
}

func isSpecialFloat(b []byte) bool {
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		return EqualFold(b[1:], "inf") || EqualFold(b[1:], "infinity")
	}
	return EqualFold(b, "inf") || EqualFold(b, "infinity") || EqualFold(b, "nan")
}

// EqualFold reports whether b equals word, which must be lower-case ASCII
// letters, ignoring ASCII case.
func EqualFold(b []byte, word string) bool {
	if len(b) != len(word) {
		return false
	}
	for i := range len(b) {
		if b[i]|0x20 != word[i] {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c-'0' <= 9 }

// unsafeString views b as a string without copying. Only for calls that do
// not keep the string (strconv copies it into errors).
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
