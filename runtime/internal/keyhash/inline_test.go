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

// TestMixInlinesIntoJobs builds testdata/job, which stands for a generated
// job (it instantiates window.Groups and a keyed join.Side and does not
// import keyhash), with the compiler's inlining report, and requires every
// call of Mix in those tables' code to be inlined there. It fails when the
// inlineMix functions that carry Mix's body into window's and join's export
// data are removed (golang/go#56280's shape: q5_counts then took 1.6% more
// instructions, each hash a call).
func TestMixInlinesIntoJobs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command: %v", err)
	}
	cmd := exec.Command(goCmd, "build", "-gcflags=-m", "./testdata/job")
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	report := string(out)
	for _, file := range []string{"runtime/window/groups.go", "runtime/join/index.go"} {
		lines := mixCalls(t, filepath.Join("..", "..", "..", file))
		if len(lines) == 0 {
			t.Fatalf("%s: no call of keyhash.Mix found: the test looks in the wrong place", file)
		}
		for _, n := range lines {
			if !hasInline(report, fmt.Sprintf("%s:%d:", file, n)) {
				t.Errorf("%s:%d: keyhash.Mix is not inlined into a job's instantiation", file, n)
			}
		}
	}
	if t.Failed() {
		t.Logf("inlining report:\n%s", report)
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

// hasInline reports whether report says a call of Mix inlines at a position
// that begins with at ("file:line:").
func hasInline(report, at string) bool {
	for _, l := range strings.Split(report, "\n") {
		if strings.HasPrefix(l, at) && strings.HasSuffix(l, "inlining call to keyhash.Mix") {
			return true
		}
	}
	return false
}
