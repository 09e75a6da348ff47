package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildPipeline writes sql into a temp dir and builds it with `laminarc build`.
func buildPipeline(t *testing.T, sql string, files map[string]string) (dir, bin string) {
	t.Helper()
	dir = t.TempDir()
	t.Setenv("LAMINAR_CACHE", filepath.Join(dir, "cache"))
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "p.sql")
	if err := os.WriteFile(p, []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(dir, "job")
	if code := run([]string{"build", p, "-o", bin}); code != exitOK {
		t.Fatalf("laminarc build exited %d", code)
	}
	return dir, bin
}

// TestUserTextIsData: identifiers and strings holding Go code, quotes,
// backticks, comment terminators and newlines compile to a program that
// treats them as data.
func TestUserTextIsData(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	evilCol := "c`\"; panic(1) //\n*/ x"
	evilOut := "out */ `x` \"\n}"
	evilStr := "\"; os.Exit(3) // `\n*/ \\x00 \u2028"
	q := func(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }
	sql := "CREATE SOURCE " + q("we\"ird`src */") + " (" + q(evilCol) + " VARCHAR NOT NULL, ts TIMESTAMP NOT NULL)\n" +
		"  WITH (connector = 'file', path = 'in.jsonl');\n" +
		"CREATE VIEW " + q("v`*/") + " AS SELECT " + q(evilCol) + " AS " + q(evilOut) + ", '" + strings.ReplaceAll(evilStr, "'", "''") + "' || " + q(evilCol) + " AS s2 FROM " + q("we\"ird`src */") + ";\n" +
		"CREATE SINK o FROM " + q("v`*/") + " WITH (connector = 'file', path = 'out.jsonl');\n"
	in, _ := json.Marshal(map[string]any{evilCol: "data", "ts": 0})
	dir, bin := buildPipeline(t, sql, map[string]string{"in.jsonl": string(in) + "\n"})
	cmd := exec.Command(bin, "--base-dir", dir, "--quiet")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("job: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "out.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var row map[string]string
	if err := json.Unmarshal(data, &row); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	if row[evilOut] != "data" || row["s2"] != evilStr+"data" || len(row) != 2 {
		t.Errorf("row %q", row)
	}
}

// TestRunCachesBuilds: a second build of an unchanged pipeline does not run
// the Go toolchain.
func TestRunCachesBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	sql := "CREATE SOURCE s (a BIGINT) WITH (connector = 'stdin');\nINSERT INTO o SELECT a * 2 AS b FROM s;\n"
	sql = strings.Replace(sql, "INSERT", "CREATE SINK o WITH (connector = 'stdout');\nINSERT", 1)
	dir, _ := buildPipeline(t, sql, nil)
	start := time.Now()
	if code := run([]string{"build", filepath.Join(dir, "p.sql"), "-o", filepath.Join(dir, "job2")}); code != exitOK {
		t.Fatal("second build failed")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Logf("cached build took %v", d) // informative: the check is below
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "cache"))
	if len(entries) != 1 {
		t.Errorf("expected one cached job, found %d", len(entries))
	}
	cmd := exec.Command(filepath.Join(dir, "job2"), "--quiet")
	cmd.Stdin = strings.NewReader("{\"a\": 21}\n{\"a\": null}\nbad\n")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "{\"b\":42}\n{\"b\":null}\n" {
		t.Errorf("output %q", out)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.sql")
	os.WriteFile(bad, []byte("CREATE VIEW v AS SELECT x FROM nowhere;"), 0o644)
	if code := run([]string{"check", bad}); code != exitPipeline {
		t.Errorf("check of bad SQL exited %d, want 1", code)
	}
	good := filepath.Join(dir, "good.sql")
	os.WriteFile(good, []byte("CREATE SOURCE s (a BIGINT) WITH (connector = 'stdin');\nCREATE SINK o FROM s WITH (connector = 'stdout');"), 0o644)
	if code := run([]string{"check", good}); code != exitOK {
		t.Errorf("check of good SQL exited %d", code)
	}
	if code := run([]string{"explain", good}); code != exitOK {
		t.Errorf("explain exited %d", code)
	}
	if code := run([]string{"nope"}); code != exitPipeline {
		t.Errorf("unknown command exited %d", code)
	}
	out := filepath.Join(dir, "out")
	if code := run([]string{"compile", good, "-o", out}); code != exitOK {
		t.Fatal("compile failed")
	}
	if code := run([]string{"compile", "--check", good, "-o", out}); code != exitOK {
		t.Error("compile --check of fresh output failed")
	}
	os.WriteFile(filepath.Join(out, "pipeline.go"), []byte("package main\n"), 0o644)
	if code := run([]string{"compile", "--check", good, "-o", out}); code != exitPipeline {
		t.Error("compile --check did not report stale output")
	}
}

// A sink on a symlink to its own source's file would truncate the input:
// check refuses it (the cleaned paths differ, so only the filesystem tells).
func TestCheckRefusesSinkOnItsInputThroughASymlink(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "in.jsonl"), []byte("{\"a\":1}\n"), 0o644)
	if err := os.Symlink("in.jsonl", filepath.Join(dir, "link.jsonl")); err != nil {
		t.Fatal(err)
	}
	sql := filepath.Join(dir, "p.sql")
	os.WriteFile(sql, []byte("CREATE SOURCE s (a BIGINT) WITH (connector = 'file', path = 'in.jsonl');\nCREATE SINK o FROM s WITH (connector = 'file', path = 'link.jsonl');"), 0o644)
	if code := run([]string{"check", sql}); code != exitPipeline {
		t.Errorf("check of a sink on its input exited %d, want 1", code)
	}
}

// TestInputTextPolicy runs a compiled job on the inputs of the text policy
// (docs/durability.md): a byte-order mark opening a JSON or CSV file is
// skipped; of duplicate JSON keys the last wins; invalid UTF-8 becomes
// U+FFFD and is counted; a CSV quoted field may hold a newline; the CSV
// header is not counted as a row.
func TestInputTextPolicy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	sql := `CREATE SOURCE j (k VARCHAR, v BIGINT NOT NULL) WITH (connector = 'file', path = 'in.jsonl');
CREATE SOURCE c (name VARCHAR, n BIGINT) WITH (connector = 'file', path = 'in.csv', format = 'csv');
CREATE SINK oj FROM j WITH (connector = 'file', path = 'j.jsonl');
CREATE SINK oc FROM c WITH (connector = 'file', path = 'c.jsonl');
`
	dir, bin := buildPipeline(t, sql, map[string]string{
		"in.jsonl": "\uFEFF{\"k\":\"a\",\"v\":1,\"v\":2,\"k\":\"b\"}\n{\"k\":\"\xff\",\"v\":3}\n",
		"in.csv":   "\uFEFFname,n\n\"two\nlines\",2\nx,3\n",
	})
	cmd := exec.Command(bin, "--base-dir", dir, "--quiet", "--summary-json", filepath.Join(dir, "summary.json"))
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("job: %v\n%s", err, out)
	}
	read := func(name string) string {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		return string(data)
	}
	if got, want := read("j.jsonl"), "{\"k\":\"b\",\"v\":2}\n{\"k\":\"\uFFFD\",\"v\":3}\n"; got != want {
		t.Errorf("json rows %q, want %q", got, want)
	}
	if got, want := read("c.jsonl"), "{\"name\":\"two\\nlines\",\"n\":2}\n{\"name\":\"x\",\"n\":3}\n"; got != want {
		t.Errorf("csv rows %q, want %q", got, want)
	}
	if dead := read("p.dead.jsonl"); dead != "" {
		t.Errorf("dead letters: %s", dead)
	}
	var summary struct {
		Sources []struct {
			Name    string `json:"name"`
			RowsIn  int64  `json:"rows_in"`
			Invalid int64  `json:"invalid_utf8"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(read("summary.json")), &summary); err != nil {
		t.Fatal(err)
	}
	for _, s := range summary.Sources {
		if s.RowsIn != 2 || s.Invalid != map[string]int64{"j": 1, "c": 0}[s.Name] {
			t.Errorf("summary of %s: %+v", s.Name, s)
		}
	}
}

// TestViewsReadingNoColumn: a pipeline whose views read no column of their
// source (a user's first COUNT(*)) builds and runs, over a file, the
// generator and at two workers; the loop names no row it does not use.
func TestViewsReadingNoColumn(t *testing.T) {
	if testing.Short() {
		t.Skip("builds jobs")
	}
	for _, c := range []struct{ name, source, want string }{
		{"file", "CREATE SOURCE s (a BIGINT NOT NULL, ts TIMESTAMP NOT NULL) WITH (connector = 'file', path = 'in.jsonl');",
			`{"n":3,"one":1}`},
		{"file with a watermark", "CREATE SOURCE s (a BIGINT NOT NULL, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts) WITH (connector = 'file', path = 'in.jsonl');",
			`{"n":3,"one":1}`},
		{"generator", "CREATE SOURCE s (auction BIGINT NOT NULL, \"dateTime\" TIMESTAMP NOT NULL) WITH (connector = 'nexmark', table = 'bid', events = '1000');",
			`{"n":920,"one":1}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			sql := c.source + "\nCREATE VIEW v AS SELECT COUNT(*) AS n, MIN(1) AS one FROM s;\n" +
				"CREATE VIEW w AS SELECT 1 AS one FROM s;\n" +
				"CREATE SINK o FROM v WITH (connector = 'file', path = 'out.jsonl');\n" +
				"CREATE SINK o2 FROM w WITH (connector = 'blackhole');\n"
			dir, bin := buildPipeline(t, sql, map[string]string{"in.jsonl": "{\"a\":1,\"ts\":1}\n{\"a\":2,\"ts\":2}\n{\"a\":3,\"ts\":3}\n"})
			for _, workers := range []string{"1", "2"} {
				os.Remove(filepath.Join(dir, "out.jsonl"))
				cmd := exec.Command(bin, "--base-dir", dir, "--quiet", "--workers", workers)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("job at %s workers: %v\n%s", workers, err, out)
				}
				data, err := os.ReadFile(filepath.Join(dir, "out.jsonl"))
				if err != nil {
					t.Fatal(err)
				}
				lines := strings.Split(strings.TrimSpace(string(data)), "\n")
				if last := lines[len(lines)-1]; !strings.Contains(last, strings.TrimSuffix(c.want, "}")) {
					t.Errorf("at %s workers, last row %s, want %s", workers, last, c.want)
				}
			}
		})
	}
}

// TestConcurrentBuildsOfOnePipeline: two laminarc builds of the same
// pipeline at once share one cache entry; both succeed (each once renamed
// the other's binary away, and a go build could read a half-written file).
func TestConcurrentBuildsOfOnePipeline(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	dir := t.TempDir()
	t.Setenv("LAMINAR_CACHE", filepath.Join(dir, "cache"))
	p := filepath.Join(dir, "p.sql")
	sql := "CREATE SOURCE s (a BIGINT NOT NULL) WITH (connector = 'file', path = 'in.jsonl');\n" +
		"CREATE VIEW v AS SELECT a + 1 AS b FROM s;\nCREATE SINK o FROM v WITH (connector = 'file', path = 'out.jsonl');\n"
	if err := os.WriteFile(p, []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	codes := make(chan int, 4)
	for i := range 4 {
		go func() { codes <- run([]string{"build", p, "-o", filepath.Join(dir, fmt.Sprintf("job%d", i))}) }()
	}
	for range 4 {
		if code := <-codes; code != exitOK {
			t.Errorf("a concurrent laminarc build exited %d", code)
		}
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "cache", "*", "job.tmp*"))
	if len(entries) > 0 {
		t.Errorf("temporary binaries left in the cache: %v", entries)
	}
}

// TestMissingNotNullColumnsDeadLettered: a JSON record without a NOT NULL
// column, read or not, or with null in one, goes to the dead-letter output
// with its offset and the column named; the first and the last NOT NULL
// column both count (the generated decoder keeps them as bits of one word,
// and as one flag each beyond 64 NOT NULL columns, the second source).
func TestMissingNotNullColumnsDeadLettered(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	var wide, line, short []string
	for i := range 65 {
		wide = append(wide, fmt.Sprintf("c%d BIGINT NOT NULL", i))
		line = append(line, fmt.Sprintf(`"c%d":%d`, i, i))
	}
	short = line[:64]
	sql := `CREATE SOURCE j (a BIGINT NOT NULL, b VARCHAR NOT NULL, n BIGINT, c BIGINT NOT NULL) WITH (connector = 'file', path = 'in.jsonl');
CREATE SOURCE w (` + strings.Join(wide, ", ") + `) WITH (connector = 'file', path = 'wide.jsonl');
CREATE VIEW v AS SELECT a, c FROM j;
CREATE VIEW vw AS SELECT c0, c64 FROM w;
CREATE SINK oj FROM v WITH (connector = 'file', path = 'j.jsonl');
CREATE SINK ow FROM vw WITH (connector = 'file', path = 'w.jsonl');
`
	in := []string{
		`{"a":1,"b":"x","c":2}`,
		`{"b":"x","c":2}`,
		`{"a":1,"b":"x"}`,
		`{"a":1,"c":2}`,
		`{"a":1,"b":null,"c":2}`,
		`{"c":3,"n":null,"a":4,"b":"y"}`,
	}
	dir, bin := buildPipeline(t, sql, map[string]string{
		"in.jsonl":   strings.Join(in, "\n") + "\n",
		"wide.jsonl": "{" + strings.Join(line, ",") + "}\n{" + strings.Join(short, ",") + "}\n",
	})
	cmd := exec.Command(bin, "--base-dir", dir, "--quiet")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("job: %v\n%s", err, out)
	}
	read := func(name string) string {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		return string(data)
	}
	if got, want := read("j.jsonl"), "{\"a\":1,\"c\":2}\n{\"a\":4,\"c\":3}\n"; got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
	if got, want := read("w.jsonl"), "{\"c0\":0,\"c64\":64}\n"; got != want {
		t.Errorf("wide rows %q, want %q", got, want)
	}
	dead := read("p.dead.jsonl")
	at := func(i int) int { return len(strings.Join(in[:i], "\n")) + 1 }
	for _, want := range []string{
		fmt.Sprintf(`"offset":%d,`, at(1)), `missing NOT NULL column \"a\"`,
		fmt.Sprintf(`"offset":%d,`, at(2)), `missing NOT NULL column \"c\"`,
		fmt.Sprintf(`"offset":%d,`, at(3)), `missing NOT NULL column \"b\"`,
		fmt.Sprintf(`"offset":%d,`, at(4)), `column \"b\" is NOT NULL but the record has null`,
		`missing NOT NULL column \"c64\"`,
	} {
		if !strings.Contains(dead, want) {
			t.Errorf("dead letters lack %s:\n%s", want, dead)
		}
	}
	if n := strings.Count(dead, "\n"); n != 5 {
		t.Errorf("%d dead letters, want 5:\n%s", n, dead)
	}
}

// TestMalformedRowsInColumnOrderDeadLettered covers the decoder's path
// for keys written in the columns' order (each case matches the next
// column's key with one comparison): a row that goes wrong right after such
// a key is dead-lettered with the same column, key and cause as anywhere
// else, and rows that leave that order (whitespace, another key, a repeated
// key, text after the object) read as they always did.
func TestMalformedRowsInColumnOrderDeadLettered(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	sql := `CREATE SOURCE j (a BIGINT NOT NULL, s VARCHAR, t TIMESTAMP NOT NULL) WITH (connector = 'file', path = 'in.jsonl');
CREATE VIEW v AS SELECT a, s, t FROM j;
CREATE SINK o FROM v WITH (connector = 'file', path = 'o.jsonl');
`
	in := []string{
		`{"a":1,"s":"x","t":1000}`,
		`{"a":2,"s":x,"t":1000}`,
		`{"a":3,"s":"x","t":"nope"}`,
		`{"a":4,"s":"x","t":1000}x`,
		`{"a":5, "s":"y","t":1000,"t":2000}`,
		`{"a":6,"z":[1],"s" : "z","t":3000}`,
		`{"a":7,"s":"x","t":}`,
		`{"a":8,"s":"x"}`,
		`{"a":9,"s":"x","t":4000}`,
	}
	dir, bin := buildPipeline(t, sql, map[string]string{"in.jsonl": strings.Join(in, "\n") + "\n"})
	cmd := exec.Command(bin, "--base-dir", dir, "--quiet")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("job: %v\n%s", err, out)
	}
	read := func(name string) string {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		return string(data)
	}
	want := `{"a":1,"s":"x","t":"1970-01-01T00:00:01Z"}
{"a":5,"s":"y","t":"1970-01-01T00:00:02Z"}
{"a":6,"s":"z","t":"1970-01-01T00:00:03Z"}
{"a":9,"s":"x","t":"1970-01-01T00:00:04Z"}
`
	if got := read("o.jsonl"); got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
	dead := read("p.dead.jsonl")
	at := func(i int) int { return len(strings.Join(in[:i], "\n")) + 1 }
	for _, want := range []string{
		fmt.Sprintf(`"offset":%d,`, at(1)), `column 12: key \"s\": expected a string, found 'x'`,
		fmt.Sprintf(`"offset":%d,`, at(2)), `column 20: key \"t\": invalid timestamp \"nope\"`,
		fmt.Sprintf(`"offset":%d,`, at(3)), `column 25: expected the end of the line after the object, found 'x'`,
		fmt.Sprintf(`"offset":%d,`, at(6)), `column 20: key \"t\": expected a timestamp (a string or epoch milliseconds), found '}'`,
		fmt.Sprintf(`"offset":%d,`, at(7)), `missing NOT NULL column \"t\"`,
	} {
		if !strings.Contains(dead, want) {
			t.Errorf("dead letters lack %s:\n%s", want, dead)
		}
	}
	if n := strings.Count(dead, "\n"); n != 5 {
		t.Errorf("%d dead letters, want 5:\n%s", n, dead)
	}
}

// TestMalformedLongCSVRowsDeadLettered: CSV rows of 16 bytes and more, which
// csvrow splits sixteen bytes a step when they have no quotes, are decoded or
// dead-lettered at their offsets with the column and cause as shorter ones
// are: a stray quote, a quoted comma, too many and too few fields, a bad
// timestamp, an empty NOT NULL field, an empty nullable one.
func TestMalformedLongCSVRowsDeadLettered(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	sql := `CREATE SOURCE c (a BIGINT NOT NULL, s VARCHAR, t TIMESTAMP NOT NULL) WITH (connector = 'file', path = 'in.csv', format = 'csv');
CREATE VIEW v AS SELECT a, s, t FROM c;
CREATE SINK o FROM v WITH (connector = 'file', path = 'o.jsonl');
`
	in := []string{
		`1,a long enough string,1000`,
		`2,a long "quoted" string,1000`,
		`3,"a quoted, long string",2000`,
		`4,a long enough string,1000,extra`,
		`5,a long enough string,soon`,
		`6,a long enough string`,
		`7,,0000000000003000`,
		`,no number here!!,1000`,
		`9,a long enough string,4000`,
	}
	dir, bin := buildPipeline(t, sql, map[string]string{"in.csv": strings.Join(in, "\n") + "\n"})
	cmd := exec.Command(bin, "--base-dir", dir, "--quiet")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("job: %v\n%s", err, out)
	}
	read := func(name string) string {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		return string(data)
	}
	want := `{"a":1,"s":"a long enough string","t":"1970-01-01T00:00:01Z"}
{"a":3,"s":"a quoted, long string","t":"1970-01-01T00:00:02Z"}
{"a":7,"s":null,"t":"1970-01-01T00:00:03Z"}
{"a":9,"s":"a long enough string","t":"1970-01-01T00:00:04Z"}
`
	if got := read("o.jsonl"); got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
	dead := read("p.dead.jsonl")
	at := func(i int) int { return len(strings.Join(in[:i], "\n")) + 1 }
	for _, want := range []string{
		fmt.Sprintf(`"line":2,"offset":%d,"error":"column 10 (field 2): stray '\"' in an unquoted field"`, at(1)),
		fmt.Sprintf(`"line":4,"offset":%d,"error":"expected 3 fields, found 4"`, at(3)),
		fmt.Sprintf(`"line":5,"offset":%d,"error":"column \"t\": invalid timestamp \"soon\": expected YYYY-MM-DD"`, at(4)),
		fmt.Sprintf(`"line":6,"offset":%d,"error":"expected 3 fields, found 2"`, at(5)),
		fmt.Sprintf(`"line":8,"offset":%d,"error":"column \"a\" is NOT NULL but the field is empty"`, at(7)),
	} {
		if !strings.Contains(dead, want) {
			t.Errorf("dead letters lack %s:\n%s", want, dead)
		}
	}
	if n := strings.Count(dead, "\n"); n != 5 {
		t.Errorf("%d dead letters, want 5:\n%s", n, dead)
	}
}

// TestInvalidTextCountedByTheDecoder: the records of a JSON source with
// invalid UTF-8 or an escaped lone surrogate, in a column read or skipped,
// at any depth, and in records that do not decode, are counted by the
// generated decoder (the runtime no longer checks them before) as the
// check before counted them: at one decoder, at two (off the pipeline's
// goroutine) and at two workers, where the runtime still checks first.
func TestInvalidTextCountedByTheDecoder(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a job")
	}
	sql := `CREATE SOURCE j (k VARCHAR, v BIGINT NOT NULL) WITH (connector = 'file', path = 'in.jsonl');
CREATE VIEW sums AS SELECT k, SUM(v) AS s FROM j GROUP BY k;
CREATE SINK o FROM sums WITH (connector = 'file', path = 'o.jsonl');
`
	in := strings.Join([]string{
		`{"k":"a","v":1}`,
		"{\"k\":\"\xff\",\"v\":2}",               // invalid UTF-8, read
		"{\"k\":\"b\",\"v\":3,\"x\":\"\xfe\"}",   // invalid UTF-8 in a key no column has
		`{"k":"\ud800","v":4}`,                   // a lone surrogate, read
		`{"k":"c","v":5,"x":{"y":["\udc00"]}}`,   // a lone surrogate, nested and skipped
		`{"k":"\u00e9\ud83d\ude00\ufffd","v":6}`, // escapes, none lone
		"{\"k\":\"\xff\",\"v\":\"x\"}",           // malformed, with invalid UTF-8
		`{"k":"d","v":"y"}`,                      // malformed
		"{\"k\":\"\xc3\xa9\",\"v\":7}",           // UTF-8
		"{\"k\":\"e\",\"\\ud800\":1,\"v\":8}",    // a lone surrogate in a key
	}, "\n") + "\n"
	dir, bin := buildPipeline(t, sql, map[string]string{"in.jsonl": in})
	var dead0 string
	for _, flags := range [][]string{{"--workers", "1", "--decoders", "1"}, {"--workers", "1", "--decoders", "2"}, {"--workers", "2"}} {
		sum := filepath.Join(dir, "summary.json")
		cmd := exec.Command(bin, append([]string{"--base-dir", dir, "--quiet", "--summary-json", sum}, flags...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOMAXPROCS=2")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: job: %v\n%s", flags, err, out)
		}
		data, err := os.ReadFile(sum)
		if err != nil {
			t.Fatal(err)
		}
		var summary struct {
			Sources []struct {
				RowsIn    int64 `json:"rows_in"`
				Malformed int64 `json:"malformed"`
				Invalid   int64 `json:"invalid_utf8"`
			} `json:"sources"`
		}
		if err := json.Unmarshal(data, &summary); err != nil {
			t.Fatal(err)
		}
		if s := summary.Sources[0]; s.RowsIn != 10 || s.Malformed != 2 || s.Invalid != 6 {
			t.Errorf("%v: rows in %d (want 10), malformed %d (want 2), invalid text %d (want 6)", flags, s.RowsIn, s.Malformed, s.Invalid)
		}
		dead, _ := os.ReadFile(filepath.Join(dir, "p.dead.jsonl"))
		if dead0 == "" {
			dead0 = string(dead)
		} else if string(dead) != dead0 {
			t.Errorf("%v: dead letters %s, want those of one decoder, %s", flags, dead, dead0)
		}
	}
}
