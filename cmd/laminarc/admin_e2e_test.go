package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/job"
)

// TestAdminServerOfARunningJob builds a job with --admin, runs it on a
// stdin held open, scrapes /metrics, asks for a checkpoint, reads /status
// through `laminarc explain --analyze`, then stops it with SIGTERM: exit
// code 3, and the same state dir resumes.
func TestAdminServerOfARunningJob(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	dir := t.TempDir()
	t.Setenv("LAMINAR_CACHE", filepath.Join(dir, "cache"))
	sql := "CREATE SOURCE s (a BIGINT, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (connector = 'stdin');\n" +
		"CREATE MATERIALIZED VIEW c AS SELECT a, COUNT(*) AS n FROM s GROUP BY a;\n" +
		"CREATE SINK o FROM c WITH (connector = 'stdout');\n"
	p := filepath.Join(dir, "p.sql")
	os.WriteFile(p, []byte(sql), 0o644)
	bin := filepath.Join(dir, "job")
	if code := run([]string{"build", "--admin", p, "-o", bin}); code != exitOK {
		t.Fatalf("laminarc build --admin exited %d", code)
	}

	cmd := exec.Command(bin, "--http", "127.0.0.1:0", "--state-dir", filepath.Join(dir, "state"), "--dead-letter", filepath.Join(dir, "dead.jsonl"))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	stderrPipe, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var stderr bytes.Buffer
	addrCh := make(chan string, 1)
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderrPipe)
		re := regexp.MustCompile(`admin server on (http://\S+)`)
		for sc.Scan() {
			stderr.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addrCh <- m[1]
			}
		}
	}()
	var base string
	select {
	case base = <-addrCh:
	case <-time.After(30 * time.Second):
		t.Fatal("no admin address logged")
	}
	input := "{\"a\": 1, \"ts\": 1000}\n{\"a\": 1, \"ts\": 2000}\nbad\n{\"a\": 2, \"ts\": 3000}\n"
	io.WriteString(stdin, input)
	go io.Copy(io.Discard, stdout)
	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	// the batch is processed while stdin stays open
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var st job.Status
		_, body := get("/status")
		if json.Unmarshal([]byte(body), &st) == nil && len(st.Sources) == 1 && st.Sources[0].RowsIn == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job did not count its 4 rows: %s", body)
		}
	}
	if code, body := get("/healthz"); code != 200 {
		t.Errorf("/healthz: %d %s", code, body)
	}
	if code, body := get("/readyz"); code != 200 {
		t.Errorf("/readyz: %d %s", code, body)
	}
	resp, err := http.Post(base+"/checkpoint", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var cp struct{ Epoch uint64 }
	json.NewDecoder(resp.Body).Decode(&cp)
	resp.Body.Close()
	if resp.StatusCode != 200 || cp.Epoch != 1 {
		t.Errorf("POST /checkpoint: %s, epoch %d", resp.Status, cp.Epoch)
	}
	_, metrics := get("/metrics")
	for _, want := range []string{
		`laminar_source_rows_total{source="s"} 4`,
		`laminar_source_malformed_total{source="s"} 1`,
		fmt.Sprintf(`laminar_source_bytes_total{source="s"} %d`, len(input)),
		`laminar_source_watermark_seconds{source="s"} 2`, // 3000 ms less the 1 s delay
		`laminar_source_watermark_lag_seconds{source="s"}`,
		`laminar_sink_rows_total{sink="o"}`,
		`laminar_checkpoints_total 1`,
		`laminar_state_bytes{unit="view c"}`,
		`laminar_ready 1`,
		`laminar_window_emit_delay_seconds_count 0`,
		`laminar_operator_rows_in_total{operator="c"} 3`, // the 3 records that decoded
		`laminar_operator_rows_out_total{operator="c"} 2`,
		`laminar_operator_state_rows{operator="c"} 2`,
		`go_goroutines`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", metrics)
	}
	var st job.Status
	_, status := get("/status")
	if err := json.Unmarshal([]byte(status), &st); err != nil || st.Phase != "running" || st.Sources[0].RowsIn != 4 {
		t.Errorf("/status: %v\n%s", err, status)
	}
	var analyzed bytes.Buffer
	if err := analyze(strings.TrimPrefix(base, "http://"), time.Second, &analyzed); err != nil {
		t.Fatal(err)
	}
	// c emitted a row for each of its 2 groups at the end of the batch;
	// the job idles, so the profile's shares are whatever it did meanwhile
	opLine := regexp.MustCompile(`(?m)^  c +aggregate +3 +2 +2 +source s +[0-9.]+%$`)
	for _, want := range []string{"job p: running", "view c", "checkpoints: 1", "cpu (", "(source loops"} {
		if !strings.Contains(analyzed.String(), want) {
			t.Errorf("explain --analyze lacks %q:\n%s", want, analyzed.String())
		}
	}
	if !opLine.MatchString(analyzed.String()) {
		t.Errorf("explain --analyze has no operator line for c:\n%s", analyzed.String())
	}

	cmd.Process.Signal(syscall.SIGTERM)
	<-logDone
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != job.ExitInterrupted {
		t.Fatalf("after SIGTERM: %v, want exit %d\n%s", err, job.ExitInterrupted, stderr.String())
	}
	if !strings.Contains(stderr.String(), "the same --state-dir resumes from it") {
		t.Errorf("no final checkpoint logged:\n%s", stderr.String())
	}
}

// TestAdminNeedsTokenOffLoopback: an admin server bound to all interfaces
// without a token is refused at start (usage error), and with one it
// answers 401 to a request without it.
func TestAdminNeedsTokenOffLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	dir := t.TempDir()
	t.Setenv("LAMINAR_CACHE", filepath.Join(dir, "cache"))
	p := filepath.Join(dir, "p.sql")
	os.WriteFile(p, []byte("CREATE SOURCE s (a BIGINT) WITH (connector = 'stdin');\nCREATE SINK o FROM s WITH (connector = 'stdout');\n"), 0o644)
	bin := filepath.Join(dir, "job")
	if code := run([]string{"build", "--admin", p, "-o", bin}); code != exitOK {
		t.Fatalf("build exited %d", code)
	}
	out, err := exec.Command(bin, "--http", "0.0.0.0:0").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "not a loopback address") {
		t.Errorf("no token off loopback: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "secret") {
		t.Error("the token leaked into the output")
	}
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("secret-token\n"), 0o600)
	cmd := exec.Command(bin, "--http", "127.0.0.1:0", "--http-token-file", tokenFile)
	stdin, _ := cmd.StdinPipe()
	defer stdin.Close()
	stderrPipe, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, _ := bufio.NewReader(stderrPipe).ReadString('\n')
	m := regexp.MustCompile(`http://\S+`).FindString(line)
	if m == "" {
		t.Fatalf("no address in %q", line)
	}
	resp, err := http.Get(m + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/metrics without the token: %s", resp.Status)
	}
	req, _ := http.NewRequest("GET", m+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer secret-token")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/metrics with the token: %s", resp.Status)
	}
}
