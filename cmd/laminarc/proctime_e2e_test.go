package main

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestProcessingTimeWindowsOnTheWallClock runs a processing-time TUMBLE on
// the real clock: rows written to stdin are counted into 1 s windows of the
// wall clock, a window closes while stdin stays open and silent (the timer,
// not a row, closes it), and at the end of input the last window is emitted;
// every window is 1 s long and aligned, and the counts add up to the rows.
func TestProcessingTimeWindowsOnTheWallClock(t *testing.T) {
	sql := "CREATE SOURCE s (k BIGINT NOT NULL, p AS PROCTIME()) WITH (connector = 'stdin', format = 'json');\n" +
		"CREATE VIEW v AS SELECT k, COUNT(*) AS n, window_start, window_end FROM TUMBLE(s, p, INTERVAL '1' SECOND) GROUP BY k, window_start, window_end;\n" +
		"CREATE SINK o FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n"
	dir, bin := buildPipeline(t, sql, nil)
	cmd := exec.Command(bin, "--base-dir", dir, "--quiet", "--progress", "never")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	start := time.Now()
	io.WriteString(stdin, "{\"k\": 1}\n{\"k\": 1}\n{\"k\": 2}\n")
	type row struct {
		K           int64     `json:"k"`
		N           int64     `json:"n"`
		WindowStart time.Time `json:"window_start"`
		WindowEnd   time.Time `json:"window_end"`
	}
	read := func() []row {
		data, _ := os.ReadFile(filepath.Join(dir, "out.jsonl"))
		var rows []row
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var r row
			if line != "" && json.Unmarshal([]byte(line), &r) == nil {
				rows = append(rows, r)
			}
		}
		return rows
	}
	// stdin stays open: the first window closes on the clock alone
	var first []row
	for deadline := time.Now().Add(20 * time.Second); len(first) < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no window closed within 20 s while the input was idle; stderr:\n%s", stderr.String())
		}
		first = read()
	}
	closedAfter := time.Since(start)
	io.WriteString(stdin, "{\"k\": 1}\n{\"k\": 3}\n")
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the job failed: %v\n%s", err, stderr.String())
	}
	rows := read()
	counts := map[int64]int64{}
	for _, r := range rows {
		if d := r.WindowEnd.Sub(r.WindowStart); d != time.Second || r.WindowStart.UnixMicro()%1_000_000 != 0 {
			t.Errorf("window [%s, %s) is not a 1 s window aligned to the second", r.WindowStart, r.WindowEnd)
		}
		if r.WindowStart.Before(start.Add(-time.Second)) || r.WindowEnd.After(time.Now().Add(time.Second)) {
			t.Errorf("window [%s, %s) lies outside the run", r.WindowStart, r.WindowEnd)
		}
		counts[r.K] += r.N
	}
	if counts[1] != 3 || counts[2] != 1 || counts[3] != 1 || len(counts) != 3 {
		t.Fatalf("counts per key %v, want 1:3 2:1 3:1; rows %+v", counts, rows)
	}
	if closedAfter > 5*time.Second {
		t.Errorf("the first window closed %s after its rows: the timer should close it within its 1 s", closedAfter)
	}
}
