package crash

import (
	"os"
	"strconv"
	"testing"
	"time"
)

// ttlKillsEnv sets how many times TestCrashTTLJoin kills its job: make
// test kills each 6 times, make crash-ttl 60.
const ttlKillsEnv = "LAMINAR_TTL_KILLS"

func ttlKills() int {
	kills := 6
	if v := os.Getenv(ttlKillsEnv); v != "" {
		kills, _ = strconv.Atoi(v)
	}
	return kills
}

// A LEFT join with state retention over two append-only views of the
// trades: each row is stamped with the watermark it arrived at and dropped
// once the watermark is 3 seconds past that; the stamps, the heap of expiry
// times and the join's watermarks are checkpointed, so a restored run drops
// and joins the same rows as an uninterrupted one.
const ttlJoin = `CREATE VIEW big AS SELECT symbol, price, volume FROM trades WHERE volume > 450;
CREATE VIEW small AS SELECT symbol, volume FROM trades WHERE volume < 50;
CREATE MATERIALIZED VIEW v WITH (state_ttl = '3s') AS
SELECT b.symbol, b.price, b.volume, s.volume AS small FROM big AS b LEFT JOIN small AS s ON b.symbol = s.symbol;
`

func TestCrashTTLJoin(t *testing.T) {
	skipShort(t)
	crashRunsKills(t, buildJob(t, source("file")+ttlJoin+sink, false, input(60_000)), sameTable, 40*time.Millisecond, ttlKills())
}

// The same retention over an updating input: the right side is a running
// total per symbol, so the join holds weighted rows that are retracted and
// replaced as the totals change, and expiry drops what is left of a key
// once its stamp is 3 seconds behind the watermark. A change of a total is
// stamped when the aggregate emits it, at the end of a batch, so which
// rows meet depends on where batches are cut (docs/dialect.md), and a
// restarted file source cuts them where its read buffer ends: every run
// reads batches of one line, so cuts fall alike, and a restored run must
// net to the uninterrupted run's table.
const ttlJoinUpdating = `CREATE VIEW big AS SELECT symbol, price, volume FROM trades WHERE volume > 450;
CREATE VIEW totals AS SELECT symbol, SUM(volume) AS total, COUNT(*) AS n FROM trades GROUP BY symbol;
CREATE MATERIALIZED VIEW v WITH (state_ttl = '3s') AS
SELECT b.symbol, b.price, b.volume, t.total, t.n FROM big AS b LEFT JOIN totals AS t ON b.symbol = t.symbol;
`

func TestCrashTTLJoinUpdating(t *testing.T) {
	skipShort(t)
	j := buildJob(t, source("file")+ttlJoinUpdating+sink, false, input(60_000))
	j.batchSize = 1
	crashRunsKills(t, j, sameTable, 40*time.Millisecond, ttlKills())
}
