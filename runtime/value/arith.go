package value

import (
	"math/big"
	"math/bits"
)

// Fault says why a row's expression has no value: a result outside the range
// of its type. Generated code keeps one Fault per view and row, passes its
// address to the checked operations below, and sends a row whose Fault is set
// to the dead-letter output instead of the view (DuckDB and PostgreSQL stop
// the query with an error; a stream job sets the row aside and goes on).
// The zero Fault means none.
type Fault uint8

const (
	// FaultIntOverflow: BIGINT (or INTERVAL) +, -, * or negation out of the int64 range.
	FaultIntOverflow Fault = iota + 1
	// FaultTimestampRange: TIMESTAMP ± INTERVAL (or TIMESTAMP − TIMESTAMP) out of range.
	FaultTimestampRange
	// FaultSumOverflow: a SUM of BIGINT whose exact result does not fit in BIGINT.
	FaultSumOverflow
	// FaultFunction: a Go function (CREATE FUNCTION … LANGUAGE GO) returned
	// an error or panicked.
	FaultFunction
	// FaultDecimalRange: DECIMAL arithmetic (or a SUM of DECIMAL) whose
	// exact result does not fit its unscaled value (64 bits for p <= 18, 38 digits above).
	FaultDecimalRange
)

// Code is the stable LDB code of f, listed in docs/errors.md.
func (f Fault) Code() string {
	switch f {
	case FaultIntOverflow:
		return "LDB-6001"
	case FaultTimestampRange:
		return "LDB-6002"
	case FaultSumOverflow:
		return "LDB-6003"
	case FaultFunction:
		return "LDB-6004"
	case FaultDecimalRange:
		return "LDB-6005"
	}
	return "LDB-6000"
}

// Error is the message a dead-letter record carries.
func (f Fault) Error() string {
	switch f {
	case FaultIntOverflow:
		return f.Code() + ": BIGINT overflow in an arithmetic expression"
	case FaultTimestampRange:
		return f.Code() + ": TIMESTAMP or INTERVAL arithmetic out of range"
	case FaultSumOverflow:
		return f.Code() + ": SUM of BIGINT out of the BIGINT range"
	case FaultFunction:
		return f.Code() + ": a Go function returned an error or panicked"
	case FaultDecimalRange:
		return f.Code() + ": DECIMAL arithmetic out of range (more digits than its type holds: 18 for DECIMAL(p <= 18), 38 above)"
	}
	return f.Code() + ": no fault"
}

// The checked operations return the wrapped result and set *f when it
// overflowed; the caller discards the row then, so the wrapped value is never
// seen. Each is a few instructions and a predictable branch, and inlines.

// AddInt returns a + b, setting *f to FaultIntOverflow when it overflows.
func AddInt(a, b int64, f *Fault) int64 {
	s := a + b
	if (s^a)&(s^b) < 0 { // both operands have the sign the sum lacks
		*f = FaultIntOverflow
	}
	return s
}

// SubInt returns a - b, setting *f to FaultIntOverflow when it overflows.
func SubInt(a, b int64, f *Fault) int64 {
	d := a - b
	if (a^b)&(d^a) < 0 { // operands of opposite signs, and the result took b's
		*f = FaultIntOverflow
	}
	return d
}

// MulInt returns a * b, setting *f to FaultIntOverflow when it overflows.
func MulInt(a, b int64, f *Fault) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	// the unsigned high word, corrected to the signed 128-bit product's
	hi -= uint64(a>>63)&uint64(b) + uint64(b>>63)&uint64(a)
	if int64(hi) != int64(lo)>>63 {
		*f = FaultIntOverflow
	}
	return int64(lo)
}

// NegInt returns -a, setting *f to FaultIntOverflow for MinInt64.
func NegInt(a int64, f *Fault) int64 {
	if a == -a && a != 0 {
		*f = FaultIntOverflow
	}
	return -a
}

// AbsIntChecked returns |a|, setting *f to FaultIntOverflow for MinInt64
// (DuckDB: "Overflow on abs").
func AbsIntChecked(a int64, f *Fault) int64 {
	if a < 0 {
		return NegInt(a, f)
	}
	return a
}

// AddTime returns a + b for TIMESTAMP ± INTERVAL, setting *f to
// FaultTimestampRange when it leaves the int64 µs range (about ±292,000 years,
// DuckDB's TIMESTAMP range too).
func AddTime(a, b int64, f *Fault) int64 {
	s := a + b
	if (s^a)&(s^b) < 0 {
		*f = FaultTimestampRange
	}
	return s
}

// SubTime returns a - b for TIMESTAMP − INTERVAL and TIMESTAMP − TIMESTAMP,
// setting *f to FaultTimestampRange when it overflows.
func SubTime(a, b int64, f *Fault) int64 {
	d := a - b
	if (a^b)&(d^a) < 0 {
		*f = FaultTimestampRange
	}
	return d
}

// SumInt adds v to an exact 128-bit sum held as lo, the int64 sum wrapped
// around, and hi, the number of times it wrapped (up +1, down -1): the exact
// sum is hi·2⁶⁴ + lo, and it fits in BIGINT exactly when hi is 0. SUM and AVG
// of BIGINT accumulate this way, so an intermediate overflow that later comes
// back into range is still exact, as in DuckDB (which sums into a HUGEINT).
// The branch is almost never taken, so the hot path is an add and a test.
func SumInt(lo, hi, v int64) (int64, int64) {
	s := lo + v
	if (s^lo)&(s^v) < 0 {
		hi += v>>63 | 1 // +1 when v > 0 wrapped the sum down, -1 when v < 0 wrapped it up
	}
	return s, hi
}

// SumIntWeighted adds v to the exact sum (lo, hi) when w > 0 and subtracts it
// when w < 0 (a retraction: w is a row's weight, +1 or -1), exactly, with
// no -v that could overflow.
func SumIntWeighted(lo, hi, v, w int64) (int64, int64) {
	if w > 0 {
		return SumInt(lo, hi, v)
	}
	d := lo - v
	if (lo^v)&(d^lo) < 0 {
		hi -= v>>63 | 1 // -1 when v > 0 wrapped the sum up, +1 when v < 0 wrapped it down
	}
	return d, hi
}

// MergeSum adds the 128-bit sum (lo2, hi2) to (lo, hi), as SumInt does.
func MergeSum(lo, hi, lo2, hi2 int64) (int64, int64) {
	lo, hi = SumInt(lo, hi, lo2)
	return lo, hi + hi2
}

// SumResult is the BIGINT value of an exact sum (lo, hi), setting *f to
// FaultSumOverflow when it does not fit.
func SumResult(lo, hi int64, f *Fault) int64 {
	if hi != 0 {
		*f = FaultSumOverflow
	}
	return lo
}

// AvgInt is AVG of BIGINT: the exact sum (lo, hi) divided by the count n > 0.
// A sum within BIGINT divides as float64, as DuckDB's does; a wider one is
// divided exactly and rounded once (math/big, off the hot path: it runs once
// per emitted group, only when the sum left the BIGINT range).
func AvgInt(lo, hi, n int64) float64 {
	if hi == 0 {
		return float64(lo) / float64(n)
	}
	sum := new(big.Int).Lsh(big.NewInt(hi), 64)
	sum.Add(sum, big.NewInt(lo))
	f, _ := new(big.Rat).SetFrac(sum, big.NewInt(n)).Float64()
	return f
}
