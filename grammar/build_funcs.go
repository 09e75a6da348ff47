package grammar

import (
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/grammar/parser"
)

func (b *builder) createFunction(ctx parser.ICreateFunctionContext) ast.Stmt {
	ids := ctx.AllIdentifier()
	f := &ast.CreateFunction{Pos: b.at(ctx), Name: b.ident(ids[0]), Returns: b.typeName(ctx.TypeName()),
		Language: b.ident(ids[1]), TargetPos: b.tokPos(ctx.STRING().GetSymbol())}
	f.Target = unquote(ctx.STRING().GetText(), '\'')
	for _, p := range ctx.AllFunctionParam() {
		f.Params = append(f.Params, ast.FuncParam{Name: b.ident(p.Identifier()), Type: b.typeName(p.TypeName())})
	}
	return f
}

// trim builds TRIM([BOTH | LEADING | TRAILING] [chars] FROM s) and TRIM(s)
// as TRIM/LTRIM/RTRIM(s [, chars]) calls.
func (b *builder) trim(at ast.Pos, p *parser.TrimExprContext) ast.Expr {
	exprs := p.AllExpr()
	s := b.expr(exprs[len(exprs)-1])
	name := "TRIM"
	var chars ast.Expr
	if c := p.GetChars(); c != nil {
		chars = b.expr(c)
	}
	if spec := p.GetSpec(); spec != nil {
		id := b.ident(spec)
		switch strings.ToUpper(id.Name) {
		case "BOTH":
		case "LEADING":
			name = "LTRIM"
		case "TRAILING":
			name = "RTRIM"
		default:
			if chars != nil {
				b.diags.Errorf(diag.SyntaxError, id.Pos, "TRIM takes BOTH, LEADING or TRAILING here, not %s", id.Name)
				return s
			}
			chars = &ast.ColumnRef{Pos: id.Pos, Name: id} // TRIM(col FROM s)
		}
	}
	call := &ast.Call{Pos: at, Name: name, Args: []ast.Expr{s}}
	if chars != nil {
		call.Args = append(call.Args, chars)
	}
	return call
}
