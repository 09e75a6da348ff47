package iceberg_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go/catalog/hadoop"
	"github.com/apache/iceberg-go/table"
)

// ReadTable reads table ident of the warehouse back through iceberg-go's
// scan, each row as "col=value ..." in the order of cols, sorted.
func ReadTable(t *testing.T, warehouse string, ident table.Identifier, cols ...string) []string {
	t.Helper()
	cat, err := hadoop.NewCatalog("test", warehouse, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	tbl, err := cat.LoadTable(context.Background(), ident)
	if err != nil {
		t.Fatal(err)
	}
	at, err := tbl.Scan().ToArrowTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer at.Release()
	var out []string
	tr := array.NewTableReader(at, 4096)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			var fields []string
			for _, c := range cols {
				idx := rec.Schema().FieldIndices(c)
				if len(idx) != 1 {
					t.Fatalf("the table has no column %s: %s", c, rec.Schema())
				}
				a := rec.Column(idx[0])
				v := a.ValueStr(i)
				if ts, ok := a.(*array.Timestamp); ok && !a.IsNull(i) {
					v = ts.Value(i).ToTime(arrow.Microsecond).UTC().Format(time.DateTime)
				}
				fields = append(fields, c+"="+v)
			}
			out = append(out, strings.Join(fields, " "))
		}
	}
	slices.Sort(out)
	return out
}

// TestEndToEnd builds a job from SQL alone with laminarc: trades -> a
// filter view and a one-minute tumbling aggregate (EMIT ON WINDOW CLOSE) ->
// two Iceberg tables, one partitioned by symbol (PARTITIONED BY) and one by
// window start; run with a state dir (exactly-once by epoch, checkpoints
// every few ms) and again without one into another warehouse (appended at
// the end). Both tables, read back with iceberg-go's scan, hold exactly
// the rows computed here in Go from the input.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds laminarc and a job")
	}
	dir := t.TempDir()
	laminarc := filepath.Join(dir, "laminarc")
	if out, err := exec.Command("go", "build", "-o", laminarc, "github.com/laminar-sql/laminar/cmd/laminarc").CombinedOutput(); err != nil {
		t.Fatalf("building laminarc: %v\n%s", err, out)
	}
	type trade struct {
		sym    string
		price  float64
		volume int64
		ts     time.Time
	}
	r := rand.New(rand.NewPCG(12, 12))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var trades []trade
	var in strings.Builder
	for i := range 5000 {
		tr := trade{fmt.Sprintf("S%d", r.IntN(5)), float64(100+r.IntN(50)) + 0.25, int64(1 + r.IntN(500)), base.Add(time.Duration(i) * 100 * time.Millisecond)}
		trades = append(trades, tr)
		fmt.Fprintf(&in, `{"symbol":%q,"price":%v,"volume":%d,"ts":%q}`+"\n", tr.sym, tr.price, tr.volume, tr.ts.Format(time.RFC3339Nano))
	}
	in.WriteString("{not json\n") // a dead letter, not a row
	if err := os.WriteFile(filepath.Join(dir, "input.jsonl"), []byte(in.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sql := `CREATE SOURCE trades (symbol VARCHAR NOT NULL, price DOUBLE, volume BIGINT NOT NULL, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH (connector = 'file', path = 'input.jsonl', format = 'json');
CREATE VIEW big AS SELECT symbol, price, volume, ts, volume > 400 AS huge FROM trades WHERE volume > 250;
CREATE SINK big_out FROM big PARTITIONED BY (symbol) WITH (connector = 'iceberg', warehouse = 'wh', namespace = 'market', table = 'big');
CREATE VIEW per_minute AS
SELECT symbol, window_start, COUNT(*) AS n, SUM(volume) AS vol
FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE) GROUP BY symbol, window_start EMIT ON WINDOW CLOSE;
CREATE SINK minute_out FROM per_minute WITH (connector = 'iceberg', warehouse = 'wh', table = 'market.per_minute', partitioned_by = 'window_start');
`
	if err := os.WriteFile(filepath.Join(dir, "p.sql"), []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	job := filepath.Join(dir, "job")
	build := exec.Command(laminarc, "build", filepath.Join(dir, "p.sql"), "-o", job)
	build.Env = append(os.Environ(), "LAMINAR_CACHE="+filepath.Join(dir, "cache"))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("laminarc build: %v\n%s", err, out)
	}

	var wantBig []string
	type key struct {
		sym string
		ws  time.Time
	}
	agg := map[key][2]int64{}
	for _, tr := range trades {
		if tr.volume > 250 {
			wantBig = append(wantBig, fmt.Sprintf("symbol=%s price=%v volume=%d ts=%s huge=%v", tr.sym, tr.price, tr.volume, tr.ts.Format(time.DateTime), tr.volume > 400))
		}
		k := key{tr.sym, tr.ts.Truncate(time.Minute)}
		a := agg[k]
		agg[k] = [2]int64{a[0] + 1, a[1] + tr.volume}
	}
	slices.Sort(wantBig)
	var wantAgg []string
	for k, a := range agg {
		wantAgg = append(wantAgg, fmt.Sprintf("symbol=%s window_start=%s n=%d vol=%d", k.sym, k.ws.Format(time.DateTime), a[0], a[1]))
	}
	slices.Sort(wantAgg)

	for _, run := range []struct {
		name string
		args []string
	}{
		{"exactly-once", []string{"--state-dir", filepath.Join(dir, "state"), "--checkpoint-interval", "5ms", "--batch-size", "16"}},
		{"at-least-once", nil},
	} {
		t.Run(run.name, func(t *testing.T) {
			runDir := t.TempDir()
			os.Symlink(filepath.Join(dir, "input.jsonl"), filepath.Join(runDir, "input.jsonl"))
			cmd := exec.Command(job, append([]string{"--base-dir", runDir, "--dead-letter", filepath.Join(runDir, "dead.jsonl")}, run.args...)...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("job: %v\n%s", err, out)
			}
			wh := filepath.Join(runDir, "wh")
			if got := ReadTable(t, wh, table.Identifier{"market", "big"}, "symbol", "price", "volume", "ts", "huge"); !slices.Equal(got, wantBig) {
				t.Errorf("market.big: %d rows, want %d\n%s", len(got), len(wantBig), diff(got, wantBig))
			}
			if got := ReadTable(t, wh, table.Identifier{"market", "per_minute"}, "symbol", "window_start", "n", "vol"); !slices.Equal(got, wantAgg) {
				t.Errorf("market.per_minute: %d rows, want %d\n%s", len(got), len(wantAgg), diff(got, wantAgg))
			}
			// with a state dir, one snapshot per epoch that had rows, each
			// with the sink's epoch, in increasing order; without, one at
			// the end. How many epochs the run has depends on how fast it
			// reads, so only their order is checked (TestCrashIceberg and
			// the commit tests cover many epochs).
			snaps := snapshots(t, wh, table.Identifier{"market", "big"})
			t.Logf("market.big: %d snapshots", len(snaps))
			if len(snaps) == 0 || (run.args == nil && len(snaps) != 1) {
				t.Errorf("market.big has %d snapshots: %v", len(snaps), snaps)
			}
			if run.args != nil {
				last := int64(0)
				for _, e := range snaps {
					n, err := strconv.ParseInt(e, 10, 64)
					if err != nil || n <= last {
						t.Errorf("market.big's snapshots carry epochs %v, want increasing numbers", snaps)
						break
					}
					last = n
				}
			}
			parts, _ := filepath.Glob(filepath.Join(wh, "market", "big", "data", "symbol=*"))
			if len(parts) != 5 {
				t.Errorf("market.big has partitions %v, want symbol=S0..S4", parts)
			}
			if dead, _ := os.ReadFile(filepath.Join(runDir, "dead.jsonl")); !strings.Contains(string(dead), "not json") {
				t.Errorf("dead letters: %q", dead)
			}
		})
	}
}

// snapshots are the laminar.epoch of each snapshot of a table.
func snapshots(t *testing.T, warehouse string, ident table.Identifier) []string {
	cat, err := hadoop.NewCatalog("test", warehouse, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	tbl, err := cat.LoadTable(context.Background(), ident)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range tbl.Metadata().Snapshots() {
		out = append(out, s.Summary.Properties["laminar.epoch"])
	}
	return out
}

// diff shows the first rows only one side has.
func diff(got, want []string) string {
	var b strings.Builder
	for _, g := range got {
		if !slices.Contains(want, g) && b.Len() < 2000 {
			fmt.Fprintf(&b, "only in the table: %s\n", g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) && b.Len() < 4000 {
			fmt.Fprintf(&b, "missing: %s\n", w)
		}
	}
	return b.String()
}
