package compiler

import (
	"os"
	"strings"
	"testing"
)

// TestExplainCombiner checks, against testdata/combiner/plans.txt (cases
// as in TestExplain; -rewrite rewrites it), the physical plan explain shows
// for key-partitioned jobs with its Workers and Combiner lines: the
// combiner where the workers pre-aggregate, and why not elsewhere.
func TestExplainCombiner(t *testing.T) {
	const file = "testdata/combiner/plans.txt"
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
		got := physicalExplain(c.sql)
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

// physicalExplain is explain's physical plan of a pipeline, with its
// Workers and Combiner lines, or its diagnostics.
func physicalExplain(sql string) string {
	res, diags := Compile("test.sql", "test", sql)
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Error() + "\n")
	}
	if res != nil {
		out := Explain(res)
		b.WriteString(out[strings.Index(out, "== Physical plan ==\n")+len("== Physical plan ==\n"):])
	}
	return b.String()
}
