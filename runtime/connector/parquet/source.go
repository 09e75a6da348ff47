// Package parquet is the Parquet connector (connector = 'parquet', or
// connector = 'file' with format = 'parquet'): a source reading Parquet
// files through arrow-go's column readers into typed column batches, and
// the Parquet writer of the partitioned file sink (runtime/connector/
// filesystem). It lives in a package of its own so that only jobs naming
// it link arrow-go: generated code imports it, its init registers it.
package parquet

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"
	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/connector/filesystem"
	"github.com/laminar-sql/laminar/runtime/decimal"
	"github.com/laminar-sql/laminar/runtime/errcode"
	"github.com/laminar-sql/laminar/runtime/format/jsonl"
	"github.com/laminar-sql/laminar/runtime/value"
)

// Options through which generated code tells a Parquet source what the
// planner decided (no user option has a dot in its name):
const (
	// SourceColumnsOption: the source's columns, a JSON array of
	// {"name", "type", "nullable", "read", "event_time"}: read tells that a
	// view reads the column (only those are decoded), event_time that it
	// is the watermark's column.
	SourceColumnsOption = "laminar.columns"
	// PredicateOption: the rows every view over the source drops unless
	// they pass it, as a JSON array (OR) of arrays (AND) of
	// {"col", "op", "int" | "str"}: column col (an index into the
	// columns) compared by op (=, <, <=, >, >=) with the value. Row groups
	// whose statistics show that no row can pass are skipped.
	PredicateOption = "laminar.predicate"
)

// SourceColumn is one entry of SourceColumnsOption.
type SourceColumn struct {
	Name      string `json:"name"`
	Type      string `json:"type"` // BIGINT, DOUBLE, VARCHAR, BOOLEAN, TIMESTAMP, DECIMAL(p,s)
	Nullable  bool   `json:"nullable"`
	Read      bool   `json:"read"`
	EventTime bool   `json:"event_time,omitempty"`
}

// Term is one comparison of PredicateOption.
type Term struct {
	Col int     `json:"col"`
	Op  string  `json:"op"`
	Int *int64  `json:"int,omitempty"` // BIGINT, TIMESTAMP (µs)
	Str *string `json:"str,omitempty"` // VARCHAR
}

// Source reads the rows of Parquet files in name order: a file, every
// *.parquet file under a directory, or those a glob pattern matches. It
// reads the row groups of each file in order, and of each row group only
// the columns the views read, through arrow-go's column chunk readers, into
// a Batch of plain Go slices (LineBatch.Typed): no row is encoded as text.
// Its position is (file, row group, row in the group); a restart resumes
// there, so recovery is exactly-once.
type Source struct {
	env     connector.Env
	name    string // the path option, for messages
	files   []string
	columns []SourceColumn
	timeCol int // -1 without watermark
	pred    [][]Term

	fi      int // current file
	r       *file.Reader
	size    int64 // of the current file
	fcols   []int // per source column: the file's column index (-1: not read)
	conv    []conv
	group   int // current row group
	rg      *file.RowGroupReader
	readers []file.ColumnChunkReader // per source column, nil when not read
	row     int64                    // next row in the group
	rows    int64                    // rows of the group
	resume  int64                    // rows to skip in the group opened next (a restart)

	skipped     bool // groups were skipped since the last batch
	skippedTime int64
	groupsRead  int
	groupsSkip  int
	skippedRows int64 // rows of skipped groups not yet reported (LineBatch.SkippedRecords)

	prec    []int // per source column: a DECIMAL's precision (0 for the other types)
	scale   []int // and its scale
	scratch scratch
	intern  []jsonl.Interner
	bad     []bool

	// the workers' row groups (units.go): the files' row group counts
	// (-2 not yet read), and the counts the workers' readers add to
	ngroups []int
	counts  *unitCounts
	parent  *unitCounts // of a worker's reader: its source's
}

// scratch holds the buffers column chunk readers decode into.
type scratch struct {
	defs  []int16
	i32   []int32
	i64   []int64
	f32   []float32
	f64   []float64
	bools []bool
	bytes []pq.ByteArray
	flba  []pq.FixedLenByteArray
	i96   []pq.Int96
}

// conv says how a file column becomes a SQL value.
type conv int

const (
	convNone conv = iota
	convInt64
	convInt32
	convUint32
	convUint64
	convFloat64
	convFloat32
	convString
	convBool
	convTimeMillis
	convTimeMicros
	convTimeNanos
	convInt96
	convDate
	// DECIMAL(p, s) from the file's DECIMAL of the same scale, by physical
	// type: the unscaled value as an INT32, an INT64, or big-endian two's
	// complement bytes (FIXED_LEN_BYTE_ARRAY, BYTE_ARRAY)
	convDecInt32
	convDecInt64
	convDecFixed
	convDecBytes
)

// decimalType reads "DECIMAL(p,s)", a SourceColumn's type of a DECIMAL.
func decimalType(t string) (p, s int, ok bool) {
	if _, err := fmt.Sscanf(t, "DECIMAL(%d,%d)", &p, &s); err != nil || p < 1 || p > decimal.MaxPrecision || s < 0 || s > p {
		return 0, 0, false
	}
	return p, s, true
}

// The connector 'parquet': this source, and the file sink of
// runtime/connector/filesystem with the Parquet writer (writer.go).
func init() {
	filesystem.RegisterFormat("parquet", ".parquet", newWriter)
	connector.Register("parquet", connector.Opener{Sink: openSink, Source: openSource})
}

func openSource(env connector.Env, options map[string]string, at connector.Position) (connector.Source, error) {
	path := options["path"]
	if path == "" {
		return nil, errors.New("parquet source: needs the option path (a file, a directory or a glob pattern)")
	}
	s := &Source{env: env, name: path, timeCol: -1}
	if err := json.Unmarshal([]byte(options[SourceColumnsOption]), &s.columns); err != nil || len(s.columns) == 0 {
		return nil, fmt.Errorf("parquet source %s: the job does not say the source's columns (%s)", path, SourceColumnsOption)
	}
	s.prec, s.scale = make([]int, len(s.columns)), make([]int, len(s.columns))
	for i, c := range s.columns {
		s.prec[i], s.scale[i], _ = decimalType(c.Type)
		if c.EventTime {
			s.timeCol = i
			s.columns[i].Read = true // the watermark needs it
		}
	}
	if p := options[PredicateOption]; p != "" {
		if err := json.Unmarshal([]byte(p), &s.pred); err != nil {
			return nil, fmt.Errorf("parquet source %s: bad %s: %w", path, PredicateOption, err)
		}
	}
	files, err := listFiles(env.Path(path))
	if err != nil {
		return nil, fmt.Errorf("parquet source: %w", err)
	}
	s.files = files
	s.intern = make([]jsonl.Interner, len(s.columns))
	s.skippedTime = math.MinInt64
	if at.Offsets != nil {
		if err := s.seek(at); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// listFiles expands the path option: a file; a directory, whose *.parquet
// files (in subdirectories too, Hive-style partitions) are read; or a glob
// pattern. Names starting with "." or "_" (temporary files, _SUCCESS) are
// left out of directories. The list is sorted by name.
func listFiles(p string) ([]string, error) {
	if strings.ContainsAny(p, "*?[") {
		m, err := filepath.Glob(p)
		if err != nil {
			return nil, fmt.Errorf("path %q: %w", p, err)
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("path %q matches no file", p)
		}
		slices.Sort(m)
		return m, nil
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{p}, nil
	}
	var out []string
	err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n := d.Name()
		if q != p && (strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(n, ".parquet") {
			out = append(out, q)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("directory %s holds no .parquet file", p)
	}
	slices.Sort(out)
	return out, nil
}

func nameHash(p string) int64 {
	h := fnv.New64a()
	h.Write([]byte(filepath.Base(p)))
	return int64(h.Sum64() >> 1)
}

// Position implements connector.Positioned: the next row to read, as the
// file (its index in the sorted list and a hash of its name, checked on
// resume), the row group and the row in the group.
func (s *Source) Position() connector.Position {
	p := connector.Position{Offsets: map[string]int64{"file": int64(s.fi), "row_group": int64(s.group), "row": s.row}}
	if s.fi < len(s.files) {
		p.Offsets["file_name_hash"] = nameHash(s.files[s.fi])
	}
	return p
}

func (s *Source) seek(at connector.Position) error {
	fi, g, row := int(at.Offsets["file"]), int(at.Offsets["row_group"]), at.Offsets["row"]
	if fi >= len(s.files) {
		s.fi = len(s.files) // read to the end before
		return nil
	}
	if h, ok := at.Offsets["file_name_hash"]; ok && h != nameHash(s.files[fi]) {
		return fmt.Errorf("parquet source %s: the checkpoint was taken in file %d of the list, which is now %s, another file: files before it were added or removed (the list is read in name order)", s.name, fi, s.files[fi])
	}
	s.fi, s.group, s.resume = fi, g, row
	return nil
}

// Close implements connector.Source.
func (s *Source) Close() error {
	if s.counts != nil {
		s.finish()
	}
	s.closeFile()
	return nil
}

func (s *Source) closeFile() {
	if s.r != nil {
		s.r.Close()
		s.r = nil
	}
	s.rg = nil
}

// openFile opens files[fi] and checks its schema against the source's.
func (s *Source) openFile() error {
	path := s.files[s.fi]
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("parquet source: %w", err)
	}
	r, err := openBounded(path, st.Size())
	if err != nil {
		return fmt.Errorf("parquet source: %s: %w", path, err)
	}
	s.size = st.Size()
	sc := r.MetaData().Schema
	s.fcols = make([]int, len(s.columns))
	s.conv = make([]conv, len(s.columns))
	for i, c := range s.columns {
		j := fileColumn(sc, c.Name)
		if j < 0 {
			r.Close()
			return errcode.Errorf(errcode.SourceSchema, "parquet source: %s has no column %s (the source declares %s %s)", path, c.Name, c.Name, c.Type)
		}
		col := sc.Column(j)
		cv, err := columnConv(col, c.Type)
		if err != nil {
			r.Close()
			return errcode.Errorf(errcode.SourceSchema, "parquet source: %s: column %s: %w", path, c.Name, err)
		}
		s.fcols[i], s.conv[i] = j, cv
	}
	s.r = r
	return nil
}

// columnConv checks that a file column can be read as SQL type t.
func columnConv(col *schema.Column, t string) (conv, error) {
	if col.MaxRepetitionLevel() > 0 {
		return 0, fmt.Errorf("is a repeated (list) column, which has no SQL type here")
	}
	if col.MaxDefinitionLevel() > 1 {
		return 0, fmt.Errorf("is nested in a group, which has no SQL type here")
	}
	lt := col.LogicalType()
	phys := col.PhysicalType()
	desc := phys.String()
	if lt != nil && !lt.Equals(schema.NoLogicalType{}) {
		desc += " (" + lt.String() + ")"
	}
	bad := func() (conv, error) {
		return 0, fmt.Errorf("is %s in the file, which cannot be read as %s", desc, t)
	}
	if dec, ok := lt.(schema.DecimalLogicalType); ok {
		fp, fs := int(dec.Precision()), int(dec.Scale())
		p, sc, isDec := decimalType(t)
		switch {
		case !isDec:
			return bad()
		case fs != sc:
			// never rescaled on the way in: a scale lost is a value rounded
			return 0, fmt.Errorf("is DECIMAL(%d,%d) in the file, whose scale %d is not the declared %s's %d (declare DECIMAL(%d,%d), and CAST it in a view if another scale is wanted)", fp, fs, fs, t, sc, max(p, fp), fs)
		case fp > p:
			return 0, fmt.Errorf("is DECIMAL(%d,%d) in the file, whose precision %d is more than the declared %s's %d (its values may not fit: declare DECIMAL(%d,%d))", fp, fs, fp, t, p, fp, fs)
		}
		switch phys {
		case pq.Types.Int32:
			return convDecInt32, nil
		case pq.Types.Int64:
			return convDecInt64, nil
		case pq.Types.FixedLenByteArray:
			if col.TypeLength() > 16 {
				return 0, fmt.Errorf("is %s in the file, %d bytes a value: more than a DECIMAL of 38 digits takes", desc, col.TypeLength())
			}
			return convDecFixed, nil
		case pq.Types.ByteArray:
			return convDecBytes, nil
		}
		return bad()
	}
	switch t {
	case "BIGINT":
		il, isInt := lt.(schema.IntLogicalType)
		if !isInt && lt != nil && !lt.Equals(schema.NoLogicalType{}) {
			return bad()
		}
		switch phys {
		case pq.Types.Int64:
			if isInt && !il.IsSigned() {
				return convUint64, nil
			}
			return convInt64, nil
		case pq.Types.Int32:
			if isInt && !il.IsSigned() {
				return convUint32, nil
			}
			return convInt32, nil
		}
	case "DOUBLE":
		switch phys {
		case pq.Types.Double:
			return convFloat64, nil
		case pq.Types.Float:
			return convFloat32, nil
		}
	case "VARCHAR":
		if phys == pq.Types.ByteArray {
			switch lt.(type) {
			case nil, schema.StringLogicalType, schema.NoLogicalType, schema.EnumLogicalType, schema.JSONLogicalType:
				return convString, nil
			}
		}
	case "BOOLEAN":
		if phys == pq.Types.Boolean {
			return convBool, nil
		}
	case "TIMESTAMP":
		switch phys {
		case pq.Types.Int64:
			if ts, ok := lt.(schema.TimestampLogicalType); ok {
				switch ts.TimeUnit() {
				case schema.TimeUnitMillis:
					return convTimeMillis, nil
				case schema.TimeUnitMicros:
					return convTimeMicros, nil
				case schema.TimeUnitNanos:
					return convTimeNanos, nil
				}
			}
		case pq.Types.Int96:
			return convInt96, nil
		case pq.Types.Int32:
			if _, ok := lt.(schema.DateLogicalType); ok {
				return convDate, nil
			}
		}
	default:
		if _, _, isDec := decimalType(t); isDec {
			return bad() // a DECIMAL is read from a DECIMAL column only
		}
		return 0, fmt.Errorf("has SQL type %s, which a Parquet source does not read", t)
	}
	return bad()
}

// Next implements connector.Source: up to maxLines rows of one row group.
// A file arrow-go cannot read (damaged, truncated) is an error naming it,
// also where arrow-go would panic on it.
func (s *Source) Next(b *connector.LineBatch, maxLines int) (more bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			where := s.name
			if s.fi < len(s.files) {
				where = s.files[s.fi]
			}
			more, err = false, fmt.Errorf("parquet source: %s row group %d: cannot read the file: %v", where, s.group, r)
		}
	}()
	b.Reset()
	if maxLines < 1 {
		maxLines = 1
	}
	for s.rg == nil || s.row >= s.rows {
		more, err := s.nextGroup()
		if err != nil {
			return false, err
		}
		if !more {
			s.finish()
			b.SkippedRecords, s.skippedRows = s.skippedRows, 0
			return false, nil
		}
	}
	n := min(int64(maxLines), s.rows-s.row)
	if err := s.read(int(n), b); err != nil {
		return false, err
	}
	return true, nil
}

func (s *Source) finish() {
	if c := s.counts; c != nil {
		// the workers' readers read the row groups (units.go)
		c.mu.Lock()
		s.groupsRead, s.groupsSkip = s.groupsRead+c.read, s.groupsSkip+c.skip
		c.read, c.skip = 0, 0
		c.mu.Unlock()
	}
	if s.groupsSkip > 0 {
		s.env.Log("parquet source %s: %d of %d row groups skipped by their statistics (the views' filters drop all their rows)", s.name, s.groupsSkip, s.groupsSkip+s.groupsRead)
		s.groupsSkip = 0
	}
}

// nextGroup moves to the next row group to read, skipping those the
// predicate rules out; false at the end of the last file.
func (s *Source) nextGroup() (bool, error) {
	if s.rg != nil {
		s.group++
		s.rg = nil
	}
	for s.fi < len(s.files) {
		if s.r == nil {
			if err := s.openFile(); err != nil {
				return false, err
			}
		}
		if s.group >= s.r.NumRowGroups() {
			s.closeFile()
			s.fi++
			s.group = 0
			continue
		}
		read, err := s.openGroup()
		if err != nil || read {
			return read, err
		}
		s.group++
	}
	return false, nil
}

// openGroup opens row group s.group of the open file for reading, at row
// s.resume, unless the predicate rules it out (false: skipped, counted).
func (s *Source) openGroup() (bool, error) {
	rg := s.r.RowGroup(s.group)
	if s.resume == 0 && s.canSkip(rg.MetaData()) {
		s.skippedRows += rg.NumRows()
		s.groupsSkip++
		return false, nil
	}
	s.groupsRead++
	s.rg, s.rows, s.row = rg, rg.NumRows(), 0
	s.readers = make([]file.ColumnChunkReader, len(s.columns))
	for i, c := range s.columns {
		if !c.Read {
			continue
		}
		cr, err := columnReader(s.r, rg, s.fcols[i], s.r.MetaData().Schema.Column(s.fcols[i]), s.size)
		if err != nil {
			return false, fmt.Errorf("parquet source: %s row group %d column %s: %w", s.files[s.fi], s.group, c.Name, err)
		}
		s.readers[i] = cr
	}
	if s.resume > 0 {
		if err := s.skipRows(s.resume); err != nil {
			return false, err
		}
		s.row, s.resume = s.resume, 0
	}
	return true, nil
}

func (s *Source) skipRows(n int64) error {
	for i, cr := range s.readers {
		if cr == nil {
			continue
		}
		var err error
		switch r := cr.(type) {
		case *file.Int32ColumnChunkReader:
			_, err = r.Skip(n)
		case *file.Int64ColumnChunkReader:
			_, err = r.Skip(n)
		case *file.Int96ColumnChunkReader:
			_, err = r.Skip(n)
		case *file.Float32ColumnChunkReader:
			_, err = r.Skip(n)
		case *file.Float64ColumnChunkReader:
			_, err = r.Skip(n)
		case *file.BooleanColumnChunkReader:
			_, err = r.Skip(n)
		case *file.ByteArrayColumnChunkReader:
			_, err = r.Skip(n)
		}
		if err != nil {
			return fmt.Errorf("parquet source: %s row group %d column %s: resuming at row %d: %w", s.files[s.fi], s.group, s.columns[i].Name, n, err)
		}
	}
	return nil
}

// canSkip tells whether no row of a row group can pass the predicate, by
// its columns' statistics, and no row of it would be a dead letter (a NULL
// in a NOT NULL column the views read). The event time's maximum then
// moves the watermark as the rows would have.
func (s *Source) canSkip(md *metadata.RowGroupMetaData) bool {
	if len(s.pred) == 0 || md.NumRows() == 0 {
		return len(s.pred) > 0 && md.NumRows() == 0
	}
	stat := func(i int) (lo, hi any, nulls int64, ok bool) {
		cc, err := md.ColumnChunk(s.fcols[i])
		if err != nil {
			return nil, nil, 0, false
		}
		if set, err := cc.StatsSet(); err != nil || !set {
			return nil, nil, 0, false
		}
		st, err := cc.Statistics()
		if err != nil || st == nil || !st.HasNullCount() {
			return nil, nil, 0, false
		}
		nulls = st.NullCount()
		if !st.HasMinMax() {
			return nil, nil, nulls, nulls == md.NumRows()
		}
		switch st := st.(type) {
		case *metadata.Int64Statistics:
			a, b := st.Min(), st.Max()
			switch s.conv[i] {
			case convInt64:
			case convTimeMillis:
				a, b = a*1000, b*1000
			case convTimeMicros:
			case convTimeNanos:
				a, b = a/1000, b/1000
			default:
				return nil, nil, nulls, false
			}
			return a, b, nulls, true
		case *metadata.Int32Statistics:
			switch s.conv[i] {
			case convInt32:
				return int64(st.Min()), int64(st.Max()), nulls, true
			case convDate:
				return int64(st.Min()) * 86_400_000_000, int64(st.Max()) * 86_400_000_000, nulls, true
			}
			return nil, nil, nulls, false
		case *metadata.ByteArrayStatistics:
			if s.conv[i] == convString {
				return string(st.Min()), string(st.Max()), nulls, true
			}
		}
		return nil, nil, nulls, false
	}
	for i, c := range s.columns {
		if c.Read && !c.Nullable {
			// of any type (a DECIMAL's min/max are not used): its NULLs
			nulls, ok := nullCount(md.ColumnChunk(s.fcols[i]))
			if !ok || nulls > 0 {
				return false
			}
		}
	}
	for _, conj := range s.pred {
		possible := true
		for _, t := range conj {
			if t.Col < 0 || t.Col >= len(s.columns) {
				return false
			}
			lo, hi, nulls, ok := stat(t.Col)
			if !ok {
				continue // unknown: the term may hold
			}
			if lo == nil { // every value NULL: no comparison holds
				possible = nulls < md.NumRows()
			} else if !termPossible(t, lo, hi) {
				possible = false
			}
			if !possible {
				break
			}
		}
		if possible {
			return false
		}
	}
	if s.timeCol >= 0 {
		_, hi, _, ok := stat(s.timeCol)
		t, isInt := hi.(int64)
		if !ok || !isInt {
			return false
		}
		s.skipped = true
		s.skippedTime = max(s.skippedTime, t)
	}
	return true
}

// termPossible tells whether some value in [lo, hi] passes t.
func termPossible(t Term, lo, hi any) bool {
	var c1, c2 int // compare(lo, v), compare(hi, v)
	switch l := lo.(type) {
	case int64:
		if t.Int == nil {
			return true
		}
		v := *t.Int
		c1, c2 = cmp3(l, v), cmp3(hi.(int64), v)
	case string:
		if t.Str == nil {
			return true
		}
		v := *t.Str
		c1, c2 = strings.Compare(l, v), strings.Compare(hi.(string), v)
	default:
		return true
	}
	switch t.Op {
	case "=":
		return c1 <= 0 && c2 >= 0
	case "<":
		return c1 < 0
	case "<=":
		return c1 <= 0
	case ">":
		return c2 > 0
	case ">=":
		return c2 >= 0
	}
	return true
}

func cmp3(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// read decodes the next n rows of the group into the batch; rows with a
// NULL in a NOT NULL column or a value out of range go to b.Rejected.
func (s *Source) read(n int, b *connector.LineBatch) error {
	// the batch belongs to b (the job reads ahead while it processes the
	// batch before), reused from one Next to the next
	bt, _ := b.Typed.(*Batch)
	if bt == nil {
		bt = &Batch{Columns: make([]Column, len(s.columns))}
	}
	bt.Len, bt.File, bt.Group, bt.FirstRow = 0, s.files[s.fi], s.group, s.row
	bt.Skipped, bt.SkippedTime = s.skipped, s.skippedTime
	s.skipped = false
	s.bad = slices.Grow(s.bad[:0], n)[:n]
	clear(s.bad)
	anyBad := false
	var reasons []string // per row, only when bad
	for i, c := range s.columns {
		col := &bt.Columns[i]
		col.reset()
		if !c.Read {
			continue
		}
		bad, err := s.readColumn(i, n, col)
		if err != nil {
			return fmt.Errorf("parquet source: %s row group %d column %s: %w", bt.File, bt.Group, c.Name, err)
		}
		for r, why := range bad {
			if why == "" {
				continue
			}
			if reasons == nil {
				reasons = make([]string, n)
			}
			if !s.bad[r] {
				reasons[r] = fmt.Sprintf("column %s: %s", c.Name, why)
			}
			s.bad[r], anyBad = true, true
		}
	}
	s.row += int64(n)
	if anyBad {
		s.reject(bt, n, reasons, b)
		n -= countTrue(s.bad)
	}
	bt.Len = n
	b.Typed = bt
	b.SkippedRecords, s.skippedRows = s.skippedRows, 0
	b.TypedLen = n
	return nil
}

func countTrue(b []bool) int {
	n := 0
	for _, x := range b {
		if x {
			n++
		}
	}
	return n
}

// reject moves the bad rows out of the batch into b.Rejected, each with its
// file, row group and row, and the row's values read so far as a JSON
// object.
func (s *Source) reject(bt *Batch, n int, reasons []string, b *connector.LineBatch) {
	for r := range n {
		if !s.bad[r] {
			continue
		}
		row := bt.FirstRow + int64(r)
		rec := map[string]any{}
		for i, c := range s.columns {
			if c.Read {
				v := bt.Columns[i].at(r)
				switch x := v.(type) {
				case int64:
					if s.prec[i] > 0 {
						v = json.Number(decimal.String(x, s.scale[i]))
					}
				case decimal.Int128:
					v = json.Number(decimal.String128(x, s.scale[i]))
				}
				rec[c.Name] = v
			}
		}
		text, _ := json.Marshal(rec)
		b.Rejected = append(b.Rejected, connector.Rejected{Line: s.fileRow(row) + 1, Offset: s.fileRow(row), Partition: -1, Record: text,
			Err: fmt.Errorf("%s row group %d row %d (row %d of the file): %s", bt.File, bt.Group, row, s.fileRow(row), reasons[r])})
	}
	keep := func(col []int64) []int64 { return compact(col, s.bad) }
	for i := range bt.Columns {
		c := &bt.Columns[i]
		c.Int64 = keep(c.Int64)
		c.Float64 = compact(c.Float64, s.bad)
		c.String = compact(c.String, s.bad)
		c.Bool = compact(c.Bool, s.bad)
		c.NullInt64 = compact(c.NullInt64, s.bad)
		c.NullFloat64 = compact(c.NullFloat64, s.bad)
		c.NullString = compact(c.NullString, s.bad)
		c.NullBool = compact(c.NullBool, s.bad)
		c.Int128 = compact(c.Int128, s.bad)
		c.NullInt128 = compact(c.NullInt128, s.bad)
	}
}

// fileRow is the index in the file of row `row` of the current group.
func (s *Source) fileRow(row int64) int64 {
	var before int64
	for g := range s.group {
		before += s.r.MetaData().RowGroup(g).NumRows()
	}
	return before + row
}

func compact[T any](xs []T, bad []bool) []T {
	if len(xs) == 0 {
		return xs
	}
	out := xs[:0]
	for i, x := range xs {
		if !bad[i] {
			out = append(out, x)
		}
	}
	return out
}

// at is row r's value, for a dead letter.
func (c *Column) at(r int) any {
	switch {
	case r < len(c.Int64):
		return c.Int64[r]
	case r < len(c.Float64):
		return c.Float64[r]
	case r < len(c.String):
		return c.String[r]
	case r < len(c.Bool):
		return c.Bool[r]
	case r < len(c.NullInt64):
		return nullAny(c.NullInt64[r])
	case r < len(c.NullFloat64):
		return nullAny(c.NullFloat64[r])
	case r < len(c.NullString):
		return nullAny(c.NullString[r])
	case r < len(c.NullBool):
		return nullAny(c.NullBool[r])
	case r < len(c.Int128):
		return c.Int128[r]
	case r < len(c.NullInt128):
		return nullAny(c.NullInt128[r])
	}
	return nil
}

func nullAny[T any](v value.Null[T]) any {
	if !v.Valid {
		return nil
	}
	return v.V
}

// readN reads n rows of a column chunk: the non-NULL values, packed, and,
// for an optional column, the definition level of every row. It reads page
// by page (ReadBatchInPage) and stops at a read that makes no progress:
// arrow-go's ReadBatch loops forever on a page whose values do not decode.
func readN[T any](n int, maxDef int16, defBuf *[]int16, buf *[]T, rb func(int64, []T, []int16, []int16) (int64, int, error)) ([]T, []int16, error) {
	vals := slices.Grow((*buf)[:0], n)[:n]
	var defs []int16
	if maxDef > 0 {
		defs = slices.Grow((*defBuf)[:0], n)[:n]
	}
	levels, got := 0, 0
	for levels < n {
		var d []int16
		if defs != nil {
			d = defs[levels:]
		}
		l, v, err := rb(int64(n-levels), vals[got:], d, nil)

		if err != nil {
			return nil, nil, err
		}
		if l == 0 {
			return nil, nil, fmt.Errorf("the column chunk ended after %d of the row group's rows", levels)
		}
		if defs == nil {
			v = int(l)
		}
		levels += int(l)
		got += v
	}
	*buf, *defBuf = vals, defs
	return vals[:got], defs, nil
}

// spread turns packed values and definition levels into a column of n
// rows: NOT NULL (out) or nullable (nout). bad is set, per row, for a NULL
// in a NOT NULL column or a value conv refuses.
func spread[T, U any](n int, maxDef int16, vals []T, defs []int16, nullable bool, out *[]U, nout *[]value.Null[U], bad *[]string, cv func(T) (U, bool)) {
	k := 0
	if nullable {
		o := slices.Grow((*nout)[:0], n)
		for r := range n {
			if defs != nil && defs[r] < maxDef {
				o = append(o, value.Null[U]{})
				continue
			}
			u, ok := cv(vals[k])
			k++
			if !ok {
				setBad(bad, n, r, "value out of range")
			}
			o = append(o, value.Null[U]{V: u, Valid: ok})
		}
		*nout = o
		return
	}
	o := slices.Grow((*out)[:0], n)
	for r := range n {
		if defs != nil && defs[r] < maxDef {
			var zero U
			o = append(o, zero)
			setBad(bad, n, r, "NULL in a NOT NULL column")
			continue
		}
		u, ok := cv(vals[k])
		k++
		if !ok {
			setBad(bad, n, r, "value out of range")
		}
		o = append(o, u)
	}
	*out = o
}

func setBad(bad *[]string, n, r int, why string) {
	if *bad == nil {
		*bad = make([]string, n)
	}
	(*bad)[r] = why
}

func same[T any](v T) (T, bool) { return v, true }

// readColumn reads n rows of source column i into col.
func (s *Source) readColumn(i, n int, col *Column) ([]string, error) {
	c := s.columns[i]
	cr := s.readers[i]
	maxDef := cr.Descriptor().MaxDefinitionLevel()
	sc := &s.scratch
	var bad []string
	var err error
	if p := s.prec[i]; p > 0 {
		switch r := cr.(type) {
		case *file.Int32ColumnChunkReader:
			err = readDecimal(n, maxDef, c.Nullable, p, &sc.defs, &sc.i32, r.ReadBatchInPage, col, &bad, func(v int32) (decimal.Int128, bool) { return decimal.From64(int64(v)), true })
		case *file.Int64ColumnChunkReader:
			err = readDecimal(n, maxDef, c.Nullable, p, &sc.defs, &sc.i64, r.ReadBatchInPage, col, &bad, func(v int64) (decimal.Int128, bool) { return decimal.From64(v), true })
		case *file.FixedLenByteArrayColumnChunkReader:
			err = readDecimal(n, maxDef, c.Nullable, p, &sc.defs, &sc.flba, r.ReadBatchInPage, col, &bad, func(v pq.FixedLenByteArray) (decimal.Int128, bool) { return bigEndian128(v) })
		case *file.ByteArrayColumnChunkReader:
			err = readDecimal(n, maxDef, c.Nullable, p, &sc.defs, &sc.bytes, r.ReadBatchInPage, col, &bad, func(v pq.ByteArray) (decimal.Int128, bool) { return bigEndian128(v) })
		default:
			return nil, fmt.Errorf("no DECIMAL reader for physical type %s", cr.Type())
		}
		return bad, err
	}
	switch r := cr.(type) {
	case *file.Int64ColumnChunkReader:
		if cv := s.conv[i]; cv == convInt64 || cv == convTimeMicros {
			// the values are the column's: decoded in place when NOT NULL
			if !c.Nullable {
				vals, defs, err := readN(n, maxDef, &sc.defs, &col.Int64, r.ReadBatchInPage)
				if err != nil {
					return nil, err
				}
				if len(vals) == n {
					col.Int64 = vals
					return nil, nil
				}
				sc.i64 = append(sc.i64[:0], vals...)
				spread(n, maxDef, sc.i64, defs, false, &col.Int64, &col.NullInt64, &bad, same[int64])
				return bad, nil
			}
			vals, defs, err := readN(n, maxDef, &sc.defs, &sc.i64, r.ReadBatchInPage)
			if err != nil {
				return nil, err
			}
			col.NullInt64 = spreadNull(n, maxDef, vals, defs, col.NullInt64)
			return nil, nil
		}
		var vals []int64
		var defs []int16
		if vals, defs, err = readN(n, maxDef, &sc.defs, &sc.i64, r.ReadBatchInPage); err != nil {
			return nil, err
		}
		cv := same[int64]
		switch s.conv[i] {
		case convUint64:
			cv = func(v int64) (int64, bool) { return v, v >= 0 }
		case convTimeMillis:
			cv = func(v int64) (int64, bool) {
				if v > math.MaxInt64/1000 || v < math.MinInt64/1000 {
					return 0, false
				}
				return v * 1000, true
			}
		case convTimeNanos:
			cv = func(v int64) (int64, bool) { return value.FloorDiv(v, 1000), true }
		}
		spread(n, maxDef, vals, defs, c.Nullable, &col.Int64, &col.NullInt64, &bad, cv)
	case *file.Int32ColumnChunkReader:
		var vals []int32
		var defs []int16
		if vals, defs, err = readN(n, maxDef, &sc.defs, &sc.i32, r.ReadBatchInPage); err != nil {
			return nil, err
		}
		cv := func(v int32) (int64, bool) { return int64(v), true }
		switch s.conv[i] {
		case convUint32:
			cv = func(v int32) (int64, bool) { return int64(uint32(v)), true }
		case convDate:
			cv = func(v int32) (int64, bool) { return int64(v) * 86_400_000_000, true }
		}
		spread(n, maxDef, vals, defs, c.Nullable, &col.Int64, &col.NullInt64, &bad, cv)
	case *file.Int96ColumnChunkReader:
		var vals []pq.Int96
		var defs []int16
		if vals, defs, err = readN(n, maxDef, &sc.defs, &sc.i96, r.ReadBatchInPage); err != nil {
			return nil, err
		}
		spread(n, maxDef, vals, defs, c.Nullable, &col.Int64, &col.NullInt64, &bad, func(v pq.Int96) (int64, bool) { return v.ToTime().UnixMicro(), true })
	case *file.Float64ColumnChunkReader:
		var vals []float64
		var defs []int16
		if vals, defs, err = readN(n, maxDef, &sc.defs, &sc.f64, r.ReadBatchInPage); err != nil {
			return nil, err
		}
		switch {
		case c.Nullable:
			col.NullFloat64 = spreadNull(n, maxDef, vals, defs, col.NullFloat64)
		case len(vals) == n:
			col.Float64 = append(col.Float64[:0], vals...)
		default:
			spread(n, maxDef, vals, defs, false, &col.Float64, &col.NullFloat64, &bad, same[float64])
		}
	case *file.Float32ColumnChunkReader:
		var vals []float32
		var defs []int16
		if vals, defs, err = readN(n, maxDef, &sc.defs, &sc.f32, r.ReadBatchInPage); err != nil {
			return nil, err
		}
		spread(n, maxDef, vals, defs, c.Nullable, &col.Float64, &col.NullFloat64, &bad, func(v float32) (float64, bool) { return float64(v), true })
	case *file.BooleanColumnChunkReader:
		var vals []bool
		var defs []int16
		if vals, defs, err = readN(n, maxDef, &sc.defs, &sc.bools, r.ReadBatchInPage); err != nil {
			return nil, err
		}
		spread(n, maxDef, vals, defs, c.Nullable, &col.Bool, &col.NullBool, &bad, same[bool])
	case *file.ByteArrayColumnChunkReader:
		var vals []pq.ByteArray
		var defs []int16
		if vals, defs, err = readN(n, maxDef, &sc.defs, &sc.bytes, r.ReadBatchInPage); err != nil {
			return nil, err
		}
		in := &s.intern[i]
		spread(n, maxDef, vals, defs, c.Nullable, &col.String, &col.NullString, &bad, func(v pq.ByteArray) (string, bool) { return in.Bytes(v), true })
	default:
		return nil, fmt.Errorf("no reader for physical type %s", cr.Type())
	}
	return bad, nil
}

// spreadNull is spread for a nullable column whose values need no
// conversion: a plain loop, without a call per value.
func spreadNull[T any](n int, maxDef int16, vals []T, defs []int16, out []value.Null[T]) []value.Null[T] {
	out = slices.Grow(out[:0], n)[:n]
	if defs == nil {
		for r, v := range vals[:n] {
			out[r] = value.Null[T]{V: v, Valid: true}
		}
		return out
	}
	k := 0
	for r := range out {
		if defs[r] < maxDef {
			out[r] = value.Null[T]{}
			continue
		}
		out[r] = value.Null[T]{V: vals[k], Valid: true}
		k++
	}
	return out
}

// readDecimal reads n rows of a DECIMAL(p, s) column whose values wide
// gives as 128-bit unscaled numbers (the file's scale is the column's):
// into Int64 for p <= 18, else Int128. A value with more than p digits
// (a damaged file: its declared precision is at most p) is a bad value.
func readDecimal[T any](n int, maxDef int16, nullable bool, p int, defBuf *[]int16, buf *[]T, rb func(int64, []T, []int16, []int16) (int64, int, error), col *Column, bad *[]string, wide func(T) (decimal.Int128, bool)) error {
	vals, defs, err := readN(n, maxDef, defBuf, buf, rb)
	if err != nil {
		return err
	}
	if p > 18 {
		spread(n, maxDef, vals, defs, nullable, &col.Int128, &col.NullInt128, bad, func(v T) (decimal.Int128, bool) {
			x, ok := wide(v)
			return x, ok && decimal.Fits128(x, p)
		})
		return nil
	}
	spread(n, maxDef, vals, defs, nullable, &col.Int64, &col.NullInt64, bad, func(v T) (int64, bool) {
		x, ok := wide(v)
		u, fits := x.Int64()
		return u, ok && fits && decimal.Fits(u, p)
	})
	return nil
}

// bigEndian128 reads a DECIMAL's unscaled value stored as big-endian two's
// complement bytes (Parquet's FIXED_LEN_BYTE_ARRAY and BYTE_ARRAY
// decimals); false for no bytes or a value beyond 128 bits.
func bigEndian128(b []byte) (decimal.Int128, bool) {
	if len(b) == 0 {
		return decimal.Int128{}, false
	}
	neg := b[0]&0x80 != 0
	for len(b) > 16 { // sign bytes only may go
		if (b[0] != 0 || b[1]&0x80 != 0) && (b[0] != 0xff || b[1]&0x80 == 0) {
			return decimal.Int128{}, false
		}
		b = b[1:]
	}
	var hi, lo uint64
	if neg {
		hi, lo = ^uint64(0), ^uint64(0)
	}
	for _, c := range b {
		hi = hi<<8 | lo>>56
		lo = lo<<8 | uint64(c)
	}
	return decimal.Int128{Hi: int64(hi), Lo: lo}, true
}
