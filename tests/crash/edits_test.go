package crash

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestEditsKeepState edits a pipeline between runs that share a state
// directory: unchanged operators resume with their state, an edit that
// changes an operator's state (its filter, its aggregates) or adds one is
// refused with the view's name unless --allow-state-reset, and an edit of
// output-only parts (HAVING) keeps the state.
func TestEditsKeepState(t *testing.T) {
	skipShort(t)
	in := input(60_000)
	base := source("file") + tumbling + sink
	a := buildJob(t, base, false, in)
	ref := a.reference(t)

	// Run the original pipeline, stop it (SIGINT: a graceful stop with a
	// final checkpoint) once it has written a checkpoint.
	dir := a.newRunDir(t)
	var stderr bytes.Buffer
	cmd := a.command(dir, true, 50, 1)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		// cp-<20 digits>, not a checkpoint's temporary cp-<epoch>.tmp-<hex>
		if cps, _ := filepath.Glob(filepath.Join(dir, "state", "checkpoints", "cp-"+strings.Repeat("[0-9]", 20))); len(cps) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	// 3: interrupted, resumable; 0 if the run ended before the signal
	if err := cmd.Wait(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 3 {
			t.Fatalf("interrupted run: %v\n%s", err, stderr.String())
		}
	}

	// refused edits leave the state and the output alone
	refused := []struct{ name, sql, view string }{
		{"changed filter", source("file") + strings.Replace(tumbling, "GROUP BY symbol", "WHERE volume > 1\nGROUP BY symbol", 1) + sink, "view v"},
		{"changed aggregate", source("file") + strings.Replace(tumbling, "COUNT(*) AS n", "COUNT(*) AS n, MAX(price) AS high", 1) + sink, "view v"},
		{"added view", base + "CREATE MATERIALIZED VIEW w AS SELECT symbol, COUNT(*) AS c FROM trades GROUP BY symbol;\n" +
			"CREATE SINK w_out FROM w WITH (connector = 'file', path = 'w.jsonl');\n", "view w"},
	}
	for _, e := range refused {
		j := buildJob(t, e.sql, false, in)
		out, err := j.command(dir, true, 50, 1).CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Fatalf("%s: want exit 2, got %v\n%s", e.name, err, out)
		}
		if !strings.Contains(string(out), e.view) || !strings.Contains(string(out), "--allow-state-reset") {
			t.Errorf("%s: the refusal should name %q and the way out:\n%s", e.name, e.view, out)
		}
	}

	// An output-only edit keeps the state: the run resumes where the
	// original stopped and the result is the uninterrupted original's.
	having := source("file") + strings.Replace(tumbling, "EMIT ON WINDOW CLOSE", "HAVING COUNT(*) > 0\nEMIT ON WINDOW CLOSE", 1) + sink
	b := buildJob(t, having, false, in)
	if out, err := b.command(dir, true, 50, 1).CombinedOutput(); err != nil {
		t.Fatalf("HAVING edit refused: %v\n%s", err, out)
	}
	sameRows(t, readOutputs(t, dir)["output.jsonl"], ref["output.jsonl"])

	// --allow-state-reset starts the new view empty and keeps the rest
	added := buildJob(t, refused[2].sql, false, in)
	cmdReset := added.command(dir, true, 50, 1)
	cmdReset.Args = append(cmdReset.Args, "--allow-state-reset")
	if out, err := cmdReset.CombinedOutput(); err != nil {
		t.Fatalf("--allow-state-reset: %v\n%s", err, out)
	}
}
