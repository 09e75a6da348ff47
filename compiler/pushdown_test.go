package compiler

import (
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler/physical"
)

// TestParquetPushdown: the planner hands a Parquet source the comparisons
// every view reading it applies first, and nothing when one view keeps
// every row or the source's late rows are read.
func TestParquetPushdown(t *testing.T) {
	const src = `CREATE SOURCE s (k VARCHAR, n BIGINT NOT NULL, x DOUBLE, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts)
WITH (connector = 'file', path = 'in/*.parquet', format = 'parquet');
`
	sink := "CREATE SINK o1 FROM v1 WITH (connector = 'stdout');\n"
	for _, c := range []struct {
		name, views, want string
	}{
		{"range and key", "CREATE VIEW v1 AS SELECT k FROM s WHERE ts >= TIMESTAMP '2024-01-01 00:00:00' AND 10 > n AND x > 1.5 AND k = 'a';\n" + sink,
			"ts >= TIMESTAMP '2024-01-01 00:00:00' AND n < 10 AND k = 'a'"},
		{"two views OR-ed", "CREATE VIEW v1 AS SELECT k FROM s WHERE n = 1;\nCREATE VIEW v2 AS SELECT k FROM s WHERE n > 5;\n" + sink +
			"CREATE SINK o2 FROM v2 WITH (connector = 'stdout');\n", "(n = 1) OR (n > 5)"},
		{"a view without filter", "CREATE VIEW v1 AS SELECT k FROM s WHERE n = 1;\nCREATE VIEW v2 AS SELECT k FROM s;\n" + sink +
			"CREATE SINK o2 FROM v2 WITH (connector = 'stdout');\n", ""},
		{"no simple comparison", "CREATE VIEW v1 AS SELECT k FROM s WHERE n % 2 = 0 OR k = 'b';\n" + sink, ""},
		{"late rows read", "CREATE VIEW v1 AS SELECT k FROM s WHERE n = 1;\nCREATE VIEW v2 AS SELECT * FROM LATE(s);\n" + sink +
			"CREATE SINK o2 FROM v2 WITH (connector = 'stdout');\n", ""},
	} {
		res, diags := Compile("p.sql", "p", src+c.views)
		if res == nil {
			t.Fatalf("%s: %v", c.name, diags)
		}
		out := physical.Format(res.Physical)
		got := ""
		if _, after, ok := strings.Cut(out, "reads only the row groups whose statistics allow: "); ok {
			got, _, _ = strings.Cut(after, "\n")
		}
		if got != c.want {
			t.Errorf("%s: pushdown %q, want %q\n%s", c.name, got, c.want, out)
		}
	}
	// a JSON file source gets none: its reader cannot skip
	res, _ := Compile("p.sql", "p", strings.Replace(src, "format = 'parquet'", "format = 'json'", 1)+"CREATE VIEW v1 AS SELECT k FROM s WHERE n = 1;\n"+sink)
	if res == nil || res.Physical.Pushdown[0] != nil {
		t.Errorf("a JSON source has a pushdown")
	}
}

// TestParquetErrors: what laminarc check says of Parquet sources and
// partitioned sinks it cannot run.
func TestParquetErrors(t *testing.T) {
	const view = "CREATE VIEW v AS SELECT k, n FROM s;\n"
	src := "CREATE SOURCE s (k VARCHAR, n BIGINT NOT NULL) WITH (connector = 'file', path = 'in.parquet', format = 'parquet');\n"
	for _, c := range []struct{ sql, want string }{
		{"CREATE SOURCE s (k VARCHAR, d INTERVAL) WITH (connector = 'parquet', path = 'in');\n" + view + "CREATE SINK o FROM v WITH (connector = 'stdout');",
			"a Parquet source has no INTERVAL columns"},
		{src + view + "CREATE SINK o FROM v PARTITIONED BY (k) WITH (connector = 'file', path = 'o.jsonl');",
			"PARTITIONED BY needs connector = 'parquet'"},
		{src + view + "CREATE SINK o FROM v PARTITIONED BY (k) WITH (connector = 'parquet', path = 'o', partitioned_by = 'k');",
			"PARTITIONED BY and the option partitioned_by say the same"},
		{src + view + "CREATE SINK o FROM v PARTITIONED BY (nope) WITH (connector = 'parquet', path = 'o');",
			"partition column nope is not a column of view v"},
		{src + view + "CREATE SINK o FROM v WITH (connector = 'parquet', path = 'o', rolling = '1MB');",
			`connector "parquet" has no option "rolling"`},
	} {
		res, diags := Compile("p.sql", "p", c.sql)
		text := ""
		for _, d := range diags {
			text += d.Msg + "\n"
		}
		if res != nil && len(diags) == 0 || !strings.Contains(text, c.want) {
			t.Errorf("%s\n-- got %q, want %q", c.sql, text, c.want)
		}
	}
	// and what it accepts
	res, diags := Compile("p.sql", "p", src+view+"CREATE SINK o FROM v PARTITIONED BY (k) WITH (connector = 'parquet', path = 'o', rolling_size = '1MB');")
	if res == nil {
		t.Fatalf("%v", diags)
	}
	if got := res.Physical.Pipeline.Sinks[0].Options["partitioned_by"]; got != "k" {
		t.Fatalf("partitioned_by = %q", got)
	}
}
