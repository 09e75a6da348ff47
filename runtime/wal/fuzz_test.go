package wal

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// encodeSegment builds segment 1 with the given payloads.
func encodeSegment(payloads ...string) []byte {
	h := encodeHeader(1)
	buf := h[:]
	for _, p := range payloads {
		buf = appendRecord(buf, segmentSeed(1), []byte(p))
	}
	return buf
}

// FuzzReader opens arbitrary bytes as the only segment of a log (after a valid
// header when withHeader is set, to get past it). Open must not panic, must
// fail only with a corruption error, and every record read back must be one
// that verifies in the recovered file.
func FuzzReader(f *testing.F) {
	valid := encodeSegment("alpha", "beta", "gamma")
	f.Add(false, valid)
	f.Add(false, valid[:len(valid)-3])
	f.Add(false, valid[:HeaderSize-1])
	f.Add(false, append(bytes.Clone(valid), make([]byte, 64)...))
	f.Add(false, make([]byte, 100))
	f.Add(false, []byte("not a wal at all"))
	f.Add(true, valid[HeaderSize:])
	f.Add(true, []byte{5, 0, 0, 0, 1, 2, 3, 4, 'h', 'e', 'l', 'l', 'o'})
	f.Add(true, []byte{0xff, 0xff, 0xff, 0xff})
	corrupt := bytes.Clone(valid)
	corrupt[HeaderSize+RecordHeaderSize] ^= 0x40 // first payload byte
	f.Add(false, corrupt)

	f.Fuzz(func(t *testing.T, withHeader bool, data []byte) {
		if withHeader {
			h := encodeHeader(1)
			data = append(h[:], data...)
		}
		dir := t.TempDir()
		name := filepath.Join(dir, segmentName(1))
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		w, rec, err := Open(dir, Options{Sync: SyncNone})
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open failed without corruption: %v", err)
			}
			return
		}
		defer w.Close()
		file, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(file)) != rec.End.Offset || rec.End.Segment != 1 {
			t.Fatalf("recovered file has %d bytes, recovery says end %v", len(file), rec.End)
		}
		if rec.Torn && rec.DroppedBytes != int64(len(data))-int64(len(file)) && rec.TornAt.Offset != 0 {
			t.Fatalf("recovery %+v but file shrank from %d to %d", rec, len(data), len(file))
		}
		r, err := w.NewReader(Position{})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		start, records := int64(HeaderSize), int64(0)
		for {
			payload, end, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if !validRecordAt(file[start:end.Offset], segmentSeed(1)) || !bytes.Equal(payload, file[start+RecordHeaderSize:end.Offset]) {
				t.Fatalf("record at %d..%d does not verify", start, end.Offset)
			}
			start = end.Offset
			records++
		}
		if records != rec.Records || start != rec.End.Offset {
			t.Fatalf("read %d records up to %d, recovery %+v", records, start, rec)
		}
	})
}
