package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// writeCheckFile writes a Parquet file of three rows: id INT64 required,
// name a string (optional, no NULL), amount INT64 (optional, one NULL), ts
// a timestamp(µs) required, price a DECIMAL(18,2) required.
func writeCheckFile(t *testing.T, path string) {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "amount", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "price", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for i := range 3 {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.StringBuilder).Append("n")
		if i == 1 {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.Int64Builder).Append(int64(i * 10))
		}
		b.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(1_700_000_000_000_000 + i))
		b.Field(4).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i*100 + 5)))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(sc, f, pq.NewWriterProperties(), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCheckParquetSchema: laminarc check reads the schema footer of a
// Parquet source's files that exist and reports a declared column that is
// missing, of a type the file's column cannot be read as, or NOT NULL over
// a file column with NULLs as LDB-3006 at the column; a path that names no
// file yet is left to the job.
func TestCheckParquetSchema(t *testing.T) {
	dir := t.TempDir()
	writeCheckFile(t, filepath.Join(dir, "in.parquet"))
	os.MkdirAll(filepath.Join(dir, "parts", "dt=1"), 0o755)
	writeCheckFile(t, filepath.Join(dir, "parts", "dt=1", "a.parquet"))
	os.MkdirAll(filepath.Join(dir, "empty"), 0o755)
	os.WriteFile(filepath.Join(dir, "notparquet.parquet"), []byte("id,name\n1,x\n"), 0o644)
	for _, c := range []struct {
		name, cols, path string
		want             []string // in the diagnostics; none: check passes
	}{
		{"matches", "id BIGINT NOT NULL, name VARCHAR NOT NULL, amount BIGINT, ts TIMESTAMP", "in.parquet", nil},
		{"subset in another order, event time", "ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND, id BIGINT", "in.parquet", nil},
		{"directory", "id BIGINT, name VARCHAR", "parts", nil},
		{"glob", "id BIGINT, name VARCHAR", "parts/*/*.parquet", nil},
		{"produced later", "id BIGINT, nothere VARCHAR", "later/*.parquet", nil},
		{"file produced later", "id BIGINT, nothere VARCHAR", "later.parquet", nil},
		{"directory filled later", "id BIGINT, nothere VARCHAR", "empty", nil},
		{"varchar over int64", "id VARCHAR, name VARCHAR", "in.parquet",
			[]string{"p.sql:1:21: error LDB-3006: source s: Parquet file in.parquet: column id is INT64 (Int(bitWidth=64, isSigned=true)) in the file, which cannot be read as VARCHAR", "hint: declare the column with the type the file holds (BIGINT)"}},
		{"missing", "id BIGINT, nme VARCHAR", "in.parquet",
			[]string{"p.sql:1:29: error LDB-3006: source s: Parquet file in.parquet: no column nme (the source declares nme VARCHAR)", "hint: the file's columns: id, name, amount, ts, price"}},
		{"nullable into NOT NULL", "amount BIGINT NOT NULL", "in.parquet",
			[]string{"p.sql:1:25: error LDB-3006: source s: Parquet file in.parquet: column amount is optional (nullable) in the file and declared NOT NULL: row group 0 holds 1 NULLs"}},
		{"in a directory", "id BIGINT, name BOOLEAN", "parts",
			[]string{"Parquet file " + filepath.Join("parts", "dt=1", "a.parquet") + ": column name is BYTE_ARRAY (String) in the file, which cannot be read as BOOLEAN"}},
		{"decimal of a wider precision", "price DECIMAL(20,2) NOT NULL", "in.parquet", nil},
		{"decimal of another scale", "id BIGINT, price DECIMAL(18,3)", "in.parquet",
			[]string{"p.sql:1:35: error LDB-3006: source s: Parquet file in.parquet: column price is DECIMAL(18,2) in the file, whose scale 2 is not the declared DECIMAL(18,3)'s 3", "hint: declare the column with the type the file holds (DECIMAL(18,2))"}},
		{"decimal of fewer digits", "price DECIMAL(10,2)", "in.parquet", []string{"whose precision 18 is more than the declared DECIMAL(10,2)'s 10"}},
		{"decimal as double", "price DOUBLE", "in.parquet", []string{"column price is FIXED_LEN_BYTE_ARRAY (Decimal(precision=18, scale=2)) in the file, which cannot be read as DOUBLE"}},
		{"not parquet", "id BIGINT", "notparquet.parquet", []string{"p.sql:1:75: error LDB-3006: source s: notparquet.parquet: parquet: file is smaller than indicated metadata size"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sql := "CREATE SOURCE s (" + c.cols + ") WITH (connector = 'file', format = 'parquet', path = '" + c.path + "');\n" +
				"CREATE SINK o FROM s WITH (connector = 'stdout');\n"
			p := filepath.Join(dir, "p.sql")
			os.WriteFile(p, []byte(sql), 0o644)
			wd, _ := os.Getwd()
			os.Chdir(dir)
			defer os.Chdir(wd)
			var code int
			out := captureStderr(t, func() { code = run([]string{"check", "p.sql"}) })
			if c.want == nil {
				if code != exitOK {
					t.Fatalf("check exited %d:\n%s", code, out)
				}
				return
			}
			if code != exitPipeline {
				t.Fatalf("check exited %d, want %d:\n%s", code, exitPipeline, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("diagnostics lack %q:\n%s", w, out)
				}
			}
		})
	}
}
