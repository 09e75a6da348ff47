// Package wal is the write-ahead log for input that cannot be replayed from its
// origin (stdin, rows pushed by an embedding program). Records are appended
// and made durable by policy before they are processed; after a crash the job
// replays the log from the Position its last checkpoint recorded.
//
// # Files
//
// A log is a directory of segment files named by a 64-bit sequence number in 16
// lower-case hex digits, "0000000000000001.wal", "0000000000000002.wal", ...
// (names sort in order). Sequence numbers start at 1 and have no gaps; other
// files in the directory are ignored. All integers are little-endian.
//
// Segment header, 24 bytes:
//
//	bytes  0..7   magic "LAMINWAL"
//	bytes  8..11  format version, uint32 (1)
//	bytes 12..19  segment sequence number, uint64 (must match the file name)
//	bytes 20..23  CRC32C (Castagnoli) of bytes 0..19
//
// Then records, back to back, from offset 24 to the end of the file:
//
//	bytes 0..3    payload length n, uint32, 1 <= n <= MaxRecordSize
//	bytes 4..7    CRC32C of (sequence number as 8 bytes || bytes 0..3 || payload)
//	bytes 8..8+n  payload
//
// The checksum covers the length, so a damaged length is caught, and starts
// from the segment's sequence number, so a record copied or left over from
// another segment does not verify. It is deliberately not chained to the
// previous record (as etcd's is): each record verifies on its own, so a reader
// can start at any Position a checkpoint stored without reading what precedes
// it. Empty payloads are refused so that an all-zero record header (a
// zero-filled tail) is never a valid record.
//
// A segment grows until the next record would take it past Options.SegmentSize
// (a record larger than that gets a segment of its own). Before the next
// segment is created the finished one is fsynced, under every sync policy, and
// the directory is fsynced after the new segment's header is, so only the last
// segment can ever hold unsynced bytes.
//
// # Recovery rules (Open)
//
//   - Every segment's header and every record's checksum is verified.
//   - A non-last segment must be intact to its last byte: any bad header or
//     record in it is a *CorruptionError naming the file and offset.
//   - In the last segment, at the first record that does not verify (partial,
//     zero length, length past the end of file, checksum mismatch): if a valid
//     record starts at any later byte of the file, the log is corrupt in the
//     middle and Open returns a *CorruptionError; otherwise this is a torn tail
//     (a crash during an append, or a zero-filled tail) and the file is
//     truncated at that record and fsynced. Recovery says where and how much.
//   - A last segment whose header is incomplete or fails its checksum, with no
//     valid record after it, is a segment whose creation was torn: it is reset
//     to a fresh header. A header that verifies but has another magic number,
//     version or sequence number is always an error.
//   - A missing segment between the first and the last is an error.
//
// Telling the two apart costs a checksum attempt at every later byte offset
// whose length word fits in the file, stopping at the first valid record; a
// torn tail is short, and in damaged data the next intact record is near, but
// binary payloads full of small integers make it slower (a block framing like
// pebble's would bound it; we chose the simpler format).
//
// Nothing is ever skipped silently: records are either returned, or reported
// dropped in Recovery (torn tail), or Open fails.
//
// # Durability
//
// SyncBatch (the default) fsyncs once per Append or AppendBatch before it
// returns. SyncInterval fsyncs from a background goroutine every
// Options.SyncInterval when something was written. SyncNone leaves it to the
// operating system, Sync, segment rolls and Close. Syncing uses File.Sync
// (fsync, not fdatasync): the file grows on every append, so fdatasync would
// have to write the inode as well, and the standard library suffices.
//
// A failed write or fsync leaves the file in an unknown state (after a failed
// fsync the kernel may have dropped the dirty pages), so the WAL refuses every
// later append with an error wrapping ErrBroken; reopening recovers the log
// from what is on disk.
package wal

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/laminar-sql/laminar/runtime/fsys"
)

// SyncPolicy says when appended records are fsynced.
type SyncPolicy int

const (
	// SyncBatch fsyncs once per Append or AppendBatch call, before it returns.
	SyncBatch SyncPolicy = iota
	// SyncInterval fsyncs from a background goroutine every
	// Options.SyncInterval if anything was written since the last fsync.
	SyncInterval
	// SyncNone fsyncs only on Sync, segment roll and Close.
	SyncNone
)

func (p SyncPolicy) String() string {
	switch p {
	case SyncBatch:
		return "batch"
	case SyncInterval:
		return "interval"
	case SyncNone:
		return "none"
	}
	return fmt.Sprintf("SyncPolicy(%d)", int(p))
}

// Defaults for zero Options fields.
const (
	DefaultSegmentSize  = 64 << 20
	DefaultSyncInterval = 100 * time.Millisecond
)

// Options configure a WAL. The zero value is usable.
type Options struct {
	SegmentSize  int64         // roll to a new segment past this size; default 64 MiB
	Sync         SyncPolicy    // default SyncBatch
	SyncInterval time.Duration // period under SyncInterval; default 100 ms
	FS           fsys.FS       // default fsys.OS{}
}

// Position is a place in the log: a segment and a byte offset in it. Append
// returns the position after its record, which is where a replay that has
// seen that record starts. The end of one segment and the start of the next
// are the same place in the log.
type Position struct {
	Segment uint64
	Offset  int64
}

// Less orders positions by segment, then offset.
func (p Position) Less(q Position) bool {
	if p.Segment != q.Segment {
		return p.Segment < q.Segment
	}
	return p.Offset < q.Offset
}

func (p Position) String() string { return fmt.Sprintf("%d:%d", p.Segment, p.Offset) }

// Recovery reports what Open found.
type Recovery struct {
	Segments int      // segment files in the log
	Records  int64    // intact records in them
	End      Position // where the next record will be written

	// Torn is set when a torn tail was cut off the last segment at TornAt.
	Torn         bool
	TornAt       Position
	DroppedBytes int64
	// DroppedRecords is 1 when the dropped bytes held a partly written
	// record (or header), 0 when they were all zeros.
	DroppedRecords int
}

func (r Recovery) String() string {
	s := fmt.Sprintf("%d records in %d segments, end %v", r.Records, r.Segments, r.End)
	if r.Torn {
		s += fmt.Sprintf("; torn tail at %v: dropped %d bytes (%d partial records)", r.TornAt, r.DroppedBytes, r.DroppedRecords)
	}
	return s
}

var (
	// ErrBroken is wrapped by every error of a WAL after a write or fsync
	// failed; reopen the log to recover.
	ErrBroken = errors.New("wal: unusable after a failed write or sync; reopen it")
	// ErrClosed is returned by a closed WAL.
	ErrClosed = errors.New("wal: closed")
	// ErrCorrupt is matched (errors.Is) by every *CorruptionError.
	ErrCorrupt = errors.New("wal: corrupt")
	// ErrCompacted is returned when reading from a position whose segment
	// RemoveBefore deleted.
	ErrCompacted = errors.New("wal: position is in a removed segment")
)

// CorruptionError is damage that is not a torn tail: it names the segment file
// and the offset of the bad header or record.
type CorruptionError struct {
	File   string
	Offset int64
	Reason string
}

func (e *CorruptionError) Error() string {
	return fmt.Sprintf("wal: corrupt segment %s at offset %d: %s", e.File, e.Offset, e.Reason)
}

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptionError) Is(target error) bool { return target == ErrCorrupt }

// bufLimit bounds the write buffer: AppendBatch writes out what it has when
// the buffer reaches it, and a larger buffer is not kept between calls.
const bufLimit = 1 << 20

// WAL is an open write-ahead log. Its methods are safe for concurrent use.
type WAL struct {
	dir  string
	opts Options
	fs   fsys.FS

	mu       sync.Mutex
	first    uint64    // oldest segment
	seq      uint64    // active segment, the one appended to
	file     fsys.File // active segment
	size     int64     // bytes in the active segment
	seed     uint32    // record checksum seed of the active segment
	buf      []byte    // encoded records not yet written
	unsynced bool      // written since the last fsync
	err      error     // sticky: wraps ErrBroken, or ErrClosed
	stop     chan bool // closed by Close to end the interval syncer
	stopped  sync.WaitGroup
}

// Open opens or creates the log in dir, recovering it as the package comment
// describes.
func Open(dir string, opts Options) (*WAL, Recovery, error) {
	if opts.SegmentSize == 0 {
		opts.SegmentSize = DefaultSegmentSize
	}
	if opts.SegmentSize <= HeaderSize {
		return nil, Recovery{}, fmt.Errorf("wal: segment size %d is not larger than the header", opts.SegmentSize)
	}
	if opts.SyncInterval <= 0 {
		opts.SyncInterval = DefaultSyncInterval
	}
	if opts.FS == nil {
		opts.FS = fsys.OS{}
	}
	if opts.Sync < SyncBatch || opts.Sync > SyncNone {
		return nil, Recovery{}, fmt.Errorf("wal: unknown sync policy %v", opts.Sync)
	}
	w := &WAL{dir: dir, opts: opts, fs: opts.FS}
	rec, err := w.recover()
	if err != nil {
		if w.file != nil {
			w.file.Close()
		}
		return nil, rec, err
	}
	if opts.Sync == SyncInterval {
		w.stop = make(chan bool)
		w.stopped.Add(1)
		go w.syncEvery(opts.SyncInterval)
	}
	return w, rec, nil
}

// recover scans the segments, cuts a torn tail and opens the active segment.
func (w *WAL) recover() (Recovery, error) {
	var rec Recovery
	if err := w.fs.MkdirAll(w.dir, 0o755); err != nil {
		return rec, fmt.Errorf("wal: %w", err)
	}
	seqs, err := listSegments(w.fs, w.dir)
	if err != nil {
		return rec, err
	}
	if len(seqs) == 0 {
		if err := w.createSegment(1); err != nil {
			return rec, err
		}
		w.first = 1
		rec.Segments = 1
		rec.End = Position{w.seq, w.size}
		return rec, nil
	}
	for i, seq := range seqs[1:] {
		if seq != seqs[i]+1 {
			return rec, fmt.Errorf("%w: segment %s is missing", ErrCorrupt, segmentName(seqs[i]+1))
		}
	}
	rec.Segments = len(seqs)
	br := bufio.NewReaderSize(nil, 64<<10)
	var payload []byte
	for i, seq := range seqs {
		last := i == len(seqs)-1
		n, end, err := w.scanSegment(seq, last, br, &payload, &rec)
		rec.Records += n
		if err != nil {
			return rec, err
		}
		if last {
			rec.End = Position{seq, end}
		}
	}
	w.first = seqs[0]
	return rec, w.openActive(rec.End)
}

// listSegments returns the sequence numbers of the segment files in dir, in
// order.
func listSegments(fs fsys.FS, dir string) ([]uint64, error) {
	entries, err := fs.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("wal: %w", err)
	}
	var seqs []uint64
	for _, e := range entries {
		if seq, ok := parseSegmentName(e.Name()); ok && e.Type().IsRegular() {
			seqs = append(seqs, seq)
		}
	}
	slices.Sort(seqs)
	return seqs, nil
}

// scanSegment verifies segment seq and returns its record count and the end
// of its last valid record. In the last segment it cuts a torn tail (filling
// in rec); anywhere else a bad record is corruption.
func (w *WAL) scanSegment(seq uint64, last bool, br *bufio.Reader, payload *[]byte, rec *Recovery) (records int64, end int64, err error) {
	name := w.path(seq)
	f, err := w.fs.OpenFile(name, os.O_RDONLY, 0)
	if err != nil {
		return 0, 0, fmt.Errorf("wal: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, 0, fmt.Errorf("wal: %w", err)
	}
	size := info.Size()
	seed := segmentSeed(seq)

	var h [HeaderSize]byte
	hn, err := f.ReadAt(h[:], 0)
	if err != nil && err != io.EOF {
		return 0, 0, fmt.Errorf("wal: %w", err)
	}
	if herr := checkHeader(h[:hn], seq); herr != nil {
		if !last || herr != errTornHeader {
			return 0, 0, &CorruptionError{File: name, Offset: 0, Reason: herr.Error()}
		}
		// A torn header is acceptable only if no record made it to disk
		// after it: the crash came while the segment was being created.
		whole, err := readTail(f, 0, size)
		if err != nil {
			return 0, 0, err
		}
		if size > HeaderSize && (validRecordAt(whole[HeaderSize:], seed) || validRecordAfter(whole[HeaderSize:], seed)) {
			return 0, 0, &CorruptionError{File: name, Offset: 0, Reason: herr.Error()}
		}
		rec.Torn, rec.TornAt, rec.DroppedBytes = true, Position{seq, 0}, size
		if !allZero(whole) {
			rec.DroppedRecords = 1
		}
		return 0, HeaderSize, w.resetSegment(seq)
	}

	if _, err := f.Seek(HeaderSize, io.SeekStart); err != nil {
		return 0, 0, fmt.Errorf("wal: %w", err)
	}
	br.Reset(f)
	sr := segmentReader{br: br, seed: seed, off: HeaderSize, size: size, buf: *payload}
	defer func() { *payload = sr.buf }()
	for {
		_, err := sr.next()
		if err == nil {
			records++
			continue
		}
		if err == io.EOF {
			return records, sr.off, nil
		}
		var bad *invalidRecord
		if !errors.As(err, &bad) {
			return records, 0, fmt.Errorf("wal: reading %s: %w", name, err)
		}
		corrupt := &CorruptionError{File: name, Offset: sr.off, Reason: bad.reason}
		if !last {
			return records, 0, corrupt
		}
		tail, err := readTail(f, sr.off, size)
		if err != nil {
			return records, 0, err
		}
		if validRecordAfter(tail, seed) {
			return records, 0, corrupt
		}
		rec.Torn, rec.TornAt, rec.DroppedBytes = true, Position{seq, sr.off}, int64(len(tail))
		if !allZero(tail) {
			rec.DroppedRecords = 1
		}
		return records, sr.off, nil
	}
}

// readTail reads bytes [from, size) of f.
func readTail(f fsys.File, from, size int64) ([]byte, error) {
	tail := make([]byte, size-from)
	if _, err := f.ReadAt(tail, from); err != nil {
		return nil, fmt.Errorf("wal: reading %s: %w", f.Name(), err)
	}
	return tail, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func (w *WAL) path(seq uint64) string { return filepath.Join(w.dir, segmentName(seq)) }

// openActive opens the last segment for appending at end, cutting off any
// torn tail beyond it.
func (w *WAL) openActive(end Position) error {
	f, err := w.fs.OpenFile(w.path(end.Segment), os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	w.file, w.seq, w.size, w.seed = f, end.Segment, end.Offset, segmentSeed(end.Segment)
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	if info.Size() != end.Offset {
		if err := f.Truncate(end.Offset); err != nil {
			return fmt.Errorf("wal: cutting torn tail: %w", err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("wal: cutting torn tail: %w", err)
		}
	}
	if _, err := f.Seek(end.Offset, io.SeekStart); err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	return nil
}

// resetSegment rewrites the torn header of the last segment.
func (w *WAL) resetSegment(seq uint64) error {
	f, err := w.fs.OpenFile(w.path(seq), os.O_RDWR|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	h := encodeHeader(seq)
	_, err = f.Write(h[:])
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("wal: rewriting torn header: %w", err)
	}
	return nil
}

// createSegment creates segment seq, makes its header and directory entry
// durable and makes it the active segment.
func (w *WAL) createSegment(seq uint64) error {
	f, err := w.fs.OpenFile(w.path(seq), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	w.file, w.seq, w.size, w.seed = f, seq, 0, segmentSeed(seq)
	h := encodeHeader(seq)
	n, err := f.Write(h[:])
	w.size = int64(n)
	if err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	if err := w.fs.SyncDir(w.dir); err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	return nil
}

// Append writes one record and returns the position after it.
func (w *WAL) Append(payload []byte) (Position, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return Position{}, err
	}
	if err := checkPayload(payload); err != nil {
		return Position{}, err
	}
	if err := w.add(payload); err != nil {
		return Position{}, w.fail(err)
	}
	return w.finish()
}

// AppendBatch writes the records with one write and one fsync (under
// SyncBatch; a batch that crosses a segment boundary takes one more of each)
// and returns the position after the last one. Nothing is written if a
// payload is invalid.
func (w *WAL) AppendBatch(payloads [][]byte) (last Position, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return Position{}, err
	}
	for _, p := range payloads {
		if err := checkPayload(p); err != nil {
			return Position{}, err
		}
	}
	for _, p := range payloads {
		if err := w.add(p); err != nil {
			return Position{}, w.fail(err)
		}
	}
	return w.finish()
}

func checkPayload(p []byte) error {
	if len(p) == 0 {
		return errors.New("wal: empty record")
	}
	if len(p) > MaxRecordSize {
		return fmt.Errorf("wal: record of %d bytes exceeds the maximum of %d", len(p), MaxRecordSize)
	}
	return nil
}

func (w *WAL) usable() error {
	if w.err != nil {
		return w.err
	}
	return nil
}

// fail makes the WAL refuse further work and returns the sticky error.
func (w *WAL) fail(err error) error {
	w.err = fmt.Errorf("%w: %w", ErrBroken, err)
	return w.err
}

// add encodes a record into the buffer, rolling to a new segment first if it
// would not fit in the active one.
func (w *WAL) add(p []byte) error {
	recSize := int64(RecordHeaderSize + len(p))
	if end := w.size + int64(len(w.buf)); end > HeaderSize && end+recSize > w.opts.SegmentSize {
		if err := w.flush(); err != nil {
			return err
		}
		if err := w.roll(); err != nil {
			return err
		}
	}
	w.buf = appendRecord(w.buf, w.seed, p)
	if len(w.buf) >= bufLimit {
		return w.flush()
	}
	return nil
}

// flush writes the buffered records to the active segment.
func (w *WAL) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	n, err := w.file.Write(w.buf)
	w.size += int64(n)
	w.unsynced = true
	if err != nil {
		return err
	}
	if cap(w.buf) > bufLimit {
		w.buf = nil // do not keep a huge record's buffer
	} else {
		w.buf = w.buf[:0]
	}
	return nil
}

// roll seals the active segment (fsync, so that only the last segment can
// hold a torn tail) and starts the next one.
func (w *WAL) roll() error {
	if err := w.file.Sync(); err != nil {
		return err
	}
	w.unsynced = false
	if err := w.file.Close(); err != nil {
		return err
	}
	return w.createSegment(w.seq + 1)
}

// finish writes out the buffer, fsyncs under SyncBatch and returns the end.
func (w *WAL) finish() (Position, error) {
	if err := w.flush(); err != nil {
		return Position{}, w.fail(err)
	}
	if w.opts.Sync == SyncBatch {
		if err := w.syncLocked(); err != nil {
			return Position{}, err
		}
	}
	return Position{w.seq, w.size}, nil
}

func (w *WAL) syncLocked() error {
	if !w.unsynced {
		return nil
	}
	if err := w.file.Sync(); err != nil {
		return w.fail(err)
	}
	w.unsynced = false
	return nil
}

// Sync fsyncs everything appended so far.
func (w *WAL) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return err
	}
	return w.syncLocked()
}

// syncEvery is the SyncInterval goroutine. A failure is sticky and returned
// by the next call on the WAL.
func (w *WAL) syncEvery(interval time.Duration) {
	defer w.stopped.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			w.mu.Lock()
			if w.err == nil {
				w.syncLocked()
			}
			w.mu.Unlock()
		}
	}
}

// End returns the position after the last record appended.
func (w *WAL) End() Position {
	w.mu.Lock()
	defer w.mu.Unlock()
	return Position{w.seq, w.size}
}

// Close fsyncs (unless the WAL is broken) and closes the log. It returns the
// error that broke the WAL, if any.
func (w *WAL) Close() error {
	w.mu.Lock()
	if w.err == ErrClosed {
		w.mu.Unlock()
		return ErrClosed
	}
	if w.stop != nil {
		close(w.stop)
	}
	w.mu.Unlock()
	w.stopped.Wait() // outside the lock: the syncer takes it

	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.err
	if err == nil {
		err = w.syncLocked()
	}
	if cerr := w.file.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("wal: %w", cerr)
	}
	w.err = ErrClosed
	return err
}

// RemoveBefore deletes the segments that end before pos, oldest first, so
// that a crash leaves no gap: every segment whose sequence number is below
// pos.Segment, but never the active segment. Call it with the position a
// durable checkpoint covers.
func (w *WAL) RemoveBefore(pos Position) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == ErrClosed {
		return ErrClosed
	}
	removed := false
	for w.first < pos.Segment && w.first < w.seq {
		if err := w.fs.Remove(w.path(w.first)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("wal: %w", err)
		}
		w.first++
		removed = true
	}
	if removed {
		if err := w.fs.SyncDir(w.dir); err != nil {
			return fmt.Errorf("wal: %w", err)
		}
	}
	return nil
}

// FirstSegment returns the sequence number of the oldest segment kept.
func (w *WAL) FirstSegment() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.first
}
