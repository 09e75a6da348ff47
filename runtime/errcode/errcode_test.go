package errcode

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestCodesDocumented keeps docs/errors.md and the runtime's codes in step.
func TestCodesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "errcode.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		lit, ok := node.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		code, _ := strconv.Unquote(lit.Value)
		if strings.HasPrefix(code, "LDB-") {
			n++
			if !strings.Contains(string(doc), "| "+code+" |") {
				t.Errorf("%s is not documented in docs/errors.md", code)
			}
		}
		return true
	})
	if n < 5 {
		t.Fatalf("found only %d codes", n)
	}
}

func TestCodedErrorsSurviveWrapping(t *testing.T) {
	err := fmt.Errorf("source trades: %w", Errorf(InputChanged, "in.txt was replaced"))
	if got := err.Error(); got != "source trades: LDB-5002: in.txt was replaced" {
		t.Errorf("message %q", got)
	}
	if Of(err) != InputChanged {
		t.Errorf("code %q", Of(err))
	}
}
