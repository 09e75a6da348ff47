package ast

// CreateFunction is CREATE FUNCTION name(params) RETURNS type LANGUAGE lang
// AS 'target': a scalar function implemented outside SQL (a Go function,
// Target naming it as import/path.Func).
type CreateFunction struct {
	Pos       Pos
	Name      Ident
	Params    []FuncParam
	Returns   TypeName
	Language  Ident
	Target    string
	TargetPos Pos
}

// FuncParam is one parameter of CREATE FUNCTION.
type FuncParam struct {
	Name Ident
	Type TypeName
}

func (*CreateFunction) stmtNode()       {}
func (s *CreateFunction) Position() Pos { return s.Pos }

// IsDistinct is l IS [NOT] DISTINCT FROM r: a comparison where NULL equals
// NULL and differs from every value (never NULL itself).
type IsDistinct struct {
	Pos  Pos
	L, R Expr
	Not  bool
}

func (*IsDistinct) exprNode()       {}
func (e *IsDistinct) Position() Pos { return e.Pos }
