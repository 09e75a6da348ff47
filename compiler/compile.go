// Package compiler is laminarc's front and middle end: it parses a pipeline,
// binds it to a logical plan, optimizes it and lowers it to a physical plan.
// It is pure: it reads no files and writes none; the CLI does I/O.
package compiler

import (
	"fmt"
	"strings"

	"github.com/laminar-sql/laminar/compiler/binder"
	"github.com/laminar-sql/laminar/compiler/connectors"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/optimizer"
	"github.com/laminar-sql/laminar/compiler/physical"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/grammar"
)

// Result is a compiled pipeline.
type Result struct {
	Logical  *plan.Pipeline
	Physical *physical.Plan
}

// Compile parses, binds, optimizes and plans a pipeline. name is the
// pipeline's name (the file's base name without .sql). Diagnostics are sorted
// by position; the result is nil when any of them is an error.
func Compile(filename, name, src string) (*Result, []diag.Diagnostic) {
	return CompileWith(filename, name, src, Options{})
}

// Options change what Compile produces.
type Options struct {
	// Lib compiles for embedding (laminarc compile --lib): every view is an
	// output, whether or not a sink reads it.
	Lib bool
	// CheckSource, when set, is asked about every source once it is bound:
	// the problems of its declaration against what it reads now (the CLI
	// reads the schema footer of a Parquet file that exists at compile
	// time). The compiler itself reads no file.
	CheckSource func(*plan.Source) []connectors.Problem
}

// CompileWith is Compile with options.
func CompileWith(filename, name, src string, opts Options) (*Result, []diag.Diagnostic) {
	var all diag.List
	script, perr := grammar.Parse(filename, src)
	all.Items = append(all.Items, perr...)
	if !all.HasErrors() {
		checkLimits(script, &all)
	}
	if all.HasErrors() {
		all.Sort()
		return nil, all.Items
	}
	logical, berr := binder.BindWith(script, src, name, opts.CheckSource)
	for _, d := range berr {
		if opts.Lib && d.Code == diag.ViewWithoutSink {
			continue // the embedding program reads it
		}
		all.Items = append(all.Items, d)
	}
	if !opts.Lib {
		for _, src := range logical.Sources {
			if src.Connector == "push" {
				d := all.Errorf(diag.Unsupported, src.Pos, "source %s uses connector 'push', which only an embedding program can feed", src.Name)
				d.Hint = "compile it with laminarc compile --lib, or give it a connector such as 'file' or 'stdin'"
			}
		}
	}
	all.Sort()
	if all.HasErrors() {
		return nil, all.Items
	}
	optimizer.Optimize(logical)
	for _, s := range logical.Sinks {
		for _, pr := range connectors.BindSinkKey(s) {
			d := all.Errorf(pr.Code, s.Pos, "%s", pr.Msg)
			d.Hint = pr.Hint
		}
	}
	if all.HasErrors() {
		all.Sort()
		return nil, all.Items
	}
	phys := physical.Build(logical, opts.Lib)
	for _, g := range physical.LateGaps(phys) {
		what := "view " + g.Through.Name
		switch {
		case g.Through == g.Op && g.Op.Join != nil:
			what = "its join's inputs"
		case g.Through.Agg != nil:
			what = "view " + g.Through.Name + ", an aggregate"
		case g.Through.Join != nil || g.Through.Lookup != nil:
			what = "view " + g.Through.Name + ", a join"
		case g.Through.TopN != nil:
			what = "view " + g.Through.Name + ", a top-N"
		case g.Through.Union:
			what = "view " + g.Through.Name + ", a UNION"
		}
		d := all.Errorf(diag.Unsupported, g.Op.Statement.Pos, "LATE(%s) cannot carry the rows late for view %s: it reads source %s through %s, so its late rows are not rows of %s",
			g.Source.Name, g.Op.Statement.Name, g.Source.Name, what, g.Source.Name)
		d.Hint = fmt.Sprintf("LATE(source) carries the rows late at windows that read the source directly or through views of filters and projections; the late rows of view %s go to the job's late file and counter", g.Op.Statement.Name)
	}
	if all.HasErrors() {
		all.Sort()
		return nil, all.Items
	}
	return &Result{Logical: logical, Physical: phys}, all.Items
}

// Explain renders the logical plan of every view and the physical plan.
func Explain(r *Result) string {
	var b strings.Builder
	b.WriteString("== Logical plan ==\n")
	for _, v := range r.Logical.Views {
		kind := "view"
		if v.Anonymous {
			kind = "insert into sink"
		}
		b.WriteString(kind + " " + v.Name + ":\n")
		for _, line := range strings.Split(strings.TrimRight(plan.Format(v.Root), "\n"), "\n") {
			b.WriteString("  " + line + "\n")
		}
	}
	b.WriteString("\n== Physical plan ==\n")
	b.WriteString(physical.Format(r.Physical))
	part := physical.Partition(r.Physical)
	b.WriteString(physical.FormatPartitioning(r.Physical, part) + "\n")
	if line := physical.FormatCombiner(r.Physical, part, physical.Combine(r.Physical, part)); line != "" {
		b.WriteString(line + "\n")
	}
	return b.String()
}
