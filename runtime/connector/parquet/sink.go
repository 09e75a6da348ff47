// Package parquet is the Parquet sink (connector = 'parquet'): a view's
// rows as Parquet files in a directory, optionally partitioned by columns
// (Hive style, dt=.../hm=...), exactly-once with the job's checkpoints. It
// lives in a package of its own so that only jobs naming it link arrow-go:
// generated code imports it, its init registers it.
package parquet

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"
	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/decimal"
	"github.com/laminar-sql/laminar/runtime/fsys"
	"github.com/laminar-sql/laminar/runtime/value"
)

func init() {
	connector.Register("parquet", connector.Opener{Sink: openSink})
}

// ColumnsOption is the option through which generated code tells the sink
// the view's columns and SQL types (a JSON array of {"name", "type",
// "nullable"}); no user option can have a dot in its name.
const ColumnsOption = "laminar.columns"

type column struct {
	Name     string `json:"name"`
	Type     string `json:"type"` // BIGINT, DOUBLE, VARCHAR, BOOLEAN, TIMESTAMP
	Nullable bool   `json:"nullable"`
}

// Sink buffers the rows of an epoch by partition and writes them as one
// Parquet file per partition and epoch:
//
//   - Prepare writes the files into "<tempDir>/epoch-<e>/", fsynced, and
//     returns the epoch's list of files for the checkpoint;
//   - Commit (once the checkpoint is durable) renames each into
//     "<path>/<k1=v1>/.../part-<e>.parquet": a partition's files of an epoch
//     appear whole, never half written; a file already moved is skipped, so
//     Commit is idempotent;
//   - Recover commits the checkpoint's epoch if its files are still in the
//     temp dir and drops the temp files of later epochs, which the job
//     writes again.
//
// Without a state dir the files go straight to path at Close, or when a
// partition has rows_per_file rows (at-least-once: a crash leaves what was
// written).
type Sink struct {
	path        string
	tempDir     string // "" without exactly-once
	columns     []column
	schema      *schema.GroupNode
	partitionBy []int // column indexes
	rowsPerFile int
	rollingSize int64            // bytes of values a file holds at most (0: no limit)
	rollover    time.Duration    // rollover_interval: how long a file stays open at most (0: no limit)
	format      string           // of the files: parquet, csv or json (JSON lines)
	ext         string           // ".parquet", ".csv" or ".json"
	buffered    map[string]*part // by partition directory
	seq         int              // files written (rolled, or without exactly-once)

	// partition commit (partition_commit = 'success-file'): a _SUCCESS
	// file in each partition once it is complete
	success  bool
	partTime string // partition_time: the pattern of a partition's time ("$dt $hm:00"); "" commits at every epoch
	delay    int64  // partition_commit_delay, µs
	wm       int64  // the watermark (WatermarkSink)
	prepWM   map[uint64]int64
	err      error           // of a partition commit without exactly-once, reported by Write or Close
	pending  map[string]bool // partition directories with files, not yet complete
}

type part struct {
	dir    string
	rows   [][]json.RawMessage // column values, in columns' order
	bytes  int64               // the values' bytes, for rolling_size
	opened time.Time           // when its first buffered row came, for rollover_interval
}

// prepared is what Prepare returns for the checkpoint.
type prepared struct {
	Files     []string `json:"files"`
	Watermark int64    `json:"watermark"`
}

func openSink(env connector.Env, options map[string]string, exactlyOnce bool, tempDir string) (connector.Sink, error) {
	path := options["path"]
	if path == "" {
		return nil, errors.New("parquet sink: needs the option path (a directory)")
	}
	s := &Sink{path: env.Path(path), buffered: map[string]*part{}, rowsPerFile: 1_000_000, wm: math.MinInt64,
		prepWM: map[uint64]int64{}, pending: map[string]bool{}}
	if exactlyOnce {
		s.tempDir = tempDir
	}
	if err := json.Unmarshal([]byte(options[ColumnsOption]), &s.columns); err != nil || len(s.columns) == 0 {
		return nil, fmt.Errorf("parquet sink: the job does not say the view's columns (%s)", ColumnsOption)
	}
	if v := options["rows_per_file"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("parquet sink: rows_per_file %q is not a positive number", v)
		}
		s.rowsPerFile = n
	}
	switch s.format = options["format"]; s.format {
	case "", "parquet":
		s.format, s.ext = "parquet", ".parquet"
	case "csv", "json":
		s.ext = "." + s.format
	default:
		return nil, fmt.Errorf("parquet sink: format %q: the sink writes parquet, csv or json files", s.format)
	}
	if v := options["rollover_interval"]; v != "" {
		d, err := parseDelay(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("parquet sink: rollover_interval %q is not a positive duration such as '1 min'", v)
		}
		s.rollover = d
	}
	if v := options["rolling_size"]; v != "" {
		n, err := parseSize(v)
		if err != nil {
			return nil, fmt.Errorf("parquet sink: rolling_size %q: %w", v, err)
		}
		s.rollingSize = n
	}
	switch v := options["partition_commit"]; v {
	case "":
	case "success-file":
		s.success = true
	default:
		return nil, fmt.Errorf("parquet sink: partition_commit %q: the policy is 'success-file' (a _SUCCESS file in each complete partition)", v)
	}
	s.partTime = options["partition_time"]
	if v := options["partition_commit_delay"]; v != "" {
		d, err := parseDelay(v)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("parquet sink: partition_commit_delay %q is not a duration such as '1 min'", v)
		}
		s.delay = d.Microseconds()
	}
	for _, name := range strings.Split(options["partitioned_by"], ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		i := slices.IndexFunc(s.columns, func(c column) bool { return c.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("parquet sink: partitioned_by names %q, which is not a column of the view", name)
		}
		s.partitionBy = append(s.partitionBy, i)
	}
	var fields schema.FieldList
	for ci, c := range s.columns {
		if slices.Contains(s.partitionBy, ci) {
			continue // in the directory name, as Hive and Spark expect
		}
		n, err := parquetNode(c)
		if err != nil {
			return nil, fmt.Errorf("parquet sink: column %s: %w", c.Name, err)
		}
		fields = append(fields, n)
	}
	root, err := schema.NewGroupNode("schema", pq.Repetitions.Required, fields, -1)
	if err != nil {
		return nil, fmt.Errorf("parquet sink: %w", err)
	}
	s.schema = root
	if s.partTime != "" {
		if len(s.partitionBy) == 0 {
			return nil, errors.New("parquet sink: partition_time needs partitioned_by (the partition columns it names as $col)")
		}
		if _, err := s.partitionTime(s.partitionDirOf(map[string]string{})); err == nil || !strings.Contains(s.partTime, "$") {
			return nil, fmt.Errorf("parquet sink: partition_time %q names no partition column ($col)", s.partTime)
		}
	}
	if err := os.MkdirAll(s.path, 0o755); err != nil {
		return nil, err
	}
	return s, nil
}

// parquetNode is the Parquet column of a view column: BIGINT int64,
// DOUBLE double, VARCHAR a string, BOOLEAN, TIMESTAMP int64 timestamp(µs,
// UTC), DECIMAL(p,s) decimal(p,s) (int64, or 16 bytes past 18 digits);
// optional when the column is nullable.
func parquetNode(c column) (schema.Node, error) {
	rep := pq.Repetitions.Required
	if c.Nullable {
		rep = pq.Repetitions.Optional
	}
	switch c.Type {
	case "BIGINT":
		return schema.NewInt64Node(c.Name, rep, -1), nil
	case "DOUBLE":
		return schema.NewFloat64Node(c.Name, rep, -1), nil
	case "VARCHAR":
		return schema.NewPrimitiveNodeLogical(c.Name, rep, schema.StringLogicalType{}, pq.Types.ByteArray, -1, -1)
	case "BOOLEAN":
		return schema.NewBooleanNode(c.Name, rep, -1), nil
	case "TIMESTAMP":
		return schema.NewPrimitiveNodeLogical(c.Name, rep, schema.NewTimestampLogicalType(true, schema.TimeUnitMicros), pq.Types.Int64, -1, -1)
	}
	if p, sc, ok := decimalType(c.Type); ok {
		// DECIMAL(p, s): the unscaled value, an INT64 up to 18 digits,
		// else 16 big-endian two's complement bytes
		lt := schema.NewDecimalLogicalType(int32(p), int32(sc))
		if p <= 18 {
			return schema.NewPrimitiveNodeLogical(c.Name, rep, lt, pq.Types.Int64, -1, -1)
		}
		return schema.NewPrimitiveNodeLogical(c.Name, rep, lt, pq.Types.FixedLenByteArray, 16, -1)
	}
	return nil, fmt.Errorf("type %s has no Parquet column here", c.Type)
}

// Write buffers whole lines of JSON rows.
func (s *Sink) Write(p []byte) error {
	if s.err != nil {
		return s.err
	}
	for len(p) > 0 {
		line := p
		if i := bytes.IndexByte(p, '\n'); i >= 0 {
			line, p = p[:i], p[i+1:]
		} else {
			p = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(line, &obj); err != nil {
			return fmt.Errorf("parquet sink: row %.200q: %w", line, err)
		}
		if op, ok := obj["_op"]; ok && string(op) != `"+"` {
			return errors.New("parquet sink: the view is updating: Parquet files take append-only rows (a retraction cannot be written)")
		}
		vals := make([]json.RawMessage, len(s.columns))
		for i, c := range s.columns {
			vals[i] = obj[c.Name]
		}
		dir, err := s.partitionDir(vals)
		if err != nil {
			return err
		}
		pt := s.buffered[dir]
		if pt == nil {
			pt = &part{dir: dir}
			s.buffered[dir] = pt
		}
		if len(pt.rows) == 0 {
			pt.opened = time.Now()
		}
		pt.rows = append(pt.rows, vals)
		for _, v := range vals {
			pt.bytes += int64(len(v))
		}
		full := s.rollingSize > 0 && pt.bytes >= s.rollingSize || s.rollover > 0 && time.Since(pt.opened) >= s.rollover
		switch {
		case s.tempDir == "" && (full || len(pt.rows) >= s.rowsPerFile):
			if err := s.writeDirect(pt); err != nil {
				return err
			}
		case s.tempDir != "" && full:
			if err := s.roll(pt); err != nil {
				return err
			}
		}
	}
	return nil
}

// partitionDir is the Hive-style directory of a row's partition values.
func (s *Sink) partitionDir(vals []json.RawMessage) (string, error) {
	var parts []string
	for _, i := range s.partitionBy {
		v := "__HIVE_DEFAULT_PARTITION__"
		if raw := vals[i]; len(raw) > 0 && string(raw) != "null" {
			var x any
			if err := json.Unmarshal(raw, &x); err != nil {
				return "", err
			}
			v = fmt.Sprint(x)
			if str, ok := x.(string); ok {
				v = str
			}
			v = url.PathEscape(v)
		}
		parts = append(parts, s.columns[i].Name+"="+v)
	}
	return filepath.Join(parts...), nil
}

// Flush does nothing: files are written per epoch (Prepare) or per
// rows_per_file rows.
func (s *Sink) Flush() error { return nil }

func (s *Sink) writeDirect(pt *part) error {
	s.seq++
	name := fmt.Sprintf("part-%s-%d%s", time.Now().UTC().Format("20060102T150405"), s.seq, s.ext)
	dir := filepath.Join(s.path, pt.dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := s.writeFile(tmp, pt.rows); err != nil {
		return err
	}
	pt.rows, pt.bytes = pt.rows[:0], 0
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	s.pending[pt.dir] = true
	return s.markComplete(s.wm)
}

// openDir holds the files of the current epoch rolled before its Prepare
// (rolling_size): renamed into the epoch's directory by Prepare.
func (s *Sink) openDir() string { return filepath.Join(s.tempDir, "open") }

// roll writes a partition's buffered rows as a file of the current epoch
// (exactly-once, rolling_size): into the open directory, moved with the
// epoch's other files by Prepare.
func (s *Sink) roll(pt *part) error {
	s.seq++
	p := filepath.Join(s.openDir(), pt.dir, fmt.Sprintf("roll-%06d%s", s.seq, s.ext))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := s.writeFile(p, pt.rows); err != nil {
		return err
	}
	pt.rows, pt.bytes = pt.rows[:0], 0
	return nil
}

// parseDelay reads a duration as Flink writes it ('1 min', '30 s',
// '2 hours') or as Go does ('1m30s').
func parseDelay(v string) (time.Duration, error) {
	num, unit, _ := strings.Cut(strings.TrimSpace(v), " ")
	units := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
		"min": time.Minute, "minute": time.Minute, "minutes": time.Minute, "h": time.Hour, "hour": time.Hour, "hours": time.Hour,
		"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour}
	if u, ok := units[strings.ToLower(strings.TrimSpace(unit))]; ok {
		n, err := strconv.ParseInt(num, 10, 64)
		return time.Duration(n) * u, err
	}
	return time.ParseDuration(strings.ReplaceAll(v, " ", ""))
}

// parseSize reads a byte size: 1048576, '128MB', '64 KiB', '1GB'.
func parseSize(v string) (int64, error) {
	t := strings.ToUpper(strings.ReplaceAll(v, " ", ""))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSuffix(t, u.suffix), u.m
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 1 {
		return 0, errors.New("not a positive size such as '128MB'")
	}
	return n * mult, nil
}

// Watermark implements connector.WatermarkSink.
func (s *Sink) Watermark(us int64) {
	s.wm = us
	if s.tempDir == "" {
		if err := s.markComplete(us); err != nil {
			s.err = err
		}
	}
}

// partitionDirOf is the directory of partition values by column name.
func (s *Sink) partitionDirOf(vals map[string]string) string {
	var parts []string
	for _, i := range s.partitionBy {
		parts = append(parts, s.columns[i].Name+"="+url.PathEscape(vals[s.columns[i].Name]))
	}
	return filepath.Join(parts...)
}

// partitionTime is the time of a partition by partition_time: its pattern
// with each $col replaced by the partition's value of col, read as a
// timestamp ('2024-01-01 10:05:00').
func (s *Sink) partitionTime(dir string) (int64, error) {
	text := s.partTime
	segs := strings.Split(filepath.ToSlash(dir), "/")
	// longest names first, so that $dt does not replace the start of $dtx
	idx := slices.Clone(s.partitionBy)
	sort.Slice(idx, func(a, b int) bool { return len(s.columns[idx[a]].Name) > len(s.columns[idx[b]].Name) })
	for _, i := range idx {
		name := s.columns[i].Name
		v := ""
		for _, seg := range segs {
			if k, val, ok := strings.Cut(seg, "="); ok && k == name {
				v, _ = url.PathUnescape(val)
			}
		}
		text = strings.ReplaceAll(text, "$"+name, v)
	}
	us, ok := value.ParseTimestamp(text)
	if !ok {
		return 0, fmt.Errorf("partition %s: partition_time %q gives %q, which is not a timestamp", dir, s.partTime, text)
	}
	return us, nil
}

// markComplete writes _SUCCESS into every pending partition that is
// complete at watermark wm: without partition_time every partition with
// new files is (the files were just committed); with it, those whose
// time plus partition_commit_delay the watermark has reached. A partition
// whose values give no time is reported as an error.
func (s *Sink) markComplete(wm int64) error {
	if !s.success {
		return nil
	}
	dirs := make([]string, 0, len(s.pending))
	for d := range s.pending {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		if s.partTime != "" {
			t, err := s.partitionTime(d)
			if err != nil {
				return fmt.Errorf("parquet sink: %w", err)
			}
			if wm < t+s.delay || wm == math.MinInt64 {
				continue
			}
		}
		p := filepath.Join(s.path, d, "_SUCCESS")
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			return fmt.Errorf("parquet sink: partition commit: %w", err)
		}
		if err := (fsys.OS{}).SyncDir(filepath.Dir(p)); err != nil {
			return err
		}
		delete(s.pending, d)
	}
	return nil
}

// writeFile writes rows as one Parquet file (snappy, one row group),
// fsynced. It uses arrow-go's Parquet writer directly, not its Arrow
// layer (pqarrow), which would add some 16 MB to every Parquet job.
func (s *Sink) writeFile(path string, rows [][]json.RawMessage) (err error) {
	if s.format != "parquet" {
		return s.writeText(path, rows)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(path)
		}
	}()
	w := file.NewParquetWriter(f, s.schema, file.WithWriterProps(pq.NewWriterProperties(pq.WithCompression(compress.Codecs.Snappy))))
	rg := w.AppendRowGroup()
	defs := make([]int16, len(rows))
	for ci, c := range s.columns {
		if slices.Contains(s.partitionBy, ci) {
			continue
		}
		cw, err := rg.NextColumn()
		if err != nil {
			return err
		}
		if err := writeColumn(cw, c, ci, rows, defs); err != nil {
			return fmt.Errorf("parquet sink: column %s: %w", c.Name, err)
		}
		if err := cw.Close(); err != nil {
			return err
		}
	}
	if err := rg.Close(); err != nil {
		return err
	}
	if err := w.Close(); err != nil { // closes f too
		return err
	}
	g, err := os.Open(path)
	if err != nil {
		return err
	}
	defer g.Close()
	return g.Sync()
}

// writeColumn writes column ci of rows: the non-NULL values and, for a
// nullable column, a definition level per row (0 for NULL).
func writeColumn(cw file.ColumnChunkWriter, c column, ci int, rows [][]json.RawMessage, defs []int16) error {
	var d []int16
	if c.Nullable {
		d = defs
	}
	isNull := func(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }
	for r, row := range rows {
		defs[r] = 1
		if isNull(row[ci]) {
			if !c.Nullable {
				return errors.New("NULL in a NOT NULL column")
			}
			defs[r] = 0
		}
	}
	var err error
	switch w := cw.(type) {
	case *file.Int64ColumnChunkWriter:
		vals := make([]int64, 0, len(rows))
		for _, row := range rows {
			if raw := row[ci]; !isNull(raw) {
				var v int64
				if p, sc, ok := decimalType(c.Type); ok {
					if v, err = decimal.Parse(raw, p, sc); err != nil {
						return err
					}
				} else if c.Type == "TIMESTAMP" {
					var text string
					if err := json.Unmarshal(raw, &text); err != nil {
						return err
					}
					t, err := time.Parse(time.RFC3339Nano, text)
					if err != nil {
						return err
					}
					v = t.UnixMicro()
				} else if v, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
					return err
				}
				vals = append(vals, v)
			}
		}
		_, err = w.WriteBatch(vals, d, nil)
	case *file.Float64ColumnChunkWriter:
		vals := make([]float64, 0, len(rows))
		for _, row := range rows {
			if raw := row[ci]; !isNull(raw) {
				var v float64
				if err := json.Unmarshal(raw, &v); err != nil {
					return err
				}
				vals = append(vals, v)
			}
		}
		_, err = w.WriteBatch(vals, d, nil)
	case *file.ByteArrayColumnChunkWriter:
		vals := make([]pq.ByteArray, 0, len(rows))
		for _, row := range rows {
			if raw := row[ci]; !isNull(raw) {
				var v string
				if err := json.Unmarshal(raw, &v); err != nil {
					return err
				}
				vals = append(vals, pq.ByteArray(v))
			}
		}
		_, err = w.WriteBatch(vals, d, nil)
	case *file.FixedLenByteArrayColumnChunkWriter:
		p, sc, ok := decimalType(c.Type)
		if !ok {
			return fmt.Errorf("no writer for %s", c.Type)
		}
		vals := make([]pq.FixedLenByteArray, 0, len(rows))
		for _, row := range rows {
			if raw := row[ci]; !isNull(raw) {
				x, err := decimal.Parse128(raw, p, sc)
				if err != nil {
					return err
				}
				var b [16]byte
				binary.BigEndian.PutUint64(b[:8], uint64(x.Hi))
				binary.BigEndian.PutUint64(b[8:], x.Lo)
				vals = append(vals, b[:])
			}
		}
		_, err = w.WriteBatch(vals, d, nil)
	case *file.BooleanColumnChunkWriter:
		vals := make([]bool, 0, len(rows))
		for _, row := range rows {
			if raw := row[ci]; !isNull(raw) {
				vals = append(vals, string(raw) == "true")
			}
		}
		_, err = w.WriteBatch(vals, d, nil)
	default:
		return fmt.Errorf("no writer for %s", c.Type)
	}
	return err
}

func (s *Sink) epochDir(epoch uint64) string {
	return filepath.Join(s.tempDir, fmt.Sprintf("epoch-%020d", epoch))
}

// Prepare implements connector.EpochSink.
func (s *Sink) Prepare(epoch uint64) ([]byte, error) {
	dir := s.epochDir(epoch)
	var files []string
	keys := make([]string, 0, len(s.buffered))
	for k, pt := range s.buffered {
		if len(pt.rows) > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	// the files rolled during the epoch (rolling_size), in the order
	// written: part-<epoch>-<k>.parquet
	rolled := map[string]int{}
	var moved []string
	err := filepath.WalkDir(s.openDir(), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		moved = append(moved, p)
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	sort.Strings(moved) // roll-<seq> sorts in writing order
	for _, p := range moved {
		rel, _ := filepath.Rel(s.openDir(), filepath.Dir(p))
		k := rolled[rel]
		rolled[rel]++
		name := filepath.Join(rel, fmt.Sprintf("part-%020d-%d%s", epoch, k, s.ext))
		if err := os.MkdirAll(filepath.Join(dir, rel), 0o755); err != nil {
			return nil, err
		}
		if err := os.Rename(p, filepath.Join(dir, name)); err != nil {
			return nil, err
		}
		files = append(files, name)
	}
	for _, k := range keys {
		pt := s.buffered[k]
		name := fmt.Sprintf("part-%020d%s", epoch, s.ext)
		if n, ok := rolled[pt.dir]; ok {
			name = fmt.Sprintf("part-%020d-%d%s", epoch, n, s.ext)
		}
		rel := filepath.Join(pt.dir, name)
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := s.writeFile(p, pt.rows); err != nil {
			return nil, err
		}
		files = append(files, rel)
		pt.rows, pt.bytes = pt.rows[:0], 0
	}
	if len(files) > 0 {
		if err := syncTree(dir); err != nil {
			return nil, err
		}
	}
	sort.Strings(files)
	s.prepWM[epoch] = s.wm
	return json.Marshal(prepared{Files: files, Watermark: s.wm})
}

// Commit implements connector.EpochSink.
func (s *Sink) Commit(epoch uint64) error {
	dir := s.epochDir(epoch)
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		target := filepath.Join(s.path, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.Rename(p, target); err != nil {
			return err
		}
		s.pending[filepath.Dir(rel)] = true
		return (fsys.OS{}).SyncDir(filepath.Dir(target))
	})
	if errors.Is(err, os.ErrNotExist) {
		err = nil // committed before
	}
	if err != nil {
		return fmt.Errorf("parquet sink: commit of epoch %d: %w", epoch, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	wm, ok := s.prepWM[epoch]
	if !ok {
		wm = math.MinInt64
	}
	delete(s.prepWM, epoch)
	return s.markComplete(wm)
}

// Abort implements connector.EpochSink.
func (s *Sink) Abort(epoch uint64) error { return os.RemoveAll(s.epochDir(epoch)) }

// Recover implements connector.EpochSink.
func (s *Sink) Recover(epoch uint64, data []byte) error {
	if s.success {
		// partitions with files and no _SUCCESS are pending again
		if err := s.findPending(); err != nil {
			return err
		}
	}
	if epoch > 0 {
		var p prepared
		if json.Unmarshal(data, &p) == nil {
			s.prepWM[epoch] = p.Watermark
		} // a list of files: a checkpoint of an older job, no watermark
		if err := s.Commit(epoch); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(s.openDir()); err != nil {
		return err
	}
	entries, err := os.ReadDir(s.tempDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "epoch-") {
			if err := os.RemoveAll(filepath.Join(s.tempDir, e.Name())); err != nil {
				return err
			}
		}
	}
	clear(s.buffered)
	return nil
}

// findPending lists the partition directories under path that hold a
// Parquet file but no _SUCCESS.
func (s *Sink) findPending() error {
	return filepath.WalkDir(s.path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), s.ext) || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "_SUCCESS")); err == nil {
			return nil
		}
		rel, _ := filepath.Rel(s.path, dir)
		s.pending[rel] = true
		return nil
	})
}

// Close writes what is buffered without exactly-once, and then, the input
// having ended, every partition is complete; with exactly-once, rows after
// the last Prepare belong to no checkpoint and are dropped (the job writes
// them again).
func (s *Sink) Close() error {
	if s.err != nil {
		return s.err
	}
	if s.tempDir != "" {
		return nil
	}
	defer func() { s.markComplete(s.wm) }()
	keys := make([]string, 0, len(s.buffered))
	for k := range s.buffered {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if pt := s.buffered[k]; len(pt.rows) > 0 {
			if err := s.writeDirect(pt); err != nil {
				return err
			}
		}
	}
	return nil
}

// syncTree fsyncs every directory under and including dir.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return (fsys.OS{}).SyncDir(p)
	})
}

// writeText writes rows as one CSV or JSON-lines file, fsynced: the
// columns that are not partition columns (those are in the directory
// names), in the view's order. CSV as the csv file sink writes it (RFC
// 4180, no header, NULL an empty field, strings unquoted unless they need
// it, numbers, booleans and timestamps as in JSON rows); JSON an object a
// line, keys the column names.
func (s *Sink) writeText(path string, rows [][]json.RawMessage) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(path)
		}
	}()
	var cols []int
	for ci := range s.columns {
		if !slices.Contains(s.partitionBy, ci) {
			cols = append(cols, ci)
		}
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	if s.format == "csv" {
		w := csv.NewWriter(bw)
		fields := make([]string, len(cols))
		for _, row := range rows {
			for i, ci := range cols {
				fields[i] = ""
				switch raw := row[ci]; {
				case len(raw) == 0 || string(raw) == "null":
				case raw[0] == '"':
					var str string
					if err := json.Unmarshal(raw, &str); err != nil {
						return fmt.Errorf("parquet sink: column %s: %w", s.columns[ci].Name, err)
					}
					fields[i] = str
				default:
					fields[i] = string(raw)
				}
			}
			if err := w.Write(fields); err != nil {
				return err
			}
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
	} else {
		keys := make([][]byte, len(cols))
		for i, ci := range cols {
			keys[i], _ = json.Marshal(s.columns[ci].Name)
		}
		for _, row := range rows {
			bw.WriteByte('{')
			for i, ci := range cols {
				if i > 0 {
					bw.WriteByte(',')
				}
				bw.Write(keys[i])
				bw.WriteByte(':')
				if raw := row[ci]; len(raw) == 0 {
					bw.WriteString("null")
				} else {
					bw.Write(raw)
				}
			}
			bw.WriteString("}\n")
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}
