// Package sketch holds approximate aggregate state: a HyperLogLog for
// APPROX_COUNT_DISTINCT. No library of the kind is among the modules this
// project can use, and the sketch is small: 4,096 registers (a standard
// error of 1.6 %), kept as the exact set of hashes while there are few.
package sketch

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"

	"github.com/laminar-sql/laminar/runtime/decimal"
)

const (
	precision = 12
	registers = 1 << precision
	// sparseMax is how many distinct hashes are kept exactly before the
	// registers (4 KiB) take over: 2 KiB of hashes, and an exact count for
	// the many small groups of a GROUP BY.
	sparseMax = 256
)

// HLL estimates the number of distinct values added to it. The zero value
// is empty.
type HLL struct {
	sparse []uint64 // distinct hashes, while dense is nil
	dense  []uint8  // per register, the largest rank seen
}

// Add adds a value by its 64-bit hash (HashInt, HashFloat, HashString).
func (h *HLL) Add(x uint64) {
	if h.dense != nil {
		h.addDense(x)
		return
	}
	if slices.Contains(h.sparse, x) {
		return
	}
	h.sparse = append(h.sparse, x)
	if len(h.sparse) > sparseMax {
		h.densify()
	}
}

func (h *HLL) densify() {
	h.dense = make([]uint8, registers)
	for _, x := range h.sparse {
		h.addDense(x)
	}
	h.sparse = nil
}

func (h *HLL) addDense(x uint64) {
	i := x >> (64 - precision)
	rank := uint8(bits.LeadingZeros64(x<<precision|1<<(precision-1)) + 1)
	if rank > h.dense[i] {
		h.dense[i] = rank
	}
}

// Merge adds every value of o (a hopping window's panes).
func (h *HLL) Merge(o *HLL) {
	if o.dense == nil {
		for _, x := range o.sparse {
			h.Add(x)
		}
		return
	}
	if h.dense == nil {
		h.densify()
	}
	for i, r := range o.dense {
		if r > h.dense[i] {
			h.dense[i] = r
		}
	}
}

// Estimate is the estimated number of distinct values: exact while the
// hashes are kept, then HyperLogLog's estimate with linear counting for
// small ranges (Flajolet et al.).
func (h *HLL) Estimate() int64 {
	if h.dense == nil {
		return int64(len(h.sparse))
	}
	const m = float64(registers)
	sum, zeros := 0.0, 0
	for _, r := range h.dense {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	alpha := 0.7213 / (1 + 1.079/m)
	e := alpha * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros))
	}
	return int64(math.Round(e))
}

// AppendBinary appends the sketch's encoding (checkpoints): a mode byte,
// then the sorted hashes or the registers.
func (h *HLL) AppendBinary(b []byte) []byte {
	if h.dense != nil {
		return append(append(b, 1), h.dense...)
	}
	s := slices.Clone(h.sparse)
	slices.Sort(s)
	b = append(b, 0)
	for _, x := range s {
		b = binary.LittleEndian.AppendUint64(b, x)
	}
	return b
}

// Load replaces the sketch by one AppendBinary encoded. An encoding of the
// wrong size loads as empty (checkpoint files are checksummed before this).
func (h *HLL) Load(s string) {
	*h = HLL{}
	switch {
	case len(s) == 1+registers && s[0] == 1:
		h.dense = []uint8(s[1:])
	case len(s) > 0 && s[0] == 0 && (len(s)-1)%8 == 0:
		for i := 1; i < len(s); i += 8 {
			h.sparse = append(h.sparse, binary.LittleEndian.Uint64([]byte(s[i:i+8])))
		}
	}
}

// mix is murmur3's 64-bit finalizer: every input bit reaches every output bit.
func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// HashInt hashes a BIGINT, TIMESTAMP or BOOLEAN (as 0 or 1) value. Hashes
// are fixed across runs, so a sketch restored from a checkpoint goes on.
func HashInt(v int64) uint64 { return mix(uint64(v) ^ 0x9e3779b97f4a7c15) }

// HashBool hashes a BOOLEAN value.
func HashBool(v bool) uint64 {
	if v {
		return HashInt(1)
	}
	return HashInt(0)
}

// HashFloat hashes a DOUBLE value; 0 and -0 are one value, as SQL compares.
func HashFloat(v float64) uint64 {
	if v == 0 {
		v = 0
	}
	return mix(math.Float64bits(v))
}

// HashString hashes a VARCHAR value (FNV-1a, then mixed).
func HashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix(h)
}

// HashDec128 hashes the 128-bit unscaled value of a DECIMAL(p > 18): a
// value that fits 64 bits hashes as HashInt of it.
func HashDec128(v decimal.Int128) uint64 {
	if lo, ok := v.Int64(); ok {
		return HashInt(lo)
	}
	return mix(HashInt(v.Hi) ^ v.Lo)
}
