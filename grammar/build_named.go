package grammar

import (
	"sort"
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/grammar/parser"
)

// namedWindows reads a SELECT's WINDOW w AS (…), … clause.
func (b *builder) namedWindows(defs []parser.INamedWindowContext) map[string]*ast.Over {
	out := map[string]*ast.Over{}
	for _, d := range defs {
		nw := d.(*parser.NamedWindowContext)
		name := b.ident(nw.Identifier())
		key := strings.ToLower(name.Name)
		if _, dup := out[key]; dup {
			b.diags.Errorf(diag.SyntaxError, name.Pos, "window %s is defined twice", name.Name)
			continue
		}
		out[key] = b.windowSpec(&ast.Over{Pos: b.at(nw)}, nw)
	}
	return out
}

// namedOver resolves OVER w to the window the innermost SELECT defines.
func (b *builder) namedOver(at ast.Pos, ctx *parser.NamedOverContext) *ast.Over {
	name := b.ident(ctx.Identifier())
	if len(b.windows) > 0 {
		if w, ok := b.windows[len(b.windows)-1][strings.ToLower(name.Name)]; ok {
			o := *w // each call its own copy, at its own OVER
			o.Pos = at
			return &o
		}
	}
	d := b.diags.Errorf(diag.UnknownColumn, name.Pos, "unknown window %s: OVER %s names a window of the SELECT's WINDOW clause", name.Name, name.Name)
	var names []string
	if len(b.windows) > 0 {
		for k := range b.windows[len(b.windows)-1] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	if len(names) > 0 {
		d.Hint = "the SELECT defines " + strings.Join(names, ", ")
	} else {
		d.Hint = "add WINDOW " + name.Name + " AS (PARTITION BY … ORDER BY …) after HAVING, or write OVER (PARTITION BY … ORDER BY …)"
	}
	return &ast.Over{Pos: at}
}
