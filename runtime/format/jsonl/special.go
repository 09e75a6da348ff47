package jsonl

import (
	"encoding/binary"
	"math/bits"
)

// stringEndGeneric is stringEnd in Go, a word at a time: the index in b of
// the first byte that ends a string's plain run, '"', '\\' or a control
// byte (below 0x20), or len(b) when there is none.
func stringEndGeneric(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if m := stringSpecial(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return len(b)
}

// plainEndGeneric is plainEnd in Go: stringEndGeneric that also stops at
// the first byte that is not ASCII.
func plainEndGeneric(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		if m := stringSpecial(w) | w&msbs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
			return i
		}
	}
	return len(b)
}
