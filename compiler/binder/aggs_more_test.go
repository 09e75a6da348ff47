package binder

import (
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler/plan"
)

func TestMoreAggregatesBind(t *testing.T) {
	p, diags := bind(t, `CREATE VIEW a AS SELECT k, FIRST_VALUE(x) AS o, LAST_VALUE(v) AS c, STDDEV(x) AS s, VARIANCE(v) AS vs,
  STDDEV_POP(x) AS sp, VAR_POP(v) AS vp, APPROX_COUNT_DISTINCT(x) AS d
FROM TUMBLE(t, ts, INTERVAL '1' MINUTE) GROUP BY k, window_start, window_end;
CREATE SINK o FROM a WITH (connector = 'stdout');`)
	if errs := errorsOf(diags); len(errs) > 0 {
		t.Fatal(errs)
	}
	var aggs []plan.Agg
	var find func(n plan.Node)
	find = func(n plan.Node) {
		if a, ok := n.(*plan.Aggregate); ok {
			aggs = a.Aggs
		}
		for _, in := range n.Inputs() {
			find(in)
		}
	}
	find(view(t, p, "a").Root)
	want := []plan.AggFunc{plan.FirstValue, plan.LastValue, plan.StddevSamp, plan.VarSamp, plan.StddevPop, plan.VarPop, plan.ApproxCountDistinct}
	if len(aggs) != len(want) {
		t.Fatalf("aggregates %v", aggs)
	}
	for i, a := range aggs {
		if a.Func != want[i] {
			t.Errorf("aggregate %d is %s, want %s", i, a.Func, want[i])
		}
	}
	if c, ok := aggs[0].Time.(*plan.ColRef); !ok || c.Name != "ts" {
		t.Errorf("FIRST_VALUE orders by %v, want the event time ts", aggs[0].Time)
	}
	if !aggs[2].T.Nullable || aggs[6].T.Nullable {
		t.Errorf("STDDEV is NULL over one row, APPROX_COUNT_DISTINCT never: %v %v", aggs[2].T, aggs[6].T)
	}
}

func TestMoreAggregatesErrors(t *testing.T) {
	for sql, want := range map[string]string{
		// an updating input has no event time to order by
		"CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;\nCREATE VIEW b AS SELECT FIRST_VALUE(n) AS f FROM a;": "LDB-4001 FIRST_VALUE orders rows by event time",
		"CREATE VIEW b AS SELECT STDDEV(k) AS s FROM t;":                                                                   "LDB-2007 STDDEV needs a number",
		"CREATE VIEW b AS SELECT VAR_POP(x, v) AS s FROM t;":                                                               "LDB-2009",
		"CREATE VIEW b AS SELECT k FROM t WHERE APPROX_COUNT_DISTINCT(k) > 1;":                                             "LDB-2013",
		"CREATE VIEW b AS SELECT STDEV(x) AS s FROM t;":                                                                    "did you mean STDDEV",
	} {
		_, diags := bind(t, sql+"\nCREATE SINK o FROM b WITH (connector = 'stdout');")
		var all []string
		for _, d := range diags {
			all = append(all, string(d.Code)+" "+d.Msg+" "+d.Hint)
		}
		if !strings.Contains(strings.Join(all, "\n"), want) {
			t.Errorf("%s\n: want %q, got %v", sql, want, all)
		}
	}
}
