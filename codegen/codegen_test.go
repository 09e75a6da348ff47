package codegen

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/physical"
)

// seedPipelines are the example pipelines plus a few that reach the
// corners of code generation.
func seedPipelines(t testing.TB) []string {
	paths, _ := filepath.Glob("../generated_examples/*/query.sql")
	paths = append(paths, "../generated_examples/embedded/pipeline.sql")
	var out []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(data))
	}
	src := "CREATE SOURCE s (k VARCHAR, n BIGINT NOT NULL, x DOUBLE, b BOOLEAN, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (connector = 'stdin');\n"
	return append(out,
		src+"CREATE VIEW v AS SELECT COUNT(COALESCE(k, 'x')) AS c, SUM(n % 3) AS s, AVG(x) AS a, MIN(k) AS mn FROM s;\nCREATE SINK o FROM v WITH (connector = 'stdout');",
		src+"CREATE VIEW v AS SELECT k, window_start, COUNT(*) AS c FROM HOP(s, ts, INTERVAL '1' SECOND, INTERVAL '3' SECOND) GROUP BY k, window_start EMIT CHANGES;\nCREATE SINK o FROM v WITH (connector = 'stdout');",
		// regressions found by the differential test: a NULL constant as an
		// aggregate argument, a float modulo by a safe constant
		src+"CREATE VIEW v AS SELECT MIN(CAST((7 / 0) AS VARCHAR)) AS a0, MAX(CASE WHEN n > 24 THEN 2.0 ELSE 1 END % 3) AS a1, window_start FROM HOP(s, ts, INTERVAL '5' SECOND, INTERVAL '5' SECOND) GROUP BY window_start;\nCREATE SINK o FROM v WITH (connector = 'stdout');",
		src+"CREATE VIEW v AS SELECT CASE WHEN b THEN k ELSE NULL END AS c, CAST(x AS BIGINT) AS i, CAST(k AS DOUBLE) AS d, SUBSTRING(k, 2, n) AS sub, n / 0 AS z, REGEXP_EXTRACT(k, 'a(b+)', 1) AS r, SPLIT_INDEX(k, '/', 1) AS p, k LIKE 'a%' AS l FROM s WHERE NOT b OR x BETWEEN 1 AND 2;\nCREATE SINK o FROM v WITH (connector = 'stdout');",
	)
}

// TestDeterministic: the same pipeline generates the same bytes, gofmt'd,
// with the generated-code header.
func TestDeterministic(t *testing.T) {
	for i, src := range seedPipelines(t) {
		res, diags := compiler.CompileWith("p.sql", "p", src, compiler.Options{Lib: strings.Contains(src, "'push'")})
		if res == nil {
			t.Fatalf("pipeline %d: %v", i, diags)
		}
		for _, backend := range []string{"memory", "badger"} {
			physical.PlaceState(res.Physical, backend)
			a, err := Generate(res.Physical, src, Options{SourceFile: "p.sql", StateBackend: backend})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := Generate(res.Physical, src, Options{SourceFile: "p.sql", StateBackend: backend})
			if !bytes.Equal(a, b) {
				t.Errorf("pipeline %d: output differs between two runs", i)
			}
			if !strings.HasPrefix(string(a), "// "+Header+"\n") {
				t.Errorf("pipeline %d: no generated-code header", i)
			}
			if _, err := parser.ParseFile(token.NewFileSet(), "p.go", a, parser.AllErrors); err != nil {
				t.Errorf("pipeline %d: %v", i, err)
			}
		}
		lib, err := LibFiles(res.Physical, src, "p.sql", "pkg", true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parser.ParseFile(token.NewFileSet(), "api.go", lib["api.go"], parser.AllErrors); err != nil {
			t.Errorf("pipeline %d: api.go: %v", i, err)
		}
	}
}

// FuzzGenerate: whatever pipeline compiles, code generation does not panic
// and produces Go that parses.
func FuzzGenerate(f *testing.F) {
	for _, s := range seedPipelines(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		res, _ := compiler.Compile("f.sql", "f", src)
		if res == nil {
			return
		}
		out, err := Generate(res.Physical, src, Options{})
		if err != nil {
			t.Fatalf("generate: %v", err)
		}
		if _, err := parser.ParseFile(token.NewFileSet(), "f.go", out, 0); err != nil {
			t.Fatalf("generated Go does not parse: %v\n%s", err, src)
		}
	})
}

// TestCombinerMinRowsParquet: over a Parquet source a part whose rows are a
// few columns without pointers sends rows unless its groups had 64 rows each
// (combinerMinRowsFlat); with a string among them, 4 as over other sources.
func TestCombinerMinRowsParquet(t *testing.T) {
	src := "CREATE SOURCE s (k VARCHAR NOT NULL, g BIGINT NOT NULL, v BIGINT, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (connector = 'file', path = 'in.parquet', format = 'parquet');\n"
	for _, c := range []struct{ key, want string }{{"g", "64*pt.tgroups"}, {"k", "3*pt.tgroups"}} {
		sql := src + "CREATE VIEW b AS SELECT " + c.key + ", window_start, COUNT(*) AS n, SUM(v) AS t FROM TUMBLE(s, ts, INTERVAL '1' MINUTE) GROUP BY " + c.key + ", window_start, window_end;\nCREATE SINK o FROM b WITH (connector = 'blackhole');"
		res, diags := compiler.Compile("p.sql", "p", sql)
		if res == nil {
			t.Fatal(diags)
		}
		if !physical.Combine(res.Physical, physical.Partition(res.Physical)).Combines() {
			t.Fatalf("GROUP BY %s: no combiner", c.key)
		}
		out, err := Generate(res.Physical, sql, Options{SourceFile: "p.sql"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), c.want) {
			t.Errorf("GROUP BY %s: resetCombiner does not test %s", c.key, c.want)
		}
	}
}
