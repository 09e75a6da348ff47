package iceberg

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go/catalog/hadoop"
	"github.com/apache/iceberg-go/table"
	"github.com/laminar-sql/laminar/runtime/connector"
)

const testColumns = `[{"name":"symbol","type":"VARCHAR","nullable":false},{"name":"n","type":"BIGINT","nullable":false},` +
	`{"name":"price","type":"DOUBLE","nullable":true},{"name":"ok","type":"BOOLEAN","nullable":true},{"name":"ts","type":"TIMESTAMP","nullable":true}]`

func openTest(t *testing.T, dir string, exactlyOnce bool, extra ...string) *Sink {
	t.Helper()
	opts := map[string]string{"warehouse": dir, "namespace": "db", "table": "t", ColumnsOption: testColumns}
	for i := 0; i+1 < len(extra); i += 2 {
		opts[extra[i]] = extra[i+1]
	}
	s, err := Open(connector.Env{Logf: t.Logf}, opts, exactlyOnce)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// row is one JSON row as the job writes it.
func row(sym string, n int) string {
	return fmt.Sprintf(`{"symbol":%q,"n":%d,"price":%d.5,"ok":%v,"ts":"2024-01-01 00:00:%02d"}`+"\n", sym, n, n, n%2 == 0, n%60)
}

func write(t *testing.T, s *Sink, sym string, from, to int) {
	t.Helper()
	var b strings.Builder
	for n := from; n < to; n++ {
		b.WriteString(row(sym, n))
	}
	if err := s.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
}

// tableRows reads the table back through iceberg-go's scan, as sorted
// "symbol/n/price/ok/ts" lines.
func tableRows(t *testing.T, dir string) []string {
	t.Helper()
	cat, err := hadoop.NewCatalog("test", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	it, err := cat.LoadTable(context.Background(), table.Identifier{"db", "t"})
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := it.Scan().ToArrowTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	var out []string
	tr := array.NewTableReader(tbl, 1024)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		col := func(name string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(name)[0]) }
		for i := 0; i < int(rec.NumRows()); i++ {
			ts := col("ts").(*array.Timestamp).Value(i).ToTime(arrow.Microsecond).UTC().Format(time.DateTime)
			out = append(out, fmt.Sprintf("%s/%d/%v/%v/%s", col("symbol").ValueStr(i), col("n").(*array.Int64).Value(i),
				col("price").(*array.Float64).Value(i), col("ok").(*array.Boolean).Value(i), ts))
		}
	}
	slices.Sort(out)
	return out
}

func want(sym string, from, to int) []string {
	var out []string
	for n := from; n < to; n++ {
		out = append(out, fmt.Sprintf("%s/%d/%v/%v/2024-01-01 00:00:%02d", sym, n, float64(n)+0.5, n%2 == 0, n%60))
	}
	return out
}

func sorted(parts ...[]string) []string {
	out := slices.Concat(parts...)
	slices.Sort(out)
	return out
}

func check(t *testing.T, dir string, w []string) {
	t.Helper()
	if got := tableRows(t, dir); !slices.Equal(got, w) {
		t.Fatalf("the table has %d rows, want %d:\n got %v\nwant %v", len(got), len(w), got, w)
	}
}

// TestCommit: two epochs prepared and committed are two snapshots with the
// sink's epochs in their summaries; a prepared epoch is invisible until
// committed.
func TestCommit(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir, true)
	if err := s.Recover(0, nil); err != nil {
		t.Fatal(err)
	}
	write(t, s, "A", 0, 10)
	if _, err := s.Prepare(1); err != nil {
		t.Fatal(err)
	}
	check(t, dir, nil)
	if err := s.Commit(1); err != nil {
		t.Fatal(err)
	}
	write(t, s, "B", 0, 5)
	if _, err := s.Prepare(2); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prepare(3); err != nil { // an empty epoch: no snapshot
		t.Fatal(err)
	}
	if err := s.Commit(3); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	check(t, dir, sorted(want("A", 0, 10), want("B", 0, 5)))
	r := openTest(t, dir, true)
	if got := len(r.Table().Metadata().Snapshots()); got != 2 {
		t.Errorf("%d snapshots, want 2", got)
	}
	if got := r.LastEpoch(); got != 2 {
		t.Errorf("last epoch %d, want 2", got)
	}
	snap := r.Table().CurrentSnapshot()
	if snap.Summary.Properties[PropSinkID] != "db.t" || snap.Summary.Properties[PropEpoch] != "2" {
		t.Errorf("summary %v", snap.Summary.Properties)
	}
}

// TestRecoverPrepared: the job died after the checkpoint of epoch 2 was
// durable and before Commit(2), with epoch 3's files written: Recover(2)
// publishes epoch 2 from the checkpoint's data and deletes epoch 3's files;
// a second Recover of the same epoch (killed again) adds nothing.
func TestRecoverPrepared(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir, true)
	if err := s.Recover(0, nil); err != nil {
		t.Fatal(err)
	}
	write(t, s, "A", 0, 10)
	if _, err := s.Prepare(1); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(1); err != nil {
		t.Fatal(err)
	}
	write(t, s, "B", 0, 7)
	data, err := s.Prepare(2)
	if err != nil {
		t.Fatal(err)
	}
	write(t, s, "C", 0, 3)
	if _, err := s.Prepare(3); err != nil {
		t.Fatal(err)
	}
	files := dataFiles(t, dir)
	if len(files) != 3 {
		t.Fatalf("%d data files, want 3: %v", len(files), files)
	}
	// killed here: no Commit(2), no Close
	check(t, dir, want("A", 0, 10))

	r := openTest(t, dir, true)
	if err := r.Recover(2, data); err != nil {
		t.Fatal(err)
	}
	check(t, dir, sorted(want("A", 0, 10), want("B", 0, 7)))
	if got := dataFiles(t, dir); len(got) != 2 {
		t.Errorf("after Recover, %d data files, want 2 (epoch 3's deleted): %v", len(got), got)
	}
	// killed again before anything else; recovered again from the same
	// checkpoint: epoch 2 is in the table's summaries, not added twice
	r2 := openTest(t, dir, true)
	if err := r2.Recover(2, data); err != nil {
		t.Fatal(err)
	}
	if got := len(r2.Table().Metadata().Snapshots()); got != 2 {
		t.Errorf("%d snapshots, want 2", got)
	}
	write(t, r2, "D", 0, 4)
	if _, err := r2.Prepare(3); err != nil {
		t.Fatal(err)
	}
	if err := r2.Commit(3); err != nil {
		t.Fatal(err)
	}
	// a Commit repeated for an epoch already in the table is a no-op
	if err := r2.commit(3, nil); err != nil {
		t.Fatal(err)
	}
	check(t, dir, sorted(want("A", 0, 10), want("B", 0, 7), want("D", 0, 4)))
}

// TestRecoverCommitted: killed after Commit(2) and before the next
// checkpoint: Recover(2) finds epoch 2 in the table and adds nothing.
func TestRecoverCommitted(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir, true)
	if err := s.Recover(0, nil); err != nil {
		t.Fatal(err)
	}
	write(t, s, "A", 0, 10)
	data, err := s.Prepare(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(1); err != nil {
		t.Fatal(err)
	}
	r := openTest(t, dir, true)
	if err := r.Recover(1, data); err != nil {
		t.Fatal(err)
	}
	check(t, dir, want("A", 0, 10))
}

// TestFreshStartAppends: a job started without a checkpoint on a table it
// wrote before appends after it (its epoch 1 is not "committed already").
func TestFreshStartAppends(t *testing.T) {
	dir := t.TempDir()
	for run, sym := range []string{"A", "B"} {
		s := openTest(t, dir, true)
		if err := s.Recover(0, nil); err != nil {
			t.Fatal(err)
		}
		write(t, s, sym, 0, 3)
		if _, err := s.Prepare(1); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(1); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if got := s.LastEpoch(); got != uint64(run+1) {
			t.Errorf("run %d: table epoch %d", run, got)
		}
	}
	check(t, dir, sorted(want("A", 0, 3), want("B", 0, 3)))
}

// TestStaleClaim: a run killed between claiming metadata version N and
// publishing it leaves vN.metadata.json.claim, which makes the Hadoop
// catalog refuse commits for a minute; Recover removes the sink's own.
func TestStaleClaim(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir, true)
	if err := s.Recover(0, nil); err != nil {
		t.Fatal(err)
	}
	write(t, s, "A", 0, 3)
	if _, err := s.Prepare(1); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(1); err != nil {
		t.Fatal(err)
	}
	write(t, s, "B", 0, 3)
	data, err := s.Prepare(2)
	if err != nil {
		t.Fatal(err)
	}
	// the claim a killed Commit(2) would leave: the next metadata version,
	// whose current snapshot is this sink's
	meta := filepath.Join(dir, "db", "t", "metadata")
	cur, err := os.ReadFile(s.Table().MetadataLocation()[len("file://"):])
	if err != nil {
		cur, err = os.ReadFile(s.Table().MetadataLocation())
	}
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(cur, &m); err != nil {
		t.Fatal(err)
	}
	versions, _ := filepath.Glob(filepath.Join(meta, "v*.metadata.json"))
	claim := filepath.Join(meta, fmt.Sprintf("v%d.metadata.json.claim", len(versions)+1))
	if err := os.WriteFile(claim, cur, 0o644); err != nil {
		t.Fatal(err)
	}
	r := openTest(t, dir, true)
	start := time.Now()
	if err := r.Recover(2, data); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Recover took %v", d)
	}
	if _, err := os.Stat(claim); !os.IsNotExist(err) {
		t.Errorf("the claim is still there: %v", err)
	}
	check(t, dir, sorted(want("A", 0, 3), want("B", 0, 3)))
}

// TestPartitioned: identity partitions by a string longer than Parquet's
// truncated statistics and a BIGINT, through Recover (the partition comes
// from the checkpoint, not the file's bounds).
func TestPartitioned(t *testing.T) {
	dir := t.TempDir()
	long := "a-symbol-name-longer-than-sixteen-characters"
	s := openTest(t, dir, true, "partitioned_by", "symbol, n")
	if err := s.Recover(0, nil); err != nil {
		t.Fatal(err)
	}
	write(t, s, long, 0, 3)
	write(t, s, "B", 1, 2)
	data, err := s.Prepare(1)
	if err != nil {
		t.Fatal(err)
	}
	r := openTest(t, dir, true, "partitioned_by", "symbol, n")
	if err := r.Recover(1, data); err != nil {
		t.Fatal(err)
	}
	check(t, dir, sorted(want(long, 0, 3), want("B", 1, 2)))
	parts := map[string]bool{}
	for _, f := range dataFiles(t, dir) {
		rel, _ := filepath.Rel(filepath.Join(dir, "db", "t", "data"), filepath.Dir(f))
		parts[rel] = true
	}
	if len(parts) != 4 || !parts["symbol="+long+"/n=2"] {
		t.Errorf("partition directories %v", parts)
	}
	// the table reads back by partition: a filter on the partition column
	tbl, err := r.Table().Scan().PlanFiles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tbl {
		p := task.File.Partition()
		if len(p) != 2 {
			t.Errorf("file %s: partition %v", task.File.FilePath(), p)
		}
	}
	// a table partitioned otherwise is refused
	if _, err := Open(connector.Env{}, map[string]string{"warehouse": dir, "namespace": "db", "table": "t", ColumnsOption: testColumns}, true); err == nil ||
		!strings.Contains(err.Error(), "partitioned by (symbol, n)") {
		t.Errorf("an unpartitioned sink on the partitioned table: %v", err)
	}
}

// TestAtLeastOnce: without a state dir rows are appended at Close and every
// rows_per_file rows.
func TestAtLeastOnce(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir, false, "rows_per_file", "4")
	write(t, s, "A", 0, 10)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	check(t, dir, want("A", 0, 10))
	if got := len(s.Table().Metadata().Snapshots()); got != 3 {
		t.Errorf("%d snapshots, want 3 (4+4+2 rows)", got)
	}
}

// TestRefusals: options and rows the sink cannot take.
func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		opts map[string]string
		err  string
	}{
		{map[string]string{"namespace": "db", "table": "t"}, "needs the option warehouse"},
		{map[string]string{"warehouse": dir, "namespace": "db", "table": "a.t"}, "a name without dots"},
		{map[string]string{"warehouse": dir, "table": "db/x.t"}, "do not name a table"},
		{map[string]string{"warehouse": dir, "namespace": "db", "table": "t", "partitioned_by": "nope"}, "not a column"},
	} {
		c.opts[ColumnsOption] = testColumns
		if _, err := Open(connector.Env{}, c.opts, true); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%v: %v, want %q", c.opts, err, c.err)
		}
	}
	s := openTest(t, dir, true)
	if err := s.Write([]byte(`{"_op":"-","symbol":"A","n":1}` + "\n")); err == nil || !strings.Contains(err.Error(), "updating") {
		t.Errorf("a retraction: %v", err)
	}
	if err := s.Write([]byte(`{"symbol":"A","n":null}` + "\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prepare(1); err == nil || !strings.Contains(err.Error(), "NULL in a NOT NULL column") {
		t.Errorf("NULL in n: %v", err)
	}
}

func dataFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(dir, "db", "t", "data"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// TestPartitionedByOtherTypes: identity partitions by TIMESTAMP, BOOLEAN
// and DOUBLE columns (NULLs among them) survive the checkpoint's encoding
// through Recover.
func TestPartitionedByOtherTypes(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir, true, "partitioned_by", "ts, ok, price")
	if err := s.Recover(0, nil); err != nil {
		t.Fatal(err)
	}
	write(t, s, "A", 0, 6)
	if err := s.Write([]byte(`{"symbol":"N","n":1}` + "\n")); err != nil {
		t.Fatal(err)
	}
	data, err := s.Prepare(1)
	if err != nil {
		t.Fatal(err)
	}
	r := openTest(t, dir, true, "partitioned_by", "ts, ok, price")
	if err := r.Recover(1, data); err != nil {
		t.Fatal(err)
	}
	tasks, err := r.Table().Scan().PlanFiles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 7 {
		t.Fatalf("%d files, want 7", len(tasks))
	}
	// the recovered files' partitions are those the writer gave them
	var wrote, recovered []string
	for _, df := range s.prepared[1] {
		wrote = append(wrote, fmt.Sprintf("%s %v", df.FilePath(), df.Partition()))
	}
	for _, task := range tasks {
		if p := task.File.Partition(); len(p) != 3 {
			t.Errorf("file %s: partition %v", task.File.FilePath(), p)
		}
		recovered = append(recovered, fmt.Sprintf("%s %v", task.File.FilePath(), task.File.Partition()))
	}
	slices.Sort(wrote)
	slices.Sort(recovered)
	if !slices.Equal(wrote, recovered) {
		t.Errorf("partitions written\n%v\nrecovered\n%v", wrote, recovered)
	}
	// the NULL row is read back with NULLs (tableRows reads every column)
	cat, err := hadoop.NewCatalog("test", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	it, err := cat.LoadTable(context.Background(), table.Identifier{"db", "t"})
	if err != nil {
		t.Fatal(err)
	}
	at, err := it.Scan().ToArrowTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer at.Release()
	if at.NumRows() != 7 {
		t.Errorf("%d rows, want 7", at.NumRows())
	}
}
