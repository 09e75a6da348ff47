package binder

import (
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
	"github.com/laminar-sql/laminar/grammar"
)

const sources = `CREATE SOURCE t (k VARCHAR NOT NULL, v BIGINT, x DOUBLE, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (connector = 'stdin');
CREATE SOURCE u (k VARCHAR, w DOUBLE NOT NULL, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH (connector = 'stdin');
`

func bind(t *testing.T, sql string) (*plan.Pipeline, []diag.Diagnostic) {
	t.Helper()
	src := sources + sql
	script, diags := grammar.Parse("t.sql", src)
	if len(diags) > 0 {
		t.Fatalf("parse: %v", diags)
	}
	return Bind(script, src, "t")
}

func view(t *testing.T, p *plan.Pipeline, name string) *plan.View {
	t.Helper()
	for _, v := range p.Views {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no view %s", name)
	return nil
}

func errorsOf(diags []diag.Diagnostic) []string {
	var out []string
	for _, d := range diags {
		if d.Severity == diag.Error {
			out = append(out, string(d.Code)+" "+d.Msg)
		}
	}
	return out
}

func TestViewOverViewIsAViewScan(t *testing.T) {
	p, diags := bind(t, "CREATE VIEW a AS SELECT k, v FROM t;\nCREATE VIEW b AS SELECT k FROM a WHERE v > 1;\nCREATE SINK o FROM b WITH (connector = 'stdout');")
	if errs := errorsOf(diags); len(errs) > 0 {
		t.Fatal(errs)
	}
	got := plan.Format(view(t, p, "b").Root)
	if !strings.Contains(got, "ViewScan a") || strings.Contains(got, "Scan t") {
		t.Errorf("b should read view a as a leaf:\n%s", got)
	}
	// a is read by b, which feeds a sink: no "feeds no sink" warning for a
	for _, d := range diags {
		if d.Code == diag.ViewWithoutSink {
			t.Errorf("unexpected warning: %s", d.Msg)
		}
	}
}

func TestCTEsSeeEarlierOnes(t *testing.T) {
	p, diags := bind(t, `CREATE VIEW v AS WITH a AS (SELECT k, v FROM t), b AS (SELECT k FROM a WHERE v > 1)
  SELECT k FROM (SELECT k FROM b) AS s;
CREATE SINK o FROM v WITH (connector = 'stdout');`)
	if errs := errorsOf(diags); len(errs) > 0 {
		t.Fatal(errs)
	}
	if got := plan.Format(view(t, p, "v").Root); !strings.Contains(got, "Filter (v > 1)") || !strings.Contains(got, "Scan t") {
		t.Errorf("CTEs should inline into the tree:\n%s", got)
	}
	// a CTE is not visible outside its query, nor before its definition
	_, diags = bind(t, "CREATE VIEW v AS WITH b AS (SELECT k FROM a), a AS (SELECT k FROM t) SELECT k FROM b;\nCREATE VIEW w AS SELECT k FROM a;")
	errs := errorsOf(diags)
	if len(errs) != 2 || !strings.Contains(errs[0], `unknown source or view "a"`) {
		t.Errorf("errors: %v", errs)
	}
}

func TestUnionWidens(t *testing.T) {
	p, diags := bind(t, "CREATE VIEW v AS SELECT k, v FROM t UNION ALL SELECT k, w FROM u;\nCREATE SINK o FROM v WITH (connector = 'stdout');")
	if errs := errorsOf(diags); len(errs) > 0 {
		t.Fatal(errs)
	}
	root := view(t, p, "v").Root
	if _, ok := root.(*plan.Union); !ok {
		t.Fatalf("root is %T", root)
	}
	want := plan.Schema{{Name: "k", Type: types.Type{Kind: types.String, Nullable: true}}, {Name: "v", Type: types.Type{Kind: types.Float, Nullable: true}}}
	got := root.Schema()
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("column %d: %v, want %v", i, got[i], want[i])
		}
	}
	for _, arm := range root.Inputs() {
		s := arm.Schema()
		for i := range want {
			if s[i] != want[i] {
				t.Errorf("an arm's column %d is %v, want %v (every arm casts to the union's schema)", i, s[i], want[i])
			}
		}
	}
}

func TestDistinctIsAGroupBy(t *testing.T) {
	p, diags := bind(t, `CREATE VIEW d AS SELECT DISTINCT k FROM t;
CREATE VIEW wd AS SELECT DISTINCT k, window_start FROM TUMBLE(t, ts, INTERVAL '1' MINUTE);
CREATE SINK o FROM d WITH (connector = 'stdout');
CREATE SINK o2 FROM wd WITH (connector = 'stdout');`)
	if errs := errorsOf(diags); len(errs) > 0 {
		t.Fatal(errs)
	}
	d := view(t, p, "d").Root.(*plan.Aggregate)
	if len(d.Aggs) != 0 || len(d.Keys) != 1 || d.WindowKey >= 0 {
		t.Errorf("DISTINCT k: %s", d.Describe())
	}
	wd := view(t, p, "wd").Root.(*plan.Aggregate)
	if wd.WindowKey != 1 || wd.Emit != plan.EmitOnClose || !wd.AppendOnly() {
		t.Errorf("windowed DISTINCT should keep state per window and emit on close: %s (append-only %v)", wd.Describe(), wd.AppendOnly())
	}
}

func TestWindowOverViews(t *testing.T) {
	_, diags := bind(t, `CREATE VIEW w10 AS SELECT k, window_start, window_end, COUNT(*) AS n FROM TUMBLE(t, ts, INTERVAL '10' SECOND) GROUP BY k, window_start, window_end;
CREATE VIEW w60 AS SELECT k, window_start, SUM(n) AS n FROM TUMBLE(w10, window_end, INTERVAL '1' MINUTE) GROUP BY k, window_start;
CREATE VIEW bad1 AS SELECT window_start, COUNT(*) AS c FROM TUMBLE(w10, k, INTERVAL '1' MINUTE) GROUP BY window_start;
CREATE VIEW counts AS SELECT k, MAX(ts) AS ts FROM t GROUP BY k;
CREATE VIEW bad2 AS SELECT window_start, COUNT(*) AS c FROM TUMBLE(counts, ts, INTERVAL '1' MINUTE) GROUP BY window_start;`)
	errs := errorsOf(diags)
	if len(errs) != 2 || !strings.Contains(errs[0], `must use an event-time column of w10: "window_start" or "window_end"`) ||
		!strings.Contains(errs[1], "windows need an append-only input, and counts is updating") {
		t.Errorf("errors: %q", errs)
	}
}

func TestFailedViewHasNoKnockOn(t *testing.T) {
	_, diags := bind(t, "CREATE VIEW a AS SELECT nosuch FROM t;\nCREATE VIEW b AS SELECT k FROM a;\nCREATE SINK o FROM a WITH (connector = 'stdout');")
	if errs := errorsOf(diags); len(errs) != 1 || !strings.Contains(errs[0], `unknown column "nosuch"`) {
		t.Errorf("want one error, got %q", errs)
	}
	for _, d := range diags {
		if d.Severity != diag.Error {
			t.Errorf("no warnings after an error, got %s %s", d.Code, d.Msg)
		}
	}
}

// TestFilteredAggregateIsNullable: an aggregate with FILTER over a NOT NULL
// argument is NULL for a group no row passes; only the counts stay NOT NULL.
func TestFilteredAggregateIsNullable(t *testing.T) {
	p, diags := bind(t, `CREATE VIEW a AS SELECT k, MAX(w) FILTER (WHERE w > 1) AS mx, MIN(w) FILTER (WHERE w > 1) AS mn,
  SUM(w) FILTER (WHERE w > 1) AS s, AVG(w) FILTER (WHERE w > 1) AS av, FIRST_VALUE(w) FILTER (WHERE w > 1) AS f,
  COUNT(w) FILTER (WHERE w > 1) AS c, COUNT(*) FILTER (WHERE w > 1) AS cs, MAX(w) AS m FROM u GROUP BY k;
CREATE SINK o FROM a WITH (connector = 'stdout');`)
	if errs := errorsOf(diags); len(errs) > 0 {
		t.Fatal(errs)
	}
	want := map[string]bool{"mx": true, "mn": true, "s": true, "av": true, "f": true, "c": false, "cs": false, "m": false}
	for _, col := range view(t, p, "a").Root.Schema() {
		if n, ok := want[col.Name]; ok && col.Type.Nullable != n {
			t.Errorf("%s: %s, want nullable %v", col.Name, col.Type, n)
		}
	}
}
