// Package checkpoint stores a job's checkpoints: consistent cuts of a running
// job (source positions, every state unit's encoded state, the sinks' pending
// epoch), taken between batches, from which recovery resumes.
//
// # Files
//
// A store is a directory. Each checkpoint is a subdirectory named for its
// epoch in 20 decimal digits, "cp-00000000000000000042", so names sort in
// epoch order. It holds:
//
//   - one data file per unit with data, named for the unit's index in the
//     manifest, "unit-000000", "unit-000001", ..., holding the unit's bytes as
//     given; the data is written straight from the caller's slice, never
//     copied, so units of any size work;
//   - one data file per sink with recovery data, "sink-000000", ...;
//   - MANIFEST, written last: a JSON object (format "laminar-checkpoint",
//     version 1) with the epoch, pipeline, creation time, sources, sinks and
//     units, each data file listed with its size and CRC32C (Castagnoli),
//     followed by one line "crc32c <8 hex digits>\n" that checksums every
//     byte before it. Units and sinks without data have no file.
//
// # Protocol
//
// Write builds the checkpoint in "cp-<epoch>.tmp-<random>": every data file is
// written and fsynced, then MANIFEST, then the temporary directory is
// fsynced, renamed to its final name and the store directory fsynced. Only
// the rename makes a checkpoint visible, so a crash at any point leaves
// either the previous checkpoints or the new one, never a partial one under a
// checkpoint name. After a successful commit, Write prunes: it keeps the
// newest Options.Keep valid checkpoints, removes older ones (renamed to a
// temporary name first, so a crash mid-removal leaves no damaged checkpoint)
// and removes leftover temporary directories. Pruning failures are not errors:
// the next Write tries again.
//
// Latest verifies the newest checkpoint completely (manifest checksum, every
// file's size and CRC32C) and falls back to older ones, reporting each
// damaged one it passed over.
//
// A Store is not safe for concurrent use, and one directory must have one
// writing Store at a time: pruning removes other writers' temporary
// directories.
package checkpoint

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/laminar-sql/laminar/runtime/fsys"
)

// SourcePos is where a source resumes after recovery.
type SourcePos struct {
	Name   string `json:"name"`
	Offset int64  `json:"offset"` // byte offset in the source's input
	Line   int64  `json:"line"`   // line number at Offset, for messages
	// WAL is the encoded WAL position for sources replayed from the WAL;
	// empty otherwise.
	WAL string `json:"wal,omitempty"`
	// Offsets are the next offsets per partition of a partitioned source
	// (Kafka); nil otherwise.
	Offsets map[string]int64 `json:"offsets,omitempty"`
	// Done is set when the source had reached the end of a bounded input.
	Done bool `json:"done,omitempty"`
	// Check identifies the input read up to Offset (the connector's own
	// text, e.g. a checksum of the bytes before it), verified on resume.
	Check string `json:"check,omitempty"`
}

// SinkState is a sink's part of the two-phase commit.
type SinkState struct {
	Name  string
	Epoch uint64 // the sink's pending epoch
	Data  []byte // the sink's own recovery data, opaque here; nil if none
}

// Unit is the encoded state of one state unit (runtime/job.StateUnit).
type Unit struct {
	ID   string // stable id that keys the state across runs
	Name string // for messages
	Data []byte // nil when the unit has no data
}

// Checkpoint is one consistent cut of a job.
type Checkpoint struct {
	Epoch    uint64 // increases with every checkpoint of a job
	Pipeline string // identifies the pipeline, e.g. a hash of its plan
	Sources  []SourcePos
	Sinks    []SinkState
	Units    []Unit
	// Created is when the checkpoint was taken; zero means the time of Write.
	Created time.Time
	// UnitsSkipped is set when LatestSkippingUnits did not read the units'
	// data.
	UnitsSkipped bool
}

// Unit returns the unit with the given id, or nil.
func (cp *Checkpoint) Unit(id string) *Unit {
	for i := range cp.Units {
		if cp.Units[i].ID == id {
			return &cp.Units[i]
		}
	}
	return nil
}

// DefaultKeep is how many valid checkpoints a store keeps by default.
const DefaultKeep = 3

// Options configure a Store. The zero value is usable.
type Options struct {
	FS   fsys.FS // default fsys.OS{}
	Keep int     // valid checkpoints kept by pruning; default DefaultKeep
}

// Store is a directory of checkpoints.
type Store struct {
	dir  string
	fs   fsys.FS
	keep int
	// last is the highest epoch of any checkpoint directory, damaged or not:
	// a new checkpoint must be newer, or its name could already be taken.
	last uint64
	// writing is set while a Writer is open.
	writing bool
}

// ErrDamaged is matched (errors.Is) by every reason in Skipped.Err that is
// damage found in the checkpoint's files, as opposed to an I/O error.
var ErrDamaged = errors.New("damaged checkpoint")

// Skipped is a checkpoint that Latest passed over.
type Skipped struct {
	Path  string
	Epoch uint64
	Err   error // why: damage (matches ErrDamaged) or an I/O error
}

func (s Skipped) String() string {
	return fmt.Sprintf("checkpoint %s is damaged (%v)", s.Path, s.Err)
}

// Open opens the store in dir, creating the directory if needed.
func Open(dir string, opts Options) (*Store, error) {
	if opts.FS == nil {
		opts.FS = fsys.OS{}
	}
	if opts.Keep < 0 {
		return nil, fmt.Errorf("checkpoint: Keep is %d, must be at least 1", opts.Keep)
	}
	if opts.Keep == 0 {
		opts.Keep = DefaultKeep
	}
	if err := opts.FS.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	s := &Store{dir: dir, fs: opts.FS, keep: opts.Keep}
	list, err := s.list()
	if err != nil {
		return nil, err
	}
	if len(list) > 0 {
		s.last = list[0].epoch
	}
	return s, nil
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

// LastEpoch returns the highest epoch of any checkpoint in the store, valid
// or damaged (0 if none). The next checkpoint's epoch must be higher.
func (s *Store) LastEpoch() uint64 { return s.last }

// Latest returns the newest valid checkpoint, or nil if there is none. Every
// newer checkpoint that did not verify is listed in skipped, newest first, so
// the caller can report "checkpoint X is damaged (reason); using Y". The
// error is only for a store directory that cannot be listed.
func (s *Store) Latest() (cp *Checkpoint, skipped []Skipped, err error) {
	return s.LatestSkippingUnits(nil)
}

// LatestSkippingUnits is Latest, except that the units' data of a
// checkpoint whose sources satisfy skip are not read (every Unit.Data is
// nil and UnitsSkipped is set): a job that completed needs only its sources
// and sinks, at the cost of a few small files whatever the state's size.
func (s *Store) LatestSkippingUnits(skip func([]SourcePos) bool) (cp *Checkpoint, skipped []Skipped, err error) {
	list, err := s.list()
	if err != nil {
		return nil, nil, err
	}
	for _, c := range list {
		cp, err := s.load(c.path, c.epoch, skip)
		if err == nil {
			return cp, skipped, nil
		}
		skipped = append(skipped, Skipped{Path: c.path, Epoch: c.epoch, Err: err})
	}
	return nil, skipped, nil
}

// stored is a checkpoint directory found in the store.
type stored struct {
	path  string
	epoch uint64
}

const (
	dirPrefix = "cp-"
	tmpInfix  = ".tmp-"
)

func dirName(epoch uint64) string { return fmt.Sprintf("%s%020d", dirPrefix, epoch) }

// parseDirName returns the epoch of a checkpoint directory name; temporary
// and foreign names are not checkpoints.
func parseDirName(name string) (uint64, bool) {
	digits, ok := strings.CutPrefix(name, dirPrefix)
	if !ok || len(digits) != 20 || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	epoch, err := strconv.ParseUint(digits, 10, 64)
	return epoch, err == nil
}

// list returns the store's checkpoint directories, newest first.
func (s *Store) list() ([]stored, error) {
	entries, err := s.fs.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	var list []stored
	for _, e := range entries {
		if epoch, ok := parseDirName(e.Name()); ok {
			list = append(list, stored{filepath.Join(s.dir, e.Name()), epoch})
		}
	}
	slices.SortFunc(list, func(a, b stored) int {
		switch {
		case a.epoch > b.epoch:
			return -1
		case a.epoch < b.epoch:
			return 1
		}
		return 0
	})
	return list, nil
}

// leftovers returns the temporary directories of unfinished writes and
// prunes.
func (s *Store) leftovers() ([]string, error) {
	entries, err := s.fs.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var tmp []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), dirPrefix) && strings.Contains(e.Name(), tmpInfix) {
			tmp = append(tmp, filepath.Join(s.dir, e.Name()))
		}
	}
	return tmp, nil
}

// isNotExist reports a missing file, for messages that say so plainly.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
