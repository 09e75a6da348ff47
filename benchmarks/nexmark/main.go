// Command nexmark is the Nexmark harness: it compiles every supported query of
// benchmarks/nexmark/queries with laminarc, runs each job binary over the
// nexmark generator (GOMAXPROCS=1 and all cores), runs the hand-written
// baseline of the same query in the same invocation, optionally runs eKuiper
// (the Go peer engine) on q0, q1, q2 and a tumbling count, and writes the
// figures into docs/benchmarks.md and a bar chart into docs/nexmark.svg.
//
//	go run ./benchmarks/nexmark -events 10000000
//
// Every rate counts all generated events (people, auctions and bids), and
// CPU time is the user + system time of the child process, generator included.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

type options struct {
	root       string
	events     int64
	queries    string
	out        string
	svg        string
	runs       int
	coldQuery  string
	ekuiper    bool
	duckdb     bool
	fileEvents int64
	keep       bool
	writeBids  string
	workers    string
	wEvents    int64
	wFile      int64 // events whose bids make the workers table's file
	wRuns      int   // alternating pairs per row of the workers table
}

func main() {
	var o options
	flag.Int64Var(&o.events, "events", 10_000_000, "events per query run (all kinds)")
	flag.StringVar(&o.queries, "queries", "", "comma-separated query names (default: every file of benchmarks/nexmark/queries)")
	flag.StringVar(&o.out, "out", "docs/benchmarks.md", "Markdown file whose nexmark section is replaced (\"\" = print only)")
	flag.StringVar(&o.svg, "svg", "docs/nexmark.svg", "bar chart of events per CPU-second (\"\" = none)")
	flag.IntVar(&o.runs, "runs", 1, "runs per measurement; the median (by CPU time) is reported")
	flag.StringVar(&o.coldQuery, "cold", "q0", "query whose build is also timed with an empty Go build cache (\"\" = none)")
	flag.BoolVar(&o.ekuiper, "ekuiper", false, "also build and run eKuiper (benchmarks/nexmark/ekuiper)")
	flag.BoolVar(&o.duckdb, "duckdb", false, "also build and run DuckDB (benchmarks/nexmark/duckdb) on the bids file")
	flag.Int64Var(&o.fileEvents, "file-events", 1_000_000, "events whose bids make the JSON-lines file that the compiled jobs, DuckDB and eKuiper read (0 = no file runs)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory")
	flag.Int64Var(&o.wEvents, "workers-events", 10_000_000, "events per run of the workers' scaling table (longer runs: wall time is what it measures)")
	flag.Int64Var(&o.wFile, "workers-file-events", 5_000_000, "events whose bids make the file of the workers table's \"(file)\" rows (0 = the -file-events file): "+
		"runs long enough that start-up and the end of input do not weigh on the speed-up")
	flag.IntVar(&o.wRuns, "workers-runs", 9, "alternating pairs of runs (--workers 1, then all) per row of the workers table; the median of each is reported: "+
		"a single pair's wall speed-up moves by 0.2x with what else the machine does in its half second, and a median of 5 still by 0.1x")
	flag.StringVar(&o.workers, "workers", "q0,q2,q5_tumble,groupby_many", "queries also run at --workers 1 and --workers <cores> (\"\" = none)")
	flag.StringVar(&o.writeBids, "write-bids", "", "only write the bids of -events events as JSON lines to this file, and exit")
	flag.Parse()
	if o.runs < 1 {
		o.runs = 1
	}
	o.wRuns = max(o.wRuns, 1)
	root, err := findRoot()
	if err != nil {
		fatal(err)
	}
	o.root = root
	goModuleRoot = root
	if o.writeBids != "" {
		size, lines, err := writeEventsJSONL(o.writeBids, nexmark.Config{Events: o.events, Rate: 10_000_000, Seed: 1}, true)
		if err != nil {
			fatal(err)
		}
		logf("wrote %d bids (%d bytes) to %s", lines, size, o.writeBids)
		return
	}
	if err := run(o); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "nexmark:", err)
	os.Exit(1)
}

// findRoot walks up from the working directory to the Laminar checkout.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(data), "module github.com/laminar-sql/laminar\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("run from inside the Laminar checkout (no go.mod of github.com/laminar-sql/laminar above the working directory)")
		}
		dir = parent
	}
}

// queryResult is what the harness measured for one query.
type queryResult struct {
	query
	Err string // why it could not be built or run

	ColdBuild   time.Duration // 0: not measured
	WarmBuild   time.Duration
	BinaryBytes int64

	Single, AllCores usage // the job at GOMAXPROCS=1 and at every core
	RowsOut          int64
	// windowed queries: windows closed, and the time from the watermark
	// closing a window to its rows reaching the sink (GOMAXPROCS=1 run)
	WindowsClosed          int64
	DelayP50us, DelayP99us float64

	Baseline      string // baseline query run beside it, "" if none
	BaselineWhole bool   // the baseline computes the whole suite query, the compiled file a part
	Base          usage
	BaseRows      int64
	BaseErr       string
}

// report is everything one invocation measured.
type report struct {
	Command string
	Date    time.Time
	Machine machine
	Events  int64
	Runs    int
	Results []queryResult
	File    *fileReport // the same-file comparison; nil if not run
	EKuiper *ekuiperReport
	Workers *workersReport
}

func run(o options) error {
	all, err := loadQueries(filepath.Join(o.root, "benchmarks", "nexmark", "queries"))
	if err != nil {
		return err
	}
	qs, err := selectQueries(all, o.queries)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "nexmark-")
	if err != nil {
		return err
	}
	if o.keep {
		logf("work directory: %s", work)
	} else {
		defer os.RemoveAll(work)
	}

	rep := report{Command: commandLine(), Date: time.Now().UTC(), Machine: describeMachine(), Events: o.events, Runs: o.runs}
	logf("building laminarc and the baseline command")
	laminarc := filepath.Join(work, "laminarc")
	baselineBin := filepath.Join(work, "baseline")
	if err := goBuild(o.root, nil, laminarc, "./cmd/laminarc"); err != nil {
		return err
	}
	if err := goBuild(o.root, nil, baselineBin, "./benchmarks/nexmark/baseline/cmd/baseline"); err != nil {
		return err
	}

	primed := false
	for _, q := range qs {
		r := queryResult{query: q}
		if q.Unsupported == "" {
			if !primed {
				// One untimed build fills the Go build cache with the runtime's
				// packages, so that "warm" means warm for the first query too.
				primed = true
				if o.coldQuery != "" {
					logf("priming the Go build cache")
				}
				primeDir := filepath.Join(work, "prime")
				if _, _, err := buildQuery(laminarc, primeDir, q, o.events, nil); err != nil {
					logf("priming build failed: %v", err)
				}
			}
			measureQuery(o, work, laminarc, baselineBin, &r)
		}
		rep.Results = append(rep.Results, r)
	}

	if o.workers != "" {
		rep.Workers = runWorkers(o, work, laminarc, all)
	}
	if o.fileEvents > 0 {
		path := filepath.Join(work, "bids.jsonl")
		logf("writing the bids of %d events to %s", o.fileEvents, path)
		bids, err := writeBidsFile(path, o.fileEvents)
		if err != nil {
			return err
		}
		if rep.Workers != nil {
			if err := runWorkersFile(o, work, laminarc, all, bids, rep.Workers); err != nil {
				return err
			}
		}
		rep.File = runFileQueries(o, work, laminarc, all, bids)
		if o.ekuiper {
			rep.EKuiper = runEKuiper(o, work, bids)
		}
	} else if o.ekuiper {
		rep.EKuiper = &ekuiperReport{Version: ekuiperVersion, Err: "it reads the bids file, and -file-events is 0"}
	}

	md := renderMarkdown(rep)
	fmt.Println(md)
	if o.svg != "" {
		svgPath := inRoot(o.root, o.svg)
		if err := os.WriteFile(svgPath, renderSVG(rep), 0o644); err != nil {
			return err
		}
		logf("wrote %s", svgPath)
	}
	if o.out != "" {
		path := inRoot(o.root, o.out)
		if err := replaceSection(path, md); err != nil {
			return err
		}
		logf("wrote the nexmark section of %s", path)
	}
	return nil
}

// inRoot resolves a relative output path against the checkout's root.
func inRoot(root, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(root, path)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "nexmark: "+format+"\n", args...)
}

// commandLine is how this harness was invoked, for the report.
func commandLine() string {
	if cmd := os.Getenv("NEXMARK_COMMAND"); cmd != "" {
		return strings.TrimSpace(cmd) // set by make nexmark
	}
	return strings.TrimSpace("go run ./benchmarks/nexmark " + strings.Join(os.Args[1:], " "))
}

func goBuild(dir string, env []string, out, pkg string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, msg)
	}
	return nil
}

// buildQuery writes the query with the given event count into dir and builds
// it with laminarc, with a job cache of its own so that the build is real.
// It returns the binary and the build's wall time.
// goModuleRoot is the checkout: laminarc loads the suite's Go functions from it.
var goModuleRoot string

func buildQuery(laminarc, dir string, q query, events int64, env []string) (string, time.Duration, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, err
	}
	sqlPath := filepath.Join(dir, q.Name+".sql")
	if err := os.WriteFile(sqlPath, []byte(withEvents(q.SQL, events)), 0o644); err != nil {
		return "", 0, err
	}
	// the data files a query reads (q13's side_input.csv) sit next to it
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(q.Path), "*.csv"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644)
		}
		if err != nil {
			return "", 0, err
		}
	}
	bin := filepath.Join(dir, "job")
	// the suite's Go functions (q14's count_char) are in the main module
	env = append([]string{"LAMINAR_CACHE=" + filepath.Join(dir, "jobcache"), "LAMINAR_GO_MODULE=" + goModuleRoot}, env...)
	u, _, err := runMeasured(dir, env, laminarc, "build", "-o", bin, sqlPath)
	if err != nil {
		return "", 0, err
	}
	return bin, u.Wall, nil
}

func measureQuery(o options, work, laminarc, baselineBin string, r *queryResult) {
	dir := filepath.Join(work, r.Name)
	if r.Name == o.coldQuery {
		logf("%s: cold build (empty Go build cache)", r.Name)
		gocache := filepath.Join(work, "gocache-cold")
		_, cold, err := buildQuery(laminarc, filepath.Join(work, "cold-"+r.Name), r.query, o.events, []string{"GOCACHE=" + gocache})
		if err != nil {
			r.Err = "cold build: " + errSummary(err)
			logf("%s: %v", r.Name, err)
			return
		}
		r.ColdBuild = cold
		os.RemoveAll(gocache)
	}
	logf("%s: build", r.Name)
	bin, warm, err := buildQuery(laminarc, dir, r.query, o.events, nil)
	if err != nil {
		r.Err = "build: " + errSummary(err)
		logf("%s: %v", r.Name, err)
		return
	}
	r.WarmBuild = warm
	if st, err := os.Stat(bin); err == nil {
		r.BinaryBytes = st.Size()
	}

	for _, procs := range []int{1, runtime.NumCPU()} {
		var runs []usage
		for i := 0; i < o.runs; i++ {
			logf("%s: run %d with GOMAXPROCS=%d", r.Name, i+1, procs)
			u, sum, err := runJob(bin, dir, procs)
			if err != nil {
				r.Err = "run: " + errSummary(err)
				logf("%s: %v", r.Name, err)
				return
			}
			if procs == 1 {
				// the rows of the run the baseline is compared with: on all
				// cores the workers flush an updating view's changes at other
				// boundaries (q18: 3.11M rows where one core writes 6.55M)
				r.RowsOut = sum.RowsOut
				r.WindowsClosed, r.DelayP50us, r.DelayP99us = sum.WindowsClosed, sum.DelayP50us, sum.DelayP99us
			}
			runs = append(runs, u)
		}
		u := median(runs, func(u usage) float64 { return u.CPU.Seconds() })
		if procs == 1 {
			r.Single = u
		} else {
			r.AllCores = u
		}
	}

	r.Baseline, r.BaselineWhole = baselineFor(r.Name)
	if r.Baseline == "" {
		return
	}
	rate, seed, err := generatorOptions(r.SQL)
	if err != nil {
		r.BaseErr = err.Error()
		return
	}
	var runs []usage
	for i := 0; i < o.runs; i++ {
		logf("%s: hand-written baseline %s", r.Name, r.Baseline)
		u, out, err := runMeasured(dir, []string{"GOMAXPROCS=1"}, baselineBin, "-q", r.Baseline,
			"-events", strconv.FormatInt(o.events, 10), "-rate", strconv.FormatFloat(rate, 'f', -1, 64),
			"-seed", strconv.FormatInt(seed, 10))
		if err != nil {
			r.BaseErr = errSummary(err)
			return
		}
		if r.BaseRows, err = baselineRows(out); err != nil {
			r.BaseErr = err.Error()
			return
		}
		runs = append(runs, u)
	}
	r.Base = median(runs, func(u usage) float64 { return u.CPU.Seconds() })
}

// jobSummary is the part of a job's --summary-json the harness reads.
type jobSummary struct {
	RowsIn        int64   `json:"rows_in"`
	RowsOut       int64   `json:"rows_out"`
	Late          int64   `json:"late"`
	Error         string  `json:"error"`
	WindowsClosed int64   `json:"windows_closed"`
	DelayP50us    float64 `json:"window_emit_delay_p50_us"`
	DelayP99us    float64 `json:"window_emit_delay_p99_us"`
	Workers       *struct {
		Busy     float64 `json:"busy_cpu_seconds"`
		Critical float64 `json:"critical_path_cpu_seconds"`
	} `json:"workers"`
}

func runJob(bin, dir string, procs int, flags ...string) (usage, jobSummary, error) {
	return runJobEnv(bin, dir, []string{"GOMAXPROCS=" + strconv.Itoa(procs)}, flags...)
}

func runJobEnv(bin, dir string, env []string, flags ...string) (usage, jobSummary, error) {
	summaryPath := filepath.Join(dir, "summary.json")
	os.Remove(summaryPath)
	u, _, err := runMeasured(dir, env, bin,
		append([]string{"--quiet", "--progress", "never", "--base-dir", dir, "--summary-json", summaryPath,
			"--dead-letter", filepath.Join(dir, "dead.jsonl"), "--late", filepath.Join(dir, "late.jsonl")}, flags...)...)
	if err != nil {
		return usage{}, jobSummary{}, err
	}
	var sum jobSummary
	data, err := os.ReadFile(summaryPath)
	if err == nil {
		err = json.Unmarshal(data, &sum)
	}
	if err != nil {
		return usage{}, jobSummary{}, fmt.Errorf("reading the job summary: %w", err)
	}
	if sum.Error != "" {
		return usage{}, sum, fmt.Errorf("the job reported: %s", sum.Error)
	}
	return u, sum, nil
}

// baselineRows reads the row count from the baseline command's first line:
// "query q5: 10000000 events, 5 rows, checksum ...".
func baselineRows(out []byte) (int64, error) {
	var q string
	var events, rows int64
	if _, err := fmt.Sscanf(string(out), "query %s %d events, %d rows,", &q, &events, &rows); err != nil {
		return 0, fmt.Errorf("unexpected baseline output %q: %v", firstLine(string(out)), err)
	}
	return rows, nil
}

// errSummary keeps a failure short for the report: the first line of the
// command's own message when it printed one, else the error's first line.
func errSummary(err error) string {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	for _, l := range lines[1:] {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return lines[0]
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
