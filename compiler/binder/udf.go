package binder

import (
	"go/token"
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// createFunction declares a Go scalar function: CREATE FUNCTION f(a T, …)
// RETURNS T LANGUAGE GO AS 'import/path.Func'. The Go signature is checked
// by laminarc (compiler/udf), which can load the package.
func (b *binder) createFunction(st *ast.CreateFunction) {
	if !strings.EqualFold(st.Language.Name, "GO") {
		d := b.diags.Errorf(diag.Unsupported, st.Language.Pos, "functions in %s are not supported", strings.ToUpper(st.Language.Name))
		d.Hint = "write the function in Go: LANGUAGE GO AS 'example.com/udfs.Func'"
		return
	}
	name := strings.ToUpper(st.Name.Name)
	if _, builtin := scalarFuncs[name]; builtin || isAggregate(name) || b.udf(name) != nil {
		d := b.diags.Errorf(diag.BadFunction, st.Name.Pos, "function %s is already defined", st.Name.Name)
		d.Hint = "give the Go function another SQL name"
		return
	}
	dot := strings.LastIndex(st.Target, ".")
	slash := strings.LastIndex(st.Target, "/")
	if dot <= 0 || dot < slash || !token.IsExported(st.Target[dot+1:]) {
		d := b.diags.Errorf(diag.BadFunction, st.TargetPos, "%q does not name a Go function", st.Target)
		d.Hint = "write the import path and the exported function: 'example.com/udfs.CountChar'"
		return
	}
	u := &plan.UDF{Name: name, Package: st.Target[:dot], Func: st.Target[dot+1:], Pos: st.TargetPos}
	for _, p := range append(append([]ast.FuncParam(nil), st.Params...), ast.FuncParam{Type: st.Returns}) {
		k, ok := types.ByName(p.Type.Name)
		if ok && k.IsDecimal() { // DECIMAL(p, s) crosses as its text (docs/dialect.md)
			if k, ok = b.typeKind(p.Type); !ok {
				return
			}
		}
		if !ok || k == types.Interval {
			b.diags.Errorf(diag.UnknownType, p.Type.Pos, "a Go function cannot take or return %s", p.Type.Name)
			return
		}
		u.Params = append(u.Params, k)
	}
	u.Params, u.Returns = u.Params[:len(u.Params)-1], u.Params[len(u.Params)-1]
	b.p.UDFs = append(b.p.UDFs, u)
}

func (b *binder) udf(name string) *plan.UDF {
	for _, u := range b.p.UDFs {
		if u.Name == name {
			return u
		}
	}
	return nil
}

// udfCall binds a call of a Go function: NULL in, NULL out (the function is
// not called), and its result fails the row (LDB-6004) on an error or panic.
func (b *binder) udfCall(c *ast.Call, u *plan.UDF, sc *scope, ctx *exprCtx) plan.Expr {
	if c.Star || c.Distinct || c.Filter != nil {
		b.diags.Errorf(diag.Unsupported, c.Pos, "%s does not take *, DISTINCT or FILTER: it is not an aggregate", c.Name)
		return nil
	}
	if len(c.Args) != len(u.Params) {
		b.diags.Errorf(diag.WrongArgCount, c.Pos, "%s takes %d arguments, not %d", c.Name, len(u.Params), len(c.Args))
		return nil
	}
	args := make([]plan.Expr, len(c.Args))
	null := false
	for i, a := range c.Args {
		x := b.expr(a, sc, ctx)
		if x == nil {
			return nil
		}
		k := x.Type().Kind
		if k != u.Params[i] && k != types.Unknown && !(k == types.Int && u.Params[i] == types.Float) {
			b.diags.Errorf(diag.TypeMismatch, a.Position(), "argument %d of %s must be %s, not %s", i+1, c.Name, u.Params[i], k)
			return nil
		}
		args[i] = coerce(x, u.Params[i])
		null = null || args[i].Type().Nullable
	}
	return &plan.Func{Name: plan.UDFName(u.Name), Args: args, T: types.Type{Kind: u.Returns, Nullable: null}}
}
