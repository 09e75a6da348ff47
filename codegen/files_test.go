package codegen

import (
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler"
)

// TestConnectorImports: a job imports a connector package (for its
// registration) exactly when its SQL names the connector, so file-only jobs
// do not link Kafka or PostgreSQL drivers, and a job writing CSV or JSON
// files through the partitioned file sink does not link arrow-go.
func TestConnectorImports(t *testing.T) {
	const view = `CREATE SOURCE s (a BIGINT) WITH (%s);
CREATE MATERIALIZED VIEW v AS SELECT a FROM s;
CREATE SINK o FROM v WITH (%s);
`
	file, fileOut := "connector = 'file', path = 'x.jsonl'", "connector = 'file', path = 'out.jsonl'"
	kafka := "connector = 'kafka', topic = 't', brokers = 'localhost:9092'"
	pg := "connector = 'postgres', url_env = 'PG', table = 't'"
	pqIn, pqOut := "connector = 'file', path = 'in/*.parquet', format = 'parquet'", "connector = 'parquet', path = 'out'"
	ice := "connector = 'iceberg', warehouse = 'wh', namespace = 'db', table = 't'"
	for _, c := range []struct {
		source, sink string
		want         []string
	}{
		{file, fileOut, nil},
		{kafka, fileOut, []string{"runtime/connector/kafka"}},
		{file, kafka, []string{"runtime/connector/kafka"}},
		{kafka, pg, []string{"runtime/connector/kafka", "runtime/connector/postgres"}},
		{pqIn, fileOut, []string{"runtime/connector/parquet"}},
		{file, pqOut, []string{"runtime/connector/parquet"}},
		{kafka, pqOut, []string{"runtime/connector/kafka", "runtime/connector/parquet"}},
		// CSV or JSON files of the partitioned file sink: not arrow-go
		{file, pqOut + ", format = 'csv'", []string{"runtime/connector/filesystem"}},
		{file, "'connector' = 'filesystem', 'path' = 'out', 'format' = 'json'", []string{"runtime/connector/filesystem"}},
		{file, "'connector' = 'filesystem', 'path' = 'out', 'format' = 'parquet'", []string{"runtime/connector/parquet"}},
		{pqIn, pqOut + ", format = 'json'", []string{"runtime/connector/parquet", "runtime/connector/filesystem"}},
		{file, ice, []string{"runtime/connector/iceberg"}},
		{pqIn, ice, []string{"runtime/connector/parquet", "runtime/connector/iceberg"}},
		{file, kafka + ", format = 'avro', schema_registry = 'http://r:8081'", []string{"runtime/connector/kafka", "runtime/format/avro"}},
		{kafka + ", format = 'avro', schema_registry = 'http://r:8081'", fileOut, []string{"runtime/connector/kafka", "runtime/format/avro"}},
	} {
		src := strings.Replace(strings.Replace(view, "%s", c.source, 1), "%s", c.sink, 1)
		res, diags := compiler.Compile("p.sql", "p", src)
		if res == nil {
			t.Fatalf("%s: %v", src, diags)
		}
		files, err := JobFiles(res.Physical, src, "p.sql", "memory")
		if err != nil {
			t.Fatal(err)
		}
		mainGo := string(files["main.go"])
		for _, pkg := range []string{"runtime/connector/kafka", "runtime/connector/postgres", "runtime/connector/parquet", "runtime/connector/filesystem", "runtime/connector/iceberg", "runtime/format/avro"} {
			want := false
			for _, w := range c.want {
				want = want || w == pkg
			}
			// a Parquet source's pipeline names the package's Batch type
			if got := strings.Contains(mainGo, `_ "github.com/laminar-sql/laminar/`+pkg+`"`) || strings.Contains(string(files["pipeline.go"]), `"github.com/laminar-sql/laminar/`+pkg+`"`); got != want {
				t.Errorf("%s -> %s: imports %s: %v, want %v\n%s", c.source, c.sink, pkg, got, want, mainGo)
			}
		}
	}
}
