package crash

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// procTimeKillsEnv sets how many times TestCrashProcTimeWindow kills its
// job (default 20).
const procTimeKillsEnv = "LAMINAR_PROCTIME_KILLS"

// Nexmark q12's shape on the trades: a count per symbol per tumbling
// window of processing time (PROCTIME() in a view, Flink's TVF). The
// windows are 2 s of the wall clock, so a kill lands while a window is
// open and counting (its groups are in the checkpoint the restart loads),
// and windows also close while the job runs and while it is down (closed
// by the first batch or timer tick after the restart).
const procTimeWindow = `CREATE VIEW B AS SELECT *, PROCTIME() AS p_time FROM trades;
CREATE MATERIALIZED VIEW v AS
SELECT symbol, COUNT(*) AS n, SUM(volume) AS volume, window_start, window_end
FROM TABLE(TUMBLE(TABLE B, DESCRIPTOR(p_time), INTERVAL '2' SECOND))
GROUP BY symbol, window_start, window_end;
`

// TestCrashProcTimeWindow kills a job with open processing-time windows
// and restarts it until it finishes. Which window a row falls in depends on
// when it was processed, so the rows differ from an uninterrupted run's;
// what must not differ (docs/dialect.md, "Processing time"): per symbol,
// the counts and volumes of its windows add up to the uninterrupted run's
// (a window's groups restored from the checkpoint, rows after it read
// again from the source's checkpointed offset: nothing lost, nothing
// counted twice); every window is 2 s and aligned; no symbol has two rows
// for one window.
func TestCrashProcTimeWindow(t *testing.T) {
	skipShort(t)
	kills := 20
	if v := os.Getenv(procTimeKillsEnv); v != "" {
		kills, _ = strconv.Atoi(v)
	}
	crashRunsKills(t, buildJob(t, source("file")+procTimeWindow+sink, false, input(60_000)), sameProcTotals, 40*time.Millisecond, kills)
}

// sameProcTotals compares two outputs of procTimeWindow by their totals
// per symbol, and checks the shape of got's windows.
func sameProcTotals(t *testing.T, got, want string) {
	t.Helper()
	g, gw := procTotals(t, got)
	w, _ := procTotals(t, want)
	if !equalTotals(g, w) {
		var diffs []string
		for _, s := range sortedKeys(w) {
			if g[s] != w[s] {
				diffs = append(diffs, fmt.Sprintf("%s: %v, want %v", s, g[s], w[s]))
			}
		}
		for _, s := range sortedKeys(g) {
			if _, ok := w[s]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s: %v, not in the uninterrupted run", s, g[s]))
			}
		}
		t.Errorf("per symbol, the counts and volumes of the windows differ from the uninterrupted run's (%d windows):\n%s", gw, strings.Join(diffs, "\n"))
	}
	if len(w) == 0 {
		t.Errorf("the uninterrupted run counted nothing")
	}
}

// procTotals sums count and volume per symbol over the windows of an
// output, checking each window's shape; it returns the totals and the
// number of distinct windows.
func procTotals(t *testing.T, output string) (map[string][2]int64, int) {
	t.Helper()
	totals := map[string][2]int64{}
	seen := map[string]bool{}
	windows := map[string]bool{}
	for line := range strings.Lines(output) {
		var row struct {
			Symbol      string `json:"symbol"`
			N           int64  `json:"n"`
			Volume      int64  `json:"volume"`
			WindowStart string `json:"window_start"`
			WindowEnd   string `json:"window_end"`
			Op          string `json:"_op"`
		}
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("output line %q: %v", line, err)
		}
		start, err1 := time.Parse(time.RFC3339Nano, row.WindowStart)
		end, err2 := time.Parse(time.RFC3339Nano, row.WindowEnd)
		switch {
		case err1 != nil || err2 != nil:
			t.Errorf("output line %q: window bounds are not timestamps", line)
		case row.Op != "":
			t.Errorf("output line %q: a processing-time window is append-only", line)
		case end.Sub(start) != 2*time.Second || start.UnixMicro()%2_000_000 != 0:
			t.Errorf("output line %q: the window is not 2 s long and aligned", line)
		case row.N <= 0:
			t.Errorf("output line %q: a window's count is positive", line)
		}
		key := row.Symbol + "@" + row.WindowStart
		if seen[key] {
			t.Errorf("symbol %s has two rows for window %s", row.Symbol, row.WindowStart)
		}
		seen[key] = true
		windows[row.WindowStart] = true
		tot := totals[row.Symbol]
		totals[row.Symbol] = [2]int64{tot[0] + row.N, tot[1] + row.Volume}
	}
	return totals, len(windows)
}

func equalTotals(a, b map[string][2]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string][2]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
