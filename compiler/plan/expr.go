package plan

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/laminar-sql/laminar/compiler/types"
)

// Expr is a bound, typed scalar expression over the columns of one input schema.
type Expr interface {
	Type() types.Type
	String() string
}

// ColRef reads column Index of the input.
type ColRef struct {
	Index int
	Name  string // for plans and comments only
	T     types.Type
}

// Const is a literal. Value is nil (NULL), bool, int64 (BIGINT, TIMESTAMP and
// INTERVAL in µs), float64 or string.
type Const struct {
	Value any
	T     types.Type
}

// Unary is NOT x or -x.
type Unary struct {
	Op string // "NOT", "-"
	X  Expr
	T  types.Type
}

// Binary is an arithmetic, comparison, logical or concatenation operator.
// Operands are already widened to a common kind by the binder (through Cast).
type Binary struct {
	Op   string // + - * / % || = <> < <= > >= AND OR
	L, R Expr
	T    types.Type
}

// IsNull is x IS [NOT] NULL; never NULL itself.
type IsNull struct {
	X   Expr
	Not bool
}

// Like is x LIKE pattern.
type Like struct {
	X, Pattern Expr
	T          types.Type
}

// Case is a searched CASE (a simple CASE is rewritten to one by the binder).
type Case struct {
	Whens []CaseWhen
	Else  Expr // never nil: the binder puts a NULL constant when absent
	T     types.Type
}

// CaseWhen is one arm of Case.
type CaseWhen struct {
	Cond, Result Expr
}

// Cast converts X to T.Kind.
type Cast struct {
	X Expr
	T types.Type
}

// Func is a scalar function call. Name is upper-case (ABS, LOWER, ...).
type Func struct {
	Name string
	Args []Expr
	T    types.Type
}

func (e *ColRef) Type() types.Type { return e.T }
func (e *Const) Type() types.Type  { return e.T }
func (e *Unary) Type() types.Type  { return e.T }
func (e *Binary) Type() types.Type { return e.T }
func (e *IsNull) Type() types.Type { return types.Of(types.Bool) }
func (e *Like) Type() types.Type   { return e.T }
func (e *Case) Type() types.Type   { return e.T }
func (e *Cast) Type() types.Type   { return e.T }
func (e *Func) Type() types.Type   { return e.T }

// String renders an expression in one walk into one builder, so that its
// cost is linear in the size of the expression: concatenating the strings of
// the children at every level was quadratic in the depth (an IN list of 40k
// values, a chain of ORs, took seconds).
func (e *ColRef) String() string { return e.Name }
func (e *Const) String() string  { return exprString(e) }
func (e *Unary) String() string  { return exprString(e) }
func (e *Binary) String() string { return exprString(e) }
func (e *IsNull) String() string { return exprString(e) }
func (e *Like) String() string   { return exprString(e) }
func (e *Case) String() string   { return exprString(e) }
func (e *Cast) String() string   { return exprString(e) }
func (e *Func) String() string   { return exprString(e) }

func exprString(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

func writeExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *ColRef:
		b.WriteString(e.Name)
	case *Const:
		b.WriteString(constString(e))
	case *Unary:
		b.WriteString(e.Op)
		if e.Op == "NOT" {
			b.WriteByte(' ')
		}
		writeExpr(b, e.X)
	case *Binary:
		b.WriteByte('(')
		writeExpr(b, e.L)
		b.WriteString(" " + e.Op + " ")
		writeExpr(b, e.R)
		b.WriteByte(')')
	case *IsNull:
		writeExpr(b, e.X)
		if e.Not {
			b.WriteString(" IS NOT NULL")
		} else {
			b.WriteString(" IS NULL")
		}
	case *Like:
		writeExpr(b, e.X)
		b.WriteString(" LIKE ")
		writeExpr(b, e.Pattern)
	case *Case:
		b.WriteString("CASE")
		for _, w := range e.Whens {
			b.WriteString(" WHEN ")
			writeExpr(b, w.Cond)
			b.WriteString(" THEN ")
			writeExpr(b, w.Result)
		}
		b.WriteString(" ELSE ")
		writeExpr(b, e.Else)
		b.WriteString(" END")
	case *Cast:
		b.WriteString("CAST(")
		writeExpr(b, e.X)
		b.WriteString(" AS " + e.T.Kind.String() + ")")
	case *Func:
		b.WriteString(e.Name + "(")
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			writeExpr(b, a)
		}
		b.WriteByte(')')
	default:
		b.WriteString(e.String())
	}
}

func constString(e *Const) string {
	switch v := e.Value.(type) {
	case nil:
		return "NULL"
	case string:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case bool:
		if v {
			return "TRUE"
		}
		return "FALSE"
	case int64:
		if e.T.Kind == types.Interval {
			return fmt.Sprintf("INTERVAL %dus", v)
		}
		if e.T.Kind == types.Timestamp {
			return fmt.Sprintf("TIMESTAMP %dus", v)
		}
		if e.T.Kind.IsDecimal() {
			return decimalString(v, e.T.Kind)
		}
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case *big.Int: // a DECIMAL(p > 18) beyond int64
		return decimalText(v.String(), e.T.Kind)
	}
	return fmt.Sprint(e.Value)
}

// decimalString renders unscaled value u of scale s as a DECIMAL literal
// ("1.50"), with a CAST when the digits alone would read as another type.
func decimalString(u int64, k types.Kind) string {
	return decimalText(strconv.FormatInt(u, 10), k)
}

// decimalText is decimalString of the unscaled value written in base 10.
func decimalText(u string, k types.Kind) string {
	s := k.Scale()
	digits, neg := strings.CutPrefix(u, "-")
	if s == 0 {
		return "CAST(" + u + " AS " + k.String() + ")"
	}
	for len(digits) <= s {
		digits = "0" + digits
	}
	out := digits[:len(digits)-s] + "." + digits[len(digits)-s:]
	if neg {
		out = "-" + out
	}
	return out
}

// Children returns the direct subexpressions of e.
func Children(e Expr) []Expr {
	switch e := e.(type) {
	case *Unary:
		return []Expr{e.X}
	case *Binary:
		return []Expr{e.L, e.R}
	case *IsNull:
		return []Expr{e.X}
	case *Like:
		return []Expr{e.X, e.Pattern}
	case *Case:
		out := make([]Expr, 0, 2*len(e.Whens)+1)
		for _, w := range e.Whens {
			out = append(out, w.Cond, w.Result)
		}
		return append(out, e.Else)
	case *Cast:
		return []Expr{e.X}
	case *Func:
		return e.Args
	}
	return nil
}

// Rewrite rebuilds e bottom-up, applying f to every node after its children.
// Nodes whose children did not change are passed to f as they are.
func Rewrite(e Expr, f func(Expr) Expr) Expr {
	switch n := e.(type) {
	case *Unary:
		c := *n
		c.X = Rewrite(n.X, f)
		return f(&c)
	case *Binary:
		c := *n
		c.L, c.R = Rewrite(n.L, f), Rewrite(n.R, f)
		return f(&c)
	case *IsNull:
		c := *n
		c.X = Rewrite(n.X, f)
		return f(&c)
	case *Like:
		c := *n
		c.X, c.Pattern = Rewrite(n.X, f), Rewrite(n.Pattern, f)
		return f(&c)
	case *Case:
		c := *n
		c.Whens = make([]CaseWhen, len(n.Whens))
		for i, w := range n.Whens {
			c.Whens[i] = CaseWhen{Rewrite(w.Cond, f), Rewrite(w.Result, f)}
		}
		c.Else = Rewrite(n.Else, f)
		return f(&c)
	case *Cast:
		c := *n
		c.X = Rewrite(n.X, f)
		return f(&c)
	case *Func:
		c := *n
		c.Args = make([]Expr, len(n.Args))
		for i, a := range n.Args {
			c.Args[i] = Rewrite(a, f)
		}
		return f(&c)
	}
	return f(e)
}

// Walk calls f on e and every subexpression, parents first.
func Walk(e Expr, f func(Expr)) {
	f(e)
	for _, c := range Children(e) {
		Walk(c, f)
	}
}

// ColumnsUsed returns the set of input columns e reads.
func ColumnsUsed(e Expr, into map[int]bool) {
	Walk(e, func(x Expr) {
		if c, ok := x.(*ColRef); ok {
			into[c.Index] = true
		}
	})
}

// RemapColumns returns e with every ColRef index i replaced by m[i].
func RemapColumns(e Expr, m map[int]int) Expr {
	return Rewrite(e, func(x Expr) Expr {
		if c, ok := x.(*ColRef); ok {
			if to, ok := m[c.Index]; ok {
				cc := *c
				cc.Index = to
				return &cc
			}
		}
		return x
	})
}

// Substitute replaces every ColRef i with exprs[i] (inlining a projection).
func Substitute(e Expr, exprs []Expr) Expr {
	return Rewrite(e, func(x Expr) Expr {
		if c, ok := x.(*ColRef); ok && c.Index < len(exprs) {
			return exprs[c.Index]
		}
		return x
	})
}

// Identity renders e with columns by position, not name: two expressions with
// the same Identity compute the same value (String alone confuses l.k with
// r.k, both shown as k).
func Identity(e Expr) string {
	return Rewrite(e, func(x Expr) Expr {
		if c, ok := x.(*ColRef); ok {
			return &ColRef{Index: c.Index, Name: "#" + strconv.Itoa(c.Index), T: c.T}
		}
		return x
	}).String()
}

// Unread stands for an expression whose value nothing reads: a constant of
// its type (NULL if it is nullable, else the zero value).
func Unread(e Expr) Expr {
	switch e.(type) {
	case *ColRef, *Const:
		return e
	}
	if z := Zero(e.Type()); z != nil {
		return z
	}
	return e
}

// Zero is the constant of type t that stands for a value nothing reads (NULL
// if it is nullable, else the zero value), or nil for a type without one.
func Zero(t types.Type) Expr {
	if t.Nullable {
		return &Const{T: t}
	}
	switch t.Kind {
	case types.Bool:
		return &Const{Value: false, T: t}
	case types.Float:
		return &Const{Value: float64(0), T: t}
	case types.String:
		return &Const{Value: "", T: t}
	case types.Int, types.Timestamp, types.Interval:
		return &Const{Value: int64(0), T: t}
	}
	if t.Kind.IsDecimal() {
		return &Const{Value: int64(0), T: t}
	}
	return nil
}
