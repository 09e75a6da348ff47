package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestOverflowIsSetAside: TIMESTAMP + a huge INTERVAL and BIGINT overflow
// send the row to the dead-letter output with its LDB code (they used to wrap
// to another date or number); the job goes on, exits 0 and counts them; a
// DOUBLE that overflows to infinity is written as "Infinity", not null.
func TestOverflowIsSetAside(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	sql := `CREATE SOURCE s (a BIGINT, x DOUBLE, ts TIMESTAMP NOT NULL) WITH (connector = 'file', path = 'in.jsonl');
CREATE VIEW v AS SELECT a, ts + INTERVAL '100000000' DAY AS later, -a AS neg, x * 10 AS big FROM s;
CREATE SINK o FROM v WITH (connector = 'file', path = 'out.jsonl');
CREATE VIEW w AS SELECT a FROM s WHERE ts + INTERVAL '100000000' DAY > TIMESTAMP '2000-01-01 00:00:00';
CREATE SINK o2 FROM w WITH (connector = 'file', path = 'out2.jsonl');
CREATE VIEW u AS SELECT ABS(a) AS m FROM s;
CREATE SINK o3 FROM u WITH (connector = 'file', path = 'out3.jsonl');
`
	in := `{"a":1,"x":1e308,"ts":"2024-01-01T00:00:00Z"}
{"a":2,"x":1,"ts":9000000000000000}
{"a":-9223372036854775808,"x":1,"ts":0}
{"a":3,"x":-1e308,"ts":0}
`
	dir, bin := buildPipeline(t, sql, map[string]string{"in.jsonl": in})
	cmd := exec.Command(bin, "--base-dir", dir, "--dead-letter", filepath.Join(dir, "dead.jsonl"))
	stderr, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("job: %v\n%s", err, stderr)
	}
	out, _ := os.ReadFile(filepath.Join(dir, "out.jsonl"))
	want := `{"a":1,"later":"275814-09-14T00:00:00Z","neg":-1,"big":"Infinity"}
{"a":3,"later":"275760-09-13T00:00:00Z","neg":-3,"big":"-Infinity"}
`
	if string(out) != want {
		t.Errorf("output\n%s\nwant\n%s", out, want)
	}
	// a filter whose own expression overflows passes no row (the wrapped
	// timestamp would have passed it)
	if out2, _ := os.ReadFile(filepath.Join(dir, "out2.jsonl")); string(out2) != "{\"a\":1}\n{\"a\":-9223372036854775808}\n{\"a\":3}\n" {
		t.Errorf("filtered output\n%s", out2)
	}
	// ABS of the smallest BIGINT fails as DuckDB's does (it was NULL)
	if out3, _ := os.ReadFile(filepath.Join(dir, "out3.jsonl")); string(out3) != "{\"m\":1}\n{\"m\":2}\n{\"m\":3}\n" {
		t.Errorf("ABS output\n%s", out3)
	}
	dead, _ := os.ReadFile(filepath.Join(dir, "dead.jsonl"))
	lines := strings.Split(strings.TrimSpace(string(dead)), "\n")
	if len(lines) != 4 || !strings.Contains(lines[3], `"view":"u"`) || !strings.Contains(lines[0], `"line":2`) || !strings.Contains(lines[0], "LDB-6002") ||
		!strings.Contains(lines[1], `"line":2`) || !strings.Contains(lines[1], `"view":"w"`) ||
		!strings.Contains(lines[2], `"line":3`) || !strings.Contains(lines[2], "LDB-6001") {
		t.Errorf("dead letters:\n%s", dead)
	}
	if !strings.Contains(string(stderr), "4 rows in") || !strings.Contains(string(stderr), "4 failed") {
		t.Errorf("summary:\n%s", stderr)
	}
}

// TestLongInList: a long IN list of constants is a set lookup with SQL's
// NULL semantics (NULL x gives NULL, so NOT IN is NULL too), for BIGINT,
// DOUBLE (an integer constant widened, -0 equal to 0) and VARCHAR.
func TestLongInList(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	ints, strs := make([]string, 3000), make([]string, 3000)
	for i := range ints {
		ints[i] = strconv.Itoa(i * 2)
		strs[i] = "'s" + strconv.Itoa(i) + "'"
	}
	list := strings.Join(ints, ", ")
	sql := `CREATE SOURCE s (a BIGINT, x DOUBLE, k VARCHAR, ts TIMESTAMP NOT NULL) WITH (connector = 'file', path = 'in.jsonl');
CREATE VIEW v AS SELECT a, a IN (` + list + `) AS ai, a NOT IN (` + list + `) AS an, x IN (` + list + `, 0.5) AS xi,
  k IN (` + strings.Join(strs, ", ") + `) AS ki FROM s;
CREATE SINK o FROM v WITH (connector = 'file', path = 'out.jsonl');
`
	in := `{"a":4,"x":-0.0,"k":"s2999","ts":0}
{"a":5,"x":0.5,"k":"s3000","ts":0}
{"ts":0}
`
	dir, bin := buildPipeline(t, sql, map[string]string{"in.jsonl": in})
	if out, err := exec.Command(bin, "--base-dir", dir, "--quiet").CombinedOutput(); err != nil {
		t.Fatalf("job: %v\n%s", err, out)
	}
	out, _ := os.ReadFile(filepath.Join(dir, "out.jsonl"))
	want := `{"a":4,"ai":true,"an":false,"xi":true,"ki":true}
{"a":5,"ai":false,"an":true,"xi":true,"ki":false}
{"a":null,"ai":null,"an":null,"xi":null,"ki":null}
`
	if string(out) != want {
		t.Errorf("output\n%s\nwant\n%s", out, want)
	}
}

// TestMemoryLimitCheckpointsAndResumes: a job whose keyed state outgrows
// --memory-limit stops with LDB-5101 (exit 2) after a final checkpoint,
// instead of a Go out-of-memory crash; run again with room, it resumes from
// that checkpoint and ends with every group.
func TestMemoryLimitCheckpointsAndResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	sql := `CREATE SOURCE s (k VARCHAR NOT NULL) WITH (connector = 'file', path = 'in.jsonl');
CREATE VIEW v AS SELECT k, COUNT(*) AS n FROM s GROUP BY k;
CREATE SINK o FROM v WITH (connector = 'blackhole');
`
	var in strings.Builder
	const keys = 300_000
	for i := 0; i < keys; i++ {
		in.WriteString(`{"k":"key-` + strconv.Itoa(i) + `"}` + "\n")
	}
	dir, bin := buildPipeline(t, sql, map[string]string{"in.jsonl": in.String()})
	state := filepath.Join(dir, "state")
	cmd := exec.Command(bin, "--base-dir", dir, "--state-dir", state, "--memory-limit", "24MiB", "--checkpoint-interval", "1h")
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(string(out), "LDB-5101") || strings.Contains(string(out), "goroutine") {
		t.Fatalf("exit %d (%v), want 2 with LDB-5101:\n%s", code, err, out)
	}
	// the state's groups, not the combiner's partials in the workers' parts
	// (this round's and the next round's, routed ahead): 342,826 had been
	// reported for 116,225 groups of state
	if m := regexp.MustCompile(`keyed state holds (\d+) groups`).FindStringSubmatch(string(out)); m == nil {
		t.Errorf("the stop's error names no state groups:\n%s", out)
	} else if n, _ := strconv.Atoi(m[1]); n > keys {
		t.Errorf("the stop's error counts %d groups of state for %d keys:\n%s", n, keys, out)
	}
	cps, _ := filepath.Glob(filepath.Join(state, "*"))
	if len(cps) == 0 {
		t.Fatalf("no checkpoint in %s", state)
	}
	cmd = exec.Command(bin, "--base-dir", dir, "--state-dir", state, "--memory-limit", "1GiB", "--summary-json", filepath.Join(dir, "sum.json"))
	t.Logf("stopped: %s", out)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	} else if !strings.Contains(string(out), "resum") || !strings.Contains(string(out), "state 300000 groups") {
		t.Errorf("resume did not resume, or its summary lacks the state:\n%s", out)
	}
}
