package connector

import (
	"bytes"
	"slices"
	"testing"
)

// checkNewlines compares newlines with a byte loop over b, asking for
// max ends.
func checkNewlines(t *testing.T, b []byte, max int) {
	t.Helper()
	var want []int
	for i, c := range b {
		if c == '\n' && len(want) < max {
			want = append(want, i)
		}
	}
	for name, f := range map[string]func([]byte, []int) int{"newlines": newlines, "newlinesGeneric": newlinesGeneric} {
		ends := make([]int, max)
		if got := ends[:f(b, ends)]; !slices.Equal(got, want) {
			t.Fatalf("%s(%q, %d ends) = %v, want %v", name, b, max, got, want)
		}
	}
}

// TestNewlines puts newlines at every offset of inputs up to 200 bytes
// (past the 64-byte blocks), alone, in pairs and in runs, asking for
// every number of ends up to more than there are.
func TestNewlines(t *testing.T) {
	for n := 0; n <= 200; n += 1 + n/40 {
		for at := 0; at < n; at++ {
			b := bytes.Repeat([]byte{'x'}, n)
			b[at] = '\n'
			checkNewlines(t, b, 1)
			checkNewlines(t, b, 2)
			b[(at*7+3)%n] = '\n'
			b[n-1-at] = '\n'
			for max := 1; max <= 4; max++ {
				checkNewlines(t, b, max)
			}
		}
		b := bytes.Repeat([]byte{'\n'}, n)
		for _, max := range []int{1, 31, 32, 33, 63, 64, 65, 250} {
			checkNewlines(t, b, max)
		}
	}
}

func FuzzNewlines(f *testing.F) {
	f.Add([]byte("a\nbb\n\n"+string(bytes.Repeat([]byte("0123456789\n"), 20))), uint8(3))
	f.Add(bytes.Repeat([]byte{'\n'}, 130), uint8(70))
	f.Fuzz(func(t *testing.T, b []byte, max uint8) {
		checkNewlines(t, b, int(max%80)+1)
	})
}
