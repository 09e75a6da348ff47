package csvrow

import (
	"bytes"
	"slices"
	"testing"
)

// TestSepMasks puts a comma, then a quote, at every position of lines of
// 16 to 72 bytes (whole and partial last chunks) and checks sepMasks
// against sepMasksGeneric; stale masks must be overwritten.
func TestSepMasks(t *testing.T) {
	for n := 16; n <= 72; n++ {
		for at := 0; at < n; at++ {
			for _, c := range []byte{',', '"'} {
				b := bytes.Repeat([]byte{'a'}, n)
				b[at] = c
				b[n-1-at/2] = ','
				checkSepMasks(t, b)
			}
		}
	}
}

func checkSepMasks(t *testing.T, b []byte) {
	t.Helper()
	n := (len(b) + 15) / 16
	got, want := make([]uint16, n), make([]uint16, n)
	for i := range got {
		got[i] = 0xffff // stale
	}
	gq, wq := sepMasks(b, got), sepMasksGeneric(b, want)
	if gq != wq || !slices.Equal(got, want) {
		t.Fatalf("sepMasks(%q) = %x, %v; want %x, %v", b, got, gq, want, wq)
	}
}

func FuzzSepMasks(f *testing.F) {
	f.Add([]byte("1000,1007,9663083,channel-5965,https://x/y,1436918400000,jlktp"))
	f.Add([]byte(`0123456789abcde","0123456789abcdef,`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) >= 16 {
			checkSepMasks(t, b)
		}
	})
}
