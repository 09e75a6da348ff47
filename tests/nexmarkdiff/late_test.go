package nexmarkdiff

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// TestLateNexmark reads LATE(bid) of a typed source (the Nexmark generator,
// read in place) whose windowed view is fused into the source's loop, or
// sits behind a view of its own (a filter and a projection with a sink),
// over out-of-order bids: the late rows must be those DuckDB finds, the
// bids whose window had closed (by the watermark of the bids before them,
// in arrival order) when they came.
func TestLateNexmark(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	laminarc := filepath.Join(work, "laminarc")
	build := exec.Command("go", "build", "-o", laminarc, "./cmd/laminarc")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building laminarc: %v\n%s", err, out)
	}
	const events, rate, seed, group = 20_000, 1000, 3, 3000
	db := openDuckDB(t)
	loadEvents(t, db, nexmark.Config{Events: events, Rate: rate, Seed: seed, OutOfOrderGroupSize: group})
	source := fmt.Sprintf(`CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL, "dateTime" TIMESTAMP NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '1' SECOND
) WITH (connector = 'nexmark', events = '%d', rate = '%d', seed = '%d', out_of_order_group = '%d');
`, events, rate, seed, group)
	late := `CREATE VIEW late_rows AS SELECT view, auction, price, "dateTime" FROM LATE(bid) WHERE view = 'counts';
CREATE SINK out FROM late_rows WITH (connector = 'file', path = 'out.jsonl', format = 'json');
`
	counts := `CREATE VIEW counts AS SELECT auction, window_start, COUNT(*) AS c FROM TUMBLE(%s, "dateTime", INTERVAL '2' SECOND) GROUP BY auction, window_start;
CREATE SINK counts_out FROM counts WITH (connector = 'blackhole');
`
	cases := map[string]string{
		"fused": source + fmt.Sprintf(counts, "bid") + late,
		"through_views": source + `CREATE VIEW cheap AS SELECT auction, price, "dateTime" FROM bid WHERE price < 50000000;
CREATE VIEW cheap2 AS SELECT "dateTime", auction, price FROM cheap;
CREATE SINK cheap_out FROM cheap WITH (connector = 'blackhole');
CREATE SINK cheap2_out FROM cheap2 WITH (connector = 'blackhole');
` + fmt.Sprintf(counts, "cheap2") + late,
	}
	// the watermark before a bid: the latest time of the bids before it, less the delay
	duck := func(where string) translation {
		return translation{
			DuckSQL: `SELECT 'counts', auction, price, "dateTime" FROM (
  SELECT *, max(dt_us) OVER (ORDER BY rowid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) - 1000000 AS wm FROM bid)
WHERE dt_us - dt_us % 2000000 + 2000000 <= wm` + where,
			Columns: []Column{{"view", String}, {"auction", Int}, {"price", Int}, {"dateTime", Timestamp}},
		}
	}
	for name, pipeline := range cases {
		t.Run(name, func(t *testing.T) {
			tr := duck("")
			if name == "through_views" {
				tr = duck(" AND price < 50000000")
			}
			want := duckRows(t, db, tr)
			if len(want) == 0 {
				t.Fatal("DuckDB finds no late bid: the case tests nothing")
			}
			dir := filepath.Join(work, name)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			sqlPath := filepath.Join(dir, "late.sql")
			if err := os.WriteFile(sqlPath, []byte(pipeline), 0o644); err != nil {
				t.Fatal(err)
			}
			job := filepath.Join(dir, "job")
			b := exec.Command(laminarc, "build", "-o", job, sqlPath)
			b.Env = append(os.Environ(), "LAMINAR_CACHE="+filepath.Join(dir, "jobcache"))
			if out, err := b.CombinedOutput(); err != nil {
				t.Fatalf("laminarc build: %v\n%s", err, out)
			}
			for _, bs := range []string{"1", "7", "1024"} {
				os.Remove(filepath.Join(dir, "out.jsonl"))
				run := exec.Command(job, "--base-dir", dir, "--quiet", "--progress", "never", "--batch-size", bs,
					"--late", filepath.Join(dir, "late.jsonl"), "--dead-letter", filepath.Join(dir, "dead.jsonl"))
				if out, err := run.CombinedOutput(); err != nil {
					t.Fatalf("the job failed: %v\n%s", err, out)
				}
				data, err := os.ReadFile(filepath.Join(dir, "out.jsonl"))
				if err != nil {
					t.Fatal(err)
				}
				got, err := ParseLaminar(data, tr.Columns)
				if err != nil {
					t.Fatal(err)
				}
				if onlyWant, onlyGot := Diff(want, got, tr.Columns); len(onlyWant)+len(onlyGot) > 0 {
					t.Errorf("batch size %s: %d late rows only in DuckDB (first: %v), %d only in LATE(bid) (first: %v); %d in all",
						bs, len(onlyWant), first(onlyWant), len(onlyGot), first(onlyGot), len(want))
				}
			}
		})
	}
}
