package compiler

import (
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler/diag"
)

// TestSplitDistinct: the settings that ask for split distinct, what explain
// shows of both levels, the aggregates left unsplit (and why), and the
// settings' errors.
func TestSplitDistinct(t *testing.T) {
	view := "CREATE VIEW v%s AS SELECT symbol, COUNT(DISTINCT volume) AS dv, COUNT(DISTINCT price) FILTER (WHERE volume > 1) AS dp, COUNT(*) AS n, MAX(price) AS mx FROM trades GROUP BY symbol;\nCREATE SINK o FROM v WITH (connector = 'stdout');\n"
	with := func(w string) string { return strings.Replace(view, "%s", w, 1) }
	for _, c := range []struct{ name, sql, want string }{
		{"set", "SET 'distinct_split' = '8';\n" + with(""), "split distinct: partial, 8 buckets of volume"},
		{"flink keys", "SET 'table.optimizer.distinct-agg.split.enabled' = 'true';\nSET 'table.optimizer.distinct-agg.split.bucket-num' = '32';\n" + with(""), "split distinct: partial, 32 buckets of price"},
		{"flink default buckets", "SET 'table.optimizer.distinct-agg.split.enabled' = 'true';\n" + with(""), "split distinct: final, adds up 16 buckets"},
		{"view option", with(" WITH (distinct_split = '4')"), "DISTINCT_BUCKET(volume, 4)"},
		{"windowed", "SET 'distinct_split' = '8';\nCREATE VIEW v AS SELECT symbol, window_start, COUNT(DISTINCT volume) AS d FROM TUMBLE(trades, ts, INTERVAL '1' SECOND) GROUP BY symbol, window_start;\nCREATE SINK o FROM v WITH (connector = 'stdout');\n",
			"distinct not split: a windowed aggregate"},
		{"avg", "SET 'distinct_split' = '8';\nCREATE VIEW v AS SELECT symbol, COUNT(DISTINCT volume) AS d, AVG(price) AS a FROM trades GROUP BY symbol;\nCREATE SINK o FROM v WITH (connector = 'stdout');\n",
			"distinct not split: AVG(price)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, diags := Compile("p.sql", "p", trades+c.sql)
			if res == nil {
				t.Fatalf("%v", diags)
			}
			if out := Explain(res); !strings.Contains(out, c.want) {
				t.Errorf("explain lacks %q:\n%s", c.want, out)
			}
		})
	}
	// off by default, and with '0'
	for _, sql := range []string{with(""), "SET 'distinct_split' = '0';\n" + with(""), "SET 'distinct_split' = '8';\n" + with(" WITH (distinct_split = '0')")} {
		res, diags := Compile("p.sql", "p", trades+sql)
		if res == nil {
			t.Fatalf("%v", diags)
		}
		if out := Explain(res); strings.Contains(out, "split distinct") || strings.Contains(out, "DISTINCT_BUCKET") {
			t.Errorf("split without being asked:\n%s", out)
		}
	}
	for _, c := range []struct {
		name, sql string
		code      diag.Code
		msg       string
	}{
		{"bad number", "SET 'distinct_split' = 'many';\n" + with(""), diag.BadOption, "not a number of buckets"},
		{"one bucket", "SET 'distinct_split' = '1';\n" + with(""), diag.BadOption, "not a number of buckets"},
		{"twice", "SET 'distinct_split' = '2';\nSET 'distinct_split' = '4';\n" + with(""), diag.BadOption, "given twice"},
		{"both spellings", "SET 'distinct_split' = '2';\nSET 'table.optimizer.distinct-agg.split.enabled' = 'true';\n" + with(""), diag.BadOption, "the same setting"},
		{"enabled not boolean", "SET 'table.optimizer.distinct-agg.split.enabled' = 'yes';\n" + with(""), diag.BadOption, "'true' or 'false'"},
		{"view without distinct", "CREATE VIEW v WITH (distinct_split = '4') AS SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol;\nCREATE SINK o FROM v WITH (connector = 'stdout');\n", diag.Unsupported, "has none"},
	} {
		t.Run(c.name, func(t *testing.T) {
			diags := compileErr(t, trades+c.sql)
			for _, d := range diags {
				if d.Code == c.code && strings.Contains(d.Msg, c.msg) {
					return
				}
			}
			t.Errorf("got %v, want %s %q", diags, c.code, c.msg)
		})
	}
}
