package plan

import (
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/types"
)

// UDF is a scalar function written in Go and declared by CREATE FUNCTION:
// Package.Func called with Params, returning Returns. A call is a Func
// named UDFName(Name). The binder fills in the declaration; laminarc checks
// it against the Go signature (compiler/udf) and sets ReturnsError and
// Module before code generation.
type UDF struct {
	Name    string
	Params  []types.Kind
	Returns types.Kind
	Package string // import path
	Func    string // exported function name
	Pos     ast.Pos
	// ReturnsError: the Go function returns (value, error); an error fails
	// the row as a panic does (LDB-6004).
	ReturnsError bool
}

const udfPrefix = "UDF."

// UDFName is the Func name of a call of the UDF named name.
func UDFName(name string) string { return udfPrefix + name }

// UDFOf returns the UDF a Func calls, if it calls one.
func (p *Pipeline) UDFOf(f *Func) (*UDF, bool) {
	name, ok := strings.CutPrefix(f.Name, udfPrefix)
	if !ok {
		return nil, false
	}
	for _, u := range p.UDFs {
		if u.Name == name {
			return u, true
		}
	}
	return nil, false
}
