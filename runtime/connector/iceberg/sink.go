// Package iceberg is the Apache Iceberg sink (connector = 'iceberg'): a
// view's rows appended to an Iceberg table in a Hadoop-style catalog (a
// warehouse directory, no service), exactly-once with the job's
// checkpoints. It lives in a package of its own so that only jobs naming it
// link github.com/apache/iceberg-go: generated code imports it, its init
// registers it.
package iceberg

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	ice "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/catalog/hadoop"
	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
	"github.com/google/uuid"
	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/fsys"
	"github.com/laminar-sql/laminar/runtime/value"
)

func init() {
	connector.Register("iceberg", connector.Opener{Sink: openSink})
}

// ColumnsOption is the option through which generated code tells the sink
// the view's columns and SQL types (as for the Parquet sink).
const ColumnsOption = "laminar.columns"

// The snapshot summary properties through which a commit records its
// epoch; Recover reads them back.
const (
	PropSinkID = "laminar.sink-id"
	PropEpoch  = "laminar.epoch"
)

type column struct {
	Name     string `json:"name"`
	Type     string `json:"type"` // BIGINT, DOUBLE, VARCHAR, BOOLEAN, TIMESTAMP
	Nullable bool   `json:"nullable"`
}

// Sink appends a view's rows to an Iceberg table:
//
//   - Write buffers the rows of the current epoch;
//   - Prepare writes them as Parquet data files into the table's data
//     directory (iceberg-go's writer, one file per partition, named by a
//     write UUID that encodes the sink and the epoch), fsynced, and
//     returns their paths for the checkpoint; no snapshot refers to them
//     yet, so no reader sees them;
//   - Commit (once the checkpoint is durable) adds them to the table in
//     one append snapshot whose summary holds laminar.sink-id and
//     laminar.epoch, unless the table already has a snapshot of this sink
//     at that epoch or later (a commit repeated after a crash);
//   - Recover commits the checkpoint's epoch the same way (its files and
//     partition values are in the checkpoint), then deletes this sink's
//     data files of later epochs, which no snapshot refers to (the job
//     writes those rows again), and the metadata claims its killed commits
//     left; without a checkpoint it numbers the job's epochs on from the
//     newest of this sink in the table (base), so a job started afresh
//     appends again.
//
// Without a state dir the rows are appended at Close and every
// rows_per_file rows (at-least-once).
type Sink struct {
	cat         *hadoop.Catalog
	ident       table.Identifier
	tbl         *table.Table
	sinkID      string
	columns     []column
	partitionBy []string
	arrowSchema *arrow.Schema
	exactlyOnce bool
	rowsPerFile int
	logf        func(format string, args ...any)
	rows        [][]json.RawMessage
	prepared    map[uint64][]ice.DataFile
	// base is the table's epoch of this sink when the job started without
	// a checkpoint: the job's epoch e is the table's base+e, so that a job
	// started afresh on a table it wrote before appends again instead of
	// finding its epochs "committed already"
	base uint64
}

func openSink(env connector.Env, options map[string]string, exactlyOnce bool, _ string) (connector.Sink, error) {
	return Open(env, options, exactlyOnce)
}

// Open opens the sink: the catalog over the warehouse directory, the table
// (created with the view's columns and PARTITIONED BY columns as identity
// partitions when it does not exist; checked against them when it does).
func Open(env connector.Env, options map[string]string, exactlyOnce bool) (*Sink, error) {
	warehouse := options["warehouse"]
	if warehouse == "" {
		return nil, errors.New("iceberg sink: needs the option warehouse (a directory)")
	}
	if c := options["catalog"]; c != "" && strings.ToLower(c) != "hadoop" {
		return nil, fmt.Errorf("iceberg sink: catalog %q: the catalog here is 'hadoop' (a warehouse directory)", c)
	}
	ident, err := Identifier(options["namespace"], options["table"])
	if err != nil {
		return nil, err
	}
	s := &Sink{ident: ident, exactlyOnce: exactlyOnce, rowsPerFile: 1_000_000, prepared: map[uint64][]ice.DataFile{}}
	s.logf = env.Log
	s.sinkID = options["sink_id"]
	if s.sinkID == "" {
		s.sinkID = strings.Join(ident, ".")
	}
	if err := json.Unmarshal([]byte(options[ColumnsOption]), &s.columns); err != nil || len(s.columns) == 0 {
		return nil, fmt.Errorf("iceberg sink: the job does not say the view's columns (%s)", ColumnsOption)
	}
	if v := options["rows_per_file"]; v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("iceberg sink: rows_per_file %q is not a positive number", v)
		}
		s.rowsPerFile = n
	}
	for _, p := range strings.Split(options["partitioned_by"], ",") {
		if p = strings.TrimSpace(p); p != "" {
			if !slices.ContainsFunc(s.columns, func(c column) bool { return c.Name == p }) {
				return nil, fmt.Errorf("iceberg sink: partitioned_by names %q, which is not a column of the view", p)
			}
			s.partitionBy = append(s.partitionBy, p)
		}
	}
	dir, err := filepath.Abs(env.Path(warehouse))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s.cat, err = hadoop.NewCatalog("laminar", dir, nil)
	if err != nil {
		return nil, fmt.Errorf("iceberg sink: catalog at %s: %w", dir, err)
	}
	if err := s.openTable(); err != nil {
		return nil, fmt.Errorf("iceberg sink: table %s in %s: %w", strings.Join(ident, "."), dir, err)
	}
	s.arrowSchema, err = table.SchemaToArrowSchema(s.tbl.Schema(), nil, true, false)
	if err != nil {
		return nil, fmt.Errorf("iceberg sink: %w", err)
	}
	return s, nil
}

// Identifier is the table of the options namespace (dotted for a nested
// one; "default" when empty) and table (a name, or namespace.name when
// namespace is not given).
func Identifier(namespace, name string) (table.Identifier, error) {
	var ident table.Identifier
	if namespace != "" {
		if strings.Contains(name, ".") {
			return nil, fmt.Errorf("iceberg sink: table %q: with namespace given, the table is a name without dots", name)
		}
		ident = append(strings.Split(namespace, "."), name)
	} else {
		ident = strings.Split(name, ".")
		if len(ident) == 1 {
			ident = table.Identifier{"default", ident[0]}
		}
	}
	for _, part := range ident {
		if part == "" || strings.ContainsAny(part, "/\\") || part == "." || part == ".." {
			return nil, fmt.Errorf("iceberg sink: namespace %q, table %q do not name a table such as namespace 'db', table 'events'", namespace, name)
		}
	}
	return ident, nil
}

// icebergType is the Iceberg type of a view column: BIGINT long, DOUBLE
// double, VARCHAR string, BOOLEAN boolean, TIMESTAMP timestamptz (µs),
// the types the Parquet sink writes.
func icebergType(c column) (ice.Type, error) {
	switch c.Type {
	case "BIGINT":
		return ice.PrimitiveTypes.Int64, nil
	case "DOUBLE":
		return ice.PrimitiveTypes.Float64, nil
	case "VARCHAR":
		return ice.PrimitiveTypes.String, nil
	case "BOOLEAN":
		return ice.PrimitiveTypes.Bool, nil
	case "TIMESTAMP":
		return ice.PrimitiveTypes.TimestampTz, nil
	}
	return nil, fmt.Errorf("column %s: type %s has no Iceberg type here", c.Name, c.Type)
}

func (s *Sink) openTable() error {
	ctx := context.Background()
	fields := make([]ice.NestedField, len(s.columns))
	for i, c := range s.columns {
		t, err := icebergType(c)
		if err != nil {
			return err
		}
		fields[i] = ice.NestedField{ID: i + 1, Name: c.Name, Type: t, Required: !c.Nullable}
	}
	want := ice.NewSchema(0, fields...)
	exists, err := s.cat.CheckTableExists(ctx, s.ident)
	if err != nil {
		return err
	}
	if exists {
		s.tbl, err = s.cat.LoadTable(ctx, s.ident)
		if err != nil {
			return err
		}
		return s.checkTable(want)
	}
	ns := s.ident[:len(s.ident)-1]
	if ok, err := s.cat.CheckNamespaceExists(ctx, ns); err != nil {
		return err
	} else if !ok {
		for i := 1; i <= len(ns); i++ { // parents first
			if ok, _ := s.cat.CheckNamespaceExists(ctx, ns[:i]); !ok {
				if err := s.cat.CreateNamespace(ctx, ns[:i], nil); err != nil && !errors.Is(err, catalog.ErrNamespaceAlreadyExists) {
					return err
				}
			}
		}
	}
	var parts []ice.PartitionField
	for i, p := range s.partitionBy {
		f, _ := want.FindFieldByName(p)
		parts = append(parts, ice.PartitionField{SourceIDs: []int{f.ID}, FieldID: 1000 + i, Name: p, Transform: ice.IdentityTransform{}})
	}
	spec := ice.NewPartitionSpec(parts...)
	// A creation that finds version 1 claimed but not published (another
	// writer creating it now, or a start killed while creating it, whose
	// claim the catalog frees after a minute) is retried.
	start, wait := time.Now(), 50*time.Millisecond
	for {
		s.tbl, err = s.cat.CreateTable(ctx, s.ident, want, catalog.WithPartitionSpec(&spec))
		if !errors.Is(err, catalog.ErrTableAlreadyExists) {
			return err
		}
		if s.tbl, err = s.cat.LoadTable(ctx, s.ident); err == nil { // created meanwhile
			return s.checkTable(want)
		}
		if !errors.Is(err, catalog.ErrNoSuchTable) || time.Since(start) > commitPatience {
			return err
		}
		if wait == 50*time.Millisecond {
			s.logf("iceberg sink %s: the table's first version is claimed and not published yet: waiting (the catalog frees a stale claim after a minute)", s.sinkID)
		}
		time.Sleep(wait)
		wait = min(2*wait, 5*time.Second)
	}
}

// checkTable refuses a table whose columns or partitioning are not the
// view's.
func (s *Sink) checkTable(want *ice.Schema) error {
	have := s.tbl.Schema()
	for _, f := range want.Fields() {
		g, ok := have.FindFieldByName(f.Name)
		if !ok {
			return fmt.Errorf("the table has no column %s (its schema: %s)", f.Name, have)
		}
		if !g.Type.Equals(f.Type) {
			return fmt.Errorf("column %s is %s in the table, the view's is %s", f.Name, g.Type, f.Type)
		}
		if g.Required && !f.Required {
			return fmt.Errorf("column %s is required in the table, and the view's is nullable", f.Name)
		}
	}
	for _, g := range have.Fields() {
		if _, ok := want.FindFieldByName(g.Name); !ok && g.Required {
			return fmt.Errorf("the table's required column %s is not a column of the view", g.Name)
		}
	}
	var names []string
	spec := s.tbl.Spec()
	for _, f := range spec.Fields() {
		src, _ := have.FindFieldByID(f.SourceIDs[0])
		if _, ok := f.Transform.(ice.IdentityTransform); !ok {
			names = append(names, f.Name+" ("+f.Transform.String()+")")
			continue
		}
		names = append(names, src.Name)
	}
	if !slices.Equal(names, s.partitionBy) {
		return fmt.Errorf("the table is partitioned by (%s), the sink by (%s)", strings.Join(names, ", "), strings.Join(s.partitionBy, ", "))
	}
	return nil
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
			return fmt.Errorf("iceberg sink: row %.200q: %w", line, err)
		}
		if op, ok := obj["_op"]; ok && string(op) != `"+"` {
			return errors.New("iceberg sink: the view is updating: this sink appends rows (a retraction cannot be written)")
		}
		vals := make([]json.RawMessage, len(s.columns))
		for i, c := range s.columns {
			vals[i] = obj[c.Name]
		}
		s.rows = append(s.rows, vals)
		if !s.exactlyOnce && len(s.rows) >= s.rowsPerFile {
			if err := s.appendNow(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Flush does nothing: rows are written per epoch (Prepare) or per
// rows_per_file rows.
func (s *Sink) Flush() error { return nil }

// record builds the buffered rows as one Arrow record of the table's
// schema.
func (s *Sink) record() (arrow.RecordBatch, error) {
	b := array.NewRecordBuilder(memory.DefaultAllocator, s.arrowSchema)
	defer b.Release()
	for ci, c := range s.columns {
		fi := s.arrowSchema.FieldIndices(c.Name)
		if len(fi) != 1 {
			return nil, fmt.Errorf("iceberg sink: column %s is not in the table's schema", c.Name)
		}
		fb := b.Field(fi[0])
		for _, row := range s.rows {
			raw := row[ci]
			if len(raw) == 0 || string(raw) == "null" {
				if !c.Nullable {
					return nil, fmt.Errorf("iceberg sink: column %s: NULL in a NOT NULL column", c.Name)
				}
				fb.AppendNull()
				continue
			}
			if err := appendValue(fb, c, raw); err != nil {
				return nil, fmt.Errorf("iceberg sink: column %s: value %s: %w", c.Name, raw, err)
			}
		}
	}
	// table columns the view does not have (nullable, checked at open)
	for i, f := range s.arrowSchema.Fields() {
		if !slices.ContainsFunc(s.columns, func(c column) bool { return c.Name == f.Name }) {
			for range s.rows {
				b.Field(i).AppendNull()
			}
		}
	}
	return b.NewRecordBatch(), nil
}

func appendValue(fb array.Builder, c column, raw json.RawMessage) error {
	switch w := fb.(type) {
	case *array.Int64Builder:
		v, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return err
		}
		w.Append(v)
	case *array.Float64Builder:
		var v float64
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		w.Append(v)
	case *array.StringBuilder:
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		w.Append(v)
	case *array.LargeStringBuilder:
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		w.Append(v)
	case *array.BooleanBuilder:
		w.Append(string(raw) == "true")
	case *array.TimestampBuilder:
		var text string
		if err := json.Unmarshal(raw, &text); err != nil {
			return err
		}
		us, ok := value.ParseTimestamp(text)
		if !ok {
			return fmt.Errorf("%q is not a timestamp", text)
		}
		w.Append(arrow.Timestamp(us))
	default:
		return fmt.Errorf("no Arrow builder for %s (%T)", c.Type, fb)
	}
	return nil
}

// writeUUID names the data files of one epoch of this sink: the first 8
// bytes are a hash of the sink id, the last 8 the epoch, so that Recover
// can tell this sink's files of a later epoch from any other.
func (s *Sink) writeUUID(epoch uint64) uuid.UUID {
	var u uuid.UUID
	h := sha256.Sum256([]byte(s.sinkID))
	copy(u[:8], h[:8])
	binary.BigEndian.PutUint64(u[8:], epoch)
	return u
}

// writeFiles writes the buffered rows as data files of the table (not yet
// in any snapshot), fsynced.
func (s *Sink) writeFiles(epoch uint64) ([]ice.DataFile, error) {
	if len(s.rows) == 0 {
		return nil, nil
	}
	rec, err := s.record()
	if err != nil {
		return nil, err
	}
	s.rows = s.rows[:0]
	ctx := context.Background()
	var out []ice.DataFile
	recs := func(yield func(arrow.RecordBatch, error) bool) { yield(rec, nil) }
	for df, err := range table.WriteRecords(ctx, s.tbl, s.arrowSchema, recs, table.WithWriteUUID(s.writeUUID(epoch))) {
		if err != nil {
			return nil, fmt.Errorf("iceberg sink: writing data files: %w", err)
		}
		out = append(out, df)
	}
	for _, df := range out {
		if err := syncFile(localPath(df.FilePath())); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// localPath is the file of a table location (file:///x or /x).
func localPath(p string) string { return strings.TrimPrefix(p, "file://") }

func syncFile(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return err
	}
	return (fsys.OS{}).SyncDir(filepath.Dir(p))
}

// prepared is what Prepare returns for the checkpoint: the sink's base
// epoch and the data files of the epoch with their partition values (which
// Recover cannot read back from a file's statistics: string bounds are
// truncated).
type prepared struct {
	Base  uint64         `json:"base"`
	Files []preparedFile `json:"files"`
}

type preparedFile struct {
	Path      string           `json:"path"`
	Partition []partitionValue `json:"partition,omitempty"`
}

// partitionValue is one identity partition value of a data file, by
// partition field ID, in the JSON of its Go type (Kind).
type partitionValue struct {
	Field int             `json:"field"`
	Kind  string          `json:"kind"`
	Value json.RawMessage `json:"value"`
}

func encodePartition(part map[int]any) ([]partitionValue, error) {
	var out []partitionValue
	for id, v := range part {
		var kind string
		switch v := v.(type) {
		case nil:
			kind = "null"
		case int64:
			kind = "int64"
		case int32:
			kind = "int32"
		case float64:
			kind = "float64"
		case string:
			kind = "string"
		case bool:
			kind = "bool"
		case ice.Timestamp:
			kind, part[id] = "timestamp", int64(v)
		default:
			return nil, fmt.Errorf("partition value %v (%T) of field %d", v, v, id)
		}
		b, err := json.Marshal(part[id])
		if err != nil {
			return nil, err
		}
		out = append(out, partitionValue{id, kind, b})
	}
	slices.SortFunc(out, func(a, b partitionValue) int { return a.Field - b.Field })
	return out, nil
}

func decodePartition(vals []partitionValue) (map[int]any, error) {
	out := map[int]any{}
	for _, pv := range vals {
		var v any
		var err error
		switch pv.Kind {
		case "null":
		case "int64":
			v, err = decodeAs[int64](pv.Value)
		case "int32":
			v, err = decodeAs[int32](pv.Value)
		case "float64":
			v, err = decodeAs[float64](pv.Value)
		case "string":
			v, err = decodeAs[string](pv.Value)
		case "bool":
			v, err = decodeAs[bool](pv.Value)
		case "timestamp":
			v, err = decodeAs[ice.Timestamp](pv.Value)
		default:
			err = fmt.Errorf("kind %q", pv.Kind)
		}
		if err != nil {
			return nil, fmt.Errorf("partition value of field %d: %w", pv.Field, err)
		}
		out[pv.Field] = v
	}
	return out, nil
}

// decodeAs reads a checkpointed partition value as a T.
func decodeAs[T any](raw json.RawMessage) (any, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	return v, err
}

// Prepare implements connector.EpochSink.
func (s *Sink) Prepare(epoch uint64) ([]byte, error) {
	dfs, err := s.writeFiles(s.base + epoch)
	if err != nil {
		return nil, err
	}
	s.prepared[epoch] = dfs
	p := prepared{Base: s.base, Files: []preparedFile{}}
	for _, df := range dfs {
		part, err := encodePartition(maps.Clone(df.Partition()))
		if err != nil {
			return nil, fmt.Errorf("iceberg sink: %w", err)
		}
		p.Files = append(p.Files, preparedFile{df.FilePath(), part})
	}
	return json.Marshal(p)
}

// dataFile rebuilds the DataFile of a prepared file: its statistics from
// its footer, its partition from the checkpoint.
func (s *Sink) dataFile(ctx context.Context, fsio iceio.IO, f preparedFile) (ice.DataFile, error) {
	spec := s.tbl.Spec()
	df, err := table.FileToDataFile(ctx, fsio, f.Path, s.tbl.Schema(), *ice.UnpartitionedSpec, 0, s.tbl.Properties())
	if err != nil || spec.IsUnpartitioned() {
		return df, err
	}
	part, err := decodePartition(f.Partition)
	if err != nil {
		return nil, err
	}
	types := map[int]string{}
	for _, pf := range spec.Fields() {
		if src, ok := s.tbl.Schema().FindFieldByID(pf.SourceIDs[0]); ok {
			types[pf.FieldID] = src.Type.String()
		}
	}
	b, err := ice.NewDataFileBuilder(spec, ice.EntryContentData, df.FilePath(), df.FileFormat(), part, types, nil, df.Count(), df.FileSizeBytes())
	if err != nil {
		return nil, err
	}
	return b.ColumnSizes(df.ColumnSizes()).ValueCounts(df.ValueCounts()).NullValueCounts(df.NullValueCounts()).
		NaNValueCounts(df.NaNValueCounts()).LowerBoundValues(df.LowerBoundValues()).UpperBoundValues(df.UpperBoundValues()).
		SplitOffsets(df.SplitOffsets()).Build(), nil
}

// LastEpoch is the newest epoch this sink committed to the table, from
// the summaries of the table's snapshots (0 when none).
func (s *Sink) LastEpoch() uint64 {
	var last uint64
	for _, snap := range s.tbl.Metadata().Snapshots() {
		if snap.Summary == nil || snap.Summary.Properties[PropSinkID] != s.sinkID {
			continue
		}
		if e, err := strconv.ParseUint(snap.Summary.Properties[PropEpoch], 10, 64); err == nil && e > last {
			last = e
		}
	}
	return last
}

// commit adds the data files of epoch to the table in one snapshot,
// unless the table already has this sink's epoch or a later one. A commit
// that lost a race (another writer's snapshot, or a metadata version a
// writer killed mid-commit left claimed, which the catalog frees after a
// minute) is retried against the refreshed table for up to commitPatience.
func (s *Sink) commit(epoch uint64, dfs []ice.DataFile) error {
	ctx := context.Background()
	props := ice.Properties{PropSinkID: s.sinkID, PropEpoch: strconv.FormatUint(epoch, 10)}
	start, wait := time.Now(), 50*time.Millisecond
	for attempt := 1; ; attempt++ {
		if err := s.tbl.Refresh(ctx); err != nil {
			return err
		}
		if s.LastEpoch() >= epoch {
			return nil // committed before (a commit repeated by recovery)
		}
		txn := s.tbl.NewTransaction()
		err := txn.AddDataFiles(ctx, dfs, props)
		if err == nil {
			var tbl *table.Table
			if tbl, err = txn.Commit(ctx); err == nil {
				s.tbl = tbl
				return nil
			}
		}
		if !errors.Is(err, table.ErrCommitFailed) || time.Since(start) > commitPatience {
			return err
		}
		if attempt == 1 || attempt&(attempt-1) == 0 {
			s.logf("iceberg sink %s: commit of epoch %d: %v (attempt %d, retrying)", s.sinkID, epoch, err, attempt)
		}
		time.Sleep(wait)
		wait = min(2*wait, 5*time.Second)
	}
}

// commitPatience is how long a conflicting commit is retried: longer than
// the minute after which the Hadoop catalog frees a stale claim.
const commitPatience = 2 * time.Minute

// Commit implements connector.EpochSink.
func (s *Sink) Commit(epoch uint64) error {
	dfs, ok := s.prepared[epoch]
	if !ok {
		return nil
	}
	delete(s.prepared, epoch)
	if len(dfs) == 0 {
		return nil // nothing to publish; recovery drops nothing of it
	}
	if err := s.commit(s.base+epoch, dfs); err != nil {
		return fmt.Errorf("iceberg sink: commit of epoch %d: %w", epoch, err)
	}
	return nil
}

// Abort implements connector.EpochSink: the epoch's data files are
// deleted (no snapshot refers to them).
func (s *Sink) Abort(epoch uint64) error {
	dfs := s.prepared[epoch]
	delete(s.prepared, epoch)
	for _, df := range dfs {
		if err := os.Remove(localPath(df.FilePath())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Recover implements connector.EpochSink.
func (s *Sink) Recover(epoch uint64, data []byte) error {
	ctx := context.Background()
	if err := s.tbl.Refresh(ctx); err != nil {
		return fmt.Errorf("iceberg sink: %w", err)
	}
	clear(s.prepared)
	s.rows = s.rows[:0]
	if err := s.removeOwnClaims(); err != nil {
		return err
	}
	if epoch == 0 || len(data) == 0 {
		// no checkpoint: the job starts afresh, after what the table has
		s.base = s.LastEpoch()
		return s.removeLater(s.base)
	}
	var p prepared
	if err := json.Unmarshal(data, &p); err != nil {
		return fmt.Errorf("iceberg sink: the checkpoint's epoch %d: %w", epoch, err)
	}
	s.base = p.Base
	if s.LastEpoch() < s.base+epoch && len(p.Files) > 0 {
		fsio, err := s.tbl.FS(ctx)
		if err != nil {
			return err
		}
		var dfs []ice.DataFile
		for _, f := range p.Files {
			df, err := s.dataFile(ctx, fsio, f)
			if err != nil {
				return fmt.Errorf("iceberg sink: recovering epoch %d: data file %s: %w", epoch, f.Path, err)
			}
			dfs = append(dfs, df)
		}
		if err := s.commit(s.base+epoch, dfs); err != nil {
			return fmt.Errorf("iceberg sink: recovering epoch %d: %w", epoch, err)
		}
	}
	return s.removeLater(max(s.base+epoch, s.LastEpoch()))
}

// removeOwnClaims deletes the metadata version claims this sink's
// commits left when the job was killed between claiming a version and
// publishing it: the Hadoop catalog would refuse every commit for a
// minute. A claim is the new metadata itself; it is this sink's when its
// current snapshot carries the sink's id. Recover runs while the job holds
// its state directory's lock, so no live writer of this sink holds one.
func (s *Sink) removeOwnClaims() error {
	dir := filepath.Join(localPath(s.tbl.Location()), "metadata")
	claims, err := filepath.Glob(filepath.Join(dir, "v*.metadata.json.claim"))
	if err != nil {
		return err
	}
	for _, c := range claims {
		data, err := os.ReadFile(c)
		if err != nil {
			continue // published or removed meanwhile
		}
		var meta struct {
			Current   *int64 `json:"current-snapshot-id"`
			Snapshots []struct {
				ID      int64             `json:"snapshot-id"`
				Summary map[string]string `json:"summary"`
			} `json:"snapshots"`
		}
		if json.Unmarshal(data, &meta) != nil || meta.Current == nil {
			continue // not ours to judge (a compressed or foreign claim)
		}
		for _, snap := range meta.Snapshots {
			if snap.ID == *meta.Current && snap.Summary[PropSinkID] == s.sinkID {
				s.logf("iceberg sink %s: removing %s, a commit claim left by a killed run", s.sinkID, filepath.Base(c))
				if err := os.Remove(c); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("iceberg sink: %w", err)
				}
			}
		}
	}
	return nil
}

// removeLater deletes this sink's data files of epochs after epoch: files
// a crash left behind, which no snapshot refers to.
func (s *Sink) removeLater(epoch uint64) error {
	root := filepath.Join(localPath(s.tbl.Location()), "data")
	prefix := s.writeUUID(0).String()[:18] // the hash part: 8 bytes, 8-4-4- in text
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".parquet") {
			return nil
		}
		i := strings.Index(d.Name(), prefix)
		if i < 0 || len(d.Name()) < i+36 {
			return nil
		}
		u, err := uuid.Parse(d.Name()[i : i+36])
		if err != nil {
			return nil
		}
		if e := binary.BigEndian.Uint64(u[8:]); e > epoch {
			return os.Remove(p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("iceberg sink: removing the data files of uncommitted epochs: %w", err)
	}
	return nil
}

// appendNow appends the buffered rows in a snapshot of their own (without
// exactly-once).
func (s *Sink) appendNow() error {
	if len(s.rows) == 0 {
		return nil
	}
	rec, err := s.record()
	if err != nil {
		return err
	}
	s.rows = s.rows[:0]
	defer rec.Release()
	rdr, err := array.NewRecordReader(s.arrowSchema, []arrow.RecordBatch{rec})
	if err != nil {
		return err
	}
	defer rdr.Release()
	tbl, err := s.tbl.Append(context.Background(), rdr, ice.Properties{PropSinkID: s.sinkID})
	if err != nil {
		return fmt.Errorf("iceberg sink: append: %w", err)
	}
	s.tbl = tbl
	return nil
}

// Close appends what is buffered without exactly-once; with exactly-once,
// rows after the last Prepare belong to no checkpoint and are dropped
// (the job writes them again).
func (s *Sink) Close() error {
	var err error
	if !s.exactlyOnce {
		err = s.appendNow()
	}
	if cerr := s.cat.Close(); err == nil {
		err = cerr
	}
	return err
}

// Table is the sink's table (for tests and tools).
func (s *Sink) Table() *table.Table { return s.tbl }
