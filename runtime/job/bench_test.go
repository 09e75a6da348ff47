package job

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// passThrough copies every line to sink 0: the cheapest possible pipeline, so
// the benchmark measures the driver (reading, batching, handing batches
// over, writing sinks).
type passThrough struct{ ctx *Context }

func (p passThrough) ProcessLines(src int, b *connector.LineBatch) {
	w := p.ctx.Sinks[0]
	for _, line := range b.Lines {
		w.Buf = append(w.Buf, line...)
		w.Buf = append(w.Buf, '\n')
		w.Rows++
	}
}

func (p passThrough) EndOfInput(int) {}

// BenchmarkRunBlackhole runs 200K bid records from a file into a blackhole
// sink.
func BenchmarkRunBlackhole(b *testing.B) {
	const lines = 200_000
	var data strings.Builder
	for i := range lines {
		fmt.Fprintf(&data, `{"auction":%d,"bidder":%d,"price":%d,"dateTime":"2024-01-01T00:00:%02d.123Z"}`+"\n", 1000+i%97, i, 100+i%1000, i%60)
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bids.jsonl"), []byte(data.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	spec := Spec{
		Name:    "bench",
		Sources: []SourceSpec{fileSource("bids", "bids.jsonl")},
		Sinks:   []SinkSpec{{Name: "null", Connector: "blackhole"}},
	}
	factory := func(ctx *Context) Pipeline { return passThrough{ctx} }
	opts := Options{BaseDir: dir, Quiet: true, Stderr: io.Discard}
	b.SetBytes(int64(data.Len()))
	b.ReportAllocs()
	for b.Loop() {
		sum, err := Run(context.Background(), spec, factory, opts)
		if err != nil {
			b.Fatal(err)
		}
		if sum.RowsOut() != lines {
			b.Fatalf("%d rows out, want %d", sum.RowsOut(), lines)
		}
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "rows/s")
}
