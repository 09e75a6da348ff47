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
// "crc32c=<8 hex> dev=<n> ino=<n>", the CRC32C of the file's bytes before the
// offset and the file's device and inode. A resume reads those bytes again
// and refuses a file whose checksum differs (replaced, rewritten, lines
// prepended) or that is shorter than the offset: reading on would count rows
// twice or mix two inputs. Device and inode only make the message precise: a
// copy of the same bytes (a restored backup) resumes.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// fileID is a file's device and inode; zero where the platform has none.
type fileID struct{ dev, ino uint64 }

func idOf(info os.FileInfo) fileID {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino)}
	}
	return fileID{}
}

func formatCheck(sum uint32, id fileID) string {
	return fmt.Sprintf("crc32c=%08x dev=%d ino=%d", sum, id.dev, id.ino)
}

func parseCheck(text string) (sum uint32, id fileID, err error) {
	if _, err = fmt.Sscanf(text, "crc32c=%x dev=%d ino=%d", &sum, &id.dev, &id.ino); err != nil {
		err = fmt.Errorf("bad input check %q in the checkpoint", text)
	}
	return sum, id, err
}

// Position implements Positioned, with the file's identity up to the offset.
func (s *FileSource) Position() Position {
	p := s.ReaderSource.Position()
	p.Check = formatCheck(s.sum, s.id)
	return p
}

// checkResume verifies that f is the input a checkpoint read up to at and
// returns its identity and the checksum of its bytes before at.Offset.
func checkResume(f *os.File, path string, at Position) (fileID, uint32, error) {
	info, err := f.Stat()
	if err != nil {
		return fileID{}, 0, err
	}
	id := idOf(info)
	if at.Offset == 0 || !info.Mode().IsRegular() {
		return id, 0, nil
	}
	if info.Size() < at.Offset {
		return id, 0, errcode.Errorf(errcode.InputChanged, "%s has %d bytes, fewer than the %d the checkpoint read: it was truncated or replaced", path, info.Size(), at.Offset)
	}
	h := crc32.New(castagnoli)
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, at.Offset)); err != nil {
		return id, 0, fmt.Errorf("read %s: %w", path, err)
	}
	sum := h.Sum32()
	if at.Check == "" {
		return id, sum, nil // a checkpoint from before checks were recorded
	}
	want, wantID, err := parseCheck(at.Check)
	if err != nil {
		return id, 0, err
	}
	if sum != want {
		how := "its first %d bytes differ from what the checkpoint read: lines were prepended or the file was rewritten"
		if wantID != (fileID{}) && wantID != id {
			how = "it is another file (inode " + fmt.Sprint(id.ino) + ", the checkpoint read inode " + fmt.Sprint(wantID.ino) + ") and its first %d bytes differ"
		}
		return id, 0, errcode.Errorf(errcode.InputChanged, "%s is not the input the checkpoint read: "+how, path, at.Offset)
	}
	return id, sum, nil
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

// updateSum adds the bytes consumed since the last update to sum.
func (s *ReaderSource) updateSum() {
	if s.start > s.summed {
		s.sum = crc32.Update(s.sum, castagnoli, s.bufs[s.cur][s.summed:s.start])
	}
	s.summed = s.start
}
