package fsys

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestOSRoundTrip(t *testing.T) {
	var fsys FS = OS{}
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := fsys.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "f.tmp")
	f, err := fsys.OpenFile(name, os.O_CREATE|os.O_RDWR|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("hello world")); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(5); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := f.ReadAt(buf, 0); err != nil || string(buf) != "hello" {
		t.Fatalf("ReadAt = %q, %v", buf, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	final := filepath.Join(dir, "f")
	if err := fsys.Rename(name, final); err != nil {
		t.Fatal(err)
	}
	if err := fsys.SyncDir(dir); err != nil {
		t.Fatal(err)
	}
	entries, err := fsys.ReadDir(dir)
	if err != nil || len(entries) != 1 || entries[0].Name() != "f" {
		t.Fatalf("ReadDir = %v, %v", entries, err)
	}
	if fi, err := fsys.Stat(final); err != nil || fi.Size() != 5 {
		t.Fatalf("Stat = %v, %v", fi, err)
	}
	if err := fsys.Truncate(final, 2); err != nil {
		t.Fatal(err)
	}
	if err := fsys.Remove(final); err != nil {
		t.Fatal(err)
	}
	if _, err := fsys.OpenFile(final, os.O_RDONLY, 0); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("open removed file: %v", err)
	}
	if err := fsys.RemoveAll(filepath.Dir(dir)); err != nil {
		t.Fatal(err)
	}
}

// writeThree opens name and writes "aa", "bb", "cc", stopping at the first error.
func writeThree(fsys FS, name string) (written string, err error) {
	f, err := fsys.OpenFile(name, os.O_CREATE|os.O_RDWR|os.O_TRUNC, 0o644)
	if err != nil {
		return "", err
	}
	defer f.Close()
	for _, s := range []string{"aa", "bb", "cc"} {
		if _, err = f.Write([]byte(s)); err != nil {
			break
		}
		if err = f.Sync(); err != nil {
			break
		}
	}
	data, _ := os.ReadFile(name)
	return string(data), err
}

func TestFaultyRules(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		rule      Rule
		wantData  string
		wantErrno error
	}{
		{"no match by path", "x.log", Rule{Op: OpWrite, Path: "*.wal", Nth: 1}, "aabbcc", nil},
		{"first write fails", "x.wal", Rule{Op: OpWrite, Path: "*.wal", Nth: 1}, "", syscall.EIO},
		{"second write ENOSPC", "x.wal", Rule{Op: OpWrite, Nth: 2, Err: syscall.ENOSPC}, "aa", syscall.ENOSPC},
		{"short third write", "x.wal", Rule{Op: OpWrite, Nth: 3, ShortWrite: 1, Err: syscall.ENOSPC}, "aabbc", syscall.ENOSPC},
		{"short write larger than write", "x.wal", Rule{Op: OpWrite, Nth: 1, ShortWrite: 10}, "aa", syscall.EIO},
		{"second sync fails", "x.wal", Rule{Op: OpSync, Nth: 2}, "aabb", syscall.EIO},
		{"every sync fails", "x.wal", Rule{Op: OpSync}, "aa", syscall.EIO},
		{"third operation of any kind", "x.wal", Rule{Nth: 3}, "aa", syscall.EIO}, // open, write, sync
		{"open fails", "x.wal", Rule{Op: OpOpen, Path: "x.*"}, "", syscall.EIO},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := filepath.Join(t.TempDir(), tt.file)
			f := NewFaulty(OS{}, tt.rule)
			data, err := writeThree(f, name)
			if !errors.Is(err, tt.wantErrno) || (tt.wantErrno == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErrno)
			}
			if data != tt.wantData {
				t.Fatalf("file holds %q, want %q", data, tt.wantData)
			}
			failed := 0
			for _, e := range f.Events() {
				if e.Failed {
					failed++
				}
			}
			if want := map[bool]int{true: 1, false: 0}[tt.wantErrno != nil]; failed != want {
				t.Fatalf("%d failed events, want %d: %+v", failed, want, f.Events())
			}
		})
	}
}

func TestFaultyRecordsAndDirOps(t *testing.T) {
	dir := t.TempDir()
	f := NewFaulty(OS{})
	if _, err := writeThree(f, filepath.Join(dir, "a")); err != nil {
		t.Fatal(err)
	}
	if got := f.Count(OpWrite, "a"); got != 3 {
		t.Fatalf("Count(write) = %d, want 3", got)
	}
	if got := f.Count(OpSync, "*"); got != 3 {
		t.Fatalf("Count(sync) = %d, want 3", got)
	}

	f.AddRule(Rule{Op: OpRename, Path: "b", Nth: 2})
	f.AddRule(Rule{Op: OpSyncDir, Err: syscall.ENOSPC})
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := f.Rename(a, b); err != nil { // first rename matching "b" (as target)
		t.Fatal(err)
	}
	if err := f.Rename(b, a); !errors.Is(err, syscall.EIO) { // second, matching as source
		t.Fatalf("second rename: %v, want EIO", err)
	}
	if err := f.Rename(b, a); err != nil { // Nth fires once
		t.Fatal(err)
	}
	if err := f.SyncDir(dir); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("SyncDir: %v, want ENOSPC", err)
	}
	f.ClearRules()
	if err := f.SyncDir(dir); err != nil {
		t.Fatal(err)
	}
	ev := f.Events()
	last := ev[len(ev)-1]
	if last.Op != OpSyncDir || last.Path != dir || last.Failed {
		t.Fatalf("last event %+v", last)
	}
	var renames []Event
	for _, e := range ev {
		if e.Op == OpRename {
			renames = append(renames, e)
		}
	}
	if len(renames) != 3 || renames[0].To != b || !renames[1].Failed {
		t.Fatalf("renames recorded as %+v", renames)
	}
}
