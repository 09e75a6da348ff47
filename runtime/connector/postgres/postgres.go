// Package postgres is the PostgreSQL sink (connector = 'postgres'): it
// writes a view's rows into an existing table, exactly-once with the job's
// checkpoints. It lives in a package of its own so that only jobs naming
// it link pgx: generated code imports it, its init registers it.
package postgres

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/fsys"
)

func init() {
	connector.Register("postgres", connector.Opener{Source: openSource, Sink: openSink})
}

// markerTable holds, per sink, the last checkpoint epoch whose rows are in
// the target table; it is written in the same transaction as those rows.
const markerTable = "laminar_sink_epochs"

// rowsPerStatement bounds the rows of one INSERT or DELETE.
const rowsPerStatement = 1000

// Sink writes rows (the JSON objects a file sink would write) to a table:
//
//   - Rows of an append-only view are INSERTed, many per statement, typed
//     by the table itself (json_populate_recordset over the table's row
//     type: a TIMESTAMP column takes the RFC 3339 text).
//   - Rows of an updating view carry "_op": the table's primary key is
//     taken as the view's key; per key the changes of an epoch net by row
//     (+1 an insertion, -1 a retraction): a row left inserted becomes an
//     upsert (INSERT ... ON CONFLICT (key) DO UPDATE), else a row left
//     retracted a DELETE by key, else nothing. Netting does not depend on
//     the order of the changes, which the workers of a job write worker by
//     worker in each round: a key's retraction and its new row may come
//     from two workers (a row moved between groups of the split key).
//
// Exactly-once (a job with a state dir): the rows of an epoch are spooled
// to "<tempDir>/epoch-<epoch>" and fsynced by Prepare; Commit, after the
// checkpoint is durable, applies them and sets this sink's epoch in
// laminar_sink_epochs in ONE transaction, skipping an epoch the marker
// already has, so that a Commit repeated by Recover after a crash does
// nothing twice. Without a state dir (or delivery = 'at-least-once') each
// batch of rows is one transaction, at once.
type Sink struct {
	env     connector.Env
	what    string
	url     string
	table   string
	sinkID  string
	tempDir string // "" when at-least-once

	conn    *pgx.Conn
	columns []string // of the table, in order
	key     []string // primary key columns; nil: none
	viewKey []string // the view's unique key (compiler's KeyOption); nil: append-only or unknown

	open    *os.File // spool of the open epoch
	openW   *bufio.Writer
	pending string // spool of the prepared epoch, until Commit
}

func openSink(env connector.Env, options map[string]string, exactlyOnce bool, tempDir string) (connector.Sink, error) {
	table := options["table"]
	what := "sink " + table
	url := options["url"]
	if name := options["url_env"]; name != "" {
		v, ok := os.LookupEnv(name)
		if !ok {
			return nil, fmt.Errorf("postgres %s: url_env names %s, which is not set", what, name)
		}
		url = v
	}
	if url == "" {
		return nil, fmt.Errorf("postgres %s: needs the option url or url_env", what)
	}
	switch strings.ToLower(options["delivery"]) {
	case "", "exactly-once", "exactly_once":
	case "at-least-once", "at_least_once":
		exactlyOnce = false
	default:
		return nil, fmt.Errorf("postgres %s: delivery must be exactly-once or at-least-once", what)
	}
	s := &Sink{env: env, what: what, url: url, table: table, sinkID: options["sink_id"]}
	if k := options[KeyOption]; k != "" {
		s.viewKey = strings.Split(k, ",")
	}
	if s.sinkID == "" {
		s.sinkID = table
	}
	if exactlyOnce {
		if err := os.MkdirAll(tempDir, 0o755); err != nil {
			return nil, err
		}
		s.tempDir = tempDir
	}
	if err := s.retry("connecting", s.connect); err != nil {
		return nil, err
	}
	return s, nil
}

// connect (re)opens the connection and reads the table's columns and
// primary key.
func (s *Sink) connect(ctx context.Context) error {
	if s.conn != nil {
		s.conn.Close(ctx)
		s.conn = nil
	}
	cfg, err := pgx.ParseConfig(s.url)
	if err != nil {
		// pgx's parse errors can quote the URL, password included
		return errBadURL
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	s.conn = conn
	rows, err := conn.Query(ctx, `SELECT a.attname FROM pg_attribute a
		WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, s.table)
	if err != nil {
		return err
	}
	s.columns, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	rows, err = conn.Query(ctx, `SELECT a.attname FROM pg_index i
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
		WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`, s.table)
	if err != nil {
		return err
	}
	s.key, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	if err := s.checkKey(); err != nil {
		return err
	}
	if s.tempDir != "" {
		_, err = conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+markerTable+` (sink_id text PRIMARY KEY, epoch bigint NOT NULL)`)
	}
	return err
}

// KeyOption is the option through which the compiler passes an updating
// view's unique key (compiler/connectors.KeyOption).
const KeyOption = "laminar.key"

// errKey is a table whose primary key does not fit the view: not
// transient, a reconnection does not cure it.
type errKey struct{ msg string }

func (e errKey) Error() string { return e.msg }

// checkKey: the rows of an updating view are upserted and deleted by the
// table's primary key, so it must hold every column of the view's unique
// key; otherwise two rows of the view could have one primary key and
// overwrite each other.
func (s *Sink) checkKey() error {
	if len(s.viewKey) == 0 {
		return nil
	}
	want := strings.Join(s.viewKey, ", ")
	if len(s.key) == 0 {
		return errKey{fmt.Sprintf("table %s has no primary key: the view's rows are upserted and deleted by one, which must hold the view's unique key (%s): ALTER TABLE %s ADD PRIMARY KEY (%s)", s.table, want, s.table, want)}
	}
	for _, c := range s.viewKey {
		if !slices.Contains(s.key, c) {
			return errKey{fmt.Sprintf("the primary key (%s) of table %s does not hold column %s of the view's unique key (%s): two rows of the view could have one primary key and overwrite each other; make the primary key (%s)", strings.Join(s.key, ", "), s.table, c, want, want)}
		}
	}
	return nil
}

var errBadURL = errors.New("the url does not parse")

// retry runs f until it succeeds, reconnecting with a backoff growing to
// 5 s after errors that a reconnection may cure (the server went away),
// reporting each; other errors (a missing table, a type mismatch) are
// returned at once. It gives up after 5 minutes.
func (s *Sink) retry(doing string, f func(ctx context.Context) error) error {
	ctx := context.Background()
	began := time.Now()
	wait := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := f(ctx)
		if err == nil {
			if attempt > 1 {
				s.env.Log("postgres %s: %s succeeded after %d attempts", s.what, doing, attempt)
			}
			return nil
		}
		if !s.transient(err) || time.Since(began) > 5*time.Minute {
			return fmt.Errorf("postgres %s: %s: %w", s.what, doing, err)
		}
		s.env.Log("postgres %s: %s: %v; reconnecting in %v", s.what, doing, err, wait)
		time.Sleep(wait)
		wait = min(2*wait, 5*time.Second)
		if cerr := s.connect(ctx); cerr != nil && !s.transient(cerr) {
			return fmt.Errorf("postgres %s: %w", s.what, cerr)
		}
	}
}

// transient reports whether err comes from the connection rather than from
// the statement: a server that is down, restarting or unreachable.
func (s *Sink) transient(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// class 08: connection exceptions; 57P01-03: admin shutdown, crash
		// shutdown, cannot connect now; 40001/40P01: retry the transaction
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P") ||
			pgErr.Code == "40001" || pgErr.Code == "40P01"
	}
	if errors.Is(err, errBadURL) {
		return false
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || s.conn == nil || s.conn.IsClosed()
}

// Write takes rows of one batch: spooled for their epoch (exactly-once) or
// applied in a transaction of their own.
func (s *Sink) Write(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	if s.tempDir == "" {
		return s.retry("writing rows", func(ctx context.Context) error {
			return s.apply(ctx, bytes.NewReader(p), 0)
		})
	}
	if s.open == nil {
		f, err := os.OpenFile(filepath.Join(s.tempDir, "epoch-open"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		s.open, s.openW = f, bufio.NewWriterSize(f, 1<<20)
	}
	_, err := s.openW.Write(p)
	return err
}

// Flush writes the spool's buffer to its file (not yet durable).
func (s *Sink) Flush() error {
	if s.openW == nil {
		return nil
	}
	return s.openW.Flush()
}

func (s *Sink) epochPath(epoch uint64) string {
	return filepath.Join(s.tempDir, fmt.Sprintf("epoch-%020d", epoch))
}

// Prepare implements connector.EpochSink: the open epoch's spool is
// fsynced and named for the epoch.
func (s *Sink) Prepare(epoch uint64) ([]byte, error) {
	if s.tempDir == "" {
		return nil, nil
	}
	if s.open != nil {
		err := s.openW.Flush()
		if err == nil {
			err = s.open.Sync()
		}
		if cerr := s.open.Close(); err == nil {
			err = cerr
		}
		s.open, s.openW = nil, nil
		if err == nil {
			err = os.Rename(filepath.Join(s.tempDir, "epoch-open"), s.epochPath(epoch))
		}
		if err == nil {
			err = (fsys.OS{}).SyncDir(s.tempDir)
		}
		if err != nil {
			return nil, err
		}
		s.pending = s.epochPath(epoch)
	}
	return []byte("{}"), nil
}

// Commit implements connector.EpochSink: the prepared epoch's rows and the
// marker go in in one transaction.
func (s *Sink) Commit(epoch uint64) error {
	if s.pending == "" {
		return nil
	}
	err := s.retry(fmt.Sprintf("committing epoch %d", epoch), func(ctx context.Context) error {
		f, err := os.Open(s.pending)
		if err != nil {
			return err
		}
		defer f.Close()
		return s.apply(ctx, f, epoch)
	})
	if err != nil {
		return err
	}
	if err := os.Remove(s.pending); err != nil {
		return err
	}
	s.pending = ""
	return nil
}

// Abort implements connector.EpochSink: the prepared epoch's spool goes.
func (s *Sink) Abort(epoch uint64) error {
	if s.pending == "" {
		return nil
	}
	p := s.pending
	s.pending = ""
	return os.Remove(p)
}

// Recover implements connector.EpochSink: a spooled epoch of the
// checkpoint is committed (unless the marker has it already); spools of
// later epochs are dropped, their rows come again. Without a checkpoint,
// the sink's marker is reset (the table's rows stay).
func (s *Sink) Recover(epoch uint64, data []byte) error {
	if s.tempDir == "" {
		return nil
	}
	entries, err := os.ReadDir(s.tempDir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		digits, ok := strings.CutPrefix(e.Name(), "epoch-")
		if !ok {
			continue
		}
		if n, err := strconv.ParseUint(digits, 10, 64); err == nil && n == epoch && data != nil {
			s.pending = filepath.Join(s.tempDir, e.Name())
			continue
		}
		if err := os.Remove(filepath.Join(s.tempDir, e.Name())); err != nil {
			return err
		}
	}
	if data == nil {
		return s.retry("resetting the epoch marker", func(ctx context.Context) error {
			_, err := s.conn.Exec(ctx, `DELETE FROM `+markerTable+` WHERE sink_id = $1`, s.sinkID)
			return err
		})
	}
	return s.Commit(epoch)
}

// Close releases the spool and the connection; uncommitted rows stay in
// the spool for the next Recover.
func (s *Sink) Close() error {
	var err error
	if s.open != nil {
		err = s.openW.Flush()
		s.open.Close()
		s.open = nil
	}
	if s.conn != nil {
		s.conn.Close(context.Background())
		s.conn = nil
	}
	return err
}

// change is the last change of one key in a batch: its row, and whether
// the row is deleted.
type change struct {
	rows []netRow // the key's rows changed in the epoch, in first-change order
}

// netRow is a row of a key and its net weight over an epoch's changes.
type netRow struct {
	text string // the row as canonical JSON (keys sorted), its identity
	row  map[string]json.RawMessage
	net  int
}

// add nets a change of row (weight +1 or -1) into the key's rows.
func (c *change) add(row map[string]json.RawMessage, w int) error {
	text, err := json.Marshal(row)
	if err != nil {
		return err
	}
	for i := range c.rows {
		if c.rows[i].text == string(text) {
			c.rows[i].net += w
			return nil
		}
	}
	c.rows = append(c.rows, netRow{text: string(text), row: row, net: w})
	return nil
}

// result is the key's row left inserted (upsert), or else whether one is
// left retracted (delete).
func (c *change) result() (upsert map[string]json.RawMessage, deleted bool) {
	for _, r := range c.rows {
		if r.net > 0 {
			upsert = r.row
		}
		deleted = deleted || r.net < 0
	}
	return upsert, deleted
}

// apply writes the rows in r (JSON lines) in one transaction; epoch > 0
// also moves the marker to it, or does nothing if the marker has it.
func (s *Sink) apply(ctx context.Context, r io.Reader, epoch uint64) error {
	tx, err := s.conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if epoch > 0 {
		var have int64
		err := tx.QueryRow(ctx, `SELECT epoch FROM `+markerTable+` WHERE sink_id = $1 FOR UPDATE`, s.sinkID).Scan(&have)
		if err == nil && uint64(have) >= epoch {
			return nil // committed before the crash
		}
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
	}
	var inserts []map[string]json.RawMessage
	changes := map[string]*change{}
	var order []string // keys in first-change order, for determinism
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), connector.MaxLineBytes)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var row map[string]json.RawMessage
		if err := json.Unmarshal(line, &row); err != nil {
			return fmt.Errorf("row %q: %w", line, err)
		}
		op, updating := row["_op"]
		if !updating {
			inserts = append(inserts, row)
			continue
		}
		delete(row, "_op")
		if len(s.key) == 0 {
			return fmt.Errorf("table %s has no primary key: an updating view's rows need one (the view's group key)", s.table)
		}
		k := keyOf(row, s.key)
		c := changes[k]
		if c == nil {
			c = &change{}
			changes[k] = c
			order = append(order, k)
		}
		w := 1
		if string(op) == `"-"` {
			w = -1
		}
		if err := c.add(row, w); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	var upserts, deletes []map[string]json.RawMessage
	for _, k := range order {
		switch row, deleted := changes[k].result(); {
		case row != nil:
			upserts = append(upserts, row)
		case deleted:
			deletes = append(deletes, changes[k].rows[0].row)
		}
	}
	if err := s.run(ctx, tx, deletes, func([]string) string { return s.deleteSQL() }); err != nil {
		return err
	}
	if err := s.run(ctx, tx, inserts, func(cols []string) string { return s.insertSQL(cols, false) }); err != nil {
		return err
	}
	if err := s.run(ctx, tx, upserts, func(cols []string) string { return s.insertSQL(cols, true) }); err != nil {
		return err
	}
	if epoch > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO `+markerTable+` (sink_id, epoch) VALUES ($1, $2)
			ON CONFLICT (sink_id) DO UPDATE SET epoch = EXCLUDED.epoch`, s.sinkID, int64(epoch)); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

func keyOf(row map[string]json.RawMessage, key []string) string {
	var b strings.Builder
	for _, k := range key {
		b.Write(row[k])
		b.WriteByte(0)
	}
	return b.String()
}

// run executes the statement made for the rows' columns (the table's
// columns the rows have) over the rows, rowsPerStatement at a time, passing
// them as one JSON array.
func (s *Sink) run(ctx context.Context, tx pgx.Tx, rows []map[string]json.RawMessage, stmt func(cols []string) string) error {
	if len(rows) == 0 {
		return nil
	}
	var cols []string
	for _, c := range s.columns {
		if _, ok := rows[0][c]; ok {
			cols = append(cols, c)
		}
	}
	if len(cols) == 0 {
		return fmt.Errorf("table %s has none of the row's columns", s.table)
	}
	for len(rows) > 0 {
		n := min(len(rows), rowsPerStatement)
		arr, err := json.Marshal(rows[:n])
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, stmt(cols), string(arr)); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

func columnList(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = pgx.Identifier{c}.Sanitize()
	}
	return strings.Join(out, ", ")
}

// tableName is the table quoted for SQL; "schema.table" names a schema.
func (s *Sink) tableName() string {
	return pgx.Identifier(strings.Split(s.table, ".")).Sanitize()
}

// insertSQL inserts the rows of a JSON array, typed by the table's row type;
// with upsert, a row whose key is there replaces it.
func (s *Sink) insertSQL(cols []string, upsert bool) string {
	t := s.tableName()
	stmt := `INSERT INTO ` + t + ` (` + columnList(cols) + `) SELECT ` + columnList(cols) +
		` FROM json_populate_recordset(NULL::` + t + `, $1::json)`
	if upsert {
		var keys, sets []string
		for _, k := range s.key {
			keys = append(keys, pgx.Identifier{k}.Sanitize())
		}
		for _, c := range cols {
			if !slices.Contains(s.key, c) {
				id := pgx.Identifier{c}.Sanitize()
				sets = append(sets, id+" = EXCLUDED."+id)
			}
		}
		stmt += ` ON CONFLICT (` + strings.Join(keys, ", ") + `) DO `
		if len(sets) == 0 {
			stmt += `NOTHING`
		} else {
			stmt += `UPDATE SET ` + strings.Join(sets, ", ")
		}
	}
	return stmt
}

// deleteSQL deletes the rows whose key is in a JSON array.
func (s *Sink) deleteSQL() string {
	t := s.tableName()
	var conds []string
	for _, k := range s.key {
		id := pgx.Identifier{k}.Sanitize()
		conds = append(conds, "t."+id+" = d."+id)
	}
	return `DELETE FROM ` + t + ` AS t USING json_populate_recordset(NULL::` + t + `, $1::json) AS d WHERE ` + strings.Join(conds, " AND ")
}
