package crash

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// parquetView is a tumbling aggregate with Nexmark q10's partition columns.
const parquetView = `CREATE MATERIALIZED VIEW v AS
SELECT symbol, window_start, COUNT(*) AS n, SUM(volume) AS vol,
       SUBSTRING(CAST(window_start AS VARCHAR), 1, 10) AS dt, SUBSTRING(CAST(window_start AS VARCHAR), 12, 5) AS hm
FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE)
GROUP BY symbol, window_start
EMIT ON WINDOW CLOSE;
`

// parquetRows reads every committed Parquet file under dir as JSON rows
// (partition columns from the directory names), sorted.
func parquetRows(t *testing.T, dir string) []string {
	t.Helper()
	var rows []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		rel, _ := filepath.Rel(dir, filepath.Dir(p))
		part := map[string]any{}
		for _, kv := range strings.Split(rel, string(filepath.Separator)) {
			if k, v, ok := strings.Cut(kv, "="); ok {
				part[k] = v
			}
		}
		f, err := file.OpenParquetFile(p, false)
		if err != nil {
			return err
		}
		defer f.Close()
		r, err := pqarrow.NewFileReader(f, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		if err != nil {
			return err
		}
		tbl, err := r.ReadTable(context.Background())
		if err != nil {
			return err
		}
		defer tbl.Release()
		tr := array.NewTableReader(tbl, 1<<20)
		defer tr.Release()
		for tr.Next() {
			rec := tr.RecordBatch()
			for i := 0; i < int(rec.NumRows()); i++ {
				row := map[string]any{}
				for k, v := range part {
					row[k] = v
				}
				for c, f := range rec.Schema().Fields() {
					col := rec.Column(c)
					if col.IsNull(i) {
						row[f.Name] = nil
						continue
					}
					switch a := col.(type) {
					case *array.Int64:
						row[f.Name] = a.Value(i)
					case *array.String:
						row[f.Name] = a.Value(i)
					case *array.Timestamp:
						row[f.Name] = a.Value(i).ToTime(arrow.Microsecond).UTC().Format(time.RFC3339Nano)
					default:
						row[f.Name] = fmt.Sprint(col.GetOneForMarshal(i))
					}
				}
				b, _ := json.Marshal(row)
				rows = append(rows, string(b))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(rows)
	return rows
}

// TestParquetSink: file -> tumbling aggregate -> Parquet PARTITIONED BY
// (dt, hm), files rolled at 1 KB, partitions committed with _SUCCESS,
// killed at random moments (SIGKILL) until it finishes: the committed files
// hold every row of the file run's output exactly once, and every partition
// has its _SUCCESS.
func TestParquetSink(t *testing.T) {
	skipShortSerial(t)
	crashFileSink(t, "CREATE SINK out FROM v PARTITIONED BY (dt, hm) WITH (connector = 'parquet', path = 'pq', rolling_size = '1KB',\n"+
		"  partition_commit = 'success-file', partition_time = '$dt $hm:00', partition_commit_delay = '1 min');\n", ".parquet", parquetRows)
}

// TestFilesystemSink is TestParquetSink with the sink declared as Flink
// declares Nexmark q10's (CREATE TABLE … PARTITIONED BY (dt, hm) WITH
// ('connector' = 'filesystem', …) and INSERT INTO), writing JSON-lines and
// CSV files: exactly-once by epoch, partition commit, rolling by size.
func TestFilesystemSink(t *testing.T) {
	skipShortSerial(t)
	for _, format := range []string{"json", "csv"} {
		t.Run(format, func(t *testing.T) {
			crashFileSink(t, `CREATE TABLE fs (symbol STRING, window_start TIMESTAMP(3), n BIGINT, vol BIGINT, dt STRING, hm STRING)
PARTITIONED BY (dt, hm) WITH (
  'connector' = 'filesystem', 'path' = 'file://pq', 'format' = '`+format+`',
  'sink.partition-commit.trigger' = 'partition-time', 'sink.partition-commit.delay' = '1 min',
  'sink.partition-commit.policy.kind' = 'success-file',
  'partition.time-extractor.timestamp-pattern' = '$dt $hm:00',
  'sink.rolling-policy.file-size' = '1KB', 'sink.rolling-policy.rollover-interval' = '1min');
INSERT INTO fs SELECT * FROM v;
`, "."+format, func(t *testing.T, dir string) []string { return textRows(t, dir, format) })
		})
	}
}

// textRows reads every committed JSON-lines or CSV file under dir as JSON
// rows (partition columns from the directory names), sorted, as
// parquetRows does; CSV fields are symbol, window_start, n, vol.
func textRows(t *testing.T, dir, format string) []string {
	t.Helper()
	var rows []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, "."+format) || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		rel, _ := filepath.Rel(dir, filepath.Dir(p))
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var recs []map[string]any
		if format == "csv" {
			fields, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			for _, f := range fields {
				if len(f) != 4 {
					return fmt.Errorf("%s: record %v has %d fields, want 4", p, f, len(f))
				}
				n, err1 := strconv.ParseInt(f[2], 10, 64)
				vol, err2 := strconv.ParseInt(f[3], 10, 64)
				if err1 != nil || err2 != nil {
					return fmt.Errorf("%s: record %v", p, f)
				}
				recs = append(recs, map[string]any{"symbol": f[0], "window_start": f[1], "n": n, "vol": vol})
			}
		} else {
			for line := range strings.Lines(string(data)) {
				var m map[string]any
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					return fmt.Errorf("%s: %q: %w", p, line, err)
				}
				recs = append(recs, m)
			}
		}
		for _, row := range recs {
			for _, kv := range strings.Split(rel, string(filepath.Separator)) {
				if k, v, ok := strings.Cut(kv, "="); ok {
					row[k] = v
				}
			}
			b, _ := json.Marshal(row)
			rows = append(rows, string(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(rows)
	return rows
}

// crashFileSink runs parquetView into the sink of sinkSQL (a directory pq
// of files ending in ext, partitioned by dt and hm, rolled by size and
// committed with _SUCCESS), killed at random moments until it finishes, in
// two rounds: the committed files, read by read, hold every row of the
// file run's output exactly once, and every partition has its _SUCCESS.
func crashFileSink(t *testing.T, sinkSQL, ext string, read func(t *testing.T, dir string) []string) {
	in := input(6_000)
	ref := buildJob(t, source("file")+parquetView+sink, false, in).reference(t)
	want := normalized(t, sortedLines(ref["output.jsonl"]))
	if len(want) < 50 {
		t.Fatalf("the reference has %d rows", len(want))
	}
	j := buildJob(t, source("file")+parquetView+sinkSQL, false, in)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	killed := 0
	for round := 1; round <= 2; round++ {
		dir := j.newRunDir(t)
		for starts := 1; ; starts++ {
			if starts > maxStarts {
				t.Fatalf("the job did not finish in %d starts", maxStarts)
			}
			var stderr bytes.Buffer
			cmd := j.command(dir, true, 1+r.IntN(200), 1)
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			var err error
			select {
			case err = <-exited:
			case <-time.After(time.Duration(10+r.IntN(150)) * time.Millisecond):
				cmd.Process.Signal(syscall.SIGKILL)
				err = <-exited
			}
			if err == nil {
				break
			}
			var exit *exec.ExitError
			if errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL {
				killed++
				continue
			}
			t.Fatalf("start %d: %v\n%s", starts, err, stderr.String())
		}
		got := normalized(t, read(t, filepath.Join(dir, "pq")))
		if !slices.Equal(got, want) {
			t.Fatalf("round %d (%d kills so far): %d rows in the %s files, the file run has %d: %s", round, killed, len(got), ext, len(want),
				firstDiff(strings.Join(got, "\n"), strings.Join(want, "\n")))
		}
		if _, err := os.Stat(filepath.Join(dir, "pq", "dt=2024-01-01")); err != nil {
			t.Fatalf("no partition directory: %v", err)
		}
		// every partition committed (_SUCCESS), files rolled by size
		parts, rolled := 0, 0
		filepath.WalkDir(filepath.Join(dir, "pq"), func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() && strings.HasPrefix(d.Name(), "hm=") {
				parts++
				if _, err := os.Stat(filepath.Join(p, "_SUCCESS")); err != nil {
					t.Errorf("round %d: partition %s has no _SUCCESS", round, p)
				}
			}
			if err == nil && strings.HasSuffix(d.Name(), ext) && strings.Count(d.Name(), "-") == 2 {
				rolled++
			}
			return err
		})
		if parts == 0 || rolled == 0 {
			t.Fatalf("round %d: %d partitions, %d files rolled by size", round, parts, rolled)
		}
	}
	t.Logf("%d kills; the %s files held the file run's rows once each time", killed, ext)
}
