package main

import (
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestOrderByPerWindow: ORDER BY window_start, cnt DESC, bidder in a
// windowed query emits each window's rows, at its close, in that order, and
// the windows in time order, whatever the batch size (1, 7, 1024: a batch
// may close one window or several).
func TestOrderByPerWindow(t *testing.T) {
	sql := "CREATE SOURCE bid (bidder BIGINT NOT NULL, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (connector = 'file', path = 'bids.jsonl', format = 'json');\n" +
		"CREATE VIEW v AS SELECT bidder, COUNT(*) AS cnt, window_start FROM TUMBLE(bid, ts, INTERVAL '10' SECOND) GROUP BY bidder, window_start, window_end ORDER BY window_start, cnt DESC, bidder;\n" +
		"CREATE SINK o FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n"
	var in strings.Builder
	type group struct{ ws, bidder, n int64 }
	counts := map[[2]int64]int64{}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := int64(0); i < 700; i++ {
		bidder := (i*i + 3*i) % 11
		us := i * 150_000 // 0.15 s apart: 10 s windows of about 67 rows
		fmt.Fprintf(&in, "{\"bidder\": %d, \"ts\": %q}\n", bidder, base.Add(time.Duration(us)*time.Microsecond).Format(time.RFC3339Nano))
		ws := base.UnixMicro() + us - us%10_000_000
		counts[[2]int64{ws, bidder}]++
	}
	var groups []group
	for k, n := range counts {
		groups = append(groups, group{k[0], k[1], n})
	}
	slices.SortFunc(groups, func(a, b group) int {
		return cmp.Or(cmp.Compare(a.ws, b.ws), cmp.Compare(b.n, a.n), cmp.Compare(a.bidder, b.bidder))
	})
	var want strings.Builder
	for _, g := range groups {
		fmt.Fprintf(&want, "{\"bidder\":%d,\"cnt\":%d,\"window_start\":%q}\n", g.bidder, g.n, time.UnixMicro(g.ws).UTC().Format(time.RFC3339))
	}
	dir, bin := buildPipeline(t, sql, map[string]string{"bids.jsonl": in.String()})
	for _, batch := range []string{"1", "7", "1024"} {
		os.Remove(filepath.Join(dir, "out.jsonl"))
		if out, err := exec.Command(bin, "--base-dir", dir, "--quiet", "--batch-size", batch).CombinedOutput(); err != nil {
			t.Fatalf("batch size %s: %v\n%s", batch, err, out)
		}
		got, err := os.ReadFile(filepath.Join(dir, "out.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want.String() {
			t.Errorf("batch size %s: rows out of order or wrong:\n--- got\n%s--- want\n%s", batch, got, want.String())
		}
	}
}
