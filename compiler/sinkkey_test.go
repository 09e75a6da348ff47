package compiler

import (
	"strings"
	"testing"
)

// TestUpsertKey: a Kafka sink in upsert mode is keyed by the view's unique
// key (GROUP BY columns, a ROW_NUMBER() = 1
// dedup's PARTITION BY, kept through a projection and a filter); an
// explicit key must hold it; an updating view without one is refused.
func TestUpsertKey(t *testing.T) {
	const src = `CREATE SOURCE s (id BIGINT NOT NULL, g VARCHAR NOT NULL, h VARCHAR, v BIGINT, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts) WITH (connector = 'kafka', topic = 't', brokers = 'b:9092');
`
	const kafka = "connector = 'kafka', topic = 'o', brokers = 'b:9092'"
	for _, c := range []struct {
		view, with, key string
	}{
		{"SELECT g, h, COUNT(*) AS n FROM s GROUP BY g, h", "mode = 'upsert'", "g,h"},
		{"SELECT n, g FROM (SELECT g, h, COUNT(*) AS n FROM s GROUP BY g, h) WHERE n > 1 AND h = 'x'", "mode = 'upsert'", ""}, // h projected away
		{"SELECT h, n, g FROM (SELECT g, h, COUNT(*) AS n FROM s GROUP BY g, h) WHERE n > 1", "mode = 'upsert'", "g,h"},
		{"SELECT g, h, COUNT(*) AS n FROM s GROUP BY g, h", "mode = 'upsert', key = 'h, g, n'", "h, g, n"},
		{"SELECT v, id FROM s", "mode = 'upsert'", ""}, // append-only rows: no key
		{"SELECT g, v FROM (SELECT g, v, ROW_NUMBER() OVER (PARTITION BY g ORDER BY v DESC) AS rn FROM s) WHERE rn = 1", "mode = 'upsert'", "g"},
		{"SELECT g, COUNT(*) AS n FROM s GROUP BY g", "mode = 'debezium'", "g"},
	} {
		sql := src + "CREATE VIEW v AS " + c.view + ";\nCREATE SINK o FROM v WITH (" + kafka + ", " + c.with + ");"
		if c.key == "" {
			diags := compileErr(t, sql)
			if len(diags) != 1 || diags[0].Code != "LDB-3002" || !strings.Contains(diags[0].Msg, "has none the planner can tell") || !strings.Contains(diags[0].Hint, "GROUP BY") {
				t.Errorf("%s: %v", c.view, diags)
			}
			continue
		}
		res, diags := Compile("p.sql", "p", sql)
		if res == nil {
			t.Fatalf("%s: %v", c.view, diags)
		}
		if got := res.Logical.Sinks[0].Options["key"]; got != c.key {
			t.Errorf("%s %s: key %q, want %q", c.view, c.with, got, c.key)
		}
	}
	for _, c := range []struct {
		view, with, msg, hint string
	}{
		{"SELECT g, h, COUNT(*) AS n FROM s GROUP BY g, h", "mode = 'upsert', key = 'g'",
			"key = 'g' is not a unique key of view v: its unique key is (g, h), and column h is not in key", "key = 'g, h', or leave key out"},
		{"SELECT g, h, COUNT(*) AS n FROM s GROUP BY g, h", "mode = 'upsert', key = 'x'", `key column "x" is not a column of view v`, "columns: g, h, n"},
		{"SELECT COUNT(*) AS n FROM s", "mode = 'upsert'", "view v has none the planner can tell", "PRIMARY KEY"},
		{"SELECT g, COUNT(*) AS n FROM s GROUP BY g UNION ALL SELECT h, COUNT(*) FROM s GROUP BY h", "mode = 'debezium', key = 'g'", "has no unique key the planner can tell", "mode = 'changelog'"},
	} {
		diags := compileErr(t, src+"CREATE VIEW v AS "+c.view+";\nCREATE SINK o FROM v WITH ("+kafka+", "+c.with+");")
		if len(diags) != 1 || !strings.Contains(diags[0].Msg, c.msg) || !strings.Contains(diags[0].Hint, c.hint) || diags[0].Pos.Line != 4 {
			t.Errorf("%s %s: %v", c.view, c.with, diags)
		}
	}
	// a PostgreSQL sink is told an updating view's key, to check the
	// table's primary key against it; an append-only view's rows are
	// INSERTs and need none
	for view, want := range map[string]string{
		"SELECT h, g, COUNT(*) AS n FROM s GROUP BY g, h": "g,h",
		"SELECT g, v FROM s":                              "",
	} {
		res, diags := Compile("p.sql", "p", src+"CREATE VIEW v AS "+view+";\nCREATE SINK o FROM v WITH (connector = 'postgres', table = 't', url_env = 'U');")
		if res == nil {
			t.Fatal(diags)
		}
		if got := res.Logical.Sinks[0].Options["laminar.key"]; got != want {
			t.Errorf("%s: postgres sink told key %q, want %q", view, got, want)
		}
	}
	// an append-only view may be keyed by any of its columns
	res, diags := Compile("p.sql", "p", src+"CREATE VIEW v AS SELECT g, v FROM s;\nCREATE SINK o FROM v WITH ("+kafka+", mode = 'upsert', key = 'g');")
	if res == nil {
		t.Fatal(diags)
	}
}

// TestAvroSink: a Kafka sink in format avro is told the view's columns
// (and _op for an updating view in changelog mode); it needs the registry,
// takes no Debezium mode and no INTERVAL column.
func TestAvroSink(t *testing.T) {
	const src = `CREATE SOURCE s (g VARCHAR NOT NULL, v BIGINT, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts) WITH (connector = 'kafka', topic = 't', brokers = 'b:9092');
`
	const kafka = "connector = 'kafka', topic = 'o', brokers = 'b:9092', format = 'avro'"
	for _, c := range []struct{ view, with, cols string }{
		{"SELECT g, v, ts FROM s", "schema_registry = 'http://r'",
			`[{"name":"g","type":"VARCHAR","nullable":false},{"name":"v","type":"BIGINT","nullable":true},{"name":"ts","type":"TIMESTAMP","nullable":false}]`},
		{"SELECT g, COUNT(*) AS n FROM s GROUP BY g", "schema_registry = 'http://r'",
			`[{"name":"g","type":"VARCHAR","nullable":false},{"name":"n","type":"BIGINT","nullable":false},{"name":"_op","type":"VARCHAR","nullable":false}]`},
		{"SELECT g, COUNT(*) AS n FROM s GROUP BY g", "schema_registry = 'http://r', mode = 'upsert'",
			`[{"name":"g","type":"VARCHAR","nullable":false},{"name":"n","type":"BIGINT","nullable":false}]`},
	} {
		res, diags := Compile("p.sql", "p", src+"CREATE VIEW v AS "+c.view+";\nCREATE SINK o FROM v WITH ("+kafka+", "+c.with+");")
		if res == nil {
			t.Fatalf("%s: %v", c.view, diags)
		}
		if got := res.Logical.Sinks[0].Options["laminar.columns"]; got != c.cols {
			t.Errorf("%s %s: columns %s, want %s", c.view, c.with, got, c.cols)
		}
	}
	for _, c := range []struct{ view, with, msg string }{
		{"SELECT g FROM s", "mode = 'changelog'", "format 'avro' needs the option schema_registry"},
		{"SELECT g, COUNT(*) AS n FROM s GROUP BY g", "schema_registry = 'http://r', mode = 'debezium'", "mode = 'debezium' writes JSON change events, not Avro"},
		{"SELECT g, ts - ts AS d FROM s", "schema_registry = 'http://r'", "column d is INTERVAL, which has no Avro type here"},
	} {
		diags := compileErr(t, src+"CREATE VIEW v AS "+c.view+";\nCREATE SINK o FROM v WITH ("+kafka+", "+c.with+");")
		if len(diags) != 1 || !strings.Contains(diags[0].Msg, c.msg) {
			t.Errorf("%s %s: %v", c.view, c.with, diags)
		}
	}
}
