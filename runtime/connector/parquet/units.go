package parquet

import (
	"fmt"
	"os"
	"sync"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/format/jsonl"
)

// The workers of a partitioned job read a Parquet source by row groups
// (connector.UnitSplits): in each round worker w reads and decodes row
// group w of the round's, its own reader opening the files it needs; the
// row groups are dealt in input order, file by file, as one reader reads
// them. The source the job opened lists the units and keeps the counts.
var _ connector.UnitSplits = (*Source)(nil)

// unitCounts are what the readers of the workers counted, logged once by
// the source that made them (finish).
type unitCounts struct {
	mu         sync.Mutex
	read, skip int
}

// groups is the number of row groups of file fi (from its footer, read
// once); -1 when the footer cannot be read: the unit of that file is then
// its first row group, whose reader reports the error as one reader would.
func (s *Source) groups(fi int) int {
	if s.ngroups == nil {
		s.ngroups = make([]int, len(s.files))
		for i := range s.ngroups {
			s.ngroups[i] = -2
		}
	}
	if s.ngroups[fi] == -2 {
		s.ngroups[fi] = -1
		if st, err := os.Stat(s.files[fi]); err == nil {
			if r, err := openBounded(s.files[fi], st.Size()); err == nil {
				s.ngroups[fi] = r.NumRowGroups()
				r.Close()
			}
		}
	}
	return s.ngroups[fi]
}

func unitAt(at connector.Position) (fi, g int, row int64) {
	return int(at.Offsets["file"]), int(at.Offsets["row_group"]), at.Offsets["row"]
}

func (s *Source) unitPosition(fi, g int, row int64) connector.Position {
	p := connector.Position{Offsets: map[string]int64{"file": int64(fi), "row_group": int64(g), "row": row}}
	if fi < len(s.files) {
		p.Offsets["file_name_hash"] = nameHash(s.files[fi])
	}
	return p
}

// Units implements connector.UnitSplits: the row groups from at on, a
// group begun (a checkpoint of one reader mid-group) from its row.
func (s *Source) Units(at connector.Position, n int) ([]connector.Position, connector.Position, error) {
	fi, g, row := unitAt(at)
	var starts []connector.Position
	for fi < len(s.files) && len(starts) < n {
		c := s.groups(fi)
		if c < 0 {
			// unreadable: its reader fails on it, the units before it read
			starts = append(starts, s.unitPosition(fi, 0, 0))
			fi, g, row = len(s.files), 0, 0
			break
		}
		if g >= c {
			fi, g, row = fi+1, 0, 0
			continue
		}
		starts = append(starts, s.unitPosition(fi, g, row))
		g, row = g+1, 0
	}
	for fi < len(s.files) {
		if c := s.groups(fi); c >= 0 && g >= c {
			fi, g = fi+1, 0
			continue
		}
		break
	}
	return starts, s.unitPosition(fi, g, 0), nil
}

// UnitReader implements connector.UnitSplits: a source of the same files
// and options, reading the units it is given.
func (s *Source) UnitReader() (connector.UnitReader, error) {
	if s.counts == nil {
		s.counts = &unitCounts{}
	}
	r := &Source{env: s.env, name: s.name, files: s.files, columns: s.columns, timeCol: s.timeCol, pred: s.pred,
		prec: s.prec, scale: s.scale, skippedTime: s.skippedTime, parent: s.counts}
	r.intern = make([]jsonl.Interner, len(s.columns))
	return &unitReader{r}, nil
}

// unitReader is a worker's reader of row groups.
type unitReader struct{ s *Source }

// ReadUnit implements connector.UnitReader: the rows of one row group, as
// Next reads them (dead letters, errors and panics of damaged files alike).
func (u *unitReader) ReadUnit(at connector.Position, maxRows int, b *connector.LineBatch, batch func(*connector.LineBatch)) (err error) {
	s := u.s
	fi, g, row := unitAt(at)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("parquet source: %s row group %d: cannot read the file: %v", s.files[fi], s.group, r)
		}
	}()
	if maxRows < 1 {
		maxRows = 1
	}
	if fi >= len(s.files) {
		return nil
	}
	if s.r == nil || s.fi != fi {
		s.closeFile()
		s.fi = fi
		if err := s.openFile(); err != nil {
			return err
		}
	}
	s.group, s.resume, s.rg = g, row, nil
	if g >= s.r.NumRowGroups() {
		return nil
	}
	read, err := s.openGroup()
	if err != nil {
		return err
	}
	if !read {
		// skipped by its statistics: an empty batch moves the watermark
		// (and counts the rows) as one reader's next batch would
		b.Reset()
		bt, _ := b.Typed.(*Batch)
		if bt == nil {
			bt = &Batch{Columns: make([]Column, len(s.columns))}
		}
		for i := range bt.Columns {
			bt.Columns[i].reset()
		}
		bt.Len, bt.File, bt.Group, bt.FirstRow = 0, s.files[fi], g, 0
		bt.Skipped, bt.SkippedTime = s.skipped, s.skippedTime
		s.skipped = false
		b.Typed, b.TypedLen = bt, 0
		b.SkippedRecords, s.skippedRows = s.skippedRows, 0
		batch(b)
		return nil
	}
	for s.row < s.rows {
		b.Reset()
		if err := s.read(int(min(int64(maxRows), s.rows-s.row)), b); err != nil {
			return err
		}
		batch(b)
	}
	return nil
}

var _ connector.UnitRereader = (*unitReader)(nil)

// RereadUnit implements connector.UnitRereader: ReadUnit, the row groups it
// reads or skips not counted (they were when first read).
func (u *unitReader) RereadUnit(at connector.Position, maxRows int, b *connector.LineBatch, batch func(*connector.LineBatch)) error {
	s := u.s
	read, skip := s.groupsRead, s.groupsSkip
	defer func() { s.groupsRead, s.groupsSkip = read, skip }()
	return u.ReadUnit(at, maxRows, b, batch)
}

// Close implements connector.UnitReader, adding its counts to the source's.
func (u *unitReader) Close() error {
	s := u.s
	s.closeFile()
	if c := s.parent; c != nil {
		c.mu.Lock()
		c.read += s.groupsRead
		c.skip += s.groupsSkip
		c.mu.Unlock()
		s.groupsRead, s.groupsSkip = 0, 0
	}
	return nil
}
