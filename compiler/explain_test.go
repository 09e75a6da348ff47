package compiler

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler/physical"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of the data-driven tests in testdata/")

// TestExplain runs the data-driven plan tests in testdata/explain: each file
// holds cases of the form
//
//	# what the case shows
//	<pipeline SQL>
//	----
//	<the physical plan, or the diagnostics>
//
// separated by blank lines after the expected output. -rewrite writes the
// output of the compiler as the new expectation (review the diff).
func TestExplain(t *testing.T) {
	files, _ := filepath.Glob("testdata/explain/*.txt")
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			cases := parseCases(string(data))
			var out strings.Builder
			for i, c := range cases {
				got := explainCase(c.sql)
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
		})
	}
}

type explainTestCase struct{ comment, sql, want string }

// parseCases splits a data-driven file into cases: leading # lines are the
// comment, then SQL up to a "----" line, then the expected output up to a
// blank line followed by a # line (or the end).
func parseCases(text string) []explainTestCase {
	var out []explainTestCase
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i := 0; i < len(lines); {
		for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
			i++
		}
		var c explainTestCase
		for i < len(lines) && strings.HasPrefix(lines[i], "#") {
			c.comment += lines[i] + "\n"
			i++
		}
		var sql []string
		for i < len(lines) && lines[i] != "----" {
			sql = append(sql, lines[i])
			i++
		}
		i++ // ----
		var want []string
		for i < len(lines) && !(lines[i] == "" && (i+1 >= len(lines) || strings.HasPrefix(lines[i+1], "#"))) {
			want = append(want, lines[i])
			i++
		}
		c.sql = strings.Join(sql, "\n")
		if len(want) > 0 {
			c.want = strings.Join(want, "\n") + "\n"
		}
		if c.sql != "" {
			out = append(out, c)
		}
	}
	return out
}

// explainCase compiles a pipeline and renders its physical plan, or its
// diagnostics when it does not compile.
func explainCase(sql string) string {
	res, diags := Compile("test.sql", "test", sql)
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Error() + "\n")
	}
	if res != nil {
		b.WriteString(physical.Format(res.Physical))
	}
	return b.String()
}
