package connector

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// Source yields the raw records of one input, a batch at a time.
//
// Next empties b and fills it with up to maxLines records (fewer when about
// MaxBatchBytes of lines are in it, or when a pipe has nothing more ready). It
// reports more == false once the input is exhausted; that last batch may
// still hold records. On error, b may hold records read before it.
//
// The lines of a batch point into the source's own buffers and stay valid
// until the second call of Next after the one that returned them: a consumer
// may process one batch while the source fills the next (double buffering),
// but must give a batch back before the source fills a third.
type Source interface {
	Next(b *LineBatch, maxLines int) (more bool, err error)
	Close() error
}

const (
	// MaxBatchBytes caps the bytes of lines in one batch, so that batches of
	// long records do not grow without bound.
	MaxBatchBytes = 1 << 20
	// MaxLineBytes is the longest record a source accepts by default
	// (counting the bytes before "\n", a "\r" included; SetMaxLine changes
	// it). A longer record is skipped and reported in LineBatch.Oversized,
	// so that the buffer stays bounded and one bad record neither stops the
	// job nor, with a state dir, stops every restart.
	MaxLineBytes = 64 << 20

	defaultBufferSize = 1 << 20
	// maxEmptyReads guards against readers that return 0 bytes and no error
	// forever (io.Reader discourages it but does not forbid it).
	maxEmptyReads = 100
)

// ReaderSource reads newline-separated records from an io.Reader. It strips
// "\n" and a trailing "\r", skips blank lines (still counting them in line
// numbers), accepts a final line without newline, and tracks the byte offset
// and line number of every record. In steady state it allocates nothing per
// line or per batch.
type ReaderSource struct {
	r    io.Reader
	name string // for error messages: a path or "stdin"

	// Two buffers, so the lines of the batch returned last stay untouched
	// while the next batch is filled.
	bufs       [2][]byte
	cur        int // buffer holding the unconsumed input
	start, end int // unconsumed input is bufs[cur][start:end]
	scanned    int // bufs[cur][start:scanned] holds no '\n': never rescanned
	held       int // buffer holding the lines of the batch returned last, or -1

	base   int64 // input offset of bufs[cur][0]
	lineNo int64 // lines consumed so far, blank ones included

	// quotedNewlines (CSV, csvrecords.go): a newline inside a quoted field
	// does not end a record (RFC 4180); csv is the record's scan state after
	// bufs[cur][start:scanned], quotedLines the newlines in it.
	quotedNewlines bool
	csv            csvState
	quotedLines    int64

	eof       bool
	shortRead bool       // the last Read filled less than it was offered
	skip      *Oversized // the over-long record being skipped, if any
	err       error

	bufSize, maxLine int
	ends             []int // plainLines' line ends, kept from batch to batch

	// With windows set, the first and the last checkWindow bytes of the
	// input before Offset are kept (bytes up to bufs[cur][captured] are in
	// them): a file source's identity in its checkpoint (identity.go).
	windows  *checkWindows
	captured int
}

// NewReaderSource reads records from r (stdin, a pipe, a test's reader).
// name identifies the input in error messages.
func NewReaderSource(r io.Reader, name string) *ReaderSource {
	return newReaderSource(r, name, defaultBufferSize, MaxLineBytes)
}

func newReaderSource(r io.Reader, name string, bufSize, maxLine int) *ReaderSource {
	return &ReaderSource{r: r, name: name, held: -1, bufSize: bufSize, maxLine: maxLine}
}

// Offset is the input offset of the first byte not yet returned in a batch:
// where a restart resumes reading.
func (s *ReaderSource) Offset() int64 { return s.base + int64(s.start) }

// LinesRead is the number of lines consumed so far (blank ones included), to
// pass back as startLine together with Offset when resuming.
func (s *ReaderSource) LinesRead() int64 { return s.lineNo }

// SetMaxLine sets the longest record accepted (n > 0); call it before the
// first Next.
func (s *ReaderSource) SetMaxLine(n int) {
	if n > 0 {
		s.maxLine = n
	}
}

// Close does nothing: the reader belongs to the caller (stdin is not closed).
func (s *ReaderSource) Close() error { return nil }

// Next implements Source.
func (s *ReaderSource) Next(b *LineBatch, maxLines int) (more bool, err error) {
	b.Reset()
	if s.err != nil {
		return false, s.err
	}
	if maxLines < 1 {
		maxLines = 1
	}
	more, err = s.fill(b, maxLines)
	if n := len(b.Lines); n > 0 {
		// every line of a batch is in the current buffer (makeRoom moves
		// only while the batch is empty)
		first, last := b.Offsets[0]-s.base, b.Offsets[n-1]-s.base+int64(len(b.Lines[n-1]))
		b.Text = s.bufs[s.cur][first:last:last]
	}
	if s.windows != nil {
		s.capture()
	}
	s.held = -1
	if b.Len() > 0 {
		s.held = s.cur
	}
	if err != nil {
		s.err = err
	}
	return more, err
}

func (s *ReaderSource) fill(b *LineBatch, maxLines int) (more bool, err error) {
	batchBytes := 0
	emptyReads := 0
	for b.Len() < maxLines && batchBytes < MaxBatchBytes {
		if s.skip == nil && !s.quotedNewlines && s.scanned == s.start {
			// the plain lines first, in one tight loop; what it leaves (a
			// line that needs more input, is too long or opens the input)
			// goes the general way below
			if batchBytes = s.plainLines(b, maxLines, batchBytes); b.Len() >= maxLines || batchBytes >= MaxBatchBytes {
				break
			}
		}
		buf := s.bufs[s.cur]
		if i := bytes.IndexByte(buf[s.scanned:s.end], '\n'); i >= 0 {
			nl := s.scanned + i
			if s.quotedNewlines && s.csvAdvance(buf[s.scanned:nl], s.base+int64(s.scanned)) == csvQuoted {
				s.scanned = nl + 1 // a newline inside a quoted field: the record goes on
				s.quotedLines++
				continue
			}
			if s.skip != nil {
				s.endSkip(b, nl, nl+1)
				continue
			}
			batchBytes += s.consumeLine(b, nl, nl+1)
			continue
		}
		if s.quotedNewlines {
			s.csvAdvance(buf[s.scanned:s.end], s.base+int64(s.scanned))
		}
		s.scanned = s.end
		if s.skip == nil && s.end-s.start > s.maxLine {
			s.beginSkip()
		}
		if s.skip != nil {
			// no newline yet: the record goes on; drop what it has so far
			s.skipTo(s.end)
		}
		if s.eof {
			if s.skip != nil {
				s.endSkip(b, s.end, s.end)
			} else if s.start < s.end {
				s.consumeLine(b, s.end, s.end)
			}
			return false, nil
		}
		// No complete line left: more input is needed. A short read means
		// the producer (a pipe, a terminal) had nothing more ready; hand over
		// what we have rather than block on it.
		if b.Len() > 0 && s.shortRead {
			break
		}
		if s.end == len(buf) {
			if b.Len() > 0 {
				break // making room would move bytes this batch points to
			}
			s.makeRoom()
			buf = s.bufs[s.cur]
		}
		n, err := s.r.Read(buf[s.end:])
		s.shortRead = n < len(buf)-s.end
		s.end += n
		switch {
		case errors.Is(err, io.EOF):
			s.eof = true
		case err != nil:
			return false, fmt.Errorf("read %s: %w", s.name, err)
		case n == 0:
			if emptyReads++; emptyReads >= maxEmptyReads {
				return false, fmt.Errorf("read %s: %w", s.name, io.ErrNoProgress)
			}
		}
	}
	return true, nil
}

// plainLines is fill's loop over the complete lines of the current buffer
// while the batch has room, for input whose records are lines (no quoted
// newlines) with none being skipped: what consumeLine does for each
// (cutPlainLines), with the source's state in locals. It stops, leaving the
// rest to fill, at a line without its newline yet, a line longer than the
// limit, or the input's first line (which may open with a byte-order mark),
// and returns the batch's bytes of lines so far (batchBytes and those it
// added).
func (s *ReaderSource) plainLines(b *LineBatch, maxLines, batchBytes int) int {
	if s.ends == nil {
		s.ends = make([]int, maxEnds)
	}
	start, lineNo, batchBytes := cutPlainLines(b, s.bufs[s.cur][:s.end], s.ends, s.start, s.lineNo, s.base, s.maxLine, maxLines, batchBytes, MaxBatchBytes)
	s.start, s.scanned, s.lineNo = start, start, lineNo
	return batchBytes
}

// consumeLine consumes the input up to next (an index in the current buffer)
// as one line whose text ends at stop, and adds it to b unless it is blank.
// It returns the bytes added.
func (s *ReaderSource) consumeLine(b *LineBatch, stop, next int) int {
	buf := s.bufs[s.cur]
	begin := s.start
	s.start, s.scanned = next, next
	s.lineNo++
	lineNo := s.lineNo // the record's first line
	s.lineNo += s.quotedLines
	s.csv, s.quotedLines = csvFieldStart, 0
	if begin == 0 && s.base == 0 && bytes.HasPrefix(buf[:stop], utf8BOM) {
		begin = len(utf8BOM) // a byte-order mark opens the input, not its first record
	}
	if stop-begin > s.maxLine {
		b.Oversized = append(b.Oversized, Oversized{Line: lineNo, Offset: s.base + int64(begin), Length: int64(stop - begin),
			Prefix: bytes.Clone(buf[begin : begin+min(OversizedPrefix, stop-begin)])})
		return 0
	}
	if stop > begin && buf[stop-1] == '\r' {
		stop--
	}
	if stop == begin {
		return 0
	}
	// A full slice expression, so that appending to a line cannot overwrite
	// the next one.
	b.Lines = append(b.Lines, buf[begin:stop:stop])
	b.Offsets = append(b.Offsets, s.base+int64(begin))
	b.LineNos = append(b.LineNos, lineNo)
	return stop - begin
}

// beginSkip starts skipping the record at start, longer than maxLine.
func (s *ReaderSource) beginSkip() {
	s.skip = &Oversized{Offset: s.base + int64(s.start)}
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// skipTo drops the skipped record's bytes up to stop, keeping its prefix.
func (s *ReaderSource) skipTo(stop int) {
	k := s.skip
	if n := min(OversizedPrefix-len(k.Prefix), stop-s.start); n > 0 {
		k.Prefix = append(k.Prefix, s.bufs[s.cur][s.start:s.start+n]...)
	}
	k.Length += int64(stop - s.start)
	s.start = stop
}

// endSkip ends the skipped record at stop (its text) and moves on to next,
// reporting it in b.
func (s *ReaderSource) endSkip(b *LineBatch, stop, next int) {
	s.skipTo(stop)
	s.start, s.scanned = next, next
	s.lineNo++
	s.skip.Line = s.lineNo
	s.lineNo += s.quotedLines
	s.csv, s.quotedLines = csvFieldStart, 0
	b.Oversized = append(b.Oversized, *s.skip)
	s.skip = nil
}

// makeRoom moves the unconsumed tail of a full buffer (a partial line) to the
// front of a buffer that holds no lines of the batch returned last, growing
// it when the line fills most of it. It is called only while the batch being
// filled is empty, so no line of that batch is moved.
func (s *ReaderSource) makeRoom() {
	pending := s.end - s.start // at most maxLine: a longer record is skipped
	if s.windows != nil {
		s.capture()
		s.captured = 0 // start moves to 0 below
	}
	dst := s.cur
	if s.held == s.cur {
		dst = 1 - s.cur
	}
	size := max(len(s.bufs[s.cur]), s.bufSize, 1)
	for size < 2*pending {
		size *= 2
	}
	// A buffer of maxLine+1 bytes holds the longest accepted line and its
	// newline; fill skips anything longer.
	size = min(size, max(s.maxLine+1, s.bufSize))
	if len(s.bufs[dst]) < size {
		grown := make([]byte, size)
		copy(grown, s.bufs[s.cur][s.start:s.end])
		s.bufs[dst] = grown
	} else {
		copy(s.bufs[dst], s.bufs[s.cur][s.start:s.end])
	}
	s.base += int64(s.start)
	s.scanned -= s.start
	s.start, s.end = 0, pending
	s.cur = dst
}

// FileSource is a ReaderSource over a file, able to start at an offset (to
// resume from a checkpoint). It checks the file at its end (identity.go):
// one that shrank or was replaced under it is an error, not an early end.
type FileSource struct {
	*ReaderSource
	f  *os.File
	id fileID
}

// OpenFile opens path for reading from startOffset, a line boundary such as
// an earlier Offset. startLine is the number of lines before that offset
// (LinesRead at that point; 0 from the start of the file), so that line
// numbers stay true after a resume.
func OpenFile(path string, startOffset, startLine int64) (*FileSource, error) {
	return openFileAt(path, Position{Offset: startOffset, Line: startLine})
}

func openFileAt(path string, at Position) (*FileSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	id, windows, err := checkResume(f, path, at)
	if err == nil && at.Offset != 0 {
		err = seekTo(f, path, at.Offset)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	fr := &fileReader{f: f, path: path, id: id, pos: at.Offset}
	s := NewReaderSource(fr, path)
	s.base, s.lineNo = at.Offset, at.Line
	s.windows = windows
	return &FileSource{ReaderSource: s, f: f, id: id}, nil
}

func seekTo(f *os.File, path string, offset int64) error {
	info, err := f.Stat()
	if err != nil {
		return err
	}
	// A resume offset past the end means the file was truncated or replaced
	// since the checkpoint: reading on would silently skip or invent input.
	if offset < 0 || (info.Mode().IsRegular() && offset > info.Size()) {
		return fmt.Errorf("open %s: start offset %d is outside the file (%d bytes)", path, offset, info.Size())
	}
	_, err = f.Seek(offset, io.SeekStart)
	return err
}

// Close closes the file.
func (s *FileSource) Close() error { return s.f.Close() }
