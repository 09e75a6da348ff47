package plan

import (
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/laminar-sql/laminar/compiler/types"
)

// Fold evaluates constant subexpressions at compile time: arithmetic and
// comparisons of constants, NULL propagation, three-valued AND/OR/NOT with a
// constant side, CASE arms with constant conditions, and casts of constants.
// It never changes the result of an expression, including its type.
func Fold(e Expr) Expr {
	return Rewrite(e, foldNode)
}

func isConst(e Expr) (*Const, bool) {
	c, ok := e.(*Const)
	return c, ok
}

func nullOf(t types.Type) *Const {
	return &Const{Value: nil, T: types.Type{Kind: t.Kind, Nullable: true}}
}

func foldNode(e Expr) Expr {
	switch n := e.(type) {
	case *Unary:
		c, ok := isConst(n.X)
		if !ok {
			return n
		}
		if c.Value == nil {
			return nullOf(n.T)
		}
		switch v := c.Value.(type) {
		case bool:
			return &Const{Value: !v, T: n.T}
		case int64:
			if v != math.MinInt64 {
				return &Const{Value: -v, T: n.T}
			}
		case float64:
			return &Const{Value: -v, T: n.T}
		}
	case *Binary:
		return foldBinary(n)
	case *IsNull:
		if c, ok := isConst(n.X); ok {
			return &Const{Value: (c.Value == nil) != n.Not, T: types.Of(types.Bool)}
		}
		if !n.X.Type().Nullable {
			return &Const{Value: n.Not, T: types.Of(types.Bool)}
		}
	case *Case:
		var whens []CaseWhen
		for _, w := range n.Whens {
			c, ok := isConst(w.Cond)
			if !ok {
				whens = append(whens, w)
				continue
			}
			if c.Value == true {
				if len(whens) == 0 {
					return withType(w.Result, n.T)
				}
				return &Case{Whens: whens, Else: w.Result, T: n.T}
			}
			// FALSE or NULL: the arm never fires
		}
		if len(whens) == 0 {
			return withType(n.Else, n.T)
		}
		if len(whens) != len(n.Whens) {
			return &Case{Whens: whens, Else: n.Else, T: n.T}
		}
	case *Cast:
		if c, ok := isConst(n.X); ok {
			if n.X.Type().Kind.IsDecimal() || n.T.Kind.IsDecimal() {
				if v, ok := castDecimalConst(c.Value, n.X.Type().Kind, n.T.Kind); ok {
					return &Const{Value: v, T: n.T.WithNull(v == nil)}
				}
				return e
			}
			if v, ok := castConst(c.Value, n.T.Kind); ok {
				return &Const{Value: v, T: n.T.WithNull(v == nil)}
			}
		}
	}
	return e
}

// withType keeps the declared (possibly nullable) type of a folded CASE.
func withType(e Expr, t types.Type) Expr {
	if c, ok := e.(*Const); ok {
		return &Const{Value: c.Value, T: t}
	}
	if e.Type() == t {
		return e
	}
	return &Cast{X: e, T: t}
}

func foldBinary(n *Binary) Expr {
	l, lok := isConst(n.L)
	r, rok := isConst(n.R)
	switch n.Op {
	case "AND", "OR":
		// FALSE AND x = FALSE, TRUE OR x = TRUE; TRUE AND x = x, FALSE OR x = x.
		absorbing := n.Op == "OR"
		for _, side := range []struct {
			c     *Const
			ok    bool
			other Expr
		}{{l, lok, n.R}, {r, rok, n.L}} {
			if !side.ok || side.c.Value == nil {
				continue
			}
			if side.c.Value == absorbing {
				return &Const{Value: absorbing, T: n.T}
			}
			return withType(side.other, n.T)
		}
		if lok && rok { // both NULL
			return nullOf(n.T)
		}
		return n
	}
	if !lok || !rok {
		return n
	}
	if l.Value == nil || r.Value == nil {
		return nullOf(n.T)
	}
	switch lv := l.Value.(type) {
	case int64:
		rv := r.Value.(int64)
		switch n.Op {
		case "+", "-", "*":
			// an overflow is not folded: the row fails at run time, as any
			// other overflow does, instead of a wrapped constant
			if v, ok := exactInt(n.Op, lv, rv); ok {
				return &Const{Value: v, T: n.T}
			}
			return n
		case "/", "%":
			if rv == 0 || (lv == math.MinInt64 && rv == -1) {
				return nullOf(n.T)
			}
			if n.Op == "/" {
				return &Const{Value: lv / rv, T: n.T}
			}
			return &Const{Value: lv % rv, T: n.T}
		}
		return compareConst(n, cmp3(lv < rv, lv == rv))
	case float64:
		rv := r.Value.(float64)
		switch n.Op {
		case "+":
			return &Const{Value: lv + rv, T: n.T}
		case "-":
			return &Const{Value: lv - rv, T: n.T}
		case "*":
			return &Const{Value: lv * rv, T: n.T}
		case "/":
			if rv == 0 {
				return nullOf(n.T)
			}
			return &Const{Value: lv / rv, T: n.T}
		case "%":
			if rv == 0 {
				return nullOf(n.T)
			}
			return &Const{Value: math.Mod(lv, rv), T: n.T}
		}
		if math.IsNaN(lv) || math.IsNaN(rv) {
			return n
		}
		return compareConst(n, cmp3(lv < rv, lv == rv))
	case string:
		rv := r.Value.(string)
		if n.Op == "||" {
			return &Const{Value: lv + rv, T: n.T}
		}
		return compareConst(n, strings.Compare(lv, rv))
	case bool:
		rv := r.Value.(bool)
		switch n.Op {
		case "=":
			return &Const{Value: lv == rv, T: n.T}
		case "<>":
			return &Const{Value: lv != rv, T: n.T}
		}
	}
	return n
}

func cmp3(less, eq bool) int {
	switch {
	case less:
		return -1
	case eq:
		return 0
	}
	return 1
}

func compareConst(n *Binary, c int) Expr {
	var v bool
	switch n.Op {
	case "=":
		v = c == 0
	case "<>":
		v = c != 0
	case "<":
		v = c < 0
	case "<=":
		v = c <= 0
	case ">":
		v = c > 0
	case ">=":
		v = c >= 0
	default:
		return n
	}
	return &Const{Value: v, T: n.T}
}

// castConst converts a constant the way the runtime casts do, for the few
// cases that matter at compile time; ok is false when it must be left to run time.
func castConst(v any, to types.Kind) (any, bool) {
	if v == nil {
		return nil, true
	}
	switch x := v.(type) {
	case int64:
		switch to {
		case types.Int, types.Timestamp, types.Interval:
			return x, true
		case types.Float:
			return float64(x), true
		}
	case float64:
		if to == types.Float {
			return x, true
		}
	case string:
		if to == types.String {
			return x, true
		}
	case bool:
		if to == types.Bool {
			return x, true
		}
	}
	return nil, false
}

// exactInt is lv op rv for op + - *, ok false when it overflows int64.
func exactInt(op string, lv, rv int64) (int64, bool) {
	switch op {
	case "+":
		s := lv + rv
		return s, (s^lv)&(s^rv) >= 0
	case "-":
		d := lv - rv
		return d, (lv^rv)&(d^lv) >= 0
	}
	hi, lo := bits.Mul64(uint64(lv), uint64(rv))
	hi -= uint64(lv>>63)&uint64(rv) + uint64(rv>>63)&uint64(lv)
	return int64(lo), int64(hi) == int64(lo)>>63
}

// castDecimalConst folds the casts of constants that widen a BIGINT or a
// DECIMAL to a DECIMAL (the binder's, around arithmetic and comparisons),
// exactly; the others are left to run time.
func castDecimalConst(v any, from, to types.Kind) (any, bool) {
	if v == nil {
		return nil, true
	}
	u, ok := v.(int64)
	if ok && from.IsDecimal() && to == types.Float {
		if from.Scale() == 0 {
			return float64(u), true
		}
		f, err := strconv.ParseFloat(decimalString(u, from), 64) // correctly rounded
		return f, err == nil
	}
	if !ok || !types.DecimalWidens(from, to) {
		return nil, false
	}
	for range to.Scale() - from.Scale() {
		if u, ok = exactInt("*", u, 10); !ok {
			return nil, false
		}
	}
	return u, true
}
