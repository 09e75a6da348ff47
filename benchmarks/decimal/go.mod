module github.com/laminar-sql/laminar/benchmarks/decimal

go 1.26.0

require (
	github.com/cockroachdb/apd/v3 v3.2.3
	github.com/laminar-sql/laminar v0.0.0
)

replace github.com/laminar-sql/laminar => ../..
