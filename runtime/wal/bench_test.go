package wal

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var benchShapes = []struct{ recordSize, batch int }{
	{100, 1}, {100, 256}, {1024, 1}, {1024, 256},
}

// reportAppends adds appends/s; MB/s comes from SetBytes (payload bytes).
func reportAppends(b *testing.B, batch int) {
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "appends/s")
}

// BenchmarkAppend measures the WAL per sync policy. Compare with
// BenchmarkRawWrite in the same run.
func BenchmarkAppend(b *testing.B) {
	for _, policy := range []SyncPolicy{SyncBatch, SyncInterval, SyncNone} {
		for _, s := range benchShapes {
			b.Run(fmt.Sprintf("sync=%v/size=%d/batch=%d", policy, s.recordSize, s.batch), func(b *testing.B) {
				w, _, err := Open(b.TempDir(), Options{Sync: policy})
				if err != nil {
					b.Fatal(err)
				}
				defer w.Close()
				payload := bytes.Repeat([]byte{'p'}, s.recordSize)
				batch := make([][]byte, s.batch)
				for i := range batch {
					batch[i] = payload
				}
				b.SetBytes(int64(s.recordSize * s.batch))
				b.ReportAllocs()
				b.ResetTimer()
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
				reportAppends(b, s.batch)
			})
		}
	}
}

// BenchmarkRawWrite writes the same framed bytes with plain os.File.Write,
// with and without a sync per batch: the ceiling for the WAL.
func BenchmarkRawWrite(b *testing.B) {
	for _, sync := range []string{"none", "fsync", "fdatasync"} {
		for _, s := range benchShapes {
			b.Run(fmt.Sprintf("sync=%s/size=%d/batch=%d", sync, s.recordSize, s.batch), func(b *testing.B) {
				f, err := os.Create(filepath.Join(b.TempDir(), "raw"))
				if err != nil {
					b.Fatal(err)
				}
				defer f.Close()
				payload := bytes.Repeat([]byte{'p'}, s.recordSize)
				var framed []byte
				for range s.batch {
					framed = appendRecord(framed, 1, payload)
				}
				b.SetBytes(int64(s.recordSize * s.batch))
				b.ResetTimer()
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
				reportAppends(b, s.batch)
			})
		}
	}
}
