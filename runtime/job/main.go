package job

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// Exit codes of a job binary.
const (
	ExitOK      = 0
	ExitSQL     = 1 // reserved for pipeline (SQL) errors; the runtime does not use it
	ExitRuntime = 2 // a runtime failure, or bad flags
)

// Main is the whole job binary: it parses the flags, runs the pipeline until
// its input ends or SIGINT/SIGTERM arrives, and exits: 0 on success (a signal
// included: what was read is processed and written out), 2 on a runtime
// failure with the message on stderr.
func Main(spec Spec, factory Factory) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal kills the job the default way
	}()
	os.Exit(runMain(ctx, spec, factory, os.Args[1:], os.Stderr, isTerminal(os.Stderr)))
}

func runMain(ctx context.Context, spec Spec, factory Factory, args []string, stderr io.Writer, stderrIsTerminal bool) int {
	opts, err := parseFlags(spec, args, stderr, stderrIsTerminal)
	cpuProfile := opts.cpuProfile
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if err != nil {
		return ExitRuntime // parseFlags has said what is wrong
	}
	opts.Stderr = stderr
	if cpuProfile != "" {
		// laminarc build --pgo FILE rebuilds the job with this profile
		f, err := os.Create(cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "laminar: error: %v\n", err)
			return ExitRuntime
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "laminar: error: %v\n", err)
			return ExitRuntime
		}
		defer pprof.StopCPUProfile()
	}
	if _, err := Run(ctx, spec, factory, opts); err != nil {
		fmt.Fprintf(stderr, "laminar: error: %v\n", err)
		return ExitRuntime
	}
	return ExitOK
}

// parseFlags turns the command line into Options. On a bad flag it writes
// the error and the usage to stderr; for --help it writes the usage and
// returns flag.ErrHelp.
func parseFlags(spec Spec, args []string, stderr io.Writer, stderrIsTerminal bool) (Options, error) {
	var opts Options
	fs := flag.NewFlagSet(spec.Name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opts.BaseDir, "base-dir", ".", "resolve relative paths of WITH options against `DIR`")
	fs.StringVar(&opts.DeadLetterPath, "dead-letter", spec.Name+".dead.jsonl", "`FILE` for malformed records as JSON lines (\"-\" = stderr)")
	fs.StringVar(&opts.LatePath, "late", spec.Name+".late.jsonl", "`FILE` for late records as JSON lines (\"-\" = stderr)")
	fs.IntVar(&opts.BatchSize, "batch-size", DefaultBatchSize, "most input lines per batch")
	fs.IntVar(&opts.MaxRecordBytes, "max-record-bytes", connector.MaxLineBytes, "longest input record in `BYTES`; a longer one goes to the dead-letter file, truncated, and the job goes on")
	fs.IntVar(&opts.Decoders, "decoders", 0, "goroutines decoding each file or stdin source (0 = GOMAXPROCS; 1 = decode on the pipeline's goroutine)")
	progress := fs.String("progress", "auto", "progress line on stderr: auto (when stderr is a terminal), always or never")
	fs.BoolVar(&opts.Quiet, "quiet", false, "no summary line at the end")
	fs.StringVar(&opts.SummaryJSON, "summary-json", "", "write the final counters as JSON to `FILE`")
	fs.StringVar(&opts.StateDir, "state-dir", "", "keep checkpoints, the stdin write-ahead log and uncommitted output in `DIR`, and resume from the newest checkpoint there (none: no checkpoints)")
	fs.DurationVar(&opts.CheckpointInterval, "checkpoint-interval", DefaultCheckpointInterval, "time between checkpoints with --state-dir")
	fs.StringVar(&opts.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to `FILE` (for laminarc build --pgo)")
	fs.BoolVar(&opts.AllowStateReset, "allow-state-reset", false, "start state that the checkpoint lacks (a new or changed view) empty, and drop state the pipeline no longer has, instead of refusing to start")
	memLimit := fs.String("memory-limit", "", "keep the job under `SIZE` (e.g. 2GiB, 512MB): Go's soft memory limit, and a clean stop with an error and a final checkpoint when live data passes 3/4 of it")
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
	if fs.NArg() > 0 {
		return fail("unexpected argument %q", fs.Arg(0))
	}
	if opts.CheckpointInterval <= 0 {
		return fail("invalid value %v for flag -checkpoint-interval: want a positive duration", opts.CheckpointInterval)
	}
	if opts.MaxRecordBytes < 1 {
		return fail("invalid value %d for flag -max-record-bytes: want at least 1", opts.MaxRecordBytes)
	}
	if opts.BatchSize < 1 {
		return fail("invalid value %d for flag -batch-size: want at least 1", opts.BatchSize)
	}
	if *memLimit != "" {
		n, err := parseBytes(*memLimit)
		if err != nil || n < 1<<20 {
			return fail("invalid value %q for flag -memory-limit: want a size of at least 1MiB, e.g. 2GiB or 512MB", *memLimit)
		}
		opts.MemoryLimit = n
	}
	switch *progress {
	case "auto":
		opts.Progress = stderrIsTerminal
	case "always":
		opts.Progress = true
	case "never":
		opts.Progress = false
	default:
		return fail("invalid value %q for flag -progress: want auto, always or never", *progress)
	}
	return opts, nil
}

func usage(fs *flag.FlagSet, spec Spec) {
	w := fs.Output()
	fmt.Fprintf(w, "Usage: %s [flags]\n\n", spec.Name)
	fmt.Fprintf(w, "Runs the Laminar pipeline %s, compiled from:\n\n", spec.Name)
	for line := range strings.Lines(strings.TrimRight(spec.SQL, "\n")) {
		if line != "\n" {
			line = "    " + line
		}
		fmt.Fprint(w, line)
	}
	fmt.Fprintf(w, "\n\nFlags:\n")
	fs.PrintDefaults()
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
