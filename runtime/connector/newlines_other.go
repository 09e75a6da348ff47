//go:build !amd64 || purego

package connector

// newlines writes the indexes in b of its first len(ends) newlines into
// ends and returns how many it found (fewer than len(ends) only when b
// has no more).
func newlines(b []byte, ends []int) int { return newlinesGeneric(b, ends) }
