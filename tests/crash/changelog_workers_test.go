package crash

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// debeziumInput is a history of Debezium change events for accounts in
// regions: creates, updates that change an amount or move an account to
// another region, deletes, and now and then a tombstone, a line that is not
// JSON or an event without "op" (dead letters).
func debeziumInput(events int) []byte {
	r := rand.New(rand.NewPCG(11, 11))
	type account struct {
		id, amount int
		region     string
	}
	row := func(a account) string {
		return fmt.Sprintf(`{"id":%d,"region":%q,"amount":%d}`, a.id, a.region, a.amount)
	}
	var b bytes.Buffer
	var live []account
	next := 1
	for i := range events {
		switch {
		case i%613 == 300:
			b.WriteString("{not json\n")
			continue
		case i%887 == 400:
			b.WriteString(`{"before":null,"after":{"id":1,"region":"r1","amount":1}}` + "\n")
			continue
		case i%401 == 200:
			b.WriteString("null\n")
			continue
		}
		switch k := r.IntN(10); {
		case k < 4 || len(live) < 10:
			a := account{next, r.IntN(1000), fmt.Sprintf("r%d", r.IntN(30))}
			next++
			live = append(live, a)
			fmt.Fprintf(&b, `{"op":"c","before":null,"after":%s}`+"\n", row(a))
		case k < 8:
			j := r.IntN(len(live))
			before := live[j]
			after := before
			if r.IntN(2) == 0 {
				after.region = fmt.Sprintf("r%d", r.IntN(30))
			} else {
				after.amount = r.IntN(1000)
			}
			live[j] = after
			fmt.Fprintf(&b, `{"op":"u","before":%s,"after":%s}`+"\n", row(before), row(after))
		default:
			j := r.IntN(len(live))
			fmt.Fprintf(&b, `{"op":"d","before":%s,"after":null}`+"\n", row(live[j]))
			live = append(live[:j], live[j+1:]...)
		}
	}
	return b.Bytes()
}

// TestCrashWorkersChangelog: a Debezium changelog file read into an
// aggregate per region (MIN and MAX keep multisets under retractions) and
// a count of its groups by their size (its changes re-exchanged by that
// value), on 1, 2 and 3 workers with kills, the count picked anew at every
// restart: each change goes to the worker owning its region, an update's
// retraction to the old region's and its insertion to the new one's, in
// input order per region. The output nets to the uninterrupted one-worker
// run's table, and the dead letters (rejected events among malformed
// lines) are its own byte for byte.
func TestCrashWorkersChangelog(t *testing.T) {
	skipShort(t)
	for _, c := range []struct{ name, views string }{
		{"per region", `CREATE MATERIALIZED VIEW v AS
SELECT region, COUNT(*) AS n, SUM(amount) AS total, MIN(amount) AS lo, MAX(amount) AS hi FROM accounts GROUP BY region;
`},
		{"count of counts", `CREATE VIEW per AS SELECT region, COUNT(*) / 10 AS tens, MAX(amount) AS hi FROM accounts GROUP BY region;
CREATE MATERIALIZED VIEW v AS SELECT tens, COUNT(*) AS regions, MAX(hi) AS top, MIN(region) AS first FROM per GROUP BY tens;
`},
	} {
		t.Run(c.name, func(t *testing.T) {
			pipeline := `CREATE SOURCE accounts (id BIGINT NOT NULL, region VARCHAR NOT NULL, amount BIGINT NOT NULL)
WITH (connector = 'file', path = 'input.jsonl', format = 'debezium');
` + c.views + sink
			p := filepath.Join(t.TempDir(), "p.sql")
			if err := os.WriteFile(p, []byte(pipeline), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(laminarc, "explain", p).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "rows of source accounts exchanged by hash of region") {
				t.Fatalf("a changelog must split among workers by region: %v\n%s", err, out)
			}
			j := buildJob(t, "-- on several workers\n"+pipeline, false, debeziumInput(40_000))
			j.workers = []int{1, 2, 3}
			sameAtWorkers(t, j, sameTable, []int{2, 3})
			crashRunsKills(t, j, sameTable, 40*time.Millisecond, 15)
		})
	}
}
