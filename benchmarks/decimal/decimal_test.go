// Package decimal benchmarks representations of DECIMAL for Laminar's
// generated code (docs/benchmarks.md, "DECIMAL"): the int64 fixed-point of
// runtime/decimal that Laminar uses, a 128-bit fixed-point (what p > 18
// would need), and github.com/cockroachdb/apd/v3, on Nexmark q1's work
// per row: 0.908 * price, checked, then written as JSON with its 3 digits.
// Compare instructions per op under callgrind (see measure.sh); wall-clock
// ns/op on a shared machine is noise.
package decimal

import (
	"math/bits"
	"strconv"
	"testing"

	"github.com/cockroachdb/apd/v3"
	"github.com/laminar-sql/laminar/runtime/decimal"
	"github.com/laminar-sql/laminar/runtime/value"
)

// prices cycle through Nexmark-like bid prices (cents, $1 to $1M).
var prices = func() []int64 {
	p := make([]int64, 1024)
	x := uint64(88172645463325252)
	for i := range p {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		p[i] = 100 + int64(x%100_000_000)
	}
	return p
}()

var sink []byte

// BenchmarkEmpty is the loop alone, to subtract.
func BenchmarkEmpty(b *testing.B) {
	buf := make([]byte, 0, 64)
	for i := 0; i < b.N; i++ {
		buf = append(buf[:0], byte(prices[i&1023]))
	}
	sink = buf
}

// BenchmarkInt64 is Laminar's DECIMAL: value.MulDec and jsonl's AppendDecimal.
func BenchmarkInt64(b *testing.B) {
	buf := make([]byte, 0, 64)
	var f value.Fault
	for i := 0; i < b.N; i++ {
		u := value.MulDec(908, prices[i&1023], &f)
		buf = decimal.Append(buf[:0], u, 3)
	}
	if f != 0 {
		b.Fatal(f)
	}
	sink = buf
}

// BenchmarkFloat64 is q1 as a DOUBLE (0.908 * float64(price)), written as
// the shortest float: what DECIMAL replaces.
func BenchmarkFloat64(b *testing.B) {
	buf := make([]byte, 0, 64)
	for i := 0; i < b.N; i++ {
		buf = strconv.AppendFloat(buf[:0], 0.908*float64(prices[i&1023]), 'f', -1, 64)
	}
	sink = buf
}

// int128 is a two's-complement 128-bit unscaled value.
type int128 struct {
	hi int64
	lo uint64
}

// mul128 multiplies a 128-bit value by an int64, reporting overflow.
func mul128(a int128, b int64) (int128, bool) {
	neg := (a.hi < 0) != (b < 0)
	ua := a
	if a.hi < 0 {
		ua.lo = -a.lo
		ua.hi = ^a.hi
		if ua.lo == 0 {
			ua.hi++
		}
	}
	ub := uint64(b)
	if b < 0 {
		ub = -ub
	}
	h1, lo := bits.Mul64(ua.lo, ub)
	h2, l2 := bits.Mul64(uint64(ua.hi), ub)
	hi, c := bits.Add64(h1, l2, 0)
	if h2 != 0 || c != 0 || hi>>63 != 0 {
		return int128{}, false
	}
	r := int128{int64(hi), lo}
	if neg {
		r.lo = -lo
		r.hi = ^r.hi
		if r.lo == 0 {
			r.hi++
		}
	}
	return r, true
}

// append128 writes a non-negative 128-bit value at scale s.
func append128(dst []byte, a int128, s int) []byte {
	var digits [40]byte
	i := len(digits)
	hi, lo := uint64(a.hi), a.lo
	for hi != 0 {
		var r uint64
		hi, r = bits.Div64(0, hi, 1e19)
		lo, r = bits.Div64(r, lo, 1e19)
		for range 19 {
			i--
			digits[i] = byte('0' + r%10)
			r /= 10
		}
	}
	for lo != 0 || len(digits)-i <= s {
		i--
		digits[i] = byte('0' + lo%10)
		lo /= 10
	}
	n := len(digits) - i
	dst = append(dst, digits[i:i+n-s]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-s:]...)
}

// BenchmarkInt128 is a 128-bit fixed-point.
func BenchmarkInt128(b *testing.B) {
	buf := make([]byte, 0, 64)
	k := int128{0, 908}
	for i := 0; i < b.N; i++ {
		u, ok := mul128(k, prices[i&1023])
		if !ok {
			b.Fatal("overflow")
		}
		buf = append128(buf[:0], u, 3)
	}
	sink = buf
}

// BenchmarkAPD is cockroachdb/apd: Mul in a 38-digit context (traps on
// overflow), then Text('f').
func BenchmarkAPD(b *testing.B) {
	ctx := apd.BaseContext.WithPrecision(38)
	k := apd.New(908, -3)
	var p, r apd.Decimal
	buf := make([]byte, 0, 64)
	for i := 0; i < b.N; i++ {
		p.SetInt64(prices[i&1023])
		if _, err := ctx.Mul(&r, k, &p); err != nil {
			b.Fatal(err)
		}
		buf = r.Append(buf[:0], 'f')
	}
	sink = buf
}

// TestSameText: the three representations write the same text.
func TestSameText(t *testing.T) {
	ctx := apd.BaseContext.WithPrecision(38)
	for _, p := range prices[:100] {
		var f value.Fault
		a := string(decimal.Append(nil, value.MulDec(908, p, &f), 3))
		u, _ := mul128(int128{0, 908}, p)
		b := string(append128(nil, u, 3))
		var r apd.Decimal
		ctx.Mul(&r, apd.New(908, -3), apd.New(p, 0))
		c := string(r.Append(nil, 'f'))
		if a != b || a != c {
			t.Fatalf("%d: %s %s %s", p, a, b, c)
		}
	}
}

var total int64

// The multiplications alone (with their overflow checks).

func BenchmarkMulInt64(b *testing.B) {
	var f value.Fault
	var s int64
	for i := 0; i < b.N; i++ {
		s += value.MulDec(908, prices[i&1023], &f)
	}
	total = s
}

func BenchmarkMulInt128(b *testing.B) {
	var s uint64
	k := int128{0, 908}
	for i := 0; i < b.N; i++ {
		u, _ := mul128(k, prices[i&1023])
		s += u.lo
	}
	total = int64(s)
}

func BenchmarkMulAPD(b *testing.B) {
	ctx := apd.BaseContext.WithPrecision(38)
	k := apd.New(908, -3)
	var p, r apd.Decimal
	var s int64
	for i := 0; i < b.N; i++ {
		p.SetInt64(prices[i&1023])
		ctx.Mul(&r, k, &p)
		s += int64(r.Exponent)
	}
	total = s
}

func BenchmarkEmptySum(b *testing.B) {
	var s int64
	for i := 0; i < b.N; i++ {
		s += prices[i&1023]
	}
	total = s
}
