package connector

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/runtime/errcode"
)

func TestCheckPaths(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	if err := os.WriteFile(in, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(in, filepath.Join(dir, "sym.jsonl")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(in, filepath.Join(dir, "hard.jsonl")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := PathUse{What: "source trades", Path: in}
	out := func(what, p string) PathUse {
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return PathUse{What: what, Path: p, Output: true}
	}
	for _, tc := range []struct {
		name string
		uses []PathUse
		bad  bool
	}{
		{"distinct", []PathUse{src, out("sink a", "a.jsonl"), out("sink b", "b.jsonl")}, false},
		{"two inputs", []PathUse{src, {What: "source other", Path: in}}, false},
		{"sink on its input", []PathUse{src, out("sink a", "in.jsonl")}, true},
		{"cleaned path", []PathUse{out("sink a", "out.jsonl"), out("sink b", "./sub/../out.jsonl")}, true},
		{"symlink", []PathUse{src, out("sink a", "sym.jsonl")}, true},
		{"hard link", []PathUse{src, out("sink a", "hard.jsonl")}, true},
		{"two outputs to /dev/null", []PathUse{out("sink a", "/dev/null"), {What: "the late file", Path: "/dev/null", Output: true}}, false},
		{"two outputs, neither exists", []PathUse{out("sink a", "new.jsonl"), out("the dead-letter file", "new.jsonl")}, true},
	} {
		err := CheckPaths(tc.uses)
		if tc.bad != (err != nil) {
			t.Errorf("%s: err = %v", tc.name, err)
			continue
		}
		if err != nil && (errcode.Of(err) != errcode.PathCollision || !strings.Contains(err.Error(), tc.uses[len(tc.uses)-1].What)) {
			t.Errorf("%s: %v does not carry the code or name both", tc.name, err)
		}
	}
}
