package lookup

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/decimal"
)

var cols = []Column{{Name: "id", Kind: Int}, {Name: "name", Kind: String}, {Name: "w", Kind: Float}, {Name: "at", Kind: Timestamp}}

type row struct {
	id   int64
	name string
}

func decode(v []any) (row, error) {
	r := row{id: v[0].(int64)}
	if v[1] != nil {
		r.name = v[1].(string)
	}
	return r, nil
}

func TestFileTableCSVAndJSON(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "t.csv")
	os.WriteFile(csvPath, []byte("id,name,w,at\n1,a,0.5,2024-01-01T00:00:00Z\n1,b,,\n,nokey,1,\n2,c,2,\n"), 0o644)
	jsonPath := filepath.Join(dir, "t.jsonl")
	os.WriteFile(jsonPath, []byte(`{"id":1,"name":"a","w":0.5,"at":"2024-01-01T00:00:00Z"}`+"\n"+`{"id":1,"name":"b"}`+"\n"+`{"name":"nokey"}`+"\n"+`{"id":2,"name":"c","w":2}`+"\n"), 0o644)
	for _, tc := range []struct{ path, format string }{{csvPath, "csv"}, {jsonPath, "json"}} {
		tab, err := OpenFile(tc.path, tc.format, cols, []int{0})
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := tab.Lookup([]any{int64(1)})
		if len(rows) != 2 || rows[0][1] != "a" || rows[0][2] != 0.5 || rows[0][3] != int64(1704067200000000) || rows[1][2] != nil {
			t.Errorf("%s: key 1: %v", tc.format, rows)
		}
		if rows, _ := tab.Lookup([]any{int64(3)}); len(rows) != 0 {
			t.Errorf("%s: key 3: %v", tc.format, rows)
		}
	}
	os.WriteFile(csvPath, []byte("1,a,x,\n"), 0o644)
	if _, err := OpenFile(csvPath, "csv", cols, []int{0}); err == nil {
		t.Error("a malformed field was accepted")
	}
}

// TestFileTableDecimal: DECIMAL columns of both representations read
// exactly from CSV and JSON (a number or a string), rounded half away from
// zero to the scale, and a DECIMAL key.
func TestFileTableDecimal(t *testing.T) {
	dir := t.TempDir()
	dcols := []Column{{Name: "k", Kind: Decimal128, Prec: 30, Scale: 1}, {Name: "p", Kind: Decimal, Prec: 10, Scale: 2},
		{Name: "big", Kind: Decimal128, Prec: 38, Scale: 3}}
	csvPath := filepath.Join(dir, "t.csv")
	os.WriteFile(csvPath, []byte("k,p,big\n12345678901234567890.5,1.255,-99999999999999999999.9995\n"), 0o644)
	jsonPath := filepath.Join(dir, "t.jsonl")
	os.WriteFile(jsonPath, []byte(`{"k":12345678901234567890.5,"p":"1.255","big":-99999999999999999999.9995}`+"\n"), 0o644)
	key, _ := decimal.Parse128([]byte("12345678901234567890.5"), 30, 1)
	for _, tc := range []struct{ path, format string }{{csvPath, "csv"}, {jsonPath, "json"}} {
		tab, err := OpenFile(tc.path, tc.format, dcols, []int{0})
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := tab.Lookup([]any{key})
		if len(rows) != 1 || rows[0][1] != int64(126) || decimal.String128(rows[0][2].(decimal.Int128), 3) != "-100000000000000000000.000" {
			t.Errorf("%s: %v", tc.format, rows)
		}
	}
	os.WriteFile(csvPath, []byte("1,123456789.5,1\n"), 0o644)
	if _, err := OpenFile(csvPath, "csv", dcols, []int{0}); err == nil {
		t.Error("a DECIMAL(10,2) of 9 integer digits was accepted")
	}
}

func TestCacheHitsMissesTTLAndReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.csv")
	os.WriteFile(path, []byte("1,a,,\n"), 0o644)
	opened := 0
	c := NewCache[int64, row]("t", Options{Rows: 10, TTL: 50 * time.Millisecond}, func() (Table, error) {
		opened++
		return OpenFile(path, "csv", cols, []int{0})
	}, func(k int64) []any { return []any{k} }, decode)
	defer c.Close()
	get := func(k int64) []row {
		rows, err := c.Get(k)
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	if r := get(1); len(r) != 1 || r[0].name != "a" {
		t.Fatalf("key 1: %v", r)
	}
	get(1)
	get(2)
	if n := c.Counters(); n.Hits != 1 || n.Misses != 2 || opened != 1 {
		t.Errorf("counters %+v, opened %d", n, opened)
	}
	// a changed file is read again on a miss once its entry expired
	time.Sleep(1100 * time.Millisecond)
	os.WriteFile(path, []byte("1,z,,\n2,y,,\n"), 0o644)
	if r := get(1); len(r) != 1 || r[0].name != "z" {
		t.Errorf("after the TTL and a change: %v", r)
	}
	// a table that cannot be read: a coded error, counted
	bad := NewCache[int64, row]("bad", Options{}, func() (Table, error) { return nil, fmt.Errorf("no such table") },
		func(k int64) []any { return []any{k} }, decode)
	defer bad.Close()
	if _, err := bad.Get(1); err == nil || err.Error() != "LDB-5201: lookup table bad: no such table" {
		t.Errorf("error %v", err)
	}
	if n := bad.Counters(); n.Errors != 1 {
		t.Errorf("counters %+v", n)
	}
}

func TestParseOptions(t *testing.T) {
	o, err := ParseOptions(map[string]string{"cache_rows": "5", "cache_ttl": "10m"})
	if err != nil || o.Rows != 5 || o.TTL != 10*time.Minute {
		t.Errorf("%+v %v", o, err)
	}
	if _, err := ParseOptions(map[string]string{"cache_ttl": "soon"}); err == nil {
		t.Error("a bad TTL was accepted")
	}
}
