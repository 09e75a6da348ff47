package nexmarkdiff

import (
	"fmt"
	"strings"
	"time"
)

// procShape describes a query whose windows are on processing time (q12):
// its rows depend on when the job runs, so they are checked for shape and
// counts rather than compared row by row. DuckDB's answer then has one row
// per group with the total count; the windows' columns are NULL there.
type procShape struct {
	Keys       []int // the group's columns (bidder)
	Count      int   // the count column
	Start, End int   // the window bound columns
	Size       int64 // window size, µs
}

// checkProcShape checks Laminar's rows of a processing-time window query:
// every window is Size long and aligned to it, and lies within the run
// (between before and after on the wall clock); no group has two rows for
// one window; and per group, the counts of its windows sum to DuckDB's total
// count, for exactly DuckDB's groups.
func checkProcShape(want, got []Row, s *procShape, before, after time.Time) []string {
	var problems []string
	bad := func(format string, args ...any) {
		if len(problems) < 10 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	key := func(r Row) string {
		var parts []string
		for _, k := range s.Keys {
			parts = append(parts, fmt.Sprint(r[k]))
		}
		return strings.Join(parts, "|")
	}
	lo := before.UnixMicro() - before.UnixMicro()%s.Size
	hi := after.UnixMicro() + s.Size
	totals := map[string]int64{}
	seen := map[string]bool{}
	for _, r := range got {
		start, _ := r[s.Start].(int64)
		end, _ := r[s.End].(int64)
		n, _ := r[s.Count].(int64)
		switch {
		case end-start != s.Size:
			bad("window [%d, %d) of group %s is not %d µs long", start, end, key(r), s.Size)
		case start%s.Size != 0:
			bad("window [%d, %d) of group %s is not aligned to its size", start, end, key(r))
		case start < lo || end > hi:
			bad("window [%s, %s) of group %s is outside the run [%s, %s]", time.UnixMicro(start).UTC(), time.UnixMicro(end).UTC(), key(r), before.UTC(), after.UTC())
		case n <= 0:
			bad("group %s has count %d in window %d", key(r), n, start)
		}
		w := key(r) + "@" + fmt.Sprint(start)
		if seen[w] {
			bad("group %s has two rows for window %d", key(r), start)
		}
		seen[w] = true
		totals[key(r)] += n
	}
	for _, r := range want {
		k := key(r)
		n, _ := r[s.Count].(int64)
		if totals[k] != n {
			bad("group %s: its windows count %d, DuckDB counts %d", k, totals[k], n)
		}
		delete(totals, k)
	}
	for k, n := range totals {
		bad("group %s (count %d) is not in DuckDB's answer", k, n)
	}
	return problems
}
