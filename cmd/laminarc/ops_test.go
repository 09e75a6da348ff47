package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const stdinPipeline = "CREATE SOURCE s (a BIGINT) WITH (connector = 'stdin');\nCREATE SINK o FROM s WITH (connector = 'stdout');\n"

// captureStderr runs f with os.Stderr going to a buffer.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	done := make(chan []byte)
	go func() {
		var b bytes.Buffer
		b.ReadFrom(r)
		done <- b.Bytes()
	}()
	f()
	os.Stderr = old
	w.Close()
	return string(<-done)
}

func TestJobFlagGivenToLaminarc(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.sql")
	os.WriteFile(p, []byte(stdinPipeline), 0o644)
	var code int
	out := captureStderr(t, func() { code = run([]string{"run", p, "--quiet"}) })
	if code != exitPipeline || !strings.Contains(out, "--quiet is a flag of the job") || !strings.Contains(out, "laminarc run pipeline.sql -- --quiet") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestFlagTypoSuggestsTheFlag(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.sql")
	os.WriteFile(p, []byte(stdinPipeline), 0o644)
	var code int
	out := captureStderr(t, func() { code = run([]string{"run", "--state-dri", "s", p}) })
	if code != exitPipeline || !strings.Contains(out, "did you mean -state-dir?") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestCompileWritesPortableModule(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "vwap.sql")
	os.WriteFile(p, []byte(stdinPipeline), 0o644)
	out := filepath.Join(dir, "job")
	if code := run([]string{"compile", "--runtime-version", "v1.2.3", p, "-o", out}); code != exitOK {
		t.Fatalf("compile exited %d", code)
	}
	mod, _ := os.ReadFile(filepath.Join(out, "go.mod"))
	if !strings.Contains(string(mod), "require github.com/laminar-sql/laminar v1.2.3") || strings.Contains(string(mod), "replace") {
		t.Errorf("go.mod with --runtime-version:\n%s", mod)
	}
	docker, _ := os.ReadFile(filepath.Join(out, "Dockerfile"))
	for _, want := range []string{"CGO_ENABLED=0", "USER nonroot", "distroless/static"} {
		if !strings.Contains(string(docker), want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	unit, _ := os.ReadFile(filepath.Join(out, "vwap.service"))
	for _, want := range []string{"ExecStart=/usr/local/bin/vwap", "SuccessExitStatus=3", "DynamicUser=yes"} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("vwap.service lacks %q", want)
		}
	}
	if code := run([]string{"compile", "--local-runtime", p, "-o", out}); code != exitOK {
		t.Fatalf("compile --local-runtime exited %d", code)
	}
	mod, _ = os.ReadFile(filepath.Join(out, "go.mod"))
	if !strings.Contains(string(mod), "replace github.com/laminar-sql/laminar => ") {
		t.Errorf("go.mod with --local-runtime:\n%s", mod)
	}
}

// TestCacheEviction: past LAMINAR_CACHE_MAX the least recently used builds
// go; `laminarc cache clean` removes the rest.
func TestCacheEviction(t *testing.T) {
	root := t.TempDir()
	t.Setenv("LAMINAR_CACHE", root)
	t.Setenv("LAMINAR_CACHE_MAX", "2KB")
	for i, name := range []string{"old", "mid", "new"} {
		os.MkdirAll(filepath.Join(root, name), 0o755)
		os.WriteFile(filepath.Join(root, name, "job"), make([]byte, 900), 0o644)
		when := time.Now().Add(time.Duration(i-3) * time.Hour)
		os.Chtimes(filepath.Join(root, name), when, when)
	}
	evictCache(root, filepath.Join(root, "new"))
	left, _ := os.ReadDir(root)
	if len(left) != 2 || left[0].Name() != "mid" || left[1].Name() != "new" {
		t.Errorf("left after eviction: %v", left)
	}
	captureStderr(t, func() {
		if code := run([]string{"cache", "clean"}); code != exitOK {
			t.Errorf("cache clean exited %d", code)
		}
	})
	if left, _ := os.ReadDir(root); len(left) != 0 {
		t.Errorf("left after clean: %v", left)
	}
}

// TestReproducibleBuild: two builds of one pipeline in different cache
// directories (so different source paths) give the same bytes.
func TestReproducibleBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job twice")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "p.sql")
	os.WriteFile(p, []byte(stdinPipeline), 0o644)
	var bins [2][]byte
	for i := range bins {
		t.Setenv("LAMINAR_CACHE", filepath.Join(dir, "cache", string(rune('a'+i)), "nested"))
		bin := filepath.Join(dir, "job")
		if code := run([]string{"build", p, "-o", bin}); code != exitOK {
			t.Fatalf("build %d exited %d", i, code)
		}
		bins[i], _ = os.ReadFile(bin)
	}
	if !bytes.Equal(bins[0], bins[1]) {
		t.Error("two builds of the same pipeline differ")
	}
	out, err := exec.Command(filepath.Join(dir, "job"), "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "runtime github.com/laminar-sql/laminar") || !strings.Contains(string(out), "built by laminarc") {
		t.Errorf("job --version: %v\n%s", err, out)
	}
}

func TestReleasedVersions(t *testing.T) {
	for v, want := range map[string]bool{
		"v1.2.3": true, "v0.4.0-rc.1": true, "devel": false,
		"v0.0.0-20261201215542-2e554cb3dd47": false, "v1.2.4-0.20261201215542-2e554cb3dd47": false,
		"v1.2.3+dirty": false,
	} {
		if released(v) != want {
			t.Errorf("released(%q) = %v", v, !want)
		}
	}
}

func TestVersionNamesTheCommit(t *testing.T) {
	old := commit
	commit = "0123456789abcdef0123"
	defer func() { commit = old }()
	if v := versionLine(); !strings.HasPrefix(v, "devel (commit 0123456789ab)") || !strings.Contains(v, "go1.") {
		t.Errorf("version line %q", v)
	}
}

// TestCopyFileIntoDevice: build -o to a path that is no regular file (a
// named pipe here, /dev/null in use) writes into it and leaves it as it
// was; a rename over it replaced the device with a regular file.
func TestCopyFileIntoDevice(t *testing.T) {
	dir := t.TempDir()
	from := filepath.Join(dir, "bin")
	if err := os.WriteFile(from, []byte("the binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	read := make(chan []byte)
	go func() {
		data, _ := os.ReadFile(fifo)
		read <- data
	}()
	if err := copyFile(from, fifo); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the pipe is now %v (%v)", st.Mode(), err)
	}
	select {
	case got := <-read:
		if string(got) != "the binary" {
			t.Fatalf("read %q from the pipe", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing was written into the pipe")
	}
	if _, err := os.Stat(fifo + ".tmp"); err == nil {
		t.Fatal("a temporary file was left beside it")
	}
}
