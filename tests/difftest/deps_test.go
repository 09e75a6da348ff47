package difftest

import (
	_ "github.com/duckdb/duckdb-go/v2"
	_ "github.com/laminar-sql/laminar/codegen"
	_ "github.com/laminar-sql/laminar/compiler"
)
