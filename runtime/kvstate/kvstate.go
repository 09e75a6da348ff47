// Package kvstate keeps keyed operator state in badger (with its ristretto
// block and index cache) instead of Go maps, for state larger than memory.
// Only generated code of jobs built with the badger backend imports it, so
// it is the one runtime package that links badger. Generated code passes
// keys and values already encoded (runtime/snapshot); this package sees
// only byte slices.
//
// # Writes, commits and checkpoints
//
// Put and Delete go to a pending buffer (a map per table) in front of
// badger. Commit(epoch) writes the buffer to badger in one WriteBatch at a
// new version and syncs it: only what changed since the last Commit is
// written, so Commit is the incremental checkpoint of the state. The
// checkpoint manifest records the epoch; the state itself stays in the
// store's directory.
//
// When the buffer grows past Options.PendingBytes it is spilled to badger
// at a version above the last commit, so memory stays bounded. Spilled
// writes belong to the uncommitted epoch: reads see them, Rollback removes
// them.
//
// # Versions
//
// The store runs badger in managed mode and chooses every version itself:
// a counter that only grows (one step per spill, commit or repair) and is
// recovered at Open as badger's newest version. Versions are not epoch
// numbers, because after a Rollback the next Commit may reuse an epoch
// number whose abandoned writes are still on disk, and a version can never
// be written twice. Each Commit therefore also records, under a reserved
// meta key in the same batch (last, so badger's in-order log replay makes
// it durable only after the data), which version holds that epoch. The
// newest Options.RetainCommits epochs stay restorable; older versions are
// garbage (NumVersionsToKeep = 1 and SetDiscardTs at the oldest retained
// commit), and value-log GC runs in the background after commits.
//
// # Rollback
//
// Rollback(epoch) makes the store read exactly as of the commit of epoch.
// Versions above it (spills, a commit whose checkpoint manifest never
// became visible, later retained commits) are not merely hidden by pinning
// the read timestamp, since the next commit would uncover them again: every
// key written above the epoch's version is found with a version-filtered
// iterator (badger skips tables older than the epoch) and rewritten at a
// new version with its value as of the epoch, or deleted. When nothing was
// written after the epoch this costs nothing. Open does the same for the
// newest recorded commit, so a store reopened after a crash never shows
// spilled writes; a caller that recovers an older checkpoint calls
// Rollback with its epoch. Rollback(0) empties the store (no checkpoint).
//
// A Store and its Tables are not safe for concurrent use: each worker owns
// its store (state is per key partition).
package kvstate

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
)

// Defaults for zero Options fields.
const (
	DefaultCacheBytes    = 256 << 20
	DefaultPendingBytes  = 4 << 20
	DefaultRetainCommits = 3 // as runtime/checkpoint keeps 3 checkpoints
)

// Options configure a Store. The zero value is usable.
type Options struct {
	// CacheBytes is badger's block and index cache (ristretto), split 3:1.
	CacheBytes int64
	// PendingBytes bounds the pending buffer; past it, writes spill to
	// badger before the next Commit.
	PendingBytes int64
	// RetainCommits is how many of the newest commits Rollback can return
	// to; keep it at least the number of checkpoints kept.
	RetainCommits int
	// SyncWrites makes every badger write synchronous (spills too). Commit
	// is durable either way: without it, Commit syncs once at its end.
	SyncWrites bool
	// Logger receives badger's messages (info and debug at Debug level);
	// nil means slog.Default().
	Logger *slog.Logger

	// tune adjusts badger's options; tests use it for small files.
	tune func(badger.Options) badger.Options
}

// ErrNotRestorable is returned by Rollback for an epoch the store holds no
// commit of (never committed, rolled back, or older than RetainCommits).
var ErrNotRestorable = errors.New("kvstate: epoch not restorable")

// Key layout: meta keys start with metaPrefix, table keys with tablePrefix
// followed by the length-prefixed table name, so no table's keys can be a
// prefix of another's.
const (
	metaPrefix  = 0x00
	tablePrefix = 0x01
)

// deleteMeta marks a pb.KV as a tombstone for badger's KVLoader (badger's
// bitDelete, as written by its backups).
var deleteMeta = []byte{1}

// maxPendingBatches is how many write batches a commit keeps in flight.
const maxPendingBatches = 16

// commitRecord is one retained commit: the epoch and the badger version
// holding it.
type commitRecord struct{ epoch, version uint64 }

// Store is keyed state on disk with incremental, versioned commits.
type Store struct {
	db   *badger.DB
	opts Options

	tables map[string]*Table

	version      uint64 // newest version written; the next write uses version+1
	readTs       uint64 // version reads see: the last commit, spill or repair
	reader       *badger.Txn
	commits      []commitRecord // retained commits, oldest first
	pendingBytes int64
	spillErr     error // a failed spill, returned by the next Commit

	// gcMu keeps value-log GC from running during Rollback and Close.
	gcMu   sync.Mutex
	gcKick chan struct{}
	gcStop chan struct{}
	gcDone chan struct{}
	closed bool
}

// entryOverhead approximates the memory of one buffered entry beyond its
// key and value bytes (map slot, entry struct, string header).
const entryOverhead = 80

// Open opens (or creates) a store in dir and rolls it back to its newest
// recorded commit, discarding spilled writes of an epoch that never
// committed.
func Open(dir string, opts Options) (*Store, error) {
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = DefaultCacheBytes
	}
	if opts.PendingBytes <= 0 {
		opts.PendingBytes = DefaultPendingBytes
	}
	if opts.RetainCommits <= 0 {
		opts.RetainCommits = DefaultRetainCommits
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	bopts := badger.DefaultOptions(dir).
		WithNumVersionsToKeep(1).
		WithDetectConflicts(false).
		WithSyncWrites(opts.SyncWrites).
		WithBlockCacheSize(opts.CacheBytes * 3 / 4).
		WithIndexCacheSize(opts.CacheBytes / 4).
		WithNumCompactors(2). // jobs run one worker per core; badger's 4 is too many
		WithMetricsEnabled(false).
		WithLogger(badgerLogger{opts.Logger})
	if opts.tune != nil {
		bopts = opts.tune(bopts)
	}
	if err := removeEmptyLogs(dir); err != nil {
		return nil, err
	}
	db, err := badger.OpenManaged(bopts)
	if err != nil {
		return nil, fmt.Errorf("kvstate: open %s: %w", dir, err)
	}
	s := &Store{
		db:      db,
		opts:    opts,
		tables:  make(map[string]*Table),
		version: db.MaxVersion(),
		gcKick:  make(chan struct{}, 1),
		gcStop:  make(chan struct{}),
		gcDone:  make(chan struct{}),
	}
	if s.commits, err = s.loadCommits(); err != nil {
		db.Close()
		return nil, err
	}
	var last uint64
	if n := len(s.commits); n > 0 {
		last = s.commits[n-1].epoch
	}
	if err := s.rollback(last); err != nil {
		db.Close()
		return nil, err
	}
	go s.runGC()
	return s, nil
}

// Table returns the key namespace of one operator; the same name always
// gives the same Table.
func (s *Store) Table(name string) *Table {
	if t, ok := s.tables[name]; ok {
		return t
	}
	prefix := []byte{tablePrefix}
	prefix = binary.AppendUvarint(prefix, uint64(len(name)))
	prefix = append(prefix, name...)
	t := &Table{s: s, prefix: prefix, pending: make(map[string]*pendingEntry)}
	s.tables[name] = t
	return t
}

// Commit durably writes everything put since the last Commit (or
// Rollback) as the state of epoch. Epochs must grow from commit to commit.
func (s *Store) Commit(epoch uint64) error {
	if s.closed {
		return errors.New("kvstate: commit on closed store")
	}
	if n := len(s.commits); n > 0 && epoch <= s.commits[n-1].epoch {
		return fmt.Errorf("kvstate: commit of epoch %d after epoch %d", epoch, s.commits[n-1].epoch)
	}
	if epoch == 0 {
		return errors.New("kvstate: epoch 0 is the empty state and cannot be committed")
	}
	if s.spillErr != nil {
		return s.spillErr
	}
	// A version is used once even if this write fails, so a retry never
	// writes different values at the same version.
	s.version++
	version := s.version
	w := s.db.NewKVLoader(maxPendingBatches)
	if err := s.writePending(w, version); err != nil {
		return fmt.Errorf("kvstate: commit: %w", err)
	}
	commits := append(s.commits, commitRecord{epoch, version})
	drop := max(0, len(commits)-s.opts.RetainCommits)
	for _, c := range commits[:drop] {
		if err := w.Set(&pb.KV{Key: metaKey(c.epoch), Version: version, Meta: deleteMeta}); err != nil {
			return fmt.Errorf("kvstate: commit: %w", err)
		}
	}
	// The meta record goes last: log replay is in order, so when it
	// survives a crash the data of the epoch did too.
	record := &pb.KV{Key: metaKey(epoch), Value: binary.BigEndian.AppendUint64(nil, version), Version: version}
	if err := w.Set(record); err != nil {
		return fmt.Errorf("kvstate: commit: %w", err)
	}
	if err := w.Finish(); err != nil {
		return fmt.Errorf("kvstate: commit: %w", err)
	}
	if !s.opts.SyncWrites {
		if err := s.db.Sync(); err != nil {
			return fmt.Errorf("kvstate: commit sync: %w", err)
		}
	}
	s.clearPending()
	s.commits = slices.Clone(commits[drop:])
	s.setReadTs(version)
	s.db.SetDiscardTs(s.commits[0].version)
	select {
	case s.gcKick <- struct{}{}:
	default:
	}
	return nil
}

// Rollback makes the store read exactly as of the commit of epoch and
// discards everything written after it (pending, spilled or committed
// later), so that a later Commit cannot uncover any of it. Epoch 0 is the
// empty state.
func (s *Store) Rollback(epoch uint64) error {
	if s.closed {
		return errors.New("kvstate: rollback on closed store")
	}
	s.gcMu.Lock()
	defer s.gcMu.Unlock()
	return s.rollback(epoch)
}

func (s *Store) rollback(epoch uint64) error {
	s.clearPending()
	s.spillErr = nil
	if epoch == 0 {
		if s.db.MaxVersion() > 0 {
			if err := s.db.DropAll(); err != nil {
				return fmt.Errorf("kvstate: rollback to empty: %w", err)
			}
		}
		s.commits = nil
		s.setReadTs(s.version)
		return nil
	}
	i := slices.IndexFunc(s.commits, func(c commitRecord) bool { return c.epoch == epoch })
	if i < 0 {
		return fmt.Errorf("%w: %d", ErrNotRestorable, epoch)
	}
	target := s.commits[i].version
	if s.db.MaxVersion() > target {
		if err := s.repair(epoch, target); err != nil {
			return fmt.Errorf("kvstate: rollback to epoch %d: %w", epoch, err)
		}
		// The repaired state is the epoch's state at a newer version; so
		// recorded, a later Open or Rollback to it has nothing to redo.
		s.commits[i].version = s.version
	}
	s.commits = s.commits[:i+1]
	s.setReadTs(s.version)
	s.db.SetDiscardTs(s.commits[0].version)
	return nil
}

// repair rewrites every key written above version target with its value as
// of target (or a tombstone), at a new version above all of them, and
// records that version as the one holding epoch.
func (s *Store) repair(epoch, target uint64) error {
	newest := s.db.MaxVersion()
	s.version = max(s.version, newest) + 1
	version := s.version
	scan := s.db.NewTransactionAt(newest, false)
	defer scan.Discard()
	old := s.db.NewTransactionAt(target, false)
	defer old.Discard()
	iopts := badger.DefaultIteratorOptions
	iopts.PrefetchValues = false
	iopts.AllVersions = true
	iopts.SinceTs = target // only versions above target; older tables are skipped
	it := scan.NewIterator(iopts)
	defer it.Close()

	wb := s.db.NewWriteBatchAt(version)
	defer wb.Cancel()
	var last []byte
	for it.Rewind(); it.Valid(); it.Next() {
		key := it.Item().Key()
		if last != nil && bytes.Equal(key, last) {
			continue // an older version of a key already repaired
		}
		last = it.Item().KeyCopy(nil) // the batch keeps it until Flush
		item, err := old.Get(last)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
			err = wb.DeleteAt(last, version)
		case err != nil:
		default:
			var val []byte
			if val, err = item.ValueCopy(nil); err == nil {
				err = wb.SetEntryAt(badger.NewEntry(last, val), version)
			}
		}
		if err != nil {
			return err
		}
	}
	if err := wb.Flush(); err != nil {
		return err
	}
	// The record goes in a batch of its own after the repair: a WriteBatch
	// has no order, and the record must never survive a crash without it.
	rec := s.db.NewWriteBatchAt(version)
	defer rec.Cancel()
	if err := rec.SetEntryAt(badger.NewEntry(metaKey(epoch), binary.BigEndian.AppendUint64(nil, version)), version); err != nil {
		return err
	}
	if err := rec.Flush(); err != nil {
		return err
	}
	return s.db.Sync()
}

// Close closes the store. Writes not committed are lost.
func (s *Store) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.gcStop)
	<-s.gcDone
	s.reader.Discard()
	return s.db.Close()
}

// spill writes the pending buffer at a version above the last commit and
// empties it. Rollback removes spilled writes; Commit makes them part of
// its epoch (its own version is higher).
func (s *Store) spill() error {
	s.version++
	version := s.version
	w := s.db.NewKVLoader(maxPendingBatches)
	if err := s.writePending(w, version); err != nil {
		return fmt.Errorf("kvstate: spill: %w", err)
	}
	if err := w.Finish(); err != nil {
		return fmt.Errorf("kvstate: spill: %w", err)
	}
	s.clearPending()
	s.setReadTs(version)
	return nil
}

// clearPending empties the buffer. Batches written from it hold their own
// references, so nothing is reused.
func (s *Store) clearPending() {
	for _, t := range s.tables {
		clear(t.pending)
	}
	s.pendingBytes = 0
}

// writePending sends every pending entry to w at version, in key order.
// Badger's KVLoader (unlike a WriteBatch, which goes through a map) keeps
// the order, and sorted inserts into badger's skiplist memtable are several
// times faster than random ones.
func (s *Store) writePending(w *badger.KVLoader, version uint64) error {
	tables := slices.SortedFunc(maps.Values(s.tables), func(a, b *Table) int { return bytes.Compare(a.prefix, b.prefix) })
	var keys []string
	for _, t := range tables {
		keys = slices.AppendSeq(keys[:0], maps.Keys(t.pending))
		slices.Sort(keys)
		for _, k := range keys {
			e := t.pending[k]
			kv := &pb.KV{Key: t.fullKey(nil, []byte(k)), Value: e.val, Version: version}
			if e.deleted {
				kv.Value, kv.Meta = nil, deleteMeta
			}
			if err := w.Set(kv); err != nil {
				return err
			}
		}
	}
	return nil
}

// setReadTs points reads at version with a fresh read-only transaction (a
// managed read transaction holds no resources between reads).
func (s *Store) setReadTs(version uint64) {
	if s.reader != nil {
		s.reader.Discard()
	}
	s.readTs = version
	s.reader = s.db.NewTransactionAt(version, false)
}

// loadCommits reads the retained commit records, oldest first.
func (s *Store) loadCommits() ([]commitRecord, error) {
	txn := s.db.NewTransactionAt(s.version, false)
	defer txn.Discard()
	iopts := badger.DefaultIteratorOptions
	iopts.Prefix = []byte{metaPrefix}
	it := txn.NewIterator(iopts)
	defer it.Close()
	var commits []commitRecord
	for it.Rewind(); it.Valid(); it.Next() {
		key := it.Item().Key()
		val, err := it.Item().ValueCopy(nil)
		if err != nil {
			return nil, fmt.Errorf("kvstate: read commit record: %w", err)
		}
		if len(key) != 9 || len(val) != 8 {
			return nil, fmt.Errorf("kvstate: corrupt commit record %x", key)
		}
		commits = append(commits, commitRecord{
			epoch:   binary.BigEndian.Uint64(key[1:]),
			version: binary.BigEndian.Uint64(val),
		})
	}
	return commits, nil // big-endian keys iterate in epoch order
}

func metaKey(epoch uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{metaPrefix}, epoch)
}

// runGC runs value-log GC after commits until there is nothing to rewrite.
// Small values live in the LSM tree (compaction drops their old versions
// below the discard timestamp); the value log holds only large ones.
func (s *Store) runGC() {
	defer close(s.gcDone)
	for {
		select {
		case <-s.gcStop:
			return
		case <-s.gcKick:
		}
		for {
			s.gcMu.Lock()
			err := s.db.RunValueLogGC(0.5)
			s.gcMu.Unlock()
			if err != nil {
				break // ErrNoRewrite or ErrRejected: try after the next commit
			}
			select {
			case <-s.gcStop:
				return
			default:
			}
		}
	}
}

// Table is one operator's key namespace in a Store.
type Table struct {
	s       *Store
	prefix  []byte
	pending map[string]*pendingEntry
	keyBuf  []byte // reused to build prefixed keys for reads
}

type pendingEntry struct {
	val     []byte
	deleted bool
}

func (t *Table) fullKey(dst, key []byte) []byte {
	dst = append(dst[:0], t.prefix...)
	return append(dst, key...)
}

// Get returns the value of key appended to dst[:0], as of the latest Put
// or Delete, committed or not.
func (t *Table) Get(key []byte, dst []byte) (val []byte, ok bool, err error) {
	if e := t.pending[string(key)]; e != nil {
		if e.deleted {
			return dst[:0], false, nil
		}
		return append(dst[:0], e.val...), true, nil
	}
	t.keyBuf = t.fullKey(t.keyBuf, key)
	item, err := t.s.reader.Get(t.keyBuf)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return dst[:0], false, nil
	}
	if err != nil {
		return dst[:0], false, fmt.Errorf("kvstate: get: %w", err)
	}
	val, err = item.ValueCopy(dst[:0])
	if err != nil {
		return dst[:0], false, fmt.Errorf("kvstate: get: %w", err)
	}
	return val, true, nil
}

// Put sets key to val in the pending epoch. It copies both; a key already
// pending reuses its buffer, so updating a hot key does not allocate.
func (t *Table) Put(key, val []byte) {
	t.set(key, val, false)
}

// Delete removes key in the pending epoch.
func (t *Table) Delete(key []byte) {
	t.set(key, nil, true)
}

func (t *Table) set(key, val []byte, deleted bool) {
	s := t.s
	if e := t.pending[string(key)]; e != nil {
		s.pendingBytes += int64(len(val) - len(e.val))
		e.val = append(e.val[:0], val...)
		e.deleted = deleted
		return
	}
	t.pending[string(key)] = &pendingEntry{val: bytes.Clone(val), deleted: deleted}
	s.pendingBytes += int64(len(key) + len(val) + entryOverhead)
	if s.pendingBytes > s.opts.PendingBytes && s.spillErr == nil {
		// Put cannot fail: after a failed spill the buffer stays whole in
		// memory and the next Commit returns the error.
		s.spillErr = s.spill()
	}
}

// Scan calls fn for every live key of the table, committed or pending, in
// key order. key and val are valid only during the call; fn must not
// modify the table. An error from fn stops the scan and is returned.
func (t *Table) Scan(fn func(key, val []byte) error) error {
	pendingKeys := make([]string, 0, len(t.pending))
	for k := range t.pending {
		pendingKeys = append(pendingKeys, k)
	}
	slices.Sort(pendingKeys)

	iopts := badger.DefaultIteratorOptions
	iopts.Prefix = t.prefix
	iopts.PrefetchValues = false // small values are in the LSM blocks anyway
	it := t.s.reader.NewIterator(iopts)
	defer it.Close()
	it.Rewind()

	emitPending := func(k string) error {
		e := t.pending[k]
		if e.deleted {
			return nil
		}
		return fn([]byte(k), e.val)
	}
	for it.Valid() {
		item := it.Item()
		key := item.Key()[len(t.prefix):]
		for len(pendingKeys) > 0 && pendingKeys[0] < string(key) {
			if err := emitPending(pendingKeys[0]); err != nil {
				return err
			}
			pendingKeys = pendingKeys[1:]
		}
		if len(pendingKeys) > 0 && pendingKeys[0] == string(key) {
			// The pending entry shadows the stored one.
			if err := emitPending(pendingKeys[0]); err != nil {
				return err
			}
			pendingKeys = pendingKeys[1:]
		} else if err := item.Value(func(val []byte) error { return fn(key, val) }); err != nil {
			return err
		}
		it.Next()
	}
	for _, k := range pendingKeys {
		if err := emitPending(k); err != nil {
			return err
		}
	}
	return nil
}

// badgerLogger routes badger's log lines to slog; its info and debug lines
// are routine (tables opened, compactions) and go to Debug.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, args ...any)   { b.l.Error("badger: " + fmt.Sprintf(f, args...)) }
func (b badgerLogger) Warningf(f string, args ...any) { b.l.Warn("badger: " + fmt.Sprintf(f, args...)) }
func (b badgerLogger) Infof(f string, args ...any)    { b.l.Debug("badger: " + fmt.Sprintf(f, args...)) }
func (b badgerLogger) Debugf(f string, args ...any)   { b.l.Debug("badger: " + fmt.Sprintf(f, args...)) }

// removeEmptyLogs deletes zero-length value-log and memtable files. A
// process killed right after badger created such a file leaves it empty,
// and badger then refuses to open the directory ("Open existing file ...
// Create a new file"); an empty file holds no data, so removing it loses
// nothing. Found by the SIGKILL crash tests.
func removeEmptyLogs(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".vlog") && !strings.HasSuffix(name, ".mem") {
			continue
		}
		if info, err := e.Info(); err == nil && info.Size() == 0 {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return err
			}
		}
	}
	return nil
}
