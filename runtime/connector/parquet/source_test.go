package parquet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/laminar-sql/laminar/runtime/connector"
)

// testRow is a row of the test files: id int32 (read as BIGINT), k a
// nullable string, x a nullable float32 (read as DOUBLE), ts a timestamp
// in milliseconds, n an int64 that may be NULL in the file although the
// source declares it NOT NULL (a dead letter).
type testRow struct {
	ID   int64
	K    *string
	X    *float64
	TS   int64 // µs
	N    *int64
	File string
}

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int32},
	{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "x", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
	{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "unused", Type: arrow.BinaryTypes.String},
}, nil)

const testColumns = `[{"name":"id","type":"BIGINT","read":true},{"name":"k","type":"VARCHAR","nullable":true,"read":true},` +
	`{"name":"x","type":"DOUBLE","nullable":true,"read":true},{"name":"ts","type":"TIMESTAMP","read":true,"event_time":true},` +
	`{"name":"n","type":"BIGINT","read":true},{"name":"unused","type":"VARCHAR","read":false}]`

// writeTestFile writes rows [from, to) as a Parquet file with row groups
// of groupRows rows.
func writeTestFile(t testing.TB, path string, from, to, groupRows int, nullN func(i int) bool) []testRow {
	t.Helper()
	b := array.NewRecordBuilder(memory.DefaultAllocator, testSchema)
	defer b.Release()
	var rows []testRow
	for i := from; i < to; i++ {
		r := testRow{ID: int64(i), TS: 1_700_000_000_000_000 + int64(i)*1000_000, File: path}
		b.Field(0).(*array.Int32Builder).Append(int32(i))
		if i%5 == 0 {
			b.Field(1).AppendNull()
		} else {
			k := fmt.Sprintf("k%d", i%3)
			r.K = &k
			b.Field(1).(*array.StringBuilder).Append(k)
		}
		if i%4 == 1 {
			b.Field(2).AppendNull()
		} else {
			x := float64(float32(i) / 4)
			r.X = &x
			b.Field(2).(*array.Float32Builder).Append(float32(i) / 4)
		}
		b.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(r.TS / 1000))
		if nullN != nil && nullN(i) {
			b.Field(4).AppendNull()
		} else {
			n := int64(i) * 10
			r.N = &n
			b.Field(4).(*array.Int64Builder).Append(n)
		}
		b.Field(5).(*array.StringBuilder).Append("u")
		rows = append(rows, r)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(testSchema, f, pq.NewWriterProperties(pq.WithMaxRowGroupLength(int64(groupRows))), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func open(t testing.TB, opts map[string]string, at connector.Position) *Source {
	t.Helper()
	if opts[SourceColumnsOption] == "" {
		opts[SourceColumnsOption] = testColumns
	}
	s, err := openSource(connector.Env{Logf: func(string, ...any) {}}, opts, at)
	if err != nil {
		t.Fatal(err)
	}
	return s.(*Source)
}

// readAll reads src to its end (at most maxBatches batches: then it stops
// and returns the position), collecting rows and rejected records.
func readAll(t testing.TB, s *Source, batch, maxBatches int) (rows []testRow, rejected []connector.Rejected, skipped int64, pos connector.Position, done bool) {
	t.Helper()
	var b connector.LineBatch
	for i := 0; maxBatches < 0 || i < maxBatches; i++ {
		more, err := s.Next(&b, batch)
		if err != nil {
			t.Fatal(err)
		}
		skipped += b.SkippedRecords
		rejected = append(rejected, b.Rejected...)
		if b.TypedLen > 0 {
			bt := b.Typed.(*Batch)
			if bt.Len != b.TypedLen {
				t.Fatalf("batch Len %d, TypedLen %d", bt.Len, b.TypedLen)
			}
			rows = unitRows(rows, &b)
			if len(bt.Columns[5].String) != 0 {
				t.Fatal("a column no view reads was decoded")
			}
		}
		if !more {
			return rows, rejected, skipped, s.Position(), true
		}
	}
	return rows, rejected, skipped, s.Position(), false
}

func rowsText(rows []testRow) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s %d %v %v %d %v\n", filepath.Base(r.File), r.ID, deref(r.K), deref(r.X), r.TS, deref(r.N))
	}
	return b.String()
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// threeFiles writes a directory of three files (one with a single row
// group, one with a NULL in n) plus files the source must ignore.
func threeFiles(t *testing.T) (dir string, want []testRow) {
	dir = t.TempDir()
	want = append(want, writeTestFile(t, filepath.Join(dir, "a.parquet"), 0, 35, 10, nil)...)
	want = append(want, writeTestFile(t, filepath.Join(dir, "b.parquet"), 35, 40, 10, nil)...)
	sub := filepath.Join(dir, "dt=2024-01-01")
	os.MkdirAll(sub, 0o755)
	want = append(want, writeTestFile(t, filepath.Join(sub, "c.parquet"), 40, 77, 16, nil)...)
	os.WriteFile(filepath.Join(dir, "_SUCCESS"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, ".part.parquet.tmp"), []byte("partial"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
	return dir, want
}

// TestSourceReadsFiles: every row of every file, in name order, with
// NULLs, widened types and timestamps in µs, at batch sizes 1, 7 and 1024;
// a directory, a glob and a single file.
func TestSourceReadsFiles(t *testing.T) {
	dir, want := threeFiles(t)
	for _, bs := range []int{1, 7, 1024} {
		got, rej, _, _, _ := readAll(t, open(t, map[string]string{"path": dir}, connector.Position{}), bs, -1)
		if len(rej) != 0 {
			t.Fatalf("rejected: %v", rej)
		}
		if g, w := rowsText(got), rowsText(want); g != w {
			t.Fatalf("batch size %d: got\n%s\nwant\n%s", bs, g, w)
		}
	}
	got, _, _, _, _ := readAll(t, open(t, map[string]string{"path": filepath.Join(dir, "[ab].parquet")}, connector.Position{}), 7, -1)
	if g, w := rowsText(got), rowsText(want[:40]); g != w {
		t.Fatalf("glob: got\n%s\nwant\n%s", g, w)
	}
	got, _, _, _, _ = readAll(t, open(t, map[string]string{"path": filepath.Join(dir, "b.parquet")}, connector.Position{}), 7, -1)
	if g, w := rowsText(got), rowsText(want[35:40]); g != w {
		t.Fatalf("one file: got\n%s\nwant\n%s", g, w)
	}
}

// TestSourceResume: stopped after every number of batches and reopened at
// its position, the source hands out every row exactly once.
func TestSourceResume(t *testing.T) {
	dir, want := threeFiles(t)
	for _, bs := range []int{1, 7, 1024} {
		for stop := 0; ; stop++ {
			first, _, _, pos, done := readAll(t, open(t, map[string]string{"path": dir}, connector.Position{}), bs, stop)
			// through JSON, as a checkpoint stores it
			data, _ := json.Marshal(pos)
			var back connector.Position
			json.Unmarshal(data, &back)
			rest, _, _, _, _ := readAll(t, open(t, map[string]string{"path": dir}, back), bs, -1)
			if g, w := rowsText(append(first, rest...)), rowsText(want); g != w {
				t.Fatalf("batch size %d, resumed after %d batches at %s: got\n%s\nwant\n%s", bs, stop, data, g, w)
			}
			if done {
				break
			}
		}
	}
}

// TestSourceResumeOtherFile: a checkpoint's file index that now names
// another file (one was added before it) is an error, not a silent skip.
func TestSourceResumeOtherFile(t *testing.T) {
	dir, _ := threeFiles(t)
	_, _, _, pos, _ := readAll(t, open(t, map[string]string{"path": dir}, connector.Position{}), 1024, 4)
	writeTestFile(t, filepath.Join(dir, "0.parquet"), 0, 3, 10, nil)
	_, err := openSource(connector.Env{}, map[string]string{"path": dir, SourceColumnsOption: testColumns}, pos)
	if err == nil || !strings.Contains(err.Error(), "another file") {
		t.Fatalf("err = %v", err)
	}
}

// TestSourceSkipsRowGroups: row groups whose statistics rule the
// predicate out are not read; their rows are counted as skipped and their
// largest event time is handed to the next batch for the watermark.
func TestSourceSkipsRowGroups(t *testing.T) {
	dir, want := threeFiles(t)
	ts := func(i int64) int64 { return 1_700_000_000_000_000 + i*1000_000 }
	pred := func(terms ...string) string { return "[" + strings.Join(terms, ",") + "]" }
	for _, c := range []struct {
		name, pred string
		keep       func(r testRow) bool
		skipped    int64
	}{
		// ts >= row 25: a.parquet's groups 0 and 1 (rows 0-19) go
		{"range", pred(fmt.Sprintf(`[{"col":3,"op":">=","int":%d}]`, ts(25))), func(r testRow) bool { return r.TS >= ts(25) }, 20},
		// id < 12 OR id > 70: groups 20-29, 30-34, 35-39 and 40-55 go
		{"or", pred(`[{"col":0,"op":"<","int":12}]`, `[{"col":0,"op":">","int":70}]`), func(r testRow) bool { return r.ID < 12 || r.ID > 70 }, 20 + 5 + 11},
		// id = 37 AND k = 'k1': b.parquet only
		{"equality", pred(`[{"col":0,"op":"=","int":37},{"col":1,"op":"=","str":"k1"}]`), func(r testRow) bool { return r.ID == 37 }, 72},
		// k > 'zz': no group can match (k's maximum is k2)
		{"string", pred(`[{"col":1,"op":">","str":"zz"}]`), func(r testRow) bool { return false }, 77},
	} {
		got, _, skipped, _, _ := readAll(t, open(t, map[string]string{"path": dir, PredicateOption: c.pred}, connector.Position{}), 1024, -1)
		if skipped != c.skipped {
			t.Errorf("%s: %d rows skipped, want %d", c.name, skipped, c.skipped)
		}
		if int64(len(got))+skipped != int64(len(want)) {
			t.Errorf("%s: %d rows read and %d skipped of %d", c.name, len(got), skipped, len(want))
		}
		for _, r := range want {
			if c.keep(r) && !slices.ContainsFunc(got, func(g testRow) bool { return g.ID == r.ID }) {
				t.Errorf("%s: row %d passes the predicate but was skipped", c.name, r.ID)
			}
		}
	}
	// the watermark hint: the first batch after skipped groups says the
	// largest event time they had
	s := open(t, map[string]string{"path": dir, PredicateOption: pred(fmt.Sprintf(`[{"col":3,"op":">=","int":%d}]`, ts(25)))}, connector.Position{})
	var b connector.LineBatch
	if _, err := s.Next(&b, 1024); err != nil {
		t.Fatal(err)
	}
	if bt := b.Typed.(*Batch); !bt.Skipped || bt.SkippedTime != ts(19) || bt.Columns[0].Int64[0] != 20 {
		t.Fatalf("first batch: skipped %v, time %d (want %d), first id %d", bt.Skipped, bt.SkippedTime, ts(19), bt.Columns[0].Int64[0])
	}
	if _, err := s.Next(&b, 1024); err != nil {
		t.Fatal(err)
	}
	if b.Typed.(*Batch).Skipped {
		t.Fatal("the second batch repeats the hint")
	}
}

// TestSourceDeadLetters: a NULL in a column the source declares NOT NULL
// takes its row out of the batch into Rejected, with file, row group and
// row; a row group holding one is never skipped.
func TestSourceDeadLetters(t *testing.T) {
	dir := t.TempDir()
	want := writeTestFile(t, filepath.Join(dir, "a.parquet"), 0, 30, 10, func(i int) bool { return i == 3 || i == 17 || i == 18 })
	for _, bs := range []int{1, 7, 1024} {
		got, rej, _, _, _ := readAll(t, open(t, map[string]string{"path": dir, PredicateOption: `[[{"col":0,"op":">","int":100}]]`}, connector.Position{}), bs, -1)
		var wantRows []testRow
		for _, r := range want {
			if r.N != nil && r.ID > 100 {
				wantRows = append(wantRows, r)
			}
		}
		// groups 0 and 1 hold NULLs in n, so they are read: their rows
		// fail the predicate in the views, but the bad ones are reported
		if len(rej) != 3 {
			t.Fatalf("batch size %d: %d rejected, want 3: %v", bs, len(rej), rej)
		}
		if len(got) != 17 {
			t.Fatalf("batch size %d: %d rows read, want 17 (groups 0 and 1 less their 3 bad rows)", bs, len(got))
		}
		r := rej[1]
		if r.Line != 18 || r.Offset != 17 || !strings.Contains(r.Err.Error(), "a.parquet row group 1 row 7 (row 17 of the file): column n: NULL in a NOT NULL column") ||
			!bytes.Contains(r.Record, []byte(`"id":17`)) {
			t.Fatalf("rejected: line %d offset %d %v %s", r.Line, r.Offset, r.Err, r.Record)
		}
	}
}

// TestSourceSchemaErrors: a declared column the file lacks, or of a type
// its file column cannot be read as, stops the job with a message naming
// the file, the column and both types.
func TestSourceSchemaErrors(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "a.parquet"), 0, 3, 10, nil)
	for _, c := range []struct{ cols, want string }{
		{`[{"name":"missing","type":"BIGINT","read":true}]`, "has no column missing (the source declares missing BIGINT)"},
		{`[{"name":"k","type":"BIGINT","read":true}]`, "column k: is BYTE_ARRAY (String) in the file, which cannot be read as BIGINT"},
		{`[{"name":"ts","type":"DOUBLE","read":true}]`, "column ts: is INT64 (Timestamp(isAdjustedToUTC=true, timeUnit=milliseconds, is_from_converted_type=false, force_set_converted_type=false)) in the file, which cannot be read as DOUBLE"},
		{`[{"name":"id","type":"TIMESTAMP","read":true}]`, "cannot be read as TIMESTAMP"},
	} {
		s := open(t, map[string]string{"path": dir, SourceColumnsOption: c.cols}, connector.Position{})
		_, err := s.Next(&connector.LineBatch{}, 10)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.cols, err, c.want)
		}
	}
	if _, err := openSource(connector.Env{}, map[string]string{"path": filepath.Join(dir, "*.nothing"), SourceColumnsOption: testColumns}, connector.Position{}); err == nil ||
		!strings.Contains(err.Error(), "matches no file") {
		t.Errorf("empty glob: %v", err)
	}
}

// FuzzSource feeds damaged Parquet files to the source: it must return an
// error or rows, never panic or hang.
func FuzzSource(f *testing.F) {
	dir := f.TempDir()
	good := filepath.Join(dir, "good.parquet")
	writeTestFile(f, good, 0, 40, 10, func(i int) bool { return i == 7 })
	data, err := os.ReadFile(good)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data, 0, byte(0))
	f.Add(data, len(data)/2, byte(0xff))
	f.Add(data[:len(data)-9], 0, byte(0))
	f.Add([]byte("PAR1"), 0, byte(0))
	// files whose metadata claimed sizes arrow-go allocated by (a 3.3 GB
	// column chunk, a footer list of 100M entries; see guard.go)
	if data, err := os.ReadFile(filepath.Join("testdata", "damaged-footer-list.parquet")); err == nil {
		f.Add(data, 0, byte(0))
	}
	// one file, rewritten by each run (a process runs its inputs one after
	// the other): no directory made and removed per run
	p := filepath.Join(f.TempDir(), "f.parquet")
	f.Fuzz(func(t *testing.T, file []byte, at int, x byte) {
		if len(file) > 0 && at >= 0 {
			file = slices.Clone(file)
			file[at%len(file)] ^= x
		}
		if err := os.WriteFile(p, file, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := openSource(connector.Env{Logf: func(string, ...any) {}}, map[string]string{"path": p, SourceColumnsOption: testColumns,
			PredicateOption: `[[{"col":0,"op":">","int":15}]]`}, connector.Position{})
		if err != nil {
			return
		}
		defer s.Close()
		var b connector.LineBatch
		for range 1000 {
			more, err := s.Next(&b, 7)
			if err != nil || !more {
				return
			}
		}
		t.Fatal("more than 1000 batches from a 40-row file")
	})
}
