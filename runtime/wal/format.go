package wal

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
)

const (
	// HeaderSize is the size of a segment header; the first record starts here.
	HeaderSize = 24
	// RecordHeaderSize is the length and checksum words in front of a payload.
	RecordHeaderSize = 8
	// MaxRecordSize is the largest payload Append accepts.
	MaxRecordSize = 1 << 30

	formatVersion = 1
	segmentSuffix = ".wal"
)

// magic opens every segment file.
var magic = [8]byte{'L', 'A', 'M', 'I', 'N', 'W', 'A', 'L'}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// segmentName is the file name of segment seq: 16 lower-case hex digits, so
// names sort in sequence order.
func segmentName(seq uint64) string {
	return fmt.Sprintf("%016x%s", seq, segmentSuffix)
}

// parseSegmentName returns the sequence number of a segment file name.
func parseSegmentName(name string) (uint64, bool) {
	hex, ok := strings.CutSuffix(name, segmentSuffix)
	if !ok || len(hex) != 16 {
		return 0, false
	}
	seq, err := strconv.ParseUint(hex, 16, 64)
	if err != nil || segmentName(seq) != name { // reject upper-case spellings
		return 0, false
	}
	return seq, true
}

func encodeHeader(seq uint64) [HeaderSize]byte {
	var h [HeaderSize]byte
	copy(h[0:8], magic[:])
	binary.LittleEndian.PutUint32(h[8:12], formatVersion)
	binary.LittleEndian.PutUint64(h[12:20], seq)
	binary.LittleEndian.PutUint32(h[20:24], crc32.Checksum(h[0:20], castagnoli))
	return h
}

// errTornHeader marks a header whose checksum fails: a partly written header
// at the end of the log, or damage (the caller decides which).
var errTornHeader = errors.New("header checksum mismatch")

// checkHeader validates a segment header read from the file named for seq.
func checkHeader(h []byte, seq uint64) error {
	if len(h) < HeaderSize {
		return errTornHeader
	}
	if binary.LittleEndian.Uint32(h[20:24]) != crc32.Checksum(h[0:20], castagnoli) {
		return errTornHeader
	}
	if [8]byte(h[0:8]) != magic {
		return errors.New("not a WAL segment (bad magic number)")
	}
	if v := binary.LittleEndian.Uint32(h[8:12]); v != formatVersion {
		return fmt.Errorf("unsupported format version %d (this build reads %d)", v, formatVersion)
	}
	if got := binary.LittleEndian.Uint64(h[12:20]); got != seq {
		return fmt.Errorf("header names segment %d, file name says %d", got, seq)
	}
	return nil
}

// segmentSeed is the checksum state every record checksum of segment seq
// starts from, so a record copied into another segment does not verify.
func segmentSeed(seq uint64) uint32 {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seq)
	return crc32.Update(0, castagnoli, b[:])
}

func recordChecksum(seed uint32, length, payload []byte) uint32 {
	return crc32.Update(crc32.Update(seed, castagnoli, length), castagnoli, payload)
}

// appendRecord appends the framed record for payload to buf. The header is
// built in place in buf: a local array passed to crc32 would escape to the
// heap and cost an allocation per record.
func appendRecord(buf []byte, seed uint32, payload []byte) []byte {
	start := len(buf)
	buf = append(buf, make([]byte, RecordHeaderSize)...)
	buf = append(buf, payload...)
	rec := buf[start:]
	binary.LittleEndian.PutUint32(rec[0:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(rec[4:8], recordChecksum(seed, rec[0:4], rec[RecordHeaderSize:]))
	return buf
}

// validRecordAt reports whether b starts with a complete record that verifies.
func validRecordAt(b []byte, seed uint32) bool {
	if len(b) < RecordHeaderSize {
		return false
	}
	n := binary.LittleEndian.Uint32(b[0:4])
	if n == 0 || n > MaxRecordSize || int64(n) > int64(len(b)-RecordHeaderSize) {
		return false
	}
	payload := b[RecordHeaderSize : RecordHeaderSize+int(n)]
	return binary.LittleEndian.Uint32(b[4:8]) == recordChecksum(seed, b[0:4], payload)
}

// validRecordAfter reports whether a valid record starts anywhere in b after
// its first byte. It tells damage in the middle of a segment (something valid
// follows) from a torn tail (nothing does).
func validRecordAfter(b []byte, seed uint32) bool {
	for i := 1; i+RecordHeaderSize < len(b); i++ {
		if validRecordAt(b[i:], seed) {
			return true
		}
	}
	return false
}

// invalidRecord says why the record at an offset does not verify. Whether it is
// a torn tail or corruption depends on where it is; see the package comment.
type invalidRecord struct{ reason string }

func (e *invalidRecord) Error() string { return e.reason }

// segmentReader decodes the records of one segment from a buffered reader.
type segmentReader struct {
	br   *bufio.Reader
	seed uint32
	off  int64 // offset of the next record in the segment
	size int64 // records end here; bytes beyond are not read
	hdr  [RecordHeaderSize]byte
	buf  []byte // payload of the last record, reused
}

// next returns the next payload, valid until the following call; io.EOF at
// exactly size; *invalidRecord if the record at off does not verify; other
// errors are I/O errors.
func (s *segmentReader) next() ([]byte, error) {
	left := s.size - s.off
	if left == 0 {
		return nil, io.EOF
	}
	if left < RecordHeaderSize {
		return nil, &invalidRecord{"incomplete record header"}
	}
	if _, err := io.ReadFull(s.br, s.hdr[:]); err != nil {
		return nil, shortRead(err)
	}
	n := binary.LittleEndian.Uint32(s.hdr[0:4])
	switch {
	case n == 0:
		return nil, &invalidRecord{"zero record length"}
	case n > MaxRecordSize || int64(n) > left-RecordHeaderSize:
		return nil, &invalidRecord{fmt.Sprintf("record length %d runs past the end of the segment", n)}
	}
	if cap(s.buf) < int(n) {
		s.buf = make([]byte, n)
	}
	payload := s.buf[:n]
	if _, err := io.ReadFull(s.br, payload); err != nil {
		return nil, shortRead(err)
	}
	if binary.LittleEndian.Uint32(s.hdr[4:8]) != recordChecksum(s.seed, s.hdr[0:4], payload) {
		return nil, &invalidRecord{"record checksum mismatch"}
	}
	s.off += RecordHeaderSize + int64(n)
	return payload, nil
}

// shortRead turns an end of file inside a record (the file shrank under us)
// into an invalid record; other read errors stay I/O errors.
func shortRead(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return &invalidRecord{"segment ends inside a record"}
	}
	return err
}
