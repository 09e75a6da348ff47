package connectors

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// ParquetColumnsOption is the option through which a Parquet sink learns its
// view's columns and types (runtime/connector/parquet.ColumnsOption); a user
// option cannot have a dot in its name.
const ParquetColumnsOption = "laminar.columns"

// BindSink completes a sink once its view is known: a Parquet sink takes
// append-only rows and is told the view's columns and types.
func BindSink(s *plan.Sink) []Problem {
	if s.Connector != "parquet" || s.View == nil {
		return nil
	}
	if !s.View.Root.AppendOnly() {
		return []Problem{{Column: -1, Code: diag.BadOption,
			Msg:  fmt.Sprintf("parquet sink %s: view %s is updating, and Parquet files take append-only rows", s.Name, s.View.Name),
			Hint: "write an updating view to PostgreSQL, Kafka (upsert) or a JSON file; or window it with EMIT ON WINDOW CLOSE"}}
	}
	type column struct {
		Name     string `json:"name"`
		Type     string `json:"type"`
		Nullable bool   `json:"nullable"`
	}
	var cols []column
	for _, c := range s.View.Root.Schema() {
		switch c.Type.Kind {
		case types.Int, types.Float, types.String, types.Bool, types.Timestamp:
		default:
			return []Problem{{Column: -1, Code: diag.BadOption,
				Msg: fmt.Sprintf("parquet sink %s: column %s is %s, which has no Parquet column here", s.Name, c.Name, c.Type.Kind)}}
		}
		cols = append(cols, column{c.Name, c.Type.Kind.String(), c.Type.Nullable})
	}
	for _, name := range strings.Split(s.Options["partitioned_by"], ",") {
		if name = strings.TrimSpace(name); name != "" && s.View.Root.Schema().Index(name) < 0 {
			return []Problem{{Column: -1, Code: diag.UnknownColumn,
				Msg: fmt.Sprintf("parquet sink %s: partition column %s is not a column of view %s", s.Name, name, s.View.Name)}}
		}
	}
	b, _ := json.Marshal(cols)
	s.Options[ParquetColumnsOption] = string(b)
	return nil
}
