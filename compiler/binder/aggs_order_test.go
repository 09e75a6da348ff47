package binder

import (
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/grammar"
)

// TestFirstValueOrderBy: FIRST_VALUE/LAST_VALUE(x ORDER BY y) order by y
// (any input, no event time needed); other aggregates and other key types
// are refused with a position.
func TestFirstValueOrderBy(t *testing.T) {
	p, diags := bind(t, `CREATE VIEW a AS SELECT k, FIRST_VALUE(x ORDER BY v) AS f, LAST_VALUE(k ORDER BY v DESC) AS l, COUNT(*) AS c FROM t GROUP BY k;
CREATE VIEW b AS SELECT k, FIRST_VALUE(l ORDER BY c) AS ff FROM a GROUP BY k;
CREATE SINK o FROM b WITH (connector = 'stdout');`)
	if errs := errorsOf(diags); len(errs) > 0 {
		t.Fatal(errs)
	}
	if got := view(t, p, "a").Root.Schema()[1].Type.String(); got != "DOUBLE" {
		t.Errorf("FIRST_VALUE(x ORDER BY v): %s", got)
	}
	_, diags = bind(t, "CREATE VIEW b AS SELECT k, FIRST_VALUE(x ORDER BY k) AS f FROM t GROUP BY k;\nCREATE SINK o FROM b WITH (connector = 'stdout');")
	if errs := strings.Join(errorsOf(diags), "\n"); !strings.Contains(errs, "order by a BIGINT, TIMESTAMP or DECIMAL") {
		t.Errorf("ORDER BY a VARCHAR: %q", errs)
	}
	_, pd := grammar.Parse("t.sql", sources+"CREATE VIEW b AS SELECT k, SUM(v ORDER BY x) AS s FROM t GROUP BY k;")
	if len(pd) == 0 || !strings.Contains(pd[0].Msg, "ORDER BY inside SUM(...) is not supported") {
		t.Errorf("SUM(v ORDER BY x): %v", pd)
	}
}
