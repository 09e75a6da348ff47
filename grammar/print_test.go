package grammar

import (
	"fmt"
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
)

// sexpr prints an AST node as a compact S-expression without positions, so
// that tests can state a tree's shape in one readable line.
func sexpr(n any) string {
	switch n := n.(type) {
	case nil:
		return "nil"
	case *ast.Script:
		var parts []string
		for _, s := range n.Stmts {
			parts = append(parts, sexpr(s))
		}
		return strings.Join(parts, "\n")
	case *ast.CreateSource:
		parts := []string{"source", identStr(n.Name)}
		for _, c := range n.Columns {
			col := identStr(c.Name) + " " + typeStr(c.Type)
			if c.NotNull {
				col += " notnull"
			}
			parts = append(parts, "("+col+")")
		}
		if n.Watermark != nil {
			parts = append(parts, "(watermark "+identStr(n.Watermark.Column)+" "+sexpr(n.Watermark.Expr)+")")
		}
		parts = append(parts, optionsStr(n.With))
		return "(" + strings.Join(parts, " ") + ")"
	case *ast.CreateView:
		return "(view " + identStr(n.Name) + " " + sexpr(n.Query) + ")"
	case *ast.CreateSink:
		from := "nil"
		if n.From != nil {
			from = identStr(*n.From)
		}
		return "(sink " + identStr(n.Name) + " " + from + " " + optionsStr(n.With) + ")"
	case *ast.Insert:
		return "(insert " + identStr(n.Sink) + " " + sexpr(n.Query) + ")"
	case *ast.Select:
		parts := []string{"select"}
		if n.Distinct {
			parts = append(parts, "distinct")
		}
		var items []string
		for _, it := range n.Items {
			s := "*"
			if !it.Star {
				s = sexpr(it.Expr)
			}
			if it.Alias != nil {
				s += " as " + identStr(*it.Alias)
			}
			items = append(items, s)
		}
		parts = append(parts, "["+strings.Join(items, ", ")+"]", "from", sexpr(n.From))
		if n.Where != nil {
			parts = append(parts, "where", sexpr(n.Where))
		}
		if len(n.GroupBy) > 0 {
			parts = append(parts, "group", exprList(n.GroupBy))
		}
		if n.Having != nil {
			parts = append(parts, "having", sexpr(n.Having))
		}
		switch n.Emit {
		case ast.EmitOnWindowClose:
			parts = append(parts, "emit-close")
		case ast.EmitChanges:
			parts = append(parts, "emit-changes")
		}
		for _, op := range n.SetOps {
			word := "union-all"
			if op.Distinct {
				word = "union"
			}
			parts = append(parts, word, sexpr(op.Query))
		}
		out := "(" + strings.Join(parts, " ") + ")"
		for i := len(n.With) - 1; i >= 0; i-- {
			out = "(with " + identStr(n.With[i].Name) + " " + sexpr(n.With[i].Query) + " " + out + ")"
		}
		return out
	case *ast.Join:
		kind := map[ast.JoinKind]string{ast.InnerJoin: "inner", ast.LeftJoin: "left", ast.RightJoin: "right", ast.FullJoin: "full", ast.CrossJoin: "cross"}[n.Kind]
		out := "(" + kind + " " + sexpr(n.Left) + " " + sexpr(n.Right)
		if n.On != nil {
			out += " on " + sexpr(n.On)
		}
		for _, u := range n.Using {
			out += " using " + identStr(u)
		}
		return out + ")"
	case *ast.InQuery:
		word := "in"
		if n.Not {
			word = "not-in"
		}
		return "(" + word + " " + sexpr(n.X) + " " + sexpr(n.Query) + ")"
	case *ast.Exists:
		return "(exists " + sexpr(n.Query) + ")"
	case *ast.Subquery:
		return "(subquery " + sexpr(n.Query) + aliasStr(n.Alias) + ")"
	case *ast.TableName:
		return "(table " + identStr(n.Name) + aliasStr(n.Alias) + ")"
	case *ast.WindowTVF:
		kind := map[ast.WindowKind]string{ast.Tumble: "tumble", ast.Hop: "hop"}[n.Kind]
		return "(" + kind + " " + identStr(n.Table) + " " + identStr(n.TimeCol) + " " + exprList(n.Args) + aliasStr(n.Alias) + ")"
	case *ast.ColumnRef:
		if n.Qualifier != nil {
			return identStr(*n.Qualifier) + "." + identStr(n.Name)
		}
		return identStr(n.Name)
	case *ast.Literal:
		switch n.Kind {
		case ast.LitInt:
			return n.Text
		case ast.LitFloat:
			return "float:" + n.Text
		case ast.LitString:
			return fmt.Sprintf("%q", n.Text)
		case ast.LitBool:
			return strings.ToLower(n.Text)
		case ast.LitNull:
			return "null"
		case ast.LitTimestamp:
			return fmt.Sprintf("(timestamp %q)", n.Text)
		case ast.LitInterval:
			return fmt.Sprintf("(interval %q %s)", n.Text, n.Unit)
		}
	case *ast.Unary:
		return "(" + n.Op + " " + sexpr(n.X) + ")"
	case *ast.Binary:
		return "(" + n.Op + " " + sexpr(n.L) + " " + sexpr(n.R) + ")"
	case *ast.IsNull:
		return "(" + notStr(n.Not) + "isnull " + sexpr(n.X) + ")"
	case *ast.In:
		return "(" + notStr(n.Not) + "in " + sexpr(n.X) + " " + exprList(n.List) + ")"
	case *ast.Between:
		return "(" + notStr(n.Not) + "between " + sexpr(n.X) + " " + sexpr(n.Lo) + " " + sexpr(n.Hi) + ")"
	case *ast.Like:
		return "(" + notStr(n.Not) + "like " + sexpr(n.X) + " " + sexpr(n.Pattern) + ")"
	case *ast.Case:
		s := "(case " + sexpr(n.Operand)
		for _, w := range n.Whens {
			s += " (when " + sexpr(w.Cond) + " " + sexpr(w.Result) + ")"
		}
		return s + " else " + sexpr(n.Else) + ")"
	case *ast.Cast:
		return "(cast " + sexpr(n.X) + " " + typeStr(n.Type) + ")"
	case *ast.Call:
		s := "(call " + n.Name
		if n.Distinct {
			s += " distinct"
		}
		if n.Star {
			s += " *"
		}
		for _, a := range n.Args {
			s += " " + sexpr(a)
		}
		return s + ")"
	}
	if n, ok := n.(ast.Expr); ok && n == nil {
		return "nil"
	}
	return fmt.Sprintf("?%T", n)
}

func identStr(id ast.Ident) string {
	if id.Quoted {
		return fmt.Sprintf("%q", id.Name)
	}
	return id.Name
}

func aliasStr(id *ast.Ident) string {
	if id == nil {
		return ""
	}
	return " as " + identStr(*id)
}

func typeStr(t ast.TypeName) string {
	if len(t.Args) == 0 {
		return t.Name
	}
	return fmt.Sprint(t.Name, t.Args)
}

func optionsStr(opts []ast.Option) string {
	var parts []string
	for _, o := range opts {
		parts = append(parts, o.Key+"="+fmt.Sprintf("%q", o.Value))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func exprList(es []ast.Expr) string {
	var parts []string
	for _, e := range es {
		parts = append(parts, sexpr(e))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func notStr(not bool) string {
	if not {
		return "not-"
	}
	return ""
}
