package checkpoint

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/laminar-sql/laminar/runtime/fsys"
)

// faultTemplate builds a store with epochs 1 and 2 and a leftover temporary
// directory, so that writing epoch 3 with Keep 2 exercises every step:
// data files, manifest, commit and a prune that removes epoch 1 and the
// leftover.
func faultTemplate(t *testing.T) string {
	dir := t.TempDir()
	s := openStore(t, dir, Options{Keep: 2})
	mustWrite(t, s, sample(1))
	mustWrite(t, s, sample(2))
	copyDir(t, filepath.Join(dir, "cp-00000000000000000002"), filepath.Join(dir, "cp-00000000000000000003.tmp-crashed"))
	return dir
}

// writeThroughFaulty copies the template and writes epoch 3 through a Faulty
// FS with the given rule (none when rule is nil). It returns the store, its
// Faulty, the events of the Write alone and Write's error.
func writeThroughFaulty(t *testing.T, template string, rule *fsys.Rule) (*Store, *fsys.Faulty, []fsys.Event, error) {
	dir := filepath.Join(t.TempDir(), "store")
	copyDir(t, template, dir)
	faulty := fsys.NewFaulty(fsys.OS{})
	s := openStore(t, dir, Options{FS: faulty, Keep: 2})
	before := len(faulty.Events())
	if rule != nil {
		faulty.AddRule(*rule) // counts from here: Nth is an index into the Write's events
	}
	err := s.Write(sample(3))
	return s, faulty, faulty.Events()[before:], err
}

// commitIndex returns the 1-based index of the event that makes a write
// durable (the store directory's fsync after the rename); prune follows.
func commitIndex(t *testing.T, events []fsys.Event) int {
	for i, e := range events {
		if e.Op == fsys.OpRename && strings.Contains(e.Path, tmpInfix) && !strings.Contains(e.To, tmpInfix) {
			if i+1 >= len(events) || events[i+1].Op != fsys.OpSyncDir {
				t.Fatalf("rename is not followed by a directory fsync: %+v", events)
			}
			return i + 2
		}
	}
	t.Fatalf("no commit rename in %+v", events)
	return 0
}

// checkRecoverable checks what a crash right after a failed Write would
// find, then that the store accepts the next checkpoint and cleans up.
func checkRecoverable(t *testing.T, s *Store, faulty *fsys.Faulty, writeErr error) {
	t.Helper()
	cp, skipped := latest(t, s.Dir())
	switch {
	case cp == nil:
		t.Fatal("Latest found no checkpoint")
	case cp.Epoch == 3:
		checkEqual(t, cp, sample(3))
	case writeErr == nil:
		t.Fatalf("Write succeeded but Latest returned epoch %d", cp.Epoch)
	default:
		checkEqual(t, cp, sample(2))
	}
	if len(skipped) != 0 {
		t.Fatalf("Latest skipped %v", skipped)
	}

	faulty.ClearRules()
	mustWrite(t, s, sample(4))
	for _, name := range names(t, s.Dir()) {
		if strings.Contains(name, tmpInfix) {
			t.Fatalf("leftover %s after the next Write", name)
		}
	}
	cp, _ = latest(t, s.Dir())
	checkEqual(t, cp, sample(4))
}

// TestFaultAtEveryStep fails each operation of one Write in turn, with EIO,
// and writes also with ENOSPC after a short write.
func TestFaultAtEveryStep(t *testing.T) {
	template := faultTemplate(t)
	_, _, events, err := writeThroughFaulty(t, template, nil)
	if err != nil {
		t.Fatal(err)
	}
	commit := commitIndex(t, events)
	if commit == len(events) {
		t.Fatal("no prune after the commit")
	}

	type trial struct {
		name string
		rule fsys.Rule
	}
	var trials []trial
	for n, e := range events {
		n++
		// Subtest names without the random part of temporary names.
		file, _, _ := strings.Cut(filepath.Base(e.Path), tmpInfix)
		trials = append(trials, trial{fmt.Sprintf("%d_%s_%s_EIO", n, e.Op, file), fsys.Rule{Nth: n}})
		if e.Op == fsys.OpWrite {
			trials = append(trials, trial{fmt.Sprintf("%d_%s_%s_short_ENOSPC", n, e.Op, file),
				fsys.Rule{Nth: n, Err: syscall.ENOSPC, ShortWrite: e.Size / 2}})
		}
	}
	for _, tr := range trials {
		t.Run(tr.name, func(t *testing.T) {
			s, faulty, got, err := writeThroughFaulty(t, template, &tr.rule)
			n := tr.rule.Nth
			if len(got) < n || !got[n-1].Failed {
				t.Fatalf("operation %d did not fail: %+v", n, got)
			}
			if n <= commit {
				if err == nil {
					t.Fatal("Write succeeded")
				}
				if want := tr.rule.Err; want != nil && !errors.Is(err, want) {
					t.Fatalf("Write error %v, want %v", err, want)
				}
			} else if err != nil {
				t.Fatalf("a failed prune step made Write fail: %v", err)
			}
			checkRecoverable(t, s, faulty, err)
		})
	}
}

func TestEveryFsyncFails(t *testing.T) {
	template := faultTemplate(t)
	for _, op := range []fsys.Op{fsys.OpSync, fsys.OpSyncDir} {
		t.Run(string(op), func(t *testing.T) {
			s, faulty, _, err := writeThroughFaulty(t, template, &fsys.Rule{Op: op})
			if !errors.Is(err, syscall.EIO) {
				t.Fatalf("Write error %v, want EIO", err)
			}
			checkRecoverable(t, s, faulty, err)
		})
	}
}
