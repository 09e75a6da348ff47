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
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go/catalog/hadoop"
	"github.com/apache/iceberg-go/table"
)

// icebergKills is at least how many times TestCrashIceberg kills its job,
// and icebergRows its input: a short run in make test, LAMINAR_ICEBERG_KILLS
// (make crash-iceberg: 60) over 30,000 trades for the long run.
func icebergKills() int {
	if n, err := strconv.Atoi(os.Getenv("LAMINAR_ICEBERG_KILLS")); err == nil && n > 0 {
		return n
	}
	return 6
}

func icebergRows() int {
	if os.Getenv("LAMINAR_ICEBERG_KILLS") != "" {
		return 30_000
	}
	return 3_000
}

// icebergRowsOf reads table db.v of the warehouse back through iceberg-go's
// scan as JSON rows, as parquetRows reads Parquet files.
func icebergRowsOf(t *testing.T, warehouse string) []string {
	t.Helper()
	cat, err := hadoop.NewCatalog("test", warehouse, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	tbl, err := cat.LoadTable(context.Background(), table.Identifier{"db", "v"})
	if err != nil {
		t.Fatal(err)
	}
	at, err := tbl.Scan().ToArrowTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer at.Release()
	var rows []string
	tr := array.NewTableReader(at, 1<<16)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			row := map[string]any{}
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
				case *array.LargeString:
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
	slices.Sort(rows)
	return rows
}

// TestCrashIceberg: file -> tumbling aggregate -> an Iceberg table
// partitioned by day (the Hadoop catalog in a warehouse directory), killed
// with SIGKILL at random moments (many while an epoch's snapshot is being
// committed) and restarted until it finishes, in rounds until at least
// icebergKills kills: each round's table, read back with iceberg-go, holds
// exactly the rows of an uninterrupted run's file output, once each, and
// has no data file that no snapshot refers to (a killed epoch's files are
// deleted at recovery).
func TestCrashIceberg(t *testing.T) {
	skipShortSerial(t)
	in := input(icebergRows())
	ref := buildJob(t, source("file")+parquetView+sink, false, in).reference(t)
	want := normalized(t, sortedLines(ref["output.jsonl"]))
	if len(want) < 50 {
		t.Fatalf("the reference has %d rows", len(want))
	}
	j := buildJob(t, source("file")+parquetView+
		"CREATE SINK out FROM v PARTITIONED BY (dt) WITH (connector = 'iceberg', warehouse = 'wh', namespace = 'db', table = 'v');\n", false, in)
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("LAMINAR_CRASH_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (LAMINAR_CRASH_SEED replays it)", seed)
	r := rand.New(rand.NewPCG(seed, 12))
	// An Iceberg job takes long to start: iceberg-go's table package
	// loads Substrait's function catalogs at init (~0.2 s of CPU). Kills
	// come after the slowest of a few starts to nothing, plus a random
	// delay that grows with each kill in a row, so every round ends.
	startup := time.Duration(0)
	for range 3 {
		began := time.Now()
		if out, err := exec.Command(j.bin, "--version").CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		startup = max(startup, time.Since(began))
	}
	t.Logf("a start to nothing takes %v", startup)
	killed, rounds, claims := 0, 0, 0
	for killed < icebergKills() {
		rounds++
		dir := j.newRunDir(t)
		inARow := 0
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
			case <-time.After(startup + time.Duration(r.IntN(250)+20*inARow)*time.Millisecond):
				cmd.Process.Signal(syscall.SIGKILL)
				err = <-exited
			}
			if strings.Contains(stderr.String(), "a commit claim left by a killed run") {
				claims++ // a kill landed inside a commit
			}
			if err == nil {
				break
			}
			var exit *exec.ExitError
			if errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL {
				killed++
				inARow++
				continue
			}
			t.Fatalf("round %d, start %d: %v\n%s", rounds, starts, err, stderr.String())
		}
		wh := filepath.Join(dir, "wh")
		got := normalized(t, icebergRowsOf(t, wh))
		if !slices.Equal(got, want) {
			t.Fatalf("round %d (%d kills so far): %d rows in the table, the file run has %d: %s", rounds, killed, len(got), len(want),
				firstDiff(strings.Join(got, "\n"), strings.Join(want, "\n")))
		}
		// every data file is in a snapshot: none left by a killed epoch
		cat, err := hadoop.NewCatalog("test", wh, nil)
		if err != nil {
			t.Fatal(err)
		}
		tbl, err := cat.LoadTable(context.Background(), table.Identifier{"db", "v"})
		if err != nil {
			t.Fatal(err)
		}
		tasks, err := tbl.Scan().PlanFiles(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		inTable := map[string]bool{}
		for _, task := range tasks {
			inTable[strings.TrimPrefix(task.File.FilePath(), "file://")] = true
		}
		filepath.WalkDir(filepath.Join(wh, "db", "v", "data"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".parquet") && !inTable[p] {
				t.Errorf("round %d: data file %s is in no snapshot", rounds, p)
			}
			return nil
		})
		cat.Close()
	}
	t.Logf("%d kills in %d rounds (%d restarts removed a claim of a commit killed midway); the Iceberg table held the file run's rows once each time", killed, rounds, claims)
}
