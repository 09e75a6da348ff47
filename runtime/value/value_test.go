package value

import (
	"math"
	"testing"
)

var null = Null[bool]{}

func TestOfAndZeroNull(t *testing.T) {
	if got := Of(int64(7)); got != (Null[int64]{V: 7, Valid: true}) {
		t.Errorf("Of(7) = %+v", got)
	}
	// A NULL result has one representation, so Null values work as map keys.
	if got := Add(Of(int64(3)), Null[int64]{}); got != (Null[int64]{}) {
		t.Errorf("Add(3, NULL) = %+v, want the zero Null", got)
	}
}

func TestThreeValuedLogic(t *testing.T) {
	T, F, N := Of(true), Of(false), null
	cases := []struct {
		name     string
		a, b     Null[bool]
		and, or_ Null[bool]
	}{
		{"TRUE,TRUE", T, T, T, T},
		{"TRUE,FALSE", T, F, F, T},
		{"TRUE,NULL", T, N, N, T},
		{"FALSE,TRUE", F, T, F, T},
		{"FALSE,FALSE", F, F, F, F},
		{"FALSE,NULL", F, N, F, N},
		{"NULL,TRUE", N, T, N, T},
		{"NULL,FALSE", N, F, F, N},
		{"NULL,NULL", N, N, N, N},
	}
	for _, c := range cases {
		if got := And(c.a, c.b); got != c.and {
			t.Errorf("%s: AND = %+v, want %+v", c.name, got, c.and)
		}
		if got := Or(c.a, c.b); got != c.or_ {
			t.Errorf("%s: OR = %+v, want %+v", c.name, got, c.or_)
		}
	}
	for _, c := range []struct{ a, not Null[bool] }{{T, F}, {F, T}, {N, N}} {
		if got := Not(c.a); got != c.not {
			t.Errorf("NOT %+v = %+v, want %+v", c.a, got, c.not)
		}
	}
	for _, c := range []struct {
		a    Null[bool]
		want bool
	}{{T, true}, {F, false}, {N, false}} {
		if got := IsTrue(c.a); got != c.want {
			t.Errorf("IsTrue(%+v) = %v", c.a, got)
		}
	}
}

// TestNullPropagation checks that every binary arithmetic and comparison
// function returns NULL when either input is NULL, and a value otherwise.
func TestNullPropagation(t *testing.T) {
	type intFn = func(a, b Null[int64]) Null[int64]
	type floatFn = func(a, b Null[float64]) Null[float64]
	type cmpFn = func(a, b Null[int64]) Null[bool]
	type strCmpFn = func(a, b Null[string]) Null[bool]
	intFns := map[string]intFn{
		"Add": Add[int64], "Sub": Sub[int64], "Mul": Mul[int64], "DivInt": DivInt, "ModInt": ModInt,
	}
	floatFns := map[string]floatFn{
		"Add": Add[float64], "Sub": Sub[float64], "Mul": Mul[float64], "DivFloat": DivFloat, "ModFloat": ModFloat,
	}
	cmpFns := map[string]cmpFn{
		"Eq": Eq[int64], "Ne": Ne[int64], "Lt": Lt[int64], "Le": Le[int64], "Gt": Gt[int64], "Ge": Ge[int64],
	}
	strFns := map[string]strCmpFn{
		"Eq": Eq[string], "Ne": Ne[string], "Lt": Lt[string], "Le": Le[string], "Gt": Gt[string], "Ge": Ge[string],
	}
	for name, f := range intFns {
		checkNulls(t, name+"[int64]", f, Of(int64(7)), Of(int64(2)))
	}
	for name, f := range floatFns {
		checkNulls(t, name+"[float64]", f, Of(7.5), Of(2.0))
	}
	for name, f := range cmpFns {
		checkNulls(t, name+"[int64]", f, Of(int64(7)), Of(int64(2)))
	}
	for name, f := range strFns {
		checkNulls(t, name+"[string]", f, Of("a"), Of("b"))
	}
	checkNulls(t, "Concat", Concat, Of("a"), Of("b"))
	if got := Neg(Null[int64]{}); got.Valid {
		t.Errorf("Neg(NULL) = %+v", got)
	}
	if got := Neg(Of(2.5)); got != Of(-2.5) {
		t.Errorf("Neg(2.5) = %+v", got)
	}
	if got := Not(null); got.Valid {
		t.Errorf("Not(NULL) = %+v", got)
	}
}

func checkNulls[T, R comparable](t *testing.T, name string, f func(a, b Null[T]) Null[R], a, b Null[T]) {
	t.Helper()
	var n Null[T]
	if got := f(a, b); !got.Valid {
		t.Errorf("%s(valid, valid) is NULL", name)
	}
	for _, args := range [][2]Null[T]{{n, b}, {a, n}, {n, n}} {
		if got := f(args[0], args[1]); got != (Null[R]{}) {
			t.Errorf("%s(%+v, %+v) = %+v, want NULL", name, args[0], args[1], got)
		}
	}
}

func TestArithmetic(t *testing.T) {
	if got := Add(Of(int64(2)), Of(int64(3))); got != Of(int64(5)) {
		t.Errorf("Add = %+v", got)
	}
	if got := Sub(Of(2.5), Of(0.5)); got != Of(2.0) {
		t.Errorf("Sub = %+v", got)
	}
	if got := Mul(Of(int64(-4)), Of(int64(3))); got != Of(int64(-12)) {
		t.Errorf("Mul = %+v", got)
	}
	type myInt int64 // ~int64 is in Number
	if got := Add(Of(myInt(1)), Of(myInt(2))); got != Of(myInt(3)) {
		t.Errorf("Add[myInt] = %+v", got)
	}
}

func TestDivModInt(t *testing.T) {
	var n Null[int64]
	cases := []struct {
		a, b     int64
		div, mod Null[int64]
	}{
		{7, 2, Of[int64](3), Of[int64](1)},
		{-7, 2, Of[int64](-3), Of[int64](-1)}, // truncation toward zero; sign of dividend
		{7, -2, Of[int64](-3), Of[int64](1)},
		{-7, -2, Of[int64](3), Of[int64](-1)},
		{0, 5, Of[int64](0), Of[int64](0)},
		{7, 0, n, n},
		{0, 0, n, n},
		{math.MinInt64, -1, n, Of[int64](0)}, // quotient overflows
		{math.MinInt64, 1, Of[int64](math.MinInt64), Of[int64](0)},
		{math.MaxInt64, -1, Of[int64](-math.MaxInt64), Of[int64](0)},
		{math.MinInt64, 2, Of[int64](math.MinInt64 / 2), Of[int64](0)},
	}
	for _, c := range cases {
		if got := DivIntNN(c.a, c.b); got != c.div {
			t.Errorf("DivIntNN(%d, %d) = %+v, want %+v", c.a, c.b, got, c.div)
		}
		if got := DivInt(Of(c.a), Of(c.b)); got != c.div {
			t.Errorf("DivInt(%d, %d) = %+v, want %+v", c.a, c.b, got, c.div)
		}
		if got := ModIntNN(c.a, c.b); got != c.mod {
			t.Errorf("ModIntNN(%d, %d) = %+v, want %+v", c.a, c.b, got, c.mod)
		}
		if got := ModInt(Of(c.a), Of(c.b)); got != c.mod {
			t.Errorf("ModInt(%d, %d) = %+v, want %+v", c.a, c.b, got, c.mod)
		}
	}
}

func TestDivModFloat(t *testing.T) {
	var n Null[float64]
	inf := math.Inf(1)
	cases := []struct {
		a, b     float64
		div, mod Null[float64]
	}{
		{7, 2, Of(3.5), Of(1.0)},
		{-7, 2, Of(-3.5), Of(-1.0)},
		{7, -2, Of(-3.5), Of(1.0)},
		{5.5, 2, Of(2.75), Of(1.5)},
		{1, 0, n, n},
		{1, math.Copysign(0, -1), n, n},
		{0, 0, n, n},
		{1, inf, Of(0.0), Of(1.0)},
	}
	for _, c := range cases {
		if got := DivFloatNN(c.a, c.b); got != c.div {
			t.Errorf("DivFloatNN(%g, %g) = %+v, want %+v", c.a, c.b, got, c.div)
		}
		if got := DivFloat(Of(c.a), Of(c.b)); got != c.div {
			t.Errorf("DivFloat(%g, %g) = %+v, want %+v", c.a, c.b, got, c.div)
		}
		if got := ModFloatNN(c.a, c.b); got != c.mod {
			t.Errorf("ModFloatNN(%g, %g) = %+v, want %+v", c.a, c.b, got, c.mod)
		}
		if got := ModFloat(Of(c.a), Of(c.b)); got != c.mod {
			t.Errorf("ModFloat(%g, %g) = %+v, want %+v", c.a, c.b, got, c.mod)
		}
	}
	// NaN divided by a non-zero number is NaN, not NULL.
	if got := DivFloatNN(math.NaN(), 2); !got.Valid || !math.IsNaN(got.V) {
		t.Errorf("DivFloatNN(NaN, 2) = %+v", got)
	}
}

func TestCompare(t *testing.T) {
	type want struct{ eq, ne, lt, le, gt, ge bool }
	check := func(name string, eq, ne, lt, le, gt, ge Null[bool], w want) {
		t.Helper()
		got := []Null[bool]{eq, ne, lt, le, gt, ge}
		exp := []bool{w.eq, w.ne, w.lt, w.le, w.gt, w.ge}
		for i, op := range []string{"=", "<>", "<", "<=", ">", ">="} {
			if got[i] != Of(exp[i]) {
				t.Errorf("%s %s: got %+v, want %v", name, op, got[i], exp[i])
			}
		}
	}
	i1, i2 := Of(int64(1)), Of(int64(2))
	check("1 vs 2", Eq(i1, i2), Ne(i1, i2), Lt(i1, i2), Le(i1, i2), Gt(i1, i2), Ge(i1, i2),
		want{false, true, true, true, false, false})
	check("2 vs 2", Eq(i2, i2), Ne(i2, i2), Lt(i2, i2), Le(i2, i2), Gt(i2, i2), Ge(i2, i2),
		want{true, false, false, true, false, true})
	// Strings compare bytewise: "B" < "a", "é" (0xC3...) > "z".
	sB, sa, se := Of("B"), Of("a"), Of("é")
	check("B vs a", Eq(sB, sa), Ne(sB, sa), Lt(sB, sa), Le(sB, sa), Gt(sB, sa), Ge(sB, sa),
		want{false, true, true, true, false, false})
	check("é vs a", Eq(se, sa), Ne(se, sa), Lt(se, sa), Le(se, sa), Gt(se, sa), Ge(se, sa),
		want{false, true, false, false, true, true})
	// NaN follows Go: only <> is true, also against itself.
	nan, one := Of(math.NaN()), Of(1.0)
	check("NaN vs 1", Eq(nan, one), Ne(nan, one), Lt(nan, one), Le(nan, one), Gt(nan, one), Ge(nan, one),
		want{false, true, false, false, false, false})
	check("NaN vs NaN", Eq(nan, nan), Ne(nan, nan), Lt(nan, nan), Le(nan, nan), Gt(nan, nan), Ge(nan, nan),
		want{false, true, false, false, false, false})
	// Equal booleans (Eq only needs comparable).
	if got := Eq(Of(true), Of(true)); got != Of(true) {
		t.Errorf("TRUE = TRUE: %+v", got)
	}
}

// TestInlinedNoAlloc checks that the NULL-aware operators do not allocate.
func TestInlinedNoAlloc(t *testing.T) {
	a, b := Of(int64(3)), Of(int64(4))
	var sink Null[bool]
	allocs := testing.AllocsPerRun(100, func() {
		sink = And(Lt(Add(a, b), Mul(a, b)), Eq(DivInt(a, b), ModInt(b, a)))
	})
	if allocs != 0 {
		t.Errorf("allocations per run = %v, want 0", allocs)
	}
	_ = sink
}
