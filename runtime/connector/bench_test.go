package connector

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkFileSource reads a file of 100K Nexmark-like bid records, two
// batches in turn as the job's reader does.
func BenchmarkFileSource(b *testing.B) {
	var data strings.Builder
	const lines = 100_000
	for i := range lines {
		fmt.Fprintf(&data, `{"auction":%d,"bidder":%d,"price":%d,"dateTime":"2024-01-01T00:00:%02d.123Z"}`+"\n", 1000+i%97, i, 100+i%1000, i%60)
	}
	path := filepath.Join(b.TempDir(), "bids.jsonl")
	if err := os.WriteFile(path, []byte(data.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(data.Len()))
	b.ReportAllocs()
	var batches [2]LineBatch
	for b.Loop() {
		src, err := OpenFile(path, 0, 0)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for i := 0; ; i++ {
			batch := &batches[i%2]
			more, err := src.Next(batch, 1024)
			if err != nil {
				b.Fatal(err)
			}
			n += batch.Len()
			if !more {
				break
			}
		}
		src.Close()
		if n != lines {
			b.Fatalf("read %d lines, want %d", n, lines)
		}
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "lines/s")
}
