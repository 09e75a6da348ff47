package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/laminar-sql/laminar/compiler/connectors"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/runtime/connector/parquet"
)

// sourceChecker is compiler.Options.CheckSource for a pipeline in dir
// (relative paths resolve there, as the job resolves them): a Parquet
// source whose path names files now has the schema footer of each checked
// against its declared columns (LDB-3006), by the rules the job applies
// when it opens a file. A path that names no file yet (the files are
// produced later) is left to the job.
func sourceChecker(dir string) func(*plan.Source) []connectors.Problem {
	return func(src *plan.Source) []connectors.Problem {
		if src.Connector != "parquet" || src.Options["path"] == "" {
			return nil
		}
		p := src.Options["path"]
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		cols := make([]parquet.SourceColumn, len(src.Schema))
		for i, c := range src.Schema {
			// the event-time column is NOT NULL in the plan because a row
			// without event time goes to the dead letters, not because
			// the user declared it so: its nullability is not checked
			cols[i] = parquet.SourceColumn{Name: c.Name, Type: c.Type.Kind.String(), Nullable: c.Type.Nullable || i == src.TimeCol}
		}
		// files are named as the user would: relative to the pipeline's
		// directory when the path is
		rel := func(f string) string {
			if r, err := filepath.Rel(dir, f); err == nil && !filepath.IsAbs(src.Options["path"]) {
				return r
			}
			return f
		}
		found, _, err := parquet.CheckSchema(p, cols)
		if err != nil {
			return []connectors.Problem{{Column: -1, Code: diag.SourceSchema,
				Msg:  fmt.Sprintf("source %s: %s", src.Name, strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")),
				Hint: "the path names a file that is not Parquet, or a damaged one"}}
		}
		var out []connectors.Problem
		for _, pr := range found {
			out = append(out, connectors.Problem{Column: pr.Column, AtType: !pr.Missing, Code: diag.SourceSchema,
				Msg: fmt.Sprintf("source %s: Parquet file %s: %s", src.Name, rel(pr.File), pr.Msg), Hint: pr.Hint})
		}
		return out
	}
}
