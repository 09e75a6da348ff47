package decimal

import (
	"math/big"
	mathrand "math/rand"
	"math/rand/v2"
	"testing"
)

var ten38 = new(big.Int).Exp(big.NewInt(10), big.NewInt(38), nil)

// rand128 is a random value of up to 38 digits, of a random digit count.
func rand128(r *rand.Rand) *big.Int {
	n := 1 + r.IntN(38)
	x := new(big.Int).Rand(r2(r), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil))
	if r.IntN(2) == 0 {
		x.Neg(x)
	}
	return x
}

type src struct{ r *rand.Rand }

func (s src) Int63() int64 { return s.r.Int64() }
func (s src) Seed(int64)   {}

func r2(r *rand.Rand) *mrand { return newMrand(src{r}) }

func fits38(x *big.Int) bool { return new(big.Int).Abs(x).Cmp(ten38) < 0 }

func must(t *testing.T, x *big.Int) Int128 {
	t.Helper()
	a, ok := FromBig(x)
	if !ok {
		t.Fatalf("FromBig(%s)", x)
	}
	return a
}

// roundHalfAway is x / 10^n rounded half away from zero.
func roundHalfAway(x *big.Int, n int) *big.Int {
	m := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
	q, r := new(big.Int).QuoRem(x, m, new(big.Int))
	r.Abs(r).Mul(r, big.NewInt(2))
	if r.Cmp(m) >= 0 {
		q.Add(q, big.NewInt(int64(x.Sign())))
	}
	return q
}

func TestInt128Arith(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		x, y := rand128(r), rand128(r)
		a, b := must(t, x), must(t, y)
		if a.Big().Cmp(x) != 0 {
			t.Fatalf("round trip %s", x)
		}
		if got, want := a.Cmp(b), x.Cmp(y); got != want || a.Less(b) != (want < 0) {
			t.Fatalf("Cmp(%s, %s) = %d", x, y, got)
		}
		check := func(op string, got Int128, ok bool, want *big.Int) {
			t.Helper()
			if !fits38(want) {
				if ok {
					t.Fatalf("%s %s %s: ok beyond 38 digits", x, op, y)
				}
				return
			}
			if !ok || got.Big().Cmp(want) != 0 {
				t.Fatalf("%s %s %s = %s, %v; want %s", x, op, y, got.Big(), ok, want)
			}
		}
		s, ok := Add128(a, b)
		check("+", s, ok, new(big.Int).Add(x, y))
		s, ok = Sub128(a, b)
		check("-", s, ok, new(big.Int).Sub(x, y))
		s, ok = Mul128(a, b)
		check("*", s, ok, new(big.Int).Mul(x, y))
		if y.Sign() != 0 {
			check("%", Rem128(a, b), true, new(big.Int).Rem(x, y))
		}
		n := r.IntN(40)
		check("down", Down128(a, n), true, roundHalfAway(x, n))
		m := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
		check("quo", Quo128(a, n), true, new(big.Int).Quo(x, m))
		fl := new(big.Int).Div(x, m) // Euclidean: floor for m > 0
		check("floor", Floor128(a, n), true, fl)
		if n <= 38 {
			s, ok = Up128(a, n)
			check("up", s, ok, new(big.Int).Mul(x, m))
		}
		// text round trip at a random scale
		sc := r.IntN(39)
		str := String128(a, sc)
		back, err := Parse128([]byte(str), 38, sc)
		if err != nil || back != a {
			t.Fatalf("Parse128(%q) = %v, %v; want %v", str, back, err, a)
		}
		if v, ok := a.Int64(); ok && String(v, sc) != str {
			t.Fatalf("String128 %q, String %q", str, String(v, sc))
		}
		if x.IsInt64() {
			if w := MulWide(x.Int64(), 7); w.Big().Cmp(new(big.Int).Mul(x, big.NewInt(7))) != 0 && x.BitLen() < 60 {
				t.Fatalf("MulWide %s", x)
			}
		}
	}
}

func TestInt128Text(t *testing.T) {
	for _, c := range []struct {
		in   string
		p, s int
		want string
		err  error
	}{
		{"12345678901234567890.125", 38, 2, "12345678901234567890.13", nil},
		{"-12345678901234567890.125", 38, 2, "-12345678901234567890.13", nil},
		{"99999999999999999999999999999999999999", 38, 0, "99999999999999999999999999999999999999", nil},
		{"100000000000000000000000000000000000000", 38, 0, "", ErrRange},
		{"9999999999999999999999999999999999999.95", 38, 1, "", ErrRange},
		{"0.000000000000000000000000000000000001", 38, 38, "0.00000000000000000000000000000000000100", nil},
		{"1e30", 38, 2, "1000000000000000000000000000000.00", nil},
		{"12.5", 20, 0, "13", nil}, {"-12.5", 20, 0, "-13", nil},
		{"9876543120987654240", 20, 0, "9876543120987654240", nil}, {"-98765431209876542.40", 20, 2, "-98765431209876542.40", nil},
		{"x", 38, 2, "", ErrSyntax},
	} {
		got, err := Parse128([]byte(c.in), c.p, c.s)
		if err != c.err || err == nil && String128(got, c.s) != c.want {
			t.Errorf("Parse128(%q, %d, %d) = %s, %v; want %s, %v", c.in, c.p, c.s, String128(got, c.s), err, c.want, c.err)
		}
	}
	if f := ToFloat128(must(t, big.NewInt(125)), 2); f != 1.25 {
		t.Errorf("ToFloat128 = %v", f)
	}
	x, _ := new(big.Int).SetString("12345678901234567890123", 10)
	if f := ToFloat128(must(t, x), 3); f != 12345678901234567890.123 {
		t.Errorf("ToFloat128 = %v", f)
	}
	if a, ok := FromFloat128(0x1p80, 38, 1); !ok || String128(a, 1) != "1208925819614629174706176.0" {
		t.Errorf("FromFloat128 = %s %v", String128(a, 1), ok)
	}
	if _, ok := FromFloat128(1e37, 38, 2); ok {
		t.Errorf("FromFloat128(1e37) into 36 integer digits: ok")
	}
	if v, ok := ToInt128(must(t, big.NewInt(-25)), 1); !ok || v != -3 {
		t.Errorf("ToInt128 = %d", v)
	}
}

type mrand = mathrand.Rand

func newMrand(s mathrand.Source) *mrand { return mathrand.New(s) }

// Mul128's 64-bit path takes operands within 32 bits: at its edges, on
// both sides of them, and with the other operand wide.
func TestMul128SmallOperands(t *testing.T) {
	edges := []int64{0, 1, -1, 908, -908, 1<<31 - 1, -1 << 31, 1 << 31, -1<<31 - 1, 1<<62 + 5, -(1 << 62)}
	wide, _ := new(big.Int).SetString("-12345678901234567890123", 10)
	for _, x := range edges {
		for _, y := range append(edges, 0) {
			vals := [][2]*big.Int{{big.NewInt(x), big.NewInt(y)}, {big.NewInt(x), wide}}
			for _, v := range vals {
				got, ok := Mul128(must(t, v[0]), must(t, v[1]))
				want := new(big.Int).Mul(v[0], v[1])
				if !fits38(want) {
					if ok {
						t.Errorf("%s * %s: ok beyond 38 digits", v[0], v[1])
					}
					continue
				}
				if !ok || got.Big().Cmp(want) != 0 {
					t.Errorf("%s * %s = %s, %v; want %s", v[0], v[1], got.Big(), ok, want)
				}
			}
		}
	}
}
