package grammar

import (
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/grammar/parser"
)

func (b *builder) createFunction(ctx parser.ICreateFunctionContext) ast.Stmt {
	at := b.at(ctx)
	if ctx.EXISTS() != nil {
		b.unsupported(at, "CREATE FUNCTION IF NOT EXISTS is not supported: a pipeline declares each function once")
	}
	lang := ctx.GetLang()
	if lang == nil {
		lang = ctx.GetLangAfter()
	}
	if ctx.GetParams() == nil || ctx.RETURNS() == nil || lang == nil {
		// Flink's CREATE FUNCTION f AS 'java.Class' [LANGUAGE JAVA]
		d := b.diags.Errorf(diag.UnsupportedSyntax, at, "CREATE FUNCTION needs its parameters, RETURNS type and LANGUAGE GO")
		d.Hint = "functions are Go functions: CREATE FUNCTION f(s VARCHAR) RETURNS BIGINT LANGUAGE GO AS 'example.com/udfs.F'"
		return nil
	}
	f := &ast.CreateFunction{Pos: at, Name: b.ident(ctx.GetName()), Returns: b.typeName(ctx.TypeName()),
		Language: b.ident(lang), TargetPos: b.tokPos(ctx.STRING().GetSymbol())}
	f.Target = unquote(ctx.STRING().GetText(), '\'')
	for _, p := range ctx.AllFunctionParam() {
		f.Params = append(f.Params, ast.FuncParam{Name: b.ident(p.Identifier()), Type: b.typeName(p.TypeName())})
	}
	return f
}

// viewModifiers reports the CREATE VIEW words of other engines that have no
// meaning in a pipeline; TEMPORARY is accepted (every view lives as long as
// its job).
func (b *builder) viewModifiers(c parser.ICreateViewContext) {
	if c.REPLACE() != nil {
		d := b.diags.Errorf(diag.UnsupportedSyntax, b.at(c), "CREATE OR REPLACE is not supported: a pipeline defines each view once")
		d.Hint = "edit the view in the pipeline file; operators whose state did not change keep it across the restart"
	}
	if c.EXISTS() != nil {
		b.unsupported(b.at(c), "CREATE VIEW IF NOT EXISTS is not supported: a pipeline defines each view once")
	}
}

// otherStatement reports the statements of SQL shells and catalogs.
func (b *builder) otherStatement(c parser.IOtherStatementContext) {
	word := strings.ToUpper(c.GetStart().GetText())
	d := b.diags.Errorf(diag.UnsupportedSyntax, b.at(c), "%s is not a statement of a pipeline", word)
	switch word {
	case "SET":
		d.Hint = "SET 'state_ttl' = '1h' is the one pipeline setting; job settings are flags, LAMINAR_* variables or a TOML file (docs/operations.md); connector options go in WITH (...)"
	case "USE":
		d.Hint = "a pipeline has no catalogs or databases: sources, views and sinks are named in its file"
	case "DESCRIBE":
		d.Hint = "laminarc explain file.sql shows every source, view and sink with its columns"
	default: // DROP, ALTER
		d.Hint = "edit the pipeline file and restart the job: operators whose state did not change keep it"
	}
}

// isTruth builds x IS [NOT] TRUE / FALSE / UNKNOWN from what the rest of
// the dialect has: COALESCE(x, FALSE) is TRUE exactly when x is TRUE.
func isTruth(at ast.Pos, x ast.Expr, s *parser.IsTruthSuffixContext) ast.Expr {
	var out ast.Expr
	switch {
	case s.UNKNOWN() != nil:
		return &ast.IsNull{Pos: at, X: x, Not: s.NOT() != nil}
	case s.TRUE() != nil:
		out = &ast.Call{Pos: at, Name: "COALESCE", Args: []ast.Expr{x, &ast.Literal{Pos: at, Kind: ast.LitBool, Text: "FALSE"}}}
	default:
		out = &ast.Call{Pos: at, Name: "COALESCE", Args: []ast.Expr{&ast.Unary{Pos: at, Op: "NOT", X: x}, &ast.Literal{Pos: at, Kind: ast.LitBool, Text: "FALSE"}}}
	}
	if s.NOT() != nil {
		out = &ast.Unary{Pos: at, Op: "NOT", X: out}
	}
	return out
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
