package crash

import (
	"os"
	"strconv"
	"testing"
	"time"
)

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

// decimalKillsEnv sets how many times each DECIMAL(38, s) crash test kills
// its job: make test kills each 6 times, make crash-decimal 60.
const decimalKillsEnv = "LAMINAR_DECIMAL_KILLS"

func decimalKills() int {
	kills := 6
	if v := os.Getenv(decimalKillsEnv); v != "" {
		kills, _ = strconv.Atoi(v)
	}
	return kills
}

// DECIMAL(38, 18) state: the 128-bit path (decimal.Int128), whose values
// pass int64 from the first row (a price of 100 is 1e20 unscaled). In a
// window, SUM with sums near 1e34 unscaled, MIN, MAX and AVG of products;
// over an updating input, the sums retracted and replaced as the inner
// groups change, and the multisets of MIN and MAX.
var (
	wideDecimalWindowed = `CREATE MATERIALIZED VIEW v AS
SELECT symbol, window_start, SUM(CAST(price AS DECIMAL(38,18)) * volume * 100000000) AS notional,
       MIN(CAST(price AS DECIMAL(38,18))) AS lo, MAX(CAST(price AS DECIMAL(38,18)) * volume) AS hi,
       AVG(CAST(price AS DECIMAL(38,18)) * volume) AS av, SUM(CAST(price AS DECIMAL(38,18))) FILTER (WHERE volume > 250) AS big
FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE)
GROUP BY symbol, window_start, window_end;
`
	wideDecimalUpdating = `CREATE VIEW per AS SELECT symbol, volume % 7 AS b, SUM(CAST(price AS DECIMAL(38,18)) * volume * 100000000000) AS s
FROM trades GROUP BY symbol, volume % 7;
CREATE MATERIALIZED VIEW v AS SELECT symbol, SUM(s) AS total, MIN(s) AS lo, MAX(s) AS hi, AVG(s) AS av, COUNT(*) AS n
FROM per GROUP BY symbol;
`
)

func TestCrashWideDecimal(t *testing.T) {
	skipShort(t)
	crashRunsKills(t, buildJob(t, source("file")+wideDecimalWindowed+sink, false, input(60_000)), sameRows, 40*time.Millisecond, decimalKills())
}

func TestCrashWideDecimalUpdating(t *testing.T) {
	skipShort(t)
	crashRunsKills(t, buildJob(t, source("file")+wideDecimalUpdating+sink, false, input(60_000)), sameTable, 40*time.Millisecond, decimalKills())
}
