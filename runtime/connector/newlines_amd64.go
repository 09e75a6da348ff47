//go:build !purego

package connector

import "github.com/laminar-sql/laminar/runtime/internal/cpuid"

// newlines writes the indexes in b of its first len(ends) newlines into
// ends and returns how many it found (fewer than len(ends) only when b
// has no more): newlinesGeneric in one call, 64 bytes a step with AVX2
// (newlines_amd64.s), so that a loop over the lines of a buffer calls
// nothing per line.
func newlines(b []byte, ends []int) int {
	if !cpuid.AVX2 || len(ends) == 0 {
		return newlinesGeneric(b, ends)
	}
	return newlinesAVX2(b, ends)
}

// newlinesAVX2 is newlines with AVX2; ends is not empty.
//
//go:noescape
func newlinesAVX2(b []byte, ends []int) int
