package job

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/runtime/errcode"
)

// Outputs sharing a file with each other or with an input are refused at
// start, before any file is touched.
func TestRunRefusesPathCollisions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(dir string, spec *Spec, opts *Options)
	}{
		{"sink on its source", func(dir string, spec *Spec, opts *Options) {
			spec.Sinks[0] = fileSink("out", "in.jsonl")
		}},
		{"two sinks, one file", func(dir string, spec *Spec, opts *Options) {
			spec.Sinks = append(spec.Sinks, fileSink("out2", "./sub/../out.jsonl"))
		}},
		{"dead letters into a sink", func(dir string, spec *Spec, opts *Options) {
			opts.DeadLetterPath = filepath.Join(dir, "out.jsonl")
		}},
		{"late rows onto the input through a hard link", func(dir string, spec *Spec, opts *Options) {
			os.Link(filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "hard.jsonl"))
			opts.LatePath = filepath.Join(dir, "hard.jsonl")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.Mkdir(filepath.Join(dir, "sub"), 0o755)
			writeFile(t, filepath.Join(dir, "in.jsonl"), "a\nbad\nlate\n")
			writeFile(t, filepath.Join(dir, "out.jsonl"), "keep\n")
			spec := Spec{Name: "p", Sources: []SourceSpec{fileSource("in", "in.jsonl")}, Sinks: []SinkSpec{fileSink("out", "out.jsonl")}}
			var stderr bytes.Buffer
			opts := testOptions(dir, &stderr)
			tc.setup(dir, &spec, &opts)
			var p *copyPipeline
			_, err := Run(context.Background(), spec, newCopyFactory(t, spec, &p), opts)
			if errcode.Of(err) != errcode.PathCollision {
				t.Fatalf("err = %v, want %s", err, errcode.PathCollision)
			}
			if got := readFile(t, filepath.Join(dir, "in.jsonl")); got != "a\nbad\nlate\n" {
				t.Errorf("input changed to %q", got)
			}
			if got := readFile(t, filepath.Join(dir, "out.jsonl")); got != "keep\n" {
				t.Errorf("output changed to %q", got)
			}
			if !strings.Contains(err.Error(), "same file") {
				t.Errorf("message %q", err)
			}
		})
	}
}
