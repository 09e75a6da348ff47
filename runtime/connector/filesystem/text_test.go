package filesystem

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// TestTextFormats: with format csv or json the sink writes each
// partition's rows as CSV records or JSON lines of the columns that are
// not partition columns (NULL an empty CSV field, a string with a comma or
// a quote quoted), named .csv / .json, and commits the partitions as for
// Parquet; an unknown format is refused.
func TestTextFormats(t *testing.T) {
	cols := `[{"name":"id","type":"BIGINT"},{"name":"s","type":"VARCHAR","nullable":true},{"name":"ts","type":"TIMESTAMP"},{"name":"dt","type":"VARCHAR"}]`
	in := `{"id":1,"s":"a,b","ts":"2024-01-01T00:00:01Z","dt":"2024-01-01"}
{"id":2,"s":null,"ts":"2024-01-01T00:00:02.5Z","dt":"2024-01-01"}
{"id":3,"s":"say \"hi\"","ts":"2024-01-02T00:00:03Z","dt":"2024-01-02"}
`
	want := map[string]map[string]string{
		"csv": {"dt=2024-01-01": "1,\"a,b\",2024-01-01T00:00:01Z\n2,,2024-01-01T00:00:02.5Z\n", "dt=2024-01-02": "3,\"say \"\"hi\"\"\",2024-01-02T00:00:03Z\n"},
		"json": {"dt=2024-01-01": `{"id":1,"s":"a,b","ts":"2024-01-01T00:00:01Z"}` + "\n" + `{"id":2,"s":null,"ts":"2024-01-01T00:00:02.5Z"}` + "\n",
			"dt=2024-01-02": `{"id":3,"s":"say \"hi\"","ts":"2024-01-02T00:00:03Z"}` + "\n"},
	}
	for _, format := range []string{"csv", "json"} {
		dir := t.TempDir()
		snk, err := Open(connector.Env{}, map[string]string{"path": dir, ColumnsOption: cols, "partitioned_by": "dt", "format": format,
			"partition_commit": "success-file"}, false, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := snk.Write([]byte(in)); err != nil {
			t.Fatal(err)
		}
		snk.(connector.WatermarkSink).Watermark(1 << 62)
		if err := snk.Close(); err != nil {
			t.Fatal(err)
		}
		for part, text := range want[format] {
			files, _ := filepath.Glob(filepath.Join(dir, part, "part-*."+format))
			if len(files) != 1 {
				t.Fatalf("%s: partition %s has files %v, want one .%s file", format, part, files, format)
			}
			data, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != text {
				t.Errorf("%s: partition %s holds\n%s\nwant\n%s", format, part, data, text)
			}
			if _, err := os.Stat(filepath.Join(dir, part, "_SUCCESS")); err != nil {
				t.Errorf("%s: partition %s is not committed", format, part)
			}
		}
		entries, _ := os.ReadDir(dir)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if !slices.Equal(names, []string{"dt=2024-01-01", "dt=2024-01-02"}) {
			t.Errorf("%s: the directory holds %v", format, names)
		}
	}
	_, err := Open(connector.Env{}, map[string]string{"path": t.TempDir(), ColumnsOption: cols, "format": "orc"}, false, "")
	if err == nil || !strings.Contains(err.Error(), `format "orc"`) {
		t.Errorf("format orc: %v, want an error naming it", err)
	}
}
