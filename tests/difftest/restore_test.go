package difftest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWideDecimalRestoredAgainstDuckDB runs DECIMAL(p > 18) aggregates (the
// windowed, updating and two-level shapes of GenDecimalCase: 128-bit sums
// with their wrap counts, MIN/MAX multisets of Int128 values) with
// checkpoints every few milliseconds, killed with SIGKILL at random moments
// and restarted from the last checkpoint until they finish, and compares
// the output with DuckDB's answer: the saved and loaded 128-bit state goes
// on to the exact result. tests/crash compares such runs with an
// uninterrupted one (TestCrashWideDecimal); this compares them with DuckDB.
func TestWideDecimalRestoredAgainstDuckDB(t *testing.T) {
	n := 12
	if testing.Short() {
		n = 4
	}
	var fcs []funcCase
	for seed := uint64(1); len(fcs) < n; seed++ {
		fc := GenDecimalCase(rand.New(rand.NewPCG(seed, seed^0x128)), fmt.Sprintf("restored_seed%d", seed), true)
		if !strings.Contains(fc.views, "GROUP BY") {
			continue // a projection keeps no state
		}
		fcs = append(fcs, fc)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	cases := funcTestCases("restored", fcs)
	bin := buildJobs(t, root, work, cases)
	db := openDuckDB(t)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	var kills, restored int
	for _, c := range cases {
		t.Run(c.pkg, func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.query.Pipeline, c.err)
			}
			want, err := duckResult(db, c)
			if err != nil {
				t.Fatalf("%s\n-- DuckDB: %v", c.describe(), err)
			}
			if want.Size() == 0 {
				t.Fatalf("%s\n-- DuckDB's result is empty: the case tests nothing", c.query.Pipeline)
			}
			k, rs := runJobRestored(t, bin, filepath.Join(work, "run", c.pkg), c, want, r)
			kills, restored = kills+k, restored+rs
		})
	}
	t.Logf("%d cases: %d kills, %d starts restored from a checkpoint", len(cases), kills, restored)
	if restored < len(cases)/2 {
		t.Errorf("only %d starts of %d cases restored a checkpoint: the test checks too little", restored, len(cases))
	}
}

// runJobRestored runs the case's job at batch size 1 with --state-dir and a
// checkpoint every 2 ms (each stretched by LAMINAR_TEST_CHECKPOINT_DELAY),
// killing it after a random delay and restarting it until it finishes, in
// rounds from an empty state dir until a round had a start restored from a
// checkpoint (at most 20 rounds); then compares that round's output with
// want. It returns the kills and the restored starts.
func runJobRestored(t *testing.T, bin, dir string, c *testCase, want Multiset, r *rand.Rand) (kills, restored int) {
	for round := range 20 {
		rdir := filepath.Join(dir, fmt.Sprintf("round%d", round))
		mustWrite(t, filepath.Join(rdir, "in.jsonl"), c.input)
		roundRestored := 0
		for start := 0; ; start++ {
			if start > 200 {
				t.Fatalf("%s\n-- the job did not finish in 200 starts", c.describe())
			}
			if start > 0 && hasCheckpoint(rdir) {
				roundRestored++
			}
			cmd := exec.Command(bin, c.pkg, "--base-dir", rdir, "--quiet", "--progress", "never", "--batch-size", "1",
				"--late", filepath.Join(rdir, "late.jsonl"), "--dead-letter", filepath.Join(rdir, "dead.jsonl"),
				"--state-dir", filepath.Join(rdir, "state"), "--checkpoint-interval", "2ms")
			cmd.Env = append(os.Environ(), "LAMINAR_TEST_CHECKPOINT_DELAY=1ms")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			var err error
			select {
			case err = <-exited:
			case <-time.After(time.Duration(2+r.IntN(40)) * time.Millisecond):
				cmd.Process.Signal(syscall.SIGKILL)
				err = <-exited
			}
			if err == nil {
				break
			}
			var exit *exec.ExitError
			if errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL {
				kills++
				continue
			}
			t.Fatalf("%s\n-- the job failed: %v\n%s", c.describe(), err, stderr.String())
		}
		if roundRestored > 0 {
			checkJob(t, rdir, c, fmt.Sprintf(" restored %d times", roundRestored), want, false)
			return kills, restored + roundRestored
		}
	}
	// a small case can finish before any kill lands after a checkpoint:
	// its output is still checked, and the test as a whole asks for
	// restores in most cases
	t.Logf("case %s: no start in 20 rounds was restored from a checkpoint", c.pkg)
	checkJob(t, filepath.Join(dir, "round19"), c, " never restored", want, false)
	return kills, restored
}

// hasCheckpoint tells whether a state dir holds a published checkpoint.
func hasCheckpoint(dir string) bool {
	cps, _ := filepath.Glob(filepath.Join(dir, "state", "checkpoints", "cp-*"))
	for _, cp := range cps {
		if !strings.Contains(filepath.Base(cp), ".tmp") {
			return true
		}
	}
	return false
}
