package compiler

import (
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler/diag"
)

// TestLateGaps: a pipeline that reads LATE(source) and has a window whose
// late rows are not the source's rows (it reads the source through an
// aggregate or is an interval join) is refused with LDB-4001 naming the
// view; windows fused into the source's loop or behind views of filters
// and projections compile.
func TestLateGaps(t *testing.T) {
	late := "CREATE VIEW l AS SELECT * FROM LATE(trades);\nCREATE SINK lo FROM l WITH (connector = 'stdout');\n"
	ok := []string{
		"CREATE VIEW w AS SELECT symbol, window_start, COUNT(*) AS n FROM TUMBLE(trades, ts, INTERVAL '1' SECOND) GROUP BY symbol, window_start;\nCREATE SINK wo FROM w WITH (connector = 'stdout');\n",
		"CREATE VIEW f AS SELECT symbol, ts FROM trades WHERE price > 1;\nCREATE SINK fo FROM f WITH (connector = 'stdout');\n" +
			"CREATE VIEW w AS SELECT symbol, window_start, COUNT(*) AS n FROM TUMBLE(f, ts, INTERVAL '1' SECOND) GROUP BY symbol, window_start;\nCREATE SINK wo FROM w WITH (connector = 'stdout');\n",
	}
	for i, v := range ok {
		if res, diags := Compile("p.sql", "p", trades+v+late); res == nil {
			t.Errorf("case %d: %v", i, diags)
		}
	}
	bad := []struct{ views, view, through string }{
		{"CREATE VIEW a AS SELECT symbol, window_start, window_end, COUNT(*) AS n FROM TUMBLE(trades, ts, INTERVAL '1' SECOND) GROUP BY symbol, window_start, window_end;\n" +
			"CREATE VIEW w AS SELECT symbol, window_start, SUM(n) AS n FROM TUMBLE(a, window_start, INTERVAL '10' SECOND) GROUP BY symbol, window_start;\nCREATE SINK wo FROM w WITH (connector = 'stdout');\n",
			"w", "view a, an aggregate"},
		{"CREATE VIEW j AS SELECT a.symbol, a.ts, b.price FROM trades a JOIN trades b ON a.symbol = b.symbol AND b.ts BETWEEN a.ts - INTERVAL '1' SECOND AND a.ts;\nCREATE SINK jo FROM j WITH (connector = 'stdout');\n",
			"j", "its join's inputs"},
	}
	for _, c := range bad {
		diags := compileErr(t, trades+c.views+late)
		found := false
		for _, d := range diags {
			if d.Code == diag.Unsupported && strings.Contains(d.Msg, "rows late for view "+c.view) && strings.Contains(d.Msg, c.through) && d.Hint != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("view %s: got %v, want LDB-4001 naming it and %q", c.view, diags, c.through)
		}
	}
}
