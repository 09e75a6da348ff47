package connector

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/laminar-sql/laminar/runtime/errcode"
)

// epochSetup is a target path and temp dir in a fresh directory.
func epochSetup(t *testing.T) (target, temp string) {
	dir := t.TempDir()
	return filepath.Join(dir, "out", "rows.jsonl"), filepath.Join(dir, "state", "sinks", "out")
}

func mustEpochSink(t *testing.T, target, temp string, lazy bool, epoch uint64, data []byte) *EpochFileSink {
	t.Helper()
	s, err := OpenEpochFile(target, temp, lazy)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Recover(epoch, data); err != nil {
		t.Fatal(err)
	}
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func prepare(t *testing.T, s *EpochFileSink, epoch uint64) []byte {
	t.Helper()
	data, err := s.Prepare(epoch)
	must(t, err)
	return data
}

func fileContent(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "<none>"
	}
	must(t, err)
	return string(data)
}

func TestEpochFileSinkPublishesOnCommit(t *testing.T) {
	target, temp := epochSetup(t)
	must(t, os.MkdirAll(filepath.Dir(target), 0o755))
	must(t, os.WriteFile(target, []byte("stale output of another run\n"), 0o644))
	s := mustEpochSink(t, target, temp, false, 0, nil)
	if got := fileContent(t, target); got != "" {
		t.Fatalf("a fresh start must empty the target, it holds %q", got)
	}
	must(t, s.Write([]byte("a\n")))
	must(t, s.Flush())
	prepare(t, s, 1)
	if got := fileContent(t, target); got != "" {
		t.Errorf("prepared rows are visible before commit: %q", got)
	}
	must(t, s.Commit(1))
	must(t, s.Commit(1)) // idempotent
	prepare(t, s, 2)     // an epoch without rows
	must(t, s.Commit(2))
	must(t, s.Write([]byte("b\n")))
	prepare(t, s, 3)
	must(t, s.Commit(3))
	must(t, s.Close())
	if got := fileContent(t, target); got != "a\nb\n" {
		t.Errorf("target %q", got)
	}
	if entries, _ := os.ReadDir(temp); len(entries) != 0 {
		t.Errorf("temporary files left: %v", entries)
	}
}

// TestEpochFileSinkRecover crashes at every step of an epoch's life and
// recovers from the checkpoint that a crash there leaves as the newest.
func TestEpochFileSinkRecover(t *testing.T) {
	tests := []struct {
		name string
		// crash runs epoch 2 ("c\n") up to the crash after epoch 1
		// ("a\nb\n") was committed, and returns the checkpoint that is
		// the newest after the crash.
		crash func(t *testing.T, s *EpochFileSink, cp1 []byte) (uint64, []byte)
		want  string
	}{
		{"while writing", func(t *testing.T, s *EpochFileSink, cp1 []byte) (uint64, []byte) {
			must(t, s.Write([]byte("c\n")))
			must(t, s.Flush())
			return 1, cp1
		}, "a\nb\n"},
		{"prepared, checkpoint not written", func(t *testing.T, s *EpochFileSink, cp1 []byte) (uint64, []byte) {
			must(t, s.Write([]byte("c\n")))
			prepare(t, s, 2)
			return 1, cp1
		}, "a\nb\n"},
		{"checkpoint written, not published", func(t *testing.T, s *EpochFileSink, cp1 []byte) (uint64, []byte) {
			must(t, s.Write([]byte("c\n")))
			return 2, prepare(t, s, 2)
		}, "a\nb\nc\n"},
		{"half published", func(t *testing.T, s *EpochFileSink, cp1 []byte) (uint64, []byte) {
			must(t, s.Write([]byte("c\n")))
			cp2 := prepare(t, s, 2)
			f, err := os.OpenFile(s.Path(), os.O_WRONLY|os.O_APPEND, 0)
			must(t, err)
			_, err = f.WriteString("c") // the newline did not make it
			must(t, err)
			must(t, f.Close())
			return 2, cp2
		}, "a\nb\nc\n"},
		{"published, epoch file not removed", func(t *testing.T, s *EpochFileSink, cp1 []byte) (uint64, []byte) {
			must(t, s.Write([]byte("c\n")))
			cp2 := prepare(t, s, 2)
			f, err := os.OpenFile(s.Path(), os.O_WRONLY|os.O_APPEND, 0)
			must(t, err)
			_, err = f.WriteString("c\n")
			must(t, err)
			must(t, f.Close())
			return 2, cp2
		}, "a\nb\nc\n"},
		{"committed", func(t *testing.T, s *EpochFileSink, cp1 []byte) (uint64, []byte) {
			must(t, s.Write([]byte("c\n")))
			cp2 := prepare(t, s, 2)
			must(t, s.Commit(2))
			return 2, cp2
		}, "a\nb\nc\n"},
		{"newest checkpoint damaged, older one used", func(t *testing.T, s *EpochFileSink, cp1 []byte) (uint64, []byte) {
			must(t, s.Write([]byte("c\n")))
			prepare(t, s, 2)
			must(t, s.Commit(2))
			return 1, cp1 // epoch 2 is cut and will be produced again
		}, "a\nb\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target, temp := epochSetup(t)
			s := mustEpochSink(t, target, temp, false, 0, nil)
			must(t, s.Write([]byte("a\nb\n")))
			cp1 := prepare(t, s, 1)
			must(t, s.Commit(1))
			epoch, data := tc.crash(t, s, cp1)
			s.Close()

			s = mustEpochSink(t, target, temp, false, epoch, data)
			if got := fileContent(t, target); got != tc.want {
				t.Errorf("after recovery: %q, want %q", got, tc.want)
			}
			// Recovering twice (a crash during recovery) changes nothing.
			s.Close()
			s = mustEpochSink(t, target, temp, false, epoch, data)
			if got := fileContent(t, target); got != tc.want {
				t.Errorf("after a second recovery: %q, want %q", got, tc.want)
			}
			// The job goes on.
			must(t, s.Write([]byte("d\n")))
			prepare(t, s, epoch+10)
			must(t, s.Commit(epoch+10))
			must(t, s.Close())
			if got := fileContent(t, target); got != tc.want+"d\n" {
				t.Errorf("after the next epoch: %q", got)
			}
		})
	}
}

func TestLazyEpochFileSinkCreatesNoEmptyFile(t *testing.T) {
	target, temp := epochSetup(t)
	s := mustEpochSink(t, target, temp, true, 0, nil)
	must(t, s.Commit(1))
	prepare(t, s, 1)
	must(t, s.Commit(1))
	must(t, s.Close())
	if got := fileContent(t, target); got != "<none>" {
		t.Errorf("a lazy sink without rows made the target: %q", got)
	}
	s = mustEpochSink(t, target, temp, true, 1, []byte(`{"base":0,"size":0}`))
	must(t, s.Write([]byte("x\n")))
	prepare(t, s, 2)
	must(t, s.Commit(2))
	if got := fileContent(t, target); got != "x\n" {
		t.Errorf("target %q", got)
	}
}

func TestEpochFileSinkRefusesShortTarget(t *testing.T) {
	target, temp := epochSetup(t)
	s := mustEpochSink(t, target, temp, false, 0, nil)
	must(t, s.Write([]byte("abc\n")))
	cp := prepare(t, s, 1)
	must(t, s.Commit(1))
	s.Close()
	must(t, os.WriteFile(target, []byte("a"), 0o644)) // someone cut the output
	s, err := OpenEpochFile(target, temp, false)
	must(t, err)
	if err := s.Recover(1, cp); err == nil {
		t.Error("recovery over a file shorter than committed: no error")
	}
	if err := s.Recover(1, []byte("{")); err == nil {
		t.Error("bad recovery data: no error")
	}
}

// A pending epoch file altered after its checkpoint (same size, other bytes)
// is refused by recovery, not published into the exactly-once output.
func TestEpochFileSinkRefusesAlteredEpochFile(t *testing.T) {
	target, temp := epochSetup(t)
	s := mustEpochSink(t, target, temp, false, 0, nil)
	must(t, s.Write([]byte("a\nb\n")))
	cp := prepare(t, s, 1)
	must(t, s.Close()) // the job dies before publishing
	path := filepath.Join(temp, "epoch-00000000000000000001")
	must(t, os.WriteFile(path, []byte("x\ny\n"), 0o644))
	s2, err := OpenEpochFile(target, temp, false)
	must(t, err)
	err = s2.Recover(1, cp)
	if errcode.Of(err) != errcode.EpochFileDamaged {
		t.Fatalf("Recover: %v, want %s", err, errcode.EpochFileDamaged)
	}
	if got := fileContent(t, target); got != "" && got != "<none>" {
		t.Errorf("the altered epoch was published: %q", got)
	}
}
