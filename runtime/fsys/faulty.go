package fsys

import (
	"io/fs"
	"path/filepath"
	"sync"
	"syscall"
)

// Op names a filesystem operation, for fault rules and the operation log.
type Op string

// The operations Faulty sees. File operations carry the file's name as path.
const (
	OpOpen      Op = "open"
	OpRead      Op = "read" // Read and ReadAt
	OpWrite     Op = "write"
	OpSeek      Op = "seek"
	OpSync      Op = "sync"
	OpTruncate  Op = "truncate" // File.Truncate and FS.Truncate
	OpClose     Op = "close"
	OpStat      Op = "stat" // File.Stat and FS.Stat
	OpRename    Op = "rename"
	OpRemove    Op = "remove"
	OpRemoveAll Op = "removeall"
	OpMkdirAll  Op = "mkdirall"
	OpReadDir   Op = "readdir"
	OpSyncDir   Op = "syncdir"
)

// Rule injects one fault: the Nth operation Op on a path matching Path fails
// with Err.
type Rule struct {
	// Op is the operation that fails; empty matches every operation, so
	// Nth counts all of them ("fail at step N").
	Op Op
	// Path is a filepath.Match pattern, tried against both the full path and
	// its base name (so "*.wal" matches any WAL segment). Empty matches all.
	// A rename matches on either its old or its new path.
	Path string
	// Nth counts matching operations from 1; the Nth one fails, once.
	// 0 fails every matching operation.
	Nth int
	// Err is the error returned; nil means syscall.EIO.
	Err error
	// ShortWrite applies to OpWrite: this many bytes of the failing write
	// (at most all of them) reach the file before Err is returned.
	ShortWrite int

	seen int // matching operations so far
}

// Event is one operation Faulty saw, in order. Failed events were injected
// faults.
type Event struct {
	Op     Op
	Path   string
	To     string // rename target
	Size   int    // bytes asked for, for reads and writes
	Failed bool
}

// Faulty wraps an FS, records every operation and injects the faults its rules
// describe. It is safe for concurrent use.
type Faulty struct {
	inner FS

	mu     sync.Mutex
	rules  []*Rule
	events []Event
}

var _ FS = (*Faulty)(nil)

// NewFaulty wraps inner with the given rules.
func NewFaulty(inner FS, rules ...Rule) *Faulty {
	f := &Faulty{inner: inner}
	for _, r := range rules {
		f.AddRule(r)
	}
	return f
}

// AddRule adds a fault rule; its count starts now.
func (f *Faulty) AddRule(r Rule) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.seen = 0
	f.rules = append(f.rules, &r)
}

// ClearRules removes every rule (the operation log is kept).
func (f *Faulty) ClearRules() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = nil
}

// Events returns a copy of the operations seen so far.
func (f *Faulty) Events() []Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Event(nil), f.events...)
}

// Count returns how many operations op (empty: any) were seen on paths
// matching pattern (same matching as Rule.Path). Tests use it to enumerate
// "fail at step N".
func (f *Faulty) Count(op Op, pattern string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, e := range f.events {
		if (op == "" || e.Op == op) && (matches(pattern, e.Path) || matches(pattern, e.To)) {
			n++
		}
	}
	return n
}

// check records the operation and returns the rule that makes it fail, if any.
func (f *Faulty) check(op Op, path, to string, size int) *Rule {
	f.mu.Lock()
	defer f.mu.Unlock()
	var failing *Rule
	for _, r := range f.rules {
		if (r.Op != "" && r.Op != op) || !(matches(r.Path, path) || (to != "" && matches(r.Path, to))) {
			continue
		}
		r.seen++
		if failing == nil && (r.Nth == 0 || r.Nth == r.seen) {
			failing = r
		}
	}
	f.events = append(f.events, Event{Op: op, Path: path, To: to, Size: size, Failed: failing != nil})
	return failing
}

// fail returns the error a triggered rule injects, or nil.
func (f *Faulty) fail(op Op, path string) error {
	if r := f.check(op, path, "", 0); r != nil {
		return r.err()
	}
	return nil
}

func (r *Rule) err() error {
	if r.Err == nil {
		return syscall.EIO
	}
	return r.Err
}

func matches(pattern, path string) bool {
	if pattern == "" {
		return true
	}
	if path == "" {
		return false
	}
	if ok, _ := filepath.Match(pattern, path); ok {
		return true
	}
	ok, _ := filepath.Match(pattern, filepath.Base(path))
	return ok
}

// OpenFile opens through the wrapped FS; the file's operations are checked too.
func (f *Faulty) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	if err := f.fail(OpOpen, name); err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	file, err := f.inner.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &faultyFile{File: file, fs: f, name: name}, nil
}

// Rename renames through the wrapped FS unless a rule fails it.
func (f *Faulty) Rename(oldpath, newpath string) error {
	if r := f.check(OpRename, oldpath, newpath, 0); r != nil {
		return &fs.PathError{Op: "rename", Path: oldpath, Err: r.err()}
	}
	return f.inner.Rename(oldpath, newpath)
}

// Remove removes through the wrapped FS unless a rule fails it.
func (f *Faulty) Remove(name string) error {
	if err := f.fail(OpRemove, name); err != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	return f.inner.Remove(name)
}

// RemoveAll removes through the wrapped FS unless a rule fails it.
func (f *Faulty) RemoveAll(path string) error {
	if err := f.fail(OpRemoveAll, path); err != nil {
		return &fs.PathError{Op: "removeall", Path: path, Err: err}
	}
	return f.inner.RemoveAll(path)
}

// MkdirAll creates through the wrapped FS unless a rule fails it.
func (f *Faulty) MkdirAll(path string, perm fs.FileMode) error {
	if err := f.fail(OpMkdirAll, path); err != nil {
		return &fs.PathError{Op: "mkdir", Path: path, Err: err}
	}
	return f.inner.MkdirAll(path, perm)
}

// ReadDir lists through the wrapped FS unless a rule fails it.
func (f *Faulty) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := f.fail(OpReadDir, name); err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	return f.inner.ReadDir(name)
}

// Stat stats through the wrapped FS unless a rule fails it.
func (f *Faulty) Stat(name string) (fs.FileInfo, error) {
	if err := f.fail(OpStat, name); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	return f.inner.Stat(name)
}

// Truncate truncates through the wrapped FS unless a rule fails it.
func (f *Faulty) Truncate(name string, size int64) error {
	if err := f.fail(OpTruncate, name); err != nil {
		return &fs.PathError{Op: "truncate", Path: name, Err: err}
	}
	return f.inner.Truncate(name, size)
}

// SyncDir syncs through the wrapped FS unless a rule fails it.
func (f *Faulty) SyncDir(dir string) error {
	if err := f.fail(OpSyncDir, dir); err != nil {
		return &fs.PathError{Op: "syncdir", Path: dir, Err: err}
	}
	return f.inner.SyncDir(dir)
}

// faultyFile checks each operation against the rules of its Faulty.
type faultyFile struct {
	File
	fs   *Faulty
	name string // as opened, so rules see the same path as for OpenFile
}

func (ff *faultyFile) Read(p []byte) (int, error) {
	if r := ff.fs.check(OpRead, ff.name, "", len(p)); r != nil {
		return 0, &fs.PathError{Op: "read", Path: ff.name, Err: r.err()}
	}
	return ff.File.Read(p)
}

func (ff *faultyFile) ReadAt(p []byte, off int64) (int, error) {
	if r := ff.fs.check(OpRead, ff.name, "", len(p)); r != nil {
		return 0, &fs.PathError{Op: "read", Path: ff.name, Err: r.err()}
	}
	return ff.File.ReadAt(p, off)
}

func (ff *faultyFile) Write(p []byte) (int, error) {
	r := ff.fs.check(OpWrite, ff.name, "", len(p))
	if r == nil {
		return ff.File.Write(p)
	}
	n := min(max(r.ShortWrite, 0), len(p))
	if n > 0 {
		var err error
		if n, err = ff.File.Write(p[:n]); err != nil {
			return n, err
		}
	}
	return n, &fs.PathError{Op: "write", Path: ff.name, Err: r.err()}
}

func (ff *faultyFile) Seek(offset int64, whence int) (int64, error) {
	if err := ff.fs.fail(OpSeek, ff.name); err != nil {
		return 0, &fs.PathError{Op: "seek", Path: ff.name, Err: err}
	}
	return ff.File.Seek(offset, whence)
}

func (ff *faultyFile) Sync() error {
	if err := ff.fs.fail(OpSync, ff.name); err != nil {
		return &fs.PathError{Op: "sync", Path: ff.name, Err: err}
	}
	return ff.File.Sync()
}

func (ff *faultyFile) Truncate(size int64) error {
	if err := ff.fs.fail(OpTruncate, ff.name); err != nil {
		return &fs.PathError{Op: "truncate", Path: ff.name, Err: err}
	}
	return ff.File.Truncate(size)
}

func (ff *faultyFile) Stat() (fs.FileInfo, error) {
	if err := ff.fs.fail(OpStat, ff.name); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: ff.name, Err: err}
	}
	return ff.File.Stat()
}

// Close always closes the underlying file, even when a rule fails it, so tests
// do not leak descriptors.
func (ff *faultyFile) Close() error {
	injected := ff.fs.fail(OpClose, ff.name)
	err := ff.File.Close()
	if injected != nil {
		return &fs.PathError{Op: "close", Path: ff.name, Err: injected}
	}
	return err
}
