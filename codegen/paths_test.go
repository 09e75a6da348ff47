package codegen

import (
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler"
)

// TestSpecializedPaths: the cheap paths are taken where they apply and
// only there: a BIGINT times a DECIMAL literal (Nexmark q1) is one
// unchecked 64×64-bit product, and a deduplication over an append-only
// input keeps a topn.Dedup, while a top-2 and a deduplication over an
// updating input keep a topn.State.
func TestSpecializedPaths(t *testing.T) {
	src := "CREATE SOURCE s (k VARCHAR, n BIGINT NOT NULL, x DOUBLE, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (connector = 'stdin');\n"
	sink := "CREATE SINK o FROM v WITH (connector = 'stdout');"
	cases := []struct {
		views    string
		has, not []string
	}{
		{"CREATE VIEW v AS SELECT 0.908 * n AS p, CAST(x AS DECIMAL(30,2)) * n AS w FROM s;",
			[]string{"value.MulDecWide(int64(908), r.N)", "value.MulDec128("}, nil},
		{"CREATE VIEW v AS SELECT k, n FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM s) WHERE rn = 1;",
			[]string{"topn.NewDedup[", ".Flush(p.emit"}, []string{"topn.New["}},
		{"CREATE VIEW v AS SELECT k, n FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM s) WHERE rn <= 2;",
			[]string{"topn.New["}, []string{"topn.NewDedup["}},
		{"CREATE VIEW c AS SELECT k, COUNT(*) AS n FROM s GROUP BY k;\nCREATE VIEW v AS SELECT k, n FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY n DESC) AS rn FROM c) WHERE rn = 1;",
			[]string{"topn.New["}, []string{"topn.NewDedup["}},
	}
	for i, c := range cases {
		sql := src + c.views + "\n" + sink
		res, diags := compiler.Compile("p.sql", "p", sql)
		if res == nil {
			t.Fatalf("case %d: %v", i, diags)
		}
		out, err := Generate(res.Physical, sql, Options{SourceFile: "p.sql"})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range c.has {
			if !strings.Contains(string(out), s) {
				t.Errorf("case %d: the generated code has no %q", i, s)
			}
		}
		for _, s := range c.not {
			if strings.Contains(string(out), s) {
				t.Errorf("case %d: the generated code has %q", i, s)
			}
		}
	}
}
