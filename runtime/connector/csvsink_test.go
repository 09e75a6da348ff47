package connector

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCSVSink: JSON rows become CSV records in key order (quoting, NULL as
// an empty field, _op last), and an exactly-once sink stays one.
func TestCSVSink(t *testing.T) {
	dir := t.TempDir()
	inner, err := OpenEpochFile(filepath.Join(dir, "out.csv"), filepath.Join(dir, "tmp"), false)
	if err != nil {
		t.Fatal(err)
	}
	s := NewCSVSink(inner)
	es, ok := s.(EpochSink)
	if !ok {
		t.Fatal("the CSV sink of an epoch sink is no EpochSink")
	}
	if err := es.Recover(0, nil); err != nil {
		t.Fatal(err)
	}
	rows := `{"a":"x,y","b":1.5,"c":null,"d":true,"ts":"2024-01-01T00:00:00Z","_op":"+"}` + "\n" + `{"a":"say \"hi\"","b":-2,"c":"","d":false,"ts":"2024-01-01T00:00:01.5Z","_op":"-"}` + "\n"
	if err := s.Write([]byte(rows)); err != nil {
		t.Fatal(err)
	}
	data, err := es.Prepare(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := es.Commit(1); err != nil {
		t.Fatal(err)
	}
	_ = data
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "out.csv"))
	want := "\"x,y\",1.5,,true,2024-01-01T00:00:00Z,+\n\"say \"\"hi\"\"\",-2,,false,2024-01-01T00:00:01.5Z,-\n"
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if err := NewCSVSink(&Blackhole{}).Write([]byte("not json\n")); err == nil {
		t.Fatal("a line that is no JSON object was written")
	}
}
