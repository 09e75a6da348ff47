package value

import (
	"math"
	"strconv"
	"strings"
)

// Casts report invalid input with ok false instead of an error: the caller
// makes the value NULL, because a streaming job must not die on one bad value.

// FloatToInt is CAST(x AS BIGINT): x rounded half to even, as DuckDB and
// PostgreSQL cast a double (2.5 -> 2, 3.5 -> 4; checked against DuckDB). ok
// is false for NaN and for values outside the int64 range.
func FloatToInt(x float64) (int64, bool) {
	r := math.RoundToEven(x)
	// -2^63 is exact in float64; 2^63 is the first value above MaxInt64.
	// NaN fails both comparisons.
	if !(r >= -(1<<63) && r < 1<<63) {
		return 0, false
	}
	return int64(r), true
}

// IntToFloat is CAST(x AS DOUBLE), rounding to the nearest float64 when |x|
// exceeds 2^53.
func IntToFloat(x int64) float64 { return float64(x) }

// ParseInt is CAST(s AS BIGINT): decimal digits with an optional sign,
// surrounded by optional white space ("12", " -3 ", "+4").
func ParseInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil
}

// ParseFloat is CAST(s AS DOUBLE): a decimal or exponent number, "Infinity",
// "-inf" or "NaN" (case-insensitive), surrounded by optional white space.
// A number too large for float64 is invalid; one too small becomes 0.
func ParseFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil
}

// ParseBool is CAST(s AS BOOLEAN): true, t, yes, on, 1 or false, f, no, off, 0,
// case-insensitive, surrounded by optional white space. It does not allocate.
func ParseBool(s string) (v, ok bool) {
	s = strings.TrimSpace(s)
	for _, w := range [...]string{"true", "t", "yes", "on", "1"} {
		if strings.EqualFold(s, w) {
			return true, true
		}
	}
	for _, w := range [...]string{"false", "f", "no", "off", "0"} {
		if strings.EqualFold(s, w) {
			return false, true
		}
	}
	return false, false
}

// FormatInt is CAST(x AS VARCHAR).
func FormatInt(x int64) string { return strconv.FormatInt(x, 10) }

// FormatFloat is CAST(x AS VARCHAR): the shortest text that reads back as x,
// written like a JSON number (ECMAScript style, as encoding/json and our JSON
// sinks write it): plain decimal for 1e-6 <= |x| < 1e21 ("1.5", "100",
// "1000000", "0.000001"), exponent form otherwise ("1e+21", "1.5e-7").
// NaN is "NaN" and the infinities "Infinity" and "-Infinity", as PostgreSQL
// writes them.
func FormatFloat(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	}
	abs := math.Abs(x)
	if abs == 0 || (abs >= 1e-6 && abs < 1e21) {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], x, 'e', -1, 64)
	// Drop the exponent's zero padding: e-07 -> e-7.
	if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-2] == '0' {
		b[n-2] = b[n-1]
		b = b[:n-1]
	}
	return string(b)
}

// FormatBool is CAST(b AS VARCHAR): "true" or "false".
func FormatBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
