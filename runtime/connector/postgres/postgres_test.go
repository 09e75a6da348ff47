package postgres

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/laminar-sql/laminar/runtime/connector"
)

// TestURLEnv names the server the tests use; .ci/run starts one.
const TestURLEnv = "LAMINAR_TEST_PG"

// testURL is the test server's URL. Without one the tests skip, loudly,
// unless CI is set: there a missing server is a failure.
func testURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv(TestURLEnv)
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set under CI: .ci/run starts a PostgreSQL server and sets it", TestURLEnv)
		}
		t.Skipf("SKIPPED: no PostgreSQL server: set %s=postgres://... (see .ci/run) to run the PostgreSQL sink tests", TestURLEnv)
	}
	return url
}

func exec(t *testing.T, url string, sql string, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func tableRows(t *testing.T, url, query string) string {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.TrimSuffix(fmt.Sprintln(vals...), "\n"))
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	return strings.Join(out, "; ")
}

func open(t *testing.T, url, table, tempDir string) *Sink {
	t.Helper()
	s, err := openSink(connector.Env{Logf: t.Logf}, map[string]string{"url": url, "table": table}, tempDir != "", tempDir)
	if err != nil {
		t.Fatal(err)
	}
	return s.(*Sink)
}

func TestAppendExactlyOnce(t *testing.T) {
	url := testURL(t)
	exec(t, url, `DROP TABLE IF EXISTS t_append; CREATE TABLE t_append (id serial, sym text, n bigint, ts timestamp)`)
	dir := t.TempDir()
	s := open(t, url, "t_append", dir)
	if err := s.Recover(0, nil); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Write([]byte(`{"sym":"a","n":1,"ts":"2024-01-01T00:00:00Z"}` + "\n" + `{"sym":"b","n":2,"ts":"2024-01-01T00:01:00.5Z"}` + "\n")))
	data, err := s.Prepare(1)
	must(err)
	if got := tableRows(t, url, `SELECT count(*) FROM t_append`); got != "0" {
		t.Fatalf("rows visible before commit: %s", got)
	}
	must(s.Commit(1))
	must(s.Write([]byte(`{"sym":"c","n":3,"ts":"2024-01-01T00:02:00Z"}` + "\n")))
	data, err = s.Prepare(2)
	must(err)
	// the job dies after checkpoint 2, before Commit(2): recovery commits
	// it, a second recovery does not repeat it
	s.Close()
	for range 2 {
		s = open(t, url, "t_append", dir)
		must(s.Recover(2, data))
		s.Close()
	}
	// rows of an epoch never checkpointed are dropped
	s = open(t, url, "t_append", dir)
	must(s.Recover(2, data))
	must(s.Write([]byte(`{"sym":"lost","n":9,"ts":"2024-01-01T00:03:00Z"}` + "\n")))
	must(s.Flush())
	s.Close()
	s = open(t, url, "t_append", dir)
	defer s.Close()
	must(s.Recover(2, data))
	want := "a 1 2024-01-01 00:00:00 +0000 UTC; b 2 2024-01-01 00:01:00.5 +0000 UTC; c 3 2024-01-01 00:02:00 +0000 UTC"
	if got := tableRows(t, url, `SELECT sym, n, ts FROM t_append ORDER BY sym`); got != want {
		t.Fatalf("table holds %s\nwant %s", got, want)
	}
	if got := tableRows(t, url, `SELECT epoch FROM laminar_sink_epochs WHERE sink_id = 't_append'`); got != "2" {
		t.Fatalf("marker %s, want 2", got)
	}
}

func TestUpdatingUpsertsAndDeletes(t *testing.T) {
	url := testURL(t)
	exec(t, url, `DROP TABLE IF EXISTS t_counts; CREATE TABLE t_counts (sym text PRIMARY KEY, n bigint, high double precision)`)
	s := open(t, url, "t_counts", t.TempDir())
	defer s.Close()
	if err := s.Recover(0, nil); err != nil {
		t.Fatal(err)
	}
	epochs := []string{
		`{"sym":"a","n":1,"high":1.5,"_op":"+"}` + "\n" + `{"sym":"b","n":1,"high":2,"_op":"+"}` + "\n",
		`{"sym":"a","n":1,"high":1.5,"_op":"-"}` + "\n" + `{"sym":"a","n":2,"high":3,"_op":"+"}` + "\n" +
			`{"sym":"b","n":1,"high":2,"_op":"-"}` + "\n" + `{"sym":"c","n":1,"high":null,"_op":"+"}` + "\n",
	}
	for i, rows := range epochs {
		if err := s.Write([]byte(rows)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Prepare(uint64(i + 1)); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(uint64(i + 1)); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := tableRows(t, url, `SELECT sym, n, high FROM t_counts ORDER BY sym`), "a 2 3; c 1 <nil>"; got != want {
		t.Fatalf("table holds %s, want %s", got, want)
	}
}

// TestServerGoesAway: the sink's connection is killed by the server; the
// next commit reconnects (reporting it) and the rows arrive once.
func TestServerGoesAway(t *testing.T) {
	url := testURL(t)
	exec(t, url, `DROP TABLE IF EXISTS t_away; CREATE TABLE t_away (n bigint)`)
	var logged []string
	s, err := openSink(connector.Env{Logf: func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }},
		map[string]string{"url": url, "table": "t_away"}, true, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sink := s.(*Sink)
	defer sink.Close()
	if err := sink.Recover(0, nil); err != nil {
		t.Fatal(err)
	}
	exec(t, url, `SELECT pg_terminate_backend($1)`, sink.conn.PgConn().PID())
	time.Sleep(50 * time.Millisecond)
	if err := sink.Write([]byte("{\"n\":1}\n{\"n\":2}\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := sink.Prepare(1); err != nil {
		t.Fatal(err)
	}
	if err := sink.Commit(1); err != nil {
		t.Fatal(err)
	}
	if got := tableRows(t, url, `SELECT n FROM t_away ORDER BY n`); got != "1; 2" {
		t.Fatalf("table holds %s", got)
	}
	if len(logged) == 0 || !strings.Contains(strings.Join(logged, "\n"), "reconnecting") {
		t.Fatalf("the lost connection was not reported: %q", logged)
	}
}

func TestURLIsNotQuoted(t *testing.T) {
	_, err := openSink(connector.Env{}, map[string]string{"url": "postgres://u:hunter2@[bad", "table": "t"}, false, "")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %v", err)
	}
}

// TestViewKeyMatchesPrimaryKey: an updating view's rows are upserted by the
// table's primary key, which must hold the view's unique key; a table
// without one, or with another, is refused when the sink opens.
func TestViewKeyMatchesPrimaryKey(t *testing.T) {
	url := testURL(t)
	exec(t, url, `DROP TABLE IF EXISTS t_vk; CREATE TABLE t_vk (g text, h text, n bigint, PRIMARY KEY (h, g))`)
	openKey := func(key string) error {
		s, err := openSink(connector.Env{Logf: t.Logf}, map[string]string{"url": url, "table": "t_vk", KeyOption: key}, false, "")
		if err == nil {
			s.Close()
		}
		return err
	}
	for _, ok := range []string{"g,h", "h", ""} { // a primary key holding the view's key is one too
		if err := openKey(ok); err != nil {
			t.Errorf("view key %q: %v", ok, err)
		}
	}
	err := openKey("g,n")
	if err == nil || !strings.Contains(err.Error(), "the primary key (h, g) of table t_vk does not hold column n of the view's unique key (g, n)") {
		t.Errorf("view key g,n: %v", err)
	}
	exec(t, url, `DROP TABLE IF EXISTS t_vk; CREATE TABLE t_vk (g text, n bigint)`)
	if err := openKey("g"); err == nil || !strings.Contains(err.Error(), "table t_vk has no primary key") || !strings.Contains(err.Error(), "ADD PRIMARY KEY (g)") {
		t.Errorf("no primary key: %v", err)
	}
}
