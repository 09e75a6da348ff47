package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// udfModule is a user's Go module with the functions a pipeline declares.
var udfModule = map[string]string{
	"go.mod": "module example.com/udfs\n\ngo 1.26\n",
	"udfs.go": `package udfs

import (
	"errors"
	"strings"
	"time"
)

func CountChar(s, c string) int64 { return int64(strings.Count(s, c)) }

func Half(n int64) (int64, error) {
	if n%2 != 0 {
		return 0, errors.New("odd")
	}
	return n / 2, nil
}

func Shout(s string) string {
	if s == "boom" {
		panic("boom")
	}
	return strings.ToUpper(s)
}

func NextDay(t time.Time) time.Time { return t.Add(24 * time.Hour) }
`,
}

const udfDecls = `CREATE FUNCTION count_char(s VARCHAR, c VARCHAR) RETURNS BIGINT LANGUAGE GO AS 'example.com/udfs.CountChar';
CREATE FUNCTION half(n BIGINT) RETURNS BIGINT LANGUAGE GO AS 'example.com/udfs.Half';
CREATE FUNCTION shout(s VARCHAR) RETURNS VARCHAR LANGUAGE GO AS 'example.com/udfs.Shout';
CREATE FUNCTION next_day(t TIMESTAMP) RETURNS TIMESTAMP LANGUAGE GO AS 'example.com/udfs.NextDay';
CREATE SOURCE s (w VARCHAR, n BIGINT, ts TIMESTAMP NOT NULL) WITH (connector = 'stdin');
`

// TestGoFunctions: Go functions in the user's module are linked into the
// job; NULL in is NULL out; an error or a panic sends the row to the dead
// letters (LDB-6004) and the job goes on.
func TestGoFunctions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	sql := udfDecls + `CREATE VIEW v AS SELECT count_char(w, 'a') AS a, half(n) AS h, shout(w) AS u, next_day(ts) AS d FROM s;
CREATE SINK o FROM v WITH (connector = 'stdout');
`
	dir, bin := buildPipeline(t, sql, udfModule)
	cmd := exec.Command(bin, "--quiet", "--dead-letter", filepath.Join(dir, "dead.jsonl"))
	cmd.Stdin = strings.NewReader(`{"w":"banana","n":4,"ts":"2024-01-01T00:00:00Z"}
{"w":null,"n":null,"ts":"2024-01-01T00:00:00Z"}
{"w":"odd","n":3,"ts":"2024-01-01T00:00:00Z"}
{"w":"boom","n":2,"ts":"2024-01-01T00:00:00Z"}
`)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":3,"h":2,"u":"BANANA","d":"2024-01-02T00:00:00Z"}
{"a":null,"h":null,"u":null,"d":"2024-01-02T00:00:00Z"}
`
	if string(out) != want {
		t.Errorf("output\n%s\nwant\n%s", out, want)
	}
	dead, _ := os.ReadFile(filepath.Join(dir, "dead.jsonl"))
	if strings.Count(string(dead), "LDB-6004") != 2 || !strings.Contains(string(dead), `"line":3`) || !strings.Contains(string(dead), `"line":4`) {
		t.Errorf("dead letters:\n%s", dead)
	}
	// editing the function rebuilds the job (the cache key covers its source)
	mod := strings.Replace(udfModule["udfs.go"], "strings.ToUpper(s)", `strings.ToUpper(s) + "!"`, 1)
	os.WriteFile(filepath.Join(dir, "udfs.go"), []byte(mod), 0o644)
	if code := run([]string{"build", filepath.Join(dir, "p.sql"), "-o", bin}); code != exitOK {
		t.Fatal("rebuild failed")
	}
	cmd = exec.Command(bin, "--quiet")
	cmd.Stdin = strings.NewReader(`{"w":"x","n":2,"ts":"2024-01-01T00:00:00Z"}` + "\n")
	if out, err := cmd.Output(); err != nil || !strings.Contains(string(out), `"u":"X!"`) {
		t.Errorf("after editing the function: %s %v", out, err)
	}
}

// TestGoFunctionSignatureChecked: laminarc check compares CREATE FUNCTION
// with the Go signature and names the mismatch at the function's name.
func TestGoFunctionSignatureChecked(t *testing.T) {
	dir := t.TempDir()
	for name, content := range udfModule {
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
	}
	for decl, want := range map[string]string{
		"CREATE FUNCTION f(s VARCHAR, c BIGINT) RETURNS BIGINT LANGUAGE GO AS 'example.com/udfs.CountChar'": "parameter 2 is string, not int64",
		"CREATE FUNCTION f(n BIGINT) RETURNS DOUBLE LANGUAGE GO AS 'example.com/udfs.Half'":                 "returns int64, not float64",
		"CREATE FUNCTION f(s VARCHAR) RETURNS VARCHAR LANGUAGE GO AS 'example.com/udfs.Nope'":               "is not a function of the package",
		"CREATE FUNCTION f(s VARCHAR) RETURNS VARCHAR LANGUAGE GO AS 'example.com/nowhere.F'":               "does not load",
		"CREATE FUNCTION f(s VARCHAR) RETURNS VARCHAR LANGUAGE PYTHON AS 'f'":                               "LDB-4001: functions in PYTHON are not supported",
		"CREATE FUNCTION upper(s VARCHAR) RETURNS VARCHAR LANGUAGE GO AS 'example.com/udfs.Shout'":          "LDB-2017: function upper is already defined",
		"CREATE FUNCTION f(s VARCHAR) RETURNS VARCHAR LANGUAGE GO AS 'example.com/udfs.shout'":              "does not name a Go function",
	} {
		p := filepath.Join(dir, "p.sql")
		os.WriteFile(p, []byte(decl+";\nCREATE SOURCE s (w VARCHAR) WITH (connector = 'stdin');\nCREATE SINK o FROM s WITH (connector = 'stdout');\n"), 0o644)
		stderr := captureStderr(t, func() {
			if code := run([]string{"check", p}); code != exitPipeline {
				t.Errorf("%s: check exited %d", decl, code)
			}
		})
		if !strings.Contains(stderr, want) {
			t.Errorf("%s:\nwant %q in\n%s", decl, want, stderr)
		}
	}
}
