package postgres

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/laminar-sql/laminar/runtime/connector"
)

func cdcDrain(t *testing.T, s connector.Source, max int) (lines []string, more bool) {
	t.Helper()
	var b connector.LineBatch
	for len(lines) < max {
		more, err := s.Next(&b, 3)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range b.Lines {
			w := "+"
			if b.RowWeight([]int32{int32(i)}, 0) < 0 {
				w = "-"
			}
			lines = append(lines, w+string(l))
		}
		if !more {
			return lines, false
		}
	}
	return lines, true
}

var lsnRE = regexp.MustCompile(`LSN [0-9A-F]+/[0-9A-F]+`)

func openCDC(t *testing.T, url, mode, stateDir string, at connector.Position) connector.Source {
	t.Helper()
	s, err := openSource(connector.Env{StateDir: stateDir, Logf: t.Logf},
		map[string]string{"url": url, "table": "cdc_in", "bounded": "true", "mode": mode}, at)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCDCSnapshotThenChanges: the snapshot's rows, then the changes
// committed after it, each once across a restart at every position: an
// update as the old row retracted and the new one inserted, a delete as the
// old row retracted; an aborted insert is not seen.
func TestCDCSnapshotThenChanges(t *testing.T) {
	testCDC(t, "changelog", func(want []string) bool {
		return len(want) == 17 && want[12] == `-{"id":1,"sym":"s1","px":1.5,"ts":"2024-01-01 00:00:01","ok":false}` &&
			want[13] == `+{"id":1,"sym":"s1","px":0,"ts":"2024-01-01 00:00:01","ok":false}` &&
			strings.HasPrefix(want[14], `-{"id":2,`) && strings.HasPrefix(want[15], `-{"id":3,`) && strings.HasPrefix(want[16], `+{"id":30,`)
	})
}

// TestCDCAppendMode: with mode = 'append' updates and deletes go to the
// dead letters (lines that do not decode, naming the change and its LSN).
func TestCDCAppendMode(t *testing.T) {
	testCDC(t, "append", func(want []string) bool {
		return len(want) == 15 && strings.HasPrefix(want[12], "+UPDATE of cdc_in at LSN _: mode 'append'") &&
			strings.HasPrefix(want[13], "+DELETE of cdc_in") && strings.HasPrefix(want[14], "+UPDATE of cdc_in")
	})
}

// TestCDCNeedsReplicaIdentityFull: reading updates of a table whose old
// rows are not in the WAL is refused at start, naming the fix.
func TestCDCNeedsReplicaIdentityFull(t *testing.T) {
	url := testURL(t)
	exec(t, url, `DROP TABLE IF EXISTS cdc_ident; CREATE TABLE cdc_ident (id bigint PRIMARY KEY)`)
	_, err := openSource(connector.Env{StateDir: t.TempDir(), Logf: t.Logf}, map[string]string{"url": url, "table": "cdc_ident"}, connector.Position{})
	if err == nil || !strings.Contains(err.Error(), `ALTER TABLE "cdc_ident" REPLICA IDENTITY FULL`) {
		t.Fatalf("got %v", err)
	}
}

func testCDC(t *testing.T, mode string, ok func([]string) bool) {
	url := testURL(t)
	want := cdcRun(t, url, mode, 1000, false)
	if !ok(want) || !strings.Contains(want[0], `+{"id":1,`) {
		t.Fatalf("read %d lines:\n%s", len(want), strings.Join(want, "\n"))
	}
	if got := want[7]; got != `+{"id":8,"sym":"it's \"8\"","px":"NaN","ts":"2024-01-02 00:00:00.25","ok":null}` {
		t.Fatalf("streamed row %s", got)
	}
	// the same history read a few lines at a time, the source reopened at
	// its position after each read, as after a crash
	for _, step := range []int{1, 2, 5} {
		if got := cdcRun(t, url, mode, step, false); !slices.Equal(got, want) {
			t.Fatalf("reopened every %d lines:\n%s\nwant\n%s", step, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	// the server ends the replication connection every 2 lines once it
	// streams: the source reconnects and goes on where it was
	if got := cdcRun(t, url, mode, 2, true); !slices.Equal(got, want) {
		t.Fatalf("with lost connections:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// cdcRun sets the table up, opens the source, commits more changes, and
// reads everything, reopening the source at its position every `step`
// lines.
func cdcRun(t *testing.T, url, mode string, step int, terminate bool) []string {
	for i := 0; i < 100; i++ { // the last run's walsender exits in a moment
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		var active bool
		err = conn.QueryRow(context.Background(), `SELECT active FROM pg_replication_slots WHERE slot_name = 'laminar_cdc_in'`).Scan(&active)
		conn.Close(context.Background())
		if err != nil || !active {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	exec(t, url, `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'laminar_cdc_in';
		DROP PUBLICATION IF EXISTS laminar_cdc_in; DROP TABLE IF EXISTS cdc_in;
		CREATE TABLE cdc_in (id bigint PRIMARY KEY, sym text, px double precision, ts timestamp, ok boolean);
		ALTER TABLE cdc_in REPLICA IDENTITY FULL;
		INSERT INTO cdc_in SELECT g, 's' || g, g * 1.5, '2024-01-01'::timestamp + g * interval '1 second', g % 2 = 0 FROM generate_series(1, 7) g`)
	dir := t.TempDir()
	src := openCDC(t, url, mode, dir, connector.Position{})
	created := tableRows(t, url, `SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'laminar_cdc_in'`)
	// committed after the slot exists: streamed, not in the snapshot
	exec(t, url, `INSERT INTO cdc_in VALUES (8, 'it''s "8"', 'NaN', '2024-01-02 00:00:00.25', NULL)`)
	exec(t, url, `BEGIN; INSERT INTO cdc_in VALUES (100, 'aborted', 0, NULL, NULL); ROLLBACK`)
	exec(t, url, `INSERT INTO cdc_in SELECT g, 's' || g, g, NULL, true FROM generate_series(9, 12) g`)
	exec(t, url, `UPDATE cdc_in SET px = 0 WHERE id = 1`)
	exec(t, url, `BEGIN; DELETE FROM cdc_in WHERE id = 2; UPDATE cdc_in SET id = 30 WHERE id = 3; COMMIT`)

	var all []string
	for {
		lines, more := cdcDrain(t, src, step)
		for _, l := range lines { // LSNs differ between runs
			all = append(all, lsnRE.ReplaceAllString(l, "LSN _"))
		}
		if cdc := src.(*Source); terminate && more && cdc.repl != nil {
			exec(t, url, `SELECT pg_terminate_backend($1)`, cdc.repl.PID())
			continue
		}
		pos := src.(connector.Positioned).Position()
		src.Close()
		if !more {
			if step == 1 && !terminate {
				// reopened at durable positions in the stream: the slot was
				// acknowledged past where it was created
				ahead := tableRows(t, url, `SELECT confirmed_flush_lsn > '`+created+`' FROM pg_replication_slots WHERE slot_name = 'laminar_cdc_in'`)
				if ahead != "true" {
					t.Errorf("the slot's confirmed flush position did not move from %s", created)
				}
			}
			return all
		}
		if len(all) > 100 {
			t.Fatalf("runaway: %d lines", len(all))
		}
		src = openCDC(t, url, mode, dir, pos)
		src.(connector.Committer).Committed(pos) // the checkpoint holding pos is durable
	}
}
