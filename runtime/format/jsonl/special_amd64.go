//go:build !purego

package jsonl

// stringEnd is the index in b of the first byte that ends a string's plain
// run, '"', '\\' or a control byte (below 0x20), or len(b) when there is
// none: stringEndGeneric sixteen bytes a step with SSE2, which every amd64
// has (special_amd64.s).
//
//go:noescape
func stringEnd(b []byte) int

// plainEnd is stringEnd that also stops at the first byte that is not
// ASCII: plainEndGeneric with SSE2.
//
//go:noescape
func plainEnd(b []byte) int
