package connector

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"syscall"

	"github.com/laminar-sql/laminar/runtime/errcode"
)

// A file source's checkpoint records what it read, as Position.Check:
// "crc32c=<head>/<tail> dev=<n> ino=<n>", the CRC32C of the first and of the
// last checkWindow bytes before the offset, and the file's device and inode.
// A resume reads those bytes again and refuses a file whose checksums differ
// (replaced, rewritten, lines prepended) or that is shorter than the offset:
// reading on would count rows twice or mix two inputs. A change only in the
// middle of the part already read is not seen. Device and inode only make the
// message precise: a copy of the same bytes (a restored backup) resumes.
// Both windows are kept from the bytes the source consumes, so checking
// costs a copy of at most checkWindow bytes per batch, and a resume reads at
// most twice checkWindow bytes whatever the file's size.

// checkWindow is the size of the head and tail windows.
const checkWindow = 4096

// checkWindows are the first and the last checkWindow bytes of the input
// before the source's offset.
type checkWindows struct {
	head, tail []byte
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// fileID is a file's device and inode; zero where the platform has none.
type fileID struct{ dev, ino uint64 }

func idOf(info os.FileInfo) fileID {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino)}
	}
	return fileID{}
}

// InputCheck identifies the input a file source read up to its offset: the
// CRC32C of the windows before it and the file's device and inode. It is a
// value, computed per batch without allocating; its text is what a
// checkpoint keeps.
type InputCheck struct {
	Head, Tail uint32
	id         fileID
	set        bool
	bad        string // text that did not parse, reported on resume
}

// String is the checkpoint's text: "crc32c=<head>/<tail> dev=<n> ino=<n>",
// or "" for no check.
func (c InputCheck) String() string {
	if c.bad != "" {
		return c.bad
	}
	if !c.set {
		return ""
	}
	return fmt.Sprintf("crc32c=%08x/%08x dev=%d ino=%d", c.Head, c.Tail, c.id.dev, c.id.ino)
}

// ParseInputCheck reads String's text ("" is no check). Text that does not
// parse makes a check that a resume refuses.
func ParseInputCheck(text string) InputCheck {
	if text == "" {
		return InputCheck{}
	}
	c := InputCheck{set: true}
	if _, err := fmt.Sscanf(text, "crc32c=%x/%x dev=%d ino=%d", &c.Head, &c.Tail, &c.id.dev, &c.id.ino); err != nil {
		return InputCheck{bad: text}
	}
	return c
}

// Position implements Positioned, with the file's identity up to the offset.
func (s *FileSource) Position() Position {
	p := s.ReaderSource.Position()
	p.Check = s.windows.check(s.id)
	return p
}

func (w *checkWindows) check(id fileID) InputCheck {
	return InputCheck{Head: crc32.Checksum(w.head, castagnoli), Tail: crc32.Checksum(w.tail, castagnoli), id: id, set: true}
}

// checkResume verifies that f is the input a checkpoint read up to at and
// returns its identity and the windows before at.Offset.
func checkResume(f *os.File, path string, at Position) (fileID, *checkWindows, error) {
	w := &checkWindows{head: make([]byte, 0, checkWindow), tail: make([]byte, 0, checkWindow)}
	info, err := f.Stat()
	if err != nil {
		return fileID{}, nil, err
	}
	id := idOf(info)
	if at.Offset <= 0 || !info.Mode().IsRegular() {
		return id, w, nil // seekTo reports a negative offset
	}
	if info.Size() < at.Offset {
		return id, nil, errcode.Errorf(errcode.InputChanged, "%s has %d bytes, fewer than the %d the checkpoint read: it was truncated or replaced", path, info.Size(), at.Offset)
	}
	w.head = w.head[:min(checkWindow, at.Offset)]
	w.tail = w.tail[:min(checkWindow, at.Offset)]
	if _, err := f.ReadAt(w.head, 0); err != nil {
		return id, nil, fmt.Errorf("read %s: %w", path, err)
	}
	if _, err := f.ReadAt(w.tail, at.Offset-int64(len(w.tail))); err != nil {
		return id, nil, fmt.Errorf("read %s: %w", path, err)
	}
	want := at.Check
	if want.bad != "" {
		return id, nil, fmt.Errorf("bad input check %q in the checkpoint", want.bad)
	}
	if !want.set {
		return id, w, nil // a checkpoint from before checks were recorded
	}
	if got := w.check(id); got.Head != want.Head || got.Tail != want.Tail {
		how := "the bytes before offset %d differ from what the checkpoint read: lines were prepended or the file was rewritten"
		if want.id != (fileID{}) && want.id != id {
			how = "it is another file (inode " + fmt.Sprint(id.ino) + ", the checkpoint read inode " + fmt.Sprint(want.id.ino) + ") and the bytes before offset %d differ"
		}
		return id, nil, errcode.Errorf(errcode.InputChanged, "%s is not the input the checkpoint read: "+how, path, at.Offset)
	}
	return id, w, nil
}

// fileReader reads a file source's file and checks it at its end: a file
// that shrank below what was read, or whose path names another file now,
// was changed under the job, and its end is not the input's end.
type fileReader struct {
	f    *os.File
	path string
	id   fileID
	pos  int64 // bytes of the file read so far
}

func (r *fileReader) Read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	r.pos += int64(n)
	if errors.Is(err, io.EOF) {
		if cerr := r.checkAtEnd(); cerr != nil {
			return n, cerr
		}
	}
	return n, err
}

func (r *fileReader) checkAtEnd() error {
	info, err := r.f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return nil
	}
	if info.Size() < r.pos {
		return errcode.Errorf(errcode.InputChangedWhileRead, "%s shrank to %d bytes while being read (%d were read): it was truncated or rewritten, so its end is not the end of the input", r.path, info.Size(), r.pos)
	}
	now, err := os.Stat(r.path)
	if err == nil && !os.SameFile(now, info) {
		return errcode.Errorf(errcode.InputChangedWhileRead, "%s was replaced by another file while being read (%d bytes were read of the one opened)", r.path, r.pos)
	}
	return nil
}

// capture adds the bytes consumed since the last call to the windows.
func (s *ReaderSource) capture() {
	r := s.bufs[s.cur][s.captured:s.start]
	s.captured = s.start
	w := s.windows
	if n := min(len(r), checkWindow-len(w.head)); n > 0 {
		w.head = append(w.head, r[:n]...)
	}
	if len(r) >= checkWindow {
		w.tail = append(w.tail[:0], r[len(r)-checkWindow:]...)
		return
	}
	if drop := len(w.tail) + len(r) - checkWindow; drop > 0 {
		w.tail = w.tail[:copy(w.tail, w.tail[drop:])]
	}
	w.tail = append(w.tail, r...)
}
