package connector

import (
	"bytes"
	"slices"
)

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

// cutPlainLines appends to b the lines of buf from start that a newline
// ends, as ReaderSource cuts them ("\n" and a trailing "\r" stripped, blank
// lines skipped but counted), while the batch holds fewer than maxLines
// records and fewer than maxBytes bytes of lines: the one loop of both
// readers of lines (ReaderSource.plainLines, FileSplits.Read). buf[0] is at
// input offset base; lineNo is the lines before start, blank ones
// included, the line numbers counting on from it. ends is the scratch for
// newlines' line ends (maxEnds of them). It stops, leaving the rest to its
// caller, at a line without a newline in buf, a line longer than limit
// (counting a "\r"), or the input's first line (which may open with a
// byte-order mark), and returns where it stopped, the lines before it and
// the batch's bytes of lines (batchBytes and those it added).
//
// newlines finds the line ends of a stretch in one call, so that the loop
// over the lines calls nothing (a call per line would spill its state).
func cutPlainLines(b *LineBatch, buf []byte, ends []int, start int, lineNo, base int64, limit, maxLines, batchBytes, maxBytes int) (int, int64, int) {
	if start == 0 && base == 0 {
		return start, lineNo, batchBytes
	}
	lines, offsets, lineNos := b.Lines, b.Offsets, b.LineNos
	typed := b.TypedLen
	for len(lines)+typed < maxLines && batchBytes < maxBytes {
		from, first := start, lineNo
		ends := ends[:min(maxLines-len(lines)-typed, maxEnds)]
		found := newlines(buf[from:], ends)
		// room for a line at every end, written by index: the inner loop
		// holds few values (one index into the three slices, its line
		// number from its end's index; as it has no more ends than the
		// batch has room for lines, it need not count them), so that they
		// stay in registers
		n := len(lines)
		lines, offsets, lineNos = slices.Grow(lines, found), slices.Grow(offsets, found), slices.Grow(lineNos, found)
		ls, os, ns := lines[n:n+found], offsets[n:n+found], lineNos[n:n+found]
		j, k := 0, 0
		for ; k < found; k++ {
			nl := from + ends[k]
			if nl-start > limit || batchBytes >= maxBytes {
				break
			}
			stop := nl
			if stop > start && buf[stop-1] == '\r' {
				stop--
			}
			if stop > start { // a blank line is no line of the batch
				// a full slice expression: appending to a line cannot
				// overwrite the next one
				ls[j] = buf[start:stop:stop]
				os[j] = base + int64(start)
				ns[j] = first + int64(k) + 1
				j++
				batchBytes += stop - start
			}
			start = nl + 1
		}
		lines, offsets, lineNos = lines[:n+j], offsets[:n+j], lineNos[:n+j]
		lineNo = first + int64(k)
		if k < len(ends) {
			break // a line too long, the batch full, or no newline after start
		}
	}
	b.Lines, b.Offsets, b.LineNos = lines, offsets, lineNos
	return start, lineNo, batchBytes
}
