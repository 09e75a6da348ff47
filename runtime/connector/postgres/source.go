package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/format/jsonl"
	"github.com/laminar-sql/laminar/runtime/fsys"
)

// Source is the PostgreSQL CDC source (connector = 'postgres' in CREATE
// SOURCE): an initial snapshot of one table, then its changes through
// logical replication (pgoutput), as JSON lines with weights: an insert is
// its new row (+1), a delete its old row (-1), an update both (-1 old, +1
// new). Retracting a row needs all of its columns, so the table must have
// REPLICA IDENTITY FULL. With mode = 'append' only inserts are read.
//
// At a fresh start it creates a replication slot exporting a snapshot,
// reads the table as of that snapshot into a spool file in the state dir
// ("<state-dir>/sources/<slot>/snapshot.jsonl", fsynced, then marked
// complete), and serves the spool like a file, by offset; then it streams
// the slot from the snapshot's consistent point. Its Position is the spool
// offset during the snapshot, then the end LSN of the last transaction
// handed out completely (plus how many rows of a transaction a batch
// boundary split): a restart resumes exactly there. Only the rows of
// committed transactions are handed out. The slot is acknowledged up to a
// position only once a checkpoint holding it is durable (Committed), so the
// server keeps the WAL a restart needs. With bounded = 'true' it ends once
// it is idle and the server has sent everything up to the end of its WAL
// (all that was committed before the source went idle).
//
// What cannot be applied as a change reaches the dead-letter output, with
// its LSN as offset, rather than being dropped or applied wrongly: a
// TRUNCATE (no rows to retract), an update or delete without the old row,
// and in append mode every update and delete.
type Source struct {
	env   connector.Env
	what  string
	url   string
	table string
	slot  string
	pub   string
	dir   string // spool directory
	temp  bool   // no state dir: a temporary slot and spool

	file  *connector.FileSource // the spool, during the snapshot
	repl  *pgconn.PgConn        // replication connection, while streaming
	phase int64                 // 0 snapshot, 1 streaming
	// streaming position: last transaction handed out completely, and the
	// partly handed one
	lsn, cur  uint64
	curRows   int64
	skipUntil uint64 // on resume: transactions ending at or before are skipped
	skipCur   uint64 // on resume: the partly handed transaction ...
	skipRows  int64  // ... and how many of its rows to skip
	acked     atomic.Uint64
	bounded   bool
	updating  bool      // mode 'changelog': updates and deletes as retractions
	query     *pgx.Conn // bounded: asks how far the server has sent
	drained   bool      // bounded: at the last idle moment, everything was sent
	relations map[uint32]*pglogrepl.RelationMessage
	txn       []cdcRow // rows of the open transaction
	pending   []cdcRow // rows of committed transactions, not handed out
	lastSent  time.Time
}

type cdcRow struct {
	line   []byte
	lsn    uint64 // of the change
	end    uint64 // end LSN of its transaction
	index  int64  // in its transaction, from 1
	last   bool   // the transaction's last row
	weight int8   // +1 an insertion, -1 a retraction
	failed bool   // not a change we can apply: to the dead-letter output
}

func openSource(env connector.Env, options map[string]string, at connector.Position) (connector.Source, error) {
	table := options["table"]
	what := "source " + table
	url, err := urlOption(what, options)
	if err != nil {
		return nil, err
	}
	name := strings.NewReplacer(".", "_", `"`, "").Replace(strings.ToLower(table))
	s := &Source{env: env, what: what, url: url, table: table, slot: options["slot"], pub: options["publication"],
		relations: map[uint32]*pglogrepl.RelationMessage{}}
	if s.slot == "" {
		s.slot = "laminar_" + name
	}
	if s.pub == "" {
		s.pub = "laminar_" + name
	}
	switch strings.ToLower(options["bounded"]) {
	case "", "false":
	case "true":
		s.bounded = true
	default:
		return nil, fmt.Errorf("postgres %s: bounded must be true or false", what)
	}
	switch strings.ToLower(options["mode"]) {
	case "", "changelog":
		s.updating = true
	case "append":
	default:
		return nil, fmt.Errorf("postgres %s: mode must be changelog or append", what)
	}
	if env.StateDir == "" {
		s.temp = true
		if s.dir, err = os.MkdirTemp("", "laminar-cdc-"); err != nil {
			return nil, err
		}
	} else {
		s.dir = filepath.Join(env.StateDir, "sources", s.slot)
	}
	if err := s.open(at); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func urlOption(what string, options map[string]string) (string, error) {
	url := options["url"]
	if name := options["url_env"]; name != "" {
		v, ok := os.LookupEnv(name)
		if !ok {
			return "", fmt.Errorf("postgres %s: url_env names %s, which is not set", what, name)
		}
		url = v
	}
	if url == "" {
		return "", fmt.Errorf("postgres %s: needs the option url or url_env", what)
	}
	return url, nil
}

const snapshotName, snapshotDone = "snapshot.jsonl", "snapshot.done"

func (s *Source) open(at connector.Position) error {
	ctx := context.Background()
	if s.updating {
		if err := s.checkReplicaIdentity(ctx); err != nil {
			return err
		}
	}
	phase, resumed := at.Offsets["phase"]
	if !resumed || s.temp {
		return s.fresh(ctx)
	}
	s.phase = phase
	if phase == 0 {
		done, err := os.ReadFile(filepath.Join(s.dir, snapshotDone))
		if err != nil {
			return fmt.Errorf("postgres %s: the checkpoint is in the snapshot, but its spool %s is gone: %w", s.what, s.dir, err)
		}
		start, err := pglogrepl.ParseLSN(strings.TrimSpace(string(done)))
		if err != nil {
			return fmt.Errorf("postgres %s: %s: %w", s.what, snapshotDone, err)
		}
		s.lsn = uint64(start) // where streaming starts after the snapshot
		f, err := connector.OpenFile(filepath.Join(s.dir, snapshotName), at.Offset, at.Line)
		if err != nil {
			return err
		}
		s.file = f
		return nil
	}
	s.lsn = uint64(at.Offsets["lsn"])
	s.skipUntil, s.skipCur, s.skipRows = s.lsn, uint64(at.Offsets["cur"]), at.Offsets["rows"]
	s.cur, s.curRows = s.skipCur, s.skipRows
	s.acked.Store(s.lsn) // the checkpoint resumed from is durable
	return s.startStreaming(ctx)
}

// checkReplicaIdentity makes sure updates and deletes carry the whole old
// row, which a retraction needs: the table's REPLICA IDENTITY must be FULL.
func (s *Source) checkReplicaIdentity(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return fmt.Errorf("postgres %s: %w", s.what, err)
	}
	defer conn.Close(ctx)
	var ident string
	if err := conn.QueryRow(ctx, `SELECT relreplident::text FROM pg_class WHERE oid = $1::regclass`, s.table).Scan(&ident); err != nil {
		return fmt.Errorf("postgres %s: %w", s.what, err)
	}
	if ident != "f" {
		return fmt.Errorf("postgres %s: reading updates and deletes needs the whole old row of each: run ALTER TABLE %s REPLICA IDENTITY FULL (or read inserts only with mode = 'append')",
			s.what, quoteTable(s.table))
	}
	return nil
}

// fresh creates the slot and the publication, and spools the snapshot.
func (s *Source) fresh(ctx context.Context) error {
	if err := os.RemoveAll(s.dir); err != nil {
		return err
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return fmt.Errorf("postgres %s: %w", s.what, err)
	}
	defer conn.Close(ctx)
	if err := s.ensurePublication(ctx, conn); err != nil {
		return err
	}
	slot, err := s.createSlot(ctx, conn)
	if err != nil {
		return err
	}
	start, err := pglogrepl.ParseLSN(slot.ConsistentPoint)
	if err != nil {
		return err
	}
	// the snapshot, read in a transaction that imports the slot's one
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET TRANSACTION SNAPSHOT '`+slot.SnapshotName+`'`); err != nil {
		return fmt.Errorf("postgres %s: importing the slot's snapshot: %w", s.what, err)
	}
	f, err := os.Create(filepath.Join(s.dir, snapshotName))
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT row_to_json(t)::text FROM `+quoteTable(s.table)+` t`)
	if err != nil {
		f.Close()
		return fmt.Errorf("postgres %s: snapshot: %w", s.what, err)
	}
	var line []byte
	for rows.Next() {
		var text string
		if err := rows.Scan(&text); err != nil {
			f.Close()
			return err
		}
		line = append(append(line[:0], text...), '\n')
		if _, err := f.Write(line); err != nil {
			f.Close()
			return err
		}
	}
	if err := rows.Err(); err != nil {
		f.Close()
		return fmt.Errorf("postgres %s: snapshot: %w", s.what, err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(s.dir, snapshotDone), []byte(start.String()+"\n"), 0o644)
	}
	if err == nil {
		err = (fsys.OS{}).SyncDir(s.dir)
	}
	if err != nil {
		return err
	}
	tx.Rollback(ctx)
	s.lsn = uint64(start)
	s.file, err = connector.OpenFile(filepath.Join(s.dir, snapshotName), 0, 0)
	return err
}

// createSlot drops a slot left by a run that died before its first
// checkpoint and creates the slot anew, exporting a snapshot. A killed
// run's server process may still hold the old slot for a moment (even while
// creating it): that is waited out, up to 30 s.
func (s *Source) createSlot(ctx context.Context, conn *pgx.Conn) (pglogrepl.CreateReplicationSlotResult, error) {
	for began := time.Now(); ; {
		err := s.waitSlotFree(ctx, conn)
		if err == nil {
			_, err = conn.Exec(ctx, `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, s.slot)
		}
		if err == nil && s.repl == nil {
			s.repl, err = s.replConn(ctx)
		}
		if err == nil {
			var slot pglogrepl.CreateReplicationSlotResult
			slot, err = pglogrepl.CreateReplicationSlot(ctx, s.repl, s.slot, "pgoutput",
				pglogrepl.CreateReplicationSlotOptions{Temporary: s.temp, SnapshotAction: "EXPORT_SNAPSHOT", Mode: pglogrepl.LogicalReplication})
			if err == nil {
				return slot, nil
			}
		}
		var pgErr *pgconn.PgError
		inUse := errors.As(err, &pgErr) && (pgErr.Code == "55006" || pgErr.Code == "42710") // in use, exists
		if !inUse || time.Since(began) > 30*time.Second {
			return pglogrepl.CreateReplicationSlotResult{}, fmt.Errorf("postgres %s: replication slot %s: %w", s.what, s.slot, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ensurePublication creates the publication, or adds the table to it when
// it lacks it (a table dropped and created again leaves its publications).
func (s *Source) ensurePublication(ctx context.Context, conn *pgx.Conn) error {
	var exists, has bool
	err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = $1),
		EXISTS (SELECT 1 FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid
			WHERE p.pubname = $1 AND r.prrelid = $2::regclass)`, s.pub, s.table).Scan(&exists, &has)
	if err != nil {
		return fmt.Errorf("postgres %s: %w", s.what, err)
	}
	pub := pgx.Identifier{s.pub}.Sanitize()
	switch {
	case !exists:
		_, err = conn.Exec(ctx, `CREATE PUBLICATION `+pub+` FOR TABLE `+quoteTable(s.table))
	case !has:
		_, err = conn.Exec(ctx, `ALTER PUBLICATION `+pub+` ADD TABLE `+quoteTable(s.table))
	}
	if err != nil {
		return fmt.Errorf("postgres %s: publication %s: %w", s.what, s.pub, err)
	}
	return nil
}

// waitSlotFree waits (up to 30 s) until no connection streams the slot:
// the server notices a killed job's connection only after a moment.
func (s *Source) waitSlotFree(ctx context.Context, conn *pgx.Conn) error {
	for began := time.Now(); ; {
		var active bool
		err := conn.QueryRow(ctx, `SELECT active FROM pg_replication_slots WHERE slot_name = $1`, s.slot).Scan(&active)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !active) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("postgres %s: %w", s.what, err)
		}
		if time.Since(began) > 30*time.Second {
			return fmt.Errorf("postgres %s: replication slot %s is in use by another connection", s.what, s.slot)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Source) replConn(ctx context.Context) (*pgconn.PgConn, error) {
	url := s.url
	switch {
	case strings.Contains(url, "://") && strings.Contains(url, "?"):
		url += "&replication=database"
	case strings.Contains(url, "://"):
		url += "?replication=database"
	default:
		url += " replication=database"
	}
	c, err := pgconn.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("postgres %s: replication connection: %w", s.what, err)
	}
	return c, nil
}

// startStreaming starts the slot's stream at s.lsn.
func (s *Source) startStreaming(ctx context.Context) error {
	if s.repl == nil {
		repl, err := s.replConn(ctx)
		if err != nil {
			return err
		}
		s.repl = repl
	}
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return fmt.Errorf("postgres %s: %w", s.what, err)
	}
	if err := s.waitSlotFree(ctx, conn); err != nil {
		conn.Close(ctx)
		return err
	}
	if s.bounded {
		s.query = conn
	} else {
		conn.Close(ctx)
	}
	for began := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		err = pglogrepl.StartReplication(ctx, s.repl, s.slot, pglogrepl.LSN(s.lsn), pglogrepl.StartReplicationOptions{
			Mode:       pglogrepl.LogicalReplication,
			PluginArgs: []string{"proto_version '1'", "publication_names '" + strings.ReplaceAll(s.pub, "'", "''") + "'"},
		})
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "55006" || time.Since(began) > 30*time.Second {
			break // 55006: a killed run's server process still holds the slot
		}
	}
	if err != nil {
		return fmt.Errorf("postgres %s: starting replication of slot %s: %w", s.what, s.slot, err)
	}
	s.phase = 1
	return nil
}

// Next implements connector.Source.
func (s *Source) Next(b *connector.LineBatch, maxLines int) (bool, error) {
	if s.phase == 0 {
		more, err := s.file.Next(b, maxLines)
		if err != nil || more {
			return true, err
		}
		// the snapshot is served; its last lines are in b
		s.file.Close()
		s.file = nil
		if err := s.startStreaming(context.Background()); err != nil {
			if !s.lostConnection(err) {
				return true, err
			}
			return true, s.restream(err)
		}
		return true, nil
	}
	b.Reset()
	if len(s.pending) == 0 {
		caughtUp, err := s.receive()
		if err != nil {
			if !s.lostConnection(err) {
				return false, err
			}
			return true, s.restream(err)
		}
		if caughtUp && len(s.pending) == 0 {
			return false, nil
		}
	}
	n := 0
	for n < len(s.pending) && b.Len() < maxLines {
		r := s.pending[n]
		n++
		if r.last {
			s.lsn, s.cur, s.curRows = r.end, 0, 0
		} else {
			s.cur, s.curRows = r.end, r.index
		}
		b.Lines = append(b.Lines, r.line)
		b.Offsets = append(b.Offsets, int64(r.lsn))
		b.LineNos = append(b.LineNos, 0)
		if s.updating {
			b.Weights = append(b.Weights, r.weight)
		}
	}
	s.pending = s.pending[n:]
	return true, nil
}

// lostConnection reports whether err means the server or the network went
// away, rather than a bad message or a refusal.
func (s *Source) lostConnection(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	return s.repl == nil || s.repl.IsClosed() || pgconn.SafeToRetry(err) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.As(err, new(net.Error))
}

// restream reconnects after a lost connection, with a backoff growing to
// 5 s, reporting each attempt, and streams again from the position: what
// was received but not handed out comes again, what was handed out is
// skipped, as after a restart.
func (s *Source) restream(cause error) error {
	if s.repl != nil {
		s.repl.Close(context.Background())
		s.repl = nil
	}
	if s.query != nil {
		s.query.Close(context.Background())
		s.query = nil
	}
	s.txn, s.pending = s.txn[:0], s.pending[:0]
	s.skipUntil, s.skipCur, s.skipRows = s.lsn, s.cur, s.curRows
	wait := 100 * time.Millisecond
	for began := time.Now(); ; {
		s.env.Log("postgres %s: replication connection lost (%v); reconnecting in %v", s.what, cause, wait)
		time.Sleep(wait)
		wait = min(2*wait, 5*time.Second)
		err := s.startStreaming(context.Background())
		if err == nil {
			s.env.Log("postgres %s: replication resumed at LSN %s", s.what, pglogrepl.LSN(s.lsn))
			return nil
		}
		if s.repl != nil {
			s.repl.Close(context.Background())
			s.repl = nil
		}
		if time.Since(began) > 5*time.Minute {
			return fmt.Errorf("postgres %s: replication: %w", s.what, err)
		}
		cause = err
	}
}

// receive reads replication messages for up to 200 ms, or until a
// transaction commits; it reports whether a bounded read has caught up.
func (s *Source) receive() (bool, error) {
	deadline := time.Now().Add(200 * time.Millisecond)
	for time.Now().Before(deadline) && len(s.pending) == 0 {
		if time.Since(s.lastSent) > time.Second {
			if err := s.sendStatus(false); err != nil {
				return false, err
			}
		}
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		msg, err := s.repl.ReceiveMessage(ctx)
		cancel()
		if err != nil {
			if pgconn.Timeout(err) {
				// idle: a bounded read ends at an idle moment after one at
				// which the server had sent everything up to its WAL's end
				if s.bounded && len(s.txn) == 0 {
					if s.drained {
						return true, nil
					}
					var end, sent pglogrepl.LSN
					err := s.query.QueryRow(context.Background(), `SELECT pg_current_wal_lsn(),
						COALESCE((SELECT sent_lsn FROM pg_stat_replication WHERE pid = $1), '0/0')`, s.repl.PID()).Scan(&end, &sent)
					if err != nil {
						return false, fmt.Errorf("postgres %s: %w", s.what, err)
					}
					s.drained = sent >= end
				}
				break
			}
			return false, fmt.Errorf("postgres %s: replication: %w", s.what, err)
		}
		if cd, ok := msg.(*pgproto3.CopyData); ok && len(cd.Data) > 0 && cd.Data[0] == pglogrepl.XLogDataByteID {
			s.drained = false // data came after the check: look again
		}
		switch m := msg.(type) {
		case *pgproto3.ErrorResponse:
			return false, fmt.Errorf("postgres %s: replication: %s", s.what, m.Message)
		case *pgproto3.CopyData:
			if len(m.Data) == 0 {
				continue
			}
			switch m.Data[0] {
			case pglogrepl.PrimaryKeepaliveMessageByteID:
				k, err := pglogrepl.ParsePrimaryKeepaliveMessage(m.Data[1:])
				if err != nil {
					return false, err
				}
				if k.ReplyRequested {
					if err := s.sendStatus(false); err != nil {
						return false, err
					}
				}
			case pglogrepl.XLogDataByteID:
				x, err := pglogrepl.ParseXLogData(m.Data[1:])
				if err != nil {
					return false, err
				}
				if err := s.decode(x); err != nil {
					return false, err
				}
			}
		}
	}
	return false, nil
}

func (s *Source) sendStatus(reply bool) error {
	s.lastSent = time.Now()
	pos := pglogrepl.LSN(s.acked.Load())
	err := pglogrepl.SendStandbyStatusUpdate(context.Background(), s.repl,
		pglogrepl.StandbyStatusUpdate{WALWritePosition: pos, ReplyRequested: reply})
	if err != nil {
		return fmt.Errorf("postgres %s: replication status: %w", s.what, err)
	}
	return nil
}

// decode handles one pgoutput message.
func (s *Source) decode(x pglogrepl.XLogData) error {
	msg, err := pglogrepl.Parse(x.WALData)
	if err != nil {
		return fmt.Errorf("postgres %s: pgoutput: %w", s.what, err)
	}
	switch m := msg.(type) {
	case *pglogrepl.RelationMessage:
		s.relations[m.RelationID] = m
	case *pglogrepl.BeginMessage:
		s.txn = s.txn[:0]
	case *pglogrepl.InsertMessage:
		rel := s.relations[m.RelationID]
		if rel == nil {
			return fmt.Errorf("postgres %s: insert into unknown relation %d", s.what, m.RelationID)
		}
		s.txn = append(s.txn, cdcRow{line: tupleJSON(rel, m.Tuple, nil), lsn: uint64(x.WALStart), weight: 1})
	case *pglogrepl.UpdateMessage:
		rel := s.relations[m.RelationID]
		switch {
		case !s.updating:
			s.reject(x, "UPDATE", "mode 'append' reads inserts only")
		case rel == nil:
			return fmt.Errorf("postgres %s: update of unknown relation %d", s.what, m.RelationID)
		case m.OldTupleType != pglogrepl.UpdateMessageTupleTypeOld:
			s.reject(x, "UPDATE", "the old row is not in the WAL (the table's REPLICA IDENTITY is not FULL)")
		default:
			// an unchanged TOASTed value is not sent again: the old row has it
			s.txn = append(s.txn, cdcRow{line: tupleJSON(rel, m.OldTuple, nil), lsn: uint64(x.WALStart), weight: -1},
				cdcRow{line: tupleJSON(rel, m.NewTuple, m.OldTuple), lsn: uint64(x.WALStart), weight: 1})
		}
	case *pglogrepl.DeleteMessage:
		rel := s.relations[m.RelationID]
		switch {
		case !s.updating:
			s.reject(x, "DELETE", "mode 'append' reads inserts only")
		case rel == nil:
			return fmt.Errorf("postgres %s: delete from unknown relation %d", s.what, m.RelationID)
		case m.OldTupleType != pglogrepl.DeleteMessageTupleTypeOld:
			s.reject(x, "DELETE", "the old row is not in the WAL (the table's REPLICA IDENTITY is not FULL)")
		default:
			s.txn = append(s.txn, cdcRow{line: tupleJSON(rel, m.OldTuple, nil), lsn: uint64(x.WALStart), weight: -1})
		}
	case *pglogrepl.TruncateMessage:
		s.reject(x, "TRUNCATE", "a truncate names no rows to retract")
	case *pglogrepl.CommitMessage:
		end := uint64(m.TransactionEndLSN)
		for i := range s.txn {
			r := s.txn[i]
			r.end, r.index, r.last = end, int64(i+1), i == len(s.txn)-1
			// on resume: what a checkpoint already covers is skipped
			if end <= s.skipUntil || (end == s.skipCur && r.index <= s.skipRows) {
				continue
			}
			s.pending = append(s.pending, r)
		}
		s.txn = s.txn[:0]
		if end > s.lsn && len(s.pending) == 0 {
			s.lsn = end // a transaction without rows for us
		}
	}
	return nil
}

// reject sets a change aside for the dead-letter output: its line is the
// reason, which does not decode, and its offset the LSN.
func (s *Source) reject(x pglogrepl.XLogData, kind, why string) {
	line := fmt.Sprintf("%s of %s at LSN %s: %s", kind, s.table, x.WALStart, why)
	s.txn = append(s.txn, cdcRow{line: []byte(line), lsn: uint64(x.WALStart), weight: 1, failed: true})
}

// tupleJSON encodes a row of pgoutput's text values as a JSON object:
// numbers and booleans bare, everything else as strings. A column whose
// value was not sent (an unchanged TOASTed value) is taken from old.
func tupleJSON(rel *pglogrepl.RelationMessage, t, old *pglogrepl.TupleData) []byte {
	b := []byte{'{'}
	for i, c := range t.Columns {
		if i >= len(rel.Columns) {
			break
		}
		if i > 0 {
			b = append(b, ',')
		}
		col := rel.Columns[i]
		if c.DataType == pglogrepl.TupleDataTypeToast && old != nil && i < len(old.Columns) {
			c = old.Columns[i]
		}
		b = jsonl.AppendString(b, col.Name)
		b = append(b, ':')
		switch {
		case c.DataType == 'n':
			b = append(b, "null"...)
		case col.DataType == 16: // bool
			b = strconv.AppendBool(b, string(c.Data) == "t")
		case isNumeric(col.DataType) && isJSONNumber(c.Data):
			b = append(b, c.Data...)
		default:
			b = jsonl.AppendString(b, string(c.Data))
		}
	}
	return append(b, '}')
}

func isNumeric(oid uint32) bool {
	switch oid {
	case 20, 21, 23, 26, 700, 701, 1700: // int8, int2, int4, oid, float4, float8, numeric
		return true
	}
	return false
}

// isJSONNumber rejects NaN and Infinity, which JSON has no number for.
func isJSONNumber(b []byte) bool {
	_, err := strconv.ParseFloat(string(b), 64)
	return err == nil && !strings.ContainsAny(string(b), "NnIi")
}

// Position implements connector.Positioned.
func (s *Source) Position() connector.Position {
	if s.phase == 0 && s.file != nil {
		p := s.file.Position()
		p.Offsets = map[string]int64{"phase": 0}
		return p
	}
	return connector.Position{Offset: int64(s.lsn), Offsets: map[string]int64{
		"phase": 1, "lsn": int64(s.lsn), "cur": int64(s.cur), "rows": s.curRows}}
}

// Committed implements connector.Committer: a checkpoint holding pos is
// durable, so the slot may let go of the WAL before it.
func (s *Source) Committed(pos connector.Position) {
	if pos.Offsets["phase"] == 1 {
		s.acked.Store(uint64(pos.Offsets["lsn"]))
	}
}

// Close closes the connections; a temporary run's spool and slot go too.
func (s *Source) Close() error {
	if s.file != nil {
		s.file.Close()
	}
	if s.repl != nil {
		s.repl.Close(context.Background())
	}
	if s.query != nil {
		s.query.Close(context.Background())
	}
	if s.temp && s.dir != "" {
		os.RemoveAll(s.dir)
	}
	return nil
}

func quoteTable(table string) string {
	return pgx.Identifier(strings.Split(table, ".")).Sanitize()
}
