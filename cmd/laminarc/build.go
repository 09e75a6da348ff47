package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/laminar-sql/laminar/compiler/udf"
	"github.com/laminar-sql/laminar/templates"
)

// targetOS and targetArch are what the job is built for: GOOS and GOARCH
// pass through to go build, for cross-builds.
func targetOS() string   { return envOr("GOOS", runtime.GOOS) }
func targetArch() string { return envOr("GOARCH", runtime.GOARCH) }

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// hashRuntimeSource hashes the Go files and module files of a runtime
// checkout: the runtime/ and templates/ trees and go.mod, go.sum. Content,
// not modification times, so a checkout that is touched but not changed
// keeps its cached jobs.
func hashRuntimeSource(h io.Writer, root string) {
	for _, f := range []string{"go.mod", "go.sum"} {
		if data, err := os.ReadFile(filepath.Join(root, f)); err == nil {
			fmt.Fprintln(h, f, len(data))
			h.Write(data)
		}
	}
	filepath.WalkDir(filepath.Join(root, "runtime"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		if data, err := os.ReadFile(p); err == nil {
			rel, _ := filepath.Rel(root, p)
			fmt.Fprintln(h, rel, len(data))
			h.Write(data)
		}
		return nil
	})
}

// passesFlag reports whether job flags args set flag name (-name, --name,
// --name=value).
func passesFlag(args []string, name string) bool {
	for _, a := range args {
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// adminFlag adds --admin to a command.
func adminFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("admin", false, "link the HTTP admin server, for the job's --http flag (health, Prometheus metrics,\nstatus, checkpoints); it adds about 11 MB to the binary")
}

const runtimeModule = "github.com/laminar-sql/laminar"

// version is laminarc's module version, or "devel" when built from a checkout.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// pseudoVersion matches the versions the go command stamps on a build from
// a checkout (v0.0.0-20261201215542-2e554cb3dd47, v1.2.4-0.2026...-abc,
// +dirty): not releases, so no module proxy has them.
var pseudoVersion = regexp.MustCompile(`\d{14}-[0-9a-f]{12}|\+`)

// released reports whether v is a version a job's go.mod can require.
func released(v string) bool { return v != "devel" && !pseudoVersion.MatchString(v) }

// checkoutRoot is the checkout `make laminarc` and `make install` built
// from (-ldflags -X main.checkoutRoot=...): found even in a -trimpath build,
// whose source file names are not paths of this machine.
var checkoutRoot string

// commit is set by `make laminarc` (-ldflags -X main.commit=...) for builds
// where the go command records no VCS information.
var commit string

// versionLine is `laminarc version`: the module version, the commit it
// was built from (VCS stamp or make's), and the Go toolchain.
func versionLine() string {
	v := version()
	rev, modified := commit, false
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if rev != "" {
		v += " (commit " + rev[:min(len(rev), 12)]
		if modified {
			v += ", modified"
		}
		v += ")"
	}
	return v + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}

// runtimeSource finds the runtime module laminarc was built from: the
// LAMINAR_ROOT override, the checkout this binary was compiled in, or the
// module cache copy of laminarc's own version. dir is "" when the version
// can be required as is.
func runtimeSource() (ver, dir string, err error) {
	if root := os.Getenv("LAMINAR_ROOT"); root != "" {
		return "v0.0.0", root, checkRoot(root)
	}
	if v := version(); released(v) {
		return v, "", nil
	}
	if checkoutRoot != "" && checkRoot(checkoutRoot) == nil {
		return "v0.0.0", checkoutRoot, nil
	}
	_, file, _, ok := runtime.Caller(0)
	if ok {
		root := filepath.Dir(filepath.Dir(filepath.Dir(file)))
		if checkRoot(root) == nil {
			return "v0.0.0", root, nil
		}
	}
	return "", "", errors.New("cannot find the Laminar runtime source: set LAMINAR_ROOT to a checkout of " + runtimeModule)
}

// localCheckout is the runtime checkout for --local-runtime: LAMINAR_ROOT
// or the one laminarc was built in.
func localCheckout() (string, error) {
	if root := os.Getenv("LAMINAR_ROOT"); root != "" {
		return root, checkRoot(root)
	}
	if checkoutRoot != "" && checkRoot(checkoutRoot) == nil {
		return checkoutRoot, nil
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		root := filepath.Dir(filepath.Dir(filepath.Dir(file)))
		if checkRoot(root) == nil {
			return root, nil
		}
	}
	return "", errors.New("--local-runtime: no local checkout of " + runtimeModule + " found: set LAMINAR_ROOT")
}

func checkRoot(root string) error {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !strings.Contains(string(data), "module "+runtimeModule+"\n") {
		return fmt.Errorf("%s is not a checkout of %s", root, runtimeModule)
	}
	return nil
}

// runtimeRef is how a job's go.mod names the runtime: "" for the way
// runtimeSource finds, "local" for a replace to the local checkout, or a
// module version to require (from the module proxy, no replace).
type runtimeRef string

// moduleFiles renders go.mod and go.sum of a standalone job module.
func moduleFiles(name string, ref runtimeRef, udfs []udf.Module) (mod, sum []byte, err error) {
	ver, dir, err := runtimeSource()
	switch {
	case ref == "local":
		if dir == "" {
			dir, err = localCheckout()
			ver = "v0.0.0"
		}
	case ref != "":
		ver, dir, err = string(ref), "", nil
	}
	if err != nil {
		return nil, nil, err
	}
	gm := templates.GoMod{Module: "laminar.job/" + moduleName(name),
		RuntimeModule: runtimeModule, RuntimeVersion: ver, RuntimeDir: dir}
	for _, m := range udfs {
		if m.Path == runtimeModule {
			continue // functions in the runtime's own module (the Nexmark suite's): required already
		}
		gm.Modules = append(gm.Modules, templates.Module{Path: m.Path, Version: m.Version, Dir: m.Dir})
	}
	mod, err = templates.GoModFile(gm)
	if err != nil {
		return nil, nil, err
	}
	// The job needs the checksums of the runtime's own dependencies.
	sumDir := dir
	if sumDir == "" {
		out, _ := exec.Command("go", "env", "GOMODCACHE").Output()
		sumDir = filepath.Join(strings.TrimSpace(string(out)), runtimeModule+"@"+ver)
	}
	sum, err = os.ReadFile(filepath.Join(sumDir, "go.sum"))
	if err != nil && !os.IsNotExist(err) {
		return nil, nil, err
	}
	// and those of the Go functions' modules
	for _, m := range udfs {
		if m.GoSum == "" {
			continue
		}
		if more, err := os.ReadFile(m.GoSum); err == nil {
			sum = append(sum, more...)
		}
	}
	return mod, sum, nil
}

// moduleName keeps a job name to the characters a module path allows.
func moduleName(name string) string {
	s := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '_'
	}, name)
	if s == "" || s[0] == '.' {
		s = "job" + s
	}
	return s
}

// udfSourceHash hashes the Go files of the local modules of a pipeline's Go
// functions: editing a function rebuilds the job, as editing the runtime
// checkout does.
func udfSourceHash(mods []udf.Module) string {
	h := sha256.New()
	for _, m := range mods {
		if m.Dir == "" {
			fmt.Fprintln(h, m.Path, m.Version)
			continue
		}
		filepath.WalkDir(m.Dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "go.mod") || strings.HasSuffix(p, "go.sum")) {
				return nil
			}
			if data, err := os.ReadFile(p); err == nil {
				rel, _ := filepath.Rel(m.Dir, p)
				fmt.Fprintln(h, m.Path, rel, len(data))
				h.Write(data)
			}
			return nil
		})
	}
	return "udfs:" + hex.EncodeToString(h.Sum(nil))
}

func sortedNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// cacheKey hashes everything a job binary depends on: the generated files
// (go.mod names the runtime's version, or its local checkout), the content
// of a local runtime checkout (it changes without laminarc being rebuilt),
// the toolchain and target, and the build flags. laminarc's own file is not
// part of it: rebuilding laminarc alone does not rebuild every job.
func cacheKey(files map[string][]byte, flags []string) string {
	h := sha256.New()
	fmt.Fprintln(h, "laminar job cache v2", version(), runtime.Version(), targetOS(), targetArch(), os.Getenv("CGO_ENABLED"))
	if _, dir, err := runtimeSource(); err == nil && dir != "" {
		hashRuntimeSource(h, dir)
	}
	for _, name := range sortedNames(files) {
		fmt.Fprintln(h, name, len(files[name]))
		h.Write(files[name])
	}
	fmt.Fprintln(h, strings.Join(flags, "\x00"))
	return hex.EncodeToString(h.Sum(nil))[:24]
}

func cacheDir() (string, error) {
	if d := os.Getenv("LAMINAR_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "laminar", "jobs"), nil
}

// buildJob compiles a loaded pipeline into a binary in the job cache and
// returns its path; an unchanged pipeline reuses the cached binary without
// running the Go toolchain.
//
// A throwaway binary, one only `laminarc run` executes, is linked without
// DWARF (-ldflags=-w), which halves the link of a large job; its panics and
// CPU profiles still name functions and lines (the runtime's own tables,
// which -w keeps), only a debugger lacks its variables. `laminarc build`
// writes the user's binary with DWARF.
func buildJob(l *loaded, goFlags []string, throwaway, verbose bool) (string, error) {
	files, err := jobFiles(l, "", true, "")
	if err != nil {
		return "", err
	}
	root, err := cacheDir()
	if err != nil {
		return "", err
	}
	ldflags := "-X '" + runtimeModule + "/runtime/job.BuiltBy=laminarc " + versionLine() + "'"
	if throwaway {
		ldflags = "-w " + ldflags
	}
	dir := filepath.Join(root, cacheKey(files, append(goFlags, udfSourceHash(l.udfMods), ldflags)))
	bin := filepath.Join(dir, "job")
	if st, err := os.Stat(bin); err == nil && st.Mode().IsRegular() {
		now := time.Now()
		os.Chtimes(dir, now, now) // the cache evicts the least recently used
		if verbose {
			fmt.Fprintf(os.Stderr, "laminarc: using cached build %s\n", bin)
		}
		return bin, nil
	}
	src := filepath.Join(dir, "src")
	if err := writeFiles(src, files); err != nil {
		return "", err
	}
	start := time.Now()
	// a name of its own: two builds of one pipeline at once must not
	// rename each other's binary away (the second rename replaces the
	// first's identical file)
	f, err := os.CreateTemp(dir, "job.tmp*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp) // gone after the rename; left by a failed build
	// -trimpath: no paths of this machine in the binary, the same bytes
	// from the same source anywhere (TestReproducibleBuild)
	args := append([]string{"build", "-trimpath", "-ldflags", ldflags, "-o", tmp}, goFlags...)
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build failed (generated source kept in %s):\n%s", src, out)
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", err
	}
	evictCache(root, dir)
	if verbose {
		fmt.Fprintf(os.Stderr, "laminarc: built %s in %.2fs\n", l.name, time.Since(start).Seconds())
	}
	return bin, nil
}

func cmdBuild(args []string) int {
	fs := newFlags("build", "pipeline.sql -o BIN", "Compile and build the job binary (-trimpath: the same bytes on any machine).\nGOOS and GOARCH in the environment cross-build: GOOS=linux GOARCH=arm64 laminarc build ...")
	out := fs.String("o", "", "output binary (default: ./<name>)")
	pgo := fs.String("pgo", "", "a CPU profile of the job to build with (profile-guided optimization)")
	verbose := fs.Bool("v", false, "report build time and cache use")
	backend := stateBackendFlag(fs)
	admin := adminFlag(fs)
	file, _, ok := parseArgs(fs, args)
	if !ok {
		return exitPipeline
	}
	l, ok := load(file)
	if !ok || !setBackend(l, *backend) {
		return exitPipeline
	}
	l.admin = *admin
	var goFlags []string
	if *pgo != "" {
		abs, err := filepath.Abs(*pgo)
		if err != nil {
			fmt.Fprintf(os.Stderr, "laminarc: %v\n", err)
			return exitRuntime
		}
		goFlags = append(goFlags, "-pgo="+abs)
	}
	bin, err := buildJob(l, goFlags, false, *verbose)
	if err != nil {
		fmt.Fprintf(os.Stderr, "laminarc: %v\n", err)
		return exitRuntime
	}
	dst := *out
	if dst == "" {
		dst = "./" + l.name
	}
	if err := copyFile(bin, dst); err != nil {
		fmt.Fprintf(os.Stderr, "laminarc: %v\n", err)
		return exitRuntime
	}
	return exitOK
}

// copyFile writes the binary from to path to through a rename of a
// temporary file, so that a job running from to keeps its file; to that
// exists and is no regular file (-o /dev/null, a pipe) is written into
// instead: a rename would replace the device itself (as root, /dev/null
// became a regular file).
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	if st, err := os.Stat(to); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		out, err := os.OpenFile(to, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	}
	tmp := to + ".tmp"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, to)
}

func cmdRun(args []string) int {
	fs := newFlags("run", "[flags] pipeline.sql [-- job flags]",
		"Compile, build (cached by content) and run the job. Relative paths in WITH\noptions resolve against the directory of the .sql file. Flags after -- go to\nthe job binary (see them with: laminarc run pipeline.sql -- --help).")
	verbose := fs.Bool("v", false, "report build time and cache use")
	stateDir := fs.String("state-dir", "", "keep checkpoints in DIR and resume from the newest one (passed to the job)")
	interval := fs.String("checkpoint-interval", "", "time between checkpoints, e.g. 1s (passed to the job)")
	allowReset := fs.Bool("allow-state-reset", false, "start operators whose state a checkpoint lacks empty (passed to the job)")
	backend := stateBackendFlag(fs)
	admin := adminFlag(fs)
	file, pass, ok := parseArgs(fs, args)
	if !ok {
		return exitPipeline
	}
	l, ok := load(file)
	if !ok || !setBackend(l, *backend) {
		return exitPipeline
	}
	// a job run with --http needs the admin server linked
	l.admin = *admin || passesFlag(pass, "http")
	var jobFlags []string
	if *stateDir != "" {
		abs, err := filepath.Abs(*stateDir)
		if err != nil {
			fmt.Fprintf(os.Stderr, "laminarc: %v\n", err)
			return exitRuntime
		}
		jobFlags = append(jobFlags, "--state-dir", abs)
	}
	if *interval != "" {
		jobFlags = append(jobFlags, "--checkpoint-interval", *interval)
	}
	if *allowReset {
		jobFlags = append(jobFlags, "--allow-state-reset")
	}
	pass = append(jobFlags, pass...)
	bin, err := buildJob(l, nil, true, *verbose)
	if err != nil {
		fmt.Fprintf(os.Stderr, "laminarc: %v\n", err)
		return exitRuntime
	}
	argv := append([]string{bin, "--base-dir", l.dir}, pass...)
	// exec replaces laminarc with the job: signals reach the job directly and
	// no orphan outlives a killed laminarc.
	if err := syscall.Exec(bin, argv, os.Environ()); err != nil {
		fmt.Fprintf(os.Stderr, "laminarc: exec %s: %v\n", bin, err)
		return exitRuntime
	}
	return exitOK
}
