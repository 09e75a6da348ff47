module example.com/tradeapp

go 1.26

require github.com/laminar-sql/laminar v0.0.0

replace github.com/laminar-sql/laminar => ../..
