package crash

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	in := input(6_000)
	ref := buildJob(t, source("file")+parquetView+sink, false, in).reference(t)
	want := normalized(t, sortedLines(ref["output.jsonl"]))
	if len(want) < 50 {
		t.Fatalf("the reference has %d rows", len(want))
	}
	j := buildJob(t, source("file")+parquetView+
		"CREATE SINK out FROM v PARTITIONED BY (dt, hm) WITH (connector = 'parquet', path = 'pq', rolling_size = '1KB',\n"+
		"  partition_commit = 'success-file', partition_time = '$dt $hm:00', partition_commit_delay = '1 min');\n", false, in)
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
		got := normalized(t, parquetRows(t, filepath.Join(dir, "pq")))
		if !slices.Equal(got, want) {
			t.Fatalf("round %d (%d kills so far): %d rows in the Parquet files, the file run has %d: %s", round, killed, len(got), len(want),
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
			if err == nil && strings.HasSuffix(d.Name(), ".parquet") && strings.Count(d.Name(), "-") == 2 {
				rolled++
			}
			return err
		})
		if parts == 0 || rolled == 0 {
			t.Fatalf("round %d: %d partitions, %d files rolled by size", round, parts, rolled)
		}
	}
	t.Logf("%d kills; the Parquet files held the file run's rows once each time", killed)
}
