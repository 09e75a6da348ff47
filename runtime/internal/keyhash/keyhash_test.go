package keyhash

import (
	"math/bits"
	"reflect"
	"testing"
)

func TestPlainBytes(t *testing.T) {
	for _, c := range []struct {
		v    any
		want bool
	}{
		{int64(0), true},
		{true, true},
		{[4]int32{}, true},
		{struct{ A, B int64 }{}, true},
		{struct {
			A int32
			B [2]uint16
		}{}, true},
		{struct {
			A int32
			B int64
		}{}, false}, // padding after A
		{struct {
			A int64
			_ int64
		}{}, false}, // a blank field, which == skips
		{struct {
			A int64
			S string
		}{}, false},
		{float64(0), false},
		{[2]float32{}, false},
		{(*int)(nil), false},
	} {
		if got := PlainBytes(reflect.TypeOf(c.v)); got != c.want {
			t.Errorf("PlainBytes(%T) = %v, want %v", c.v, got, c.want)
		}
	}
}

// TestMix checks that Mix's low bits, which the tables' slots take, change
// with each bit of the input, high ones included.
func TestMix(t *testing.T) {
	if Mix(0) != 0 {
		t.Fatalf("Mix(0) = %#x; callers xor a seed in first", Mix(0))
	}
	for b := range 64 {
		x := uint64(0x0123456789abcdef)
		d := Mix(x) ^ Mix(x^1<<b)
		if d&0xffff == 0 {
			t.Errorf("bit %d: the low 16 bits of Mix do not change (%#x)", b, d)
		}
		if n := bits.OnesCount64(d); n < 10 {
			t.Errorf("bit %d: %d bits of Mix change", b, n)
		}
	}
}
