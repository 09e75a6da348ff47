package binder

import (
	"regexp"
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

func init() {
	scalarFuncs["MOD"] = typeMod
	scalarFuncs["HOUR"] = typeHour
	scalarFuncs["DATE_FORMAT"] = typeDateFormat
	scalarFuncs["REGEXP_EXTRACT"] = typeRegexpExtract
	scalarFuncs["SPLIT_INDEX"] = typeSplitIndex
}

// typeMod: MOD(a, b) is a % b.
func typeMod(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 2, 2) {
		return nil
	}
	return b.binary("%", args[0], args[1], c.Pos)
}

func typeHour(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 1, 1) || !b.want(args[0], types.Timestamp, c.Args[0], "HOUR") {
		return nil
	}
	x := coerce(args[0], types.Timestamp)
	return &plan.Func{Name: "HOUR", Args: []plan.Expr{x}, T: types.Type{Kind: types.Int, Nullable: x.Type().Nullable}}
}

// constString returns the value of a constant VARCHAR argument.
func (b *binder) constString(c *ast.Call, i int, args []plan.Expr, what string) (string, bool) {
	var s string
	k, ok := plan.Fold(args[i]).(*plan.Const)
	if ok {
		s, ok = k.Value.(string)
	}
	if !ok {
		b.diags.Errorf(diag.TypeMismatch, c.Args[i].Position(), "%s of %s must be a constant string", what, c.Name)
		return "", false
	}
	return s, true
}

// typeDateFormat translates DATE_FORMAT's Java-style pattern (as in Flink)
// to a Go time layout at compile time.
func typeDateFormat(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 2, 2) || !b.want(args[0], types.Timestamp, c.Args[0], "DATE_FORMAT") {
		return nil
	}
	pattern, ok := b.constString(c, 1, args, "the pattern")
	if !ok {
		return nil
	}
	layout, ok := b.javaPattern(c, c.Args[1], pattern)
	if !ok {
		return nil
	}
	x := coerce(args[0], types.Timestamp)
	return &plan.Func{Name: "DATE_FORMAT", Args: []plan.Expr{x, &plan.Const{Value: layout, T: types.Of(types.String)}},
		T: types.Type{Kind: types.String, Nullable: x.Type().Nullable}}
}

// javaToGo are the Java (SimpleDateFormat) pattern letters Go layouts can
// render, longest first where one is a prefix of another. Times are UTC, so
// zones render as Z / +0000 / UTC.
var javaToGo = []struct{ java, goLayout string }{
	{"yyyy", "2006"}, {"yy", "06"}, {"MMMM", "January"}, {"MMM", "Jan"}, {"MM", "01"}, {"M", "1"},
	{"dd", "02"}, {"d", "2"}, {"DDD", "002"}, {"HH", "15"}, {"hh", "03"}, {"h", "3"}, {"mm", "04"}, {"m", "4"},
	{"ss", "05"}, {"s", "5"}, {"SSSSSS", "000000"}, {"SSS", "000"}, {"EEEE", "Monday"}, {"EEE", "Mon"}, {"E", "Mon"},
	{"a", "PM"}, {"XXX", "Z07:00"}, {"X", "Z07"}, {"Z", "-0700"}, {"z", "MST"},
}

// javaLetters lists the supported letters for error hints.
const javaLetters = "yyyy yy MMMM MMM MM M dd d DDD HH hh h mm m ss s SSS SSSSSS (after '.' or ',') EEEE EEE a XXX X Z z"

// javaLayout converts a pattern; bad is the first letter it cannot convert
// (or quoted text that Go would read as a field).
func javaLayout(p string) (layout, bad string) {
	var out strings.Builder
	for i := 0; i < len(p); {
		if p[i] == '\'' {
			j := strings.IndexByte(p[i+1:], '\'')
			if j < 0 {
				return "", "'"
			}
			lit := p[i+1 : i+1+j]
			if !literalLayout(lit) {
				return "", lit
			}
			out.WriteString(lit)
			i += j + 2
			continue
		}
		matched := false
		for _, m := range javaToGo {
			if strings.HasPrefix(p[i:], m.java) {
				if strings.HasPrefix(m.java, "S") && (i == 0 || p[i-1] != '.' && p[i-1] != ',') {
					return "", m.java // Go's fractional seconds follow a '.' or ','
				}
				out.WriteString(m.goLayout)
				i += len(m.java)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		ch := p[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' {
			// letters are pattern fields; digits would be read as Go layout fields
			return "", string(ch)
		}
		out.WriteByte(ch)
		i++
	}
	return out.String(), ""
}

func typeRegexpExtract(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 2, 3) || !b.want(args[0], types.String, c.Args[0], "REGEXP_EXTRACT") {
		return nil
	}
	pattern, ok := b.constString(c, 1, args, "the pattern")
	if !ok {
		return nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		b.diags.Errorf(diag.BadLiteral, c.Args[1].Position(), "REGEXP_EXTRACT pattern: %v", err)
		return nil
	}
	var group plan.Expr = &plan.Const{Value: int64(1), T: types.Of(types.Int)}
	if re.NumSubexp() == 0 {
		group = &plan.Const{Value: int64(0), T: types.Of(types.Int)}
	}
	if len(args) == 3 {
		if !b.want(args[2], types.Int, c.Args[2], "REGEXP_EXTRACT") {
			return nil
		}
		group = coerce(args[2], types.Int)
	}
	s := coerce(args[0], types.String)
	return &plan.Func{Name: "REGEXP_EXTRACT", Args: []plan.Expr{s, args[1], group}, T: types.Null(types.String)}
}

func typeSplitIndex(b *binder, c *ast.Call, args []plan.Expr) plan.Expr {
	if !b.arity(c, args, 3, 3) || !b.want(args[0], types.String, c.Args[0], "SPLIT_INDEX") ||
		!b.want(args[1], types.String, c.Args[1], "SPLIT_INDEX") || !b.want(args[2], types.Int, c.Args[2], "SPLIT_INDEX") {
		return nil
	}
	return &plan.Func{Name: "SPLIT_INDEX", Args: []plan.Expr{coerce(args[0], types.String), coerce(args[1], types.String), coerce(args[2], types.Int)},
		T: types.Null(types.String)}
}
