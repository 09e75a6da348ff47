// Command laminarc compiles streaming SQL pipelines into native Go jobs.
//
//	laminarc run pipeline.sql        compile, build (cached) and run the job
//	laminarc compile pipeline.sql -o DIR   write the job's Go source
//	laminarc build pipeline.sql -o BIN     build the job binary
//	laminarc check pipeline.sql      report errors, with positions
//	laminarc explain pipeline.sql    print the logical and physical plans
//	laminarc explain --analyze ADDR|FILE   the plan with a running job's counters
//	laminarc cache clean             empty the job cache
//	laminarc version
//
// Exit codes: 0 success, 1 a pipeline error (bad SQL) or bad usage, 2 a
// runtime or toolchain failure; `laminarc run` exits with the job's code
// (3: interrupted, resumable).
package main

import (
	"fmt"
	"os"
	"runtime/debug"
)

const usage = `laminarc compiles streaming SQL pipelines into native Go jobs.

Usage:
  laminarc run [flags] pipeline.sql [-- job flags]   compile, build (cached) and run
  laminarc compile [flags] pipeline.sql -o DIR       write the job's Go source
  laminarc build [flags] pipeline.sql -o BIN         build the job binary
  laminarc check pipeline.sql                        report errors and warnings
  laminarc explain pipeline.sql                      print logical and physical plans
  laminarc explain --analyze HOST:PORT|summary.json  a running (or finished) job's plan with its counters
  laminarc cache dir|size|clean                      the job cache (LAMINAR_CACHE, LAMINAR_CACHE_MAX)
  laminarc version                                   print the version and commit

Run 'laminarc <command> --help' for a command's flags.
`

// Exit codes.
const (
	exitOK       = 0
	exitPipeline = 1 // the SQL has errors, or the command line
	exitRuntime  = 2 // the toolchain or the job failed
)

func main() {
	// laminarc runs for a second or two and allocates much of what it
	// keeps (the ASTs of the generated code): collecting four times less
	// often saves a quarter of its CPU time at 200 views (peak RSS +30 MB,
	// below the Go compiler's and linker's it waits for)
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	code := dispatch(args)
	if helpShown {
		helpShown = false
		return exitOK
	}
	return code
}

func dispatch(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return exitPipeline
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return cmdRun(rest)
	case "compile":
		return cmdCompile(rest)
	case "build":
		return cmdBuild(rest)
	case "check":
		return cmdCheck(rest)
	case "explain":
		return cmdExplain(rest)
	case "cache":
		return cmdCache(rest)
	case "version", "--version":
		fmt.Println("laminarc", versionLine())
		return exitOK
	case "help", "-h", "--help":
		fmt.Print(usage)
		return exitOK
	}
	fmt.Fprintf(os.Stderr, "laminarc: unknown command %q\n\n%s", cmd, usage)
	return exitPipeline
}
