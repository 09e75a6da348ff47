//go:build !purego

package job

// asciiPrefix is the length of the run of ASCII bytes that b opens with:
// the index of the first byte above 0x7f, or len(b). Sixteen bytes a test
// with SSE2, which every amd64 has, four tests a step (ascii_amd64.s).
//
//go:noescape
func asciiPrefix(b []byte) int
