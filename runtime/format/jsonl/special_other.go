//go:build !amd64 || purego

package jsonl

// stringEnd is the index in b of the first byte that ends a string's plain
// run, '"', '\\' or a control byte (below 0x20), or len(b) when there is none.
func stringEnd(b []byte) int { return stringEndGeneric(b) }
