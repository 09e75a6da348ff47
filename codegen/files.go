package codegen

import (
	"github.com/laminar-sql/laminar/compiler/physical"
	"github.com/laminar-sql/laminar/templates"
)

// JobFiles returns the Go files of a job's main package: pipeline.go (the
// generated pipeline) and main.go (the runtime's entry point), by file name.
func JobFiles(p *physical.Plan, sqlText, sourceFile string, stateBackend string) (map[string][]byte, error) {
	src, err := Generate(p, sqlText, Options{Package: "main", SourceFile: sourceFile, StateBackend: stateBackend})
	if err != nil {
		return nil, err
	}
	mainGo, err := templates.MainGo(templates.Main{Name: p.Pipeline.Name, SourceFile: sourceFile})
	if err != nil {
		return nil, err
	}
	return map[string][]byte{"pipeline.go": src, "main.go": mainGo}, nil
}
