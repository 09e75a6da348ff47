package crash

import "testing"

// DECIMAL state: exact 128-bit sums (with their wrap words), extremes, and
// over an updating input the multisets of DECIMAL values, checkpointed and
// restored across kills.
var (
	decimalWindowed = `CREATE MATERIALIZED VIEW v AS
SELECT symbol, window_start, SUM(CAST(price AS DECIMAL(12,4)) * volume) AS notional, MIN(CAST(price AS DECIMAL(12,4))) AS lo,
       MAX(CAST(price AS DECIMAL(12,4))) AS hi, AVG(CAST(price AS DECIMAL(12,4))) AS av, SUM(0.908 * volume) FILTER (WHERE price > 100) AS sv
FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE)
GROUP BY symbol, window_start, window_end;
`
	decimalUpdating = `CREATE VIEW per AS SELECT symbol, volume % 7 AS b, SUM(CAST(price AS DECIMAL(12,2))) AS s FROM trades GROUP BY symbol, volume % 7;
CREATE MATERIALIZED VIEW v AS SELECT symbol, SUM(s) AS total, MIN(s) AS lo, MAX(s) AS hi, COUNT(*) AS n
FROM per GROUP BY symbol;
`
)

func TestCrashDecimal(t *testing.T) {
	skipShort(t)
	crashRuns(t, buildJob(t, source("file")+decimalWindowed+sink, false, input(60_000)), sameRows)
}

func TestCrashDecimalUpdating(t *testing.T) {
	skipShort(t)
	crashRuns(t, buildJob(t, source("file")+decimalUpdating+sink, false, input(60_000)), sameTable)
}
