package parquet

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/laminar-sql/laminar/runtime/connector"
)

// TestFooterWalk: the footer of a good file walks; a list, a string or a
// map that claims more elements than the footer has bytes left is an
// error before arrow-go's Thrift code allocates for it, and so is a
// truncated value.
func TestFooterWalk(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.parquet")
	writeTestFile(t, good, 0, 40, 10, nil)
	f, _ := os.Open(good)
	st, _ := f.Stat()
	if err := checkFooter(f, st.Size()); err != nil {
		t.Fatalf("good file: %v", err)
	}
	f.Close()
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"list of a billion i32", []byte{0x19, 0xf5, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0x00}, "claims 1000000000 elements with 1 bytes left"},
		{"string of 300 bytes", []byte{0x18, 0xac, 0x02, 'a', 0x00}, "claims 300 elements with 2 bytes left"},
		{"map of 70000 entries", []byte{0x1b, 0xf0, 0xa2, 0x04, 0x55}, "claims 70000 elements"},
		{"truncated", []byte{0x15}, "ends inside a value"},
		{"deep", []byte(strings.Repeat("\x1c", 70)), "nested more than 64 deep"},
		{"fine", []byte{0x15, 0x04, 0x19, 0x25, 0x02, 0x04, 0x00}, ""},
	} {
		w := thriftWalker{b: c.b}
		err := w.walk(thriftStruct, 0)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// TestDamagedMetadataBounded: files whose metadata claims sizes beyond the
// file (found by FuzzSource: a column chunk of 3.3 GB in a 5 KB file, a
// footer list of 100M entries) end in an error naming the file at once,
// not in gigabytes allocated.
func TestDamagedMetadataBounded(t *testing.T) {
	p, _ := filepath.Abs(filepath.Join("testdata", "damaged-footer-list.parquet"))
	start := time.Now()
	s, err := openSource(connector.Env{Logf: func(string, ...any) {}}, map[string]string{"path": p, SourceColumnsOption: testColumns}, connector.Position{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Next(&connector.LineBatch{}, 7)
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "damaged footer") {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("%v to refuse it", d)
	}
	// column chunks placed outside the file: the good file's pages cut
	// out, its footer kept
	dir := t.TempDir()
	good := filepath.Join(dir, "good.parquet")
	writeTestFile(t, good, 0, 40, 40, nil)
	data, _ := os.ReadFile(good)
	n := int(binary.LittleEndian.Uint32(data[len(data)-8:]))
	cut := filepath.Join(dir, "cut.parquet")
	os.WriteFile(cut, append([]byte("PAR1"), data[len(data)-8-n:]...), 0o644)
	s, err = openSource(connector.Env{Logf: func(string, ...any) {}}, map[string]string{"path": cut, SourceColumnsOption: testColumns}, connector.Position{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Next(&connector.LineBatch{}, 7)
	if err == nil || !strings.Contains(err.Error(), "cut.parquet row group 0 column") || !strings.Contains(err.Error(), "the column chunk's metadata places it at bytes") {
		t.Errorf("err = %v", err)
	}
	a := limitedAllocator{memory.NewGoAllocator(), 1 << 20}
	func() {
		defer func() {
			var e errTooLarge
			if r := recover(); r == nil || !errors.As(r.(error), &e) || e.n != 2<<20 {
				t.Errorf("recovered %v, want errTooLarge of 2 MiB", r)
			}
		}()
		a.Allocate(2 << 20)
	}()
	if b := a.Allocate(1 << 20); len(b) != 1<<20 {
		t.Error("an allocation within the limit failed")
	}
	if pageLimit(1000) != 64<<20 || pageLimit(1<<20) != 1<<30 || pageLimit(1<<40) != 1<<30 || pageLimit(200<<10) != 200<<20 {
		t.Error("pageLimit")
	}
}

// TestDictionaryBounds: a dictionary page cannot claim more values than
// its bytes hold, and a data page's index width must fit the dictionary.
func TestDictionaryBounds(t *testing.T) {
	p := &boundedPages{dictValues: 5}
	for _, c := range []struct {
		w  byte
		ok bool
	}{{3, true}, {6, true}, {7, false}, {31, false}, {200, false}} {
		err := p.checkWidth([]byte{0xaa, c.w, 0}, 1)
		if (err == nil) != c.ok {
			t.Errorf("width %d: %v", c.w, err)
		}
	}
	if err := (&boundedPages{dictValues: -1}).checkWidth([]byte{40}, 0); err != nil {
		t.Errorf("no dictionary yet: %v", err)
	}
}
