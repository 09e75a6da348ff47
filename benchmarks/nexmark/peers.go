package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// The same-file comparison: one JSON-lines file of Nexmark bids read by the
// compiled jobs (a file source instead of the generator), by DuckDB
// (read_json, benchmarks/nexmark/duckdb) and by eKuiper, so that the peers'
// figures measure the same work, JSON decoding included.

// fileQueries are the suite's queries that read bids alone and that DuckDB
// can express.
const fileQueries = "q0,q1,q2,q5_tumble,q7_max,q14,q22"

// bidsFile is the shared input.
type bidsFile struct {
	Path   string
	Events int64 // generator events the bids were taken from
	Bids   int64 // lines of the file: what the rates count
	Bytes  int64
}

// fileResult is one query on the shared file.
type fileResult struct {
	Name             string
	Err              string
	Single, AllCores usage // the compiled job at GOMAXPROCS=1 and every core
	Rows             int64
	DuckErr          string
	Duck1, DuckAll   usage // DuckDB with SET threads = 1 and with every thread
	DuckRows         int64
}

type fileReport struct {
	File    bidsFile
	Results []fileResult
}

// writeBidsFile writes the bids of events generated events at eKuiper's rate
// of event time (so that 10 s windows close within the file) as JSON lines.
func writeBidsFile(path string, events int64) (bidsFile, error) {
	size, lines, err := writeEventsJSONL(path, nexmark.Config{Events: events, Rate: ekuiperRate, Seed: 1}, true)
	return bidsFile{Path: path, Events: events, Bids: lines, Bytes: size}, err
}

var sourceWith = regexp.MustCompile(`WITH \(connector = 'nexmark'[^)]*\)`)

// withFileSource rewrites a query's nexmark bid source into a file source.
func withFileSource(sql, path string) (string, error) {
	if n := len(sourceWith.FindAllStringIndex(sql, -1)); n != 1 {
		return "", fmt.Errorf("want one nexmark source, found %d", n)
	}
	return sourceWith.ReplaceAllLiteralString(sql, "WITH (connector = 'file', path = '"+path+"', format = 'json')"), nil
}

// fileQueriesOf are the queries of fileQueries that list (-queries) names,
// in fileQueries' order; all of them when list is empty.
func fileQueriesOf(list string) string {
	if strings.TrimSpace(list) == "" {
		return fileQueries
	}
	named := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		named[strings.TrimSpace(n)] = true
	}
	var out []string
	for _, n := range strings.Split(fileQueries, ",") {
		if named[n] {
			out = append(out, n)
		}
	}
	return strings.Join(out, ",")
}

// runFileQueries measures the compiled jobs and DuckDB on the shared file,
// for the queries of the same-file table that -queries selects.
func runFileQueries(o options, work, laminarc string, all []query, bids bidsFile) *fileReport {
	rep := &fileReport{File: bids}
	names := fileQueriesOf(o.queries)
	if names == "" {
		return rep // none selected
	}
	qs, err := selectQueries(all, names)
	if err != nil {
		rep.Results = append(rep.Results, fileResult{Name: "all", Err: err.Error()})
		return rep
	}
	duck := filepath.Join(work, "duckdb-peer")
	duckErr := ""
	if o.duckdb {
		logf("building the DuckDB peer (the first build links a static DuckDB)")
		if err := goBuild(filepath.Join(o.root, "benchmarks", "nexmark", "duckdb"), []string{"GOWORK=off"}, duck, "."); err != nil {
			duckErr = errSummary(err)
		}
	}
	for _, q := range qs {
		r := fileResult{Name: q.Name}
		measureFileQuery(work, laminarc, q, bids, o.runs, &r)
		switch {
		case !o.duckdb:
			r.DuckErr = "not run"
		case duckErr != "":
			r.DuckErr = duckErr
		default:
			measureDuckDB(work, duck, bids, o.runs, &r)
		}
		rep.Results = append(rep.Results, r)
	}
	return rep
}

func measureFileQuery(work, laminarc string, q query, bids bidsFile, runs int, r *fileResult) {
	sql, err := withFileSource(q.SQL, bids.Path)
	if err != nil {
		r.Err = err.Error()
		return
	}
	dir := filepath.Join(work, "file-"+q.Name)
	logf("%s on the bids file: build", q.Name)
	bin, _, err := buildQuery(laminarc, dir, query{Name: q.Name, SQL: sql}, 0, nil)
	if err != nil {
		r.Err = "build: " + errSummary(err)
		return
	}
	for _, procs := range []int{1, runtime.NumCPU()} {
		var us []usage
		for i := 0; i < runs; i++ {
			logf("%s on the bids file: run %d with GOMAXPROCS=%d", q.Name, i+1, procs)
			u, sum, err := runJob(bin, dir, procs)
			if err == nil && sum.RowsIn != bids.Bids {
				err = fmt.Errorf("read %d of %d bids", sum.RowsIn, bids.Bids)
			}
			if err != nil {
				r.Err = "run: " + errSummary(err)
				return
			}
			r.Rows = sum.RowsOut
			us = append(us, u)
		}
		// the median by CPU for the one-core run, by wall time for all cores
		if procs == 1 {
			r.Single = median(us, func(u usage) float64 { return u.CPU.Seconds() })
		} else {
			r.AllCores = median(us, func(u usage) float64 { return u.Wall.Seconds() })
		}
	}
}

func measureDuckDB(work, duck string, bids bidsFile, runs int, r *fileResult) {
	for _, threads := range []int{1, 0} {
		var us []usage
		for i := 0; i < runs; i++ {
			logf("%s in DuckDB: run %d, threads=%d (0: all)", r.Name, i+1, threads)
			u, out, err := runMeasured(work, nil, duck, "-file", bids.Path, "-q", r.Name, "-threads", strconv.Itoa(threads))
			if err != nil {
				r.DuckErr = errSummary(err)
				return
			}
			var name string
			if _, err := fmt.Sscanf(string(out), "query %s %d rows", &name, &r.DuckRows); err != nil {
				r.DuckErr = fmt.Sprintf("unexpected output %q", firstLine(string(out)))
				return
			}
			us = append(us, u)
		}
		if threads == 1 {
			r.Duck1 = median(us, func(u usage) float64 { return u.CPU.Seconds() })
		} else {
			r.DuckAll = median(us, func(u usage) float64 { return u.Wall.Seconds() })
		}
	}
}

func runsNote(runs int) string {
	if runs > 1 {
		return fmt.Sprintf("Median of %d runs: by CPU time at one core or thread, by wall time at all of them.", runs)
	}
	return "One run each."
}

// renderFileReport writes the same-file table; gen holds the generator-fed
// results of the same invocation, set beside them.
func renderFileReport(b *strings.Builder, f *fileReport, rep report) {
	n := f.File.Bids
	b.WriteString("### Same file: compiled jobs, DuckDB and eKuiper on one JSON-lines file of bids\n\n")
	fmt.Fprintf(b, "Input: the bids of the generator's first %s events (rate %d events/s of event time, seed 1), "+
		"%s bids in %s of JSON lines, written once and read by all three from the page cache. Rates count the bids. "+
		"Compiled jobs: each query with its nexmark source replaced by a file source (`format = 'json'`), blackhole sink, "+
		"at GOMAXPROCS=1 and at every core (%d; the file's batches are then decoded on every core and handed to the "+
		"pipeline in order). DuckDB (duckdb-go v2.10506.0, `benchmarks/nexmark/duckdb`): `read_json` with the source's "+
		"column types, the query's result materialized in a temporary table and counted, with `SET threads = 1` and "+
		"with every thread. CPU is user + system time of the process (rusage). %s\n\n",
		count(f.File.Events), ekuiperRate, count(n), mib(f.File.Bytes/1024), runtime.NumCPU(), runsNote(rep.Runs))
	ekuiperName := map[string]string{"q0": "q0", "q1": "q1", "q2": "q2", "q5_tumble": "tumble_count"}
	genByName := map[string]queryResult{}
	for _, r := range rep.Results {
		genByName[r.Name] = r
	}
	b.WriteString("| query | compiled bids/CPU-s, 1 core (wall) | compiled bids/s, all cores (CPU) | DuckDB bids/CPU-s, 1 thread (wall) | DuckDB bids/s, all threads (CPU) | compiled / DuckDB per CPU-s | all-core wall, DuckDB / compiled | rows compiled / DuckDB | compiled, generator-fed events/CPU-s | eKuiper bids/CPU-s |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range f.Results {
		if r.Err != "" {
			fmt.Fprintf(b, "| %s | failed: %s | | | | | | | | |\n", r.Name, mdEscape(r.Err))
			continue
		}
		duck1, duckAll, ratio, wallRatio, rows := "—", "—", "—", "—", count(r.Rows)
		if r.DuckErr != "" {
			duck1 = "failed: " + mdEscape(r.DuckErr)
		} else {
			duck1 = fmt.Sprintf("%s (%s)", count(int64(r.Duck1.perCPU(n))), seconds(r.Duck1.Wall))
			duckAll = fmt.Sprintf("%s (%s)", count(int64(r.DuckAll.perWall(n))), seconds(r.DuckAll.CPU))
			ratio = fmt.Sprintf("%.2f", r.Single.perCPU(n)/r.Duck1.perCPU(n))
			wallRatio = fmt.Sprintf("%.2f", r.DuckAll.Wall.Seconds()/r.AllCores.Wall.Seconds())
			rows += " / " + count(r.DuckRows)
			if r.DuckRows != r.Rows {
				rows += " (differ!)"
			}
		}
		genFig := "—"
		if g, ok := genByName[r.Name]; ok && g.Err == "" && g.Single.CPU > 0 {
			genFig = count(int64(g.Single.perCPU(rep.Events)))
		}
		ek := "—"
		if rep.EKuiper != nil {
			for _, e := range rep.EKuiper.Rules {
				if e.Name == ekuiperName[r.Name] && e.Err == "" {
					ek = count(int64(e.Usage.perCPU(n)))
				}
			}
		}
		fmt.Fprintf(b, "| %s | %s (%s) | %s (%s) | %s | %s | %s | %s | %s | %s | %s |\n", r.Name,
			count(int64(r.Single.perCPU(n))), seconds(r.Single.Wall),
			count(int64(r.AllCores.perWall(n))), seconds(r.AllCores.CPU),
			duck1, duckAll, ratio, wallRatio, rows, genFig, ek)
	}
	b.WriteString("\n")
	for _, r := range f.Results {
		if r.Name == "q2" && r.Err == "" && r.Single.CPU > 0 {
			fmt.Fprintf(b, "JSON decoding: the q2 job reads %.0f MB of JSON per CPU-second at GOMAXPROCS=1 "+
				"(%s in %s of CPU; q2 reads auction, price and dateTime, checks the other NOT NULL columns and skips them), "+
				"and takes %s of wall time at every core against %s at one.\n\n",
				float64(f.File.Bytes)/1e6/r.Single.CPU.Seconds(), mib(f.File.Bytes/1024), seconds(r.Single.CPU),
				seconds(r.AllCores.Wall), seconds(r.Single.Wall))
		}
	}
}
