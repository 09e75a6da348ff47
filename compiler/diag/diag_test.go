package diag

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	sqlast "github.com/laminar-sql/laminar/compiler/ast"
)

// TestCodesDocumented keeps docs/errors.md and the code table in step.
func TestCodesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "diag.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				code, _ := strconv.Unquote(lit.Value)
				if !strings.HasPrefix(code, "LDB-") {
					continue
				}
				if prev, dup := seen[code]; dup {
					t.Errorf("%s used by both %s and %s", code, prev, vs.Names[i].Name)
				}
				seen[code] = vs.Names[i].Name
				if !strings.Contains(string(doc), "| "+code+" |") {
					t.Errorf("%s (%s) is not documented in docs/errors.md", code, vs.Names[i].Name)
				}
			}
		}
	}
	if len(seen) < 20 {
		t.Fatalf("found only %d codes", len(seen))
	}
}

func TestFormat(t *testing.T) {
	src := "SELECT x\nFROM trades WHERE prize > 1;\n"
	var l List
	l.Errorf(UnknownColumn, sqlast.Pos{Line: 2, Col: 19, Offset: 27}, "unknown column %q", "prize").Hint = "did you mean price?"
	got := Format("p.sql", src, l.Items)
	want := "p.sql:2:19: error LDB-2002: unknown column \"prize\"\n    FROM trades WHERE prize > 1;\n                      ^\n  hint: did you mean price?\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for i := 0; i < MaxShown+5; i++ {
		l.Errorf(SyntaxError, sqlast.Pos{Line: 1, Col: 1}, "x")
	}
	if !strings.Contains(Format("p.sql", src, l.Items), "... and 6 more") {
		t.Error("diagnostics are not capped")
	}
}

// TestFormatHugeLine: an error on a line of megabytes quotes a short window
// around the caret, and the caret still points at the error.
func TestFormatHugeLine(t *testing.T) {
	line := "SELECT a FROM s WHERE a IN (" + strings.Repeat("1, ", 500_000) + "'x', " + strings.Repeat("2, ", 1000) + "3)"
	col := strings.Index(line, "'x'") + 1
	d := Diagnostic{Code: TypeMismatch, Pos: sqlast.Pos{Line: 1, Col: col}, Msg: strings.Repeat("long message ", 1000)}
	out := Format("p.sql", line, []Diagnostic{d})
	if len(out) > 1000 {
		t.Fatalf("%d bytes of diagnostic", len(out))
	}
	lines := strings.Split(out, "\n")
	src, caret := []rune(lines[1]), []rune(lines[2])
	if len(caret) > len(src) || string(src[len(caret)-1:len(caret)+2]) != "'x'" {
		t.Errorf("caret does not point at 'x':\n%s", out)
	}
	if !strings.HasPrefix(lines[1], "    …") || !strings.HasSuffix(lines[1], "…") {
		t.Errorf("cuts not marked:\n%s", out)
	}
	// a short line is quoted whole
	short := Format("p.sql", "SELECT prize FROM t", []Diagnostic{{Code: UnknownColumn, Pos: sqlast.Pos{Line: 1, Col: 8}, Msg: "x"}})
	if !strings.Contains(short, "    SELECT prize FROM t\n           ^\n") {
		t.Errorf("short line:\n%s", short)
	}
}
