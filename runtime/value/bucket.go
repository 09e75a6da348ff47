package value

import (
	"math"
	"math/bits"
)

// The buckets of a split COUNT(DISTINCT) (docs/dialect.md, "Split
// distinct"): a value's bucket, of n, is a fixed hash of it (no per-process
// seed: a checkpoint's partial groups stay where they are across restarts),
// so each distinct value is counted in exactly one partial group.

// mix is a bijective 64-bit finalizer (every bit of v reaches every bit of
// the result).
func mix(v uint64) uint64 {
	v ^= 0x9e3779b97f4a7c15
	v ^= v >> 33
	v *= 0xff51afd7ed558ccd
	v ^= v >> 33
	v *= 0xc4ceb9fe1a85ec53
	v ^= v >> 33
	return v
}

// bucketOf maps a well-mixed hash to [0, n): a multiply instead of a modulo.
func bucketOf(h uint64, n int64) int64 {
	hi, _ := bits.Mul64(h, uint64(n))
	return int64(hi)
}

// BucketInt is the bucket of a BIGINT (TIMESTAMP, DECIMAL) value.
func BucketInt(v, n int64) int64 { return bucketOf(mix(uint64(v)), n) }

// BucketFloat is the bucket of a DOUBLE: -0 and 0 are one value, as COUNT(DISTINCT) counts them.
func BucketFloat(v float64, n int64) int64 {
	if v == 0 {
		v = 0
	}
	return bucketOf(mix(math.Float64bits(v)), n)
}

// BucketBool is the bucket of a BOOLEAN.
func BucketBool(v bool, n int64) int64 {
	if v {
		return bucketOf(mix(1), n)
	}
	return bucketOf(mix(0), n)
}

// BucketString is the bucket of a VARCHAR, hashed eight bytes at a time.
func BucketString(s string, n int64) int64 {
	h := uint64(len(s))
	for len(s) >= 8 {
		v := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = mix(h ^ v)
		s = s[8:]
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		v |= uint64(s[i]) << (8 * i)
	}
	return bucketOf(mix(h^v), n)
}
