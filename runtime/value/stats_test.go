package value

import (
	"math"
	"testing"
)

func TestWelfordAndMerge(t *testing.T) {
	xs := []float64{2, 4, 4, 4, 5, 5, 7, 9}
	var n int64
	var mean, m2 float64
	for _, x := range xs {
		n, mean, m2 = Welford(n, mean, m2, x, 1)
	}
	if v := VarPop(n, m2); v.V != 4 || StddevPop(n, m2).V != 2 {
		t.Fatalf("var_pop %v", v)
	}
	if v := VarSamp(1, 0); v.Valid {
		t.Fatal("VAR_SAMP of one value is NULL")
	}
	if v := VarPop(0, 0); v.Valid {
		t.Fatal("VAR_POP of nothing is NULL")
	}
	// pane merge equals folding everything
	var n1, n2 int64
	var a1, q1, a2, q2 float64
	for i, x := range xs {
		if i < 3 {
			n1, a1, q1 = Welford(n1, a1, q1, x, 1)
		} else {
			n2, a2, q2 = Welford(n2, a2, q2, x, 1)
		}
	}
	mn, _, mq := WelfordMerge(n1, a1, q1, n2, a2, q2)
	if mn != 8 || math.Abs(mq/8-4) > 1e-12 {
		t.Fatalf("merged n %d var %v", mn, mq/8)
	}
}
