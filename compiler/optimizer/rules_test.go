package optimizer

import (
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler/binder"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/grammar"
)

const source = `CREATE SOURCE t (k VARCHAR NOT NULL, x DOUBLE, n BIGINT, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (connector = 'stdin');
`

// bound returns the unoptimized plan of the view in query.
func bound(t *testing.T, query string) plan.Node {
	t.Helper()
	src := source + "CREATE VIEW v AS " + query + ";\nCREATE SINK o FROM v WITH (connector = 'stdout');\n"
	script, diags := grammar.Parse("t.sql", src)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	p, diags := binder.Bind(script, src, "t")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	return p.Views[0].Root
}

func shape(n plan.Node) string {
	return strings.TrimSpace(plan.Format(n))
}

func TestFoldConstants(t *testing.T) {
	n := FoldConstants(bound(t, "SELECT k, 1 + 2 * 3 AS c, x * (10 / 4) AS y FROM t WHERE 1 < 2 AND n > 2 + 3"))
	got := shape(n)
	for _, want := range []string{"7 AS c", "(x * CAST(2 AS DOUBLE))", "Filter (n > 5)"} {
		if !strings.Contains(got, want) && !strings.Contains(got, strings.ReplaceAll(want, "CAST(2 AS DOUBLE)", "2")) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	// an always-true filter disappears
	if n := FoldConstants(bound(t, "SELECT k FROM t WHERE TRUE OR n > 1")); strings.Contains(shape(n), "Filter") {
		t.Errorf("TRUE filter kept:\n%s", shape(n))
	}
	// NULL propagates, but NULL AND FALSE is FALSE
	if got := plan.Fold(FoldConstants(bound(t, "SELECT k FROM t WHERE NULL AND FALSE")).(*plan.Project).Input.(*plan.Filter).Pred); got.String() != "FALSE" {
		t.Errorf("NULL AND FALSE folded to %s", got)
	}
}

func TestMergeFilters(t *testing.T) {
	in := &plan.Filter{Input: &plan.Filter{Input: &plan.Scan{}, Pred: &plan.Const{Value: true}}, Pred: &plan.Const{Value: false}}
	out := MergeFilters(in)
	f, ok := out.(*plan.Filter)
	if !ok {
		t.Fatalf("got %T", out)
	}
	if _, nested := f.Input.(*plan.Filter); nested {
		t.Error("filters not merged")
	}
	if !strings.Contains(f.Pred.String(), "AND") {
		t.Errorf("merged predicate %s", f.Pred)
	}
}

func TestPushDownFilters(t *testing.T) {
	// HAVING on a group key moves below the aggregate and the window.
	n := PushDownFilters(bound(t, "SELECT k, window_start, COUNT(*) AS c FROM TUMBLE(t, ts, INTERVAL '1' MINUTE) GROUP BY k, window_start HAVING k <> 'x'"))
	got := shape(n)
	lines := strings.Split(got, "\n")
	if !strings.Contains(lines[len(lines)-2], "Filter (k <> 'x')") {
		t.Errorf("filter not pushed to the scan:\n%s", got)
	}
	// HAVING on an aggregate stays above it.
	n = PushDownFilters(bound(t, "SELECT k, COUNT(*) AS c FROM t GROUP BY k HAVING COUNT(*) > 1"))
	if lines := strings.Split(shape(n), "\n"); !strings.Contains(lines[1], "Filter") {
		t.Errorf("aggregate filter moved:\n%s", shape(n))
	}
	// a filter on window_start cannot go below the window assigner
	n = PushDownFilters(bound(t, "SELECT k, window_start, COUNT(*) AS c FROM TUMBLE(t, ts, INTERVAL '1' MINUTE) WHERE window_start > TIMESTAMP '2024-01-01 00:00:00' GROUP BY k, window_start"))
	got = shape(n)
	if strings.Index(got, "Filter") > strings.Index(got, "Window") {
		t.Errorf("window filter pushed below the window:\n%s", got)
	}
}

func TestPruneColumns(t *testing.T) {
	n := PruneColumns(bound(t, "SELECT k, COUNT(*) AS c FROM t GROUP BY k"))
	got := shape(n)
	// k is read; ts is always read for the watermark; x and n are not
	if !strings.Contains(got, "Scan t [k, ts]") {
		t.Errorf("columns not pruned:\n%s", got)
	}
}

func TestMergeProjects(t *testing.T) {
	// a subquery's projection folds into the outer one
	got := shape(MergeProjects(bound(t, "SELECT y + 1 AS z, k FROM (SELECT k, x * 2 AS y FROM t) AS s")))
	if strings.Count(got, "Project") != 1 || !strings.Contains(got, "((x * CAST(2 AS DOUBLE)) + CAST(1 AS DOUBLE)) AS z") {
		t.Errorf("not merged:\n%s", got)
	}
	// a computed column read twice stays computed once
	got = shape(MergeProjects(bound(t, "SELECT y + y AS z FROM (SELECT x * 2 AS y FROM t) AS s")))
	if strings.Count(got, "Project") != 2 {
		t.Errorf("merged a column computed twice:\n%s", got)
	}
}

func TestPruneColumnsThroughUnion(t *testing.T) {
	got := shape(PruneColumns(bound(t, "SELECT k FROM t UNION ALL SELECT k FROM t WHERE n > 1")))
	if strings.Count(got, "Scan t [k, ts]") != 1 || strings.Count(got, "Scan t [k, n, ts]") != 1 {
		t.Errorf("each arm's scan should read only its columns:\n%s", got)
	}
}

// TestFoldKeepsOverflow: a constant expression that overflows BIGINT is not
// folded to a wrapped constant (it used to be: 9223372036854775807 + 1 gave
// -9223372036854775808); left to run time, it fails per row with LDB-6001.
func TestFoldKeepsOverflow(t *testing.T) {
	got := shape(FoldConstants(bound(t, "SELECT 9223372036854775807 + 1 AS a, 4611686018427387904 * 2 AS b, -9223372036854775807 - 2 AS c, 3037000499 * 3037000499 AS d FROM t")))
	for _, want := range []string{"(9223372036854775807 + 1) AS a", "(4611686018427387904 * 2) AS b", "AS c", "9223372030926249001 AS d"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "-9223372036854775808") || strings.Contains(got, "9223372036854775807 AS c") {
		t.Errorf("an overflow was folded:\n%s", got)
	}
}
