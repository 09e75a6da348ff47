package difftest

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/laminar-sql/laminar/codegen"
	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/physical"
)

var (
	seedFlag   = flag.Uint64("seed", 1, "seed of the first case; case i uses seed+i")
	casesFlag  = flag.Int("cases", 200, "number of random cases (20 with -short)")
	keepFlag   = flag.Bool("keep", false, "keep the work directory (job module, inputs, outputs) and print its path")
	mseedFlag  = flag.Uint64("mseed", 1, "seed of the first multi-view case; multi-view case i uses mseed+i")
	mcasesFlag = flag.Int("mcases", 300, "number of random multi-view cases (30 with -short)")
	kseedFlag  = flag.Uint64("kseed", 1, "the first seed tried for the workers cases (multi-view pipelines whose views over views split among workers)")
	kcasesFlag = flag.Int("kcases", 40, "number of workers cases (10 with -short)")
)

// batchSizes are the input batch sizes every multi-view case runs at: the
// result must not depend on how the input is cut.
var batchSizes = []int{1, 7, 1024}

const casesModule = "difftest.cases"

// testCase is one random data set and query, reproducible from its seed.
type testCase struct {
	index int
	seed  uint64
	pkg   string // Go package of its generated pipeline: case17
	rows  []Row
	input []byte // rows as JSON lines
	query Query
	late  bool // some rows are late; DuckDB leaves them out of the windows that had closed
	multi bool // a pipeline of several views (GenMultiQuery), run at every batch size
	// workers: a multi-view case whose views over views split among
	// workers (newWorkersCase), run on 1, 2 and 3 workers
	workers bool
	// sources: how many sources read the input file (0: one)
	sources int
	// split: the plan splits among workers; a run on several must have run
	// on that many (the summary's workers)
	split bool
	// sameReports: a workers case whose late and dead-letter files are the
	// one-worker run's byte for byte at every batch size and worker count
	sameReports bool
	malformed   int // the input's records that are not rows (dead letters)
	// rowsIn is the rows the summary counts in when they are not the
	// input's lines (a Debezium update is two rows); 0 otherwise
	rowsIn int
	topn   bool   // a top-N pipeline (GenTopNQuery), run at every batch size like a multi-view one
	err    string // why the case could not be compiled or built
	repro  string // the command that reproduces it, when not TestDifferential's
	// ordered is DuckDB's answer in the order of query.DuckOrder, when set
	ordered []ResultRow
}

func newCase(index int, seed uint64) *testCase {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	c := &testCase{index: index, seed: seed, pkg: fmt.Sprintf("case%d", index)}
	windowed := r.IntN(5) != 0
	c.late = windowed && r.IntN(8) == 0
	data := DataParams{
		Rows:    200 + r.IntN(801),
		DelayUS: []int64{0, 500_000, 1_000_000, 2_000_000, 5_000_000}[r.IntN(5)],
	}
	if c.late {
		data.LateP, data.LateUS = 0.1, 30_000_000
	}
	c.rows = GenRows(r, data)
	c.input = WriteJSONL(r, c.rows)
	c.query = GenQuery(r, QueryParams{DelayUS: data.DelayUS, Windowed: windowed, DropLate: c.late})
	return c
}

// newMultiCase is a multi-view case: rows with none late, and a chain of
// views over them.
func newMultiCase(index int, seed uint64) *testCase {
	r := rand.New(rand.NewPCG(seed, seed^0x6a09e667f3bcc908))
	c := &testCase{index: index, seed: seed, pkg: fmt.Sprintf("mcase%d", index), multi: true}
	data := DataParams{
		Rows:    200 + r.IntN(601),
		DelayUS: []int64{0, 500_000, 1_000_000, 2_000_000, 5_000_000}[r.IntN(5)],
	}
	c.rows = GenRows(r, data)
	c.input = WriteJSONL(r, c.rows)
	c.query = GenMultiQuery(r, data.DelayUS)
	return c
}

// newWorkersCase is, for an even seed, a GenWorkersQuery pipeline; for an
// odd one, the multi-view case of the first odd seed from seed on whose
// pipeline splits among workers with a view reading another view (an
// aggregate over an aggregate, by the same key or re-exchanged by its own):
// the shapes the random multi-view cases reach only now and then. It
// returns the case and its seed.
func newWorkersCase(index int, seed uint64) (*testCase, uint64) {
	if seed%2 == 0 {
		// of even seeds, from GenWorkersJoinQuery (seed%4 == 0) or GenWorkersQuery: aggregates over aggregates with
		// many groups, re-exchanged by a key of their own or not
		r := rand.New(rand.NewPCG(seed, seed^0x3c6ef372fe94f82b))
		c := &testCase{index: index, seed: seed, pkg: fmt.Sprintf("wcase%d", index), multi: true, workers: true}
		data := DataParams{Rows: 200 + r.IntN(801)}
		window := seed%8 == 2 // of the others, 1 in 4: a window over a view, re-exchanged
		if window {
			data.DelayUS = []int64{0, 500_000, 2_000_000}[r.IntN(3)]
		}
		c.rows = GenRows(r, data)
		c.input = WriteJSONL(r, c.rows)
		switch {
		case seed%4 == 0:
			c.query = GenWorkersJoinQuery(r) // a join of two views over src
		case window:
			c.query = GenWorkersWindowQuery(r, data.DelayUS)
		default:
			c.query = GenWorkersQuery(r)
		}
		c.repro = fmt.Sprintf("go test -run TestDifferential -cases=0 -mcases=0 -kseed=%d -kcases=1", seed)
		return c, seed
	}
	if seed%4 == 3 {
		// a join or UNION ALL of two sources, each worker reading a share
		// of both
		r := rand.New(rand.NewPCG(seed, seed^0x510e527fade682d1))
		c := &testCase{index: index, seed: seed, pkg: fmt.Sprintf("wcase%d", index), multi: true, workers: true, sources: 2}
		c.rows = GenRows(r, DataParams{Rows: 200 + r.IntN(401)})
		c.input = WriteJSONL(r, c.rows)
		c.query = GenWorkersSourcesQuery(r)
		c.repro = fmt.Sprintf("go test -run TestDifferential -cases=0 -mcases=0 -kseed=%d -kcases=1", seed)
		return c, seed
	}
	for ; ; seed += 4 { // seeds 1 mod 4: random multi-view pipelines
		c := newMultiCase(index, seed)
		res, _ := compiler.Compile("case.sql", "p", c.query.Pipeline)
		if res == nil || !viewsOverViewsSplit(res.Physical) {
			continue
		}
		c.pkg, c.workers = fmt.Sprintf("wcase%d", index), true
		c.repro = fmt.Sprintf("go test -run TestDifferential -cases=0 -mcases=0 -kseed=%d -kcases=1", seed)
		return c, seed
	}
}

// viewsOverViewsSplit tells whether a plan splits among workers with an
// operator reading another operator.
func viewsOverViewsSplit(p *physical.Plan) bool {
	if !physical.Partition(p).Partitioned() {
		return false
	}
	for _, op := range p.Operators {
		if op.Source == nil && op.LateOf == nil && op.Lookup == nil {
			return true
		}
	}
	return false
}

// workersRuns are the batch sizes and worker counts a workers case runs at.
var workersRuns = [][2]int{{1024, 1}, {1, 2}, {7, 3}, {1024, 2}, {1024, 3}}

func (c *testCase) reproduce() string {
	if c.repro != "" {
		return c.repro
	}
	if c.topn {
		return fmt.Sprintf("go test -run TestTopNDifferential -tseed=%d -tcases=1", c.seed)
	}
	if c.multi {
		return fmt.Sprintf("go test -run TestDifferential -cases=0 -mseed=%d -mcases=1", c.seed)
	}
	return fmt.Sprintf("go test -run TestDifferential -seed=%d -cases=1 -mcases=0", c.seed)
}

func (c *testCase) describe() string {
	return fmt.Sprintf("case %d, seed %d (reproduce: %s)\n-- pipeline:\n%s\n-- DuckDB:\n%s",
		c.index, c.seed, c.reproduce(), c.query.Pipeline, c.query.DuckSQL)
}

// TestDifferential runs random window-aggregate pipelines over random rows,
// compiled by laminarc into one job binary, and compares each result with
// DuckDB's answer to the same query as a batch.
func TestDifferential(t *testing.T) {
	n, nm := *casesFlag, *mcasesFlag
	if testing.Short() {
		n, nm = min(n, 20), min(nm, 30)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if *keepFlag {
		if work, err = os.MkdirTemp("", "difftest-"); err != nil {
			t.Fatal(err)
		}
		t.Logf("work directory: %s", work)
	}

	cases := make([]*testCase, n, n+nm)
	for i := range cases {
		cases[i] = newCase(i, *seedFlag+uint64(i))
	}
	for i := range nm {
		cases = append(cases, newMultiCase(i, *mseedFlag+uint64(i)))
	}
	nw := *kcasesFlag
	if testing.Short() {
		nw = min(nw, 10)
	}
	var exchanged, deep, sources, sourcesSplit int
	for i, seed := 0, *kseedFlag; i < nw; i, seed = i+1, seed+1 {
		var c *testCase
		c, seed = newWorkersCase(i, seed)
		if res, _ := compiler.Compile("case.sql", "p", c.query.Pipeline); res != nil {
			part := physical.Partition(res.Physical)
			c.split = part.Partitioned()
			if part.Exchanges() {
				exchanged++
			}
			if part.ExchangeLevels() > 1 {
				deep++
			}
			if c.sources > 1 {
				sources++
				if c.split {
					sourcesSplit++
				}
			}
		}
		cases = append(cases, c)
	}
	start := time.Now()
	bin := buildJobs(t, root, work, cases)
	t.Logf("compiled %d pipelines (%d single-view, %d multi-view, %d on workers of which %d re-exchange a view's rows, %d more than one level deep, and %d of two sources split) and built one job binary in %v",
		len(cases), n, nm, nw, exchanged, deep, sourcesSplit, time.Since(start).Round(time.Millisecond))
	if nw >= 10 && exchanged < nw/5 {
		t.Errorf("only %d of %d workers cases re-exchange a view's rows by its own key", exchanged, nw)
	}
	if nw >= 20 && deep == 0 {
		t.Errorf("none of %d workers cases re-exchanges a view's rows more than one level deep", nw)
	}
	if sourcesSplit < sources {
		t.Errorf("only %d of %d workers cases of two sources split among workers", sourcesSplit, sources)
	}

	db := openDuckDB(t)
	var failed, empty, lateRows, rows, mfailed, mempty, mrows int
	for _, c := range cases {
		name := fmt.Sprintf("case%03d_seed%d", c.index, c.seed)
		if c.multi {
			name = fmt.Sprintf("multi%03d_mseed%d", c.index, c.seed)
		}
		if c.workers {
			name = fmt.Sprintf("workers%03d_seed%d", c.index, c.seed)
		}
		ok := t.Run(name, func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.describe(), c.err)
			}
			st := runCase(t, db, bin, filepath.Join(work, "run", c.pkg), c)
			if c.workers {
				return // not counted with the random multi-view cases
			}
			if c.multi {
				mrows += st.rows
				if st.rows == 0 {
					mempty++
					if os.Getenv("DIFFTEST_EMPTY") != "" {
						t.Log("EMPTY " + c.describe())
					}
				}
				return
			}
			rows += st.rows
			lateRows += st.late
			if st.rows == 0 {
				empty++
			}
		})
		switch {
		case !ok && c.multi:
			mfailed++
		case !ok:
			failed++
		}
	}
	t.Logf("%d multi-view cases at batch sizes %v: %d result rows compared, %d cases with an empty result; %d cases failed",
		nm, batchSizes, mrows, mempty, mfailed)
	if nm >= 50 && mempty > nm/4 {
		t.Errorf("%d of %d multi-view cases have an empty result: the generator tests too little", mempty, nm)
	}
	// a generator that drifts into empty results would make the test vacuous
	t.Logf("%d cases: %d result rows compared, %d cases with an empty result, %d late rows dropped in late cases; %d cases failed",
		n, rows, empty, lateRows, failed)
	if n >= 50 && empty > n/4 {
		t.Errorf("%d of %d cases have an empty result: the generator tests too little", empty, n)
	}
}

// caseStats is what one case contributed to the run.
type caseStats struct {
	rows int // rows of DuckDB's result
	late int // late rows the job reported
}

// buildJobs compiles every case's pipeline into package caseK of one
// temporary module and builds one binary that runs the case named by its
// first argument. A case that fails to compile or build gets c.err and is
// left out.
func buildJobs(t *testing.T, root, work string, cases []*testCase) string {
	t.Helper()
	mod := fmt.Sprintf("module %s\n\ngo 1.26\n\nrequire github.com/laminar-sql/laminar v0.0.0\n\nreplace github.com/laminar-sql/laminar => %s\n", casesModule, root)
	mustWrite(t, filepath.Join(work, "go.mod"), []byte(mod))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(work, "go.sum"), sum)

	for _, c := range cases {
		if src := generate(c); src != nil {
			mustWrite(t, filepath.Join(work, c.pkg, "pipeline.go"), src)
		}
	}

	bin := filepath.Join(work, "jobs")
	// A generated package that does not build is a laminarc bug: report it on
	// its case and build the others.
	for attempt := 0; ; attempt++ {
		mustWrite(t, filepath.Join(work, "main.go"), mainGo(cases))
		cmd := exec.Command("go", "build", "-o", bin, ".")
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod -buildvcs=false", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		if err == nil {
			return bin
		}
		broken := brokenCases(string(out), cases)
		if len(broken) == 0 || attempt == 3 {
			t.Fatalf("go build of the job module failed:\n%s", out)
		}
		for _, c := range broken {
			c.err = "the generated Go code does not build:\n" + buildErrorsOf(string(out), c.pkg)
			os.RemoveAll(filepath.Join(work, c.pkg))
		}
	}
}

// generate compiles a case's pipeline to Go source, or sets c.err; a panic
// of the compiler is reported on its case.
func generate(c *testCase) (src []byte) {
	defer func() {
		if r := recover(); r != nil {
			c.err, src = fmt.Sprintf("laminarc panicked: %v\n%s", r, debug.Stack()), nil
		}
	}()
	res, diags := compiler.Compile("case.sql", c.pkg, c.query.Pipeline)
	if res == nil {
		c.err = "laminarc rejected the pipeline:\n" + diag.Format("case.sql", c.query.Pipeline, diags)
		return nil
	}
	src, err := codegen.Generate(res.Physical, c.query.Pipeline, codegen.Options{Package: c.pkg, SourceFile: "case.sql"})
	if err != nil {
		c.err = "codegen: " + err.Error()
		return nil
	}
	return src
}

var buildErrorPath = regexp.MustCompile(`(?m)^(?:\./)?([mt]?case\d+)/`)

// brokenCases names the cases whose package appears in go build's errors.
func brokenCases(out string, cases []*testCase) []*testCase {
	byPkg := map[string]*testCase{}
	for _, c := range cases {
		byPkg[c.pkg] = c
	}
	var broken []*testCase
	for _, m := range buildErrorPath.FindAllStringSubmatch(out, -1) {
		if c := byPkg[m[1]]; c != nil && c.err == "" {
			broken = append(broken, c)
		}
	}
	return broken
}

// buildErrorsOf keeps the lines of go build's output about package pkg.
func buildErrorsOf(out, pkg string) string {
	var b strings.Builder
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, pkg+"/") || strings.HasPrefix(line, "./"+pkg+"/") || strings.HasSuffix(strings.TrimSpace(line), "/"+pkg) {
			b.WriteString(line)
		}
	}
	return b.String()
}

// mainGo is the job binary's main package: it dispatches on its first
// argument and hands the remaining ones to job.Main as flags.
func mainGo(cases []*testCase) []byte {
	var b strings.Builder
	b.WriteString("package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\n\t\"github.com/laminar-sql/laminar/runtime/job\"\n")
	for _, c := range cases {
		if c.err == "" {
			fmt.Fprintf(&b, "\t%q\n", casesModule+"/"+c.pkg)
		}
	}
	b.WriteString(")\n\nvar cases = map[string]struct {\n\tspec job.Spec\n\tnew  job.Factory\n}{\n")
	for _, c := range cases {
		if c.err == "" {
			fmt.Fprintf(&b, "\t%q: {%s.Spec, %s.New},\n", c.pkg, c.pkg, c.pkg)
		}
	}
	b.WriteString("}\n\nfunc main() {\n\tif len(os.Args) < 2 {\n\t\tfmt.Fprintln(os.Stderr, \"usage: jobs caseN [job flags]\")\n\t\tos.Exit(2)\n\t}\n" +
		"\tc, ok := cases[os.Args[1]]\n\tif !ok {\n\t\tfmt.Fprintf(os.Stderr, \"no case %q\\n\", os.Args[1])\n\t\tos.Exit(2)\n\t}\n" +
		"\tos.Args = append(os.Args[:1], os.Args[2:]...) // job.Main parses os.Args[1:]\n\tjob.Main(c.spec, c.new)\n}\n")
	return []byte(b.String())
}

// jobSummary is the part of --summary-json the test checks.
type jobSummary struct {
	Workers *struct {
		Workers int `json:"workers"`
	} `json:"workers"`
	RowsIn    int64  `json:"rows_in"`
	Malformed int64  `json:"malformed"`
	Late      int64  `json:"late"`
	Error     string `json:"error"`
}

func runCase(t *testing.T, db *sql.Conn, bin, dir string, c *testCase) caseStats {
	want, err := duckResult(db, c)
	if err != nil {
		t.Fatalf("%s\n-- DuckDB: %v", c.describe(), err)
	}
	st := caseStats{rows: want.Size()}
	if c.query.DuckOrder != "" {
		if c.ordered, err = duckOrdered(db, c); err != nil {
			t.Fatalf("%s\n-- DuckDB, ordered: %v", c.describe(), err)
		}
	}
	if c.workers {
		reports := map[string][]byte{}
		for i, run := range workersRuns {
			rdir := filepath.Join(dir, fmt.Sprintf("bs%d-w%d", run[0], run[1]))
			st.late += runJob(t, bin, rdir, c, run[0], run[1], want)
			if !c.sameReports {
				continue
			}
			// the late and dead-letter files of every run are the first's
			// (one worker), byte for byte
			for _, name := range []string{"late.jsonl", "dead.jsonl"} {
				got, _ := os.ReadFile(filepath.Join(rdir, name))
				if i == 0 {
					reports[name] = got
				} else if !bytes.Equal(got, reports[name]) {
					t.Errorf("%s\n-- %s at batch size %d on %d workers differs from the one-worker run's:\n%s\nwant\n%s", c.describe(), name, run[0], run[1], got, reports[name])
				}
			}
		}
		return st
	}
	if !c.multi {
		// on 1, 2 and 3 workers (a pipeline that splits by key runs one
		// engine per worker; 3 in batches of 37 rows, for many rounds): the
		// same answer, the same late rows
		var late []byte
		for _, workers := range []int{1, 2, 3} {
			wdir := filepath.Join(dir, fmt.Sprintf("w%d", workers))
			bs := 0
			if workers == 3 {
				bs = 37
			}
			n := runJob(t, bin, wdir, c, bs, workers, want)
			got, _ := os.ReadFile(filepath.Join(wdir, "late.jsonl"))
			if workers == 1 {
				st.late, late = n, got
			} else if !bytes.Equal(got, late) {
				t.Errorf("%s\n-- the late rows at %d workers differ from those at one:\n%s\nwant\n%s", c.describe(), workers, got, late)
			}
		}
		return st
	}
	// the batch sizes on different worker counts: 1, 3 and the default (the
	// cores), so that a plan that splits by key (sessions, say) is checked on
	// several; one that does not runs on one engine whatever the count
	workers := map[int]int{1: 1, 7: 3}
	for _, bs := range batchSizes {
		st.late += runJob(t, bin, filepath.Join(dir, fmt.Sprintf("bs%d", bs)), c, bs, workers[bs], want)
	}
	return st
}

// runJob runs the case's job over its input, at batch size bs and on
// workers workers (0: the defaults), checks its summary and compares its
// output with want. It returns the number of late rows the job reported.
func runJob(t *testing.T, bin, dir string, c *testCase, bs, workers int, want Multiset) int {
	mustWrite(t, filepath.Join(dir, "in.jsonl"), c.input)
	args := []string{c.pkg, "--base-dir", dir, "--quiet", "--progress", "never",
		"--summary-json", filepath.Join(dir, "summary.json"),
		"--late", filepath.Join(dir, "late.jsonl"), "--dead-letter", filepath.Join(dir, "dead.jsonl")}
	at := ""
	if bs > 0 {
		args = append(args, "--batch-size", strconv.Itoa(bs))
		at = fmt.Sprintf(" at batch size %d", bs)
	}
	if workers > 0 {
		args = append(args, "--workers", strconv.Itoa(workers))
		at += fmt.Sprintf(" on %d workers", workers)
	}
	cmd := exec.Command(bin, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s\n-- the job failed%s: %v\n%s", c.describe(), at, err, out)
	}
	n := checkJob(t, dir, c, at, want, true)
	if c.split && workers > 1 {
		// a plan that splits ran on that many workers, not on one engine
		var sum jobSummary
		data, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
		if err := json.Unmarshal(data, &sum); err != nil || sum.Workers == nil || sum.Workers.Workers != workers {
			t.Errorf("%s\n-- the plan splits among workers, yet the job%s did not run on %d: %s", c.describe(), at, workers, data)
		}
	}
	return n
}

// checkJob checks the summary a job run left in dir (when summary is set:
// a restored run's counts are its own run's) and compares its output with
// want. It returns the number of late rows the job reported.
func checkJob(t *testing.T, dir string, c *testCase, at string, want Multiset, summary bool) int {
	var sum jobSummary
	if summary {
		data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
		if err == nil {
			err = json.Unmarshal(data, &sum)
		}
		if err != nil {
			t.Fatalf("%s\n-- reading the job summary%s: %v", c.describe(), at, err)
		}
		rowsIn := bytes.Count(c.input, []byte("\n")) * max(c.sources, 1)
		if c.rowsIn > 0 {
			rowsIn = c.rowsIn
		}
		if sum.RowsIn != int64(rowsIn) || sum.Malformed != int64(c.malformed) || sum.Error != "" {
			t.Errorf("%s\n-- job summary%s: %s (want %d rows in, %d malformed)", c.describe(), at, data, rowsIn, c.malformed)
		}
		if !c.late && sum.Late != 0 {
			t.Errorf("%s\n-- %d rows were late%s, yet every row is within the watermark delay", c.describe(), sum.Late, at)
		}
	}

	out, err := os.ReadFile(filepath.Join(dir, "out.jsonl"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if keys := c.query.SortedBy; keys != nil {
		if bad := CheckSorted(out, keys); bad != "" {
			t.Errorf("%s\n-- the rows%s are not in ORDER BY order %v: %s", c.describe(), at, keys, bad)
		}
	}
	got, err := ParseLaminar(out, c.query.Columns, c.query.Updating)
	if err != nil {
		t.Fatalf("%s\n-- Laminar's output%s: %v", c.describe(), at, err)
	}
	if c.ordered != nil {
		if bad := compareWindowOrder(out, c.query.Columns, c.ordered); bad != "" {
			t.Errorf("%s\n-- the rows%s are not each window's rows in DuckDB's ORDER BY %s: %s", c.describe(), at, c.query.DuckOrder, bad)
		}
	}
	onlyWant, onlyGot := Diff(want, got)
	if len(onlyWant) == 0 && len(onlyGot) == 0 {
		return int(sum.Late)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n-- DuckDB has %d rows, Laminar%s %d (net)\n", c.describe(), want.Size(), at, got.Size())
	report := func(what string, rows []ResultRow) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(&b, "-- %d rows only in %s (first 10):\n", len(rows), what)
		for _, r := range rows[:min(10, len(rows))] {
			fmt.Fprintf(&b, "   %s\n", FormatRow(r, c.query.Columns))
		}
	}
	report("DuckDB", onlyWant)
	report("Laminar", onlyGot)
	t.Error(b.String())
	return int(sum.Late)
}

func openDuckDB(t *testing.T) *sql.Conn {
	t.Helper()
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.ExecContext(context.Background(), "SET threads = 1"); err != nil {
		t.Fatal(err)
	}
	return conn
}

// duckResult loads the case's rows into table t (ts and wm as µs) and runs
// the batch query.
func duckResult(conn *sql.Conn, c *testCase) (Multiset, error) {
	ctx := context.Background()
	const ddl = `CREATE OR REPLACE TABLE t (k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts BIGINT NOT NULL, wm BIGINT NOT NULL)`
	if _, err := conn.ExecContext(ctx, ddl); err != nil {
		return nil, err
	}
	err := conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "t")
		if err != nil {
			return err
		}
		for _, r := range c.rows {
			if err := app.AppendRow(orNull(r.K), orNull(r.G), orNull(r.X), r.N, orNull(r.B), r.TS, r.WM); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
	if err != nil {
		return nil, fmt.Errorf("loading rows: %w", err)
	}
	rows, err := conn.QueryContext(ctx, c.query.DuckSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := c.query.Columns
	out := Multiset{}
	cells := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range cells {
		ptrs[i] = &cells[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make(ResultRow, len(cols))
		for i, v := range cells {
			if row[i], err = normalize(v, cols[i].Kind); err != nil {
				return nil, fmt.Errorf("column %s: %w", cols[i].Name, err)
			}
		}
		out.add(row, 1)
	}
	return out, rows.Err()
}

// duckOrdered is DuckDB's answer to the case's query in the order of its
// DuckOrder (the table t loaded by duckResult).
func duckOrdered(conn *sql.Conn, c *testCase) ([]ResultRow, error) {
	rows, err := conn.QueryContext(context.Background(), "SELECT * FROM ("+c.query.DuckSQL+") AS q ORDER BY "+c.query.DuckOrder)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := c.query.Columns
	cells := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range cells {
		ptrs[i] = &cells[i]
	}
	out := []ResultRow{}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make(ResultRow, len(cols))
		for i, v := range cells {
			if row[i], err = normalize(v, cols[i].Kind); err != nil {
				return nil, fmt.Errorf("column %s: %w", cols[i].Name, err)
			}
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// orNull passes a nullable column to the appender: nil for NULL.
func orNull[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func mustWrite(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
