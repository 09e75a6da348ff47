//go:build !purego

package job

import "github.com/laminar-sql/laminar/runtime/internal/cpuid"

// asciiPrefix is the length of the run of ASCII bytes that b opens with:
// the index of the first byte above 0x7f, or len(b). Sixteen bytes a test
// with SSE2, which every amd64 has, four tests a step (ascii_amd64.s).
//
//go:noescape
func asciiPrefix(b []byte) int

// plainPrefix is asciiPrefix that also stops at the first '\\': 64 bytes a
// step with AVX2 where the CPU has it, then 16 with SSE2 (ascii_amd64.s).
//
//go:noescape
func plainPrefix(b []byte) int

// useAVX2: plainPrefix may use AVX2.
var useAVX2 = cpuid.AVX2
