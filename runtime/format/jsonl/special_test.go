package jsonl

import (
	"bytes"
	"testing"
)

// TestStringEnd puts each special byte, and bytes that are not (0x20, '!',
// '#', '[', ']', 0x7f, 0x80, 0xff), at every offset of inputs of every
// length up to 72 (two 32-byte steps and a tail), after every start:
// stringEnd agrees with the generic walk and with a byte loop; plainEnd
// likewise, stopping at bytes above 0x7f too. Both with AVX2, where the
// CPU has it, and without.
func TestStringEnd(t *testing.T) {
	t.Run("sse2", func(t *testing.T) {
		defer func(avx2 bool) { useAVX2 = avx2 }(useAVX2)
		useAVX2 = false
		testStringEnd(t)
	})
	if !useAVX2 {
		t.Log("no AVX2 on this CPU: its path is not tested")
		return
	}
	t.Run("avx2", testStringEnd)
}

func testStringEnd(t *testing.T) {
	ref := func(b []byte) int {
		for i, c := range b {
			if c == '"' || c == '\\' || c < 0x20 {
				return i
			}
		}
		return len(b)
	}
	refPlain := func(b []byte) int {
		for i, c := range b {
			if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
				return i
			}
		}
		return len(b)
	}
	marks := []byte{'"', '\\', 0, 0x1f, '\n', 0x20, '!', '#', '[', ']', 0x7f, 0x80, 0xff, 0xa2, 0xdc}
	for n := 0; n <= 72; n++ {
		for at := 0; at <= n; at++ {
			for _, m := range marks {
				b := bytes.Repeat([]byte{'a'}, n+1)
				b[at] = m
				for start := 0; start <= n; start++ {
					in := b[start:n]
					want := ref(in)
					if got := stringEnd(in); got != want {
						t.Fatalf("stringEnd(%q) = %d, want %d", in, got, want)
					}
					if got := stringEndGeneric(in); got != want {
						t.Fatalf("stringEndGeneric(%q) = %d, want %d", in, got, want)
					}
					want = refPlain(in)
					if got := plainEnd(in); got != want {
						t.Fatalf("plainEnd(%q) = %d, want %d", in, got, want)
					}
					if got := plainEndGeneric(in); got != want {
						t.Fatalf("plainEndGeneric(%q) = %d, want %d", in, got, want)
					}
				}
			}
		}
	}
}

func FuzzStringEnd(f *testing.F) {
	f.Add([]byte("abcdefghijklmnopqrstuvwxyz\"0123"))
	f.Add([]byte("https://www.nexmark.com/item.htm?query=1\\u0026channel_id=1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := stringEnd(b), stringEndGeneric(b); got != want {
			t.Fatalf("stringEnd(%q) = %d, generic %d", b, got, want)
		}
		if got, want := plainEnd(b), plainEndGeneric(b); got != want {
			t.Fatalf("plainEnd(%q) = %d, generic %d", b, got, want)
		}
	})
}
