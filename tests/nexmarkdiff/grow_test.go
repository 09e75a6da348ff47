package nexmarkdiff

import (
	"context"
	"path/filepath"
	"testing"
)

// growKeys is runtime/join's growKeys: the keys of one word a join side
// holds on a map before it moves them to a keyIndex.
const growKeys = 1 << 14

// TestJoinSidesGrow runs the joins on one BIGINT column of the suite (q7
// on price, q4 and q20 on the auction's id) over 200,000 events, enough
// that q7's side of bids, every bid of its one window by price, holds more
// distinct prices than growKeys: the side moves its keys from its map to a
// keyIndex while the job runs, and the rows must still be DuckDB's.
func TestJoinSidesGrow(t *testing.T) {
	root, work, laminarc := buildLaminarc(t)
	const events = 200_000
	db := openDuckDB(t)
	loaded := map[[3]string]bool{}
	suite := map[string]suiteQuery{}
	for _, q := range loadSuite(t, root) {
		suite[q.name] = q
	}
	for _, name := range []string{"q7", "q4", "q20"} {
		q, ok := suite[name]
		if !ok {
			t.Fatalf("the suite has no %s", name)
		}
		t.Run(name, func(t *testing.T) {
			runQuery(t, laminarc, filepath.Join(work, name), db, loaded, q, events)
			if name != "q7" {
				return
			}
			var prices int
			if err := db.QueryRowContext(context.Background(), "SELECT count(DISTINCT price) FROM bid").Scan(&prices); err != nil {
				t.Fatal(err)
			}
			if prices <= growKeys {
				t.Fatalf("q7's side holds %d prices, not more than %d: it would not grow", prices, growKeys)
			}
			t.Logf("q7's side of bids grew past %d keys (%d prices)", growKeys, prices)
		})
	}
}
