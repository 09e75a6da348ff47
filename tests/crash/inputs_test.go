package crash

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	readSomeRE = regexp.MustCompile(`"offset": [1-9]`)
	// doneRE marks a checkpoint taken at the end of a source's input: a
	// kill after it leaves a completed job, not an interrupted one.
	doneRE = regexp.MustCompile(`"done": true`)
)

// killAfterCheckpoint starts a durable run of j in a new run dir and kills
// it with SIGKILL once it has committed a checkpoint past the start of its
// input and before its end (one holding the end of the input does not
// count: the job has finished its work); it returns the run dir.
func killAfterCheckpoint(t *testing.T, j job) string {
	return killAfterCheckpointOn(t, j, 1)
}

// killAfterCheckpointOn is killAfterCheckpoint with the job on workers workers.
func killAfterCheckpointOn(t *testing.T, j job, workers int) string {
	t.Helper()
	for try := 0; try < 5; try++ {
		dir := j.newRunDir(t)
		cmd := j.command(dir, true, 50, workers)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		for killed := false; !killed; {
			select {
			case err := <-exited:
				if err != nil {
					t.Fatalf("run: %v\n%s", err, stderr.String())
				}
				killed = true // finished before a kill: try again
				continue
			case <-time.After(time.Millisecond):
			}
			manifests, _ := filepath.Glob(filepath.Join(dir, "state", "checkpoints", "cp-*[0-9]", "MANIFEST"))
			if slices.ContainsFunc(manifests, func(m string) bool {
				data, _ := os.ReadFile(m)
				return !strings.Contains(m, ".tmp-") && readSomeRE.Match(data) && !doneRE.Match(data) // committed, past the start, before the end
			}) {
				cmd.Process.Signal(syscall.SIGKILL)
				if err := <-exited; exitCode(err) == -1 {
					return dir
				}
				killed = true // it had just finished
			}
		}
	}
	t.Fatal("the job finished before it could be killed, 5 times")
	return ""
}

func exitCode(err error) int {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestCrashChangedInputRefused: after a kill (of a run on one worker, or on
// two reading the file in byte ranges, whose checkpoint records the input
// check all the same), the input file is replaced
// (same size, other rows) or has lines prepended; the restart is refused
// (LDB-5002) without touching the outputs, and once the original input is
// back the job resumes and ends with the uninterrupted run's output.
func TestCrashChangedInputRefused(t *testing.T) {
	skipShortSerial(t)
	in := input(20_000)
	j := buildJob(t, source("file")+tumbling+sink, false, in)
	ref := j.reference(t)
	lines := strings.SplitAfter(string(in), "\n")
	shuffled := slices.Clone(lines)
	slices.Reverse(shuffled)
	for _, change := range []struct {
		name, input string
		workers     int // of the killed run: 2 reads the file in byte ranges
	}{
		{"replaced, same size", strings.Join(shuffled, ""), 1},
		{"lines prepended", lines[0] + lines[1] + string(in), 1},
		{"replaced after 2 workers, same size", strings.Join(shuffled, ""), 2},
		{"lines prepended after 2 workers", lines[0] + lines[1] + string(in), 2},
	} {
		dir := killAfterCheckpointOn(t, j, change.workers)
		before := readOutputs(t, dir)
		path := filepath.Join(dir, "input.jsonl")
		if err := os.WriteFile(path+".new", []byte(change.input), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Rename(path+".new", path)
		out, err := j.command(dir, true, 50, 1).CombinedOutput()
		if exitCode(err) != 2 || !strings.Contains(string(out), "LDB-5002") || !strings.Contains(string(out), "deleting the state dir") {
			t.Fatalf("%s: want exit 2 with LDB-5002 and the way to start over, got %v:\n%s", change.name, err, out)
		}
		if got := readOutputs(t, dir); !maps(got, before) {
			t.Errorf("%s: the refused restart changed the outputs", change.name)
		}
		if err := os.WriteFile(path, in, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := j.command(dir, true, 1024, 1).CombinedOutput(); err != nil {
			t.Fatalf("%s: restart on the original input: %v\n%s", change.name, err, out)
		}
		got := readOutputs(t, dir)
		if change.workers > 1 {
			sameMultiset(t, got["output.jsonl"], ref["output.jsonl"]) // a round's rows come worker by worker
		} else {
			sameRows(t, got["output.jsonl"], ref["output.jsonl"])
		}
		for _, name := range outputs[1:] {
			if got[name] != ref[name] {
				t.Errorf("%s: %s differs from the uninterrupted run", change.name, name)
			}
		}
	}
}

func maps(a, b map[string]string) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}

// TestCrashTwoInstances: two instances started together on one state dir:
// one runs, the other is refused at once (LDB-5001, naming the holder's
// pid), and the state stays intact: the output is the uninterrupted run's.
func TestCrashTwoInstances(t *testing.T) {
	skipShortSerial(t)
	j := buildJob(t, source("file")+tumbling+sink, false, input(20_000))
	ref := j.reference(t)
	dir := j.newRunDir(t)
	var outs [2]bytes.Buffer
	var cmds [2]*exec.Cmd
	for i := range cmds {
		cmds[i] = j.command(dir, true, 200, 1)
		cmds[i].Stderr = &outs[i]
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	var codes [2]int
	for i, c := range cmds {
		codes[i] = exitCode(c.Wait())
	}
	slices.Sort(codes[:])
	if codes != [2]int{0, 2} {
		t.Fatalf("exit codes %v, want one 0 and one 2:\n%s\n%s", codes, outs[0].String(), outs[1].String())
	}
	refused := outs[0].String() + outs[1].String()
	if !strings.Contains(refused, "LDB-5001") || !strings.Contains(refused, "pid ") {
		t.Errorf("the refusal does not name the lock's holder:\n%s", refused)
	}
	got := readOutputs(t, dir)
	sameRows(t, got["output.jsonl"], ref["output.jsonl"])
	for _, name := range outputs[1:] {
		if got[name] != ref[name] {
			t.Errorf("%s differs from the uninterrupted run", name)
		}
	}
}

// skipShortSerial is skipShort for a test that runs alone, before the
// parallel kill rounds (the changed-input rounds, the connector tests): no
// load added to theirs, whose jobs must make progress between kills.
func skipShortSerial(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real jobs")
	}
}

// TestWorkersRestoreTwoToThree: a checkpoint taken by a job on 2 workers
// restores on 3 (the state re-partitioned by key at load) and on 1, and
// the output, the late and the dead-letter records are those of an
// uninterrupted run on one worker.
func TestWorkersRestoreTwoToThree(t *testing.T) {
	skipShort(t)
	for _, tc := range []struct {
		name, view string
		same       func(t *testing.T, got, want string)
	}{{"tumbling", tumbling, sameMultiset}, {"updating", updating, sameTable},
		// changes pending at the checkpoint, kept through the re-split
		{"periodically", periodicTumble, sameTable}, {"sessions after watermark", sessionAfterWatermark, sameTable}} {
		j := buildJob(t, source("file")+tc.view+sink, false, input(60_000))
		ref := j.reference(t)
		for _, restore := range []int{3, 1} {
			dir := killAfterCheckpointOn(t, j, 2)
			if out, err := j.command(dir, true, 50, restore).CombinedOutput(); err != nil {
				t.Fatalf("%s: restart on %d workers: %v\n%s", tc.name, restore, err, out)
			}
			got := readOutputs(t, dir)
			for _, name := range outputs {
				if name == "output.jsonl" {
					tc.same(t, got[name], ref[name])
				} else if got[name] != ref[name] {
					t.Errorf("%s, restored on %d workers: %s differs from the uninterrupted run", tc.name, restore, name)
				}
			}
		}
	}
}
