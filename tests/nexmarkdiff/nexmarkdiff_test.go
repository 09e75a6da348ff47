package nexmarkdiff

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// testEvents is how many events every query runs over.
const testEvents = 10_000

var (
	eventsOption = regexp.MustCompile(`(?i)\bevents\s*=\s*'[^']*'`)
	rateOption   = regexp.MustCompile(`(?i)\brate\s*=\s*'([^']*)'`)
	seedOption   = regexp.MustCompile(`(?i)\bseed\s*=\s*'([^']*)'`)
	blackhole    = regexp.MustCompile(`(?i)WITH\s*\(\s*connector\s*=\s*'blackhole'\s*\)`)
)

// suiteQuery is one file of benchmarks/nexmark/queries.
type suiteQuery struct {
	name, path, sql string
	unsupported     bool
}

func loadSuite(t *testing.T, root string) []suiteQuery {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(root, "benchmarks", "nexmark", "queries", "*.sql"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no queries in benchmarks/nexmark/queries (%v)", err)
	}
	var qs []suiteQuery
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		qs = append(qs, suiteQuery{
			name:        strings.TrimSuffix(filepath.Base(p), ".sql"),
			path:        p,
			sql:         string(data),
			unsupported: strings.HasPrefix(string(data), "-- unsupported:"),
		})
	}
	return qs
}

// TestNexmarkQueries runs every runnable suite query, compiled by laminarc, over
// 10,000 generated events and compares its rows with DuckDB's batch answer.
// A query marked unsupported must be rejected by laminarc check.
func TestNexmarkQueries(t *testing.T) {
	root, work, laminarc := buildLaminarc(t)
	suite := loadSuite(t, root)
	db := openDuckDB(t)
	loaded := map[[3]string]bool{} // (rate, seed, events) already in DuckDB's tables
	for _, q := range suite {
		if q.unsupported {
			t.Run(q.name, func(t *testing.T) { checkRejected(t, laminarc, q) })
			continue
		}
		// The suite's rate puts 10,000 events into 1 ms of event time, so every
		// window is the same; a slow rate spreads them over 10 s, so that
		// windows open and close while the job runs (several 10 s windows).
		for _, rateOverride := range []string{"", slowRate} {
			name := q.name
			if rateOverride != "" {
				name += "/rate=" + rateOverride
			}
			q := q
			if rateOverride != "" {
				q.sql = rateOption.ReplaceAllString(q.sql, "rate = '"+rateOverride+"'")
			}
			t.Run(name, func(t *testing.T) {
				runQuery(t, laminarc, filepath.Join(work, strings.ReplaceAll(name, "/", "_")), db, loaded, q, testEvents)
			})
		}
	}
}

// buildLaminarc builds laminarc from this checkout (root) into a temporary
// work directory.
func buildLaminarc(t *testing.T) (root, work, laminarc string) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work = t.TempDir()
	laminarc = filepath.Join(work, "laminarc")
	build := exec.Command("go", "build", "-o", laminarc, "./cmd/laminarc")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building laminarc: %v\n%s", err, out)
	}
	return root, work, laminarc
}

// slowRate is the second rate every query runs at (events per second of event time).
const slowRate = "300"

// runQuery runs q over the first events events of its generator and
// compares its rows with DuckDB's; loaded holds the (rate, seed, events)
// whose events DuckDB's tables hold.
func runQuery(t *testing.T, laminarc, dir string, db *sql.Conn, loaded map[[3]string]bool, q suiteQuery, events int64) {
	tr, ok := translations[q.name]
	if !ok {
		t.Fatalf("%s runs but has no DuckDB translation: add it to translations in translate.go", q.name)
	}
	rate, seed := generatorOptions(t, q.sql)
	key := [3]string{strconv.FormatFloat(rate, 'g', -1, 64), strconv.FormatInt(seed, 10), strconv.FormatInt(events, 10)}
	if !loaded[key] {
		clear(loaded)
		loadEvents(t, db, nexmark.Config{Events: events, Rate: rate, Seed: seed})
		loaded[key] = true
	}
	before := time.Now()
	got := runCompiled(t, laminarc, dir, q, tr.Columns, events)
	after := time.Now()
	want := duckRows(t, db, tr)
	if len(want) == 0 {
		t.Fatalf("DuckDB's answer is empty: the comparison would prove nothing")
	}
	if tr.Proc != nil {
		if problems := checkProcShape(want, got, tr.Proc, before, after); len(problems) > 0 {
			t.Errorf("processing-time rows (%d) do not fit DuckDB's %d groups:\n  %s", len(got), len(want), strings.Join(problems, "\n  "))
		} else {
			t.Logf("%d rows in processing-time windows: counts agree with DuckDB's %d groups", len(got), len(want))
		}
		return
	}
	onlyWant, onlyGot := Diff(want, got, tr.Columns)
	if len(onlyWant) == 0 && len(onlyGot) == 0 {
		t.Logf("%d rows agree", len(got))
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "DuckDB has %d rows, Laminar %d\n", len(want), len(got))
	for _, part := range []struct {
		what string
		rows []Row
	}{{"DuckDB", onlyWant}, {"Laminar", onlyGot}} {
		if len(part.rows) > 0 {
			fmt.Fprintf(&b, "%d rows only in %s (first 10):\n", len(part.rows), part.what)
			for _, r := range part.rows[:min(10, len(part.rows))] {
				fmt.Fprintf(&b, "  %s\n", FormatRow(r, tr.Columns))
			}
		}
	}
	t.Error(b.String())
}

// checkRejected makes sure that a query marked unsupported really is: if
// laminarc accepts it now, the marker (and the harness) are out of date.
func checkRejected(t *testing.T, laminarc string, q suiteQuery) {
	out, err := exec.Command(laminarc, "check", q.path).CombinedOutput()
	if err == nil {
		t.Fatalf("%s is marked unsupported, yet laminarc check accepts it: remove the marker and add a DuckDB translation\n%s", q.name, out)
	}
	if !strings.Contains(string(out), "LDB-") {
		t.Fatalf("laminarc check rejected %s without an error code:\n%s", q.name, out)
	}
}

func generatorOptions(t *testing.T, sql string) (float64, int64) {
	t.Helper()
	rate, seed := float64(nexmark.DefaultRate), int64(0)
	var err error
	if m := rateOption.FindStringSubmatch(sql); m != nil {
		if rate, err = strconv.ParseFloat(strings.ReplaceAll(m[1], "_", ""), 64); err != nil {
			t.Fatalf("rate option: %v", err)
		}
	}
	if m := seedOption.FindStringSubmatch(sql); m != nil {
		if seed, err = strconv.ParseInt(strings.ReplaceAll(m[1], "_", ""), 10, 64); err != nil {
			t.Fatalf("seed option: %v", err)
		}
	}
	return rate, seed
}

// runCompiled builds the query with its blackhole sink replaced by a file sink
// and its event count set to events, runs it, and parses its output.
func runCompiled(t *testing.T, laminarc, dir string, q suiteQuery, cols []Column, events int64) []Row {
	t.Helper()
	pipeline := eventsOption.ReplaceAllString(q.sql, fmt.Sprintf("events = '%d'", events))
	if !blackhole.MatchString(pipeline) {
		t.Fatalf("%s has no blackhole sink to replace", q.name)
	}
	pipeline = blackhole.ReplaceAllString(pipeline, "WITH (connector = 'file', path = 'out.jsonl', format = 'json')")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// the data files a query reads (q13's side_input.csv) sit next to it
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(q.path), "*.csv"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	sqlPath := filepath.Join(dir, q.name+".sql")
	if err := os.WriteFile(sqlPath, []byte(pipeline), 0o644); err != nil {
		t.Fatal(err)
	}
	job := filepath.Join(dir, "job")
	build := exec.Command(laminarc, "build", "-o", job, sqlPath)
	// the suite's Go functions (q14's count_char) are in the main module
	root, _ := filepath.Abs("../..")
	build.Env = append(os.Environ(), "LAMINAR_CACHE="+filepath.Join(dir, "jobcache"), "LAMINAR_GO_MODULE="+root)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("laminarc build: %v\n%s", err, out)
	}
	summaryPath := filepath.Join(dir, "summary.json")
	run := exec.Command(job, "--base-dir", dir, "--quiet", "--progress", "never", "--summary-json", summaryPath,
		"--dead-letter", filepath.Join(dir, "dead.jsonl"), "--late", filepath.Join(dir, "late.jsonl"))
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("the job failed: %v\n%s", err, out)
	}
	var sum struct {
		Malformed int64  `json:"malformed"`
		Late      int64  `json:"late"`
		Error     string `json:"error"`
	}
	data, err := os.ReadFile(summaryPath)
	if err == nil {
		err = json.Unmarshal(data, &sum)
	}
	if err != nil {
		t.Fatalf("reading the job summary: %v", err)
	}
	// The generator emits events in time order: nothing may be late or malformed.
	if sum.Malformed != 0 || sum.Late != 0 || sum.Error != "" {
		t.Fatalf("job summary: %s", data)
	}
	out, err := os.ReadFile(filepath.Join(dir, "out.jsonl"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	rows, err := ParseLaminar(out, cols)
	if err != nil {
		t.Fatalf("Laminar's output: %v", err)
	}
	return rows
}

func openDuckDB(t *testing.T) *sql.Conn {
	t.Helper()
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.ExecContext(context.Background(), "SET threads = 1; SET TimeZone = 'UTC'"); err != nil {
		t.Fatal(err)
	}
	// the suite's user-defined function (q14), a Go function in Laminar
	if _, err := conn.ExecContext(context.Background(), "CREATE MACRO count_char(s, c) AS (length(s) - length(replace(s, c, ''))) // length(c)"); err != nil {
		t.Fatal(err)
	}
	return conn
}

// loadEvents generates the events of cfg into DuckDB tables person, auction
// and bid (times as TIMESTAMP, plus "dateTime" in µs as dt_us).
func loadEvents(t *testing.T, conn *sql.Conn, cfg nexmark.Config) {
	t.Helper()
	ctx := context.Background()
	ddl := []string{
		`CREATE OR REPLACE TABLE person (id BIGINT, name VARCHAR, "emailAddress" VARCHAR, "creditCard" VARCHAR, city VARCHAR, state VARCHAR, "dateTime" TIMESTAMP, extra VARCHAR, dt_us BIGINT)`,
		`CREATE OR REPLACE TABLE auction (id BIGINT, "itemName" VARCHAR, description VARCHAR, "initialBid" BIGINT, reserve BIGINT, "dateTime" TIMESTAMP, expires TIMESTAMP, seller BIGINT, category BIGINT, extra VARCHAR, dt_us BIGINT)`,
		`CREATE OR REPLACE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, "dateTime" TIMESTAMP, extra VARCHAR, dt_us BIGINT)`,
	}
	for _, s := range ddl {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	g, err := nexmark.NewGenerator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := func(us int64) time.Time { return time.UnixMicro(us).UTC() }
	err = conn.Raw(func(dc any) error {
		appenders := map[string]*duckdb.Appender{}
		for _, table := range []string{"person", "auction", "bid"} {
			app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
			if err != nil {
				return err
			}
			appenders[table] = app
		}
		var ev nexmark.Event
		for g.Next(&ev) {
			var err error
			switch ev.Kind {
			case nexmark.KindPerson:
				p := &ev.Person
				err = appenders["person"].AppendRow(p.ID, p.Name, p.EmailAddress, p.CreditCard, p.City, p.State, ts(p.DateTime), p.Extra, p.DateTime)
			case nexmark.KindAuction:
				a := &ev.Auction
				err = appenders["auction"].AppendRow(a.ID, a.ItemName, a.Description, a.InitialBid, a.Reserve, ts(a.DateTime), ts(a.Expires), a.Seller, a.Category, a.Extra, a.DateTime)
			case nexmark.KindBid:
				b := &ev.Bid
				err = appenders["bid"].AppendRow(b.Auction, b.Bidder, b.Price, b.Channel, b.URL, ts(b.DateTime), b.Extra, b.DateTime)
			}
			if err != nil {
				return err
			}
		}
		for _, app := range appenders {
			if err := app.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("loading events into DuckDB: %v", err)
	}
}

func duckRows(t *testing.T, conn *sql.Conn, tr translation) []Row {
	t.Helper()
	rows, err := conn.QueryContext(context.Background(), tr.DuckSQL)
	if err != nil {
		t.Fatalf("DuckDB: %v\n%s", err, tr.DuckSQL)
	}
	defer rows.Close()
	cells := make([]any, len(tr.Columns))
	ptrs := make([]any, len(cells))
	for i := range cells {
		ptrs[i] = &cells[i]
	}
	var out []Row
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make(Row, len(cells))
		for i, v := range cells {
			if row[i], err = normalize(v, tr.Columns[i].Kind); err != nil {
				t.Fatalf("DuckDB column %s: %v", tr.Columns[i].Name, err)
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
