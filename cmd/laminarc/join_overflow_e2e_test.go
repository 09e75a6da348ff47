package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestJoinArithmeticIsChecked: a join's key, condition and output compute
// BIGINT arithmetic checked, as projections do: a pair whose output
// overflows, a row whose key overflows and a pair whose condition overflows
// are left out and written to the dead-letter output with LDB-6001.
func TestJoinArithmeticIsChecked(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	dir := t.TempDir()
	t.Setenv("LAMINAR_CACHE", filepath.Join(dir, "cache"))
	sql := "CREATE SOURCE s (side BIGINT NOT NULL, k BIGINT NOT NULL, n BIGINT NOT NULL, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts) WITH (connector = 'file', path = 'in.jsonl');\n" +
		"CREATE VIEW a AS SELECT k, n FROM s WHERE side = 1;\n" +
		"CREATE VIEW b AS SELECT k, n FROM s WHERE side = 2;\n" +
		"CREATE MATERIALIZED VIEW v AS SELECT a.k, a.n * b.n AS m FROM a JOIN b ON a.k + 1 = b.k + 1 AND a.n - b.n < 100;\n" +
		"CREATE SINK o FROM v WITH (connector = 'file', path = 'out.jsonl');\n"
	in := `{"side":1,"k":1,"n":3,"ts":1}
{"side":2,"k":1,"n":4,"ts":2}
{"side":1,"k":2,"n":4611686018427387904,"ts":3}
{"side":2,"k":2,"n":4611686018427387900,"ts":4}
{"side":1,"k":9223372036854775807,"n":1,"ts":5}
{"side":1,"k":3,"n":-9223372036854775807,"ts":6}
{"side":2,"k":3,"n":10,"ts":7}
`
	os.WriteFile(filepath.Join(dir, "in.jsonl"), []byte(in), 0o644)
	p := filepath.Join(dir, "p.sql")
	os.WriteFile(p, []byte(sql), 0o644)
	bin := filepath.Join(dir, "job")
	if code := run([]string{"build", p, "-o", bin}); code != exitOK {
		t.Fatalf("laminarc build exited %d", code)
	}
	out, err := exec.Command(bin, "--base-dir", dir, "--quiet", "--dead-letter", filepath.Join(dir, "dead.jsonl")).CombinedOutput()
	if err != nil {
		t.Fatalf("job: %v\n%s", err, out)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "out.jsonl"))
	if want := `{"k":1,"m":12}` + "\n"; string(got) != want {
		t.Errorf("output %q, want %q", got, want)
	}
	dead, _ := os.ReadFile(filepath.Join(dir, "dead.jsonl"))
	lines := strings.Split(strings.TrimSpace(string(dead)), "\n")
	// the pair of k = 2 (its product), the left row of k = MaxInt64 (its key), the pair of k = 3 (its condition)
	if len(lines) != 3 || slices.IndexFunc(lines, func(l string) bool { return !strings.Contains(l, "LDB-6001") }) >= 0 {
		t.Errorf("dead letters:\n%s", dead)
	}
}
