package value

import "math"

// Welford folds x into the running count n, mean and sum of squared
// deviations m2 of a STDDEV or VARIANCE aggregate over append-only input, w
// times. The update is DuckDB's (Welford's), so results match it bit for bit.
// (Over an updating input the aggregate keeps its values instead:
// window.Moments.)
func Welford(n int64, mean, m2, x float64, w int64) (int64, float64, float64) {
	for ; w > 0; w-- {
		n++
		d := x - mean
		mean += d / float64(n)
		m2 += d * (x - mean)
	}
	return n, mean, m2
}

// WelfordMerge combines two running (count, mean, m2) states, Chan et al.'s
// pairwise update (a hopping window's panes).
func WelfordMerge(n int64, mean, m2 float64, n2 int64, mean2, m22 float64) (int64, float64, float64) {
	if n2 == 0 {
		return n, mean, m2
	}
	if n == 0 {
		return n2, mean2, m22
	}
	t := n + n2
	d := mean2 - mean
	mean += d * float64(n2) / float64(t)
	m2 += m22 + d*d*float64(n)*float64(n2)/float64(t)
	return t, mean, m2
}

// VarPop is VAR_POP of a running state: NULL over no values.
func VarPop(n int64, m2 float64) Null[float64] {
	if n == 0 {
		return Null[float64]{}
	}
	return Null[float64]{V: m2 / float64(n), Valid: true}
}

// VarSamp is VAR_SAMP (VARIANCE): NULL over fewer than two values.
func VarSamp(n int64, m2 float64) Null[float64] {
	if n < 2 {
		return Null[float64]{}
	}
	return Null[float64]{V: m2 / float64(n-1), Valid: true}
}

// StddevPop is STDDEV_POP, the square root of VAR_POP.
func StddevPop(n int64, m2 float64) Null[float64] {
	v := VarPop(n, m2)
	v.V = math.Sqrt(v.V)
	return v
}

// StddevSamp is STDDEV_SAMP (STDDEV), the square root of VAR_SAMP.
func StddevSamp(n int64, m2 float64) Null[float64] {
	v := VarSamp(n, m2)
	v.V = math.Sqrt(v.V)
	return v
}
