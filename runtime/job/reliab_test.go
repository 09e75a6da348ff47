package job

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

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

// A torn tail of the stdin WAL (an append a kill interrupted) is cut on
// resume and reported in the log and the summary; a source that ended and
// closed its log before the last checkpoint logs no "wal: closed".
func TestWALTornTailIsReported(t *testing.T) {
	r := newDurableRun(t, "stdin")
	r.opts.Stdin = strings.NewReader(durableInput())
	if err := r.run(2); err != nil {
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(r.opts.StateDir, "wal", "in", "*.wal"))
	if len(segs) == 0 {
		t.Fatal("no WAL segment")
	}
	f, err := os.OpenFile(segs[len(segs)-1], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{32, 0, 0, 0, 1, 2, 3, 4, 'x', 'y'}) // a record header and 2 of its 32 bytes
	f.Close()

	r.stderr.Reset()
	r.opts.Stdin = strings.NewReader(strings.Repeat("row more\n", 30)) // read on after the replay
	r.opts.Quiet = false
	r.opts.CheckpointInterval = time.Millisecond
	r.opts.BatchSize = 1
	summary, err := Run(context.Background(), r.spec, func(c *Context) Pipeline {
		return &countPipeline{ctx: c, unitID: r.unitID, onBatch: func() { time.Sleep(time.Millisecond) }}
	}, r.opts)
	if err != nil {
		t.Fatal(err)
	}
	log := r.stderr.String()
	if !strings.Contains(log, "torn tail") || !strings.Contains(log, "1 partial record(s) and 10 bytes discarded") {
		t.Errorf("the cut is not logged:\n%s", log)
	}
	if s := summary.Sources[0]; s.WALTornRecords != 1 || s.WALTornBytes != 10 {
		t.Errorf("summary %+v", s)
	}
	if !strings.Contains(summary.String(), "torn write-ahead log tail cut (1 partial records, 10 bytes)") {
		t.Errorf("summary line %q", summary.String())
	}
	if strings.Contains(log, "wal: closed") {
		t.Errorf("spurious log line:\n%s", log)
	}
}

// A record longer than --max-record-bytes goes to the dead-letter file,
// truncated, with its offset and length, and the job goes on; through the
// stdin WAL the same, across an interruption.
func TestOverlongRecordIsDeadLettered(t *testing.T) {
	long := "row " + strings.Repeat("x", 2000)
	input := "row 1\n" + long + "\nrow 2\nrow 3\nrow 4\n"
	for _, tc := range []struct {
		conn      string
		stopAfter int
	}{{"file", 1}, {"file", 2}, {"stdin", 1}, {"stdin", 2}} {
		conn := tc.conn
		t.Run(fmt.Sprint(conn, tc.stopAfter), func(t *testing.T) {
			r := newDurableRun(t, conn)
			writeFile(t, filepath.Join(r.dir, "in.txt"), input)
			r.opts.MaxRecordBytes = 50
			r.opts.BatchSize = 1
			r.opts.Stdin = strings.NewReader(input)
			var stderr syncBuffer // read by the producer below while the job writes
			r.opts.Stderr = &stderr
			if err := r.run(tc.stopAfter); err != nil {
				t.Fatal(err)
			}
			if conn == "stdin" {
				// the producer sends again from where the log, as the job
				// says at start, ends
				r.opts.Stdin = &lazyReader{open: func() io.Reader {
					acked := regexp.MustCompile(`up to byte (\d+)`).FindAllStringSubmatch(stderr.String(), -1)
					n, _ := strconv.Atoi(acked[len(acked)-1][1])
					return strings.NewReader(input[n:])
				}}
			}
			if err := r.run(0); err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			dead := readFile(t, filepath.Join(r.dir, "dead.jsonl"))
			var rec deadLetterRecord
			if err := json.Unmarshal([]byte(dead), &rec); err != nil || strings.Count(dead, "\n") != 1 {
				t.Fatalf("dead letters %q: %v", dead, err)
			}
			if rec.Line != 2 || rec.Offset != 6 || rec.Length != int64(len(long)) || !rec.Truncated || rec.Record != long[:len(rec.Record)] || len(rec.Record) == 0 {
				t.Errorf("dead letter %+v", rec)
			}
			out := readFile(t, filepath.Join(r.dir, "out.jsonl"))
			if !strings.Contains(out, `"row 4"`) || !strings.Contains(out, `{"total":4}`) {
				t.Errorf("output %q", out)
			}
		})
	}
}

// lazyReader opens its reader on the first Read.
type lazyReader struct {
	open func() io.Reader
	r    io.Reader
}

func (l *lazyReader) Read(p []byte) (int, error) {
	if l.r == nil {
		l.r = l.open()
	}
	return l.r.Read(p)
}

// loadCounter counts LoadState calls of a countPipeline.
type loadCounter struct {
	*countPipeline
	loads *int
}

func (p loadCounter) LoadState(i int, data []byte) error {
	*p.loads++
	return p.countPipeline.LoadState(i, data)
}

// A bounded job that completed, started again on its state dir, says so and
// exits 0 without loading its state or writing a checkpoint; input appended
// since is named, not read.
func TestCompletedJobDoesNothing(t *testing.T) {
	want := reference(t)
	r := newDurableRun(t, "file")
	if err := r.run(0); err != nil {
		t.Fatal(err)
	}
	cps := func() []string {
		m, _ := filepath.Glob(filepath.Join(r.opts.StateDir, "checkpoints", "cp-*"))
		return m
	}
	before := cps()
	in := filepath.Join(r.dir, "in.txt")
	writeFile(t, in, readFile(t, in)+"row appended\n")
	r.stderr.Reset()
	loads := 0
	summary, err := Run(context.Background(), r.spec, func(c *Context) Pipeline {
		return loadCounter{&countPipeline{ctx: c, unitID: r.unitID}, &loads}
	}, r.opts)
	if err != nil {
		t.Fatal(err)
	}
	if !summary.AlreadyCompleted || loads != 0 {
		t.Errorf("AlreadyCompleted %v, %d state loads", summary.AlreadyCompleted, loads)
	}
	log := r.stderr.String()
	if !strings.Contains(log, "already completed") || !strings.Contains(log, "13 bytes more than the completed job read") {
		t.Errorf("log:\n%s", log)
	}
	if got := cps(); strings.Join(got, ",") != strings.Join(before, ",") {
		t.Errorf("checkpoints %v, were %v", got, before)
	}
	if got := r.outputs(t); got != want {
		t.Errorf("output:\n%s\nwant\n%s", got, want)
	}
}

// An edited pipeline on the state of a completed job is refused as on any
// other state, not taken for "nothing to do".
func TestCompletedJobStillChecksEdits(t *testing.T) {
	r := newDurableRun(t, "file")
	if err := r.run(0); err != nil {
		t.Fatal(err)
	}
	r.unitID = "op:counts:2" // the view changed
	if err := r.run(0); err == nil || !strings.Contains(err.Error(), "--allow-state-reset") {
		t.Fatalf("err = %v, want the refusal of the edit", err)
	}
}

// A file truncated under the running job stops it with an error (exit 2
// from Main), not an early end with success.
func TestInputTruncatedWhileRunning(t *testing.T) {
	r := newDurableRun(t, "file")
	r.opts.StateDir = ""
	r.opts.BatchSize = 100
	in := filepath.Join(r.dir, "in.txt")
	writeFile(t, in, strings.Repeat("row of some length, to fill more than one read buffer\n", 60_000))
	factory := func(c *Context) Pipeline {
		p := &countPipeline{ctx: c, unitID: r.unitID}
		truncated := false
		p.onBatch = func() {
			if !truncated {
				truncated = true
				os.Truncate(in, 1000)
			}
		}
		return p
	}
	_, err := Run(context.Background(), r.spec, factory, r.opts)
	if errcode.Of(err) != errcode.InputChangedWhileRead {
		t.Fatalf("err = %v, want %s", err, errcode.InputChangedWhileRead)
	}
}

// TestEmbeddedStateDirIsLocked: an embedded pipeline with a state dir holds
// its lock until Close, like a job: a second one on the same dir (a second
// copy of the program, or a second Open in this one) gets LDB-5001, and a
// job cannot take it either.
func TestEmbeddedStateDirIsLocked(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	spec := Spec{Name: "p", Sinks: []SinkSpec{fileSink("out", "out.jsonl")}}
	first, err := NewEmbedded(spec, EmbedOptions{BaseDir: dir, StateDir: state})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewEmbedded(spec, EmbedOptions{BaseDir: dir, StateDir: state}); errcode.Of(err) != errcode.StateDirLocked {
		t.Errorf("second embedded pipeline: %v, want %s", err, errcode.StateDirLocked)
	}
	if _, err := Run(context.Background(), spec, func(*Context) Pipeline { return slogPipeline{} }, Options{BaseDir: dir, StateDir: state, Stderr: io.Discard}); errcode.Of(err) != errcode.StateDirLocked {
		t.Errorf("a job on the embedded pipeline's state dir: %v, want %s", err, errcode.StateDirLocked)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := NewEmbedded(spec, EmbedOptions{BaseDir: dir, StateDir: state})
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	again.Close()
}

// A second instance started together with the first may find the lock
// taken before the holder has written its pid: it waits for the pid
// rather than print "another process" (CI saw exactly this race).
func TestLockRefusalWaitsForTheHoldersPid(t *testing.T) {
	dir := t.TempDir()
	f, err := os.OpenFile(filepath.Join(dir, lockFileName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if held, err := tryLock(f); err != nil || !held {
		t.Fatalf("tryLock: %v, %v", held, err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		f.WriteAt([]byte("4242\n"), 0)
	}()
	_, err = lockStateDir(dir)
	if errcode.Of(err) != errcode.StateDirLocked || !strings.Contains(err.Error(), "pid 4242") {
		t.Errorf("refusal: %v, want %s naming pid 4242", err, errcode.StateDirLocked)
	}
}
