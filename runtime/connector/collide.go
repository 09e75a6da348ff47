package connector

import (
	"os"
	"path/filepath"

	"github.com/laminar-sql/laminar/runtime/errcode"
)

// PathUse is one file a job reads or writes, for CheckPaths.
type PathUse struct {
	What   string // for messages: "sink out", "source trades", "the dead-letter file"
	Path   string // as resolved for opening (relative to the working directory)
	Output bool
}

// CheckPaths refuses two outputs, or an output and an input, that are the
// same file: a sink writing its own input truncates it, two writers of one
// file interleave or wipe each other. Paths are compared after cleaning and
// resolving symlinks, and files that exist by device and inode, so hard
// links count too. Two inputs may share a file, and anything may share a
// device or a pipe (two outputs to /dev/null).
func CheckPaths(uses []PathUse) error {
	type resolved struct {
		use  PathUse
		real string
		info os.FileInfo // nil if the file does not exist (yet)
	}
	rs := make([]resolved, 0, len(uses))
	for _, u := range uses {
		r := resolved{use: u, real: realPath(u.Path)}
		if info, err := os.Stat(u.Path); err == nil {
			if !info.Mode().IsRegular() {
				continue // a device or a pipe (/dev/null, /dev/stderr): nothing to truncate
			}
			r.info = info
		}
		for _, prev := range rs {
			if !u.Output && !prev.use.Output {
				continue
			}
			same := prev.real == r.real || prev.info != nil && r.info != nil && os.SameFile(prev.info, r.info)
			if same {
				return errcode.Errorf(errcode.PathCollision, "%s (%s) and %s (%s) are the same file; give each output a file of its own",
					prev.use.What, prev.use.Path, u.What, u.Path)
			}
		}
		rs = append(rs, r)
	}
	return nil
}

// realPath is path made absolute, cleaned and with symlinks resolved, as far
// as the path exists: a file not created yet resolves through its directory.
func realPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	dir, base := filepath.Split(abs)
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		return filepath.Join(real, base)
	}
	return abs
}
