package binder

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// A sink table is Flink's way to declare a sink: CREATE TABLE t (columns)
// [PARTITIONED BY (…)] WITH ('connector' = …) and INSERT INTO t SELECT ….
// A CREATE TABLE that an INSERT INTO writes is one (any other is a lookup
// table). Its connectors are the sinks' (with their options) and Flink's
// 'filesystem', whose options are Flink's, mapped onto the partitioned
// file sink (connector 'parquet', which writes Parquet, CSV or JSON files).
// The INSERT's query must give the table's columns, by position.

// sinkTable is the declared shape of a sink table.
type sinkTable struct {
	schema plan.Schema
	pos    []ast.Pos // of each column's declaration
}

// filesystemOptions maps Flink's options of the 'filesystem' connector to
// the partitioned file sink's; sink.rolling-policy.check-interval is
// checked and has no other effect (the sink checks a file's rollover
// interval at each row it writes and at each checkpoint).
var filesystemOptions = map[string]string{
	"path":                              "path",
	"format":                            "format",
	"sink.partition-commit.trigger":     "",
	"sink.partition-commit.delay":       "partition_commit_delay",
	"sink.partition-commit.policy.kind": "partition_commit",
	"partition.time-extractor.timestamp-pattern": "partition_time",
	"sink.rolling-policy.file-size":              "rolling_size",
	"sink.rolling-policy.rollover-interval":      "rollover_interval",
	"sink.rolling-policy.check-interval":         "",
}

// inserted are the names INSERT INTO statements write.
func inserted(script *ast.Script) map[string]bool {
	out := map[string]bool{}
	for _, st := range script.Stmts {
		if ins, ok := st.(*ast.Insert); ok {
			out[ins.Sink.Name] = true
		}
	}
	return out
}

// createSinkTable binds a CREATE TABLE that an INSERT INTO writes.
func (b *binder) createSinkTable(st *ast.CreateSource) {
	if st.PrimaryKey != nil {
		d := b.diags.Errorf(diag.Unsupported, st.PrimaryKeyPos, "a sink table (CREATE TABLE written by INSERT INTO) takes no PRIMARY KEY: a sink is keyed by its query's unique key")
		d.Hint = "drop PRIMARY KEY; an upsert sink (Kafka mode = 'upsert', PostgreSQL) keys rows by the GROUP BY columns or the PARTITION BY of ROW_NUMBER() … = 1"
		b.declare(st.Name, "sink")
		b.failed[st.Name.Name] = true
		return
	}
	t := sinkTable{}
	ok := true
	for _, c := range st.Columns {
		switch {
		case c.Computed != nil:
			b.diags.Errorf(diag.Unsupported, c.Computed.Position(), "a sink table has no computed columns: its rows are the INSERT's").Hint = "compute the value in the INSERT's SELECT"
			ok = false
			continue
		case c.Metadata != nil:
			b.diags.Errorf(diag.Unsupported, c.Metadata.Pos, "a sink table has no METADATA columns").Hint = "write the value as a column of the INSERT's SELECT"
			ok = false
			continue
		}
		if _, known := types.ByName(c.Type.Name); !known {
			b.unknownType(c.Type, "types: BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p, s), VARCHAR, TIMESTAMP, INTERVAL")
			ok = false
			continue
		}
		k, known := b.typeKind(c.Type)
		if !known {
			ok = false
			continue
		}
		if t.schema.Index(c.Name.Name) >= 0 {
			b.diags.Errorf(diag.DuplicateColumn, c.Name.Pos, "column %q is declared twice", c.Name.Name)
			ok = false
			continue
		}
		t.schema = append(t.schema, plan.Column{Name: c.Name.Name, Type: types.Type{Kind: k, Nullable: !c.NotNull}})
		t.pos = append(t.pos, c.Name.Pos)
	}
	for _, id := range st.PartitionedBy {
		if t.schema.Index(id.Name) < 0 {
			b.diags.Errorf(diag.UnknownColumn, id.Pos, "PARTITIONED BY column %q is not a column of %s", id.Name, st.Name.Name)
			ok = false
		}
	}
	s := b.bindSink(&ast.CreateSink{Pos: st.Pos, Name: st.Name, With: st.With, PartitionedBy: st.PartitionedBy}, ok)
	if s == nil {
		b.failed[st.Name.Name] = true // no knock-on error at its INSERT
		return
	}
	b.sinkTables[s.Name] = t
}

// filesystemSink maps the options of Flink's 'filesystem' connector onto
// the partitioned file sink's (connector 'parquet'); ok is false after an
// error, reported at the option.
func (b *binder) filesystemSink(st *ast.CreateSink, opts map[string]string) (map[string]string, bool) {
	pos := map[string]ast.Pos{}
	for _, o := range st.With {
		pos[o.Key] = o.Pos
	}
	at := func(key string) ast.Pos {
		if p, ok := pos[key]; ok {
			return p
		}
		return st.Pos
	}
	out := map[string]string{}
	for k, v := range opts {
		if to := filesystemOptions[k]; to != "" {
			out[to] = v
		}
	}
	out["path"] = strings.TrimPrefix(opts["path"], "file://")
	good := true
	bad := func(key, format string, args ...any) *diag.Diagnostic {
		good = false
		return b.diags.Errorf(diag.BadOption, at(key), format, args...)
	}
	const policy = "sink.partition-commit.policy.kind"
	if v, ok := opts[policy]; ok && strings.ToLower(strings.TrimSpace(v)) != "success-file" {
		bad(policy, "option %q = '%s': the partition commit policy here is 'success-file' (a _SUCCESS file in each complete partition)", policy, v).Hint =
			"there is no metastore to commit to; write 'success-file', or leave the option out (no commit marker)"
	} else if ok {
		out["partition_commit"] = "success-file"
	}
	const trigger, pattern, delay = "sink.partition-commit.trigger", "partition.time-extractor.timestamp-pattern", "sink.partition-commit.delay"
	for _, k := range []string{trigger, pattern, delay} {
		if _, ok := opts[k]; ok && opts[policy] == "" {
			bad(k, "option %q commits partitions, which needs %s = 'success-file'", k, policy)
		}
	}
	switch v := strings.ToLower(strings.TrimSpace(opts[trigger])); v {
	case "partition-time":
		if opts[pattern] == "" {
			d := b.diags.Errorf(diag.MissingOption, at(trigger), "%s = 'partition-time' needs the option %q: how a partition's time is read from its values", trigger, pattern)
			d.Hint = "for PARTITIONED BY (dt, hm): '" + pattern + "' = '$dt $hm:00'"
			good = false
		}
	case "", "process-time":
		// Flink's default: a partition is committed once processing time
		// passes its creation plus the delay; here at the checkpoint that
		// makes its files visible, so only without a delay
		if opts[pattern] != "" {
			bad(pattern, "option %q is read by %s = 'partition-time' only", pattern, trigger).Hint = "add '" + trigger + "' = 'partition-time'"
		}
		if d, err := parseFlinkDuration(opts[delay]); opts[delay] != "" && err == nil && d != 0 {
			bad(delay, "option %q with %s = 'process-time': a partition is committed at the checkpoint that writes its files, without a processing-time delay", delay, trigger).Hint =
				"write '" + trigger + "' = 'partition-time' and a timestamp pattern: a partition is then committed once the watermark passes its time plus the delay"
		}
	default:
		bad(trigger, "option %q = '%s': the triggers are 'partition-time' and 'process-time'", trigger, opts[trigger])
	}
	if v, ok := opts[pattern]; ok && good {
		names := map[string]bool{}
		for _, id := range st.PartitionedBy {
			names[id.Name] = true
		}
		refs := regexp.MustCompile(`\$(\w+)`).FindAllStringSubmatch(v, -1)
		if len(refs) == 0 {
			bad(pattern, "option %q = '%s' names no partition column ($col)", pattern, v)
		}
		for _, r := range refs {
			if !names[r[1]] {
				bad(pattern, "option %q names $%s, which is not a PARTITIONED BY column", pattern, r[1])
			}
		}
	}
	// durations go to the sink as Go writes them ("1m0s")
	if v, ok := opts[delay]; ok {
		if d, err := parseFlinkDuration(v); err != nil || d < 0 {
			bad(delay, "option %q = '%s' is not a duration such as '1 min'", delay, v)
		} else {
			out[filesystemOptions[delay]] = d.String()
		}
	}
	for _, k := range []string{"sink.rolling-policy.rollover-interval", "sink.rolling-policy.check-interval"} {
		if v, ok := opts[k]; ok {
			if d, err := parseFlinkDuration(v); err != nil || d <= 0 {
				bad(k, "option %q = '%s' is not a positive duration such as '1 min'", k, v)
			} else if to := filesystemOptions[k]; to != "" {
				out[to] = d.String()
			}
		}
	}
	if v, ok := opts["sink.rolling-policy.file-size"]; ok {
		if !regexp.MustCompile(`(?i)^\s*\d+\s*(b|kb|mb|gb)?\s*$`).MatchString(v) {
			bad("sink.rolling-policy.file-size", "option %q = '%s' is not a size such as '128MB'", "sink.rolling-policy.file-size", v)
		}
	}
	return out, good
}

// parseFlinkDuration reads a duration as Flink writes it ('1 min', '1min',
// '30 s', '2 hours', a bare number of milliseconds; flinkDuration) or as
// Go does ('1m30s').
func parseFlinkDuration(v string) (time.Duration, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if d, err := time.ParseDuration(v); err == nil {
		return d, nil
	}
	m := flinkDuration.FindStringSubmatch(v)
	if m == nil {
		return 0, fmt.Errorf("%q is not a duration", v)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n > int64(1<<62)/int64(flinkUnits[m[2]]) {
		return 0, fmt.Errorf("%q is out of range", v)
	}
	return time.Duration(n) * flinkUnits[m[2]], nil
}

// conform makes an INSERT's query give its sink table's columns: by
// position, renamed to the table's names; a BIGINT into a DOUBLE column is
// widened. Anything else that does not match is an error at the SELECT
// item (or the INSERT).
func (b *binder) conform(st *ast.Insert, t sinkTable, root plan.Node) plan.Node {
	got := root.Schema()
	at := func(i int) ast.Pos {
		if q := st.Query; q != nil && len(q.SetOps) == 0 && len(q.Items) == len(got) && i < len(q.Items) {
			return q.Items[i].Pos
		}
		return st.Pos
	}
	if len(got) != len(t.schema) {
		d := b.diags.Errorf(diag.TypeMismatch, st.Pos, "INSERT INTO %s: the query gives %d columns, and the table has %d", st.Sink.Name, len(got), len(t.schema))
		d.Hint = "columns of " + st.Sink.Name + ": " + describeSchema(t.schema)
		return nil
	}
	p := &plan.Project{Input: root}
	good := true
	for i, want := range t.schema {
		have := got[i]
		var e plan.Expr = &plan.ColRef{Index: i, Name: have.Name, T: have.Type}
		switch {
		case have.Type.Kind == want.Type.Kind:
		case have.Type.Kind == types.Int && want.Type.Kind == types.Float:
			e = &plan.Cast{X: e, T: types.Type{Kind: types.Float, Nullable: have.Type.Nullable}}
		default:
			d := b.diags.Errorf(diag.TypeMismatch, at(i), "INSERT INTO %s: column %d (%s) is %s, and the table's column %s is %s", st.Sink.Name, i+1, have.Name, have.Type.Kind, want.Name, want.Type.Kind)
			d.Hint = fmt.Sprintf("CAST it: CAST(… AS %s)", want.Type.Kind)
			good = false
			continue
		}
		if have.Type.Nullable && !want.Type.Nullable {
			d := b.diags.Errorf(diag.TypeMismatch, at(i), "INSERT INTO %s: column %d (%s) may be NULL, and the table's column %s is NOT NULL", st.Sink.Name, i+1, have.Name, want.Name)
			d.Hint = "COALESCE it, or declare the table's column without NOT NULL"
			good = false
			continue
		}
		p.Exprs = append(p.Exprs, e)
		p.Names = append(p.Names, want.Name)
	}
	if !good {
		return nil
	}
	return p
}

func describeSchema(s plan.Schema) string {
	var parts []string
	for _, c := range s {
		parts = append(parts, c.Name+" "+c.Type.Kind.String())
	}
	return strings.Join(parts, ", ")
}
