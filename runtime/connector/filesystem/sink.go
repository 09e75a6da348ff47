// Package filesystem is the partitioned file sink (connector = 'parquet'
// or Flink's 'filesystem'): a view's rows as files in a directory,
// optionally partitioned by columns (Hive style, dt=.../hm=...), rolled by
// size or time, with partition commit, exactly-once with the job's
// checkpoints. It writes CSV and JSON-lines files itself; the Parquet
// writer lives in runtime/connector/parquet (arrow-go), which registers
// it (RegisterFormat), so that a job writing CSV or JSON files does not
// link arrow-go.
package filesystem

import (
	"bufio"
	"bytes"
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

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/fsys"
	"github.com/laminar-sql/laminar/runtime/value"
)

func init() {
	connector.Register("filesystem", connector.Opener{Sink: Open})
}

// FileWriter writes the rows of one file in a format of its own (Parquet).
type FileWriter interface {
	// WriteFile writes rows (each the JSON values of the view's columns,
	// in their order) as one file at path, fsynced: the columns of cols
	// (those that are not partition columns), in that order.
	WriteFile(path string, rows [][]json.RawMessage) error
}

// formats are the file formats of other packages, by name.
var formats = map[string]struct {
	ext string
	new func(columns []Column, cols []int) (FileWriter, error)
}{}

// RegisterFormat makes a file format known by name (format = 'name'): its
// files' extension (".parquet") and how a writer for a view's columns is
// made (cols: the indexes of those that go into the files). Called from a
// format package's init.
func RegisterFormat(name, ext string, newWriter func(columns []Column, cols []int) (FileWriter, error)) {
	formats[name] = struct {
		ext string
		new func(columns []Column, cols []int) (FileWriter, error)
	}{ext, newWriter}
}

// ColumnsOption is the option through which generated code tells the sink
// the view's columns and SQL types (a JSON array of {"name", "type",
// "nullable"}); no user option can have a dot in its name.
const ColumnsOption = "laminar.columns"

// Column is a view column, an entry of ColumnsOption.
type Column struct {
	Name     string `json:"name"`
	Type     string `json:"type"` // BIGINT, DOUBLE, VARCHAR, BOOLEAN, TIMESTAMP, DECIMAL(p,s)
	Nullable bool   `json:"nullable"`
}

// Sink buffers the rows of an epoch by partition and writes them as one
// file per partition and epoch:
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
	columns     []Column
	writer      FileWriter // of a format of another package (parquet); nil for csv and json
	partitionBy []int      // column indexes
	rowsPerFile int
	rollingSize int64            // bytes of values a file holds at most (0: no limit)
	rollover    time.Duration    // rollover_interval: how long a file stays open at most (0: no limit)
	format      string           // of the files: csv, json (JSON lines) or a registered one (parquet)
	ext         string           // ".csv", ".json", ".parquet"
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

// Open opens the sink (connector.Opener's Sink): the files' format is the
// option format, parquet by default (which needs the Parquet package
// linked: connector 'parquet').
func Open(env connector.Env, options map[string]string, exactlyOnce bool, tempDir string) (connector.Sink, error) {
	path := options["path"]
	if path == "" {
		return nil, errors.New("file sink: needs the option path (a directory)")
	}
	s := &Sink{path: env.Path(path), buffered: map[string]*part{}, rowsPerFile: 1_000_000, wm: math.MinInt64,
		prepWM: map[uint64]int64{}, pending: map[string]bool{}}
	if exactlyOnce {
		s.tempDir = tempDir
	}
	if err := json.Unmarshal([]byte(options[ColumnsOption]), &s.columns); err != nil || len(s.columns) == 0 {
		return nil, fmt.Errorf("file sink: the job does not say the view's columns (%s)", ColumnsOption)
	}
	if v := options["rows_per_file"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("file sink: rows_per_file %q is not a positive number", v)
		}
		s.rowsPerFile = n
	}
	switch s.format = options["format"]; s.format {
	case "":
		s.format = "parquet"
	case "csv", "json":
		s.ext = "." + s.format
	}
	f, registered := formats[s.format]
	switch {
	case s.ext != "":
	case registered:
		s.ext = f.ext
	case s.format == "parquet":
		return nil, errors.New("file sink: the job does not link the Parquet writer (the pipeline names the format parquet with connector 'parquet')")
	default:
		return nil, fmt.Errorf("file sink: format %q: the sink writes parquet, csv or json files", s.format)
	}
	if v := options["rollover_interval"]; v != "" {
		d, err := parseDelay(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("file sink: rollover_interval %q is not a positive duration such as '1 min'", v)
		}
		s.rollover = d
	}
	if v := options["rolling_size"]; v != "" {
		n, err := parseSize(v)
		if err != nil {
			return nil, fmt.Errorf("file sink: rolling_size %q: %w", v, err)
		}
		s.rollingSize = n
	}
	switch v := options["partition_commit"]; v {
	case "":
	case "success-file":
		s.success = true
	default:
		return nil, fmt.Errorf("file sink: partition_commit %q: the policy is 'success-file' (a _SUCCESS file in each complete partition)", v)
	}
	s.partTime = options["partition_time"]
	if v := options["partition_commit_delay"]; v != "" {
		d, err := parseDelay(v)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("file sink: partition_commit_delay %q is not a duration such as '1 min'", v)
		}
		s.delay = d.Microseconds()
	}
	for _, name := range strings.Split(options["partitioned_by"], ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		i := slices.IndexFunc(s.columns, func(c Column) bool { return c.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("file sink: partitioned_by names %q, which is not a column of the view", name)
		}
		s.partitionBy = append(s.partitionBy, i)
	}
	if registered {
		var cols []int // the partition columns are in the directory names, as Hive and Spark expect
		for ci := range s.columns {
			if !slices.Contains(s.partitionBy, ci) {
				cols = append(cols, ci)
			}
		}
		w, err := f.new(s.columns, cols)
		if err != nil {
			return nil, fmt.Errorf("file sink: %w", err)
		}
		s.writer = w
	}
	if s.partTime != "" {
		if len(s.partitionBy) == 0 {
			return nil, errors.New("file sink: partition_time needs partitioned_by (the partition columns it names as $col)")
		}
		if _, err := s.partitionTime(s.partitionDirOf(map[string]string{})); err == nil || !strings.Contains(s.partTime, "$") {
			return nil, fmt.Errorf("file sink: partition_time %q names no partition column ($col)", s.partTime)
		}
	}
	if err := os.MkdirAll(s.path, 0o755); err != nil {
		return nil, err
	}
	return s, nil
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
			return fmt.Errorf("file sink: row %.200q: %w", line, err)
		}
		if op, ok := obj["_op"]; ok && string(op) != `"+"` {
			return errors.New("file sink: the view is updating: the sink's files take append-only rows (a retraction cannot be written)")
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
				return fmt.Errorf("file sink: %w", err)
			}
			if wm < t+s.delay || wm == math.MinInt64 {
				continue
			}
		}
		p := filepath.Join(s.path, d, "_SUCCESS")
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			return fmt.Errorf("file sink: partition commit: %w", err)
		}
		if err := (fsys.OS{}).SyncDir(filepath.Dir(p)); err != nil {
			return err
		}
		delete(s.pending, d)
	}
	return nil
}

// writeFile writes rows as one file of the sink's format, fsynced.
func (s *Sink) writeFile(path string, rows [][]json.RawMessage) error {
	if s.writer != nil {
		return s.writer.WriteFile(path, rows)
	}
	return s.writeText(path, rows)
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
		return fmt.Errorf("file sink: commit of epoch %d: %w", epoch, err)
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
						return fmt.Errorf("file sink: column %s: %w", s.columns[ci].Name, err)
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
