// Package tour runs the README's tour as a new user would: from a fresh
// clone, every command of its sh blocks as written, with laminarc from
// `make install` on the PATH.
package tour

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// tourSection is the README part whose commands run, up to the next "## ".
const tourSection = "## A five-minute tour"

// commands are the lines of the sh blocks of the tour, in order.
func commands(readme string) (sh []string, sql string, err error) {
	i := strings.Index(readme, tourSection)
	if i < 0 {
		return nil, "", fmt.Errorf("README has no %q", tourSection)
	}
	section := readme[i+len(tourSection):]
	if j := strings.Index(section, "\n## "); j >= 0 {
		section = section[:j]
	}
	block := regexp.MustCompile("(?s)```(sh|sql)\n(.*?)```")
	for _, m := range block.FindAllStringSubmatch(section, -1) {
		if m[1] == "sql" {
			sql = m[2]
			continue
		}
		for _, line := range strings.Split(m[2], "\n") {
			if strings.TrimSpace(line) != "" {
				sh = append(sh, line)
			}
		}
	}
	return sh, sql, nil
}

func TestREADMETour(t *testing.T) {
	if testing.Short() || os.Getenv("LAMINAR_TOUR") == "" {
		// its jobs take both cores for a while: make test runs it on its
		// own, after the other packages, so that it does not slow the
		// crash tests' jobs down (their kills come within 40 ms)
		t.Skip("set LAMINAR_TOUR=1 (make test and make tour do)")
	}
	for _, tool := range []string{"git", "make", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s: %v", tool, err)
		}
	}
	full := os.Getenv("LAMINAR_TOUR_FULL") != ""
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skip("not in a git checkout:", err)
	}
	repo := strings.TrimSpace(string(top))
	readme, err := os.ReadFile(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines, sql, err := commands(string(readme))
	if err != nil {
		t.Fatal(err)
	}
	// the SQL shown is the SQL that runs
	shipped, err := os.ReadFile(filepath.Join(repo, "examples", "tour", "vwap.sql"))
	if err != nil || !strings.Contains(string(shipped), sql) {
		t.Errorf("examples/tour/vwap.sql is not the README's pipeline (%v)", err)
	}

	tmp := t.TempDir()
	bin := filepath.Join(tmp, "gobin")
	var script strings.Builder
	// job control, so that a background job gets SIGINT as from a terminal
	script.WriteString("set -em\n")
	cloned := false
	for _, line := range lines {
		cmd := strings.TrimSpace(line)
		if strings.HasPrefix(cmd, "git clone ") {
			// the same clone, of this checkout's HEAD (commit to test a change)
			_, rest, _ := strings.Cut(cmd, "&&")
			fmt.Fprintf(&script, "echo '$ %s'\ngit clone -q %q laminar && %s\n", cmd, repo, rest)
			cloned = true
			continue
		}
		fmt.Fprintf(&script, "echo %q\n", "$ "+cmd)
		if strings.Contains(cmd, "# Ctrl-C") || strings.Contains(cmd, "# ... resumes") && !full {
			// a person presses Ctrl-C after a moment: exit 3 (interrupted,
			// resumable), or 0 if the job was quicker
			bare := regexp.MustCompile(`\s+#\s.*$`).ReplaceAllString(cmd, "")
			fmt.Fprintf(&script, "%s &\nsleep 3; kill -INT %%1 2>/dev/null || true\nset +e; wait %%1; code=$?; set -e\n"+
				"if [ $code != 0 ] && [ $code != 3 ]; then echo \"exit $code\"; exit 1; fi\n", bare)
			continue
		}
		script.WriteString(cmd + "\n")
	}
	if !cloned {
		t.Fatal("the tour does not start from a clone")
	}
	sh := exec.Command("bash", "-c", script.String())
	sh.Dir = tmp
	sh.Env = append(os.Environ(), "GOBIN="+bin, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"LAMINAR_CACHE="+filepath.Join(tmp, "cache"))
	var out bytes.Buffer
	sh.Stdout, sh.Stderr = &out, &out
	err = sh.Run()
	if err != nil || testing.Verbose() {
		t.Logf("script:\n%s\noutput:\n%s", script.String(), out.String())
	}
	if err != nil {
		t.Fatalf("the tour failed: %v", err)
	}
	for _, want := range []string{`"symbol":"AAPL"`, "laminar: done in", "Usage: vwap", "source trades line 101", "job (summary): done", "vwap (Laminar job)", "interrupted after", "resumed from checkpoint"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the tour's output lacks %q", want)
		}
	}
}
