// Command laminarc compiles streaming SQL pipelines into native Go jobs.
//
//	laminarc run pipeline.sql        compile, build (cached) and run the job
//	laminarc compile pipeline.sql -o DIR   write the job's Go source
//	laminarc build pipeline.sql -o BIN     build the job binary
//	laminarc check pipeline.sql      report errors, with positions
//	laminarc explain pipeline.sql    print the logical and physical plans
//	laminarc version
//
// Exit codes: 0 success, 1 a pipeline error (bad SQL), 2 a runtime or
// toolchain failure.
package main

import (
	"fmt"
	"os"
)

const usage = `laminarc compiles streaming SQL pipelines into native Go jobs.

Usage:
  laminarc run [flags] pipeline.sql [-- job flags]   compile, build (cached) and run
  laminarc compile [flags] pipeline.sql -o DIR       write the job's Go source
  laminarc build [flags] pipeline.sql -o BIN         build the job binary
  laminarc check pipeline.sql                        report errors and warnings
  laminarc explain pipeline.sql                      print logical and physical plans
  laminarc version                                   print the version

Run 'laminarc <command> --help' for a command's flags.
`

// Exit codes.
const (
	exitOK       = 0
	exitPipeline = 1 // the SQL has errors
	exitRuntime  = 2 // the toolchain or the job failed
)

func main() {
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
	case "version", "--version":
		fmt.Println("laminarc", version())
		return exitOK
	case "help", "-h", "--help":
		fmt.Print(usage)
		return exitOK
	}
	fmt.Fprintf(os.Stderr, "laminarc: unknown command %q\n\n%s", cmd, usage)
	return exitPipeline
}
