package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

const (
	sectionBegin = "<!-- nexmark:begin -->"
	sectionEnd   = "<!-- nexmark:end -->"
)

// published holds figures from other engines on other hardware, events/s per
// core, to set beside ours: the Flink nexmark V2 guide, and hand-written DBSP
// Rust (Feldera's runtime without SQL) per worker core on q0-q3.
var published = map[string]string{
	"q0":        "Flink 379K · DBSP 0.85-1.2M",
	"q1":        "Flink 395K · DBSP 0.85-1.2M",
	"q2":        "Flink 414K · DBSP 0.85-1.2M",
	"q3":        "Flink 219K · DBSP 0.85-1.2M",
	"q5":        "Flink 75K",
	"q5_counts": "Flink 75K (whole q5)",
	"q7":        "Flink 23K",
	"q7_max":    "Flink 23K (whole q7)",
	"q8":        "Flink 162K",
}

// notes explain where a compiled query differs from the suite's.
var notes = map[string]string{
	"q1_double": "q1 with 0.908 a DOUBLE: q1 / q1_double is the cost of DECIMAL",
	"q5_counts": "counting part of q5; baseline is the whole q5",
	"q7_max":    "max part of q7; baseline is the whole q7",
	"q10":       "blackhole instead of a file sink partitioned by (dt, hm)",
	"q14":       "count_char is a Go function (CREATE FUNCTION … LANGUAGE GO)",
}

func renderMarkdown(rep report) string {
	var b strings.Builder
	m := rep.Machine
	fmt.Fprintf(&b, "## Nexmark: compiled queries, hand-written Go, DuckDB, eKuiper\n\n")
	fmt.Fprintf(&b, "Written by the harness (`benchmarks/nexmark`). Date: %s. Machine: %d cores (%s), %.1f GiB, %s, %s.\n",
		rep.Date.Format("2006-01-02 15:04 UTC"), m.CPUs, m.CPUModel, m.MemoryGiB, m.OS, m.GoVersion)
	fmt.Fprintf(&b, "Command: `%s`.\n\n", rep.Command)
	fmt.Fprintf(&b, "Each job generates %s events (people, auctions and bids, the queries' own nexmark "+
		"source options otherwise: rate 10M/s of event time, seed 1) and discards its rows in a blackhole sink. "+
		"Rates count all generated events; CPU is user + system time of the child process (rusage), "+
		"generator included; RSS is the child's peak. ", count(rep.Events))
	if rep.Runs > 1 {
		fmt.Fprintf(&b, "Median of %d runs (by CPU time). ", rep.Runs)
	} else {
		b.WriteString("One run each. ")
	}
	b.WriteString("The hand-written baseline (`benchmarks/nexmark/baseline`) runs in the same invocation over the same " +
		"events, at GOMAXPROCS=1, measured the same way. The ratio is compiled / baseline in events per CPU-second at " +
		"GOMAXPROCS=1. **Published** figures are other engines on other hardware (Flink nexmark V2 guide, " +
		"events/s per core; hand-written DBSP Rust, per worker core on q0-q3), for orientation only.\n\n")

	b.WriteString("| query | build warm (cold) | events/s, 1 core | events/CPU-s, GOMAXPROCS=1 | events/s, all cores | events/CPU-s, all cores | peak RSS | rows out | baseline events/CPU-s (rows) | compiled / baseline | published, other hardware |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rep.Results {
		if r.Unsupported != "" {
			continue
		}
		name := r.Name
		if n := notes[r.Name]; n != "" {
			name += " ¹"
		}
		if r.Err != "" {
			fmt.Fprintf(&b, "| %s | failed: %s | | | | | | | | | %s |\n", name, mdEscape(r.Err), published[r.Name])
			continue
		}
		build := seconds(r.WarmBuild)
		if r.ColdBuild > 0 {
			build += " (" + seconds(r.ColdBuild) + ")"
		}
		base, ratio := "—", "—"
		switch {
		case r.BaseErr != "":
			base = "failed: " + mdEscape(r.BaseErr)
		case r.Baseline != "":
			base = fmt.Sprintf("%s (%s rows)", count(int64(r.Base.perCPU(rep.Events))), count(r.BaseRows))
			ratio = fmt.Sprintf("%.2f", r.Single.perCPU(rep.Events)/r.Base.perCPU(rep.Events))
			if r.BaselineWhole {
				base = r.Baseline + ": " + base
			} else if changelogBaseline[r.Name] {
				base += ", final rows of the changes"
			} else if r.BaseRows != r.RowsOut {
				ratio += " (rows differ!)"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			name, build,
			count(int64(r.Single.perWall(rep.Events))), count(int64(r.Single.perCPU(rep.Events))),
			count(int64(r.AllCores.perWall(rep.Events))), count(int64(r.AllCores.perCPU(rep.Events))),
			mib(max(r.Single.MaxRSSKB, r.AllCores.MaxRSSKB)), count(r.RowsOut), base, ratio, published[r.Name])
	}
	b.WriteString("\n")
	var noted []string
	for _, r := range rep.Results {
		if n := notes[r.Name]; n != "" && r.Unsupported == "" {
			noted = append(noted, r.Name+": "+n)
		}
	}
	if len(noted) > 0 {
		fmt.Fprintf(&b, "¹ %s.\n\n", strings.Join(noted, "; "))
	}
	b.WriteString("Build: `laminarc build` of the query with an empty laminarc job cache and a warm Go build cache; " +
		"in parentheses the same with an empty Go build cache too (standard library and runtime compiled from scratch), " +
		"measured for one query only.\n\n")
	var delays []string
	for _, r := range rep.Results {
		if r.Unsupported == "" && r.Err == "" && r.WindowsClosed > 0 {
			delays = append(delays, fmt.Sprintf("%s %.0f µs / %.0f µs (%d windows)", r.Name, r.DelayP50us, r.DelayP99us, r.WindowsClosed))
		}
	}
	if len(delays) > 0 {
		b.WriteString("Watermark-to-emit delay of windowed queries, from the watermark closing a window to its rows " +
			"reaching the sink, p50 / p99 (GOMAXPROCS=1): " + strings.Join(delays, "; ") + ".\n\n")
	}

	var unsupported []string
	for _, r := range rep.Results {
		if r.Unsupported != "" {
			unsupported = append(unsupported, fmt.Sprintf("%s (%s)", r.Name, r.Unsupported))
		}
	}
	if len(unsupported) > 0 {
		fmt.Fprintf(&b, "Not run, the dialect cannot express them yet: %s.\n\n", strings.Join(unsupported, "; "))
	}
	if rep.Workers != nil {
		renderWorkers(&b, rep.Workers)
	}
	if rep.File != nil {
		renderFileReport(&b, rep.File, rep)
	}
	if rep.EKuiper != nil {
		renderEKuiper(&b, rep.EKuiper)
	}
	b.WriteString("Chart: [nexmark.svg](nexmark.svg), events per CPU-second per query (log scale).\n")
	return b.String()
}

func renderEKuiper(b *strings.Builder, e *ekuiperReport) {
	b.WriteString("### eKuiper (Go peer engine)\n\n")
	if e.Err != "" {
		fmt.Fprintf(b, "eKuiper %s could not be measured: %s\n\n", e.Version, mdEscape(e.Err))
		return
	}
	fmt.Fprintf(b, "eKuiper %s, built from the module proxy (`benchmarks/nexmark/ekuiper`, CGO_ENABLED=0, "+
		"build %s), headless on 127.0.0.1, one server per rule. Input: the bids file of the same-file table "+
		"(%s bids, %s of JSON lines) read once by a file stream; "+
		"rules with `disableBufferFullDiscard: true`, results into eKuiper's `nop` sink. Rates count the %s bids; "+
		"CPU is the server process's user + system time from rule start to \"done\". "+
		"Every rule is checked to have read all bids with 0 exceptions.\n\n",
		e.Version, seconds(e.Build), count(e.Events), mib(e.InputBytes/1024), count(e.Events))
	b.WriteString("| rule | events/s (wall) | events/CPU-s | peak RSS | rows out | check |\n|---|---|---|---|---|---|\n")
	for _, r := range e.Rules {
		if r.Err != "" {
			fmt.Fprintf(b, "| %s | | | | | failed: %s |\n", r.Name, mdEscape(r.Err))
			continue
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", r.Name, count(int64(r.Usage.perWall(e.Events))),
			count(int64(r.Usage.perCPU(e.Events))), mib(r.Usage.MaxRSSKB), count(r.RowsOut), r.Check)
	}
	b.WriteString("\n")
	for _, n := range e.Notes {
		b.WriteString(n + "\n")
	}
	if len(e.Notes) > 0 {
		b.WriteString("\n")
	}
}

// replaceSection puts section between the nexmark markers of the file,
// appending the markers when the file has none.
func replaceSection(path, section string) error {
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	return os.WriteFile(path, []byte(spliceSection(string(data), section)), 0o644)
}

func spliceSection(doc, section string) string {
	block := sectionBegin + "\n" + strings.TrimRight(section, "\n") + "\n" + sectionEnd
	begin := strings.Index(doc, sectionBegin)
	end := strings.Index(doc, sectionEnd)
	if begin >= 0 && end > begin {
		return doc[:begin] + block + doc[end+len(sectionEnd):]
	}
	if doc != "" && !strings.HasSuffix(doc, "\n") {
		doc += "\n"
	}
	if doc != "" {
		doc += "\n"
	}
	return doc + block + "\n"
}

// count formats a number the way the docs do: 17.5M, 379K, 74,752.
func count(n int64) string {
	switch {
	case n >= 10_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 1_000_000:
		return fmt.Sprintf("%.2fM", float64(n)/1e6)
	case n >= 100_000:
		return fmt.Sprintf("%.0fK", float64(n)/1e3)
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func mib(kb int64) string { return fmt.Sprintf("%.0f MiB", float64(kb)/1024) }

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
