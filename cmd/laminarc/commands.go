package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"strings"

	"github.com/laminar-sql/laminar/codegen"
	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/physical"
	"github.com/laminar-sql/laminar/compiler/udf"
	"github.com/laminar-sql/laminar/internal/suggest"
	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/job"
	"github.com/laminar-sql/laminar/templates"
)

// loaded is a pipeline file read and compiled.
type loaded struct {
	stateBackend string // --state-backend: memory or badger
	admin        bool   // --admin: link the HTTP admin server
	path         string // as the user wrote it
	dir          string // absolute directory of the file (relative WITH paths resolve here)
	name         string // base name without .sql
	src          string
	result       *compiler.Result
	udfMods      []udf.Module // modules of the Go functions it calls
}

// load reads and compiles a pipeline, printing diagnostics to stderr. ok is
// false when the pipeline has errors.
func load(path string) (*loaded, bool) { return loadWith(path, compiler.Options{}) }

// packageName is a Go package name for a directory: its base name, letters
// and digits only.
func packageName(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	var b strings.Builder
	for _, r := range strings.ToLower(filepath.Base(abs)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' && b.Len() > 0 {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 || token.IsKeyword(b.String()) {
		return "pipeline"
	}
	return b.String()
}

func loadWith(path string, opts compiler.Options) (*loaded, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "laminarc: %v\n", err)
		return nil, false
	}
	abs, _ := filepath.Abs(path)
	l := &loaded{path: path, dir: filepath.Dir(abs), src: string(data)}
	l.name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if opts.CheckSource == nil {
		opts.CheckSource = sourceChecker(l.dir)
	}
	res, diags := compiler.CompileWith(path, l.name, l.src, opts)
	if len(diags) > 0 {
		fmt.Fprint(os.Stderr, diag.Format(path, l.src, diags))
	}
	if res == nil {
		n := 0
		for _, d := range diags {
			if d.Severity == diag.Error {
				n++
			}
		}
		fmt.Fprintf(os.Stderr, "laminarc: %s: %s\n", path, pluralize(n, "error"))
		return nil, false
	}
	l.result = res
	// Go functions (CREATE FUNCTION … LANGUAGE GO): checked against their
	// Go signatures, from the pipeline's directory (or LAMINAR_GO_MODULE)
	moduleDir := l.dir
	if d := os.Getenv("LAMINAR_GO_MODULE"); d != "" {
		moduleDir = d
	}
	mods, udiags := udf.Resolve(res.Physical.Pipeline, moduleDir)
	if len(udiags) > 0 {
		fmt.Fprint(os.Stderr, diag.Format(path, l.src, udiags))
		fmt.Fprintf(os.Stderr, "laminarc: %s: %s\n", path, pluralize(len(udiags), "error"))
		return nil, false
	}
	l.udfMods = mods
	return l, true
}

// newFlags makes a command's flag set with a usage line.
func newFlags(name, args, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: laminarc %s %s\n\n%s\n\nFlags:\n", name, args, about)
		fs.PrintDefaults()
	}
	return fs
}

// helpShown records that a command printed its --help: laminarc then exits 0.
var helpShown bool

// parseArgs parses flags that may come before or after the one positional
// argument (the pipeline file). Arguments after "--" are returned as passthrough.
func parseArgs(fs *flag.FlagSet, args []string) (file string, pass []string, ok bool) {
	for i, a := range args {
		if a == "--" {
			args, pass = args[:i], args[i+1:]
			break
		}
	}
	if jobFlagMisplaced(fs, args) {
		return "", nil, false
	}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			helpShown = errors.Is(err, flag.ErrHelp)
			return "", nil, false
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(positional) != 1 {
		fmt.Fprintf(fs.Output(), "laminarc %s: expected one pipeline file, got %d\n", fs.Name(), len(positional))
		fs.Usage()
		return "", nil, false
	}
	return positional[0], pass, true
}

func cmdCheck(args []string) int {
	fs := newFlags("check", "pipeline.sql", "Parse and check a pipeline; print errors and warnings with positions.")
	file, _, ok := parseArgs(fs, args)
	if !ok {
		return exitPipeline
	}
	l, ok := load(file)
	if !ok {
		return exitPipeline
	}
	if err := checkFiles(l); err != nil {
		fmt.Fprintf(os.Stderr, "%s: error %v\n", l.path, err)
		return exitPipeline
	}
	fmt.Fprintf(os.Stderr, "%s: ok (%s, %s, %s)\n", l.path, pluralize(len(l.result.Logical.Sources), "source"),
		pluralize(len(l.result.Logical.Views), "view"), pluralize(len(l.result.Logical.Sinks), "sink"))
	return exitOK
}

func cmdExplain(args []string) int {
	fs := newFlags("explain", "pipeline.sql | --analyze HOST:PORT|FILE", "Print the optimized logical plan of every view and the physical plan:\nfused loops per source, stream properties (append-only / updating) and state.\nWith --analyze, print what a running job counted (its --http address) or a\nfinished one (its --summary-json file): rows, bytes, state sizes, checkpoints,\nand per operator its rows out, state and (--profile) share of the CPU time.")
	target := fs.String("analyze", "", "a running job's admin `HOST:PORT` (token from LAMINAR_HTTP_TOKEN) or a --summary-json FILE")
	profileFor := fs.Duration("profile", 0, "with --analyze of a running job: profile its CPU for this long (say 5s) and\nshow each operator's share")
	if len(args) > 0 && (strings.HasPrefix(args[0], "--analyze") || strings.HasPrefix(args[0], "-analyze")) {
		if err := fs.Parse(args); err != nil {
			helpShown = errors.Is(err, flag.ErrHelp)
			return exitPipeline
		}
		if *target == "" || fs.NArg() > 0 {
			fs.Usage()
			return exitPipeline
		}
		if err := analyze(*target, *profileFor, os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "laminarc: %v\n", err)
			return exitRuntime
		}
		return exitOK
	}
	file, _, ok := parseArgs(fs, args)
	if !ok {
		return exitPipeline
	}
	l, ok := load(file)
	if !ok {
		return exitPipeline
	}
	fmt.Print(compiler.Explain(l.result))
	return exitOK
}

func cmdCompile(args []string) int {
	fs := newFlags("compile", "pipeline.sql -o DIR", "Write the job's Go source (a main package) to DIR.")
	out := fs.String("o", "", "output directory (default: ./<name>_job)")
	gomod := fs.Bool("gomod", true, "also write go.mod and go.sum, making DIR a module of its own;\nfalse when DIR is inside a module that already requires the runtime")
	check := fs.Bool("check", false, "write nothing; exit 1 when the files in DIR are not what compile would write")
	backend := stateBackendFlag(fs)
	admin := adminFlag(fs)
	local := fs.Bool("local-runtime", false, "make go.mod replace the runtime module by the local checkout laminarc was built\nfrom (or LAMINAR_ROOT); the job then builds on this machine only")
	runtimeVersion := fs.String("runtime-version", "", "make go.mod require this version of the runtime module (default: laminarc's\nown; a development laminarc has none and points at its checkout)")
	lib := fs.Bool("lib", false, "write an embeddable package (pipeline.go, api.go) named after DIR: push typed\nrows in, receive typed rows out; see docs/embedding.md")
	exposeAll := fs.Bool("expose-sources", false, "with --lib: make every source an input, not only those with connector = 'push'")
	file, _, ok := parseArgs(fs, args)
	if !ok {
		return exitPipeline
	}
	l, ok := loadWith(file, compiler.Options{Lib: *lib})
	if !ok || !setBackend(l, *backend) {
		return exitPipeline
	}
	l.admin = *admin
	var ref runtimeRef
	switch {
	case *local && *runtimeVersion != "":
		fmt.Fprintln(os.Stderr, "laminarc: --local-runtime and --runtime-version exclude each other")
		return exitPipeline
	case *local:
		ref = "local"
	case *runtimeVersion != "":
		ref = runtimeRef(*runtimeVersion)
	}
	dir := *out
	if dir == "" {
		dir = l.name + "_job"
	}
	var files map[string][]byte
	var err error
	if *lib {
		files, err = codegen.LibFiles(l.result.Physical, l.src, filepath.Base(l.path), packageName(dir), *exposeAll)
	} else {
		files, err = jobFiles(l, dir, *gomod, ref)
		if err == nil && *gomod && ref == "" && !*check && bytes.Contains(files["go.mod"], []byte("\nreplace ")) {
			fmt.Fprintf(os.Stderr, "laminarc: note: %s/go.mod points at this machine's runtime checkout (laminarc is a development build): use --runtime-version to require a released runtime\n", dir)
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "laminarc: %v\n", err)
		return exitRuntime
	}
	if *check {
		stale := staleFiles(dir, files)
		for _, f := range stale {
			fmt.Fprintf(os.Stderr, "laminarc: %s is stale: run laminarc compile\n", filepath.Join(dir, f))
		}
		if len(stale) > 0 {
			return exitPipeline
		}
		return exitOK
	}
	if err := writeFiles(dir, files); err != nil {
		fmt.Fprintf(os.Stderr, "laminarc: %v\n", err)
		return exitRuntime
	}
	return exitOK
}

// jobFiles generates a job's files; with gomod, also go.mod and go.sum,
// and the Dockerfile and systemd unit that build and run the module.
func jobFiles(l *loaded, dir string, gomod bool, ref runtimeRef) (map[string][]byte, error) {
	o := codegen.JobOptions{StateBackend: l.stateBackend, Admin: l.admin}
	if gomod {
		// the job is a module of its own: a large pipeline splits into packages under it
		o.Module = "laminar.job/" + moduleName(l.name)
		o.SplitMinOps, o.SplitGroupSize = splitOverride()
	}
	files, err := codegen.JobFilesWith(l.result.Physical, l.src, filepath.Base(l.path), o)
	if err != nil {
		return nil, err
	}
	if gomod {
		mod, sum, err := moduleFiles(l.name, ref, l.udfMods)
		if err != nil {
			return nil, err
		}
		files["go.mod"], files["go.sum"] = mod, sum
		name := moduleName(l.name)
		docker, unit, err := templates.DeployFiles(templates.Deploy{Name: name})
		if err != nil {
			return nil, err
		}
		files["Dockerfile"], files[name+".service"] = docker, unit
	}
	return files, nil
}

func staleFiles(dir string, files map[string][]byte) []string {
	var stale []string
	for _, name := range sortedNames(files) {
		have, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(have, files[name]) {
			stale = append(stale, name)
		}
	}
	return stale
}

// writeFiles writes only the files whose content changed, keeping mtimes
// and the build cache warm.
func writeFiles(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	removeStalePackages(dir, files)
	for _, name := range sortedNames(files) {
		p := filepath.Join(dir, name)
		if have, err := os.ReadFile(p); err == nil && bytes.Equal(have, files[name]) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := writeAtomically(p, files[name]); err != nil {
			return err
		}
	}
	return nil
}

// writeAtomically replaces file p with data through a rename, so a go build
// reading the file at the same time (another laminarc building the same
// pipeline) sees the old or the new file whole, never a part.
func writeAtomically(p string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// stateBackendFlag adds --state-backend to a command.
func stateBackendFlag(fs *flag.FlagSet) *string {
	return fs.String("state-backend", "memory", "where keyed state of GROUP BYs without a window lives: memory, or badger\n(on disk, larger than memory, incremental checkpoints)")
}

// setBackend checks --state-backend and records it on l.
func setBackend(l *loaded, backend string) bool {
	if backend != "memory" && backend != "badger" {
		fmt.Fprintf(os.Stderr, "laminarc: --state-backend must be memory or badger, not %q\n", backend)
		return false
	}
	l.stateBackend = backend
	physical.PlaceState(l.result.Physical, backend)
	return true
}

// checkFiles is the part of the path check that needs the filesystem: a
// file sink that is a symlink or hard link to another sink's file or a
// source's (the compiler already compared the cleaned paths).
func checkFiles(l *loaded) error {
	resolve := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(l.dir, p)
	}
	var uses []connector.PathUse
	for _, s := range l.result.Logical.Sources {
		if s.Connector == "file" {
			uses = append(uses, connector.PathUse{What: "source " + s.Name, Path: resolve(s.Options["path"])})
		}
	}
	for _, s := range l.result.Logical.Sinks {
		if s.Connector == "file" {
			uses = append(uses, connector.PathUse{What: "sink " + s.Name, Path: resolve(s.Options["path"]), Output: true})
		}
	}
	return connector.CheckPaths(uses)
}

// jobFlagMisplaced reports (and explains) a job binary's flag given to
// laminarc itself, as in `laminarc run x.sql --quiet`.
func jobFlagMisplaced(fs *flag.FlagSet, args []string) bool {
	jobFlags := map[string]bool{}
	for _, n := range job.FlagNames() {
		jobFlags[n] = true
	}
	for _, a := range args {
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if fs.Lookup(name) != nil || name == "h" || name == "help" {
			continue
		}
		if !jobFlags[name] {
			var names []string
			fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
			if c := suggest.Closest(name, names); c != "" {
				fmt.Fprintf(fs.Output(), "laminarc %s: no flag %s (did you mean -%s?)\n", fs.Name(), a, c)
				return true
			}
			continue // the flag package reports it, with the usage
		}
		if fs.Name() == "run" {
			fmt.Fprintf(fs.Output(), "laminarc run: %s is a flag of the job, not of laminarc: put job flags after --, as in\n  laminarc run pipeline.sql -- %s\n", a, a)
		} else {
			fmt.Fprintf(fs.Output(), "laminarc %s: %s is a flag of the job binary, not of laminarc: give it when you run the job\n", fs.Name(), a)
		}
		return true
	}
	return false
}
