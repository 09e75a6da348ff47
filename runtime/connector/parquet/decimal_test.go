package parquet

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	arrowDec "github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/decimal"
)

// TestDecimalRoundTrip: DECIMAL(18,2) and DECIMAL(38,10) values (the
// extremes, negatives, NULLs) the sink writes (INT64 and 16-byte
// FIXED_LEN_BYTE_ARRAY decimals) read back through the source exactly; a
// declaration of another scale or a smaller precision is an error naming
// both, never a rounded value; a wider precision of the same scale reads.
func TestDecimalRoundTrip(t *testing.T) {
	dir := t.TempDir()
	cols := `[{"name":"id","type":"BIGINT"},{"name":"a","type":"DECIMAL(18,2)"},{"name":"b","type":"DECIMAL(38,10)","nullable":true},` +
		`{"name":"c","type":"DECIMAL(9,3)","nullable":true}]`
	snk, err := openSink(connector.Env{}, map[string]string{"path": dir, ColumnsOption: cols}, false, "")
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
		return b.String()
	}
	var in strings.Builder
	want := map[int64]string{}
	for i := range 300 {
		a := digits(1+r.IntN(16)) + "." + digits(2)
		b := digits(1+r.IntN(28)) + "." + digits(10)
		c := digits(1+r.IntN(6)) + "." + digits(3)
		switch i {
		case 0:
			a, b, c = "9999999999999999.99", "9999999999999999999999999999.9999999999", "999999.999"
		case 1:
			a, b, c = "-9999999999999999.99", "-9999999999999999999999999999.9999999999", "-999999.999"
		case 2:
			a, b, c = "0.00", "0.0000000001", "-0.001"
		}
		if i%3 == 1 {
			a, b, c = "-"+strings.TrimPrefix(a, "-"), "-"+strings.TrimPrefix(b, "-"), "-"+strings.TrimPrefix(c, "-")
		}
		if i%7 == 3 {
			b = "null"
		}
		if i%5 == 4 {
			c = "null"
		}
		a, b, c = norm(a, 2), norm(b, 10), norm(c, 3) // as a job's JSON rows write them
		fmt.Fprintf(&in, `{"id":%d,"a":%s,"b":%s,"c":%s}`+"\n", i, a, b, c)
		want[int64(i)] = norm(a, 2) + " " + norm(b, 10) + " " + norm(c, 3)
	}
	if err := snk.Write([]byte(in.String())); err != nil {
		t.Fatal(err)
	}
	if err := snk.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.parquet"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	types := func(a, b, c string) string {
		return fmt.Sprintf(`[{"name":"id","type":"BIGINT","read":true},{"name":"a","type":%q,"read":true},{"name":"b","type":%q,"nullable":true,"read":true},{"name":"c","type":%q,"nullable":true,"read":true}]`, a, b, c)
	}
	for _, decl := range [][3]string{{"DECIMAL(18,2)", "DECIMAL(38,10)", "DECIMAL(9,3)"}, {"DECIMAL(30,2)", "DECIMAL(38,10)", "DECIMAL(18,3)"}} {
		src := open(t, map[string]string{"path": dir, SourceColumnsOption: types(decl[0], decl[1], decl[2])}, connector.Position{})
		got := map[int64]string{}
		var lb connector.LineBatch
		for {
			more, err := src.Next(&lb, 64)
			if err != nil {
				t.Fatal(err)
			}
			if lb.TypedLen > 0 {
				c := lb.Typed.(*Batch).Columns
				for r := range lb.TypedLen {
					a := ""
					if len(c[1].Int64) > 0 {
						a = decimal.String(c[1].Int64[r], 2)
					} else {
						a = decimal.String128(c[1].Int128[r], 2)
					}
					b := "null"
					if v := c[2].NullInt128[r]; v.Valid {
						b = decimal.String128(v.V, 10)
					}
					cc := "null"
					if v := c[3].NullInt64[r]; v.Valid {
						cc = decimal.String(v.V, 3)
					}
					got[c[0].Int64[r]] = a + " " + b + " " + cc
				}
			}
			if !more {
				break
			}
		}
		src.Close()
		if len(got) != len(want) {
			t.Fatalf("%v: %d rows, want %d", decl, len(got), len(want))
		}
		for id, w := range want {
			if got[id] != w {
				t.Errorf("%v: row %d: %s, want %s", decl, id, got[id], w)
			}
		}
	}
	for _, c := range []struct{ a, b, c, want string }{
		{"DECIMAL(18,3)", "DECIMAL(38,10)", "DECIMAL(9,3)", "column a: is DECIMAL(18,2) in the file, whose scale 2 is not the declared DECIMAL(18,3)'s 3"},
		{"DECIMAL(18,2)", "DECIMAL(38,9)", "DECIMAL(9,3)", "column b: is DECIMAL(38,10) in the file, whose scale 10 is not the declared DECIMAL(38,9)'s 9"},
		{"DECIMAL(17,2)", "DECIMAL(38,10)", "DECIMAL(9,3)", "column a: is DECIMAL(18,2) in the file, whose precision 18 is more than the declared DECIMAL(17,2)'s 17"},
		{"DECIMAL(18,2)", "DECIMAL(38,10)", "BIGINT", "column c: is INT64 (Decimal(precision=9, scale=3)) in the file, which cannot be read as BIGINT"},
		{"DOUBLE", "DECIMAL(38,10)", "DECIMAL(9,3)", "which cannot be read as DOUBLE"},
	} {
		s := open(t, map[string]string{"path": dir, SourceColumnsOption: types(c.a, c.b, c.c)}, connector.Position{})
		_, err := s.Next(&connector.LineBatch{}, 10)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "LDB-3006") {
			t.Errorf("%s %s %s: err = %v, want %q", c.a, c.b, c.c, err, c.want)
		}
		problems, exists, err := CheckSchema(dir, []SourceColumn{{Name: "id", Type: "BIGINT"}, {Name: "a", Type: c.a}, {Name: "b", Type: c.b, Nullable: true}, {Name: "c", Type: c.c, Nullable: true}})
		if err != nil || !exists || len(problems) != 1 || !strings.Contains(problems[0].Msg, strings.Replace(c.want, ": is", " is", 1)) {
			t.Errorf("CheckSchema %s %s %s: %v %v %+v", c.a, c.b, c.c, exists, err, problems)
		}
	}
}

// norm is a decimal's text as the sink's JSON rows write it: no plus sign,
// no leading zeros, exactly s digits after the point, no "-0".
func norm(v string, s int) string {
	if v == "null" {
		return v
	}
	u, err := decimal.Parse128([]byte(v), 38, s)
	if err != nil {
		panic(err)
	}
	return decimal.String128(u, s)
}

func TestBigEndian128(t *testing.T) {
	for _, c := range []struct {
		b    []byte
		want string
		ok   bool
	}{
		{[]byte{0x01}, "1", true},
		{[]byte{0xff}, "-1", true},
		{[]byte{0x00, 0x80}, "128", true},
		{[]byte{0xff, 0x7f}, "-129", true},
		{[]byte{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05}, "5", true},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfb}, "-5", true},
		{[]byte{0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, "", false},
		{nil, "", false},
	} {
		x, ok := bigEndian128(c.b)
		if ok != c.ok || ok && decimal.String128(x, 0) != c.want {
			t.Errorf("%x: %v %v, want %s %v", c.b, decimal.String128(x, 0), ok, c.want, c.ok)
		}
	}
}

// TestDecimalShortFixedBytes: arrow (pqarrow, as Spark) writes a DECIMAL as
// a FIXED_LEN_BYTE_ARRAY of the fewest bytes its precision needs (8 for
// DECIMAL(18,2), 13 for DECIMAL(30,4)): negative values sign-extend.
func TestDecimalShortFixedBytes(t *testing.T) {
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}},
		{Name: "b", Type: &arrow.Decimal128Type{Precision: 30, Scale: 4}, Nullable: true},
	}, nil)
	vals := []struct{ a, b string }{{"-1.05", "-123456789012345678901234.5678"}, {"999999999999999.99", "null"}, {"-9999999999999999.99", "99999999999999999999999999.9999"}, {"0.00", "-0.0001"}}
	bld := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer bld.Release()
	for _, v := range vals {
		a, _ := decimal.Parse128([]byte(v.a), 18, 2)
		bld.Field(0).(*array.Decimal128Builder).Append(arrowDec.New(a.Hi, a.Lo))
		if v.b == "null" {
			bld.Field(1).AppendNull()
			continue
		}
		b, _ := decimal.Parse128([]byte(v.b), 30, 4)
		bld.Field(1).(*array.Decimal128Builder).Append(arrowDec.New(b.Hi, b.Lo))
	}
	rec := bld.NewRecordBatch()
	defer rec.Release()
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "d.parquet"))
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
	src := open(t, map[string]string{"path": dir, SourceColumnsOption: `[{"name":"a","type":"DECIMAL(18,2)","read":true},{"name":"b","type":"DECIMAL(30,4)","nullable":true,"read":true}]`}, connector.Position{})
	var lb connector.LineBatch
	if _, err := src.Next(&lb, 10); err != nil {
		t.Fatal(err)
	}
	c := lb.Typed.(*Batch).Columns
	for r, v := range vals {
		b := "null"
		if x := c[1].NullInt128[r]; x.Valid {
			b = decimal.String128(x.V, 4)
		}
		if got := decimal.String(c[0].Int64[r], 2) + " " + b; got != norm(v.a, 2)+" "+norm(v.b, 4) {
			t.Errorf("row %d: %s, want %s %s", r, got, v.a, v.b)
		}
	}
}
