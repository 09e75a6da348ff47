package connectors

import (
	"fmt"

	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// bindParquet binds a Parquet source: its rows arrive as column batches
// (runtime/connector/parquet.Batch), a Go slice per column by SQL type and
// nullability. The file's schema is checked against the declared columns
// when the job opens each file (the file may not exist at compile time).
func bindParquet(src *plan.Source) (*plan.TypedBinding, []Problem) {
	tb := &plan.TypedBinding{Columnar: true, Elem: "parquet.Batch"}
	var problems []Problem
	for i, c := range src.Schema {
		var f string
		switch c.Type.Kind {
		case types.Int, types.Timestamp:
			f = "Int64"
		case types.Float:
			f = "Float64"
		case types.String:
			f = "String"
		case types.Bool:
			f = "Bool"
		default:
			problems = append(problems, Problem{Column: i, AtType: true, Code: diag.TypeMismatch,
				Msg:  fmt.Sprintf("a Parquet source has no %s columns", c.Type.Kind),
				Hint: "Parquet columns are read as BIGINT, DOUBLE, VARCHAR, BOOLEAN or TIMESTAMP"})
			continue
		}
		if c.Type.Nullable {
			f = "Null" + f
		}
		tb.Fields = append(tb.Fields, f)
	}
	return tb, problems
}
