// Package parquet is the Parquet sink (connector = 'parquet'): a view's
// rows as Parquet files in a directory, optionally partitioned by columns
// (Hive style, dt=.../hm=...), exactly-once with the job's checkpoints. It
// lives in a package of its own so that only jobs naming it link arrow-go:
// generated code imports it, its init registers it.
package parquet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/fsys"
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
	schema      *arrow.Schema
	partitionBy []int // column indexes
	rowsPerFile int
	buffered    map[string]*part // by partition directory
	seq         int              // files written without exactly-once
}

type part struct {
	dir  string
	rows [][]json.RawMessage // column values, in columns' order
}

func openSink(env connector.Env, options map[string]string, exactlyOnce bool, tempDir string) (connector.Sink, error) {
	path := options["path"]
	if path == "" {
		return nil, errors.New("parquet sink: needs the option path (a directory)")
	}
	s := &Sink{path: env.Path(path), buffered: map[string]*part{}, rowsPerFile: 1_000_000}
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
	var fields []arrow.Field
	for _, c := range s.columns {
		if slices.ContainsFunc(s.partitionBy, func(i int) bool { return s.columns[i].Name == c.Name }) {
			continue // in the directory name, as Hive and Spark expect
		}
		t, err := arrowType(c.Type)
		if err != nil {
			return nil, fmt.Errorf("parquet sink: column %s: %w", c.Name, err)
		}
		fields = append(fields, arrow.Field{Name: c.Name, Type: t, Nullable: c.Nullable})
	}
	s.schema = arrow.NewSchema(fields, nil)
	if err := os.MkdirAll(s.path, 0o755); err != nil {
		return nil, err
	}
	return s, nil
}

func arrowType(sqlType string) (arrow.DataType, error) {
	switch sqlType {
	case "BIGINT":
		return arrow.PrimitiveTypes.Int64, nil
	case "DOUBLE":
		return arrow.PrimitiveTypes.Float64, nil
	case "VARCHAR":
		return arrow.BinaryTypes.String, nil
	case "BOOLEAN":
		return arrow.FixedWidthTypes.Boolean, nil
	case "TIMESTAMP":
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, nil
	}
	return nil, fmt.Errorf("type %s has no Parquet column here", sqlType)
}

// Write buffers whole lines of JSON rows.
func (s *Sink) Write(p []byte) error {
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
		pt.rows = append(pt.rows, vals)
		if s.tempDir == "" && len(pt.rows) >= s.rowsPerFile {
			if err := s.writeDirect(pt); err != nil {
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
	name := fmt.Sprintf("part-%s-%d.parquet", time.Now().UTC().Format("20060102T150405"), s.seq)
	dir := filepath.Join(s.path, pt.dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := s.writeFile(tmp, pt.rows); err != nil {
		return err
	}
	pt.rows = pt.rows[:0]
	return os.Rename(tmp, filepath.Join(dir, name))
}

// writeFile writes rows as one Parquet file (snappy), fsynced.
func (s *Sink) writeFile(path string, rows [][]json.RawMessage) error {
	b := array.NewRecordBuilder(memory.DefaultAllocator, s.schema)
	defer b.Release()
	fi := 0
	for ci, c := range s.columns {
		if slices.Contains(s.partitionBy, ci) {
			continue
		}
		fb := b.Field(fi)
		fi++
		for _, r := range rows {
			if err := appendValue(fb, c, r[ci]); err != nil {
				return fmt.Errorf("parquet sink: column %s: %w", c.Name, err)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w, err := pqarrow.NewFileWriter(s.schema, f, pq.NewWriterProperties(pq.WithCompression(compress.Codecs.Snappy)), pqarrow.DefaultWriterProps())
	if err == nil {
		err = w.Write(rec)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		// pqarrow closed f; reopen to fsync
		var g *os.File
		if g, err = os.Open(path); err == nil {
			err = g.Sync()
			g.Close()
		}
	} else {
		f.Close()
	}
	return err
}

func appendValue(fb array.Builder, c column, raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		fb.AppendNull()
		return nil
	}
	switch b := fb.(type) {
	case *array.Int64Builder:
		v, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return err
		}
		b.Append(v)
	case *array.Float64Builder:
		var v float64
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		b.Append(v)
	case *array.StringBuilder:
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		b.Append(v)
	case *array.BooleanBuilder:
		b.Append(string(raw) == "true")
	case *array.TimestampBuilder:
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return err
		}
		b.Append(arrow.Timestamp(t.UnixMicro()))
	default:
		return fmt.Errorf("no builder for %s", c.Type)
	}
	return nil
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
	for _, k := range keys {
		pt := s.buffered[k]
		rel := filepath.Join(pt.dir, fmt.Sprintf("part-%020d.parquet", epoch))
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := s.writeFile(p, pt.rows); err != nil {
			return nil, err
		}
		files = append(files, rel)
		pt.rows = pt.rows[:0]
	}
	if len(files) > 0 {
		if err := syncTree(dir); err != nil {
			return nil, err
		}
	}
	return json.Marshal(files)
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
		return (fsys.OS{}).SyncDir(filepath.Dir(target))
	})
	if errors.Is(err, os.ErrNotExist) {
		err = nil // committed before
	}
	if err != nil {
		return fmt.Errorf("parquet sink: commit of epoch %d: %w", epoch, err)
	}
	return os.RemoveAll(dir)
}

// Abort implements connector.EpochSink.
func (s *Sink) Abort(epoch uint64) error { return os.RemoveAll(s.epochDir(epoch)) }

// Recover implements connector.EpochSink.
func (s *Sink) Recover(epoch uint64, data []byte) error {
	if epoch > 0 {
		if err := s.Commit(epoch); err != nil {
			return err
		}
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

// Close writes what is buffered without exactly-once; with it, rows after
// the last Prepare belong to no checkpoint and are dropped (the job writes
// them again).
func (s *Sink) Close() error {
	if s.tempDir != "" {
		return nil
	}
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
