package job

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/fsys"
)

// countPipeline is a stateful stand-in for generated code: it numbers the
// good lines with a running count (its state), so output after a resume is
// right only if the state and the source offsets were restored together.
type countPipeline struct {
	ctx     *Context
	unitID  string
	n       uint64
	onBatch func() // called after every batch, if set
}

func (p *countPipeline) ProcessLines(src int, b *connector.LineBatch) {
	w := p.ctx.Sinks[0]
	for i, line := range b.Lines {
		switch {
		case bytes.HasPrefix(line, []byte("bad")):
			p.ctx.Malformed(src, b, i, fmt.Errorf("cannot decode %q", line))
		case bytes.HasPrefix(line, []byte("late")):
			p.ctx.Late(src, b, i, "counts")
		default:
			p.n++
			w.Buf = fmt.Appendf(w.Buf, "{\"n\":%d,\"v\":%q}\n", p.n, line)
			w.Rows++
		}
	}
	if p.onBatch != nil {
		p.onBatch()
	}
}

func (p *countPipeline) EndOfInput(src int) {
	w := p.ctx.Sinks[0]
	w.Buf = fmt.Appendf(w.Buf, "{\"total\":%d}\n", p.n)
	w.Rows++
}

func (p *countPipeline) StateUnits() []StateUnit {
	return []StateUnit{{ID: p.unitID, Name: "view counts"}}
}

func (p *countPipeline) SaveState(i int, buf []byte) []byte {
	return binary.LittleEndian.AppendUint64(buf, p.n)
}

func (p *countPipeline) LoadState(i int, data []byte) error {
	if len(data) != 8 {
		return errors.New("bad state")
	}
	p.n = binary.LittleEndian.Uint64(data)
	return nil
}

// durableInput has good, malformed and late lines.
func durableInput() string {
	var b strings.Builder
	for i := range 200 {
		switch i % 17 {
		case 5:
			fmt.Fprintf(&b, "bad %d\n", i)
		case 11:
			fmt.Fprintf(&b, "late %d\n", i)
		default:
			fmt.Fprintf(&b, "row %d\n", i)
		}
	}
	return b.String()
}

type durableRun struct {
	dir    string
	spec   Spec
	opts   Options
	unitID string
	stderr bytes.Buffer
}

func newDurableRun(t *testing.T, connectorName string) *durableRun {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in.txt"), durableInput())
	src := fileSource("in", "in.txt")
	if connectorName == "stdin" {
		src = SourceSpec{Name: "in", Connector: "stdin"}
	}
	r := &durableRun{dir: dir, unitID: "op:counts:1", spec: Spec{
		Name:    "counts",
		Sources: []SourceSpec{src},
		Sinks:   []SinkSpec{fileSink("out", "out.jsonl")},
	}}
	r.opts = testOptions(dir, &r.stderr)
	r.opts.Quiet = true
	r.opts.BatchSize = 3
	r.opts.StateDir = filepath.Join(dir, "state")
	return r
}

// run runs the job once; stopAfter > 0 interrupts it after that many batches.
func (r *durableRun) run(stopAfter int) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	factory := func(c *Context) Pipeline {
		p := &countPipeline{ctx: c, unitID: r.unitID}
		batches := 0
		p.onBatch = func() {
			if batches++; stopAfter > 0 && batches == stopAfter {
				cancel()
			}
		}
		return p
	}
	_, err := Run(ctx, r.spec, factory, r.opts)
	return err
}

func (r *durableRun) outputs(t *testing.T) string {
	var b strings.Builder
	for _, name := range []string{"out.jsonl", "dead.jsonl", "late.jsonl"} {
		data, _ := os.ReadFile(filepath.Join(r.dir, name))
		fmt.Fprintf(&b, "== %s\n%s", name, data)
	}
	return b.String()
}

// reference is the output of an uninterrupted run without a state dir.
func reference(t *testing.T) string {
	r := newDurableRun(t, "file")
	r.opts.StateDir = ""
	if err := r.run(0); err != nil {
		t.Fatal(err)
	}
	return r.outputs(t)
}

func TestDurableResumesWhereItStopped(t *testing.T) {
	want := reference(t)
	for _, stopAfter := range []int{1, 2, 7, 13} {
		t.Run(fmt.Sprint("every ", stopAfter, " batches"), func(t *testing.T) {
			r := newDurableRun(t, "file")
			for runs := 0; ; runs++ {
				if runs > 200 {
					t.Fatal("the job does not finish")
				}
				if err := r.run(stopAfter); err != nil {
					t.Fatalf("run %d: %v\n%s", runs, err, r.stderr.String())
				}
				if strings.Contains(r.outputs(t), `{"total"`) {
					break
				}
			}
			if got := r.outputs(t); got != want {
				t.Errorf("output after interruptions:\n%s\nwant\n%s", got, want)
			}
			// A finished job that is started again adds nothing.
			if err := r.run(0); err != nil {
				t.Fatal(err)
			}
			if got := r.outputs(t); got != want {
				t.Errorf("output after another start:\n%s", got)
			}
		})
	}
}

func TestDurableStateUnitsMustMatch(t *testing.T) {
	r := newDurableRun(t, "file")
	if err := r.run(5); err != nil {
		t.Fatal(err)
	}
	before := r.outputs(t)
	r.unitID = "op:counts:2" // the view changed: its state layout is another
	err := r.run(0)
	for _, want := range []string{"view counts: not in the checkpoint", "view counts: gone or changed", "--allow-state-reset"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to say %q", err, want)
		}
	}
	if got := r.outputs(t); got != before {
		t.Errorf("a refused start changed the output:\n%s\nbefore:\n%s", got, before)
	}
	r.opts.AllowStateReset = true
	if err := r.run(0); err != nil {
		t.Fatal(err)
	}
	if out := r.outputs(t); !strings.Contains(out, `{"n":1,"v":"row `) || !strings.Contains(r.stderr.String(), "--allow-state-reset: view counts") {
		t.Errorf("with --allow-state-reset the count restarts at 1 and the reset is logged:\n%s\n%s", out, r.stderr.String())
	}
}

// TestCheckpointFaults fails every filesystem operation of writing a
// checkpoint in turn (EIO, ENOSPC after a short write, a failing fsync): the
// job stops with an error naming the checkpoint, and a restart on a sound
// filesystem resumes from an intact checkpoint and ends with the output of
// an uninterrupted run.
func TestCheckpointFaults(t *testing.T) {
	want := reference(t)
	// Count the operations of a job that writes one checkpoint.
	r := newDurableRun(t, "file")
	faulty := fsys.NewFaulty(fsys.OS{})
	r.opts.CheckpointFS = faulty
	if err := r.run(0); err != nil {
		t.Fatal(err)
	}
	ops := len(faulty.Events())
	if ops < 10 {
		t.Fatalf("only %d operations: %v", ops, faulty.Events())
	}

	type fault struct {
		name string
		rule fsys.Rule
	}
	var faults []fault
	for n := 1; n <= ops; n++ {
		faults = append(faults, fault{fmt.Sprint("EIO at op ", n), fsys.Rule{Nth: n}})
	}
	for n := 1; n <= faulty.Count(fsys.OpWrite, ""); n++ {
		faults = append(faults, fault{fmt.Sprint("ENOSPC at write ", n), fsys.Rule{Op: fsys.OpWrite, Nth: n, Err: syscall.ENOSPC, ShortWrite: 3}})
	}
	for _, op := range []fsys.Op{fsys.OpSync, fsys.OpSyncDir} {
		for n := 1; n <= faulty.Count(op, ""); n++ {
			faults = append(faults, fault{fmt.Sprint(op, " fails at ", n), fsys.Rule{Op: op, Nth: n}})
		}
	}
	failed := 0
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			r := newDurableRun(t, "file")
			// A first checkpoint that succeeds, then the faulty one.
			if err := r.run(20); err != nil {
				t.Fatal(err)
			}
			r.opts.CheckpointFS = fsys.NewFaulty(fsys.OS{}, f.rule)
			err := r.run(0)
			if err != nil {
				failed++
				if !strings.Contains(err.Error(), "checkpoint") {
					t.Errorf("error does not name the checkpoint: %v", err)
				}
			}
			r.opts.CheckpointFS = nil
			r.stderr.Reset()
			if err := r.run(0); err != nil {
				t.Fatalf("restart: %v\n%s", err, r.stderr.String())
			}
			if strings.Contains(r.stderr.String(), "damaged") {
				t.Errorf("restart found a damaged checkpoint:\n%s", r.stderr.String())
			}
			if got := r.outputs(t); got != want {
				t.Errorf("output:\n%s\nwant\n%s", got, want)
			}
		})
	}
	// Only faults in pruning after the commit let the job go on.
	t.Logf("%d faults, %d stopped the job", len(faults), failed)
	if failed < len(faults)/2 {
		t.Errorf("only %d of %d faults stopped the job", failed, len(faults))
	}
}

// TestStdinThroughWAL: a job whose checkpoint fails has still logged all of
// stdin; the restart replays the log, and its producer sends nothing more,
// since the log holds everything.
func TestStdinThroughWAL(t *testing.T) {
	want := reference(t)
	r := newDurableRun(t, "stdin")
	r.opts.Stdin = strings.NewReader(durableInput())
	r.opts.CheckpointFS = fsys.NewFaulty(fsys.OS{}, fsys.Rule{Op: fsys.OpRename})
	if err := r.run(0); err == nil {
		t.Fatal("the checkpoint did not fail")
	}
	r.opts.CheckpointFS = nil
	r.opts.Stdin = strings.NewReader("")
	r.stderr.Reset()
	if err := r.run(0); err != nil {
		t.Fatal(err)
	}
	if w := fmt.Sprintf("holds the input up to byte %d", len(durableInput())); !strings.Contains(r.stderr.String(), w) {
		t.Errorf("stderr lacks %q:\n%s", w, r.stderr.String())
	}
	// Offsets and line numbers of stdin records in the dead-letter and
	// late files count from the start of the input, as a file's do.
	if got := r.outputs(t); got != want {
		t.Errorf("output:\n%s\nwant\n%s", got, want)
	}
}

// slowSave is countPipeline with a checkpoint that takes longer than the
// interval between checkpoints (a disk of slow fsyncs).
type slowSave struct{ *countPipeline }

func (p slowSave) SaveState(i int, buf []byte) []byte {
	time.Sleep(8 * time.Millisecond)
	return p.countPipeline.SaveState(i, buf)
}

// TestSlowCheckpointsLeaveTimeForInput: the interval between checkpoints
// runs from one's end to the next one's start, so checkpoints that take
// twice the interval still leave the job an interval of input between
// them. Counted from their starts (a ticker), the next checkpoint was due
// when one ended, and a job of one-line batches took a checkpoint every
// batch or two.
func TestSlowCheckpointsLeaveTimeForInput(t *testing.T) {
	r := newDurableRun(t, "file")
	r.opts.BatchSize = 1
	r.opts.CheckpointInterval = 4 * time.Millisecond
	batches := 0
	factory := func(c *Context) Pipeline {
		p := &countPipeline{ctx: c, unitID: r.unitID}
		p.onBatch = func() { batches++ }
		return slowSave{p}
	}
	sum, err := Run(context.Background(), r.spec, factory, r.opts)
	if err != nil {
		t.Fatal(err)
	}
	// 4 ms of one-line batches between checkpoints: a few hundred, unless
	// a batch took a millisecond
	if sum.Checkpoints < 1 || 4*sum.Checkpoints > batches {
		t.Fatalf("%d checkpoints in %d batches: want at least 4 batches a checkpoint", sum.Checkpoints, batches)
	}
}
