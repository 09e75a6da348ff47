package kafka

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Sink writes a view's rows to a topic, one record per row. With mode =
// 'changelog' (the default) the value is the JSON object the file sink
// would write: an updating view's rows carry "_op", "+" inserting a row and
// "-" retracting one, so summing them per row gives the current table.
// With mode = 'upsert' (updating views; needs key) the topic is a table
// keyed by the view's key columns: "+" writes the row without "_op" under
// its key, "-" a tombstone (a record with no value) unless the same batch
// inserts the key again. `key` names columns (comma-separated) whose JSON
// values, as a JSON array, are each record's key, so that every change of
// one key goes to one partition, in order.
//
// Exactly-once (delivery = 'exactly-once', the default in a job with a state
// dir) is a two-phase commit with the checkpoints, as connector.EpochSink
// describes:
//
//   - The rows of a checkpoint epoch are produced inside one Kafka
//     transaction, begun at the epoch's first row.
//   - Prepare flushes them (every record acknowledged, invisible to
//     read_committed consumers) and returns the transaction's identity
//     {transactional id, producer id, producer epoch} for the checkpoint.
//   - Commit, once the checkpoint is durable, commits the transaction.
//   - Recover, given the newest checkpoint's identity, commits that
//     transaction if the job died before Commit did (an EndTxn request
//     for the recorded producer id and epoch; a transaction that completed
//     already answers with an error, which means there is nothing left to
//     do), then initializes both producers, which aborts the transaction of
//     any later, never checkpointed epoch.
//
// Transactions alternate between two transactional ids (<id>-0, <id>-1):
// so the transaction Recover commits is never the one of the epoch after
// it, whether or not the broker bumps the producer epoch per transaction
// (KIP-890). The transaction timeout must exceed the checkpoint interval
// plus the time a restart takes: a broker aborts a transaction that outlives
// it, and the rows of a checkpointed epoch aborted so are lost (Recover then
// cannot tell that apart from a committed one).
//
// At-least-once (delivery = 'at-least-once', and every run without a state
// dir) uses one idempotent producer; a checkpoint waits until every row
// before it is acknowledged, and rows after the newest checkpoint are
// written again after a crash.
type Sink struct {
	env         connector.Env
	what        string
	topic       string
	exactlyOnce bool
	txnID       string
	opts        []kgo.Opt
	upsert      bool
	debezium    bool     // mode = 'debezium': Debezium JSON change events
	key         []string // key columns; nil: records have no key
	// encode, for a format other than JSON (format = 'avro'), turns each
	// record's JSON value into the format's; nil: the JSON is the value
	encode connector.Transcoder

	prod     [2]*kgo.Client // exactly-once: one per transactional id; else prod[0]
	slot     int            // the transactional id the open or next transaction uses
	inTxn    bool           // a transaction is open (rows written since the last Commit)
	prepared bool           // Prepare ran for the open transaction
	rec      sinkRecord     // what Prepare returned for it
	timeout  time.Duration  // transaction timeout

	mu  sync.Mutex
	err error // the first failed delivery
}

// sinkRecord is the sink's recovery data in a checkpoint.
type sinkRecord struct {
	// TxnID is the transactional id of the epoch's transaction, "" when the
	// epoch wrote no rows.
	TxnID         string `json:"txn_id,omitempty"`
	ProducerID    int64  `json:"producer_id,omitempty"`
	ProducerEpoch int16  `json:"producer_epoch,omitempty"`
	// Next is the slot of the transactional id the next transaction uses.
	Next int `json:"next"`
}

const defaultTxnTimeout = 60 * time.Second

func openSink(env connector.Env, options map[string]string, exactlyOnce bool, _ string) (connector.Sink, error) {
	topic := options["topic"]
	if topic == "" {
		return nil, fmt.Errorf("kafka sink: the option topic is empty")
	}
	what := "sink " + topic
	switch strings.ToLower(options["delivery"]) {
	case "", "exactly-once", "exactly_once":
	case "at-least-once", "at_least_once":
		exactlyOnce = false
	default:
		return nil, fmt.Errorf("kafka %s: delivery must be exactly-once or at-least-once", what)
	}
	opts, err := clientOptions(env, what, options)
	if err != nil {
		return nil, err
	}
	opts = append(opts, kgo.DefaultProduceTopic(topic), kgo.ProducerLinger(5*time.Millisecond))
	s := &Sink{env: env, what: what, topic: topic, exactlyOnce: exactlyOnce, opts: opts}
	for _, k := range strings.Split(options["key"], ",") {
		if k = strings.TrimSpace(k); k != "" {
			s.key = append(s.key, k)
		}
	}
	switch strings.ToLower(options["mode"]) {
	case "", "changelog":
	case "upsert":
		if len(s.key) == 0 {
			return nil, fmt.Errorf("kafka %s: mode = 'upsert' needs the option key (the view's key columns)", what)
		}
		s.upsert = true
	case "debezium":
		s.debezium = true
	default:
		return nil, fmt.Errorf("kafka %s: mode must be changelog, upsert or debezium", what)
	}
	switch format := strings.ToLower(options["format"]); format {
	case "", "json":
	default:
		if s.debezium {
			return nil, fmt.Errorf("kafka %s: mode = 'debezium' writes JSON change events; format %s takes changelog or upsert", what, format)
		}
		if s.encode, err = connector.OpenSinkFormat(env, format, options); err != nil {
			return nil, fmt.Errorf("kafka %s: %w", what, err)
		}
	}
	if !exactlyOnce {
		s.prod[0], err = kgo.NewClient(opts...)
		if err != nil {
			return nil, fmt.Errorf("kafka %s: %w", what, err)
		}
		return s, nil
	}
	s.txnID = options["transactional_id"]
	if s.txnID == "" {
		s.txnID = "laminar-" + topic
	}
	timeout := defaultTxnTimeout
	if v := options["transaction_timeout"]; v != "" {
		if timeout, err = time.ParseDuration(v); err != nil || timeout <= 0 {
			return nil, fmt.Errorf("kafka %s: transaction_timeout %q is not a positive duration", what, v)
		}
	}
	s.timeout = timeout
	for i := range s.prod {
		if s.prod[i], err = s.txnClient(i); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *Sink) txnClient(slot int) (*kgo.Client, error) {
	cl, err := kgo.NewClient(append(s.opts, kgo.TransactionalID(s.slotID(slot)), kgo.TransactionTimeout(s.timeout))...)
	if err != nil {
		return nil, fmt.Errorf("kafka %s: %w", s.what, err)
	}
	return cl, nil
}

func (s *Sink) slotID(i int) string { return fmt.Sprintf("%s-%d", s.txnID, i) }

// Write produces one record per row of p (whole JSON lines).
func (s *Sink) Write(p []byte) error {
	if err := s.failed(); err != nil {
		return err
	}
	if len(p) == 0 {
		return nil
	}
	cl := s.prod[s.slot]
	if s.exactlyOnce && !s.inTxn {
		if err := cl.BeginTransaction(); err != nil {
			return fmt.Errorf("kafka %s: begin transaction: %w", s.what, err)
		}
		s.inTxn = true
	}
	// The job reuses p once Write returns; the records keep a copy until
	// the broker has them.
	buf := bytes.Clone(p)
	var lines [][]byte
	for len(buf) > 0 {
		line := buf
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			line, buf = buf[:i], buf[i+1:]
		} else {
			buf = nil
		}
		lines = append(lines, line)
	}
	if s.debezium {
		records, err := s.debeziumRecords(lines)
		if err != nil {
			return err
		}
		for _, r := range records {
			cl.Produce(context.Background(), r, s.delivered)
		}
		return nil
	}
	var records []*kgo.Record
	if len(s.key) == 0 {
		records = make([]*kgo.Record, len(lines))
		for i, line := range lines {
			records[i] = &kgo.Record{Value: line}
		}
	} else {
		var err error
		if records, err = s.keyed(lines); err != nil {
			return err
		}
	}
	if s.encode != nil {
		for _, r := range records {
			if r.Value == nil {
				continue // a tombstone
			}
			v, err := s.encode(nil, r.Value)
			if err != nil {
				return fmt.Errorf("kafka %s: %w", s.what, err)
			}
			r.Value = v
		}
	}
	for _, r := range records {
		cl.Produce(context.Background(), r, s.delivered)
	}
	return nil
}

// keyed makes the records of rows with a key: in upsert mode a retraction
// followed in the batch by an insertion of the same key is left out (the
// insertion overwrites it), any other retraction becomes a tombstone.
func (s *Sink) keyed(lines [][]byte) ([]*kgo.Record, error) {
	type parsed struct {
		key     []byte
		retract bool
		value   []byte
	}
	rows := make([]parsed, len(lines))
	inserted := map[string]int{} // key -> index of its last insertion
	for i, line := range lines {
		var row map[string]json.RawMessage
		if err := json.Unmarshal(line, &row); err != nil {
			return nil, fmt.Errorf("kafka %s: row %q: %w", s.what, line, err)
		}
		vals := make([]json.RawMessage, len(s.key))
		for j, k := range s.key {
			v, ok := row[k]
			if !ok {
				return nil, fmt.Errorf("kafka %s: key column %q is not a column of the view", s.what, k)
			}
			vals[j] = v
		}
		key, _ := json.Marshal(vals)
		op := string(row["_op"])
		rows[i] = parsed{key: key, retract: op == `"-"`, value: line}
		if s.upsert && op != "" {
			rows[i].value = withoutOp(line)
			if !rows[i].retract {
				inserted[string(key)] = i
			}
		}
	}
	var out []*kgo.Record
	for i, r := range rows {
		if s.upsert && r.retract {
			if j, ok := inserted[string(r.key)]; ok && j > i {
				continue // the insertion that follows replaces the row
			}
			out = append(out, &kgo.Record{Key: r.key}) // tombstone
			continue
		}
		out = append(out, &kgo.Record{Key: r.key, Value: r.value})
	}
	return out, nil
}

// debeziumRecords makes Debezium JSON change events of rows: an insertion
// {"before":null,"after":row,"op":"c"}, a retraction {"before":row,
// "after":null,"op":"d"}; with key columns, a retraction followed in the
// batch by an insertion of the same key is one update ("op":"u", before
// and after), and the record's key is the key's values as a JSON array.
func (s *Sink) debeziumRecords(lines [][]byte) ([]*kgo.Record, error) {
	type change struct {
		key           []byte
		before, after []byte
	}
	var out []change
	open := map[string]int{} // key -> its retraction in out, not yet paired
	for _, line := range lines {
		var row map[string]json.RawMessage
		if err := json.Unmarshal(line, &row); err != nil {
			return nil, fmt.Errorf("kafka %s: row %q: %w", s.what, line, err)
		}
		var key []byte
		if len(s.key) > 0 {
			vals := make([]json.RawMessage, len(s.key))
			for j, k := range s.key {
				v, ok := row[k]
				if !ok {
					return nil, fmt.Errorf("kafka %s: key column %q is not a column of the view", s.what, k)
				}
				vals[j] = v
			}
			key, _ = json.Marshal(vals)
		}
		retract := string(row["_op"]) == `"-"`
		value := withoutOp(line)
		switch {
		case retract:
			out = append(out, change{key: key, before: value})
			if key != nil {
				open[string(key)] = len(out) - 1
			}
		case key != nil:
			if i, ok := open[string(key)]; ok {
				out[i].after = value // the update of the row retracted before
				delete(open, string(key))
				continue
			}
			fallthrough
		default:
			out = append(out, change{key: key, after: value})
		}
	}
	records := make([]*kgo.Record, len(out))
	for i, c := range out {
		op := "u"
		switch {
		case c.before == nil:
			op, c.before = "c", []byte("null")
		case c.after == nil:
			op, c.after = "d", []byte("null")
		}
		v := make([]byte, 0, len(c.before)+len(c.after)+40)
		v = append(append(append(v, `{"before":`...), c.before...), `,"after":`...)
		v = append(append(append(v, c.after...), `,"op":"`...), op...)
		records[i] = &kgo.Record{Key: c.key, Value: append(v, `"}`...)}
	}
	return records, nil
}

// withoutOp removes the trailing "_op" member the job appends to an
// updating view's row: `{"a":1,"_op":"+"}` becomes `{"a":1}`.
func withoutOp(line []byte) []byte {
	for _, suffix := range []string{`,"_op":"+"}`, `,"_op":"-"}`} {
		if rest, ok := bytes.CutSuffix(line, []byte(suffix)); ok {
			return append(rest, '}')
		}
	}
	var row map[string]json.RawMessage
	if json.Unmarshal(line, &row) != nil {
		return line
	}
	delete(row, "_op")
	b, _ := json.Marshal(row)
	return b
}

func (s *Sink) delivered(_ *kgo.Record, err error) {
	if err == nil {
		return
	}
	s.mu.Lock()
	if s.err == nil {
		s.err = fmt.Errorf("kafka %s: %w", s.what, err)
	}
	s.mu.Unlock()
}

func (s *Sink) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Flush waits until the broker acknowledged every record produced so far
// (within the open transaction, still invisible to read_committed readers).
func (s *Sink) Flush() error {
	if err := s.prod[s.slot].Flush(context.Background()); err != nil {
		return fmt.Errorf("kafka %s: %w", s.what, err)
	}
	return s.failed()
}

// Recover implements connector.EpochSink.
func (s *Sink) Recover(epoch uint64, data []byte) error {
	if !s.exactlyOnce {
		return nil // at-least-once: rows after the checkpoint are written again
	}
	var rec sinkRecord
	if data != nil {
		if err := json.Unmarshal(data, &rec); err != nil || rec.Next < 0 || rec.Next > 1 {
			return fmt.Errorf("kafka %s: bad recovery data %q in checkpoint %d", s.what, data, epoch)
		}
	}
	if rec.TxnID != "" {
		if err := s.commitRecorded(epoch, rec); err != nil {
			return err
		}
	}
	// Initializing a transactional id aborts whatever transaction of it is
	// still open: the rows of epochs after the checkpoint, produced again.
	ctx := context.Background()
	for i, cl := range s.prod {
		if _, _, err := cl.ProducerID(ctx); err != nil {
			return fmt.Errorf("kafka %s: initializing transactional id %s: %w", s.what, s.slotID(i), err)
		}
	}
	s.slot = rec.Next
	return nil
}

// commitRecorded commits the transaction a checkpoint recorded, unless it
// completed already.
func (s *Sink) commitRecorded(epoch uint64, rec sinkRecord) error {
	admin, err := kgo.NewClient(s.opts...)
	if err != nil {
		return fmt.Errorf("kafka %s: %w", s.what, err)
	}
	defer admin.Close()
	req := kmsg.NewPtrEndTxnRequest()
	req.TransactionalID, req.ProducerID, req.ProducerEpoch, req.Commit = rec.TxnID, rec.ProducerID, rec.ProducerEpoch, true
	for attempt, began := 1, time.Now(); ; attempt++ {
		resp, err := req.RequestWith(context.Background(), admin)
		if err != nil {
			if time.Since(began) > 5*time.Minute {
				return fmt.Errorf("kafka %s: committing the transaction of checkpoint %d: %w", s.what, epoch, err)
			}
			s.env.Log("kafka %s: committing the transaction of checkpoint %d: %v; retrying in %v", s.what, epoch, err, backoff(attempt))
			time.Sleep(backoff(attempt))
			continue
		}
		switch err := kerr.ErrorForCode(resp.ErrorCode); {
		case err == nil:
			return nil
		case err == kerr.ConcurrentTransactions || err == kerr.CoordinatorLoadInProgress || err == kerr.NotCoordinator || err == kerr.CoordinatorNotAvailable:
			time.Sleep(backoff(attempt))
		default:
			// The transaction is no longer open with that producer epoch:
			// it was committed (by Commit, or by an earlier recovery).
			return nil
		}
	}
}

// Prepare implements connector.EpochSink: the open transaction's records
// are acknowledged; the checkpoint keeps the transaction's identity.
func (s *Sink) Prepare(epoch uint64) ([]byte, error) {
	if err := s.Flush(); err != nil {
		return nil, err
	}
	if !s.exactlyOnce {
		return nil, nil
	}
	rec := sinkRecord{Next: s.slot}
	if s.inTxn {
		id, pepoch, err := s.prod[s.slot].ProducerID(context.Background())
		if err != nil {
			return nil, fmt.Errorf("kafka %s: %w", s.what, err)
		}
		rec = sinkRecord{TxnID: s.slotID(s.slot), ProducerID: id, ProducerEpoch: pepoch, Next: 1 - s.slot}
		s.prepared, s.rec = true, rec
	}
	return json.Marshal(rec)
}

// Commit implements connector.EpochSink: the prepared transaction commits.
func (s *Sink) Commit(epoch uint64) error {
	return s.end(epoch, kgo.TryCommit)
}

// Abort implements connector.EpochSink: the prepared transaction aborts.
func (s *Sink) Abort(epoch uint64) error {
	return s.end(epoch, kgo.TryAbort)
}

func (s *Sink) end(epoch uint64, how kgo.TransactionEndTry) error {
	if !s.prepared {
		return nil
	}
	if err := s.prod[s.slot].EndTransaction(context.Background(), how); err != nil {
		if how != kgo.TryCommit {
			return fmt.Errorf("kafka %s: aborting the transaction of epoch %d: %w", s.what, epoch, err)
		}
		// The broker went away (franz-go's own retries ran out): commit
		// the prepared transaction by its recorded identity, retrying
		// with backoff, then start the transactional id afresh.
		s.env.Log("kafka %s: committing the transaction of epoch %d: %v; retrying", s.what, epoch, err)
		if err := s.commitRecorded(epoch, s.rec); err != nil {
			return err
		}
		s.prod[s.slot].Close()
		cl, err := s.txnClient(s.slot)
		if err != nil {
			return err
		}
		s.prod[s.slot] = cl
		if _, _, err := cl.ProducerID(context.Background()); err != nil {
			return fmt.Errorf("kafka %s: initializing transactional id %s: %w", s.what, s.slotID(s.slot), err)
		}
	}
	s.prepared, s.inTxn = false, false
	s.slot = 1 - s.slot
	return nil
}

// Close flushes (at-least-once) and closes the producers. An open
// transaction stays open; the next Recover aborts it.
func (s *Sink) Close() error {
	var err error
	if !s.exactlyOnce && s.prod[0] != nil {
		err = s.Flush()
	}
	for _, cl := range s.prod {
		if cl != nil {
			cl.Close()
		}
	}
	return err
}
