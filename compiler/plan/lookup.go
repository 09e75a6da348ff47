package plan

import (
	"fmt"
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
)

// LookupTable is an external table (CREATE TABLE) that lookup joins read by
// key when a row needs it: a file or a PostgreSQL table, cached.
type LookupTable struct {
	Name      string
	Pos       ast.Pos
	Schema    Schema
	Connector string // file, postgres
	Format    string // file: json or csv
	Options   map[string]string
}

// LookupJoin joins each row of Input with the rows of Table whose TableKeys
// columns equal its Keys (NULL matches nothing) and for which Residual
// (over Input's columns, then Table's) is TRUE, read when the row is
// processed: a processing-time join, whose answer depends on the table's
// content at that moment. A LEFT one pads a row with no such table row. Its
// output is Input's columns then Table's; append-only over an append-only
// input.
type LookupJoin struct {
	Input     Node
	Table     *LookupTable
	Kind      JoinKind // InnerJoin or LeftJoin
	Keys      []Expr
	TableKeys []int
	Residual  Expr
}

func (n *LookupJoin) Schema() Schema {
	s := append(Schema{}, n.Input.Schema()...)
	for _, c := range n.Table.Schema {
		c.Type.Nullable = c.Type.Nullable || n.Kind == LeftJoin
		s = append(s, c)
	}
	return s
}

func (n *LookupJoin) Inputs() []Node   { return []Node{n.Input} }
func (n *LookupJoin) AppendOnly() bool { return n.Input.AppendOnly() }

func (n *LookupJoin) Describe() string {
	var on []string
	for i, k := range n.Keys {
		on = append(on, fmt.Sprintf("%s = %s.%s", k, n.Table.Name, n.Table.Schema[n.TableKeys[i]].Name))
	}
	out := fmt.Sprintf("LookupJoin %s %s (%s) ON %s", n.Kind, n.Table.Name, n.Table.Connector, strings.Join(on, " AND "))
	if n.Residual != nil {
		out += " AND " + n.Residual.String()
	}
	return out
}
