package codegen

import (
	"sort"

	"github.com/laminar-sql/laminar/compiler/physical"
	"github.com/laminar-sql/laminar/templates"
)

// JobFiles returns the Go files of a job's main package: pipeline.go (the
// generated pipeline) and main.go (the runtime's entry point), by file name.
func JobFiles(p *physical.Plan, sqlText, sourceFile string, stateBackend string) (map[string][]byte, error) {
	return JobFilesWith(p, sqlText, sourceFile, JobOptions{StateBackend: stateBackend})
}

// JobOptions are the choices of a job's main package.
type JobOptions struct {
	StateBackend string // memory or badger
	Admin        bool   // link the HTTP admin server for --http
	// Module is the job's module path (go.mod); when set, a large pipeline
	// is split into packages under it (see Split), the files of which come
	// back by their relative paths (ops0/ops0.go).
	Module string
	// SplitMinOps and SplitGroupSize override DefaultSplitMinOps and
	// DefaultSplitGroupSize (tests force small pipelines to split).
	SplitMinOps, SplitGroupSize int
}

// JobFilesWith is JobFiles with every option.
func JobFilesWith(p *physical.Plan, sqlText, sourceFile string, o JobOptions) (map[string][]byte, error) {
	var split *Split
	if o.Module != "" {
		split = &Split{Module: o.Module, MinOps: o.SplitMinOps, GroupSize: o.SplitGroupSize}
		if split.MinOps == 0 {
			split.MinOps = DefaultSplitMinOps
		}
	}
	src, err := Generate(p, sqlText, Options{Package: "main", SourceFile: sourceFile, StateBackend: o.StateBackend, Split: split})
	if err != nil {
		return nil, err
	}
	mainGo, err := templates.MainGo(templates.Main{Name: p.Pipeline.Name, SourceFile: sourceFile, Connectors: connectorImports(p), Admin: o.Admin})
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{"pipeline.go": src, "main.go": mainGo}
	if split != nil {
		for name, data := range split.Files {
			files[name] = data
		}
	}
	return files, nil
}

// connectorImports lists the connector packages of the connectors the
// pipeline names, sorted: a job links Kafka or PostgreSQL only if it uses them.
func connectorImports(p *physical.Plan) []string {
	seen := map[string]bool{}
	var out []string
	add := func(connector string) {
		if pkg, ok := connectorPackages[connector]; ok && !seen[pkg] {
			seen[pkg] = true
			out = append(out, pkg)
		}
	}
	for _, s := range p.Pipeline.Sources {
		add(s.Connector)
		if pkg, ok := formatPackages[s.Format]; ok && !seen[pkg] {
			seen[pkg] = true
			out = append(out, pkg)
		}
	}
	for _, s := range p.Pipeline.Sinks {
		add(s.Connector)
		if pkg, ok := formatPackages[s.Format]; ok && !seen[pkg] {
			seen[pkg] = true
			out = append(out, pkg)
		}
	}
	sort.Strings(out)
	return out
}
