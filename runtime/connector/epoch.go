package connector

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/laminar-sql/laminar/runtime/errcode"
	"github.com/laminar-sql/laminar/runtime/fsys"
)

// EpochSink is a Sink whose output takes part in the two-phase commit of
// checkpoints, which makes it exactly-once: the rows of a checkpoint epoch
// become visible only once the checkpoint that covers them is durable, and a
// restart from that checkpoint neither loses nor repeats a row.
//
// The job drives it from one goroutine, between batches:
//
//	Recover(cp epoch, cp data)  once, before the first Write
//	Write ... Write             rows of the open epoch
//	data := Prepare(e)          the open epoch's rows are durable, not visible
//	(the checkpoint of epoch e, holding data, is written durably)
//	Commit(e)                   they are visible; or Abort(e) if the checkpoint failed
//
// Later sinks implement the same steps their own way (Kafka: a transaction
// per epoch, committed in Commit; PostgreSQL: rows and an epoch marker in one
// transaction, the marker telling Recover what was committed).
type EpochSink interface {
	Sink
	// Recover brings the output to what checkpoint `epoch` committed, given
	// the data Prepare returned for it: an epoch recorded in the checkpoint
	// but not yet published (the job died between the checkpoint and
	// Commit) is published, and every row of later epochs is dropped, since
	// the job produces them again. epoch 0 with nil data means there is no
	// checkpoint: the output starts empty.
	Recover(epoch uint64, data []byte) error
	// Prepare makes the rows written since the last Prepare durable but not
	// yet visible, as epoch `epoch`, and returns what the checkpoint must
	// keep for Recover.
	Prepare(epoch uint64) ([]byte, error)
	// Commit makes prepared epoch `epoch` visible. It is called after the
	// checkpoint holding Prepare's data is durable, and is idempotent.
	Commit(epoch uint64) error
	// Abort drops prepared epoch `epoch`: its checkpoint failed. Recovery
	// from the previous checkpoint produces its rows again.
	Abort(epoch uint64) error
}

// EpochFileSink is the exactly-once file sink. Its output is ONE file, the
// target, which only ever grows by whole committed epochs:
//
//   - The rows of an epoch go to a temporary file in a directory of the
//     job's state dir, "<tempDir>/epoch-<epoch in 20 digits>", not to the target.
//   - Prepare flushes and fsyncs the temporary file and returns the
//     recovery data {"base": B, "size": S}: the target's committed length B
//     before this epoch and the epoch's size S.
//   - Commit (after the checkpoint is durable) truncates the target to B,
//     appends the temporary file, fsyncs the target and then removes the
//     temporary file. Truncating first makes it idempotent.
//   - Recover(e, {B, S}): if epoch e's temporary file is still there, the
//     crash came before its publication finished: Commit it again.
//     Otherwise it was published: the target is cut to B+S. Either way every
//     other temporary file (a later, never checkpointed epoch) is removed.
//     Without a checkpoint the target is cut to 0.
//
// So a reader of the target sees only rows of committed epochs, in order:
// after a crash at most the tail of one committed epoch is missing until the
// restart appends the rest. Nothing it has seen is ever withdrawn, as long as
// the store returns the newest checkpoint (if it is damaged and an older one
// is used, the epochs after it are cut and produced again, the same rows for
// a deterministic pipeline).
//
// A lazy sink (dead-letter and late files) creates the target only when an
// epoch with rows is published, so a clean run leaves no empty file.
type EpochFileSink struct {
	path    string
	tempDir string
	lazy    bool

	committed int64 // the target's committed length (B of the next epoch)
	pending   *epochFile
	open      *epochFile // the epoch being written; nil until the first Write
	closed    bool
}

// epochFile is the temporary file of one epoch.
type epochFile struct {
	f    *os.File
	path string // its name now: "epoch-open", then "epoch-<epoch>" once prepared
	size int64
	sum  uint32 // CRC32C of the size bytes written
	buf  []byte
}

// epochRecord is EpochFileSink's recovery data in a checkpoint.
type epochRecord struct {
	Base int64 `json:"base"` // committed length of the target before the epoch
	Size int64 `json:"size"` // bytes of the epoch
	// CRC32C of the epoch's bytes, verified before a recovery publishes
	// them; nil in checkpoints written before it was recorded.
	CRC32C *uint32 `json:"crc32c,omitempty"`
}

// OpenEpochFile makes an exactly-once sink for the file at path that keeps
// its uncommitted epochs in tempDir (created if needed; one directory per
// sink). Call Recover before writing.
func OpenEpochFile(path, tempDir string, lazy bool) (*EpochFileSink, error) {
	if err := os.MkdirAll(tempDir, 0o755); err != nil {
		return nil, err
	}
	if !lazy {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
	}
	return &EpochFileSink{path: path, tempDir: tempDir, lazy: lazy}, nil
}

// Path is the target file.
func (s *EpochFileSink) Path() string { return s.path }

const epochFilePrefix = "epoch-"

func (s *EpochFileSink) epochPath(epoch uint64) string {
	return filepath.Join(s.tempDir, fmt.Sprintf("%s%020d", epochFilePrefix, epoch))
}

// Recover implements EpochSink.
func (s *EpochFileSink) Recover(epoch uint64, data []byte) error {
	var rec epochRecord
	if data != nil {
		if err := json.Unmarshal(data, &rec); err != nil || rec.Base < 0 || rec.Size < 0 {
			return fmt.Errorf("sink %s: bad recovery data %q in checkpoint %d", s.path, data, epoch)
		}
	}
	entries, err := os.ReadDir(s.tempDir)
	if err != nil {
		return err
	}
	republish := false
	for _, e := range entries {
		name := e.Name()
		digits, ok := strings.CutPrefix(name, epochFilePrefix)
		if !ok {
			continue
		}
		if n, err := strconv.ParseUint(digits, 10, 64); err == nil && n == epoch && data != nil {
			republish = true
			continue
		}
		if err := os.Remove(filepath.Join(s.tempDir, name)); err != nil {
			return err
		}
	}
	if republish {
		s.committed = rec.Base
		f, err := os.Open(s.epochPath(epoch))
		if err != nil {
			return err
		}
		info, err := f.Stat()
		if err == nil && info.Size() != rec.Size {
			err = errcode.Errorf(errcode.EpochFileDamaged, "sink %s: epoch file %s has %d bytes, the checkpoint says %d: it is not published", s.path, f.Name(), info.Size(), rec.Size)
		}
		if err == nil && rec.CRC32C != nil {
			h := crc32.New(castagnoli)
			if _, err = io.Copy(h, io.NewSectionReader(f, 0, rec.Size)); err == nil && h.Sum32() != *rec.CRC32C {
				err = errcode.Errorf(errcode.EpochFileDamaged, "sink %s: epoch file %s does not match the checksum in checkpoint %d (crc32c %08x, recorded %08x): it was altered, and is not published", s.path, f.Name(), epoch, h.Sum32(), *rec.CRC32C)
			}
		}
		if err != nil {
			f.Close()
			return err
		}
		s.pending = &epochFile{f: f, path: f.Name(), size: rec.Size}
		return s.Commit(epoch)
	}
	s.committed = rec.Base + rec.Size
	return s.cutTarget()
}

// cutTarget truncates the target to the committed length, creating it if
// the sink is not lazy.
func (s *EpochFileSink) cutTarget() error {
	flag := os.O_WRONLY
	if !s.lazy {
		flag |= os.O_CREATE
	}
	f, err := os.OpenFile(s.path, flag, 0o644)
	if errors.Is(err, os.ErrNotExist) && s.lazy {
		if s.committed > 0 {
			return fmt.Errorf("sink %s: the file is missing, the checkpoint says it has %d bytes", s.path, s.committed)
		}
		return nil
	}
	if err != nil {
		return err
	}
	return truncateSync(f, s.committed)
}

func truncateSync(f *os.File, size int64) error {
	info, err := f.Stat()
	if err == nil && info.Size() < size {
		err = fmt.Errorf("sink %s: the file has %d bytes, fewer than the %d committed: it was changed outside the job", f.Name(), info.Size(), size)
	}
	if err == nil && info.Size() != size {
		if err = f.Truncate(size); err == nil {
			err = f.Sync()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

const epochBufferSize = 1 << 20

// Write adds p to the open epoch.
func (s *EpochFileSink) Write(p []byte) error {
	if s.open == nil {
		// The temporary file is named when the epoch is prepared; until
		// then it is "epoch-open", which Recover removes like any other.
		path := filepath.Join(s.tempDir, epochFilePrefix+"open")
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		s.open = &epochFile{f: f, path: path, buf: make([]byte, 0, epochBufferSize)}
	}
	e := s.open
	if len(e.buf)+len(p) > cap(e.buf) {
		if err := e.flush(); err != nil {
			return err
		}
		if len(p) > cap(e.buf) {
			n, err := e.f.Write(p)
			e.size += int64(n)
			e.sum = crc32.Update(e.sum, castagnoli, p[:n])
			return err
		}
	}
	e.buf = append(e.buf, p...)
	return nil
}

func (e *epochFile) flush() error {
	n, err := e.f.Write(e.buf)
	e.size += int64(n)
	e.sum = crc32.Update(e.sum, castagnoli, e.buf[:n])
	e.buf = e.buf[:0]
	return err
}

// Flush writes buffered rows to the open epoch's temporary file; they are
// not visible in the target before their epoch is committed.
func (s *EpochFileSink) Flush() error {
	if s.open == nil {
		return nil
	}
	return s.open.flush()
}

// Prepare implements EpochSink: the open epoch's file is fsynced and named
// for its epoch. An epoch without rows has no file.
func (s *EpochFileSink) Prepare(epoch uint64) ([]byte, error) {
	if s.pending != nil {
		return nil, fmt.Errorf("sink %s: epoch prepared twice without commit", s.path)
	}
	rec := epochRecord{Base: s.committed}
	if e := s.open; e != nil {
		s.open = nil
		if err := e.flush(); err != nil {
			e.f.Close()
			return nil, err
		}
		if err := e.f.Sync(); err != nil {
			e.f.Close()
			return nil, err
		}
		e.path = s.epochPath(epoch)
		if err := os.Rename(e.f.Name(), e.path); err != nil {
			e.f.Close()
			return nil, err
		}
		// The rename must be durable before the checkpoint naming the epoch
		// is: Recover finds the epoch's rows by this name.
		if err := (fsys.OS{}).SyncDir(s.tempDir); err != nil {
			e.f.Close()
			return nil, err
		}
		rec.Size = e.size
		sum := e.sum
		rec.CRC32C = &sum
		e.buf = nil
		s.pending = e
	}
	return json.Marshal(rec)
}

// Commit implements EpochSink.
func (s *EpochFileSink) Commit(epoch uint64) error {
	e := s.pending
	if e == nil {
		return nil // an epoch without rows
	}
	if s.lazy {
		if err := os.MkdirAll(filepath.Dir(s.path), 0o755); err != nil {
			return err
		}
	}
	out, err := os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	err = publish(out, e.f, s.committed, e.size)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("publishing epoch %d: %w", epoch, err)
	}
	e.f.Close()
	if err := os.Remove(e.path); err != nil {
		return err
	}
	s.committed += e.size
	s.pending = nil
	return nil
}

// publish truncates out to base and appends size bytes of in, then fsyncs.
func publish(out, in *os.File, base, size int64) error {
	info, err := out.Stat()
	if err != nil {
		return err
	}
	if info.Size() < base {
		return fmt.Errorf("%s has %d bytes, fewer than the %d committed: it was changed outside the job", out.Name(), info.Size(), base)
	}
	if err := out.Truncate(base); err != nil {
		return err
	}
	if _, err := out.Seek(base, io.SeekStart); err != nil {
		return err
	}
	// io.Copy between files uses copy_file_range on Linux.
	n, err := io.Copy(out, io.NewSectionReader(in, 0, size))
	if err == nil && n != size {
		err = fmt.Errorf("epoch file %s: read %d of %d bytes", in.Name(), n, size)
	}
	if err != nil {
		return err
	}
	return out.Sync()
}

// Abort implements EpochSink: the prepared epoch's file is removed.
func (s *EpochFileSink) Abort(epoch uint64) error {
	e := s.pending
	if e == nil {
		return nil
	}
	s.pending = nil
	e.f.Close()
	return os.Remove(e.path)
}

// Close releases the files. Rows not committed stay where they are and are
// dropped by the next Recover: the job commits before it closes.
func (s *EpochFileSink) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	var err error
	for _, e := range []*epochFile{s.open, s.pending} {
		if e != nil {
			if ferr := e.flush(); err == nil {
				err = ferr
			}
			if cerr := e.f.Close(); err == nil {
				err = cerr
			}
		}
	}
	return err
}

// WatermarkSink is a sink that wants to know how far event time has
// progressed (to commit time partitions: a Parquet sink's _SUCCESS files).
// The job calls Watermark between batches with the smallest watermark of
// the sources still reading (math.MaxInt64 once all have ended): every row
// the sink will ever get with an event time below it has been written.
type WatermarkSink interface {
	Watermark(us int64)
}
