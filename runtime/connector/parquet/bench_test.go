package parquet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/laminar-sql/laminar/runtime/connector"
)

// benchRows is the size of the benchmarks' file: Nexmark-like bids.
const benchRows = 1_000_000

// benchFile is the benchmarks' file: $PARQUET_BENCH_FILE if set (written
// there when missing, so that a profiler's runs of the two benchmarks only
// read it), else a file in a temporary directory.
func benchFile(b *testing.B) string {
	p := os.Getenv("PARQUET_BENCH_FILE")
	if p == "" {
		p = filepath.Join(b.TempDir(), "bids.parquet")
	}
	if _, err := os.Stat(p); err == nil {
		return p
	}
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "auction", Type: arrow.PrimitiveTypes.Int64}, {Name: "bidder", Type: arrow.PrimitiveTypes.Int64},
		{Name: "price", Type: arrow.PrimitiveTypes.Int64}, {Name: "channel", Type: arrow.BinaryTypes.String},
		{Name: "url", Type: arrow.BinaryTypes.String}, {Name: "dateTime", Type: &arrow.TimestampType{Unit: arrow.Microsecond}},
		{Name: "extra", Type: arrow.BinaryTypes.String},
	}, nil)
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(sc, f, pq.NewWriterProperties(pq.WithCompression(compress.Codecs.Snappy), pq.WithMaxRowGroupLength(128*1024)), pqarrow.DefaultWriterProps())
	if err != nil {
		b.Fatal(err)
	}
	bld := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer bld.Release()
	for chunk := 0; chunk < benchRows; chunk += 64 * 1024 {
		for i := chunk; i < min(chunk+64*1024, benchRows); i++ {
			bld.Field(0).(*array.Int64Builder).Append(int64(1000 + i%997))
			bld.Field(1).(*array.Int64Builder).Append(int64(2000 + i%1013))
			bld.Field(2).(*array.Int64Builder).Append(int64(100 + (i*7919)%100_000))
			bld.Field(3).(*array.StringBuilder).Append([]string{"Google", "Facebook", "Baidu", "Apple"}[i%4])
			bld.Field(4).(*array.StringBuilder).Append(fmt.Sprintf("https://www.nexmark.com/item.htm?query=%d", i%5000))
			bld.Field(5).(*array.TimestampBuilder).Append(arrow.Timestamp(1_700_000_000_000_000 + int64(i)*1000))
			bld.Field(6).(*array.StringBuilder).Append("")
		}
		rec := bld.NewRecordBatch()
		if err := w.Write(rec); err != nil {
			b.Fatal(err)
		}
		rec.Release()
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return p
}

// benchColumns: the three columns a query of auction, price and dateTime
// reads (the others are declared but not read).
const benchColumns = `[{"name":"auction","type":"BIGINT","read":true},{"name":"bidder","type":"BIGINT"},{"name":"price","type":"BIGINT","read":true},` +
	`{"name":"channel","type":"VARCHAR"},{"name":"url","type":"VARCHAR"},{"name":"dateTime","type":"TIMESTAMP","read":true,"event_time":true},{"name":"extra","type":"VARCHAR"}]`

// BenchmarkSource reads auction, price and dateTime of the file through
// the source, as a job does (batches of 1024 rows), summing price and
// auction and taking the largest dateTime; BenchmarkBareReader does the
// same with arrow-go's own reader (pqarrow, the same three columns, record
// batches of 1024 rows). Their ratio is the source's cost over arrow-go.
func BenchmarkSource(b *testing.B) {
	p := benchFile(b)
	b.ResetTimer()
	for range b.N {
		src, err := openSource(connector.Env{}, map[string]string{"path": p, SourceColumnsOption: benchColumns}, connector.Position{})
		if err != nil {
			b.Fatal(err)
		}
		var batch connector.LineBatch
		var sum, maxTS, rows int64
		for {
			more, err := src.Next(&batch, 1024)
			if err != nil {
				b.Fatal(err)
			}
			if batch.TypedLen > 0 {
				bt := batch.Typed.(*Batch)
				auction, price, ts := bt.Columns[0].Int64[:bt.Len], bt.Columns[2].Int64[:bt.Len], bt.Columns[5].Int64[:bt.Len]
				for i := range bt.Len {
					sum += price[i] + auction[i]
					maxTS = max(maxTS, ts[i])
				}
				rows += int64(bt.Len)
			}
			if !more {
				break
			}
		}
		src.Close()
		if rows != benchRows || sum == 0 || maxTS == 0 {
			b.Fatalf("%d rows, sum %d", rows, sum)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkBareReader(b *testing.B) {
	p := benchFile(b)
	b.ResetTimer()
	for range b.N {
		pf, err := file.OpenParquetFile(p, false)
		if err != nil {
			b.Fatal(err)
		}
		fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 1024}, memory.DefaultAllocator)
		if err != nil {
			b.Fatal(err)
		}
		rr, err := fr.GetRecordReader(context.Background(), []int{0, 2, 5}, nil)
		if err != nil {
			b.Fatal(err)
		}
		var sum, maxTS, rows int64
		for rr.Next() {
			rec := rr.RecordBatch()
			auction := rec.Column(0).(*array.Int64).Int64Values()
			price := rec.Column(1).(*array.Int64).Int64Values()
			ts := rec.Column(2).(*array.Timestamp).TimestampValues()
			for i := range price {
				sum += price[i] + auction[i]
				maxTS = max(maxTS, int64(ts[i]))
			}
			rows += rec.NumRows()
		}
		if err := rr.Err(); err != nil {
			b.Fatal(err)
		}
		rr.Release()
		pf.Close()
		if rows != benchRows || sum == 0 || maxTS == 0 {
			b.Fatalf("%d rows, sum %d", rows, sum)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
