package crash

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWorkersIdleInput: a job on 2 and 3 workers reading a FIFO whose writer
// has sent some rows and waits. The rows' output reaches the output file
// without more input (a round does not wait for a batch per worker), a
// checkpoint covering the rows is taken while the input is idle, and an
// interrupt stops the job while it waits.
func TestWorkersIdleInput(t *testing.T) {
	skipShort(t)
	j := buildJob(t, source("file")+updating+sink, false, nil)
	for _, workers := range []int{2, 3} {
		dir := t.TempDir()
		fifo := filepath.Join(dir, "input.jsonl")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		cmd := j.command(dir, true, 1024, workers)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		rows := `{"symbol":"A","price":1,"volume":2,"ts":"2024-01-01T00:00:00Z"}
{"symbol":"B","price":3,"volume":4,"ts":"2024-01-01T00:00:01Z"}
{"symbol":"A","price":5,"volume":6,"ts":"2024-01-01T00:00:02Z"}
`
		if _, err := w.WriteString(rows); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "output.jsonl")
		deadline := time.Now().Add(20 * time.Second)
		for {
			data, _ := os.ReadFile(out)
			if strings.Contains(string(data), `"symbol":"A","n":2`) && strings.Contains(string(data), `"symbol":"B","n":1`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d workers: output file holds %q while the job waits for input\n%s", workers, data, stderr.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
		// a checkpoint past the rows, taken while the input is idle
		for {
			manifests, _ := filepath.Glob(filepath.Join(dir, "state", "checkpoints", "cp-*[0-9]", "MANIFEST"))
			found := false
			for _, m := range manifests {
				data, _ := os.ReadFile(m)
				if !strings.Contains(m, ".tmp-") && strings.Contains(string(data), `"offset": 192`) {
					found = true
				}
			}
			if found {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d workers: no checkpoint at offset 192 while the input is idle: %v\n%s", workers, manifests, stderr.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%d workers: the job did not stop on an interrupt while its input was idle\n%s", workers, stderr.String())
		}
		w.Close()
	}
}
