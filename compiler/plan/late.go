package plan

import "github.com/laminar-sql/laminar/compiler/types"

// LateScan reads the late rows of a source (FROM LATE(src)): each row that
// arrived after the window (or interval-join bound) it belonged to had
// closed, once per view it was late for, with the source's columns and the
// view's name. It has no watermark: its rows are behind the source's.
type LateScan struct {
	Source *Source
}

// LateViewColumn names the view a late row was late for.
const LateViewColumn = "view"

func (n *LateScan) Schema() Schema {
	s := append(Schema{}, n.Source.Schema...)
	return append(s, Column{LateViewColumn, types.Of(types.String)})
}
func (n *LateScan) Inputs() []Node   { return nil }
func (n *LateScan) AppendOnly() bool { return true }
func (n *LateScan) Describe() string { return "LateScan " + n.Source.Name }
