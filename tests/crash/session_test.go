package crash

import (
	"os"
	"strconv"
	"testing"
	"time"
)

// Session windows: per-symbol sessions that merge when a trade bridges two
// (out-of-order trades do), closed by the watermark; and the same under EMIT
// CHANGES with allowed lateness, whose merged sessions retract their rows.
var (
	sessions = `CREATE MATERIALIZED VIEW v AS
SELECT symbol, window_start, window_end, COUNT(*) AS n, MAX(price) AS high, COUNT(DISTINCT volume % 10) AS kinds
FROM TABLE(SESSION(TABLE trades PARTITION BY symbol, DESCRIPTOR(ts), INTERVAL '1500' MILLISECOND))
GROUP BY symbol, window_start, window_end;
`
	sessionChanges = `CREATE MATERIALIZED VIEW v AS
SELECT symbol, SESSION_START(ts, INTERVAL '1500' MILLISECOND) AS s0, SESSION_END(ts, INTERVAL '1500' MILLISECOND) AS s1, COUNT(*) AS n, SUM(volume) AS volume
FROM trades
GROUP BY symbol, SESSION(ts, INTERVAL '1500' MILLISECOND)
EMIT CHANGES ALLOWED LATENESS INTERVAL '3' SECOND;
`
)

// sessionKills is at least how many times each session pipeline is killed,
// and sessionRows its input: a short run in make test (a round ends when the
// job finishes: a few kills), LAMINAR_SESSION_KILLS (make crash-session: 60)
// over 60,000 trades for the long run.
func sessionKills() int {
	if n, err := strconv.Atoi(os.Getenv("LAMINAR_SESSION_KILLS")); err == nil && n > 0 {
		return n
	}
	return 3
}

func sessionRows() int {
	if os.Getenv("LAMINAR_SESSION_KILLS") != "" {
		return 60_000
	}
	return 3_000
}

func TestCrashSession(t *testing.T) {
	skipShort(t)
	crashRunsKills(t, buildJob(t, source("file")+sessions+sink, false, input(sessionRows())), sameRows, 40*time.Millisecond, sessionKills())
}

func TestCrashSessionChanges(t *testing.T) {
	skipShort(t)
	crashRunsKills(t, buildJob(t, source("file")+sessionChanges+sink, false, input(sessionRows())), sameTable, 40*time.Millisecond, sessionKills())
}

// Emit modes whose changes wait across batches (and so across checkpoints):
// AFTER WATERMARK with allowed lateness over sessions, PERIODICALLY over a
// tumbling window with allowed lateness.
var (
	sessionAfterWatermark = `CREATE MATERIALIZED VIEW v AS
SELECT symbol, window_start, window_end, COUNT(*) AS n, MIN(price) AS low
FROM SESSION(trades, ts, INTERVAL '1500' MILLISECOND)
GROUP BY symbol, window_start, window_end
EMIT AFTER WATERMARK ALLOWED LATENESS INTERVAL '4' SECOND;
`
	periodicTumble = `CREATE MATERIALIZED VIEW v AS
SELECT symbol, window_start, window_end, COUNT(*) AS n, SUM(volume) AS volume
FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE)
GROUP BY symbol, window_start, window_end
EMIT PERIODICALLY INTERVAL '10' SECOND ALLOWED LATENESS INTERVAL '30' SECOND;
`
)

func TestCrashSessionAfterWatermark(t *testing.T) {
	skipShort(t)
	crashRunsKills(t, buildJob(t, source("file")+sessionAfterWatermark+sink, false, input(sessionRows())), sameTable, 40*time.Millisecond, sessionKills())
}

func TestCrashPeriodic(t *testing.T) {
	skipShort(t)
	crashRunsKills(t, buildJob(t, source("file")+periodicTumble+sink, false, input(sessionRows())), sameTable, 40*time.Millisecond, sessionKills())
}
