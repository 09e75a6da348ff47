package binder

import (
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler/plan"
)

func joinOfView(t *testing.T, p *plan.Pipeline, name string) *plan.Join {
	t.Helper()
	var found *plan.Join
	var walk func(n plan.Node)
	walk = func(n plan.Node) {
		if j, ok := n.(*plan.Join); ok && found == nil {
			found = j
		}
		for _, in := range n.Inputs() {
			walk(in)
		}
	}
	walk(view(t, p, name).Root)
	if found == nil {
		t.Fatalf("view %s has no join", name)
	}
	return found
}

func TestStateTTL(t *testing.T) {
	const join = "SELECT t.k, u.w FROM t JOIN u ON t.k = u.k"
	for _, c := range []struct {
		name, sql string
		ttl       int64 // of view v's join
	}{
		{"view option", "CREATE VIEW v WITH (state_ttl = '1h') AS " + join + ";", 3600e6},
		{"pipeline SET", "SET 'state_ttl' = '90m';\nCREATE VIEW v AS " + join + ";", 5400e6},
		{"Flink's key and form", "SET 'table.exec.state.ttl' = '2 d';\nCREATE VIEW v AS " + join + ";", 2 * 86400e6},
		{"milliseconds", "SET 'table.exec.state.ttl' = '1500';\nCREATE VIEW v AS " + join + ";", 1500e3},
		{"SET after the view", "CREATE VIEW v AS " + join + ";\nSET 'state_ttl' = '10s';", 10e6},
		{"view overrides SET", "SET 'state_ttl' = '1h';\nCREATE VIEW v WITH (state_ttl = '5s') AS " + join + ";", 5e6},
		{"view keeps forever", "SET 'state_ttl' = '1h';\nCREATE VIEW v WITH (state_ttl = '0') AS " + join + ";", 0},
		{"none", "CREATE VIEW v AS " + join + ";", 0},
		{"interval joins are not retained", "SET 'state_ttl' = '1h';\nCREATE VIEW v AS SELECT t.k, u.w FROM t JOIN u ON t.k = u.k AND u.ts BETWEEN t.ts - INTERVAL '1' SECOND AND t.ts;", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, diags := bind(t, c.sql)
			if errs := errorsOf(diags); len(errs) > 0 {
				t.Fatal(errs)
			}
			if got := joinOfView(t, p, "v").TTL; got != c.ttl {
				t.Errorf("TTL = %d µs, want %d", got, c.ttl)
			}
		})
	}
}

func TestStateTTLErrors(t *testing.T) {
	const join = "SELECT t.k, u.w FROM t JOIN u ON t.k = u.k"
	for _, c := range []struct{ name, sql, want string }{
		{"bad duration", "CREATE VIEW v WITH (state_ttl = 'soon') AS " + join + ";",
			`LDB-3003 state_ttl "soon" is not a duration`},
		{"negative", "SET 'state_ttl' = '-1h';", `LDB-3003 state_ttl "-1h" is negative`},
		{"unknown view option", "CREATE VIEW v WITH (ttl = '1h') AS " + join + ";", `LDB-3004 a view has no option "ttl"`},
		{"unknown setting", "SET 'parallelism.default' = '2';", `LDB-3004 SET "parallelism.default" is not a setting of a pipeline`},
		{"twice", "SET 'state_ttl' = '1h';\nSET 'table.exec.state.ttl' = '2h';", `LDB-3003 SET state_ttl is given twice (first at line 5)`},
		{"no regular join", "CREATE VIEW v WITH (state_ttl = '1h') AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;",
			`LDB-4001 state_ttl bounds the state of regular joins, and view v has none`},
		{"no watermark", "CREATE SOURCE nw (k VARCHAR) WITH (connector = 'stdin');\nCREATE VIEW v WITH (state_ttl = '1h') AS SELECT t.k FROM t JOIN nw ON t.k = nw.k;",
			`LDB-4003 state_ttl counts event time, and an input of the join of view v has no watermark`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, diags := bind(t, c.sql)
			errs := errorsOf(diags)
			if len(errs) != 1 || !strings.HasPrefix(errs[0], c.want) {
				t.Errorf("errors %q, want one starting %q", errs, c.want)
			}
		})
	}
}
