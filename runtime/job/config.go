package job

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/laminar-sql/laminar/internal/suggest"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// Settings come from, highest first: the command line, environment
// variables (LAMINAR_ and the flag's name upper-cased, '-' as '_':
// LAMINAR_STATE_DIR), the --config TOML file (keys are flag names:
// state-dir = "/var/lib/job"), and the defaults. docs/operations.md lists them.
const envPrefix = "LAMINAR_"

// Secrets never come from flags or the config file, which end up in shell
// history, process lists and repositories: only from the environment or a
// file named by a setting.
const httpTokenEnv = "LAMINAR_HTTP_TOKEN"

// notConfigurable are flags that only make sense on a command line.
var notConfigurable = map[string]bool{"config": true, "help": true, "version": true}

// flagValues are the flags that are not Options fields themselves.
type flagValues struct {
	config, progress, logLevel, httpTokenFile, memoryLimit string
	version                                                bool
}

func newFlagSet(spec Spec, opts *Options, v *flagValues) *flag.FlagSet {
	fs := flag.NewFlagSet(spec.Name, flag.ContinueOnError)
	fs.StringVar(&v.config, "config", "", "read settings from the TOML `FILE` (keys are flag names; flags and LAMINAR_* variables override it)")
	fs.StringVar(&opts.BaseDir, "base-dir", ".", "resolve relative paths of WITH options against `DIR`")
	fs.StringVar(&opts.DeadLetterPath, "dead-letter", spec.Name+".dead.jsonl", "`FILE` for malformed records as JSON lines (\"-\" = stderr)")
	fs.StringVar(&opts.LatePath, "late", spec.Name+".late.jsonl", "`FILE` for late records as JSON lines (\"-\" = stderr)")
	fs.IntVar(&opts.BatchSize, "batch-size", DefaultBatchSize, "most input lines per batch")
	fs.IntVar(&opts.Workers, "workers", 0, "workers of a pipeline whose rows split by key, each with its own state (0 = GOMAXPROCS; laminarc explain says whether it splits)")
	fs.IntVar(&opts.Decoders, "decoders", 0, "goroutines decoding each file or stdin source, or generating each Nexmark source of a job on one engine (0 = GOMAXPROCS; 1 = decode on the pipeline's goroutine, generate on one beside it)")
	fs.IntVar(&opts.MaxRecordBytes, "max-record-bytes", connector.MaxLineBytes, "longest input record in `BYTES`; a longer one goes to the dead-letter file, truncated, and the job goes on")
	fs.StringVar(&v.progress, "progress", "auto", "progress line on stderr: auto (when stderr is a terminal), always or never")
	fs.BoolVar(&opts.Quiet, "quiet", false, "no summary line at the end")
	fs.StringVar(&opts.SummaryJSON, "summary-json", "", "write the final counters as JSON to `FILE`")
	fs.StringVar(&opts.StateDir, "state-dir", "", "keep checkpoints, the stdin write-ahead log and uncommitted output in `DIR`, and resume from the newest checkpoint there (none: no checkpoints)")
	fs.DurationVar(&opts.CheckpointInterval, "checkpoint-interval", DefaultCheckpointInterval, "time from one checkpoint's end to the next one's start with --state-dir")
	fs.StringVar(&opts.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to `FILE` (for laminarc build --pgo)")
	fs.StringVar(&opts.memProfile, "memprofile", "", "write a heap profile to `FILE` at the end of the run (go tool pprof -sample_index=alloc_space: what allocated over the run)")
	fs.StringVar(&opts.traceFile, "trace", "", "write an execution trace of the run to `FILE` (go tool trace: what each worker's goroutine did and when it waited)")
	fs.BoolVar(&opts.AllowStateReset, "allow-state-reset", false, "start state that the checkpoint lacks (a new or changed view) empty, and drop state the pipeline no longer has, instead of refusing to start")
	fs.StringVar(&v.memoryLimit, "memory-limit", "", "keep the job under `SIZE` (e.g. 2GiB, 512MB): Go's soft memory limit, and a clean stop with an error and a final checkpoint when live data passes 3/4 of it")
	fs.StringVar(&opts.LogFormat, "log-format", LogText, "log lines as text (\"laminar: ...\") or json (one object per line)")
	fs.StringVar(&opts.LogFile, "log-file", "", "append log lines to `FILE` instead of stderr; SIGHUP reopens it (for log rotation)")
	fs.StringVar(&v.logLevel, "log-level", "info", "least level logged: debug, info, warn (malformed and late records) or error")
	fs.StringVar(&opts.HTTPAddr, "http", "", "serve /healthz, /readyz, /metrics, /status and POST /checkpoint on `HOST:PORT` (127.0.0.1:9090); another than a loopback address needs a token")
	fs.StringVar(&v.httpTokenFile, "http-token-file", "", "the admin server's bearer token is the content of `FILE` (or set "+httpTokenEnv+")")
	fs.BoolVar(&v.version, "version", false, "print the job's and the runtime's version and exit")
	return fs
}

// FlagNames lists a job binary's flags, for laminarc to tell its own flags
// from a job's.
func FlagNames() []string {
	var names []string
	newFlagSet(Spec{}, &Options{}, &flagValues{}).VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

// errVersion is parseFlags' answer to --version (printed already).
var errVersion = errors.New("version shown")

// parseFlags turns the command line, the environment and the config file
// into Options. On a bad setting it writes the error (and for a bad flag
// the usage) to stderr; for --help it writes the usage and returns
// flag.ErrHelp.
func parseFlags(spec Spec, args []string, stderr io.Writer, stderrIsTerminal bool) (Options, error) {
	var opts Options
	var v flagValues
	fs := newFlagSet(spec, &opts, &v)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(fs, spec) }
	if err := fs.Parse(args); err != nil {
		return Options{}, err
	}
	fail := func(format string, args ...any) (Options, error) {
		err := fmt.Errorf(format, args...)
		fmt.Fprintf(stderr, "%v\n", err)
		fs.Usage()
		return Options{}, err
	}
	// a bad environment variable or config file: the usage would not help
	configFail := func(format string, args ...any) (Options, error) {
		err := fmt.Errorf(format, args...)
		fmt.Fprintf(stderr, "%s: %v\n", spec.Name, err)
		return Options{}, err
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q", fs.Arg(0))
	}
	if v.version {
		fmt.Fprintln(stderr, versionText(spec))
		return Options{}, errVersion
	}
	opts.configSource = map[string]string{}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name], opts.configSource[f.Name] = true, "flag" })
	// the environment next
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || notConfigurable[f.Name] {
			return
		}
		if val, ok := os.LookupEnv(envName(f.Name)); ok {
			if err := fs.Set(f.Name, val); err != nil && opts.configSource["error"] == "" {
				opts.configSource["error"] = fmt.Sprintf("%s=%q: %v", envName(f.Name), val, err)
			}
			set[f.Name], opts.configSource[f.Name] = true, "env "+envName(f.Name)
		}
	})
	if e := opts.configSource["error"]; e != "" {
		return configFail("%s", e)
	}
	if v.config == "" {
		v.config = os.Getenv(envPrefix + "CONFIG")
	}
	if v.config != "" {
		if err := applyConfigFile(fs, v.config, set, opts.configSource); err != nil {
			return configFail("config %s: %v", v.config, err)
		}
	}
	delete(opts.configSource, "error")

	if opts.CheckpointInterval <= 0 {
		return fail("invalid value %v for flag -checkpoint-interval: want a positive duration", opts.CheckpointInterval)
	}
	if opts.MaxRecordBytes < 1 {
		return fail("invalid value %d for flag -max-record-bytes: want at least 1", opts.MaxRecordBytes)
	}
	if opts.BatchSize < 1 {
		return fail("invalid value %d for flag -batch-size: want at least 1", opts.BatchSize)
	}
	if v.memoryLimit != "" {
		n, err := parseBytes(v.memoryLimit)
		if err != nil || n < 1<<20 {
			return fail("invalid value %q for flag -memory-limit: want a size of at least 1MiB, e.g. 2GiB or 512MB", v.memoryLimit)
		}
		opts.MemoryLimit = n
	}
	switch v.progress {
	case "auto":
		opts.Progress = stderrIsTerminal
	case "always":
		opts.Progress = true
	case "never":
		opts.Progress = false
	default:
		return fail("invalid value %q for flag -progress: want auto, always or never", v.progress)
	}
	if opts.LogFormat != LogText && opts.LogFormat != LogJSON {
		return fail("invalid value %q for flag -log-format: want text or json", opts.LogFormat)
	}
	level, err := parseLogLevel(v.logLevel)
	if err != nil {
		return fail("invalid value %q for flag -log-level: want debug, info, warn or error", v.logLevel)
	}
	opts.LogLevel = level
	opts.HTTPToken = os.Getenv(httpTokenEnv)
	if v.httpTokenFile != "" {
		data, err := os.ReadFile(v.httpTokenFile)
		if err != nil {
			return configFail("-http-token-file: %v", err)
		}
		opts.HTTPToken = strings.TrimSpace(string(data))
		if opts.HTTPToken == "" {
			return configFail("-http-token-file %s is empty", v.httpTokenFile)
		}
	}
	return opts, nil
}

// envName is the environment variable of a flag: state-dir is LAMINAR_STATE_DIR.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// applyConfigFile sets the flags that neither the command line nor the
// environment set from a TOML file of flag names (dashes or underscores).
func applyConfigFile(fs *flag.FlagSet, path string, set map[string]bool, source map[string]string) error {
	var table map[string]any
	if _, err := toml.DecodeFile(path, &table); err != nil {
		return err
	}
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		name := strings.ReplaceAll(key, "_", "-")
		f := fs.Lookup(name)
		if f == nil || notConfigurable[name] {
			msg := fmt.Sprintf("unknown setting %q", key)
			if s := suggest.Closest(name, configurableNames(fs)); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			return errors.New(msg)
		}
		if set[name] {
			continue
		}
		val := table[key]
		var text string
		switch val := val.(type) {
		case string:
			text = val
		case bool, int64, float64:
			text = fmt.Sprint(val)
		default:
			return fmt.Errorf("%s: want a string, number or boolean, not %T", key, val)
		}
		if err := fs.Set(name, text); err != nil {
			return fmt.Errorf("%s = %q: %v", key, text, err)
		}
		source[name] = "config " + path
	}
	return nil
}

func configurableNames(fs *flag.FlagSet) []string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) {
		if !notConfigurable[f.Name] {
			names = append(names, f.Name)
		}
	})
	return names
}
