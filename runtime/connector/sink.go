package connector

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
)

// Sink receives a job's encoded output rows (JSON lines), a batch at a time:
// the job calls Write once per processed batch with every row that batch
// produced, so a sink sees whole rows only.
//
// Write may keep the bytes in a buffer; Flush pushes buffered bytes to where
// the output goes (not necessarily durably); Close flushes, makes the output
// durable where that means something (fsync for files) and releases the sink.
//
// Exactly-once output extends this contract per checkpoint epoch rather
// than change it: see EpochSink, which a durable job drives around its
// checkpoints. Plain sinks are at-least-once under a durable job.
type Sink interface {
	Write(p []byte) error
	Flush() error
	Close() error
}

const fileSinkBufferSize = 1 << 20

// FileSink writes rows to a file, through a 1 MiB buffer.
type FileSink struct {
	path   string
	f      *os.File
	w      *bufio.Writer
	closed bool
}

// CreateFile creates (or truncates) the file at path for output, creating its
// parent directories.
func CreateFile(path string) (*FileSink, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &FileSink{path: path, f: f, w: bufio.NewWriterSize(f, fileSinkBufferSize)}, nil
}

// Path is the file the sink writes.
func (s *FileSink) Path() string { return s.path }

// Write buffers p. Errors of the underlying file name its path.
func (s *FileSink) Write(p []byte) error {
	_, err := s.w.Write(p)
	return err
}

// Flush writes the buffered bytes to the file (without fsync).
func (s *FileSink) Flush() error { return s.w.Flush() }

// Close flushes, fsyncs and closes the file; it reports the first error.
// Closing twice is a no-op.
func (s *FileSink) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.w.Flush()
	if syncErr := s.f.Sync(); err == nil {
		err = syncErr
	}
	if closeErr := s.f.Close(); err == nil {
		err = closeErr
	}
	return err
}

// WriterSink writes rows to an io.Writer that it does not own, such as
// stdout. The job hands it each batch's rows in one Write, which it passes
// straight on: one write per batch, so rows show up as soon as their batch is
// processed (`laminarc run` prints them promptly) without a write per row.
type WriterSink struct {
	w io.Writer
}

// NewWriterSink writes to w; Close does not close w.
func NewWriterSink(w io.Writer) *WriterSink { return &WriterSink{w: w} }

// NewStdout writes to the process's standard output.
func NewStdout() *WriterSink { return NewWriterSink(os.Stdout) }

// Write writes p to the writer.
func (s *WriterSink) Write(p []byte) error {
	_, err := s.w.Write(p)
	return err
}

// Flush does nothing: Write does not buffer.
func (s *WriterSink) Flush() error { return nil }

// Close does nothing: the writer belongs to the caller.
func (s *WriterSink) Close() error { return nil }

// Blackhole discards rows, counting them and their bytes: a sink for
// benchmarks that measures the pipeline and not the output device.
type Blackhole struct {
	rows, bytes int64
}

// Write counts the rows (newline-terminated) and bytes of p.
func (s *Blackhole) Write(p []byte) error {
	s.rows += int64(bytes.Count(p, []byte{'\n'}))
	s.bytes += int64(len(p))
	return nil
}

// Flush does nothing.
func (s *Blackhole) Flush() error { return nil }

// Close does nothing.
func (s *Blackhole) Close() error { return nil }

// Rows is the number of rows written so far.
func (s *Blackhole) Rows() int64 { return s.rows }

// Bytes is the number of bytes written so far.
func (s *Blackhole) Bytes() int64 { return s.bytes }
