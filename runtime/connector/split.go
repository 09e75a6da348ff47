package connector

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
)

// FileSplits reads a regular file in byte ranges, from several goroutines
// at once: the workers of a partitioned job each read the ranges they are
// dealt (parallel ingest), instead of one reader cutting every line. A
// range's lines are those that begin in it: the last is read to its
// newline, past the range's end; a line that began before the range
// belongs to the range before. Line numbers count from 1 at a range's
// first line: the caller, which sees the ranges in input order, adds the
// lines before it (and knows the offset where the input resumes: the end
// of the last line read). Lines are cut as ReaderSource cuts them: "\n"
// and a trailing "\r" stripped, blank lines skipped but counted, a
// byte-order mark at offset 0 dropped, records longer than the limit
// reported as Oversized.
type FileSplits struct {
	f       *os.File
	path    string
	id      fileID
	maxLine int
}

// Splits returns the source's file for reading in ranges, or nil when its
// input cannot be read so: not a regular file, or CSV records, whose
// quoted fields may hold newlines. The source must not have been read from
// yet; it keeps the file, so closing the source closes the splits' file.
func (s *FileSource) Splits() *FileSplits {
	if s.quotedNewlines || s.end != 0 {
		return nil
	}
	info, err := s.f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return nil
	}
	return &FileSplits{f: s.f, path: s.ReaderSource.name, id: s.id, maxLine: s.maxLine}
}

// Size is the file's size now.
func (fs *FileSplits) Size() (int64, error) {
	info, err := fs.f.Stat()
	if err != nil {
		return 0, err
	}
	return info.Size(), nil
}

// AtEnd is called when the ranges have reached size, the file's size when
// they were dealt: it returns the size now, larger if lines were appended
// meanwhile (reading goes on), or an error if the file shrank below what
// was read or its path names another file now (its end is not the input's).
func (fs *FileSplits) AtEnd(size int64) (int64, error) {
	r := fileReader{f: fs.f, path: fs.path, id: fs.id, pos: size}
	if err := r.checkAtEnd(); err != nil {
		return 0, err
	}
	return fs.Size()
}

// Check is the input check of a checkpoint that resumes at offset (as
// FileSource.Position records it): the CRC32C of the file's first and of
// its last checkWindow bytes before offset.
func (fs *FileSplits) Check(offset int64) (InputCheck, error) {
	var buf [2 * checkWindow]byte
	head, tail := buf[:min(checkWindow, offset)], buf[checkWindow:checkWindow+min(checkWindow, offset)]
	if _, err := fs.f.ReadAt(head, 0); err != nil {
		return InputCheck{}, fmt.Errorf("read %s: %w", fs.path, err)
	}
	if _, err := fs.f.ReadAt(tail, offset-int64(len(tail))); err != nil {
		return InputCheck{}, fmt.Errorf("read %s: %w", fs.path, err)
	}
	return InputCheck{Head: crc32.Checksum(head, castagnoli), Tail: crc32.Checksum(tail, castagnoli), id: fs.id, set: true}, nil
}

// SplitBuffer is one goroutine's buffer for the ranges it reads: the lines
// of a batch Read filled point into it until the next Read with it.
type SplitBuffer struct {
	buf  []byte
	ends []int // cutPlainLines' line ends
}

// splitSlack is read past a range's end at once, for its last line's rest.
const splitSlack = 4096

// Read fills b with the lines that begin in [lo, hi) of the file, up to
// size (the input's end as the caller knows it); atLine says that a line
// begins at lo. It returns next, the offset after the last line read (-1
// when no line begins in the range), and lines, the lines from the range's
// first to next, blank ones included.
func (fs *FileSplits) Read(b *LineBatch, sb *SplitBuffer, lo, hi, size int64, atLine bool) (next, lines int64, err error) {
	b.Reset()
	hi = min(hi, size)
	if lo >= hi {
		return -1, 0, nil
	}
	// the bytes from lo-1 (to see whether a line begins at lo) to hi and
	// some more
	from := lo
	if !atLine {
		from = lo - 1
	}
	base := from
	buf, err := fs.readAt(sb, sb.buf[:0], from, min(size, hi+splitSlack))
	if err != nil {
		return -1, 0, err
	}
	pos := 0 // in buf
	if !atLine {
		i := bytes.IndexByte(buf[:hi-from], '\n')
		if i < 0 {
			return -1, 0, nil // within a line that began before lo
		}
		pos = i + 1
	}
	if sb.ends == nil {
		sb.ends = make([]int, maxEnds)
	}
	grown := false
	for base+int64(pos) < hi {
		// the lines that end before hi first, in cutPlainLines' loop (the
		// lines that begin before hi are those and the one that ends at or
		// after it); what it leaves (a line that ends past hi or past what
		// was read, is too long or opens the input) goes the general way
		// below, a line at a time
		pos, lines, _ = cutPlainLines(b, buf[:hi-base], sb.ends, pos, lines, base, fs.maxLine, math.MaxInt, 0, math.MaxInt)
		if base+int64(pos) >= hi {
			break
		}
		begin := pos
		end, nl := -1, false // end of the line's text; nl: a newline ends it
		for {
			if i := bytes.IndexByte(buf[pos:], '\n'); i >= 0 {
				end, nl = pos+i, true
				break
			}
			pos = len(buf)
			if base+int64(len(buf)) >= size {
				end = len(buf) // the input's last line, without newline
				break
			}
			if len(buf)-begin > fs.maxLine {
				break // over-long: skipped below without keeping it
			}
			// the line goes on past what was read: read on, keeping the
			// lines so far (b points into the old buffer if it moves)
			at := base + int64(len(buf))
			old := len(buf)
			buf, err = fs.readAt(sb, buf, at, min(size, at+int64(max(len(buf), splitSlack))))
			if err != nil {
				return -1, 0, err
			}
			grown = true
			pos = old
		}
		lineNo := lines + 1
		text := begin
		if base+int64(begin) == 0 && bytes.HasPrefix(buf[begin:], utf8BOM) {
			text = len(utf8BOM) // a byte-order mark opens the input, not its first record
		}
		if end < 0 {
			// longer than the limit: find its end without keeping its bytes
			o := Oversized{Line: lineNo, Offset: base + int64(text), Prefix: bytes.Clone(buf[text : text+min(OversizedPrefix, len(buf)-text)])}
			at := base + int64(len(buf))
			length, found, err := fs.skipLine(at, size)
			if err != nil {
				return -1, 0, err
			}
			o.Length = int64(len(buf)-text) + length
			b.Oversized = append(b.Oversized, o)
			lines++
			next = at + length
			if found {
				next++
			}
			// what follows begins at or after hi: the range is done
			b.Text = nil
			return next, lines, nil
		}
		lines++
		pos = end
		if nl {
			pos++
		}
		if text > end {
			text = end // a line of the mark alone
		}
		if end-text > fs.maxLine {
			b.Oversized = append(b.Oversized, Oversized{Line: lineNo, Offset: base + int64(text), Length: int64(end - text),
				Prefix: bytes.Clone(buf[text : text+min(OversizedPrefix, end-text)])})
			grown = true // Text would hold it
			continue
		}
		stop := end
		if stop > text && buf[stop-1] == '\r' {
			stop--
		}
		if stop == text {
			continue // blank
		}
		b.Lines = append(b.Lines, buf[text:stop:stop])
		b.Offsets = append(b.Offsets, base+int64(text))
		b.LineNos = append(b.LineNos, lineNo)
	}
	if n := len(b.Lines); n > 0 && !grown {
		first, last := b.Offsets[0]-base, b.Offsets[n-1]-base+int64(len(b.Lines[n-1]))
		b.Text = buf[first:last:last]
	}
	return base + int64(pos), lines, nil
}

// readAt appends the file's bytes [from, to) to buf, in sb's buffer.
func (fs *FileSplits) readAt(sb *SplitBuffer, buf []byte, from, to int64) ([]byte, error) {
	n := int(to - from)
	if cap(buf)-len(buf) < n {
		grown := make([]byte, len(buf), max(2*cap(buf), len(buf)+n))
		copy(grown, buf)
		buf = grown
	}
	k, err := fs.f.ReadAt(buf[len(buf):len(buf)+n], from)
	if err != nil && !(errors.Is(err, io.EOF) && k == n) {
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("%s shrank below %d bytes while being read", fs.path, to)
		}
		return nil, fmt.Errorf("read %s: %w", fs.path, err)
	}
	buf = buf[:len(buf)+n]
	sb.buf = buf
	return buf, nil
}

// skipLine scans the file from at for the newline that ends a line, up to
// size: it returns the bytes before it and whether it was found.
func (fs *FileSplits) skipLine(at, size int64) (int64, bool, error) {
	var chunk [64 << 10]byte
	var n int64
	for at+n < size {
		part := chunk[:min(int64(len(chunk)), size-at-n)]
		if _, err := fs.f.ReadAt(part, at+n); err != nil && !errors.Is(err, io.EOF) {
			return 0, false, fmt.Errorf("read %s: %w", fs.path, err)
		}
		if i := bytes.IndexByte(part, '\n'); i >= 0 {
			return n + int64(i), true, nil
		}
		n += int64(len(part))
	}
	return n, false, nil
}
