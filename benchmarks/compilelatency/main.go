// Command compilelatency measures how long a pipeline of many windowed views
// over one source takes to build after an edit, with a warm Go build cache:
// what a user waits for between changing one view and running the job.
//
//	go run ./benchmarks/compilelatency -views 50,100,200 -runs 3
//
// For each view count it writes a pipeline of N windowed views over one
// source (each with its own sink), builds it once with `laminarc build` (the
// warm-up: runtime and toolchain in the build cache), then edits one view
// (a literal in its WHERE) and builds again, -runs times. It reports the
// median CPU time (user+sys of laminarc and the go command and compilers it
// waits for), wall time, peak RSS of any one of those processes, and the
// size of the generated Go (laminarc compile into a directory).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	views := flag.String("views", "50,100,200", "view counts, comma-separated")
	runs := flag.Int("runs", 3, "edits (builds) measured per view count; the median is reported")
	laminarc := flag.String("laminarc", "", "laminarc binary (default: build ./cmd/laminarc of this checkout)")
	keep := flag.String("dir", "", "work directory (default: a temporary one, removed at the end)")
	flag.Parse()

	dir := *keep
	if dir == "" {
		d, err := os.MkdirTemp("", "compilelatency")
		check(err)
		defer os.RemoveAll(d)
		dir = d
	}
	bin := *laminarc
	if bin == "" {
		bin = filepath.Join(dir, "laminarc")
		root := repoRoot()
		cmd := exec.Command("go", "build", "-ldflags", "-X main.checkoutRoot="+root, "-o", bin, "./cmd/laminarc")
		cmd.Dir = root
		cmd.Stderr = os.Stderr
		check(cmd.Run())
	}
	fmt.Printf("%-6s %10s %10s %10s %9s %9s %6s\n", "views", "cpu_s", "wall_s", "maxrss_mb", "go_lines", "go_files", "pkgs")
	for _, f := range strings.Split(*views, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		check(err)
		measure(bin, filepath.Join(dir, fmt.Sprintf("v%d", n)), n, *runs)
	}
}

func measure(bin, dir string, n, runs int) {
	check(os.MkdirAll(dir, 0o755))
	sql := filepath.Join(dir, "many.sql")
	env := append(os.Environ(), "LAMINAR_CACHE="+filepath.Join(dir, "cache"))
	build := func(edit int) (cpu, wall time.Duration, rss int64) {
		check(os.WriteFile(sql, []byte(Pipeline(n, n/2, edit)), 0o644))
		cmd := exec.Command(bin, "build", "-o", filepath.Join(dir, "job"), sql)
		cmd.Dir = dir
		cmd.Env = env
		cmd.Stderr = os.Stderr
		start := time.Now()
		check(cmd.Run())
		wall = time.Since(start)
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		return cpu, wall, ru.Maxrss * 1024
	}
	build(0) // warm-up
	var cpus, walls []time.Duration
	var rss int64
	for i := 1; i <= runs; i++ {
		c, w, r := build(i)
		cpus, walls = append(cpus, c), append(walls, w)
		rss = max(rss, r)
	}
	// the generated code's size
	out := filepath.Join(dir, "src")
	os.RemoveAll(out)
	cmd := exec.Command(bin, "compile", "-o", out, sql)
	cmd.Stderr = os.Stderr
	check(cmd.Run())
	lines, files, pkgs := goSize(out)
	fmt.Printf("%-6d %10.2f %10.2f %10.0f %9d %9d %6d\n", n, median(cpus).Seconds(), median(walls).Seconds(), float64(rss)/(1<<20), lines, files, pkgs)
}

// Pipeline is n windowed views over one source, each with a file sink;
// view edited's WHERE literal is edit.
func Pipeline(n, edited, edit int) string {
	var b strings.Builder
	b.WriteString(`CREATE SOURCE trades (
  symbol VARCHAR NOT NULL,
  price  DOUBLE,
  volume BIGINT,
  ts     TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (connector = 'file', path = 'input.jsonl', format = 'json');
`)
	for i := 0; i < n; i++ {
		lit := i
		if i == edited {
			lit = 1000000 + edit
		}
		fmt.Fprintf(&b, `
CREATE MATERIALIZED VIEW v%d AS
SELECT symbol, window_start, window_end,
       SUM(price * volume) / SUM(volume) AS vwap,
       COUNT(*) AS n
FROM TUMBLE(trades, ts, INTERVAL '%d' SECOND)
WHERE volume > %d
GROUP BY symbol, window_start, window_end
EMIT ON WINDOW CLOSE;
CREATE SINK v%d_out FROM v%d WITH (connector = 'file', path = 'v%d.jsonl', format = 'json');
`, i, 1+i%60, lit, i, i, i)
	}
	return b.String()
}

func goSize(dir string) (lines, files, pkgs int) {
	seen := map[string]bool{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		data, err := os.ReadFile(p)
		check(err)
		lines += strings.Count(string(data), "\n")
		files++
		seen[filepath.Dir(p)] = true
		return nil
	})
	return lines, files, len(seen)
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func repoRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		fmt.Fprintln(os.Stderr, "compilelatency: cannot find the checkout: pass -laminarc")
		os.Exit(2)
	}
	return filepath.Dir(filepath.Dir(filepath.Dir(file)))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "compilelatency:", err)
		os.Exit(1)
	}
}
