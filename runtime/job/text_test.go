package job

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/laminar-sql/laminar/runtime/connector"
)

func TestHasLoneSurrogate(t *testing.T) {
	for in, want := range map[string]bool{
		`{"a":"plain"}`:               false,
		`{"a":"\u00e9\u20ac"}`:        false,
		`{"a":"\ud83d\ude00"}`:        false, // a pair
		`{"a":"\uD83D\uDE00 \ud800"}`: true,
		`{"a":"\ud800"}`:              true,
		`{"a":"\ud800x"}`:             true,
		`{"a":"\udc00\ud800"}`:        true, // low before high
		`{"a":"\ud800\u0041"}`:        true,
		`{"a":"\u12"}`:                false, // not an escape the decoder accepts either
	} {
		if got := hasLoneSurrogate([]byte(in)); got != want {
			t.Errorf("%s: %v, want %v", in, got, want)
		}
	}
}

// A CSV header is not a row in rows in; records with invalid UTF-8 are
// counted; a quoted field spanning lines is one record.
func TestCSVHeaderAndInvalidTextCounted(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in.csv"), "\uFEFFname,n\nx,1\n\"two\nlines\",2\n\xff\xfe,3\n")
	src := SourceSpec{Name: "in", Connector: "file", Format: "csv", Options: map[string]string{"path": "in.csv"}, Columns: []string{"name", "n"}}
	spec := Spec{Name: "p", Sources: []SourceSpec{src}, Sinks: []SinkSpec{fileSink("out", "out.jsonl")}}
	var stderr bytes.Buffer
	var p *copyPipeline
	summary, err := Run(context.Background(), spec, newCopyFactory(t, spec, &p), testOptions(dir, &stderr))
	if err != nil {
		t.Fatal(err)
	}
	s := summary.Sources[0]
	if s.RowsIn != 3 || s.InvalidText != 1 {
		t.Errorf("rows in %d (want 3), invalid %d (want 1)", s.RowsIn, s.InvalidText)
	}
	if p.rows[0] != 4 { // the pipeline still sees the header, and skips it itself
		t.Errorf("pipeline saw %d records, want 4", p.rows[0])
	}
	var b connector.LineBatch
	b.Lines, b.LineNos = [][]byte{[]byte(`"name",n`)}, []int64{1}
	if !isCSVHeader(src, &b) {
		t.Error("a quoted header is not recognized")
	}
}
