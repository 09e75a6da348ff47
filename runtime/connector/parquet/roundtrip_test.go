package parquet

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// TestSinkSourceRoundTrip: rows a Parquet sink writes (partitioned, with
// NULLs, every type, rolled into several files) read back through the
// source are the same rows, the partition columns from the directory
// names left out of the files.
func TestSinkSourceRoundTrip(t *testing.T) {
	dir := t.TempDir()
	cols := `[{"name":"id","type":"BIGINT"},{"name":"s","type":"VARCHAR","nullable":true},{"name":"x","type":"DOUBLE","nullable":true},` +
		`{"name":"ok","type":"BOOLEAN","nullable":true},{"name":"ts","type":"TIMESTAMP"},{"name":"dt","type":"VARCHAR"}]`
	snk, err := openSink(connector.Env{}, map[string]string{"path": dir, ColumnsOption: cols, "partitioned_by": "dt", "rolling_size": "200",
		"partition_commit": "success-file"}, false, "")
	if err != nil {
		t.Fatal(err)
	}
	var in, want strings.Builder
	for i := range 50 {
		s, x, ok := fmt.Sprintf("%q", fmt.Sprintf("v%d", i%7)), fmt.Sprint(float64(i)/8), fmt.Sprint(i%2 == 0)
		ws, wx, wok := fmt.Sprintf("v%d", i%7), x, ok
		if i%5 == 0 {
			s, ws = "null", "<nil>"
		}
		if i%6 == 0 {
			x, wx = "null", "<nil>"
		}
		if i%7 == 0 {
			ok, wok = "null", "<nil>"
		}
		ts := fmt.Sprintf("2024-01-0%dT00:00:%02d.123456Z", 1+i%3, i)
		fmt.Fprintf(&in, `{"id":%d,"s":%s,"x":%s,"ok":%s,"ts":%q,"dt":"2024-01-0%d"}`+"\n", i, s, x, ok, ts, 1+i%3)
		fmt.Fprintf(&want, "%d %s %s %s %s\n", i, ws, wx, wok, ts)
	}
	if err := snk.Write([]byte(in.String())); err != nil {
		t.Fatal(err)
	}
	snk.(connector.WatermarkSink).Watermark(1 << 62)
	if err := snk.Close(); err != nil {
		t.Fatal(err)
	}
	srcCols := `[{"name":"id","type":"BIGINT","read":true},{"name":"s","type":"VARCHAR","nullable":true,"read":true},{"name":"x","type":"DOUBLE","nullable":true,"read":true},` +
		`{"name":"ok","type":"BOOLEAN","nullable":true,"read":true},{"name":"ts","type":"TIMESTAMP","read":true}]`
	src := open(t, map[string]string{"path": dir, SourceColumnsOption: srcCols}, connector.Position{})
	got := map[int64]string{}
	files := map[string]bool{}
	var b connector.LineBatch
	for {
		more, err := src.Next(&b, 7)
		if err != nil {
			t.Fatal(err)
		}
		if b.TypedLen > 0 {
			bt := b.Typed.(*Batch)
			files[bt.File] = true
			for r := range bt.Len {
				c := bt.Columns
				id := c[0].Int64[r]
				got[id] = fmt.Sprintf("%d %v %v %v %s\n", id, nullAny(c[1].NullString[r]), nullAny(c[2].NullFloat64[r]), nullAny(c[3].NullBool[r]),
					timeText(c[4].Int64[r]))
			}
		}
		if !more {
			break
		}
	}
	var g strings.Builder
	for i := range int64(50) {
		g.WriteString(got[i])
	}
	if g.String() != want.String() {
		t.Fatalf("got\n%s\nwant\n%s", g.String(), want.String())
	}
	if len(files) < 6 {
		t.Fatalf("%d files: rolling_size rolled too little", len(files))
	}
	for d := range 3 {
		if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("dt=2024-01-0%d", d+1), "_SUCCESS")); err != nil {
			t.Errorf("partition %d: %v", d, err)
		}
	}
}

func timeText(us int64) string { return time.UnixMicro(us).UTC().Format("2006-01-02T15:04:05.000000Z") }
