package crash

import "testing"

// The aggregates with state beyond a number: FIRST_VALUE/LAST_VALUE with
// their event times, Welford's moments, a HyperLogLog sketch (its registers
// once past 256 values), COUNT(DISTINCT)s sharing one set (a mask per
// value), and over an updating input the moments recomputed from a multiset.
var (
	moreAggsWindowed = `CREATE MATERIALIZED VIEW v AS
SELECT symbol, window_start, FIRST_VALUE(price) AS open, LAST_VALUE(price) AS close, STDDEV(price) AS sd,
       VAR_POP(volume) AS vp, APPROX_COUNT_DISTINCT(volume) AS dv, APPROX_COUNT_DISTINCT(price) AS dp,
       COUNT(DISTINCT volume) AS cv, COUNT(DISTINCT volume) FILTER (WHERE price > 100) AS cvp
FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE)
GROUP BY symbol, window_start, window_end;
`
	moreAggsUpdating = `CREATE VIEW per AS SELECT symbol, volume % 7 AS b, COUNT(*) AS n FROM trades GROUP BY symbol, volume % 7;
CREATE MATERIALIZED VIEW v AS SELECT symbol, STDDEV_POP(n) AS sd, VAR_SAMP(n) AS vs, APPROX_COUNT_DISTINCT(n) AS dn
FROM per GROUP BY symbol;
`
)

func TestCrashMoreAggregates(t *testing.T) {
	skipShort(t)
	crashRuns(t, buildJob(t, source("file")+moreAggsWindowed+sink, false, input(60_000)), sameRows)
}

func TestCrashMoreAggregatesUpdating(t *testing.T) {
	skipShort(t)
	crashRuns(t, buildJob(t, source("file")+moreAggsUpdating+sink, false, input(60_000)), sameTable)
}
