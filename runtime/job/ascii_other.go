//go:build !amd64 || purego

package job

// asciiPrefix is the length of the run of ASCII bytes that b opens with:
// the index of the first byte above 0x7f, or len(b).
func asciiPrefix(b []byte) int { return asciiPrefixGeneric(b) }

// plainPrefix is asciiPrefix that also stops at the first '\\'.
func plainPrefix(b []byte) int { return plainPrefixGeneric(b) }

// useAVX2 is false: there is no vector path here (ascii_amd64.go).
var useAVX2 = false
