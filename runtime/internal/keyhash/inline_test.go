package keyhash

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMixInlinesIntoJobs builds a stand-in for a generated job per table
// (testdata/windowjob instantiates window.Groups, testdata/joinjob a keyed
// join.Side; neither imports keyhash or the other table) with the compiler's
// inlining report, and requires every call of Mix in that table's code to be
// inlined there. It fails when the table's inlineMix, which carries Mix's
// body into its export data, is removed (golang/go#56280's shape: q5_counts
// then took 1.6% more instructions, each hash a call).
func TestMixInlinesIntoJobs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command: %v", err)
	}
	for _, c := range []struct{ job, file string }{
		{"./testdata/windowjob", "runtime/window/groups.go"},
		{"./testdata/joinjob", "runtime/join/index.go"},
	} {
		cmd := exec.Command(goCmd, "build", "-gcflags=-m", c.job)
		cmd.Env = append(os.Environ(), "GOFLAGS=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go build %s: %v\n%s", c.job, err, out)
		}
		path, err := filepath.Abs(filepath.Join("..", "..", "..", c.file))
		if err != nil {
			t.Fatal(err)
		}
		lines := mixCalls(t, path)
		if len(lines) == 0 {
			t.Fatalf("%s: no call of keyhash.Mix found: the test looks in the wrong place", c.file)
		}
		inlined := inlinedAt(t, string(out))
		failed := false
		for _, n := range lines {
			if !inlined[fmt.Sprintf("%s:%d", path, n)] {
				t.Errorf("%s:%d: keyhash.Mix is not inlined into %s", c.file, n, c.job)
				failed = true
			}
		}
		if failed {
			t.Logf("inlining report of %s:\n%s", c.job, out)
		}
	}
}

// mixCalls returns the lines of file that call keyhash.Mix, but for the
// inlineMix functions (never called).
func mixCalls(t *testing.T, file string) []int {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []int
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if l := sc.Text(); strings.Contains(l, "keyhash.Mix(") && !strings.HasPrefix(l, "func inlineMix") {
			lines = append(lines, n)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// inlinedAt returns the positions ("/abs/file.go:line") at which report says
// a call of Mix is inlined. The go command prints a file relative to the
// working directory or absolute, depending on where it lies, so each is made
// absolute before it is compared.
func inlinedAt(t *testing.T, report string) map[string]bool {
	at := map[string]bool{}
	for _, l := range strings.Split(report, "\n") {
		if !strings.HasSuffix(l, "inlining call to keyhash.Mix") {
			continue
		}
		file, rest, ok := strings.Cut(l, ".go:")
		if !ok {
			continue
		}
		line, _, _ := strings.Cut(rest, ":")
		path, err := filepath.Abs(file + ".go")
		if err != nil {
			t.Fatal(err)
		}
		at[path+":"+line] = true
	}
	return at
}
