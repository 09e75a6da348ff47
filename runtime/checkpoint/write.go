package checkpoint

import (
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// Write stores cp durably: when it returns nil, the checkpoint survives a
// crash and Latest returns it (or a newer one). cp.Epoch must be higher than
// every epoch in the store. An error means the checkpoint may or may not have
// become visible (a failed fsync after the rename); either way Latest finds
// an intact checkpoint, this one or an older one.
func (s *Store) Write(cp *Checkpoint) error {
	w, err := s.Begin(cp.Epoch)
	if err != nil {
		return err
	}
	return w.Commit(cp)
}

// Writer writes one checkpoint a unit at a time, so that a job can encode a
// unit, hand it over and reuse its buffer for the next, instead of holding
// every unit's state at once.
type Writer struct {
	s     *Store
	epoch uint64
	tmp   string // the temporary directory
	units []unitEntry
	ids   map[string]bool
	err   error
	done  bool
}

// Begin starts the checkpoint of the given epoch, which must be higher than
// every epoch in the store. Only one Writer can be open at a time; it ends
// with Commit or Abort.
func (s *Store) Begin(epoch uint64) (*Writer, error) {
	if s.writing {
		return nil, errors.New("checkpoint: another checkpoint is being written")
	}
	if epoch <= s.last {
		return nil, fmt.Errorf("checkpoint: epoch %d is not newer than epoch %d in %s", epoch, s.last, s.dir)
	}
	tmp := filepath.Join(s.dir, fmt.Sprintf("%s%s%016x", dirName(epoch), tmpInfix, rand.Uint64()))
	if err := s.fs.MkdirAll(tmp, 0o755); err != nil {
		s.fs.RemoveAll(tmp)
		return nil, fmt.Errorf("checkpoint %d: %w", epoch, err)
	}
	s.writing = true
	return &Writer{s: s, epoch: epoch, tmp: tmp, ids: map[string]bool{}}, nil
}

// AddUnit writes one unit's data. The data is written out before AddUnit
// returns; the caller may reuse it.
func (w *Writer) AddUnit(id, name string, data []byte) error {
	if err := w.usable(); err != nil {
		return err
	}
	if w.ids[id] {
		return w.fail(fmt.Errorf("unit id %q appears twice", id))
	}
	w.ids[id] = true
	df, err := w.writeData("unit", len(w.units), data)
	if err != nil {
		return w.fail(err)
	}
	w.units = append(w.units, unitEntry{ID: id, Name: name, dataFile: df})
	return nil
}

// Commit writes cp's units (after those given to AddUnit), its sinks and
// the manifest, and makes the checkpoint visible. cp.Epoch must be the epoch
// given to Begin. See Store.Write for what an error means.
func (w *Writer) Commit(cp *Checkpoint) error {
	if err := w.usable(); err != nil {
		return err
	}
	if cp.Epoch != w.epoch {
		return w.fail(fmt.Errorf("Commit of epoch %d in the Writer of epoch %d", cp.Epoch, w.epoch))
	}
	for _, u := range cp.Units {
		if err := w.AddUnit(u.ID, u.Name, u.Data); err != nil {
			return err
		}
	}
	m := &manifest{
		Format:   manifestFormat,
		Version:  manifestVersion,
		Epoch:    cp.Epoch,
		Pipeline: cp.Pipeline,
		Created:  cp.Created,
		Sources:  cp.Sources,
		Units:    w.units,
	}
	if m.Created.IsZero() {
		m.Created = time.Now()
	}
	for i, k := range cp.Sinks {
		df, err := w.writeData("sink", i, k.Data)
		if err != nil {
			return w.fail(err)
		}
		m.Sinks = append(m.Sinks, sinkEntry{Name: k.Name, Epoch: k.Epoch, dataFile: df})
	}
	data, err := encodeManifest(m)
	if err != nil {
		return w.fail(err)
	}
	if err := w.writeFile(manifestName, data); err != nil {
		return w.fail(err)
	}
	if err := w.s.fs.SyncDir(w.tmp); err != nil {
		return w.fail(err)
	}
	final := filepath.Join(w.s.dir, dirName(w.epoch))
	if err := w.s.fs.Rename(w.tmp, final); err != nil {
		return w.fail(err)
	}
	// Visible now: the epoch is taken even if the fsync below fails.
	w.done, w.s.writing, w.s.last = true, false, w.epoch
	if err := w.s.fs.SyncDir(w.s.dir); err != nil {
		return fmt.Errorf("checkpoint %d: %w", w.epoch, err)
	}
	w.s.prune()
	return nil
}

// Abort gives up the checkpoint and removes what was written of it. It is a
// no-op after Commit.
func (w *Writer) Abort() {
	if !w.done {
		w.fail(errors.New("aborted"))
	}
}

func (w *Writer) usable() error {
	if w.done {
		if w.err != nil {
			return w.err
		}
		return fmt.Errorf("checkpoint %d: already committed", w.epoch)
	}
	return nil
}

// fail ends the write: the temporary directory is removed, best effort (the
// next prune removes what is left).
func (w *Writer) fail(err error) error {
	w.err = fmt.Errorf("checkpoint %d: %w", w.epoch, err)
	w.done, w.s.writing = true, false
	w.s.fs.RemoveAll(w.tmp)
	return w.err
}

// writeData writes the data file of a unit or sink, named for its index in
// the manifest, and returns its manifest entry; empty data has no file.
func (w *Writer) writeData(kind string, index int, data []byte) (dataFile, error) {
	if len(data) == 0 {
		return dataFile{}, nil
	}
	name := fmt.Sprintf("%s-%06d", kind, index)
	if err := w.writeFile(name, data); err != nil {
		return dataFile{}, err
	}
	return dataFile{File: name, Size: int64(len(data)), CRC32C: crc32.Checksum(data, castagnoli)}, nil
}

// writeFile creates name in the temporary directory with data and fsyncs it.
func (w *Writer) writeFile(name string, data []byte) error {
	f, err := w.s.fs.OpenFile(filepath.Join(w.tmp, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// prune keeps the newest Keep valid checkpoints and removes older ones and
// leftover temporary directories. Failures are ignored: what is left is
// removed by the next prune, and Latest never mistakes it for a checkpoint.
func (s *Store) prune() {
	if tmp, err := s.leftovers(); err == nil {
		for _, path := range tmp {
			s.fs.RemoveAll(path)
		}
	}
	list, err := s.list()
	if err != nil {
		return
	}
	valid := 0
	for _, c := range list {
		if valid < s.keep {
			// Damaged checkpoints among the kept ones stay for inspection
			// until they are older than the oldest kept valid one.
			if s.looksValid(c.path, c.epoch) {
				valid++
			}
			continue
		}
		// Renamed first, so that a crash mid-removal leaves a temporary
		// directory, not a damaged checkpoint.
		doomed := fmt.Sprintf("%s%sprune", c.path, tmpInfix)
		if s.fs.Rename(c.path, doomed) == nil {
			s.fs.RemoveAll(doomed)
		}
	}
}
