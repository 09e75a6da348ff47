package snapshot

import (
	"errors"
	"math"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	var b []byte
	b = AppendUint(b, 300)
	b = AppendInt(b, math.MinInt64)
	b = AppendFloat(b, -1.5)
	b = AppendBool(b, true)
	b = AppendString(b, "héllo\x00")
	b = AppendInt(b, 7)
	d := NewDecoder(b)
	if d.Uint() != 300 || d.Int() != math.MinInt64 || d.Float() != -1.5 || !d.Bool() || d.String() != "héllo\x00" || d.Int() != 7 {
		t.Fatal("round trip")
	}
	if err := d.Finish(); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptInput(t *testing.T) {
	b := AppendString(nil, "abc")
	d := NewDecoder(b[:2])
	if d.String() != "" || !errors.Is(d.Finish(), ErrCorrupt) {
		t.Fatal("truncated string not detected")
	}
	d = NewDecoder(AppendUint(nil, 1<<40))
	if d.Len() != 0 || d.Finish() == nil {
		t.Fatal("huge length not rejected")
	}
	d = NewDecoder([]byte{1, 2})
	d.Bool()
	if !errors.Is(d.Finish(), ErrCorrupt) {
		t.Fatal("left-over bytes not reported")
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add([]byte{3, 'a', 'b', 'c', 1, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(b)
		for i := 0; i < 8; i++ {
			d.Len()
			_ = d.String()
			d.Float()
			d.Bool()
			d.Int()
		}
		_ = d.Finish()
	})
}
