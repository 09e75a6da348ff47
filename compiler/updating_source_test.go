package compiler

import (
	"strings"
	"testing"
)

// TestUpdatingSources: a PostgreSQL CDC source and the changelog formats
// are updating (their rows carry weights), so every view over them is, and
// windows over them are refused with a hint; mode = 'append' reads inserts.
func TestUpdatingSources(t *testing.T) {
	for _, with := range []string{
		"connector = 'postgres', table = 't', url_env = 'U'",
		"connector = 'file', path = 'x.jsonl', format = 'debezium'",
		"connector = 'kafka', topic = 't', brokers = 'b:9092', format = 'changelog'",
	} {
		src := "CREATE SOURCE s (id BIGINT NOT NULL, g VARCHAR, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts) WITH (" + with + ");\n"
		res, diags := Compile("p.sql", "p", src+"CREATE VIEW v AS SELECT id, g FROM s WHERE id > 1;\nCREATE SINK o FROM v WITH (connector = 'stdout');")
		if res == nil {
			t.Fatalf("%s: %v", with, diags)
		}
		if op := res.Physical.Operators[0]; !op.Updating || !op.InputUpdating {
			t.Errorf("%s: a filter over the source: updating %v, input updating %v", with, op.Updating, op.InputUpdating)
		}
		diags = compileErr(t, src+"CREATE VIEW v AS SELECT window_start, COUNT(*) AS n FROM TUMBLE(s, ts, INTERVAL '1' MINUTE) GROUP BY window_start;\nCREATE SINK o FROM v WITH (connector = 'stdout');")
		if len(diags) != 1 || diags[0].Code != "LDB-2011" || !strings.Contains(diags[0].Hint, "changelog format") {
			t.Errorf("%s: window over an updating source: %v", with, diags)
		}
	}
	src := "CREATE SOURCE s (id BIGINT NOT NULL, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts) WITH (connector = 'postgres', table = 't', url_env = 'U', mode = 'append');\n"
	res, diags := Compile("p.sql", "p", src+"CREATE VIEW v AS SELECT window_start, COUNT(*) AS n FROM TUMBLE(s, ts, INTERVAL '1' MINUTE) GROUP BY window_start;\nCREATE SINK o FROM v WITH (connector = 'stdout');")
	if res == nil {
		t.Fatalf("append mode: %v", diags)
	}
	diags = compileErr(t, strings.Replace(src, "'append'", "'upsert'", 1))
	if len(diags) != 1 || !strings.Contains(diags[0].Msg, "mode must be") {
		t.Errorf("bad mode: %v", diags)
	}
}
