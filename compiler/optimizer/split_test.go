package optimizer

import (
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler/plan"
)

// aggregateOf is the first Aggregate of a plan, top down.
func aggregateOf(n plan.Node) *plan.Aggregate {
	if a, ok := n.(*plan.Aggregate); ok {
		return a
	}
	for _, in := range n.Inputs() {
		if a := aggregateOf(in); a != nil {
			return a
		}
	}
	return nil
}

func TestSplitDistinct(t *testing.T) {
	root := bound(t, "SELECT k, COUNT(DISTINCT n) AS dn, COUNT(DISTINCT x) FILTER (WHERE n > 0) AS dx, COUNT(DISTINCT n) FILTER (WHERE x > 0) AS dn2, COUNT(*) AS c, MIN(x) AS mn FROM t GROUP BY k")
	aggregateOf(root).SplitDistinct = 8
	got := SplitDistinct(root)
	final := aggregateOf(got)
	if final == nil || !strings.HasPrefix(final.Split, "split distinct: final") {
		t.Fatalf("no final aggregate:\n%s", shape(got))
	}
	// the final level combines each aggregate: distinct counts and counts by SUM, MIN by MIN
	var funcs []string
	for _, a := range final.Aggs {
		funcs = append(funcs, string(a.Func))
	}
	if f := strings.Join(funcs, " "); f != "SUM SUM SUM SUM MIN" {
		t.Errorf("final aggregates %s, want SUM SUM SUM SUM MIN", f)
	}
	// one partial aggregate per distinct argument (n, x), the others in the first
	u, ok := final.Input.(*plan.Union)
	if !ok || len(u.Arms) != 2 {
		t.Fatalf("final aggregate's input is not a union of 2 arms:\n%s", shape(got))
	}
	for i, want := range []string{
		"Aggregate keys [k, DISTINCT_BUCKET(n, 8)] aggs [COUNT(DISTINCT n), COUNT(DISTINCT n) FILTER (WHERE (x > CAST(0 AS DOUBLE))), COUNT(*), MIN(x)]",
		"Aggregate keys [k, DISTINCT_BUCKET(x, 8)] aggs [COUNT(DISTINCT x) FILTER (WHERE (n > 0))]",
	} {
		p := aggregateOf(u.Arms[i])
		if d := p.Describe(); !strings.HasPrefix(d, want) && !strings.HasPrefix(d, strings.ReplaceAll(want, "CAST(0 AS DOUBLE)", "0")) {
			t.Errorf("arm %d: %s, want %s", i, d, want)
		}
		if s := u.Arms[i].Schema(); len(s) != 6 || s[1].Type.Nullable || !s[5].Type.Nullable {
			t.Errorf("arm %d's columns %v, want k and one per aggregate (counts NOT NULL, MIN nullable)", i, s)
		}
	}
	// the result keeps the original's columns and types
	orig := aggregateOf(root)
	for i, c := range orig.Schema() {
		if final.Schema()[i] != c {
			t.Errorf("column %d: %v, want %v", i, final.Schema()[i], c)
		}
	}
	// not asked for, or not splittable: unchanged but for the reason
	if n := SplitDistinct(bound(t, "SELECT k, COUNT(DISTINCT n) AS d FROM t GROUP BY k")); aggregateOf(n).Split != "" {
		t.Errorf("split without being asked: %s", shape(n))
	}
	avg := bound(t, "SELECT k, COUNT(DISTINCT n) AS d, AVG(x) AS a FROM t GROUP BY k")
	aggregateOf(avg).SplitDistinct = 8
	if a := aggregateOf(SplitDistinct(avg)); !strings.HasPrefix(a.Split, "distinct not split: AVG(x)") {
		t.Errorf("AVG: %q", a.Split)
	}
}
