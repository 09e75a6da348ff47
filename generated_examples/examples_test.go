// Package examples holds checked-in laminarc output for example pipelines.
// The test regenerates each example's job source and diffs it, builds the
// job, runs it on the example's input and compares the output.
package examples

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/codegen"
	"github.com/laminar-sql/laminar/compiler"
)

var update = flag.Bool("update", false, "rewrite the generated job sources and expected outputs")

func examples(t *testing.T) []string {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(e.Name(), "query.sql")); e.IsDir() && err == nil {
			out = append(out, e.Name())
		}
	}
	if len(out) < 4 {
		t.Fatalf("expected at least 4 examples, found %v", out)
	}
	return out
}

// TestGeneratedFresh fails when a checked-in job differs from what laminarc
// generates now (run `make generate` or go test -update).
func TestGeneratedFresh(t *testing.T) {
	for _, ex := range examples(t) {
		t.Run(ex, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(ex, "query.sql"))
			if err != nil {
				t.Fatal(err)
			}
			res, diags := compiler.Compile("query.sql", "query", string(src))
			if res == nil {
				t.Fatalf("compile: %v", diags)
			}
			files, err := codegen.JobFiles(res.Physical, string(src), "query.sql", "")
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range files {
				p := filepath.Join(ex, "job", name)
				have, _ := os.ReadFile(p)
				if bytes.Equal(have, want) {
					continue
				}
				if *update {
					if err := os.WriteFile(p, want, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				t.Errorf("%s is stale: run make generate", p)
			}
		})
	}
}

// TestRunExamples builds each example's job and runs it on its input.
func TestRunExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds job binaries")
	}
	bins := t.TempDir()
	for _, ex := range examples(t) {
		t.Run(ex, func(t *testing.T) {
			bin := filepath.Join(bins, ex)
			build := exec.Command("go", "build", "-o", bin, "./"+ex+"/job")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			// the golden file is one worker's order; several workers give the
			// same rows, in the order of docs/architecture.md ("Workers")
			got := runJob(t, ex, bin, "--workers", "1")
			expected := filepath.Join(ex, "expected.jsonl")
			if *update {
				if err := os.WriteFile(expected, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(expected)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s:\n got: %s\nwant: %s", expected, got, want)
			}
			// An updating result nets to the same table whatever the batch size.
			small := runJob(t, ex, bin, "--batch-size", "3", "--workers", "1")
			if a, b := netRows(t, small), netRows(t, want); a != b {
				t.Errorf("with --batch-size 3 the output nets to\n%s\nwant\n%s", a, b)
			}
			// and whatever the number of workers: the same rows, or for an
			// updating result rows that net to the same table
			for _, workers := range []string{"2", "3"} {
				for _, batch := range []string{"1024", "3"} {
					got := runJob(t, ex, bin, "--batch-size", batch, "--workers", workers)
					if a, b := netRows(t, got), netRows(t, want); a != b {
						t.Errorf("with --workers %s --batch-size %s the output nets to\n%s\nwant\n%s", workers, batch, a, b)
					}
				}
			}
		})
	}
}

// runJob runs bin over a copy of the example's inputs and returns its output.
func runJob(t *testing.T, ex, bin string, args ...string) []byte {
	dir := t.TempDir()
	entries, _ := os.ReadDir(ex)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "input") {
			data, err := os.ReadFile(filepath.Join(ex, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	args = append([]string{"--base-dir", dir, "--quiet", "--dead-letter", filepath.Join(dir, "dead.jsonl"), "--late", filepath.Join(dir, "late.jsonl")}, args...)
	cmd := exec.Command(bin, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("job: %v\n%s", err, out)
	}
	out, err := os.ReadFile(filepath.Join(dir, "output.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// netRows sums the weights of each distinct row ("_op" removed) and renders
// the rows of non-zero weight, sorted.
func netRows(t *testing.T, out []byte) string {
	weights := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		w := 1
		switch {
		case strings.HasSuffix(line, `,"_op":"-"}`):
			w, line = -1, strings.TrimSuffix(line, `,"_op":"-"}`)+"}"
		case strings.HasSuffix(line, `,"_op":"+"}`):
			line = strings.TrimSuffix(line, `,"_op":"+"}`) + "}"
		}
		weights[line] += w
	}
	var rows []string
	for r, w := range weights {
		if w < 0 {
			t.Errorf("row retracted more often than inserted: %s", r)
		}
		for ; w > 0; w-- {
			rows = append(rows, r)
		}
	}
	sort.Strings(rows)
	return strings.Join(rows, "\n")
}
