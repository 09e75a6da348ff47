package sketch

import (
	"fmt"
	"math"
	"testing"
)

func TestHLLExactWhileSparse(t *testing.T) {
	var h HLL
	for i := range 1000 {
		h.Add(HashInt(int64(i % 200)))
	}
	if got := h.Estimate(); got != 200 {
		t.Fatalf("200 distinct values: estimate %d", got)
	}
}

func TestHLLErrorWithinBounds(t *testing.T) {
	for _, n := range []int{300, 1000, 5000, 20000, 200000} {
		var h HLL
		for i := range n {
			h.Add(HashString(fmt.Sprintf("v%d", i)))
			h.Add(HashString(fmt.Sprintf("v%d", i/2))) // repeats change nothing
		}
		got := float64(h.Estimate())
		if rel := math.Abs(got-float64(n)) / float64(n); rel > 0.05 { // 3 standard errors
			t.Errorf("%d distinct: estimate %v (%.1f%% off)", n, got, rel*100)
		}
	}
}

func TestHLLMergeAndEncoding(t *testing.T) {
	var a, b, all HLL
	for i := range 3000 {
		x := HashInt(int64(i))
		all.Add(x)
		if i%2 == 0 {
			a.Add(x)
		} else {
			b.Add(x)
		}
	}
	a.Merge(&b)
	if a.Estimate() != all.Estimate() {
		t.Fatalf("merged %d, one sketch %d", a.Estimate(), all.Estimate())
	}
	for _, h := range []*HLL{&a, {}, func() *HLL { var s HLL; s.Add(HashFloat(-0.0)); s.Add(HashFloat(0)); return &s }()} {
		var back HLL
		back.Load(string(h.AppendBinary(nil)))
		if back.Estimate() != h.Estimate() || string(back.AppendBinary(nil)) != string(h.AppendBinary(nil)) {
			t.Fatalf("round trip: %d, want %d", back.Estimate(), h.Estimate())
		}
	}
}
