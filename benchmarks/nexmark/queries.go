package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// query is one file of benchmarks/nexmark/queries.
type query struct {
	Name        string // file name without .sql: q0, q5_counts
	Path        string
	SQL         string
	Unsupported string // what the dialect is missing; "" when the query runs
}

const unsupportedPrefix = "-- unsupported:"

// loadQueries reads every .sql file of dir, in suite order (q2 before q10).
func loadQueries(dir string) ([]query, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	var qs []query
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		q := query{Name: strings.TrimSuffix(filepath.Base(p), ".sql"), Path: p, SQL: string(data)}
		first, _, _ := strings.Cut(q.SQL, "\n")
		if rest, ok := strings.CutPrefix(first, unsupportedPrefix); ok {
			q.Unsupported = strings.TrimSpace(rest)
		}
		qs = append(qs, q)
	}
	sort.Slice(qs, func(i, j int) bool { return lessQueryName(qs[i].Name, qs[j].Name) })
	return qs, nil
}

// lessQueryName orders q2 < q5 < q5_counts < q10 (by number, then suffix).
func lessQueryName(a, b string) bool {
	na, sa := splitQueryName(a)
	nb, sb := splitQueryName(b)
	if na != nb {
		return na < nb
	}
	return sa < sb
}

func splitQueryName(name string) (int, string) {
	digits := strings.TrimPrefix(name, "q")
	end := 0
	for end < len(digits) && digits[end] >= '0' && digits[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(digits[:end])
	if err != nil {
		return 1 << 30, name
	}
	return n, digits[end:]
}

// selectQueries keeps the queries named in a comma-separated list ("" = all).
func selectQueries(all []query, list string) ([]query, error) {
	if strings.TrimSpace(list) == "" {
		return all, nil
	}
	byName := map[string]query{}
	for _, q := range all {
		byName[q.Name] = q
	}
	var out []query
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		q, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("no query %q in benchmarks/nexmark/queries", name)
		}
		out = append(out, q)
	}
	return out, nil
}

var (
	eventsOption = regexp.MustCompile(`(?i)\bevents\s*=\s*'[^']*'`)
	rateOption   = regexp.MustCompile(`(?i)\brate\s*=\s*'([^']*)'`)
	seedOption   = regexp.MustCompile(`(?i)\bseed\s*=\s*'([^']*)'`)
)

// withEvents sets the events option of every nexmark source of a pipeline.
func withEvents(sql string, events int64) string {
	return eventsOption.ReplaceAllString(sql, fmt.Sprintf("events = '%d'", events))
}

// generatorOptions reads the rate and seed of a pipeline's nexmark sources, so
// that the hand-written baseline generates the same events. The queries of the
// suite give every source the same values.
func generatorOptions(sql string) (rate float64, seed int64, err error) {
	rate, seed = 10_000_000, 0
	if m := rateOption.FindStringSubmatch(sql); m != nil {
		if rate, err = strconv.ParseFloat(strings.ReplaceAll(m[1], "_", ""), 64); err != nil {
			return 0, 0, fmt.Errorf("rate option: %w", err)
		}
	}
	if m := seedOption.FindStringSubmatch(sql); m != nil {
		if seed, err = strconv.ParseInt(strings.ReplaceAll(m[1], "_", ""), 10, 64); err != nil {
			return 0, 0, fmt.Errorf("seed option: %w", err)
		}
	}
	return rate, seed, nil
}

// baselineFor names the hand-written baseline of a query and whether it
// computes the whole suite query while the compiled file is only a part of it
// (q5_counts is the counting part of q5).
// changelogBaseline are the queries whose compiled view is updating: its rows
// out are changes (a retraction and an insertion per group and batch), which
// net to the baseline's final rows, so the counts differ by design.
var changelogBaseline = map[string]bool{"q15": true, "q16": true, "q15_split": true, "q16_split": true}

func baselineFor(name string) (baseline string, whole bool) {
	switch name {
	case "q0", "q1", "q2", "q3", "q8", "q9", "q11", "q15", "q16", "q18", "q20", "chain3":
		return name, false
	case "q5_counts":
		return "q5", true
	case "q7_max":
		return "q7", true
	case "q15_split", "q16_split": // the same query with split distinct
		return strings.TrimSuffix(name, "_split"), false
	}
	return "", false
}
