package compiler

import (
	"os"
	"strings"
	"testing"
)

// TestExplainWorkers checks, against testdata/workers/plans.txt (cases as
// in TestExplain; -rewrite rewrites it), the Workers line explain shows for
// the shapes that split among workers by key and for those that keep a job
// on one engine, with the reason: never silently one engine.
func TestExplainWorkers(t *testing.T) {
	const file = "testdata/workers/plans.txt"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cases := parseCases(string(data))
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	var out strings.Builder
	for i, c := range cases {
		got := workersLine(physicalExplain(c.sql))
		if !*rewrite && got != c.want {
			t.Errorf("case %d (%s):\n%s\n--- got:\n%s--- want:\n%s", i+1, c.comment, c.sql, got, c.want)
		}
		if i > 0 {
			out.WriteString("\n")
		}
		out.WriteString(c.comment + c.sql + "\n----\n" + got)
	}
	if *rewrite {
		if err := os.WriteFile(file, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// workersLine is the Workers line of explain's physical plan, or the
// diagnostics when there is none.
func workersLine(plan string) string {
	for _, line := range strings.SplitAfter(plan, "\n") {
		if strings.HasPrefix(line, "Workers: ") {
			return line
		}
	}
	return plan
}
