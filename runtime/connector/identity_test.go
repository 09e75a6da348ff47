package connector

import (
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/runtime/errcode"
)

// readPosition reads path to after its first n lines and returns the position.
func readPosition(t *testing.T, path string, n int) Position {
	t.Helper()
	src, err := OpenFile(path, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var b LineBatch
	if _, err := src.Next(&b, n); err != nil || b.Len() != n {
		t.Fatalf("read %d lines: %v", b.Len(), err)
	}
	return src.Position()
}

func TestResumeChecksTheInput(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "in.txt")
	const data = "a1\nb2\nc3\nd4\n"
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(data)
	at := readPosition(t, path, 2)
	if at.Offset != 6 || !strings.HasPrefix(at.Check.String(), "crc32c=") {
		t.Fatalf("position %+v", at)
	}
	for _, tc := range []struct {
		name, content string
		ok            bool
	}{
		{"same file, appended", data + "e5\n", true},
		{"lines prepended", "z0\n" + data, false},
		{"same size, other rows", "x1\ny2\nc3\nd4\n", false},
		{"truncated", "a1\n", false},
	} {
		write(tc.content)
		src, err := OpenSourceAt(Env{}, "file", map[string]string{"path": path}, at)
		if tc.ok != (err == nil) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
		if err != nil {
			if errcode.Of(err) != errcode.InputChanged {
				t.Errorf("%s: %v has no code %s", tc.name, err, errcode.InputChanged)
			}
			continue
		}
		// The checksum goes on from the verified prefix: the position after
		// the next line is the one an uninterrupted read reports.
		var b LineBatch
		if _, err := src.Next(&b, 1); err != nil || string(b.Lines[0]) != "c3" {
			t.Fatalf("%s: resumed at %q, %v", tc.name, b.Lines, err)
		}
		if got, want := src.(Positioned).Position(), readPosition(t, path, 3); got.Check != want.Check {
			t.Errorf("%s: check after resume %q, uninterrupted %q", tc.name, got.Check, want.Check)
		}
		src.Close()
	}
	// A copy of the same bytes is the same input (a restored backup).
	write(data)
	os.Rename(path, path+".old")
	os.WriteFile(path, []byte(data), 0o644)
	if _, err := OpenSourceAt(Env{}, "file", map[string]string{"path": path}, at); err != nil {
		t.Errorf("a copy of the input: %v", err)
	}
}

func TestFileChangedWhileRead(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(path string)
	}{
		{"truncated", func(path string) { os.Truncate(path, 0) }},
		{"replaced", func(path string) {
			os.WriteFile(path+".new", []byte("other\n"), 0o644)
			os.Rename(path+".new", path)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in.txt")
			os.WriteFile(path, []byte(strings.Repeat("line\n", 10)), 0o644)
			src, err := OpenFile(path, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			var b LineBatch
			if _, err := src.Next(&b, 2); err != nil {
				t.Fatal(err)
			}
			tc.change(path)
			for {
				more, err := src.Next(&b, 2)
				if err != nil {
					if errcode.Of(err) != errcode.InputChangedWhileRead {
						t.Errorf("err %v, want %s", err, errcode.InputChangedWhileRead)
					}
					return
				}
				if !more {
					t.Fatal("the input ended without an error")
				}
			}
		})
	}
}

// The windows kept while reading are the file's bytes before the offset, at
// every batch, across buffer moves.
func TestCheckWindowsFollowTheOffset(t *testing.T) {
	var data []byte
	for i := 0; len(data) < 3<<20; i++ {
		data = append(data, strings.Repeat("x", i*7919%3000)...)
		data = append(data, '\n')
	}
	path := filepath.Join(t.TempDir(), "in.txt")
	os.WriteFile(path, data, 0o644)
	src, err := OpenFile(path, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var batches [2]LineBatch
	for i := 0; ; i++ {
		more, err := src.Next(&batches[i%2], 37)
		if err != nil {
			t.Fatal(err)
		}
		p := src.Position()
		off := p.Offset
		want := InputCheck{Head: crc32Of(data[:min(checkWindow, off)]), Tail: crc32Of(data[max(0, off-checkWindow):off]), id: src.id, set: true}
		if p.Check != want || ParseInputCheck(want.String()) != want {
			t.Fatalf("at offset %d: check %q, want %q", off, p.Check, want)
		}
		if !more {
			break
		}
	}
}

func crc32Of(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }
