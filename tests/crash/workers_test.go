package crash

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWorkersIdleInput: a job on 2 and 3 workers reading a FIFO whose writer
// has sent some rows and waits. The rows' output reaches the output file
// without more input (a round does not wait for a batch per worker), a
// checkpoint covering the rows is taken while the input is idle, and an
// interrupt stops the job while it waits.
func TestWorkersIdleInput(t *testing.T) {
	skipShort(t)
	j := buildJob(t, source("file")+updating+sink, false, nil)
	for _, workers := range []int{2, 3} {
		dir := t.TempDir()
		fifo := filepath.Join(dir, "input.jsonl")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		cmd := j.command(dir, true, 1024, workers)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		rows := `{"symbol":"A","price":1,"volume":2,"ts":"2024-01-01T00:00:00Z"}
{"symbol":"B","price":3,"volume":4,"ts":"2024-01-01T00:00:01Z"}
{"symbol":"A","price":5,"volume":6,"ts":"2024-01-01T00:00:02Z"}
`
		if _, err := w.WriteString(rows); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "output.jsonl")
		deadline := time.Now().Add(20 * time.Second)
		for {
			data, _ := os.ReadFile(out)
			if strings.Contains(string(data), `"symbol":"A","n":2`) && strings.Contains(string(data), `"symbol":"B","n":1`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d workers: output file holds %q while the job waits for input\n%s", workers, data, stderr.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
		// a checkpoint past the rows, taken while the input is idle
		for {
			manifests, _ := filepath.Glob(filepath.Join(dir, "state", "checkpoints", "cp-*[0-9]", "MANIFEST"))
			found := false
			for _, m := range manifests {
				data, _ := os.ReadFile(m)
				if !strings.Contains(m, ".tmp-") && strings.Contains(string(data), `"offset": 192`) {
					found = true
				}
			}
			if found {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d workers: no checkpoint at offset 192 while the input is idle: %v\n%s", workers, manifests, stderr.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%d workers: the job did not stop on an interrupt while its input was idle\n%s", workers, stderr.String())
		}
		w.Close()
	}
}

// TestWorkersGeneratorLateRows: the late rows of a Nexmark source (a typed
// source, whose rows move between workers as the columns the views read)
// are written with every column and in input order whatever the number of
// workers: the late file at 2 and 3 workers is the one-worker run's, byte
// for byte, and the output the same multiset.
func TestWorkersGeneratorLateRows(t *testing.T) {
	skipShort(t)
	sql := `CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime"
) WITH (connector = 'nexmark', events = '60000', rate = '10000', seed = '3', out_of_order_group = '5001');
CREATE MATERIALIZED VIEW v AS
SELECT auction, COUNT(*) AS num, window_start, window_end
FROM TUMBLE(bid, "dateTime", INTERVAL '1' SECOND)
GROUP BY auction, window_start, window_end;
` + sink
	j := buildJob(t, sql, false, nil)
	run := func(workers int) map[string]string {
		dir := j.newRunDir(t)
		if out, err := j.command(dir, false, 1024, workers).CombinedOutput(); err != nil {
			t.Fatalf("%d workers: %v\n%s", workers, err, out)
		}
		return readOutputs(t, dir)
	}
	want := run(1)
	late := want["p.late.jsonl"]
	if strings.Count(late, "\n") < 1000 || !strings.Contains(late, `\"url\":\"https://`) {
		t.Fatalf("the one-worker run should write late rows with their url: %.300s", late)
	}
	for _, workers := range []int{2, 3} {
		got := run(workers)
		if got["p.late.jsonl"] != late {
			t.Errorf("%d workers: the late rows differ from one worker's:\n%.600s\nwant\n%.600s", workers, got["p.late.jsonl"], late)
		}
		sameMultiset(t, got["output.jsonl"], want["output.jsonl"])
	}
}

// TestWorkersLateThroughViews: a window over a view of the source (an
// operator of its own, with a sink) while LATE(source) is read: its late
// rows are the source's rows, found on the worker owning their key, whose
// loop over a part keeps the row it is at (a typed source's record by its
// index in the chunk, generated again when late). Over the Nexmark generator
// and over a file, the late file and the dead letters at 2 and 3 workers are
// the one-worker run's byte for byte, LATE(source)'s sink and the window's
// output the same multisets; over the file, kills and restarts at 1, 2 and
// 3 workers keep the output.
func TestWorkersLateThroughViews(t *testing.T) {
	skipShort(t)
	const nexmark = `CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime"
) WITH (connector = 'nexmark', events = '60000', rate = '10000', seed = '3', out_of_order_group = '5001');
CREATE VIEW f AS SELECT auction, price, "dateTime" FROM bid WHERE price > 100;
CREATE SINK fs FROM f WITH (connector = 'blackhole');
CREATE MATERIALIZED VIEW v AS
SELECT auction, COUNT(*) AS num, window_start, window_end
FROM TUMBLE(f, "dateTime", INTERVAL '1' SECOND)
GROUP BY auction, window_start, window_end;
CREATE VIEW l AS SELECT view, auction, bidder, url, "dateTime" FROM LATE(bid);
CREATE SINK ls FROM l WITH (connector = 'file', path = 'late_stream.jsonl', format = 'json');
`
	const file = `CREATE VIEW f AS SELECT symbol, price, ts FROM trades WHERE volume > 100;
CREATE SINK fs FROM f WITH (connector = 'blackhole');
CREATE MATERIALIZED VIEW v AS
SELECT symbol, window_start, window_end, COUNT(*) AS n, MAX(price) AS high
FROM TUMBLE(f, ts, INTERVAL '10' SECOND)
GROUP BY symbol, window_start, window_end;
CREATE VIEW l AS SELECT view, symbol, price, volume, ts FROM LATE(trades);
CREATE SINK ls FROM l WITH (connector = 'file', path = 'late_stream.jsonl', format = 'json');
`
	// the window grouped by a bucket of volumes while a count per symbol
	// splits the source's rows by symbol: f's rows are re-exchanged by
	// bucket, each carrying the source's row it came from, which the
	// bucket's owner reports when it finds it late
	const reexchanged = `CREATE VIEW c AS SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol;
CREATE SINK cs FROM c WITH (connector = 'blackhole');
CREATE VIEW f AS SELECT symbol, volume / 100 AS bucket, price, ts FROM trades WHERE volume > 100;
CREATE SINK fs FROM f WITH (connector = 'blackhole');
CREATE MATERIALIZED VIEW v AS
SELECT bucket, window_start, window_end, COUNT(*) AS n, MAX(price) AS high
FROM TUMBLE(f, ts, INTERVAL '10' SECOND)
GROUP BY bucket, window_start, window_end;
CREATE VIEW l AS SELECT view, symbol, price, volume, ts FROM LATE(trades);
CREATE SINK ls FROM l WITH (connector = 'file', path = 'late_stream.jsonl', format = 'json');
`
	for _, c := range []struct {
		name, sql string
		in        []byte
	}{
		{"nexmark", nexmark + sink, nil},
		{"file", source("file") + file + sink, input(60_000)},
		{"file, re-exchanged", source("file") + reexchanged + sink, input(60_000)},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "p.sql")
			if err := os.WriteFile(p, []byte(c.sql), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(laminarc, "explain", p).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "Workers: --workers N, rows of source") {
				t.Fatalf("a window over a view while LATE(source) is read must split among workers: %v\n%s", err, out)
			}
			j := buildJob(t, "-- on several workers\n"+c.sql, false, c.in)
			run := func(batchSize, workers int) map[string]string {
				dir := j.newRunDir(t)
				if out, err := j.command(dir, false, batchSize, workers).CombinedOutput(); err != nil {
					t.Fatalf("%d workers: %v\n%s", workers, err, out)
				}
				got := readOutputs(t, dir)
				data, _ := os.ReadFile(filepath.Join(dir, "late_stream.jsonl"))
				got["late_stream.jsonl"] = string(data)
				return got
			}
			want := run(1024, 1)
			if n := strings.Count(want["p.late.jsonl"], "\n"); n < 20 || n != strings.Count(want["late_stream.jsonl"], "\n") {
				t.Fatalf("the one-worker run should write as many late rows to LATE(source) as to the late file: %d, %d", n, strings.Count(want["late_stream.jsonl"], "\n"))
			}
			for _, r := range [][2]int{{1, 2}, {7, 3}, {1024, 2}, {1024, 3}} {
				got := run(r[0], r[1])
				for _, name := range []string{"p.late.jsonl", "p.dead.jsonl"} {
					if got[name] != want[name] {
						t.Errorf("batch size %d, %d workers: %s differs from one worker's:\n%s", r[0], r[1], name, firstDiff(got[name], want[name]))
					}
				}
				// a sink's rows come worker by worker in a round
				sameMultiset(t, got["late_stream.jsonl"], want["late_stream.jsonl"])
				sameMultiset(t, got["output.jsonl"], want["output.jsonl"])
			}
			if c.in != nil {
				j.workers = []int{1, 2, 3}
				crashRunsKills(t, j, sameMultiset, 40*time.Millisecond, 15)
			}
		})
	}
}

// TestCrashWorkersSession: session windows split by their key (PARTITION BY
// symbol) on 1, 2 and 3 workers, the count picked anew at every restart: the
// open sessions of a checkpoint re-partition by key at load, and the output
// is the uninterrupted one-worker run's, as a multiset.
func TestCrashWorkersSession(t *testing.T) {
	skipShort(t)
	// a comment of its own: TestCrashSession builds the same pipeline, and
	// two concurrent builds of one pipeline share laminarc's cache entry
	j := buildJob(t, "-- on several workers\n"+source("file")+sessions+sink, false, input(sessionRows()))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameMultiset, 40*time.Millisecond, sessionKills())
}

// TestCrashWorkersLateness: sessions under EMIT CHANGES with ALLOWED
// LATENESS, and a CUMULATE window, split by key on 1, 2 and 3 workers, the
// count picked anew at every restart: the output nets to the uninterrupted
// one-worker run's table (or is its multiset).
func TestCrashWorkersLateness(t *testing.T) {
	skipShort(t)
	j := buildJob(t, "-- on several workers\n"+source("file")+sessionChanges+sink, false, input(sessionRows()))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameTable, 40*time.Millisecond, sessionKills())
}

func TestCrashWorkersCumulate(t *testing.T) {
	skipShort(t)
	cumulate := `CREATE MATERIALIZED VIEW v AS
SELECT symbol, window_start, window_end, COUNT(*) AS n, SUM(volume) AS volume
FROM TABLE(CUMULATE(TABLE trades, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
GROUP BY symbol, window_start, window_end;
`
	j := buildJob(t, source("file")+cumulate+sink, false, input(sessionRows()))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameMultiset, 40*time.Millisecond, sessionKills())
}

// TestCrashWorkersCountOfCounts: a count of counts (an aggregate over an
// updating view, grouped by a key of its own) on 1, 2 and 3 workers, the
// count picked anew at every restart: the first view's rows are exchanged
// by symbol, its changes re-exchanged by hundreds to the worker owning that
// group; each checkpoint re-partitions both views' groups by their own key
// at load, and the output nets to the uninterrupted one-worker run's table.
func TestCrashWorkersCountOfCounts(t *testing.T) {
	skipShort(t)
	j := buildJob(t, "-- on several workers\n"+source("file")+countOfCounts+sink, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameTable, 40*time.Millisecond, 20)
}

// TestCrashWorkersRollup: a windowed view over a windowed view (10 s windows
// rolled up into minutes by symbol, the same key) on 1, 2 and 3 workers: the
// output is the uninterrupted one-worker run's multiset.
func TestCrashWorkersRollup(t *testing.T) {
	skipShort(t)
	j := buildJob(t, "-- on several workers\n"+source("file")+rollup+sink, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameMultiset, 40*time.Millisecond, 20)
}

// TestCrashWorkersIntervalJoin: a LEFT interval join of two views over one
// source by symbol on 1, 2 and 3 workers, the count picked anew at every
// restart: both sides' rows of a symbol and their state are on its worker,
// the unmatched rows come out NULL-padded there as the watermark drops them,
// and a checkpoint's join state re-partitions by symbol at load. The output
// is the uninterrupted one-worker run's multiset, the late rows its own.
func TestCrashWorkersIntervalJoin(t *testing.T) {
	skipShort(t)
	j := buildJob(t, "-- on several workers\n"+source("file")+columnIntervalJoin+sink, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameMultiset, 40*time.Millisecond, 20)
}

// TestCrashWorkersOuterJoin: a regular LEFT JOIN whose right input is an
// updating aggregate, by symbol, on 1, 2 and 3 workers: NULL-padded rows
// retracted and re-emitted on the key's worker; the output nets to the
// uninterrupted one-worker run's table.
func TestCrashWorkersOuterJoin(t *testing.T) {
	skipShort(t)
	j := buildJob(t, "-- on several workers\n"+source("file")+outerJoin+sink, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameTable, 40*time.Millisecond, 20)
}

// TestCrashWorkersLookupUpdating: a LEFT lookup join over an updating
// aggregate by symbol (a file table with some symbols twice and some
// missing, through a cache of 5 rows) on 1, 2 and 3 workers, the count
// picked anew at every restart: each worker looks up its own groups' rows
// with a cache of its own and holds the table rows their insertions met;
// a checkpoint's held rows re-partition by symbol at load, so each
// retraction still finds them. The output nets to the uninterrupted
// one-worker run's table.
func TestCrashWorkersLookupUpdating(t *testing.T) {
	skipShort(t)
	crashLookupUpdating(t, lookupCounts, "exchanged by hash of symbol")
}

// TestCrashWorkersLookupReexchanged: the same over a count of counts, whose
// input rows are re-exchanged by hundreds: the lookup join runs on the
// worker owning each hundreds group, after the second exchange, and holds
// that group's rows there (re-split by hundreds at load).
func TestCrashWorkersLookupReexchanged(t *testing.T) {
	skipShort(t)
	crashLookupUpdating(t, lookupCountOfCounts, "re-exchanged by hash of hundreds")
}

// The lookup joins over updating views of the two tests above.
const (
	lookupCounts = `CREATE VIEW counts AS SELECT symbol, COUNT(*) AS n, SUM(volume) AS volume FROM trades GROUP BY symbol;
CREATE MATERIALIZED VIEW v AS
SELECT c.symbol, c.n, c.volume, s.sector, s.weight * c.n AS score
FROM counts AS c LEFT JOIN sectors AS s ON c.symbol = s.symbol;
`
	lookupCountOfCounts = `CREATE VIEW counts AS SELECT symbol, COUNT(*) / 100 AS hundreds FROM trades GROUP BY symbol;
CREATE VIEW cc AS SELECT hundreds, COUNT(*) AS symbols, MIN(symbol) AS first FROM counts GROUP BY hundreds;
CREATE MATERIALIZED VIEW v AS
SELECT cc.hundreds, cc.symbols, s.sector, s.weight FROM cc LEFT JOIN sectors AS s ON cc.first = s.symbol;
`
)

// crashLookupUpdating runs a lookup join over an updating view (views,
// reading table sectors) on 1, 2 and 3 workers with kills, after checking
// that laminarc explain splits it as split says.
func crashLookupUpdating(t *testing.T, views, split string) {
	var table strings.Builder
	for i := range 40 {
		if i%7 == 3 {
			continue // no row: the LEFT join pads it
		}
		fmt.Fprintf(&table, `{"symbol":"S%02d","sector":"sec%d","weight":%d}`+"\n", i, i%4, 1+i%5)
		if i%5 == 0 {
			fmt.Fprintf(&table, `{"symbol":"S%02d","sector":"alt%d","weight":%d}`+"\n", i, i%3, 10+i%3)
		}
	}
	path := filepath.Join(t.TempDir(), "sectors.jsonl")
	if err := os.WriteFile(path, []byte(table.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	pipeline := source("file") + `CREATE TABLE sectors (symbol VARCHAR NOT NULL, sector VARCHAR NOT NULL, weight BIGINT NOT NULL)
  WITH (connector = 'file', path = '` + path + `', format = 'json', cache_rows = '5');
` + views
	j := buildJob(t, "-- on several workers\n"+pipeline+sink, false, input(60_000))
	p := filepath.Join(t.TempDir(), "p.sql")
	if err := os.WriteFile(p, []byte(pipeline+sink), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(laminarc, "explain", p).CombinedOutput(); err != nil || !strings.Contains(string(out), split) {
		t.Fatalf("the lookup join over an updating view must split among workers (%s): %v\n%s", split, err, out)
	}
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameTable, 40*time.Millisecond, 20)
}

// Top-N on workers: a deduplication (the last trade of each symbol) split
// by its PARTITION BY key, and a RANK per bucket of counts over an updating
// aggregate, whose rows are re-exchanged by the bucket (the top-N's own
// PARTITION BY key) to the worker owning its partition.
const (
	workersDedup = `CREATE MATERIALIZED VIEW v AS
SELECT symbol, price, volume, ts FROM trades QUALIFY ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY ts DESC) = 1;
`
	workersTopN = `CREATE VIEW per AS
SELECT symbol, COUNT(*) / 100 AS hundreds, SUM(volume) AS volume FROM trades GROUP BY symbol;
CREATE MATERIALIZED VIEW v AS
SELECT hundreds, symbol, volume, rk FROM (SELECT *, RANK() OVER (PARTITION BY hundreds ORDER BY volume DESC) AS rk FROM per) WHERE rk <= 3;
`
	// workersGlobalTopN: the 5 symbols of most volume over all, a global
	// top-N (no PARTITION BY) over an aggregate split by symbol, its ties
	// ordered by every column (an updating input)
	workersGlobalTopN = `CREATE VIEW per AS
SELECT symbol, COUNT(*) AS n, SUM(volume) AS volume FROM trades GROUP BY symbol;
CREATE MATERIALIZED VIEW v AS SELECT symbol, n, volume FROM per ORDER BY volume DESC, symbol LIMIT 5;
`
)

// TestCrashWorkersGlobalRank: the trades of the 4 highest prices over all
// (RANK, no PARTITION BY, ties all in) on 1, 2 and 3 workers, the count
// picked anew at every restart, beside a count per symbol that splits the
// source's rows: each worker sends the top-N's owner only the rows within
// its own top 4 (no state: a restored worker starts with none and sends
// more), and the output nets to the uninterrupted one-worker run's table.
func TestCrashWorkersGlobalRank(t *testing.T) {
	skipShort(t)
	j := buildJob(t, "-- on several workers\n"+source("file")+`CREATE VIEW per AS SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol;
CREATE MATERIALIZED VIEW v AS SELECT symbol, price, volume, ts FROM trades QUALIFY RANK() OVER (ORDER BY price DESC) <= 4;
CREATE SINK counted FROM per WITH (connector = 'file', path = 'counts.jsonl', format = 'json');
`+sink, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameTable, 40*time.Millisecond, 20)
}

// TestCrashWorkersGlobalTopN: workersGlobalTopN on 1, 2 and 3 workers, the
// count picked anew at every restart: the aggregate's changes are gathered
// on the owner of the top-N's one partition, a checkpoint's partition is
// kept by that owner alone at load (whatever the count), and the output
// nets to the uninterrupted one-worker run's table.
func TestCrashWorkersGlobalTopN(t *testing.T) {
	skipShort(t)
	j := buildJob(t, "-- on several workers\n"+source("file")+workersGlobalTopN+sink, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameTable, 40*time.Millisecond, 20)
}

// TestCrashWorkersDedup: the last trade per symbol on 1, 2 and 3 workers,
// the count picked anew at every restart: each symbol's rows reach its
// worker in input order, a checkpoint's partitions re-split by symbol at
// load, and the output nets to the uninterrupted one-worker run's table.
func TestCrashWorkersDedup(t *testing.T) {
	skipShort(t)
	j := buildJob(t, "-- on several workers\n"+source("file")+workersDedup+sink, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameTable, 40*time.Millisecond, 20)
}

// TestCrashWorkersTopN: the 3 symbols with the most volume per bucket of
// counts on 1, 2 and 3 workers: the aggregate's changes are re-exchanged
// by bucket, the top-N's partitions re-split by bucket at load, and the
// output nets to the uninterrupted one-worker run's table.
func TestCrashWorkersTopN(t *testing.T) {
	skipShort(t)
	j := buildJob(t, "-- on several workers\n"+source("file")+workersTopN+sink, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameTable, 40*time.Millisecond, 20)
}

// workersWindowOverView: 10 s windows over a filtering view (with a sink of
// its own), grouped by a bucket of volumes while the source's rows are split
// by symbol (a count per symbol): the view's rows are re-exchanged by bucket
// with the watermark each had on one engine, and the bucket's worker closes
// its windows; the late rows (2 minutes behind) are late there as on one
// engine.
const workersWindowOverView = `CREATE VIEW counts AS SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol;
CREATE VIEW sized AS SELECT symbol, volume / 100 AS bucket, price, ts FROM trades WHERE price > 110;
CREATE MATERIALIZED VIEW v AS
SELECT bucket, window_start, window_end, COUNT(*) AS n, MAX(price) AS high
FROM TUMBLE(sized, ts, INTERVAL '10' SECOND) GROUP BY bucket, window_start, window_end;
CREATE SINK counted FROM counts WITH (connector = 'file', path = 'counts.jsonl', format = 'json');
CREATE SINK filtered FROM sized WITH (connector = 'file', path = 'sized.jsonl', format = 'json');
`

// TestCrashWorkersWindowOverView: workersWindowOverView on 1, 2 and 3
// workers, the count picked anew at every restart: a checkpoint's windows
// re-split by bucket at load, and the output is the uninterrupted
// one-worker run's multiset.
func TestCrashWorkersWindowOverView(t *testing.T) {
	skipShort(t)
	j := buildJob(t, "-- on several workers\n"+source("file")+workersWindowOverView+sink, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameMultiset, 40*time.Millisecond, 20)
}

// TestCrashWorkersEmitModes: EMIT AFTER WATERMARK over sessions and EMIT
// PERIODICALLY over a tumbling window, both with allowed lateness, split by
// symbol on 1, 2 and 3 workers, the count picked anew at every restart: a
// worker sees its symbols' rows in input order with one engine's watermark
// before each, and the changes waiting across checkpoints re-split with
// their groups; the output nets to the uninterrupted one-worker run's table.
func TestCrashWorkersEmitModes(t *testing.T) {
	skipShort(t)
	for _, c := range []struct{ name, pipeline string }{{"after watermark", sessionAfterWatermark}, {"periodically", periodicTumble}} {
		pipeline := c.pipeline
		t.Run(c.name, func(t *testing.T) {
			j := buildJob(t, "-- on several workers\n"+source("file")+pipeline+sink, false, input(sessionRows()))
			j.workers = []int{1, 2, 3}
			// 20 kills at least: restores at another worker count with
			// changes pending (a lost one showed within 12)
			crashRunsKills(t, j, sameTable, 40*time.Millisecond, max(20, sessionKills()))
		})
	}
}

// TestCrashWorkersLateStream: LATE(trades) of a 10 s window per symbol, sunk,
// on 1, 2 and 3 workers, the count picked anew at every restart: a late row
// is found on its symbol's worker and goes to the sink from there; the
// output is the uninterrupted one-worker run's multiset.
func TestCrashWorkersLateStream(t *testing.T) {
	skipShort(t)
	const late = `CREATE VIEW w AS SELECT symbol, window_start, COUNT(*) AS n FROM TUMBLE(trades, ts, INTERVAL '10' SECOND) GROUP BY symbol, window_start, window_end;
CREATE SINK counted FROM w WITH (connector = 'blackhole');
CREATE MATERIALIZED VIEW v AS SELECT view, symbol, price, ts FROM LATE(trades);
`
	j := buildJob(t, "-- on several workers\n"+source("file")+late+sink, false, input(60_000))
	j.workers = []int{1, 2, 3}
	crashRunsKills(t, j, sameMultiset, 40*time.Millisecond, 20)
}

// stateless is a filter and projection: a pipeline whose rows do not move
// between workers (no key), each worker running its own chunks through its
// engine, whose round has one barrier (the merge's).
const stateless = `CREATE VIEW v AS
SELECT symbol, price, volume, ts FROM trades WHERE volume > 250;
`

// TestCrashWorkersStateless: a stateless pipeline on a file read in byte
// ranges, SIGKILLed and restarted at 1, 2 or 3 workers: each checkpoint is
// a cut at a round's end, so the output and dead-letter files equal an
// uninterrupted run's.
func TestCrashWorkersStateless(t *testing.T) {
	skipShort(t)
	j := buildJob(t, source("file")+stateless+sink, false, splitsInput(40_000))
	j.workers = []int{1, 2, 3}
	j.batchSize = 64
	crashRuns(t, j, sameMultiset)
}

// TestWorkersGeneratorStateless: a stateless pipeline over the Nexmark
// generator, whose workers generate chunks of the stream by event number
// (several rounds of them, and a last one cut short): its output at 2 and
// 3 workers is the one-worker run's byte for byte, in input order.
func TestWorkersGeneratorStateless(t *testing.T) {
	skipShort(t)
	sql := `CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime"
) WITH (connector = 'nexmark', events = '250001', rate = '10000', seed = '5');
CREATE VIEW v AS
SELECT auction, bidder, price, "dateTime" FROM bid WHERE MOD(auction, 7) = 0;
` + sink
	j := buildJob(t, sql, false, nil)
	run := func(workers int) string {
		dir := j.newRunDir(t)
		if out, err := j.command(dir, false, 1024, workers).CombinedOutput(); err != nil {
			t.Fatalf("%d workers: %v\n%s", workers, err, out)
		}
		return readOutputs(t, dir)["output.jsonl"]
	}
	want := run(1)
	if n := strings.Count(want, "\n"); n < 20_000 {
		t.Fatalf("the one-worker run wrote %d rows", n)
	}
	for _, workers := range []int{2, 3} {
		if got := run(workers); got != want {
			t.Errorf("%d workers: the output differs from one worker's (%d vs %d bytes):\n%s", workers, len(got), len(want), firstDiff(got, want))
		}
	}
}

// quotes is a second source, with a watermark of its own, over a file of
// its own that ends long before the trades' (quotes.jsonl: the workers end
// it while they go on reading trades) or over the trades' file.
func quotes(file string) string {
	return `CREATE SOURCE quotes (
  symbol VARCHAR NOT NULL, price DOUBLE, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (connector = 'file', path = '` + file + `', format = 'json');
`
}

// Jobs of two sources on workers: a LEFT interval join of trades and
// quotes by symbol; the counts of each source per symbol, joined (an
// updating join of two updating views); a UNION ALL of both counted per
// symbol; an ASOF join of trades to quotes by symbol; the late rows of
// trades (LATE) beside a count of both; a top-N per symbol of
// a UNION ALL of both, of its rows or of its counts.
const (
	sourcesIntervalJoin = `CREATE MATERIALIZED VIEW v AS
SELECT t.symbol, t.price, t.volume, q.price AS quote, q.ts AS qts
FROM trades AS t LEFT JOIN quotes AS q ON t.symbol = q.symbol AND q.ts BETWEEN t.ts AND t.ts + INTERVAL '1' SECOND
WHERE t.volume > 250;
`
	sourcesCountsJoin = `CREATE VIEW tc AS SELECT symbol, COUNT(*) AS n, SUM(volume) AS volume FROM trades GROUP BY symbol;
CREATE VIEW qc AS SELECT symbol, COUNT(*) AS n, MAX(price) AS high FROM quotes WHERE price > 120 GROUP BY symbol;
CREATE MATERIALIZED VIEW v AS
SELECT tc.symbol, tc.n, tc.volume, qc.n AS quotes, qc.high FROM tc FULL JOIN qc ON tc.symbol = qc.symbol;
`
	sourcesUnion = `CREATE VIEW u AS SELECT symbol, price FROM trades WHERE volume > 100 UNION ALL SELECT symbol, price FROM quotes WHERE price < 130;
CREATE MATERIALIZED VIEW v AS SELECT symbol, COUNT(*) AS n, MAX(price) AS high FROM u GROUP BY symbol;
`
	// each trade with the latest quote of its symbol at its time (an ASOF
	// join, by symbol: a trade waits for the quotes' watermark)
	sourcesAsof = `CREATE MATERIALIZED VIEW v AS
SELECT t.symbol, t.price, t.volume, q.price AS quote, q.ts AS qts
FROM trades AS t ASOF LEFT JOIN quotes AS q ON t.symbol = q.symbol AND t.ts >= q.ts;
`
	// the trades late at a 10 s window per symbol (LATE(trades), its rows
	// 2 minutes behind), beside the count per symbol of both sources' rows
	sourcesLate = `CREATE VIEW w AS SELECT symbol, window_start, COUNT(*) AS n FROM TUMBLE(trades, ts, INTERVAL '10' SECOND) GROUP BY symbol, window_start, window_end;
CREATE VIEW u AS SELECT symbol, price FROM trades UNION ALL SELECT symbol, price FROM quotes;
CREATE VIEW c AS SELECT symbol, COUNT(*) AS n FROM u GROUP BY symbol;
CREATE MATERIALIZED VIEW v AS SELECT view, symbol, price, volume, ts FROM LATE(trades);
CREATE SINK windows FROM w WITH (connector = 'file', path = 'w.jsonl', format = 'json');
CREATE SINK counted FROM c WITH (connector = 'file', path = 'c.jsonl', format = 'json');
`
	// the 3 highest prices per symbol of both sources (RANK: ties all in)
	sourcesUnionTopN = `CREATE VIEW u AS SELECT symbol, price FROM trades WHERE volume > 100 UNION ALL SELECT symbol, price FROM quotes WHERE price < 130;
CREATE MATERIALIZED VIEW v AS SELECT symbol, price, rk FROM (SELECT *, RANK() OVER (PARTITION BY symbol ORDER BY price DESC) AS rk FROM u) WHERE rk <= 3;
`
	// the 2 most frequent price bands per symbol of both sources, a
	// ROW_NUMBER over an updating count (ties ordered by every column)
	sourcesCountsTopN = `CREATE VIEW u AS SELECT symbol, price FROM trades UNION ALL SELECT symbol, price FROM quotes;
CREATE VIEW c AS SELECT symbol, CAST(price AS BIGINT) / 5 AS band, COUNT(*) AS n FROM u GROUP BY symbol, CAST(price AS BIGINT) / 5;
CREATE MATERIALIZED VIEW v AS SELECT symbol, band, n, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY n DESC, band) AS rn FROM c) WHERE rn <= 2;
`
)

// TestCrashWorkersTwoSources: the jobs of two sources above on 1, 2 and 3
// workers, the count picked anew at every restart, after checking that
// explain splits them: each worker reads a share of both sources in a round
// (a source that ends first is ended on every worker in the next round),
// each source's rows of a symbol meet on its worker, a checkpoint is one cut
// of both sources' positions and every worker's state, and it restores at
// another count. The output is the uninterrupted one-worker run's multiset
// (the interval join) or nets to its table; the dead letters and late rows
// are its own, as multisets (two sources' reports interleave).
func TestCrashWorkersTwoSources(t *testing.T) {
	skipShort(t)
	for _, c := range []struct {
		name, views, quotes string
		same                func(t *testing.T, got, want string)
	}{
		{"interval join", sourcesIntervalJoin, "quotes.jsonl", sameMultiset},
		{"interval join, one file", sourcesIntervalJoin, "input.jsonl", sameMultiset},
		{"join of counts", sourcesCountsJoin, "quotes.jsonl", sameTable},
		{"union", sourcesUnion, "input.jsonl", sameTable},
		{"ASOF join", sourcesAsof, "quotes.jsonl", sameMultiset},
		{"late rows", sourcesLate, "quotes.jsonl", sameMultiset},
		{"top-N of a union", sourcesUnionTopN, "quotes.jsonl", sameTable},
		{"top-N of counts of a union", sourcesCountsTopN, "input.jsonl", sameTable},
	} {
		t.Run(c.name, func(t *testing.T) {
			pipeline := source("file") + quotes(c.quotes) + c.views + sink
			p := filepath.Join(t.TempDir(), "p.sql")
			if err := os.WriteFile(p, []byte(pipeline), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(laminarc, "explain", p).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "rows of source trades exchanged by hash of symbol, rows of source quotes exchanged by hash of symbol") {
				t.Fatalf("a job of two sources must split among workers by symbol: %v\n%s", err, out)
			}
			j := buildJob(t, "-- on several workers\n"+pipeline, false, input(40_000))
			j.workers, j.unordered = []int{1, 2, 3}, true
			j.files = map[string][]byte{"quotes.jsonl": input(8_000)}
			sameAtWorkers(t, j, c.same, []int{2, 3})
			crashRunsKills(t, j, c.same, 40*time.Millisecond, 15)
		})
	}
}

// sameAtWorkers runs the job uninterrupted on each count of workers and
// checks its outputs against the one-worker run's: a run killed every few
// milliseconds mostly restarts, and a restart ends what it finds ended, so
// this covers what happens in one run (a source ending before another).
func sameAtWorkers(t *testing.T, j job, same func(t *testing.T, got, want string), counts []int) {
	t.Helper()
	ref := j.reference(t)
	for _, w := range counts {
		dir := j.newRunDir(t)
		if out, err := j.command(dir, false, 1024, w).CombinedOutput(); err != nil {
			t.Fatalf("%d workers: %v\n%s", w, err, out)
		}
		got := readOutputs(t, dir)
		for _, name := range outputs {
			if name == "output.jsonl" {
				same(t, got[name], ref[name])
			} else {
				sameMultiset(t, got[name], ref[name])
			}
		}
		if t.Failed() {
			t.Fatalf("on %d workers the output differs from one worker's", w)
		}
	}
}

// TestCrashWorkersDeepExchange: a count of counts of counts (three views,
// each grouped by a value the one before computes) on 1, 2 and 3 workers,
// the count picked anew at every restart: the rows of each level are
// re-exchanged by its own key after the level before ran on every worker,
// each level's groups re-split by their key at load. The output nets to the
// uninterrupted one-worker run's table.
func TestCrashWorkersDeepExchange(t *testing.T) {
	skipShort(t)
	const deep = `CREATE VIEW a AS SELECT symbol, volume / 50 AS vb, COUNT(*) / 4 AS nb FROM trades GROUP BY symbol, volume / 50;
CREATE VIEW b AS SELECT nb, COUNT(*) AS c, COUNT(*) / 3 AS cb, MIN(symbol) AS first FROM a GROUP BY nb;
CREATE VIEW f AS SELECT cb, c, first FROM b WHERE c > 1;
CREATE VIEW d AS SELECT cb, COUNT(*) AS m, SUM(c) AS s, MAX(first) AS last FROM f GROUP BY cb;
CREATE MATERIALIZED VIEW v AS SELECT m, COUNT(*) AS k, MAX(s) AS top, MIN(last) AS name FROM d GROUP BY m;
`
	pipeline := source("file") + deep + sink
	p := filepath.Join(t.TempDir(), "p.sql")
	if err := os.WriteFile(p, []byte(pipeline), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(laminarc, "explain", p).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "rows of d re-exchanged by hash of m for v") {
		t.Fatalf("the views must be re-exchanged three levels deep: %v\n%s", err, out)
	}
	j := buildJob(t, "-- on several workers\n"+pipeline, false, input(60_000))
	j.workers = []int{1, 2, 3}
	sameAtWorkers(t, j, sameTable, []int{2, 3})
	crashRunsKills(t, j, sameTable, 40*time.Millisecond, 20)
}

// TestCrashWorkersLateCounts: the late rows of a 10 s window per symbol
// counted per price band, on 1, 2 and 3 workers with kills: a late row is
// found on its symbol's worker and re-exchanged to the worker owning its
// band; the output nets to the uninterrupted one-worker run's table.
func TestCrashWorkersLateCounts(t *testing.T) {
	skipShort(t)
	const late = `CREATE VIEW w AS SELECT symbol, window_start, COUNT(*) AS n FROM TUMBLE(trades, ts, INTERVAL '10' SECOND) GROUP BY symbol, window_start, window_end;
CREATE SINK counted FROM w WITH (connector = 'blackhole');
CREATE VIEW l AS SELECT view, symbol, price, volume / 100 AS band FROM LATE(trades);
CREATE MATERIALIZED VIEW v AS SELECT band, COUNT(*) AS n, MAX(price) AS high, MIN(symbol) AS first FROM l GROUP BY band;
`
	p := filepath.Join(t.TempDir(), "p.sql")
	if err := os.WriteFile(p, []byte(source("file")+late+sink), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(laminarc, "explain", p).CombinedOutput(); err != nil || !strings.Contains(string(out), "rows of l re-exchanged by hash of band for v") {
		t.Fatalf("the count of late rows must split among workers: %v\n%s", err, out)
	}
	j := buildJob(t, "-- on several workers\n"+source("file")+late+sink, false, input(60_000))
	j.workers = []int{1, 2, 3}
	sameAtWorkers(t, j, sameTable, []int{2, 3})
	crashRunsKills(t, j, sameTable, 40*time.Millisecond, 20)
}

// TestCrashWorkersUnionWindow: a 1-minute window per symbol over a UNION
// ALL of two sources (trades, and quotes over a file that ends first or
// over the trades' file), on 1, 2 and 3 workers with kills, the count
// picked anew at every restart: each worker owns the windows of its
// symbols, of both sources' rows, and closes them by the union's watermark
// (the smaller of the sources'), the same on every worker; a checkpoint
// holds the open windows in one engine's layout and re-splits them at
// load. The watermarks' delays exceed the input's disorder, so no row is
// late whatever order one engine reads the two sources in, and the windows
// are the uninterrupted one-worker run's.
func TestCrashWorkersUnionWindow(t *testing.T) {
	skipShort(t)
	sources := func(quotes string) string {
		return `CREATE SOURCE trades (
  symbol VARCHAR NOT NULL, price DOUBLE, volume BIGINT, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '3' MINUTE
) WITH (connector = 'file', path = 'input.jsonl', format = 'json');
CREATE SOURCE quotes (
  symbol VARCHAR NOT NULL, price DOUBLE, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '4' MINUTE
) WITH (connector = 'file', path = '` + quotes + `', format = 'json');
`
	}
	const views = `CREATE VIEW u AS SELECT symbol, price, ts FROM trades WHERE volume > 100 UNION ALL SELECT symbol, price, ts FROM quotes WHERE price < 130;
CREATE MATERIALIZED VIEW v AS
SELECT symbol, window_start, window_end, COUNT(*) AS n, MAX(price) AS high
FROM TUMBLE(u, ts, INTERVAL '1' MINUTE)
GROUP BY symbol, window_start, window_end
EMIT ON WINDOW CLOSE;
`
	for _, quotes := range []string{"quotes.jsonl", "input.jsonl"} {
		t.Run(quotes, func(t *testing.T) {
			pipeline := sources(quotes) + views + sink
			p := filepath.Join(t.TempDir(), "p.sql")
			if err := os.WriteFile(p, []byte(pipeline), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(laminarc, "explain", p).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "rows of source trades exchanged by hash of symbol, rows of source quotes exchanged by hash of symbol") {
				t.Fatalf("a window over a union of two sources must split among workers by symbol: %v\n%s", err, out)
			}
			j := buildJob(t, "-- on several workers\n"+pipeline, false, input(40_000))
			j.workers, j.unordered = []int{1, 2, 3}, true
			j.files = map[string][]byte{"quotes.jsonl": input(8_000)}
			if ref := j.reference(t); ref["p.late.jsonl"] != "" || strings.Count(ref["output.jsonl"], "\n") < 500 {
				t.Fatalf("the one-worker run should write many windows and no late rows: %d windows, late %.300s", strings.Count(ref["output.jsonl"], "\n"), ref["p.late.jsonl"])
			}
			sameAtWorkers(t, j, sameMultiset, []int{2, 3})
			crashRunsKills(t, j, sameMultiset, 40*time.Millisecond, 15)
		})
	}
}

// TestWorkersPipeSource: a job of two sources, one of them a FIFO (which
// the workers cannot read in byte ranges: its reader deals them its
// batches, while they read the other file's ranges themselves), on 2 and
// 3 workers: it runs on that many, and its output nets to the table of a
// one-worker run over regular files, its dead letters and late rows the
// same multisets.
func TestWorkersPipeSource(t *testing.T) {
	skipShort(t)
	pipeline := source("file") + quotes("quotes.jsonl") + sourcesUnion + sink
	j := buildJob(t, "-- on several workers\n"+pipeline, false, input(5_000))
	j.files = map[string][]byte{"quotes.jsonl": input(2_000)}
	ref := j.reference(t)
	for _, workers := range []int{2, 3} {
		dir := j.newRunDir(t)
		fifo := filepath.Join(dir, "quotes.jsonl")
		if err := os.Remove(fifo); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		go func() {
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			w.Write(input(2_000))
			w.Close()
		}()
		cmd := j.command(dir, false, 1024, workers)
		cmd.Args = append(cmd.Args, "--summary-json", filepath.Join(dir, "summary.json"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%d workers: %v\n%s", workers, err, out)
		}
		if sum, _ := os.ReadFile(filepath.Join(dir, "summary.json")); !strings.Contains(string(sum), fmt.Sprintf(`"workers": %d,`, workers)) {
			t.Errorf("the job did not run on %d workers: %s", workers, sum)
		}
		got := readOutputs(t, dir)
		sameTable(t, got["output.jsonl"], ref["output.jsonl"])
		sameMultiset(t, got["p.dead.jsonl"], ref["p.dead.jsonl"])
		sameMultiset(t, got["p.late.jsonl"], ref["p.late.jsonl"])
	}
}

// dealtQuotes is input(rows) as quotes that one reader must cut: CSV
// (symbol, price, ts) or a changelog (each row inserted, every seventh
// retracted a few rows later); a line that is not JSON stays one.
func dealtQuotes(rows int, format string) []byte {
	var b bytes.Buffer
	var held []string
	for i, line := range strings.Split(strings.TrimSuffix(string(input(rows)), "\n"), "\n") {
		if !strings.HasPrefix(line, `{"symbol"`) {
			b.WriteString(line + "\n")
			continue
		}
		if format == "csv" {
			var symbol, price, ts string
			for _, f := range strings.Split(strings.Trim(line, "{}"), ",") {
				k, v, _ := strings.Cut(f, ":")
				switch k {
				case `"symbol"`:
					symbol = strings.Trim(v, `"`)
				case `"price"`:
					price = v
				case `"ts"`:
					ts = strings.Trim(line[strings.Index(line, `"ts":`)+6:], `"}`)
				}
			}
			fmt.Fprintf(&b, "%s,%s,%s\n", symbol, price, ts)
			continue
		}
		b.WriteString(`{"_op":"+",` + line[1:] + "\n")
		if i%7 == 0 {
			held = append(held, line)
		}
		if len(held) > 3 {
			b.WriteString(`{"_op":"-",` + held[0][1:] + "\n")
			held = held[1:]
		}
	}
	return b.Bytes()
}

// TestCrashWorkersTwoSourcesDealt: the union of trades (a file the workers
// read in byte ranges) and quotes that one reader cuts and deals to them
// (CSV, or a changelog whose retractions reach the worker owning their
// symbol), counted per symbol on 1, 2 and 3 workers with kills: the output
// nets to the uninterrupted one-worker run's table.
func TestCrashWorkersTwoSourcesDealt(t *testing.T) {
	skipShort(t)
	for _, format := range []string{"csv", "changelog"} {
		t.Run(format, func(t *testing.T) {
			pipeline := source("file") + `CREATE SOURCE quotes (
  symbol VARCHAR NOT NULL, price DOUBLE, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (connector = 'file', path = 'quotes.txt', format = '` + format + `');
` + sourcesUnion + sink
			p := filepath.Join(t.TempDir(), "p.sql")
			if err := os.WriteFile(p, []byte(pipeline), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(laminarc, "explain", p).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "rows of source trades exchanged by hash of symbol, rows of source quotes exchanged by hash of symbol") {
				t.Fatalf("a job of two sources must split among workers by symbol: %v\n%s", err, out)
			}
			j := buildJob(t, "-- on several workers\n"+pipeline, false, input(30_000))
			j.workers, j.unordered = []int{1, 2, 3}, true
			j.files = map[string][]byte{"quotes.txt": dealtQuotes(12_000, format)}
			if n := strings.Count(j.reference(t)["p.dead.jsonl"], "\n"); n > 60 {
				t.Fatalf("the quotes should decode: %d dead letters", n)
			}
			sameAtWorkers(t, j, sameTable, []int{2, 3})
			crashRunsKills(t, j, sameTable, 40*time.Millisecond, 15)
		})
	}
}
