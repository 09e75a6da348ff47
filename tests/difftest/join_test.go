package difftest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

var (
	jseedFlag  = flag.Uint64("jseed", 1, "seed of the first join case; join case i uses jseed+i")
	jcasesFlag = flag.Int("jcases", 300, "number of random join cases (30 with -short)")
)

// joinBatchSizes are the input batch sizes every join case runs at: the
// result must not depend on how the inputs are cut.
var joinBatchSizes = []int{1, 7, 1024}

// lookupWorkers are the worker counts lookup join cases run on, by batch
// size: 1, 2 and 3.
var lookupWorkers = map[int]int{1: 1, 7: 2, 1024: 3}

// joinCase is a join pipeline over several sources: the shared testCase
// carries its package, query and build error; the sources carry the data.
type joinCase struct {
	*testCase
	sources []JoinSource
	inputs  map[string][]byte // source name -> JSON lines
	want    []string          // hand-written cases: the expected net rows, as FormatRow renders them
	name    string            // hand-written cases: what they check
	kind    string            // "asof", "temporal", "dedup" or "unique": a case of TestAsofDifferential, TestTemporalDifferential, TestJoinDedupDifferential or TestJoinUniqueDifferential
}

func newJoinCase(index int, seed uint64) *joinCase {
	r := rand.New(rand.NewPCG(seed, seed^0xbb67ae8584caa73b))
	c := &joinCase{testCase: &testCase{index: index, seed: seed, pkg: fmt.Sprintf("jcase%d", index)}}
	n, maxRows := 2, 150
	if r.IntN(5) == 0 {
		n, maxRows = 3, 50
	}
	c.sources = GenJoinSources(r, n, maxRows)
	c.inputs = map[string][]byte{}
	for _, s := range c.sources {
		c.inputs[s.Name] = WriteJSONL(r, s.Rows)
	}
	c.query = GenJoinQuery(r, c.sources)
	return c
}

func (c *joinCase) describe() string {
	if c.name != "" {
		return fmt.Sprintf("hand-written join case %q\n-- pipeline:\n%s\n-- DuckDB:\n%s", c.name, c.query.Pipeline, c.query.DuckSQL)
	}
	switch c.kind {
	case "asof":
		return fmt.Sprintf("ASOF case %d, seed %d (reproduce: go test -run TestAsofDifferential -aseed=%d -acases=1)\n-- pipeline:\n%s\n-- DuckDB:\n%s",
			c.index, c.seed, c.seed, c.query.Pipeline, c.query.DuckSQL)
	case "lookup":
		return fmt.Sprintf("lookup case %d, seed %d (reproduce: go test -run TestLookupDifferential -lseed=%d -lcases=1)\n-- pipeline:\n%s\n-- DuckDB:\n%s",
			c.index, c.seed, c.seed, c.query.Pipeline, c.query.DuckSQL)
	case "dedup":
		return fmt.Sprintf("join dedup case %d, seed %d (reproduce: go test -run TestJoinDedupDifferential -jdseed=%d -jdcases=1)\n-- pipeline:\n%s\n-- DuckDB:\n%s",
			c.index, c.seed, c.seed, c.query.Pipeline, c.query.DuckSQL)
	case "unique":
		return fmt.Sprintf("join unique case %d, seed %d (reproduce: go test -run TestJoinUniqueDifferential -juseed=%d -jucases=1)\n-- pipeline:\n%s\n-- DuckDB:\n%s",
			c.index, c.seed, c.seed, c.query.Pipeline, c.query.DuckSQL)
	case "temporal":
		return fmt.Sprintf("temporal case %d, seed %d (reproduce: go test -run TestTemporalDifferential -vseed=%d -vcases=1)\n-- pipeline:\n%s\n-- DuckDB:\n%s",
			c.index, c.seed, c.seed, c.query.Pipeline, c.query.DuckSQL)
	}
	return fmt.Sprintf("join case %d, seed %d (reproduce: go test -run TestJoinDifferential -jseed=%d -jcases=1)\n-- pipeline:\n%s\n-- DuckDB:\n%s",
		c.index, c.seed, c.seed, c.query.Pipeline, c.query.DuckSQL)
}

// TestJoinDifferential runs random join pipelines over two or three
// sources, each at every batch size, and compares the net result with
// DuckDB's batch answer; then the hand-written cases.
func TestJoinDifferential(t *testing.T) {
	n := *jcasesFlag
	if testing.Short() {
		n = min(n, 30)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if *keepFlag {
		if work, err = os.MkdirTemp("", "joindiff-"); err != nil {
			t.Fatal(err)
		}
		t.Logf("work directory: %s", work)
	}
	var cases []*joinCase
	for i := range n {
		cases = append(cases, newJoinCase(i, *jseedFlag+uint64(i)))
	}
	hand := handJoinCases()
	for i, c := range hand {
		c.testCase.index, c.testCase.pkg = i, fmt.Sprintf("hjcase%d", i)
	}
	all := append(append([]*joinCase{}, cases...), hand...)
	tcs := make([]*testCase, len(all))
	for i, c := range all {
		tcs[i] = c.testCase
	}
	start := time.Now()
	bin := buildJobs(t, root, work, tcs)
	t.Logf("compiled %d join pipelines and built one job binary in %v", len(all), time.Since(start).Round(time.Millisecond))

	db := openDuckDB(t)
	var failed, empty, rows, updating, outRows int
	for _, c := range all {
		name := fmt.Sprintf("join%03d_jseed%d", c.index, c.seed)
		if c.name != "" {
			name = "hand_" + strings.ReplaceAll(c.name, " ", "_")
		}
		ok := t.Run(name, func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.describe(), c.err)
			}
			nw, nout := runJoinCase(t, db, bin, filepath.Join(work, "run", c.pkg), c)
			if c.name != "" {
				return
			}
			rows += nw
			outRows += nout
			if nw == 0 {
				empty++
				if os.Getenv("DIFFTEST_EMPTY") != "" {
					t.Log("EMPTY " + c.describe())
				}
			}
			if c.query.Updating {
				updating++
			}
		})
		if !ok {
			failed++
		}
	}
	t.Logf("%d random join cases (%d updating) at batch sizes %v and %d hand-written: %d result rows compared, %d output lines read, %d cases with an empty result; %d cases failed",
		n, updating, joinBatchSizes, len(hand), rows, outRows, empty, failed)
	if n >= 50 && empty > n/4 {
		t.Errorf("%d of %d join cases have an empty result: the generator tests too little", empty, n)
	}
}

// runJoinCase loads the sources into DuckDB, runs its query, then runs the
// job at every batch size and compares. It returns the rows of DuckDB's
// result and the output lines the job wrote over all runs.
func runJoinCase(t *testing.T, db *sql.Conn, bin, dir string, c *joinCase) (int, int) {
	want, err := duckJoinResult(db, c)
	if err != nil {
		t.Fatalf("%s\n-- DuckDB: %v", c.describe(), err)
	}
	if c.want != nil {
		checkHandWant(t, c, want, "DuckDB")
	}
	total := 0
	for _, s := range c.sources {
		if !s.Table {
			total += len(s.Rows)
		}
	}
	lines := 0
	for _, bs := range joinBatchSizes {
		rdir := filepath.Join(dir, fmt.Sprintf("bs%d", bs))
		for name, data := range c.inputs {
			mustWrite(t, filepath.Join(rdir, name+".jsonl"), data)
		}
		args := []string{c.pkg, "--base-dir", rdir, "--quiet", "--progress", "never", "--batch-size", fmt.Sprint(bs),
			"--summary-json", filepath.Join(rdir, "summary.json"),
			"--late", filepath.Join(rdir, "late.jsonl"), "--dead-letter", filepath.Join(rdir, "dead.jsonl")}
		if w, ok := lookupWorkers[bs]; ok && (c.kind == "lookup" || c.kind == "asof") {
			// lookup joins split among workers, over updating views too:
			// each worker looks up (and holds) its own rows; an ASOF join
			// by an equality key splits by it, each worker reading a share
			// of both sources (one without runs on one engine)
			args = append(args, "--workers", fmt.Sprint(w))
		}
		cmd := exec.Command(bin, args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s\n-- batch size %d: the job failed: %v\n%s", c.describe(), bs, err, out)
		}
		var sum jobSummary
		data, err := os.ReadFile(filepath.Join(rdir, "summary.json"))
		if err == nil {
			err = json.Unmarshal(data, &sum)
		}
		if err != nil {
			t.Fatalf("%s\n-- batch size %d: reading the job summary: %v", c.describe(), bs, err)
		}
		if sum.RowsIn != int64(total) || sum.Malformed != 0 || sum.Late != 0 || sum.Error != "" {
			t.Errorf("%s\n-- batch size %d: job summary: %s (want %d rows in, none malformed or late)", c.describe(), bs, data, total)
		}
		out, err := os.ReadFile(filepath.Join(rdir, "out.jsonl"))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		lines += strings.Count(string(out), "\n")
		got, err := ParseLaminar(out, c.query.Columns, c.query.Updating)
		if err != nil {
			t.Fatalf("%s\n-- batch size %d: Laminar's output: %v", c.describe(), bs, err)
		}
		if c.want != nil {
			checkHandWant(t, c, got, fmt.Sprintf("Laminar at batch size %d", bs))
		}
		onlyWant, onlyGot := Diff(want, got)
		if len(onlyWant) == 0 && len(onlyGot) == 0 {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s\n-- batch size %d: DuckDB has %d rows, Laminar %d (net)\n", c.describe(), bs, want.Size(), got.Size())
		for _, part := range []struct {
			what string
			rows []ResultRow
		}{{"DuckDB", onlyWant}, {"Laminar", onlyGot}} {
			if len(part.rows) == 0 {
				continue
			}
			fmt.Fprintf(&b, "-- %d rows only in %s (first 10):\n", len(part.rows), part.what)
			for _, r := range part.rows[:min(10, len(part.rows))] {
				fmt.Fprintf(&b, "   %s\n", FormatRow(r, c.query.Columns))
			}
		}
		t.Error(b.String())
		return want.Size(), lines // the other batch sizes would repeat it
	}
	return want.Size(), lines
}

// checkHandWant compares a result with a hand-written case's expected rows.
func checkHandWant(t *testing.T, c *joinCase, got Multiset, who string) {
	t.Helper()
	var rendered []string
	for _, e := range got {
		for range e.count {
			rendered = append(rendered, FormatRow(e.row, c.query.Columns))
		}
	}
	want := append([]string{}, c.want...)
	sortStrings(want)
	sortStrings(rendered)
	if strings.Join(want, "\n") != strings.Join(rendered, "\n") {
		t.Errorf("%s\n-- %s gives\n   %s\n-- want\n   %s", c.describe(), who, strings.Join(rendered, "\n   "), strings.Join(want, "\n   "))
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// duckJoinResult loads every source into its table (ts as µs) and runs the
// case's query.
func duckJoinResult(conn *sql.Conn, c *joinCase) (Multiset, error) {
	ctx := context.Background()
	for _, s := range c.sources {
		ddl := fmt.Sprintf(`CREATE OR REPLACE TABLE %s (k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts BIGINT NOT NULL)`, s.Name)
		if _, err := conn.ExecContext(ctx, ddl); err != nil {
			return nil, err
		}
		err := conn.Raw(func(dc any) error {
			app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", s.Name)
			if err != nil {
				return err
			}
			for _, r := range s.Rows {
				if err := app.AppendRow(orNull(r.K), orNull(r.G), orNull(r.X), r.N, orNull(r.B), r.TS); err != nil {
					app.Close()
					return err
				}
			}
			return app.Close()
		})
		if err != nil {
			return nil, fmt.Errorf("loading %s: %w", s.Name, err)
		}
	}
	rows, err := conn.QueryContext(ctx, c.query.DuckSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := c.query.Columns
	out := Multiset{}
	cells := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range cells {
		ptrs[i] = &cells[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make(ResultRow, len(cols))
		for i, v := range cells {
			if row[i], err = normalize(v, cols[i].Kind); err != nil {
				return nil, fmt.Errorf("column %s: %w", cols[i].Name, err)
			}
		}
		out.add(row, 1)
	}
	return out, rows.Err()
}
