package crash

import (
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/physical"
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

// TestCrashIntervalJoinUnique: Nexmark q9's interval join (auction x bid,
// the bid within the auction's life) over the generator, whose auction ids
// are unique: the join keeps only the bids whose auction has not come, and
// drops them when it comes (compiler/physical's uniqueSides), so the
// checkpoints hold fewer rows than the rule-less join's would; a restart
// from one of them must still give the uninterrupted run's rows, with
// watermarks moving and auctions expiring while it runs. (A price that
// overflows makes dead letters, which the reference run must have.)
func TestCrashIntervalJoinUnique(t *testing.T) {
	skipShort(t)
	sql := generatorJoin + sink // an interval join of two generated tables (generator_workers_test.go)
	j := buildJob(t, sql, false, nil)
	j.unordered = true
	crashRuns(t, j, sameMultiset)
}

// TestCrashIntervalJoinUniqueDedup: Nexmark q9 whole (the winning bid of
// each auction) over the generator, with auctions expiring while it runs:
// the auction side is unique (a bid that meets its auction is not kept,
// and the auction's arrival takes the bids held for it, whose times the
// heap drops in bulk: join.Side.pruneTimes; the deduplication's partitions
// hold the auction rows, whose ids are not checkpointed, and go with them:
// physical.linkSides), and the net table after
// restarts must be the uninterrupted run's. (A price that overflows makes dead letters,
// which the reference run must have.)
func TestCrashIntervalJoinUniqueDedup(t *testing.T) {
	skipShort(t)
	sql := `CREATE SOURCE auction (
  id BIGINT NOT NULL, seller BIGINT NOT NULL, "dateTime" TIMESTAMP NOT NULL, expires TIMESTAMP NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '1' SECOND
) WITH (connector = 'nexmark', events = '200000', rate = '20000', seed = '5');
CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL, "dateTime" TIMESTAMP NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '1' SECOND
) WITH (connector = 'nexmark', events = '200000', rate = '20000', seed = '5');
CREATE VIEW b AS
SELECT auction, bidder, "dateTime", CASE WHEN price % 97 = 5 THEN price * 9223372036854775807 ELSE price END AS price
FROM bid;
CREATE MATERIALIZED VIEW v AS
SELECT id, seller, bidder, price, bid_time FROM (
  SELECT A.id, A.seller, B.bidder, B.price, B."dateTime" AS bid_time,
         ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC, B."dateTime" ASC) AS rownum
  FROM auction AS A, b AS B
  WHERE A.id = B.auction AND B."dateTime" BETWEEN A."dateTime" AND A.expires
) WHERE rownum <= 1;
` + sink
	res, _ := compiler.Compile("t.sql", "t", sql)
	if res == nil || !slices.ContainsFunc(res.Physical.Operators, func(op *physical.Operator) bool { return op.Join != nil && op.Unique[0] }) {
		t.Fatal("the join's auction side is not unique on its key (physical.uniqueSides)")
	}
	if !slices.ContainsFunc(res.Physical.Operators, func(op *physical.Operator) bool { return op.Dedup[1] != nil && op.Dedup[1].Link != nil }) {
		t.Fatal("the deduplication does not hold the auction rows with its partitions (physical.linkSides)")
	}
	crashRuns(t, buildJob(t, sql, false, nil), sameTable)
}
