package nexmarkdiff

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// TestQ10Flink runs Nexmark q10 as Flink's nexmark repository writes it
// (testdata/q10_flink.sql: CREATE TABLE nexmark_q10 … PARTITIONED BY (dt,
// hm) WITH ('connector' = 'filesystem', 'format' = 'csv', Flink's partition
// commit and rolling options) and INSERT INTO nexmark_q10 SELECT …; only
// the source's DDL is ours), over 100,000 events at 300 events per second
// of event time (several minutes, so several hm partitions). DuckDB reads
// the files back (Hive partitioning) and they must equal DuckDB's answer
// over the same bids, each row once, every partition committed (_SUCCESS).
// The csv case is the text unchanged, run exactly-once with a state dir;
// json and parquet change only 'format' (json without a state dir: files
// written as they fill, at-least-once).
func TestQ10Flink(t *testing.T) {
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
	text, err := os.ReadFile("testdata/q10_flink.sql")
	if err != nil {
		t.Fatal(err)
	}
	const events, rate = 100_000, 300
	db := openDuckDB(t)
	loadEvents(t, db, nexmark.Config{Events: events, Rate: rate, Seed: 1})
	want := duckRows(t, db, translations["q10"])
	cols := translations["q10"].Columns
	fileCols := `{'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'datetime': 'TIMESTAMP', 'extra': 'VARCHAR'}`
	for _, c := range []struct {
		format, read string
		exactlyOnce  bool
	}{
		{"csv", `read_csv('%s/**/*.csv', header = false, auto_detect = false, columns = ` + fileCols + `, hive_partitioning = true, hive_types = {'dt': VARCHAR, 'hm': VARCHAR})`, true},
		{"json", `read_json('%s/**/*.json', format = 'newline_delimited', columns = ` + fileCols + `, hive_partitioning = true, hive_types = {'dt': VARCHAR, 'hm': VARCHAR})`, false},
		{"parquet", `read_parquet('%s/**/*.parquet', hive_partitioning = true, hive_types = {'dt': VARCHAR, 'hm': VARCHAR})`, true},
	} {
		t.Run(c.format, func(t *testing.T) {
			dir := filepath.Join(work, c.format)
			sqlText := string(text)
			if c.format != "csv" {
				sqlText = strings.Replace(sqlText, "'format' = 'csv'", "'format' = '"+c.format+"'", 1)
			}
			sqlText = strings.NewReplacer("${NEXMARK_DIR}", dir, "${SUBMIT_TIME}", "1").Replace(sqlText)
			sqlText = eventsOption.ReplaceAllString(sqlText, "events = '100000'")
			sqlText = rateOption.ReplaceAllString(sqlText, "rate = '300'")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			sqlPath := filepath.Join(dir, "q10.sql")
			if err := os.WriteFile(sqlPath, []byte(sqlText), 0o644); err != nil {
				t.Fatal(err)
			}
			job := filepath.Join(dir, "job")
			cmd := exec.Command(laminarc, "build", "-o", job, sqlPath)
			cmd.Env = append(os.Environ(), "LAMINAR_CACHE="+filepath.Join(work, "jobcache"))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("laminarc build: %v\n%s", err, out)
			}
			args := []string{"--base-dir", dir, "--quiet", "--progress", "never"}
			if c.exactlyOnce {
				args = append(args, "--state-dir", filepath.Join(dir, "state"), "--checkpoint-interval", "100ms")
			}
			if out, err := exec.Command(job, args...).CombinedOutput(); err != nil {
				t.Fatalf("the job failed: %v\n%s", err, out)
			}
			out := filepath.Join(dir, "data/output/1/bid")
			got := duckRows(t, db, translation{
				DuckSQL: `SELECT auction, bidder, price, datetime, extra, dt, hm FROM ` + strings.Replace(c.read, "%s", out, 1),
				Columns: cols,
			})
			onlyWant, onlyGot := Diff(want, got, cols)
			if len(onlyWant) > 0 || len(onlyGot) > 0 {
				t.Fatalf("DuckDB has %d rows, the %s files %d: %d only in DuckDB, %d only in the files (first: %v %v)",
					len(want), c.format, len(got), len(onlyWant), len(onlyGot), first(onlyWant), first(onlyGot))
			}
			var parts, files int
			err := filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
				if err != nil {
					return err
				}
				switch {
				case d.IsDir() && strings.HasPrefix(d.Name(), "hm="):
					parts++
					if _, err := os.Stat(filepath.Join(p, "_SUCCESS")); err != nil {
						t.Errorf("partition %s has no _SUCCESS", p)
					}
				case strings.HasSuffix(d.Name(), "."+c.format):
					files++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if parts < 3 {
				t.Fatalf("%d partitions: the test covers too little", parts)
			}
			t.Logf("%d rows agree, in %d partitions of %d %s files", len(got), parts, files, c.format)
		})
	}
}
