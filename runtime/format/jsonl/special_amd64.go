//go:build !purego

package jsonl

import "github.com/laminar-sql/laminar/runtime/internal/cpuid"

// useAVX2: stringEnd and plainEnd take 32 bytes a step with AVX2 when
// the CPU has it (and the OS saves its registers), 16 with SSE2 otherwise.
var useAVX2 = cpuid.AVX2

// stringEnd is the index in b of the first byte that ends a string's plain
// run, '"', '\\' or a control byte (below 0x20), or len(b) when there is
// none: stringEndGeneric 32 bytes a step with AVX2, or sixteen with SSE2,
// which every amd64 has (special_amd64.s).
//
//go:noescape
func stringEnd(b []byte) int

// plainEnd is stringEnd that also stops at the first byte that is not
// ASCII: plainEndGeneric with AVX2 or SSE2.
//
//go:noescape
func plainEnd(b []byte) int
