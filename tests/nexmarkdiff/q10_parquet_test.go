package nexmarkdiff

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// TestQ10Parquet runs Nexmark q10 as Flink writes it, to a Parquet sink
// PARTITIONED BY (dt, hm) with Flink's partition commit (a _SUCCESS file
// once the watermark passes a partition's minute plus 1 min) and files
// rolled at 64 KB, with a state dir (exactly-once by epoch); DuckDB reads
// the files back (read_parquet, Hive partitioning) and they must equal
// DuckDB's answer over the same bids, each row once, every partition
// committed.
func TestQ10Parquet(t *testing.T) {
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
	q, err := os.ReadFile(filepath.Join(root, "benchmarks/nexmark/queries/q10.sql"))
	if err != nil {
		t.Fatal(err)
	}
	const events, rate = 100_000, 300 // about 5 minutes of event time: several hm partitions
	sqlText := eventsOption.ReplaceAllString(string(q), "events = '100000'")
	sqlText = rateOption.ReplaceAllString(sqlText, "rate = '300'")
	sink := regexp.MustCompile(`CREATE SINK q10_out FROM q10 WITH \(connector = 'blackhole'\)`)
	if !sink.MatchString(sqlText) {
		t.Fatalf("q10.sql has no blackhole sink to replace:\n%s", sqlText)
	}
	sqlText = sink.ReplaceAllString(sqlText, `CREATE SINK q10_out FROM q10 PARTITIONED BY (dt, hm) WITH (connector = 'parquet', path = 'out',
  partition_commit = 'success-file', partition_time = '$$dt $$hm:00', partition_commit_delay = '1 min', rolling_size = '64KB')`)
	sqlPath := filepath.Join(work, "q10.sql")
	if err := os.WriteFile(sqlPath, []byte(sqlText), 0o644); err != nil {
		t.Fatal(err)
	}
	job := filepath.Join(work, "job")
	cmd := exec.Command(laminarc, "build", "-o", job, sqlPath)
	cmd.Env = append(os.Environ(), "LAMINAR_CACHE="+filepath.Join(work, "jobcache"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("laminarc build: %v\n%s", err, out)
	}
	run := exec.Command(job, "--base-dir", work, "--quiet", "--progress", "never", "--state-dir", filepath.Join(work, "state"), "--checkpoint-interval", "100ms")
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("the job failed: %v\n%s", err, out)
	}

	db := openDuckDB(t)
	loadEvents(t, db, nexmark.Config{Events: events, Rate: rate, Seed: 1})
	want := duckRows(t, db, translations["q10"])
	got := duckRows(t, db, translation{
		DuckSQL: `SELECT auction, bidder, price, "dateTime", extra, dt, hm FROM read_parquet('` + filepath.Join(work, "out") +
			`/**/*.parquet', hive_partitioning = true, hive_types = {'dt': VARCHAR, 'hm': VARCHAR})`,
		Columns: translations["q10"].Columns,
	})
	onlyWant, onlyGot := Diff(want, got, translations["q10"].Columns)
	if len(onlyWant) > 0 || len(onlyGot) > 0 {
		t.Fatalf("DuckDB has %d rows, the Parquet files %d: %d only in DuckDB, %d only in the files (first: %v %v)",
			len(want), len(got), len(onlyWant), len(onlyGot), first(onlyWant), first(onlyGot))
	}
	// every partition directory is committed, and a minute's files were
	// rolled (several per partition)
	var parts, files, rolled int
	err = filepath.WalkDir(filepath.Join(work, "out"), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && strings.HasPrefix(d.Name(), "hm="):
			parts++
			if _, err := os.Stat(filepath.Join(p, "_SUCCESS")); err != nil {
				t.Errorf("partition %s has no _SUCCESS", p)
			}
		case strings.HasSuffix(d.Name(), ".parquet"):
			files++
			if strings.Count(d.Name(), "-") == 2 {
				rolled++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if parts < 3 || rolled == 0 {
		t.Fatalf("%d partitions, %d files (%d rolled): the test covers too little", parts, files, rolled)
	}
	t.Logf("%d rows agree, in %d partitions of %d files (%d rolled by size)", len(got), parts, files, rolled)
}

func first(rows []Row) any {
	if len(rows) == 0 {
		return nil
	}
	return rows[0]
}

// TestParquetToParquet: Nexmark bids written by DuckDB as Parquet (small
// row groups) → a filtered tumbling aggregate → a Parquet sink partitioned
// by day, exactly-once with a state dir: the files DuckDB reads back equal
// DuckDB's answer to the same query over the bids.
func TestParquetToParquet(t *testing.T) {
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
	db := openDuckDB(t)
	loadEvents(t, db, nexmark.Config{Events: 50_000, Rate: 300, Seed: 3})
	var parts []string
	for from := 0; from < 50_000; from += 1000 { // DuckDB cuts row groups at chunks: 1000-row slices
		parts = append(parts, fmt.Sprintf(`SELECT auction, bidder, price, channel, url, "dateTime", extra FROM bid WHERE rowid >= %d AND rowid < %d`, from, from+1000))
	}
	in := filepath.Join(work, "bids.parquet")
	if _, err := db.ExecContext(context.Background(), fmt.Sprintf(`COPY (%s) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 1000)`, strings.Join(parts, " UNION ALL "), in)); err != nil {
		t.Fatal(err)
	}
	sqlText := `CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (connector = 'file', path = 'bids.parquet', format = 'parquet');

CREATE VIEW v AS
SELECT auction, window_start, COUNT(*) AS n, MAX(price) AS top, DATE_FORMAT(window_start, 'yyyy-MM-dd') AS dt
FROM TUMBLE(bid, "dateTime", INTERVAL '10' SECOND)
WHERE price > 1000 AND "dateTime" >= TIMESTAMP '2015-07-15 00:02:00'
GROUP BY auction, window_start, window_end
EMIT ON WINDOW CLOSE;

CREATE SINK out FROM v PARTITIONED BY (dt) WITH (connector = 'parquet', path = 'out', partition_commit = 'success-file');
`
	sqlPath := filepath.Join(work, "p.sql")
	if err := os.WriteFile(sqlPath, []byte(sqlText), 0o644); err != nil {
		t.Fatal(err)
	}
	job := filepath.Join(work, "job")
	cmd := exec.Command(laminarc, "build", "-o", job, sqlPath)
	cmd.Env = append(os.Environ(), "LAMINAR_CACHE="+filepath.Join(work, "jobcache"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("laminarc build: %v\n%s", err, out)
	}
	run := exec.Command(job, "--base-dir", work, "--progress", "never", "--state-dir", filepath.Join(work, "state"), "--checkpoint-interval", "50ms", "--batch-size", "7")
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("the job failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "row groups skipped by their statistics") {
		t.Errorf("the job skipped no row group (its filter on dateTime rules out the first two minutes):\n%s", out)
	}
	cols := []Column{{"auction", Int}, {"window_start", Timestamp}, {"n", Int}, {"top", Int}, {"dt", String}}
	want := duckRows(t, db, translation{DuckSQL: `SELECT auction, make_timestamp(ws) AS window_start, COUNT(*) AS n, MAX(price) AS top,
  strftime(make_timestamp(ws), '%Y-%m-%d') AS dt
FROM (SELECT auction, price, (dt_us // 10000000) * 10000000 AS ws FROM bid WHERE price > 1000 AND "dateTime" >= TIMESTAMP '2015-07-15 00:02:00')
GROUP BY auction, ws`, Columns: cols})
	got := duckRows(t, db, translation{DuckSQL: `SELECT auction, window_start, n, top, dt FROM read_parquet('` + filepath.Join(work, "out") +
		`/**/*.parquet', hive_partitioning = true, hive_types = {'dt': VARCHAR})`, Columns: cols})
	if len(want) == 0 {
		t.Fatal("DuckDB's answer is empty")
	}
	onlyWant, onlyGot := Diff(want, got, cols)
	if len(onlyWant) > 0 || len(onlyGot) > 0 {
		t.Fatalf("DuckDB has %d rows, the Parquet files %d: %d only in DuckDB, %d only in the files (first: %v %v)",
			len(want), len(got), len(onlyWant), len(onlyGot), first(onlyWant), first(onlyGot))
	}
	t.Logf("%d rows agree", len(got))
}
