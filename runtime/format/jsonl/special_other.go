//go:build !amd64 || purego

package jsonl

// stringEnd is the index in b of the first byte that ends a string's plain
// run, '"', '\\' or a control byte (below 0x20), or len(b) when there is none.
func stringEnd(b []byte) int { return stringEndGeneric(b) }

// plainEnd is stringEnd that also stops at the first byte that is not ASCII.
func plainEnd(b []byte) int { return plainEndGeneric(b) }

// useAVX2 is false: there is no vector path here (special_amd64.go).
var useAVX2 = false
