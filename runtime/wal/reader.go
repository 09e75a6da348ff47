package wal

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/laminar-sql/laminar/runtime/fsys"
)

// Reader iterates over the records of a WAL from a position to the end the
// log had when the Reader was made. It is not safe for concurrent use.
type Reader struct {
	fs  fsys.FS
	w   *WAL
	end Position // Next returns io.EOF here

	seq  uint64    // segment being read
	from int64     // offset to start at when the segment is opened
	file fsys.File // nil until the segment is opened
	sr   segmentReader
	err  error // sticky
}

// NewReader returns a Reader positioned at from, which must be a position
// Append returned (or the zero Position for the oldest record kept). Records
// appended after NewReader returns are not read.
func (w *WAL) NewReader(from Position) (*Reader, error) {
	w.mu.Lock()
	first, end, closed := w.first, Position{w.seq, w.size}, w.err == ErrClosed
	w.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	if from == (Position{}) {
		from = Position{first, HeaderSize}
	}
	switch {
	case from.Segment < first:
		return nil, fmt.Errorf("%w: %v (oldest segment is %d)", ErrCompacted, from, first)
	case end.Less(from):
		return nil, fmt.Errorf("wal: position %v is past the end %v", from, end)
	}
	return &Reader{
		fs:   w.fs,
		w:    w,
		end:  end,
		seq:  from.Segment,
		from: max(from.Offset, HeaderSize),
		sr:   segmentReader{br: bufio.NewReaderSize(nil, 64<<10)},
	}, nil
}

// Next returns the next record's payload, valid until the next call, and the
// position after it. It returns io.EOF at the end, and a *CorruptionError if a
// record does not verify.
func (r *Reader) Next() ([]byte, Position, error) {
	if r.err != nil {
		return nil, Position{}, r.err
	}
	for {
		if r.file == nil {
			if err := r.open(); err != nil {
				r.err = err
				return nil, Position{}, err
			}
		}
		payload, err := r.sr.next()
		if err == nil {
			return payload, Position{r.seq, r.sr.off}, nil
		}
		if err != io.EOF {
			var bad *invalidRecord
			if errors.As(err, &bad) {
				err = &CorruptionError{File: r.file.Name(), Offset: r.sr.off, Reason: bad.reason}
			} else {
				err = fmt.Errorf("wal: reading %s: %w", r.file.Name(), err)
			}
			r.err = err
			return nil, Position{}, err
		}
		if r.seq >= r.end.Segment {
			return nil, Position{}, io.EOF
		}
		r.file.Close()
		r.file = nil
		r.seq++
		r.from = HeaderSize
	}
}

// open opens segment r.seq and positions the segment reader at r.from.
func (r *Reader) open() error {
	name := r.w.path(r.seq)
	f, err := r.fs.OpenFile(name, os.O_RDONLY, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%w: %s", ErrCompacted, name)
		}
		return fmt.Errorf("wal: %w", err)
	}
	size := r.end.Offset
	if r.seq != r.end.Segment {
		info, err := f.Stat()
		if err != nil {
			f.Close()
			return fmt.Errorf("wal: %w", err)
		}
		size = info.Size()
	}
	var h [HeaderSize]byte
	if _, err := f.ReadAt(h[:], 0); err != nil && err != io.EOF {
		f.Close()
		return fmt.Errorf("wal: %w", err)
	}
	if err := checkHeader(h[:], r.seq); err != nil {
		f.Close()
		return &CorruptionError{File: name, Offset: 0, Reason: err.Error()}
	}
	if r.from > size {
		f.Close()
		return fmt.Errorf("wal: position %v is past the end of %s (%d bytes)", Position{r.seq, r.from}, name, size)
	}
	if _, err := f.Seek(r.from, io.SeekStart); err != nil {
		f.Close()
		return fmt.Errorf("wal: %w", err)
	}
	r.file = f
	r.sr.br.Reset(f)
	r.sr.seed = segmentSeed(r.seq)
	r.sr.off = r.from
	r.sr.size = size
	return nil
}

// Close releases the Reader's file.
func (r *Reader) Close() error {
	r.err = ErrClosed
	if r.file == nil {
		return nil
	}
	err := r.file.Close()
	r.file = nil
	return err
}
