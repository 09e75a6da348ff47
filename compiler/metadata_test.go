package compiler

import (
	"strings"
	"testing"
)

// TestMetadataColumns: METADATA FROM names what the connector knows of a
// record; an unknown key or a wrong type is an error at the column.
func TestMetadataColumns(t *testing.T) {
	ok := `CREATE SOURCE s (v BIGINT, off BIGINT METADATA FROM 'offset', line BIGINT METADATA) WITH (connector = 'file', path = 'x.jsonl');
CREATE VIEW v AS SELECT v, off, line FROM s;
CREATE SINK o FROM v WITH (connector = 'stdout');`
	res, diags := Compile("p.sql", "p", ok)
	if res == nil {
		t.Fatal(diags)
	}
	if m := res.Physical.Pipeline.Sources[0].Metadata; len(m) != 3 || m[1] != "offset" || m[2] != "line" || m[0] != "" {
		t.Fatalf("metadata %q", m)
	}
	for _, c := range []struct{ sql, msg, hint string }{
		{`CREATE SOURCE s (v BIGINT, k VARCHAR METADATA FROM 'key') WITH (connector = 'file', path = 'x.jsonl');`,
			`connector file has no metadata "key"`, "'line', 'offset'"},
		{`CREATE SOURCE s (v BIGINT, k BIGINT METADATA FROM 'key') WITH (connector = 'kafka', topic = 't', brokers = 'b');`,
			`metadata "key" is VARCHAR, not BIGINT`, ""},
		{`CREATE SOURCE s (v BIGINT, h VARCHAR METADATA FROM 'header.') WITH (connector = 'kafka', topic = 't', brokers = 'b');`,
			`has no metadata "header."`, "'header.<name>'"},
	} {
		diags := compileErr(t, c.sql+"\nCREATE VIEW v AS SELECT v FROM s;\nCREATE SINK o FROM v WITH (connector = 'stdout');")
		if len(diags) != 1 || !strings.Contains(diags[0].Msg, c.msg) || !strings.Contains(diags[0].Hint, c.hint) {
			t.Errorf("%s: %v", c.sql, diags)
		}
	}
}
