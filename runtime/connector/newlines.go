package connector

import "bytes"

// maxEnds bounds the line ends plainLines asks newlines for at once.
const maxEnds = 1024

// newlinesGeneric is newlines in Go: the indexes in b of its first
// len(ends) newlines, in ends, and how many there are (fewer than
// len(ends) only when b has no more).
func newlinesGeneric(b []byte, ends []int) int {
	n, at := 0, 0
	for n < len(ends) {
		i := bytes.IndexByte(b[at:], '\n')
		if i < 0 {
			break
		}
		ends[n] = at + i
		n++
		at += i + 1
	}
	return n
}
