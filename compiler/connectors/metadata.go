package connectors

import (
	"fmt"
	"sort"
	"strings"

	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// metadataKeys are, per connector, the metadata a column can be filled
// from (`col TYPE METADATA FROM 'key'`) and its type; "header." is the
// prefix of a Kafka header by name. The runtime serves them through
// connector.LineBatch's Meta* methods.
var metadataKeys = map[string]map[string]types.Kind{
	"kafka":    {"offset": types.Int, "partition": types.Int, "key": types.String, "timestamp": types.Timestamp, "header.": types.String},
	"file":     {"offset": types.Int, "line": types.Int},
	"stdin":    {"offset": types.Int, "line": types.Int},
	"postgres": {"lsn": types.Int},
}

// BindMetadata checks the metadata columns of a source (keys[i] is column
// i's key, "" for a column of the record's value) and records them in
// src.Metadata.
func BindMetadata(src *plan.Source, keys []string) []Problem {
	var problems []Problem
	any := false
	for i, key := range keys {
		if key == "" {
			continue
		}
		any = true
		known := metadataKeys[src.Connector]
		lookup := key
		switch {
		case key == "header.":
			lookup = "" // a header needs its name
		case strings.HasPrefix(key, "header."):
			lookup = "header."
		}
		kind, ok := known[lookup]
		if !ok {
			var names []string
			for k := range known {
				if k == "header." {
					k = "header.<name>"
				}
				names = append(names, "'"+k+"'")
			}
			sort.Strings(names)
			hint := "connector " + src.Connector + " has no metadata"
			if len(names) > 0 {
				hint = "metadata of connector " + src.Connector + ": " + strings.Join(names, ", ")
			}
			problems = append(problems, Problem{Column: i, Code: diag.BadOption,
				Msg: fmt.Sprintf("column %q: connector %s has no metadata %q", src.Schema[i].Name, src.Connector, key), Hint: hint})
			continue
		}
		if got := src.Schema[i].Type.Kind; got != kind {
			problems = append(problems, Problem{Column: i, AtType: true, Code: diag.TypeMismatch,
				Msg: fmt.Sprintf("column %q: metadata %q is %s, not %s", src.Schema[i].Name, key, kind, got)})
		}
	}
	if any {
		src.Metadata = keys
	}
	return problems
}
