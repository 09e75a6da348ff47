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
	"runtime/trace"
	"strings"
	"syscall"
)

// Exit codes of a job binary (docs/operations.md).
const (
	ExitOK    = 0
	ExitUsage = 1 // bad flags, environment variables or config file
	// ExitSQL is the code of pipeline (SQL) errors in laminarc; a job has
	// none, and shares the code with usage errors.
	ExitSQL     = ExitUsage
	ExitRuntime = 2 // a runtime failure
	// ExitInterrupted: SIGINT or SIGTERM stopped the job before its input
	// ended. What was read is processed and written out and, with
	// --state-dir, the final checkpoint is written: the same command
	// resumes from it.
	ExitInterrupted = 3
)

// Main is the whole job binary: it reads its settings, runs the pipeline
// until its input ends or SIGINT/SIGTERM arrives, and exits with one of the
// Exit codes. admin, when given (runtime/admin.Serve), serves --http.
func Main(spec Spec, factory Factory, admin ...AdminServer) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal kills the job the default way
	}()
	var a AdminServer
	if len(admin) > 0 {
		a = admin[0]
	}
	os.Exit(runMain(ctx, spec, factory, a, os.Args[1:], os.Stderr, isTerminal(os.Stderr)))
}

func runMain(ctx context.Context, spec Spec, factory Factory, admin AdminServer, args []string, stderr io.Writer, stderrIsTerminal bool) int {
	opts, err := parseFlags(spec, args, stderr, stderrIsTerminal)
	cpuProfile := opts.cpuProfile
	if errors.Is(err, flag.ErrHelp) || errors.Is(err, errVersion) {
		return ExitOK
	}
	if err != nil {
		return ExitUsage // parseFlags has said what is wrong
	}
	opts.Stderr = stderr
	opts.Admin = admin
	opts.defaultLog = true
	if err := checkAdmin(opts); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", spec.Name, err)
		return ExitUsage
	}
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
	if opts.traceFile != "" {
		f, err := os.Create(opts.traceFile)
		if err != nil {
			fmt.Fprintf(stderr, "laminar: error: %v\n", err)
			return ExitRuntime
		}
		defer f.Close()
		if err := trace.Start(f); err != nil {
			fmt.Fprintf(stderr, "laminar: error: %v\n", err)
			return ExitRuntime
		}
		defer trace.Stop()
	}
	summary, err := Run(ctx, spec, factory, opts)
	if opts.memProfile != "" {
		if err := writeHeapProfile(opts.memProfile); err != nil {
			fmt.Fprintf(stderr, "laminar: error: %v\n", err)
			return ExitRuntime
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "laminar: error: %v\n", err)
		return ExitRuntime
	}
	if summary.Interrupted {
		return ExitInterrupted
	}
	return ExitOK
}

// writeHeapProfile writes the heap profile of the run to path: the
// allocations of the whole run (alloc_space, alloc_objects) and what was
// live at the last GC (inuse_space).
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
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
	fmt.Fprintf(w, "\n\nFlags (each also LAMINAR_<NAME> in the environment, as LAMINAR_STATE_DIR, or a key of the --config file;\na flag beats the environment, which beats the file):\n")
	fs.PrintDefaults()
	fmt.Fprintf(w, "\nExit codes: 0 done, 1 bad flags or settings, 2 runtime failure, 3 interrupted (SIGINT/SIGTERM; resumable with --state-dir).\n")
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
