package connectors

import (
	"fmt"

	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// bindParquet binds a Parquet source: its rows arrive as column batches
// (runtime/connector/parquet.Batch), a Go slice per column by SQL type and
// nullability; a DECIMAL(p, s) is its unscaled value, an int64 up to 18
// digits, a decimal.Int128 beyond. The file's schema is checked against the
// declared columns when the job opens each file, and at compile time too
// for the files that exist then (laminarc's Options.CheckSource).
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
			if c.Type.Kind.IsWideDecimal() {
				f = "Int128" // decimal.Int128, the unscaled value
				break
			}
			if c.Type.Kind.IsDecimal() {
				f = "Int64" // the unscaled value
				break
			}
			problems = append(problems, Problem{Column: i, AtType: true, Code: diag.TypeMismatch,
				Msg:  fmt.Sprintf("a Parquet source has no %s columns", c.Type.Kind),
				Hint: "Parquet columns are read as BIGINT, DOUBLE, DECIMAL(p,s), VARCHAR, BOOLEAN or TIMESTAMP"})
			continue
		}
		if c.Type.Nullable {
			f = "Null" + f
		}
		tb.Fields = append(tb.Fields, f)
	}
	return tb, problems
}
