package decimal

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
)

// Int128 is the unscaled value of a DECIMAL(p, s) with p > 18, as DuckDB
// and Flink hold DECIMAL(38): a two's-complement 128-bit integer, Hi the
// high word (with the sign), Lo the low one. Its values are kept within
// ±(10^38 − 1); an operation whose exact result leaves them reports it (ok
// false) instead of wrapping. Int128 is comparable, so it is a map key as
// it is; order with Cmp or Less.
type Int128 struct {
	Hi int64
	Lo uint64
}

// MaxPrecision is the most digits an Int128 DECIMAL holds.
const MaxPrecision = 38

// pow10w holds 10^0 … 10^38 as unsigned 128-bit (hi, lo) magnitudes.
var pow10w = func() (t [39][2]uint64) {
	t[0] = [2]uint64{0, 1}
	for i := 1; i < len(t); i++ {
		hi, lo := bits.Mul64(t[i-1][1], 10)
		t[i] = [2]uint64{t[i-1][0]*10 + hi, lo}
	}
	return t
}()

// From64 is v as an Int128.
func From64(v int64) Int128 { return Int128{v >> 63, uint64(v)} }

// Int64 is a as an int64; ok is false when it does not fit.
func (a Int128) Int64() (int64, bool) { return int64(a.Lo), a.Hi == int64(a.Lo)>>63 }

// Sign is -1, 0 or +1.
func (a Int128) Sign() int {
	switch {
	case a.Hi < 0:
		return -1
	case a.Hi == 0 && a.Lo == 0:
		return 0
	}
	return 1
}

// Cmp compares a and b: -1, 0 or +1.
func (a Int128) Cmp(b Int128) int {
	switch {
	case a.Hi < b.Hi:
		return -1
	case a.Hi > b.Hi:
		return 1
	case a.Lo < b.Lo:
		return -1
	case a.Lo > b.Lo:
		return 1
	}
	return 0
}

// Less reports a < b.
func (a Int128) Less(b Int128) bool { return a.Hi < b.Hi || a.Hi == b.Hi && a.Lo < b.Lo }

// neg is -a, wrapping (the callers keep |a| < 10^38).
func (a Int128) neg() Int128 {
	lo, borrow := bits.Sub64(0, a.Lo, 0)
	hi, _ := bits.Sub64(0, uint64(a.Hi), borrow)
	return Int128{int64(hi), lo}
}

// mag is |a| as an unsigned (hi, lo) and whether a is negative.
func (a Int128) mag() (hi, lo uint64, neg bool) {
	if a.Hi < 0 {
		n := a.neg()
		return uint64(n.Hi), n.Lo, true
	}
	return uint64(a.Hi), a.Lo, false
}

// fromMag is the Int128 of magnitude (hi, lo), negated when neg; ok is
// false when the magnitude has more than 38 digits.
func fromMag(hi, lo uint64, neg bool) (Int128, bool) {
	if !magFits(hi, lo, MaxPrecision) {
		return Int128{}, false
	}
	a := Int128{int64(hi), lo}
	if neg {
		a = a.neg()
	}
	return a, true
}

// magFits reports whether magnitude (hi, lo) < 10^p.
func magFits(hi, lo uint64, p int) bool {
	if p > MaxPrecision {
		p = MaxPrecision
	}
	m := pow10w[p]
	return hi < m[0] || hi == m[0] && lo < m[1]
}

// Fits128 reports whether a has at most p digits (|a| < 10^p).
func Fits128(a Int128, p int) bool {
	hi, lo, _ := a.mag()
	return magFits(hi, lo, p)
}

// Add128 is a + b; ok is false when it has more than 38 digits.
func Add128(a, b Int128) (Int128, bool) {
	lo, c := bits.Add64(a.Lo, b.Lo, 0)
	hi, _ := bits.Add64(uint64(a.Hi), uint64(b.Hi), c)
	s := Int128{int64(hi), lo}
	// operands within ±10^38 cannot wrap 128 bits (2·10^38 > 2^127 can: check the sign)
	if (a.Hi < 0) == (b.Hi < 0) && (s.Hi < 0) != (a.Hi < 0) {
		return Int128{}, false
	}
	return s, Fits128(s, MaxPrecision)
}

// Sub128 is a − b; ok is false when it has more than 38 digits.
func Sub128(a, b Int128) (Int128, bool) { return Add128(a, b.neg()) }

// Neg128 is −a (always within range).
func Neg128(a Int128) Int128 { return a.neg() }

// Abs128 is |a|.
func Abs128(a Int128) Int128 {
	if a.Hi < 0 {
		return a.neg()
	}
	return a
}

// MulWide is the exact product of two int64 unscaled values as an Int128:
// at most 19 + 19 = 38 digits, so it always fits.
func MulWide(a, b int64) Int128 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	hi -= uint64(a>>63)&uint64(b) + uint64(b>>63)&uint64(a)
	return Int128{int64(hi), lo}
}

// Mul128 is a × b; ok is false when it has more than 38 digits. Two
// values within 32 bits (a BIGINT price times a constant like 0.908, in
// DuckDB's DECIMAL(p > 18) typing) multiply in 64 bits: their product
// cannot leave 38 digits.
func Mul128(a, b Int128) (Int128, bool) {
	if a.Hi == int64(a.Lo)>>63 && b.Hi == int64(b.Lo)>>63 && a.Lo+1<<31 < 1<<32 && b.Lo+1<<31 < 1<<32 {
		p := int64(a.Lo) * int64(b.Lo)
		return Int128{p >> 63, uint64(p)}, true
	}
	ah, al, an := a.mag()
	bh, bl, bn := b.mag()
	if ah != 0 && bh != 0 {
		return Int128{}, false
	}
	if ah != 0 { // one of them has a high word: make it b
		ah, al, bh, bl = bh, bl, ah, al
	}
	// al × (bh, bl)
	h1, lo := bits.Mul64(al, bl)
	h2, l2 := bits.Mul64(al, bh)
	hi, c := bits.Add64(h1, l2, 0)
	if h2 != 0 || c != 0 {
		return Int128{}, false
	}
	return fromMag(hi, lo, an != bn)
}

// divSmall divides magnitude (hi, lo) by d > 0: quotient and remainder.
func divSmall(hi, lo, d uint64) (qh, ql, r uint64) {
	qh, r = bits.Div64(0, hi, d)
	ql, r = bits.Div64(r, lo, d)
	return qh, ql, r
}

// quoMag divides magnitude (hi, lo) by 10^n toward zero, and reports
// whether any nonzero digit was dropped.
func quoMag(hi, lo uint64, n int) (uint64, uint64, bool) {
	inexact := false
	for n > 0 {
		k := min(n, 19)
		var r uint64
		hi, lo, r = divSmall(hi, lo, pow10w[k][1])
		inexact = inexact || r != 0
		n -= k
	}
	return hi, lo, inexact
}

// Up128 is a × 10^n (n >= 0); ok is false when it has more than 38 digits.
func Up128(a Int128, n int) (Int128, bool) {
	if n == 0 {
		return a, true
	}
	if n > MaxPrecision {
		return Int128{}, a.Sign() == 0
	}
	m := pow10w[n]
	return Mul128(a, Int128{int64(m[0]), m[1]})
}

// Down128 is a / 10^n (n >= 0) rounded half away from zero.
func Down128(a Int128, n int) Int128 {
	if n == 0 {
		return a
	}
	if n > MaxPrecision+1 {
		return Int128{}
	}
	hi, lo, neg := a.mag()
	// a digit's worth less first, then the last digit decides
	hi, lo, _ = quoMag(hi, lo, n-1)
	hi, lo, r := divSmall(hi, lo, 10)
	if r >= 5 {
		var c uint64
		lo, c = bits.Add64(lo, 1, 0)
		hi += c
	}
	v, _ := fromMag(hi, lo, neg)
	return v
}

// Quo128 is a / 10^n (n >= 0) toward zero.
func Quo128(a Int128, n int) Int128 {
	if n > MaxPrecision {
		return Int128{}
	}
	hi, lo, neg := a.mag()
	hi, lo, _ = quoMag(hi, lo, n)
	v, _ := fromMag(hi, lo, neg)
	return v
}

// Rescale128 converts a from scale from to scale to, rounding when to < from.
func Rescale128(a Int128, from, to int) (Int128, bool) {
	if to >= from {
		return Up128(a, to-from)
	}
	return Down128(a, from-to), true
}

// Floor128 is the largest integer at or below a / 10^s, at scale 0.
func Floor128(a Int128, s int) Int128 {
	hi, lo, neg := a.mag()
	hi, lo, inexact := quoMag(hi, lo, s)
	if neg && inexact {
		var c uint64
		lo, c = bits.Add64(lo, 1, 0)
		hi += c
	}
	v, _ := fromMag(hi, lo, neg)
	return v
}

// Ceil128 is the smallest integer at or above a / 10^s, at scale 0.
func Ceil128(a Int128, s int) Int128 { return Floor128(a.neg(), s).neg() }

// Rem128 is the remainder of a / b (b not zero), with a's sign, as SQL's %.
// (math/big: % of DECIMAL(p > 18) is rare enough not to have its own division.)
func Rem128(a, b Int128) Int128 {
	r := new(big.Int).Rem(a.Big(), b.Big())
	v, _ := FromBig(r)
	return v
}

// Big is a as a big.Int.
func (a Int128) Big() *big.Int {
	hi, lo, neg := a.mag()
	x := new(big.Int).SetUint64(hi)
	x.Lsh(x, 64).Or(x, new(big.Int).SetUint64(lo))
	if neg {
		x.Neg(x)
	}
	return x
}

// FromBig is x as an Int128; ok is false when it has more than 38 digits.
func FromBig(x *big.Int) (Int128, bool) {
	if x.BitLen() > 127 {
		return Int128{}, false
	}
	m := new(big.Int).Abs(x)
	lo := m.Uint64()
	hi := new(big.Int).Rsh(m, 64).Uint64()
	return fromMag(hi, lo, x.Sign() < 0)
}

// ToFloat128 is a / 10^s as a float64 (the nearest one when a fits int64;
// otherwise within an ulp or two, as DuckDB's conversion of a HUGEINT).
func ToFloat128(a Int128, s int) float64 {
	if v, ok := a.Int64(); ok {
		return ToFloat(v, s)
	}
	hi, lo, neg := a.mag()
	f := float64(hi)*0x1p64 + float64(lo)
	if neg {
		f = -f
	}
	if s <= 22 {
		return f / float64pow10[s]
	}
	return f / math.Pow(10, float64(s))
}

// FromFloat128 is f at scale s, rounded half away from zero; ok is false
// when f is not finite or the result has more than p digits.
func FromFloat128(f float64, p, s int) (Int128, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Int128{}, false
	}
	x := math.Round(f * math.Pow(10, float64(s)))
	if s <= 22 {
		x = math.Round(f * float64pow10[s])
	}
	if x < 9e18 && x > -9e18 {
		a := From64(int64(x))
		return a, Fits128(a, p)
	}
	if math.Abs(x) >= 1e39 {
		return Int128{}, false
	}
	b, _ := new(big.Float).SetFloat64(x).Int(nil)
	a, ok := FromBig(b)
	return a, ok && Fits128(a, p)
}

// ToInt128 is a / 10^s rounded half away from zero as a BIGINT; ok is
// false when it does not fit.
func ToInt128(a Int128, s int) (int64, bool) { return Down128(a, s).Int64() }

// FromInt128 is v at scale s; ok is false when it has more than p digits.
func FromInt128(v int64, p, s int) (Int128, bool) {
	a, ok := Up128(From64(v), s)
	return a, ok && Fits128(a, p)
}

// Parse128 is Parse for DECIMAL(p, s) with p up to 38.
func Parse128(b []byte, p, s int) (Int128, error) {
	neg, digits, nd, point, err := scan(b)
	if err != nil || nd == 0 {
		return Int128{}, err
	}
	keep := point + s
	if keep > p {
		return Int128{}, ErrRange
	}
	var hi, lo uint64
	for k := range keep {
		d := uint64(0)
		if k < nd {
			d = uint64(digits[k])
		}
		h, l := bits.Mul64(lo, 10)
		hi = hi*10 + h
		var c uint64
		lo, c = bits.Add64(l, d, 0)
		hi += c
	}
	if keep >= 0 && keep < nd && digits[keep] >= 5 {
		var c uint64
		lo, c = bits.Add64(lo, 1, 0)
		hi += c
	}
	if !magFits(hi, lo, p) {
		return Int128{}, ErrRange
	}
	v, _ := fromMag(hi, lo, neg)
	return v, nil
}

// ParseString128 is ParseString for DECIMAL(p, s) with p up to 38.
func ParseString128(str string, p, s int) (Int128, bool) {
	b := []byte(str)
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	v, err := Parse128(b, p, s)
	return v, err == nil
}

// Append128 appends a at scale s as Append does.
func Append128(dst []byte, a Int128, s int) []byte {
	if v, ok := a.Int64(); ok {
		return Append(dst, v, s)
	}
	hi, lo, neg := a.mag()
	if neg {
		dst = append(dst, '-')
	}
	// the low 19 digits, then the rest (|a| < 10^39, so the rest fits a uint64)
	qh, ql, r := divSmall(hi, lo, 1e19)
	_ = qh // zero: 10^39 / 10^19 < 2^64
	var buf [48]byte
	var lowBuf [20]byte
	low := strconv.AppendUint(lowBuf[:0], r, 10)
	digits := buf[:0]
	if ql != 0 { // else the value is below 10^19 (and at least 2^63)
		digits = strconv.AppendUint(digits, ql, 10)
		for range 19 - len(low) {
			digits = append(digits, '0')
		}
	}
	digits = append(digits, low...)
	if s == 0 {
		return append(dst, digits...)
	}
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

// String128 is a at scale s as Append128 writes it.
func String128(a Int128, s int) string { return string(Append128(nil, a, s)) }
