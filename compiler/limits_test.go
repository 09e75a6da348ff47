package compiler

import (
	"fmt"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler/diag"
)

func nums(n int) string {
	vals := make([]string, n)
	for i := range vals {
		vals[i] = fmt.Sprint(i * 3)
	}
	return strings.Join(vals, ", ")
}

func repeatJoin(s, sep string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = s
	}
	return strings.Join(parts, sep)
}

func view(sel string) string {
	return trades + "CREATE VIEW v AS " + sel + ";\nCREATE SINK o FROM v WITH (connector = 'stdout');\n"
}

// TestLargeButAllowed: sizes that used to take seconds to check (an IN list
// of 40k values took 12.8 s, quadratic in rendering the plan) compile, and
// explain, as part of the normal test run.
func TestLargeButAllowed(t *testing.T) {
	cases := map[string]string{
		"IN list of 40k values":    view("SELECT volume FROM trades WHERE volume IN (" + nums(40000) + ")"),
		"NOT IN of 40k strings":    view("SELECT volume FROM trades WHERE symbol NOT IN (" + repeatJoin("'ab'", ", ", 40000) + ")"),
		"sum of 999 terms":         view("SELECT " + repeatJoin("volume", " + ", MaxExprDepth-1) + " AS x FROM trades"),
		"OR chain of 999 terms":    view("SELECT volume FROM trades WHERE " + repeatJoin("volume = 1", " OR ", MaxExprDepth-1)),
		"1000 output columns":      view("SELECT " + strings.Join(colList(MaxColumns), ", ") + " FROM trades"),
		"5 items of 999-term sums": view("SELECT " + strings.Join(sums(5, MaxExprDepth-1), ", ") + " FROM trades"),
	}
	for name, sql := range cases {
		res, diags := Compile("p.sql", "p", sql)
		if res == nil {
			t.Errorf("%s: %s", name, diag.Format("p.sql", sql, diags))
			continue
		}
		if !strings.Contains(Explain(res), "Project") && !strings.Contains(Explain(res), "Filter") {
			t.Errorf("%s: explain shows no stage", name)
		}
	}
}

func colList(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("volume AS c%d", i)
	}
	return out
}

func sums(items, terms int) []string {
	out := make([]string, items)
	for i := range out {
		out[i] = repeatJoin("volume", " + ", terms) + fmt.Sprintf(" AS s%d", i)
	}
	return out
}

// TestSizeLimits: beyond the limits, a pipeline is refused with LDB-1004
// naming the limit, instead of a go build that runs for minutes.
func TestSizeLimits(t *testing.T) {
	cols := make([]string, MaxColumns+1)
	for i := range cols {
		cols[i] = fmt.Sprintf("c%d BIGINT", i)
	}
	cases := []struct{ name, sql, want string }{
		{"wide source", "CREATE SOURCE w (" + strings.Join(cols, ", ") + ") WITH (connector = 'stdin');\nCREATE SINK o FROM w WITH (connector = 'stdout');\n",
			"declares 1001 columns; at most 1000"},
		{"wide query", view("SELECT " + strings.Join(colList(MaxColumns+1), ", ") + " FROM trades"), "outputs 1001 columns"},
		{"deep sum", view("SELECT " + repeatJoin("volume", " + ", MaxExprDepth+1) + " AS x FROM trades"), "nested more than 1000 deep"},
		{"too many nodes", view("SELECT " + strings.Join(sums(6, MaxExprDepth-1), ", ") + " FROM trades"), "has 11982 expression nodes; at most 10000"},
		{"deep sum in a subquery", view("SELECT x FROM (SELECT " + repeatJoin("volume", " + ", MaxExprDepth+1) + " AS x FROM trades) AS s"), "nested more than 1000 deep"},
		{"wide UNION arm", view("SELECT volume AS c0 FROM trades UNION ALL SELECT " + strings.Join(colList(MaxColumns+1), ", ") + " FROM trades"), "outputs 1001 columns"},
		{"long IN list", view("SELECT volume FROM trades WHERE volume IN (" + nums(MaxInList+1) + ")"), "IN list of 100001 values; at most 100000"},
	}
	for _, tt := range cases {
		res, diags := Compile("p.sql", "p", tt.sql)
		if res != nil || len(diags) != 1 || diags[0].Code != diag.TooLarge || !strings.Contains(diags[0].Msg, tt.want) {
			t.Errorf("%s: want one LDB-1004 error %q, got %v", tt.name, tt.want, diags)
			continue
		}
		// the report quotes a short window of the huge line, not the line
		if out := diag.Format("p.sql", tt.sql, diags); len(out) > 1000 {
			t.Errorf("%s: %d bytes of diagnostics", tt.name, len(out))
		}
	}
}
