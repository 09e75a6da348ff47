package connector

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileSink(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out", "nested", "rows.jsonl")
	// The sink truncates what a previous run left behind.
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("stale row that must go\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	s, err := CreateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write([]byte("{\"a\":1}\n{\"a\":2}\n")); err != nil {
		t.Fatal(err)
	}
	if err := s.Write([]byte("{\"a\":3}\n")); err != nil {
		t.Fatal(err)
	}
	// Buffered until Flush.
	if got := readFile(t, path); got != "" {
		t.Errorf("before Flush the file holds %q", got)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	const want = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n"
	if got := readFile(t, path); got != want {
		t.Errorf("after Flush: %q, want %q", got, want)
	}
	if err := s.Write([]byte("{\"a\":4}\n")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if got := readFile(t, path); got != want+"{\"a\":4}\n" {
		t.Errorf("after Close: %q", got)
	}
}

func TestFileSinkErrorsNamePath(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(blocker, "out.jsonl") // parent is a file
	if _, err := CreateFile(path); err == nil || !strings.Contains(err.Error(), blocker) {
		t.Fatalf("err = %v, want one naming %s", err, blocker)
	}
}

func TestWriterSinkWritesEachBatchThrough(t *testing.T) {
	var out bytes.Buffer
	s := NewWriterSink(&out)
	if err := s.Write([]byte("r1\n")); err != nil {
		t.Fatal(err)
	}
	if out.String() != "r1\n" {
		t.Fatalf("after Write: %q", out.String())
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestBlackholeCounts(t *testing.T) {
	var s Blackhole
	for _, p := range []string{"a\nbb\n", "", "ccc\n"} {
		if err := s.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if s.Rows() != 3 || s.Bytes() != 9 {
		t.Errorf("rows %d bytes %d, want 3 and 9", s.Rows(), s.Bytes())
	}
}

func TestOpenByConnector(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "in.jsonl"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	env := Env{BaseDir: dir, Stdin: strings.NewReader("from stdin\n"), Stdout: &stdout}

	sources := []struct {
		connector string
		options   map[string]string
		wantLine  string
		wantErr   string
	}{
		{"file", map[string]string{"path": "in.jsonl"}, "x", ""},
		{"file", map[string]string{"path": filepath.Join(dir, "in.jsonl")}, "x", ""},
		{"stdin", nil, "from stdin", ""},
		{"file", map[string]string{"path": "missing.jsonl"}, "", filepath.Join(dir, "missing.jsonl")},
		{"file", nil, "", `connector "file" needs the option path`},
		{"kafka", nil, "", `unknown source connector "kafka"`},
	}
	for _, tc := range sources {
		src, err := OpenSource(env, tc.connector, tc.options)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("OpenSource(%s, %v): err = %v, want %q", tc.connector, tc.options, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("OpenSource(%s, %v): %v", tc.connector, tc.options, err)
		}
		var b LineBatch
		if _, err := src.Next(&b, 10); err != nil || b.Len() != 1 || string(b.Lines[0]) != tc.wantLine {
			t.Errorf("OpenSource(%s, %v) read %q, %v", tc.connector, tc.options, b.Lines, err)
		}
		src.Close()
	}

	sinks := []struct {
		connector string
		options   map[string]string
		wantErr   string
	}{
		{"file", map[string]string{"path": "out/rows.jsonl"}, ""},
		{"stdout", nil, ""},
		{"blackhole", nil, ""},
		{"file", map[string]string{}, `connector "file" needs the option path`},
		{"s3", nil, `unknown sink connector "s3"`},
	}
	for _, tc := range sinks {
		sink, err := OpenSink(env, tc.connector, tc.options)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("OpenSink(%s): err = %v, want %q", tc.connector, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("OpenSink(%s): %v", tc.connector, err)
		}
		if err := sink.Write([]byte("row\n")); err != nil {
			t.Fatal(err)
		}
		if err := sink.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if got := readFile(t, filepath.Join(dir, "out", "rows.jsonl")); got != "row\n" {
		t.Errorf("file sink relative to BaseDir wrote %q", got)
	}
	if stdout.String() != "row\n" {
		t.Errorf("stdout sink wrote %q", stdout.String())
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
