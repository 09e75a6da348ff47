package crash

import (
	"os"
	"strconv"
	"testing"
	"time"
)

// topNKillsEnv sets how many times TestCrashTopN kills its job: make test
// kills it 6 times, make crash-topn 60.
const topNKillsEnv = "LAMINAR_TOPN_KILLS"

// A top-N over an updating input: the 3 symbols with the most volume, a
// RANK over a GROUP BY whose rows retract and come back as the sums grow,
// and per symbol the last trade (deduplication keeping the last row). Both
// keep their partitions' rows and the rows they emitted in checkpoints.
const topN = `CREATE VIEW volumes AS SELECT symbol, SUM(volume) AS volume, COUNT(*) AS n FROM trades GROUP BY symbol;
CREATE VIEW leaders AS
SELECT symbol, volume, rk FROM (SELECT *, RANK() OVER (ORDER BY volume DESC) AS rk FROM volumes) WHERE rk <= 3;
CREATE VIEW lastTrade AS
SELECT symbol, price, ts FROM trades QUALIFY ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY ts DESC) = 1;
CREATE MATERIALIZED VIEW v AS
SELECT 'leader' AS what, symbol, volume AS value, rk FROM leaders
UNION ALL SELECT 'last', symbol, CAST(price * 100 AS BIGINT), 0 FROM lastTrade;
`

func TestCrashTopN(t *testing.T) {
	skipShort(t)
	kills := 6
	if v := os.Getenv(topNKillsEnv); v != "" {
		kills, _ = strconv.Atoi(v)
	}
	crashRunsKills(t, buildJob(t, source("file")+topN+sink, false, input(60_000)), sameTable, 40*time.Millisecond, kills)
}

// A deduplication over an interval join, the shape of Nexmark q9: per
// symbol, the best trade within 2 seconds after a big one. The join's
// right side keeps only the rows that matched nothing and were not beaten
// by the row kept (compiler/physical's dedupSides): the checkpoints hold
// the join's and the deduplication's state, which must agree at restart.
const intervalJoinDedup = `CREATE VIEW big AS SELECT symbol, price, ts FROM trades WHERE volume > 450;
CREATE MATERIALIZED VIEW v AS
SELECT symbol, price, volume, ts FROM (
  SELECT b.symbol, t.price, t.volume, t.ts,
         ROW_NUMBER() OVER (PARTITION BY b.symbol ORDER BY t.price DESC, t.volume, t.ts) AS rn
  FROM big AS b JOIN trades AS t ON b.symbol = t.symbol AND t.ts BETWEEN b.ts AND b.ts + INTERVAL '2' SECOND
) WHERE rn <= 1;
`

func TestCrashIntervalJoinDedup(t *testing.T) {
	skipShort(t)
	crashRuns(t, buildJob(t, source("file")+intervalJoinDedup+sink, false, input(60_000)), sameTable)
}
