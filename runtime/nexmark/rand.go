package nexmark

import (
	"math"
	"math/bits"
)

// random is SplitMix64: one add and three mixing steps per draw, no allocation,
// and a state that is cheap to set per event.
type random struct{ state uint64 }

const golden = 0x9e3779b97f4a7c15

// mix64 is SplitMix64's output function, a bijective scrambler of 64 bits.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// eventRandom returns the random stream of event n. Its start is scrambled, so
// the streams of neighbouring events do not overlap in any practical length.
func eventRandom(seedKey uint64, n int64) random {
	return random{state: mix64(seedKey + uint64(n)*golden)}
}

func (r *random) next() uint64 {
	r.state += golden
	return mix64(r.state)
}

// intn returns a uniform int64 in [0, n) for n > 0 (Lemire's multiply-shift;
// its bias is below 2^-40 for the bounds used here).
func (r *random) intn(n int64) int64 {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int64(hi)
}

// float returns a uniform float64 in [0, 1).
func (r *random) float() float64 {
	return float64(r.next()>>11) * 0x1p-53
}

// price returns round(10^(6u) * 100) for a uniform u in [0, 1): $1 to $1M in
// cents, log-uniform, as the reference's PriceGenerator.
func (r *random) price() int64 {
	return int64(pow10x6(r.float())*100 + 0.5)
}

// pow10x6 returns 10^(6u) for u in [0, 1) to within a few ulps, about three
// times as fast as math.Exp (prices are most of the generator's arithmetic):
// 10^(6u) = 2^t = 2^whole * 2^(j/1024) * 2^rest, the middle factor from a
// table and the last, rest < 1/1024, from a short Taylor series.
func pow10x6(u float64) float64 {
	scaled := u * (6 * math.Log2E * math.Ln10 * fractionSteps)
	i := int(scaled)
	y := (scaled - float64(i)) * (math.Ln2 / fractionSteps) // 2^rest = e^y, y < 6.8e-4
	series := 1 + y*(1+y*(1.0/2+y*(1.0/6+y*(1.0/24))))
	return float64(int64(1)<<(i/fractionSteps)) * pow2Fractions[i%fractionSteps] * series
}

const fractionSteps = 1024

// pow2Fractions[j] = 2^(j/1024).
var pow2Fractions = func() (t [fractionSteps]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / fractionSteps)
	}
	return t
}()
