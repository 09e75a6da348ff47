// Package snapshot is the binary encoding of operator state in checkpoints.
// Generated code writes each state struct field by field with these
// functions (no reflection, no gob); the runtime frames, checksums and
// stores the bytes. Encoding is little-endian varints, so it is compact for
// counts and stable across machines.
package snapshot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/laminar-sql/laminar/runtime/decimal"
)

// AppendUint appends an unsigned varint.
func AppendUint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

// AppendInt appends a signed (zig-zag) varint.
func AppendInt(b []byte, v int64) []byte { return binary.AppendVarint(b, v) }

// AppendFloat appends a float64's bits.
func AppendFloat(b []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

// AppendBool appends one byte.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// AppendString appends a length-prefixed string.
func AppendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// ErrCorrupt is wrapped by every decoding error.
var ErrCorrupt = errors.New("corrupt operator state")

// Decoder reads what the Append functions wrote. Errors are sticky: after
// the first, every read returns a zero value and Err reports it.
type Decoder struct {
	b   []byte
	off int
	err error
}

// NewDecoder reads from b.
func NewDecoder(b []byte) *Decoder { return &Decoder{b: b} }

func (d *Decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s at byte %d", ErrCorrupt, what, d.off)
	}
}

// Uint reads an unsigned varint.
func (d *Decoder) Uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail("unsigned varint")
		return 0
	}
	d.off += n
	return v
}

// Len reads a count and checks it against the bytes left (each element
// takes at least one byte), so corrupt input cannot make a huge allocation.
func (d *Decoder) Len() int {
	v := d.Uint()
	if v > uint64(len(d.b)-d.off) {
		d.fail("length")
		return 0
	}
	return int(v)
}

// Int reads a signed varint.
func (d *Decoder) Int() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.fail("varint")
		return 0
	}
	d.off += n
	return v
}

// Float reads a float64.
func (d *Decoder) Float() float64 {
	if d.err != nil {
		return 0
	}
	if len(d.b)-d.off < 8 {
		d.fail("float")
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b[d.off:]))
	d.off += 8
	return v
}

// Bool reads one byte.
func (d *Decoder) Bool() bool {
	if d.err != nil {
		return false
	}
	if d.off >= len(d.b) || d.b[d.off] > 1 {
		d.fail("bool")
		return false
	}
	v := d.b[d.off] == 1
	d.off++
	return v
}

// String reads a length-prefixed string.
func (d *Decoder) String() string {
	n := d.Len()
	if d.err != nil {
		return ""
	}
	s := string(d.b[d.off : d.off+n])
	d.off += n
	return s
}

// Finish reports the first error, or an error when bytes are left over.
func (d *Decoder) Finish() error {
	if d.err == nil && d.off != len(d.b) {
		d.err = fmt.Errorf("%w: %d bytes left over", ErrCorrupt, len(d.b)-d.off)
	}
	return d.err
}

// AppendDec128 appends the 128-bit unscaled value of a DECIMAL(p > 18):
// its high word (signed), then its low word.
func AppendDec128(b []byte, v decimal.Int128) []byte {
	return AppendUint(AppendInt(b, v.Hi), v.Lo)
}

// Dec128 reads a value AppendDec128 wrote.
func (d *Decoder) Dec128() decimal.Int128 {
	hi := d.Int()
	return decimal.Int128{Hi: hi, Lo: d.Uint()}
}
