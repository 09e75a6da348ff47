package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// workersReport is the scaling of partitioned jobs from one worker to every
// core: the same binary at GOMAXPROCS=all with --workers 1 and --workers N,
// alternating, so that both see the same load.
type workersReport struct {
	Workers               int
	Runs                  int // alternating pairs per row
	Events                int64
	File                  bidsFile // of the "(file)" rows
	LoadBefore, LoadAfter string   // /proc/loadavg
	Rows                  []workersRow
}

type workersRow struct {
	Name     string
	Split    string // what explain's Workers line says
	Err      string
	One, All usage
	Events   int64
	RowsOne  int64
	RowsAll  int64
	// from one more run at every worker with LAMINAR_WORKERS_CPU: the
	// workers' CPU time in their phases, and the critical path (the sum
	// over rounds of the busiest worker's, plus the merges)
	Busy, Critical float64
}

// runWorkers measures the queries named in o.workers.
func runWorkers(o options, work, laminarc string, all []query) *workersReport {
	rep := &workersReport{Workers: runtime.NumCPU(), Runs: o.wRuns, Events: o.wEvents, LoadBefore: loadavg()}
	qs, err := selectQueries(all, o.workers)
	if err != nil {
		rep.Rows = append(rep.Rows, workersRow{Name: o.workers, Err: err.Error()})
		return rep
	}
	for _, q := range qs {
		row := workersRow{Name: q.Name, Events: o.wEvents}
		dir := filepath.Join(work, "workers-"+q.Name)
		bin, _, err := buildQuery(laminarc, dir, q, o.wEvents, nil)
		if err != nil {
			row.Err = errSummary(err)
			rep.Rows = append(rep.Rows, row)
			continue
		}
		rep.Rows = append(rep.Rows, measureWorkers(o, laminarc, dir, bin, q, row, rep.Workers))
	}
	rep.LoadAfter = loadavg()
	return rep
}

// runWorkersFile adds to rep the queries of o.workers on a bids file (rows
// named "<query> (file)"): a file source is read in byte ranges by the
// workers themselves, so these rows measure parallel ingest too. The file
// is that of the bids of o.wFile events, written for these rows (and
// removed after them) unless it is the same-file table's.
func runWorkersFile(o options, work, laminarc string, all []query, bids bidsFile, rep *workersReport) error {
	qs, err := selectQueries(all, o.workers)
	if err != nil {
		return nil // reported by runWorkers
	}
	if o.wFile > 0 && o.wFile != bids.Events {
		path := filepath.Join(work, "workers-bids.jsonl")
		logf("writing the bids of %d events to %s", o.wFile, path)
		if bids, err = writeBidsFile(path, o.wFile); err != nil {
			return err
		}
		defer os.Remove(path)
	}
	rep.File = bids
	for _, q := range qs {
		row := workersRow{Name: q.Name + " (file)", Events: bids.Bids}
		sql, err := withFileSource(q.SQL, bids.Path)
		if err != nil {
			row.Err = err.Error()
			rep.Rows = append(rep.Rows, row)
			continue
		}
		fq := query{Name: q.Name, SQL: sql}
		dir := filepath.Join(work, "workers-file-"+q.Name)
		bin, _, err := buildQuery(laminarc, dir, fq, 0, nil)
		if err != nil {
			row.Err = errSummary(err)
			rep.Rows = append(rep.Rows, row)
			continue
		}
		rep.Rows = append(rep.Rows, measureWorkers(o, laminarc, dir, bin, fq, row, rep.Workers))
	}
	rep.LoadAfter = loadavg()
	return nil
}

// measureWorkers runs a built job at --workers 1 and n, alternating, then
// once more at n measuring the workers' phases. Each run has as many cores
// as workers (GOMAXPROCS): one worker on one core is the one engine with
// its generator, or its file's decoding, and the collector on that core. At
// GOMAXPROCS=n the one engine would already use more than one core (a
// generator goroutine beside it, a file decoded by n goroutines), and the
// speed-up would not be that of one core to n.
func measureWorkers(o options, laminarc, dir, bin string, q query, row workersRow, n int) workersRow {
	if _, out, err := runMeasured(dir, nil, laminarc, "explain", filepath.Join(dir, q.Name+".sql")); err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(line, "Workers:") {
				row.Split = strings.TrimSpace(strings.TrimPrefix(line, "Workers:"))
			}
		}
	}
	var ones, alls []usage
	for i := 0; i < o.wRuns && row.Err == ""; i++ {
		for _, w := range []int{1, n} {
			logf("%s: run %d with --workers %d", row.Name, i+1, w)
			u, sum, err := runJob(bin, dir, w, "--workers", strconv.Itoa(w))
			if err != nil {
				row.Err = errSummary(err)
				break
			}
			if w == 1 {
				ones, row.RowsOne = append(ones, u), sum.RowsOut
			} else {
				alls, row.RowsAll = append(alls, u), sum.RowsOut
			}
		}
	}
	byWall := func(u usage) float64 { return u.Wall.Seconds() }
	row.One, row.All = median(ones, byWall), median(alls, byWall)
	if row.Err == "" {
		logf("%s: run with --workers %d measuring the critical path", row.Name, n)
		_, sum, err := runJobEnv(bin, dir, []string{"GOMAXPROCS=" + strconv.Itoa(n), "LAMINAR_WORKERS_CPU=1"}, "--workers", strconv.Itoa(n))
		if err != nil {
			row.Err = errSummary(err)
		} else if sum.Workers != nil {
			row.Busy, row.Critical = sum.Workers.Busy, sum.Workers.Critical
		}
	}
	return row
}

func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func renderWorkers(b *strings.Builder, w *workersReport) {
	fmt.Fprintf(b, "### Workers: one engine per core, rows exchanged by key\n\n")
	fmt.Fprintf(b, "The same job binary with `--workers 1` at GOMAXPROCS=1 and `--workers %d` at GOMAXPROCS=%d, alternating, median of %d by wall time "+
		"(load average before %s, after %s: on a shared machine the wall figures move with the others' work). "+
		"One worker is the job as one engine on one core: its generator (a goroutine beside the pipeline) or its file's decoding "+
		"(one decoder, on the pipeline's goroutine) and the collector share that core; at %d cores the same engine would already use more than one "+
		"(the generator beside it, %d decoders), which is not the speed-up of one core to %d. "+
		"%s events per run; rates count all of them; each worker generates its own chunks of the stream (by event number). ",
		w.Workers, w.Workers, w.Runs, w.LoadBefore, w.LoadAfter, w.Workers, w.Workers, w.Workers, count(w.Events))
	if w.File.Path != "" {
		fmt.Fprintf(b, "A \"(file)\" row reads a JSON-lines file of the bids of the generator's first %s events instead (%s bids, %s MiB, "+
			"from the page cache; a larger file than the same-file table's, so that a run lasts long enough for start-up not to weigh on it), "+
			"each worker reading and decoding its own byte ranges of it (rates per bid). ",
			count(w.File.Events), count(w.File.Bids), fmt.Sprint(w.File.Bytes>>20))
	}
	b.WriteString("`laminarc explain` says how a job splits (its Workers line).\n\n")
	b.WriteString("The last columns come from one more run at every worker with `LAMINAR_WORKERS_CPU=1` (each worker locked to its " +
		"thread, reading the thread's CPU clock): the workers' CPU time in their phases (decoding or generating, routing, the views), " +
		"and the critical path, the sum over rounds of the busiest worker's time plus the merges between rounds; their ratio is the " +
		"speed-up of the workers' part on idle cores, which load leaves alone.\n\n")
	fmt.Fprintf(b, "| query | split | events/s, 1 worker (CPU) | events/s, %d workers (CPU) | wall speed-up | rows, 1 / %d workers | workers' CPU / critical path |\n", w.Workers, w.Workers)
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range w.Rows {
		if r.Err != "" {
			fmt.Fprintf(b, "| %s | failed: %s | | | | | |\n", r.Name, mdEscape(r.Err))
			continue
		}
		balance := "—"
		if r.Critical > 0 {
			balance = fmt.Sprintf("%.2f s / %.2f s = %.2fx", r.Busy, r.Critical, r.Busy/r.Critical)
		}
		speed := 0.0
		if r.All.Wall > 0 {
			speed = r.One.Wall.Seconds() / r.All.Wall.Seconds()
		}
		fmt.Fprintf(b, "| %s | %s | %s (%s) | %s (%s) | %.2fx | %s / %s | %s |\n", r.Name, mdEscape(r.Split),
			count(int64(r.One.perWall(r.Events))), seconds(r.One.CPU), count(int64(r.All.perWall(r.Events))), seconds(r.All.CPU),
			speed, count(r.RowsOne), count(r.RowsAll), balance)
	}
	b.WriteString("\n")
}
