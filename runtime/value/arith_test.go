package value

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// exact reports whether op(a, b) computed in math/big fits in int64.
func fits(x *big.Int) bool { return x.IsInt64() }

func TestCheckedIntOps(t *testing.T) {
	edge := []int64{0, 1, -1, 2, -2, 3, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1,
		1 << 32, -(1 << 32), 1 << 31, 3037000499, 3037000500, -3037000500, 1 << 62, -(1 << 62)}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		edge = append(edge, int64(rng.Uint64())>>rng.IntN(64))
	}
	ops := []struct {
		name string
		f    func(a, b int64, f *Fault) int64
		big  func(z, a, b *big.Int) *big.Int
	}{
		{"+", AddInt, (*big.Int).Add}, {"-", SubInt, (*big.Int).Sub}, {"*", MulInt, (*big.Int).Mul},
	}
	for _, op := range ops {
		for _, a := range edge[:60] {
			for _, b := range edge {
				var f Fault
				got := op.f(a, b, &f)
				want := op.big(new(big.Int), big.NewInt(a), big.NewInt(b))
				switch {
				case fits(want) && (f != 0 || got != want.Int64()):
					t.Fatalf("%d %s %d = %d (fault %d), want %s", a, op.name, b, got, f, want)
				case !fits(want) && f != FaultIntOverflow:
					t.Fatalf("%d %s %d = %d: overflow not detected (exact %s)", a, op.name, b, got, want)
				}
			}
		}
	}
	var f Fault
	if NegInt(math.MinInt64, &f); f != FaultIntOverflow {
		t.Errorf("-MinInt64 not detected")
	}
	f = 0
	if v := NegInt(math.MaxInt64, &f); f != 0 || v != -math.MaxInt64 {
		t.Errorf("-MaxInt64 = %d, fault %d", v, f)
	}
	if v := NegInt(0, &f); f != 0 || v != 0 {
		t.Errorf("-0 = %d, fault %d", v, f)
	}
	f = 0
	if v := AbsIntChecked(math.MinInt64, &f); f != FaultIntOverflow {
		t.Errorf("ABS(MinInt64) = %d, no fault", v)
	}
	f = 0
	if v := AbsIntChecked(-5, &f); f != 0 || v != 5 {
		t.Errorf("ABS(-5) = %d, fault %d", v, f)
	}
	// a fault, once set, is not cleared by a later good operation
	f = 0
	AddInt(math.MaxInt64, 1, &f)
	AddInt(1, 1, &f)
	if f != FaultIntOverflow {
		t.Errorf("a fault was cleared")
	}
}

func TestCheckedTime(t *testing.T) {
	var f Fault
	// TIMESTAMP '2024-01-01' + INTERVAL '100000000' DAY fits (DuckDB: 275814-09-14)
	ts := int64(1704067200000000)
	if v := AddTime(ts, 100000000*86400*1e6, &f); f != 0 || v != ts+100000000*86400*1e6 {
		t.Errorf("in range: %d, fault %d", v, f)
	}
	AddTime(ts, math.MaxInt64-ts+1, &f)
	if f != FaultTimestampRange {
		t.Errorf("overflow not detected")
	}
	f = 0
	SubTime(math.MinInt64+5, 6, &f)
	if f != FaultTimestampRange {
		t.Errorf("underflow not detected")
	}
}

// TestSumInt checks the 128-bit SUM accumulator against math/big, and that
// an intermediate overflow that comes back into range stays exact.
func TestSumInt(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 200; round++ {
		var lo, hi int64
		exact := new(big.Int)
		var parts [2][2]int64 // two halves summed separately, then merged
		n := 1 + rng.IntN(50)
		for i := 0; i < n; i++ {
			v := int64(rng.Uint64())
			if round%3 == 0 {
				v >>= rng.IntN(64)
			}
			lo, hi = SumInt(lo, hi, v)
			parts[i%2][0], parts[i%2][1] = SumInt(parts[i%2][0], parts[i%2][1], v)
			exact.Add(exact, big.NewInt(v))
		}
		got := new(big.Int).Lsh(big.NewInt(hi), 64)
		got.Add(got, big.NewInt(lo))
		if got.Cmp(exact) != 0 {
			t.Fatalf("round %d: sum %s, want %s", round, got, exact)
		}
		mlo, mhi := MergeSum(parts[0][0], parts[0][1], parts[1][0], parts[1][1])
		if mlo != lo || mhi != hi {
			t.Fatalf("round %d: merged (%d,%d), want (%d,%d)", round, mlo, mhi, lo, hi)
		}
		var f Fault
		r := SumResult(lo, hi, &f)
		if exact.IsInt64() != (f == 0) || (f == 0 && r != exact.Int64()) {
			t.Fatalf("round %d: result %d fault %d for %s", round, r, f, exact)
		}
		want, _ := new(big.Rat).SetFrac(exact, big.NewInt(int64(n))).Float64()
		if avg := AvgInt(lo, hi, int64(n)); hi != 0 && avg != want || hi == 0 && math.Abs(avg-want) > math.Abs(want)*1e-15 {
			t.Fatalf("round %d: avg %v, want %v", round, avg, want)
		}
	}
	// 2 × MaxInt64 (it wrapped to -2 before), then back into range
	var lo, hi int64
	lo, hi = SumInt(lo, hi, math.MaxInt64)
	lo, hi = SumInt(lo, hi, math.MaxInt64)
	var f Fault
	SumResult(lo, hi, &f)
	if f != FaultSumOverflow {
		t.Errorf("2 × MaxInt64: no fault")
	}
	if got := AvgInt(lo, hi, 2); got != math.MaxInt64 {
		t.Errorf("AVG of 2 × MaxInt64 = %v", got)
	}
	lo, hi = SumInt(lo, hi, math.MinInt64)
	lo, hi = SumInt(lo, hi, math.MinInt64)
	f = 0
	if r := SumResult(lo, hi, &f); f != 0 || r != -2 {
		t.Errorf("back in range: %d, fault %d", r, f)
	}
}

func TestFaultCodes(t *testing.T) {
	for _, f := range []Fault{FaultIntOverflow, FaultTimestampRange, FaultSumOverflow} {
		if f.Error()[:8] != f.Code() || f.Code() == "LDB-6000" {
			t.Errorf("fault %d: %q", f, f.Error())
		}
	}
}

// BenchmarkAddInt measures the checked add of the hot path against the plain one.
func BenchmarkAddInt(b *testing.B) {
	xs := make([]int64, 1024)
	for i := range xs {
		xs[i] = int64(i * 7919)
	}
	b.Run("plain", func(b *testing.B) {
		var s int64
		for i := 0; i < b.N; i++ {
			for _, x := range xs {
				s += x
			}
		}
		sink = s
	})
	b.Run("checked", func(b *testing.B) {
		var s int64
		var f Fault
		for i := 0; i < b.N; i++ {
			for _, x := range xs {
				s = AddInt(s, x, &f)
			}
		}
		sink = s + int64(f)
	})
	b.Run("sum128", func(b *testing.B) {
		var lo, hi int64
		for i := 0; i < b.N; i++ {
			for _, x := range xs {
				lo, hi = SumInt(lo, hi, x)
			}
		}
		sink = lo + hi
	})
}

var sink int64

func TestSet(t *testing.T) {
	s := NewSet([]int64{5, 3, 9, 3, math.MinInt64})
	for _, x := range []int64{5, 3, 9, math.MinInt64} {
		if !s.Has(x) {
			t.Errorf("%d not found", x)
		}
	}
	for _, x := range []int64{0, 4, 10, math.MaxInt64} {
		if s.Has(x) {
			t.Errorf("%d found", x)
		}
	}
	if f := NewSet([]float64{0, 1.5}); !f.Has(math.Copysign(0, -1)) || f.Has(1) {
		t.Errorf("float set")
	}
	if st := NewSet([]string{"b", "a"}); !st.Has("a") || st.Has("") {
		t.Errorf("string set")
	}
}

// TestSumIntWeighted: retractions subtract exactly, MinInt64 included.
func TestSumIntWeighted(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var lo, hi int64
	exact := new(big.Int)
	for i := 0; i < 5000; i++ {
		v := int64(rng.Uint64())
		if i%7 == 0 {
			v = math.MinInt64
		}
		w := int64(1)
		if rng.IntN(2) == 0 {
			w = -1
		}
		lo, hi = SumIntWeighted(lo, hi, v, w)
		exact.Add(exact, new(big.Int).Mul(big.NewInt(v), big.NewInt(w)))
		got := new(big.Int).Lsh(big.NewInt(hi), 64)
		got.Add(got, big.NewInt(lo))
		if got.Cmp(exact) != 0 {
			t.Fatalf("step %d: %s, want %s", i, got, exact)
		}
	}
}
