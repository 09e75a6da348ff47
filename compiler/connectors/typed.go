// Package connectors is what the compiler knows of connectors whose rows
// arrive as Go structs rather than as text to decode (typed sources, such as
// the Nexmark generator): how each declared column maps to a field, so that
// generated code reads the fields in place. The binder asks it about every
// source; nothing else in the compiler knows a typed connector by name.
package connectors

import (
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
)

// Problem is an error in a typed source's declaration: about column Column
// (its name, or its type when AtType), or the whole statement when Column < 0.
type Problem struct {
	Column int
	AtType bool
	Code   diag.Code
	Msg    string
	Hint   string
}

// typed maps a connector name to its binding.
var typed = map[string]func(src *plan.Source) (*plan.TypedBinding, []Problem){
	"nexmark": bindNexmark,
	"parquet": bindParquet,
}

// BindTyped binds a source of a typed connector; isTyped is false for the
// others (text sources: files, stdin, pushed rows).
func BindTyped(src *plan.Source) (b *plan.TypedBinding, problems []Problem, isTyped bool) {
	bind, ok := typed[src.Connector]
	if !ok {
		return nil, nil, false
	}
	b, problems = bind(src)
	return b, problems, true
}
