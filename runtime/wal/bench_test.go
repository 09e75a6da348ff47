package wal

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkAppend measures the WAL at each sync policy next to raw
// os.File.Write of the same framed bytes (the ceiling), per record size and
// batch size, in one run. Each case starts with the page cache flushed, so
// that writeback left by an earlier case does not slow the fsyncs of a later
// one. MB/s counts payload bytes; appends/s counts records.
func BenchmarkAppend(b *testing.B) {
	shapes := []struct{ recordSize, batch int }{{100, 1}, {100, 256}, {1024, 1}, {1024, 256}}
	for _, s := range shapes {
		payload := bytes.Repeat([]byte{'p'}, s.recordSize)
		batch := make([][]byte, s.batch)
		var framed []byte
		for i := range batch {
			batch[i] = payload
			framed = appendRecord(framed, 1, payload)
		}
		prefix := fmt.Sprintf("size=%d/batch=%d", s.recordSize, s.batch)
		for _, policy := range []SyncPolicy{SyncBatch, SyncInterval, SyncNone} {
			b.Run(prefix+"/wal-sync="+policy.String(), func(b *testing.B) {
				w, _, err := Open(b.TempDir(), Options{Sync: policy})
				if err != nil {
					b.Fatal(err)
				}
				defer w.Close()
				start(b, s.recordSize*s.batch)
				for range b.N {
					if s.batch == 1 {
						_, err = w.Append(payload)
					} else {
						_, err = w.AppendBatch(batch)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*s.batch)/b.Elapsed().Seconds(), "appends/s")
			})
		}
		for _, sync := range []string{"fsync", "fdatasync", "none"} {
			b.Run(prefix+"/raw-sync="+sync, func(b *testing.B) {
				f, err := os.Create(filepath.Join(b.TempDir(), "raw"))
				if err != nil {
					b.Fatal(err)
				}
				defer f.Close()
				start(b, s.recordSize*s.batch)
				for range b.N {
					if _, err := f.Write(framed); err != nil {
						b.Fatal(err)
					}
					switch sync {
					case "fsync":
						err = f.Sync()
					case "fdatasync":
						err = fdatasync(f)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*s.batch)/b.Elapsed().Seconds(), "appends/s")
			})
		}
	}
}

func start(b *testing.B, bytesPerOp int) {
	flushPageCache()
	b.SetBytes(int64(bytesPerOp))
	b.ReportAllocs()
	b.ResetTimer()
}
