package connectors

import (
	"strings"

	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
)

// ChangelogFormats are the formats whose records are changes (insertions
// and retractions) rather than rows: a source in one is updating.
var ChangelogFormats = []string{"debezium", "changelog"} // runtime: connector.ChangeFormats

// FormatProblems are the options a source's format needs and lacks.
func FormatProblems(src *plan.Source) []Problem {
	if src.Format == "avro" && src.Options["schema_registry"] == "" {
		return []Problem{{Column: -1, Code: diag.MissingOption, Msg: "format 'avro' needs the option schema_registry",
			Hint: "schema_registry = 'http://registry:8081': the records are in the schema registry's wire format"}}
	}
	return nil
}

// Partitioned tells whether a source's records come from partitions with
// a watermark each (Kafka).
func Partitioned(src *plan.Source) bool { return src.Connector == "kafka" }

// Updating tells whether a source's rows carry weights: a PostgreSQL CDC
// source (inserts, updates and deletes) unless its mode is 'append', and a
// source in a changelog format. The problem is a mode that is neither.
func Updating(src *plan.Source) (bool, []Problem) {
	for _, f := range ChangelogFormats {
		if src.Format == f {
			return true, nil
		}
	}
	if src.Connector != "postgres" {
		return false, nil
	}
	switch strings.ToLower(src.Options["mode"]) {
	case "", "changelog":
		return true, nil
	case "append":
		return false, nil
	}
	return false, []Problem{{Column: -1, Code: diag.BadOption,
		Msg:  "postgres source: mode must be 'changelog' (inserts, updates and deletes) or 'append' (inserts only)",
		Hint: "mode = 'append' reads only inserts, which windows need; updates and deletes then go to the dead-letter output"}}
}
