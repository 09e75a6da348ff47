package crash

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/physical"
)

// parquetTrades is input's trades as a Parquet file of row groups of
// groupRows rows: a NULL volume now and then (a dead letter: the source
// declares it NOT NULL), a late row now and then.
func parquetTrades(t *testing.T, rows, groupRows int) []byte {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "symbol", Type: arrow.BinaryTypes.String},
		{Name: "price", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "volume", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}},
	}, nil)
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(sc, &buf, pq.NewWriterProperties(pq.WithMaxRowGroupLength(int64(groupRows))), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	bld := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer bld.Release()
	r := rand.New(rand.NewPCG(7, 7))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for from := 0; from < rows; from += groupRows {
		for i := from; i < min(from+groupRows, rows); i++ {
			ts := base.Add(time.Duration(i) * 50 * time.Millisecond)
			if i%1009 == 700 {
				ts = ts.Add(-2 * time.Minute) // late
			} else {
				ts = ts.Add(-time.Duration(r.IntN(3000)) * time.Millisecond)
			}
			bld.Field(0).(*array.StringBuilder).Append([]string{"S00", "S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10", "S11"}[r.IntN(12)])
			bld.Field(1).(*array.Float64Builder).Append(float64(100+r.IntN(50)) + float64(r.IntN(100))/100)
			if i%997 == 500 {
				bld.Field(2).(*array.Int64Builder).AppendNull()
			} else {
				bld.Field(2).(*array.Int64Builder).Append(int64(1 + r.IntN(500)))
			}
			bld.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(ts.UnixMicro()))
		}
		rec := bld.NewRecordBatch()
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const parquetTradesSource = `CREATE SOURCE trades (
  symbol VARCHAR NOT NULL, price DOUBLE, volume BIGINT NOT NULL, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (connector = 'file', path = 'in.parquet', format = 'parquet');
`

// TestCrashWorkersParquet: a Parquet source whose row groups the workers
// read and decode each their own, under a tumbling window and under an
// updating GROUP BY, on 1, 2 and 3 workers, the count picked anew at every
// restart (a checkpoint taken at 2 restores at 3): the output is the
// uninterrupted one-engine run's (a multiset; a table for the GROUP BY),
// and the dead letters (NULL in a NOT NULL column, with the file's row)
// and late rows are its own, in its order.
func TestCrashWorkersParquet(t *testing.T) {
	skipShort(t)
	data := parquetTrades(t, 20000, 300)
	groupBy := `CREATE MATERIALIZED VIEW v AS
SELECT symbol, COUNT(*) AS n, SUM(volume) AS volume, MAX(price) AS high
FROM trades
GROUP BY symbol;
`
	// LATE(trades): the rows late at a window, found on the worker owning
	// their key, as a stream of their own
	lateStream := `CREATE VIEW w AS
SELECT symbol, window_start, COUNT(*) AS n FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE) GROUP BY symbol, window_start, window_end;
CREATE SINK w_out FROM w WITH (connector = 'blackhole');
CREATE MATERIALIZED VIEW v AS SELECT symbol, price, volume, ts FROM LATE(trades);
`
	// a tumbling count and sum, which the workers pre-aggregate (the
	// combiner): partials live within a round, late rows reported as one
	// engine's
	combined := `CREATE MATERIALIZED VIEW v AS
SELECT symbol, window_start, COUNT(*) AS n, SUM(volume) AS volume FROM TUMBLE(trades, ts, INTERVAL '10' SECOND) GROUP BY symbol, window_start, window_end;
`
	for _, c := range []struct {
		name, view string
		same       func(t *testing.T, got, want string)
	}{{"tumble", tumbling, sameMultiset}, {"groupby", groupBy, sameTable}, {"late", lateStream, sameMultiset}, {"combined", combined, sameMultiset}} {
		t.Run(c.name, func(t *testing.T) {
			sql := parquetTradesSource + c.view + sink
			if c.name == "combined" {
				res, _ := compiler.Compile("p.sql", "p", sql)
				if res == nil {
					t.Fatal("the pipeline does not compile")
				}
				if comb := physical.Combine(res.Physical, physical.Partition(res.Physical)); !comb.Combines() {
					t.Fatalf("no combiner: %s", comb.Reason)
				}
			}
			j := buildJob(t, "-- parquet on workers\n"+sql, false, nil)
			j.files = map[string][]byte{"in.parquet": data}
			j.workers = []int{1, 2, 3}
			// the job splits: a run on 2 workers ran on 2
			dir := j.newRunDir(t)
			sum := filepath.Join(dir, "summary.json")
			if out, err := exec.Command(j.bin, "--base-dir", dir, "--quiet", "--workers", "2", "--summary-json", sum).CombinedOutput(); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			var got struct {
				Workers *struct{ Workers int } `json:"workers"`
			}
			if b, _ := os.ReadFile(sum); json.Unmarshal(b, &got) != nil || got.Workers == nil || got.Workers.Workers != 2 {
				b, _ := os.ReadFile(sum)
				t.Fatalf("the job did not run on 2 workers: %s", b)
			}
			crashRuns(t, j, c.same)
		})
	}
}
