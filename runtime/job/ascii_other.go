//go:build !amd64 || purego

package job

// asciiPrefix is the length of the run of ASCII bytes that b opens with:
// the index of the first byte above 0x7f, or len(b).
func asciiPrefix(b []byte) int { return asciiPrefixGeneric(b) }
