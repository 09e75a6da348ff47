package job

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
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

// Two instances on one state dir: the second is refused at once, naming the
// first one's pid, and the first finishes with its state intact.
func TestStateDirIsLocked(t *testing.T) {
	want := reference(t)
	r := newDurableRun(t, "file")
	first := newDurableRun(t, "file")
	first.dir, first.opts = r.dir, r.opts
	first.opts.Stderr = &first.stderr
	inFirst := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error)
	go func() {
		factory := func(c *Context) Pipeline {
			p := &countPipeline{ctx: c, unitID: r.unitID}
			batches := 0
			p.onBatch = func() {
				if batches++; batches == 2 {
					close(inFirst)
					<-release
				}
			}
			return p
		}
		_, err := Run(context.Background(), first.spec, factory, first.opts)
		done <- err
	}()
	<-inFirst
	err := r.run(0)
	close(release)
	if errcode.Of(err) != errcode.StateDirLocked || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("second instance: %v, want %s naming pid %d", err, errcode.StateDirLocked, os.Getpid())
	}
	if err := <-done; err != nil {
		t.Fatalf("first instance: %v", err)
	}
	if got := r.outputs(t); got != want {
		t.Errorf("output:\n%s\nwant\n%s", got, want)
	}
	// The lock went with the first instance: a restart runs (and finds the
	// job done).
	if err := r.run(0); err != nil {
		t.Fatal(err)
	}
	if got := r.outputs(t); got != want {
		t.Errorf("output after a restart:\n%s", got)
	}
}

// A resume on an input with lines prepended is refused, saying how to start
// over, and leaves the outputs as the checkpoint committed them.
func TestResumeRefusesAChangedInput(t *testing.T) {
	r := newDurableRun(t, "file")
	if err := r.run(2); err != nil {
		t.Fatal(err)
	}
	before := r.outputs(t)
	in := filepath.Join(r.dir, "in.txt")
	writeFile(t, in, "row -1\n"+readFile(t, in))
	err := r.run(0)
	if errcode.Of(err) != errcode.InputChanged || !strings.Contains(err.Error(), "deleting the state dir") {
		t.Fatalf("err = %v, want %s saying how to start over", err, errcode.InputChanged)
	}
	if got := r.outputs(t); got != before {
		t.Errorf("outputs changed:\n%s\nwere\n%s", got, before)
	}
}
