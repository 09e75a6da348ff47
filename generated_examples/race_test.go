//go:build race

package examples

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/codegen"
	"github.com/laminar-sql/laminar/compiler"
)

// TestWorkersRace (make race: go test -race) builds jobs with the race
// detector and runs them on several workers, so that the workers' rounds,
// exchange, merges and checkpoints run under it: each example's job on its
// input at 2 and 3 workers, batch sizes 3 and 1024, checkpointing every
// millisecond, and a Nexmark job (each worker generating its chunks) with
// late rows. A race report fails the job (exit status 66), and the output
// must net to the one-worker result.
func TestWorkersRace(t *testing.T) {
	bins := t.TempDir()
	for _, ex := range examples(t) {
		t.Run(ex, func(t *testing.T) {
			bin := filepath.Join(bins, ex)
			raceBuild(t, bin, "./"+ex+"/job")
			want, err := os.ReadFile(filepath.Join(ex, "expected.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			for _, workers := range []string{"2", "3"} {
				for _, batch := range []string{"3", "1024"} {
					got := runJob(t, ex, bin, "--batch-size", batch, "--workers", workers,
						"--state-dir", filepath.Join(t.TempDir(), "state"), "--checkpoint-interval", "1ms")
					if a, b := netRows(t, got), netRows(t, want); a != b {
						t.Errorf("with --workers %s --batch-size %s the output nets to\n%s\nwant\n%s", workers, batch, a, b)
					}
				}
			}
		})
	}
	t.Run("nexmark", func(t *testing.T) {
		sql := `CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL,
  channel VARCHAR NOT NULL, url VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime"
) WITH (connector = 'nexmark', events = '30000', rate = '10000', seed = '3', out_of_order_group = '5001');
CREATE VIEW v AS
SELECT auction, COUNT(*) AS num, window_start, window_end
FROM TUMBLE(bid, "dateTime", INTERVAL '1' SECOND)
GROUP BY auction, window_start, window_end;
CREATE SINK out FROM v WITH (connector = 'file', path = 'output.jsonl', format = 'json');
`
		raceNexmark(t, bins, "nexmark", sql)
	})
	t.Run("nexmark join", func(t *testing.T) {
		// two sources, each worker generating a share of both
		sql := `CREATE SOURCE bid (
  auction BIGINT NOT NULL, bidder BIGINT NOT NULL, price BIGINT NOT NULL, "dateTime" TIMESTAMP NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime"
) WITH (connector = 'nexmark', events = '30000', rate = '10000', seed = '3');
CREATE SOURCE auction (
  id BIGINT NOT NULL, seller BIGINT NOT NULL, category BIGINT NOT NULL, "dateTime" TIMESTAMP NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime"
) WITH (connector = 'nexmark', events = '30000', rate = '10000', seed = '3');
CREATE VIEW v AS
SELECT B.auction, B.price, A.seller, A.category FROM bid AS B JOIN auction AS A ON B.auction = A.id WHERE A.category = 10;
CREATE SINK out FROM v WITH (connector = 'file', path = 'output.jsonl', format = 'json');
`
		raceNexmark(t, bins, "nexmark-join", sql)
	})
	t.Run("file strings read in place", func(t *testing.T) {
		// a stateless pipeline whose decoder hands its strings on as views
		// of the read buffer (physical.Plan.Borrowed), on workers that each
		// read byte ranges into a buffer of their own, round after round
		sql := `CREATE SOURCE bid (auction BIGINT NOT NULL, channel VARCHAR, extra VARCHAR NOT NULL, "dateTime" TIMESTAMP NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime") WITH (connector = 'file', path = 'input.jsonl', format = 'json');
CREATE VIEW v AS SELECT auction, channel, extra, UPPER(SUBSTRING(extra FROM 1 FOR 4)) AS head FROM bid WHERE auction % 5 <> 0;
CREATE SINK out FROM v WITH (connector = 'file', path = 'output.jsonl', format = 'json');
`
		var in strings.Builder
		pieces := []string{"plain", `esc\"aped`, `\u00e9t\u00e9`, "\xff", strings.Repeat("long", 40), ""}
		for i := range 20000 {
			fmt.Fprintf(&in, `{"auction":%d,"channel":"ch%d","extra":"%s-%d","dateTime":%d}`+"\n", i, i%7, pieces[i%len(pieces)], i, 1000+i)
		}
		raceFile(t, bins, "file-borrowed", sql, in.String())
	})
	t.Run("file stateless slots", func(t *testing.T) {
		// a stateless pipeline over a file whose rounds of byte ranges are
		// cut into slots that any worker takes (split slots), with
		// malformed and over-long records (dead letters, in input order
		// whatever the batches) and a checkpoint every millisecond: the
		// output and the dead letters of every run are one worker's, byte
		// for byte
		sql := `CREATE SOURCE s (n BIGINT NOT NULL, g BIGINT NOT NULL, t VARCHAR NOT NULL) WITH (connector = 'file', path = 'input.jsonl', format = 'json');
CREATE VIEW v AS SELECT n + g AS p, t FROM s WHERE n % 3 <> 0;
CREATE SINK out FROM v WITH (connector = 'file', path = 'output.jsonl', format = 'json');
`
		var in strings.Builder
		for i := range 20000 {
			switch {
			case i%97 == 5:
				in.WriteString("{not json\n")
			case i%211 == 7:
				fmt.Fprintf(&in, `{"n":%d,"g":1,"t":"%s"}`+"\n", i, strings.Repeat("x", 400))
			default:
				fmt.Fprintf(&in, `{"n":%d,"g":%d,"t":"t%d"}`+"\n", i, i%13, i%7)
			}
		}
		dir := raceJobDir(t, sql)
		if err := os.WriteFile(filepath.Join(dir, "input.jsonl"), []byte(in.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		bin := filepath.Join(bins, "file-slots")
		raceBuild(t, bin, "./"+dir)
		run := func(args ...string) (out, dead []byte) {
			work := t.TempDir()
			if err := os.WriteFile(filepath.Join(work, "input.jsonl"), []byte(in.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			args = append([]string{"--base-dir", work, "--quiet", "--max-record-bytes", "300", "--dead-letter", filepath.Join(work, "dead.jsonl")}, args...)
			if msg, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
				t.Fatalf("job %v: %v\n%s", args, err, msg)
			}
			out, err := os.ReadFile(filepath.Join(work, "output.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			dead, _ = os.ReadFile(filepath.Join(work, "dead.jsonl"))
			return out, dead
		}
		want, wantDead := run("--workers", "1")
		if !bytes.Contains(wantDead, []byte("not json")) || !bytes.Contains(wantDead, []byte("longer than the limit")) {
			t.Fatalf("the one-worker run should write malformed and over-long records: %.400s", wantDead)
		}
		for _, workers := range []string{"2", "3"} {
			for _, batch := range []string{"1", "3", "1024"} {
				got, dead := run("--workers", workers, "--batch-size", batch, "--state-dir", filepath.Join(t.TempDir(), "state"), "--checkpoint-interval", "1ms")
				if !bytes.Equal(got, want) || !bytes.Equal(dead, wantDead) {
					t.Errorf("with --workers %s --batch-size %s the output (%d bytes, want %d) or the dead letters (%d, want %d) differ from one worker's",
						workers, batch, len(got), len(want), len(dead), len(wantDead))
				}
			}
		}
	})
}

// raceFile builds the job of a pipeline over input.jsonl with -race and runs
// it on 1, 2 and 3 workers at batch sizes 3 and 1024: the same output, byte
// for byte (a stateless pipeline's rows come out in input order).
func raceFile(t *testing.T, bins, name, sql, input string) {
	dir := raceJobDir(t, sql)
	if err := os.WriteFile(filepath.Join(dir, "input.jsonl"), []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(bins, name)
	raceBuild(t, bin, "./"+dir)
	want := runJob(t, dir, bin, "--workers", "1", "--decoders", "1")
	for _, workers := range []string{"1", "2", "3"} {
		for _, batch := range []string{"3", "1024"} {
			got := runJob(t, dir, bin, "--workers", workers, "--batch-size", batch)
			if !bytes.Equal(got, want) {
				t.Errorf("with --workers %s --batch-size %s the output differs from one worker's (%d bytes, want %d)", workers, batch, len(got), len(want))
			}
		}
	}
}

// raceJobDir writes the job of a pipeline into a directory of this module,
// so that it builds against this checkout's runtime.
func raceJobDir(t *testing.T, sql string) string {
	res, diags := compiler.Compile("race.sql", "race", sql)
	if res == nil {
		t.Fatalf("compile: %v", diags)
	}
	files, err := codegen.JobFiles(res.Physical, sql, "race.sql", "")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(".", "race-job-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// raceNexmark builds the job of a Nexmark pipeline with -race and runs it on
// 1, 2 and 3 workers: the same net rows.
func raceNexmark(t *testing.T, bins, name, sql string) {
	res, diags := compiler.Compile("race.sql", "race", sql)
	if res == nil {
		t.Fatalf("compile: %v", diags)
	}
	files, err := codegen.JobFiles(res.Physical, sql, "race.sql", "")
	if err != nil {
		t.Fatal(err)
	}
	// in this module, so that it builds against this checkout's runtime
	dir, err := os.MkdirTemp(".", "race-nexmark-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(bins, name)
	raceBuild(t, bin, "./"+dir)
	want := runJob(t, dir, bin, "--workers", "1")
	for _, workers := range []string{"2", "3"} {
		got := runJob(t, dir, bin, "--workers", workers, "--state-dir", filepath.Join(t.TempDir(), "state"), "--checkpoint-interval", "1ms")
		if a, b := netRows(t, got), netRows(t, want); a != b {
			t.Errorf("with --workers %s the output nets to\n%.500s\nwant\n%.500s", workers, a, b)
		}
	}
}

// raceBuild builds package pkg with the race detector.
func raceBuild(t *testing.T, bin, pkg string) {
	if out, err := exec.Command("go", "build", "-race", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build -race: %v\n%s", err, out)
	}
}
