package job

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// Histogram counts durations in log-linear buckets, as HDR histograms do:
// each power of two of nanoseconds is split into histSub buckets, so a
// quantile is within 1/histSub (6%) of the truth at any scale, in a fixed
// 1,000-odd counters however many values it sees. Observe is safe to call
// from one goroutine while others read.
type Histogram struct {
	counts [histBuckets]atomic.Uint64
	sum    atomic.Int64 // nanoseconds
	n      atomic.Uint64
}

const (
	histSubBits = 4
	histSub     = 1 << histSubBits
	// values up to 2^62 ns (146 years): 62 powers of two of histSub each
	histBuckets = (64 - histSubBits) * histSub
)

// bucketOf is the bucket of v nanoseconds: values below histSub have a
// bucket each, above that the top histSubBits+1 bits pick it.
func bucketOf(v uint64) int {
	if v < histSub {
		return int(v)
	}
	exp := bits.Len64(v) - histSubBits - 1 // v >> exp is in [histSub, 2*histSub)
	return (exp+1)*histSub + int(v>>exp) - histSub
}

// bucketUpper is the least value above bucket i (its exclusive bound).
func bucketUpper(i int) uint64 {
	if i < histSub {
		return uint64(i) + 1
	}
	exp := i/histSub - 1
	return uint64(histSub+i%histSub+1) << exp
}

// Observe counts one duration; negative ones count as 0.
func (h *Histogram) Observe(d time.Duration) {
	v := uint64(max(d, 0))
	h.counts[min(bucketOf(v), histBuckets-1)].Add(1)
	h.sum.Add(int64(v))
	h.n.Add(1)
}

// ObserveN counts n values of the same duration d.
func (h *Histogram) ObserveN(d time.Duration, n int) {
	v := uint64(max(d, 0))
	h.counts[min(bucketOf(v), histBuckets-1)].Add(uint64(n))
	h.sum.Add(int64(v) * int64(n))
	h.n.Add(uint64(n))
}

// Count is the number of values observed.
func (h *Histogram) Count() uint64 { return h.n.Load() }

// Sum is the total of the values observed.
func (h *Histogram) Sum() time.Duration { return time.Duration(h.sum.Load()) }

// Quantile is the q-quantile (0 <= q <= 1) of the values observed: the
// upper bound of the bucket it falls in; 0 without values.
func (h *Histogram) Quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(q * float64(n-1)) // 0-based rank, like sorted[rank]
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen > rank {
			return time.Duration(bucketUpper(i) - 1)
		}
	}
	return time.Duration(bucketUpper(histBuckets-1) - 1)
}

// CumulativeAt is how many values were at most each bound (Prometheus' "le"
// buckets), bounds sorted: a bucket that straddles a bound counts as above
// it, so a count is exact when the bound ends a bucket.
func (h *Histogram) CumulativeAt(bounds []time.Duration) []uint64 {
	out := make([]uint64, len(bounds))
	var seen uint64
	b := 0
	for i := range h.counts {
		for b < len(bounds) && uint64(max(bounds[b], 0)) < bucketUpper(i)-1 {
			out[b] = seen
			b++
		}
		seen += h.counts[i].Load()
	}
	for ; b < len(bounds); b++ {
		out[b] = seen
	}
	return out
}
