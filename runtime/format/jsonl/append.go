package jsonl

import (
	"math"
	"math/bits"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/laminar-sql/laminar/runtime/timestamp"
)

const hexDigits = "0123456789abcdef"

// safeASCII[c] is true for the ASCII bytes that appear unescaped in a JSON
// string. '<', '>' and '&' are left as they are: the output is not HTML.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendString appends s as a quoted JSON string. '"', '\\' and control
// characters are escaped (\n, \t, ... or \u00XX), as are U+2028 and U+2029
// (for JavaScript readers); invalid UTF-8 becomes \ufffd.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0 // s[start:i] is pending, to be copied in one go
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			// Eight bytes at a time up to the first that needs a look.
			w := load64(s, i)
			m := stringSpecial(w) | w&msbs
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// load64 reads s[i:i+8] as a little-endian word (the compiler makes this
// one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// AppendBytesString appends b as a quoted JSON string, as AppendString.
func AppendBytesString(dst, b []byte) []byte {
	// The string view does not outlive this call.
	return AppendString(dst, unsafe.String(unsafe.SliceData(b), len(b)))
}

// AppendInt appends v as a JSON number.
func AppendInt(dst []byte, v int64) []byte {
	return strconv.AppendInt(dst, v, 10)
}

// AppendFloat appends f in the shortest form that reads back as the same
// float64, as encoding/json writes it (3, 0.5, 1e+21, 1e-7). JSON has no
// NaN or infinities: they become the strings "NaN", "Infinity" and
// "-Infinity" (DuckDB's spelling, and what the JSON scanner reads back), never
// null, which would be a different SQL value.
func AppendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Infinity"`...)
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		n := len(dst)
		dst = strconv.AppendFloat(dst, f, 'e', -1, 64)
		// Shorten e-07 to e-7, as JavaScript and encoding/json do.
		if m := len(dst) - n; m >= 4 && dst[len(dst)-4] == 'e' && dst[len(dst)-3] == '-' && dst[len(dst)-2] == '0' {
			dst[len(dst)-2] = dst[len(dst)-1]
			dst = dst[:len(dst)-1]
		}
		return dst
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

// AppendBool appends true or false.
func AppendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

// AppendNull appends null.
func AppendNull(dst []byte) []byte {
	return append(dst, "null"...)
}

// AppendTimestamp appends the TIMESTAMP us (microseconds since the Unix
// epoch) as a quoted RFC 3339 string in UTC, e.g. "2024-01-02T03:04:05.5Z".
func AppendTimestamp(dst []byte, us int64) []byte {
	dst = append(dst, '"')
	dst = timestamp.Append(dst, us)
	return append(dst, '"')
}
