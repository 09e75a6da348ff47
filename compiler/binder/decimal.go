package binder

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// DECIMAL(p, s) typing follows DuckDB, our oracle (docs/dialect.md lists
// where Flink differs): a literal with a point is DECIMAL, + and - keep the
// larger scale and one more integer digit, * adds precisions and scales,
// / gives DOUBLE, SUM gives DECIMAL(38, s) and AVG DOUBLE.

// typeKind is the kind of a type as written (DECIMAL(p, s) with its
// precision and scale); ok is false after an error when it has none.
func (b *binder) typeKind(tn ast.TypeName) (types.Kind, bool) {
	k, ok := types.ByName(tn.Name)
	if !ok {
		return types.Unknown, false
	}
	if !k.IsDecimal() {
		return k, true
	}
	switch len(tn.Args) {
	case 0:
		return k, true
	case 1, 2:
		p, s := tn.Args[0], 0
		if len(tn.Args) == 2 {
			s = tn.Args[1]
		}
		if p < 1 || p > types.MaxDecimalPrecision || s < 0 || s > p {
			d := b.diags.Errorf(diag.UnknownType, tn.Pos, "DECIMAL(%d, %d) is not a valid type", p, s)
			d.Hint = "the precision is 1 to 38 digits, the scale 0 to the precision: DECIMAL(10, 2)"
			return types.Unknown, false
		}
		return types.Decimal(p, s), true
	}
	b.diags.Errorf(diag.UnknownType, tn.Pos, "DECIMAL takes a precision and a scale: DECIMAL(10, 2)")
	return types.Unknown, false
}

// unknownType reports a type name that names no type.
func (b *binder) unknownType(tn ast.TypeName, hint string) {
	d := b.diags.Errorf(diag.UnknownType, tn.Pos, "unknown or unsupported type %s", tn.Name)
	d.Hint = hint + typeHint(tn.Name)
}

// decimalLiteral types a number written with a point and no exponent as
// DuckDB does: DECIMAL(digits written, digits after the point), 0.908 is
// DECIMAL(4,3). handled is false when it is not such a literal; the
// expression is nil after an error.
func (b *binder) decimalLiteral(e *ast.Literal) (x plan.Expr, handled bool) {
	text := e.Text
	if strings.ContainsAny(text, "eE") || !strings.Contains(text, ".") {
		return nil, false
	}
	intPart, frac, _ := strings.Cut(text, ".")
	s := len(frac)
	p := max(len(intPart)+s, s, 1)
	if p > types.MaxDecimalPrecision {
		d := b.diags.Errorf(diag.BadLiteral, e.Pos, "number %s has more than %d digits", text, types.MaxDecimalPrecision)
		d.Hint = "write it with an exponent (1.5e40) for a DOUBLE"
		return nil, true
	}
	if u, err := strconv.ParseInt(intPart+frac, 10, 64); err == nil { // the unscaled value, exactly
		return &plan.Const{Value: u, T: types.Of(types.Decimal(p, s))}, true
	}
	// 19 to 38 digits: a DECIMAL(p > 18), its unscaled value a big.Int
	u, _ := new(big.Int).SetString(intPart+frac, 10)
	return &plan.Const{Value: u, T: types.Of(types.Decimal(p, s))}, true
}

// decimalArith types + - * / % where an operand is a DECIMAL and neither is
// a DOUBLE (k is their common kind).
func (b *binder) decimalArith(op string, l, r plan.Expr, k types.Kind, nullable bool) plan.Expr {
	lk, rk := types.AsDecimal(l.Type().Kind), types.AsDecimal(r.Type().Kind)
	if lk == types.Unknown {
		lk = rk
	}
	if rk == types.Unknown {
		rk = lk
	}
	switch op {
	case "+", "-":
		s := max(lk.Scale(), rk.Scale())
		p := max(lk.IntDigits(), rk.IntDigits()) + s + 1
		if p > types.MaxNarrowPrecision && max(lk.Prec(), rk.Prec()) <= types.MaxNarrowPrecision {
			p = types.MaxNarrowPrecision // as DuckDB: a sum of two 64-bit decimals stays in 64 bits
		}
		t := types.DecimalOf(p, s)
		return &plan.Binary{Op: op, L: rescaled(l, lk, s), R: rescaled(r, rk, s), T: types.Type{Kind: t, Nullable: nullable}}
	case "*":
		s := lk.Scale() + rk.Scale()
		p := lk.Prec() + rk.Prec()
		if lk.Prec() <= types.MaxNarrowPrecision && rk.Prec() <= types.MaxNarrowPrecision && p > types.MaxNarrowPrecision {
			p = types.MaxNarrowPrecision // DuckDB keeps a product of two 64-bit decimals in 64 bits
		}
		if s > types.MaxDecimalPrecision {
			return b.floatArith(op, l, r, nullable)
		}
		t := types.DecimalOf(p, s)
		return &plan.Binary{Op: op, L: coerce(l, lk), R: coerce(r, rk), T: types.Type{Kind: t, Nullable: nullable}}
	case "/":
		// as in DuckDB, a quotient of decimals is a DOUBLE
		return b.floatArith(op, l, r, nullable)
	}
	// %: at the common scale, the remainder of the unscaled values
	mayFail := !safeDivisor(r)
	return &plan.Binary{Op: op, L: coerce(l, k), R: coerce(r, k), T: types.Type{Kind: k, Nullable: nullable || mayFail}}
}

func (b *binder) floatArith(op string, l, r plan.Expr, nullable bool) plan.Expr {
	l, r = coerce(l, types.Float), coerce(r, types.Float)
	mayFail := (op == "/" || op == "%") && !safeDivisor(r)
	return &plan.Binary{Op: op, L: l, R: r, T: types.Type{Kind: types.Float, Nullable: nullable || mayFail}}
}

// rescaled widens e, a DECIMAL of kind k (or a BIGINT), to scale s.
func rescaled(e plan.Expr, k types.Kind, s int) plan.Expr {
	return coerce(e, types.DecimalOf(k.IntDigits()+s, s))
}

// decimalRound types ROUND, TRUNC, FLOOR and CEIL of a DECIMAL x: the
// result keeps the precision at scale min(n, s) (0 for FLOOR and CEIL), as
// in DuckDB. digits is nil for FLOOR and CEIL, else a constant.
func decimalRound(name string, x plan.Expr, digits int64) plan.Expr {
	k := x.Type().Kind
	n := int64(k.Scale())
	if digits < n {
		n = max(digits, 0)
	}
	t := types.Type{Kind: types.Decimal(k.Prec(), int(n)), Nullable: x.Type().Nullable}
	return &plan.Func{Name: name, Args: []plan.Expr{x, &plan.Const{Value: digits, T: types.Of(types.Int)}}, T: t}
}

// typeTrunc types TRUNC(x [, n]): x cut toward zero to n digits after the
// point (n a constant, 0 when left out). A DECIMAL keeps its precision at
// scale min(n, s); a DOUBLE stays one; a BIGINT is itself.
func typeTrunc(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 1, 2) {
		return nil
	}
	x := args[0]
	if x.Type().Kind == types.Unknown {
		x = coerce(x, types.Float)
	}
	k := x.Type().Kind
	if !k.IsNumeric() {
		b.diags.Errorf(diag.TypeMismatch, c.Args[0].Position(), "TRUNC needs a number, not %s", k)
		return nil
	}
	digits := int64(0)
	if len(args) == 2 {
		n, ok := plan.Fold(args[1]).(*plan.Const)
		if !ok || n.T.Kind != types.Int || n.Value == nil || n.Value.(int64) < 0 {
			b.diags.Errorf(diag.TypeMismatch, c.Args[1].Position(), "TRUNC's digits must be a constant integer 0 or above")
			return nil
		}
		digits = n.Value.(int64)
	}
	if k.IsDecimal() {
		return decimalRound("TRUNC", x, digits)
	}
	return &plan.Func{Name: "TRUNC", Args: []plan.Expr{x, &plan.Const{Value: digits, T: types.Of(types.Int)}}, T: x.Type()}
}
