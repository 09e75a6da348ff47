// Package binder turns the syntax tree of a pipeline into a logical plan: it
// builds the catalog of sources, views and sinks, resolves every name, types
// every expression (with SQL NULL semantics and implicit numeric widening),
// and rejects, with a code and a position, whatever the engine cannot run.
package binder

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/connectors"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// Bind builds the logical plan of a parsed pipeline. src is the pipeline text
// (to keep each statement's SQL for comments), name the pipeline's name.
func Bind(script *ast.Script, src, name string) (*plan.Pipeline, []diag.Diagnostic) {
	return BindWith(script, src, name, nil)
}

// BindWith is Bind with check, which (when not nil) is asked about every
// source once it is bound: the problems of its declaration against what
// the source reads now (the CLI reads the schema of a Parquet file that
// exists); the binder itself reads no file.
func BindWith(script *ast.Script, src, name string, check func(*plan.Source) []connectors.Problem) (*plan.Pipeline, []diag.Diagnostic) {
	b := &binder{src: src, check: check, names: map[string]ast.Pos{}, sources: map[string]*plan.Source{},
		views: map[string]*plan.View{}, sinks: map[string]*plan.Sink{}, fed: map[string]bool{}, failed: map[string]bool{}, tables: map[string]*plan.LookupTable{},
		sinkTables: map[string]sinkTable{}}
	b.p = &plan.Pipeline{Name: name}
	b.settings(script)
	written := inserted(script)
	for _, st := range script.Stmts {
		switch st := st.(type) {
		case *ast.CreateSource:
			switch {
			case st.Table && written[st.Name.Name]:
				b.createSinkTable(st)
			case st.Table:
				b.createTable(st)
			default:
				b.createSource(st)
			}
		case *ast.CreateView:
			b.createView(st)
		case *ast.CreateSink:
			b.createSink(st)
		case *ast.Insert:
			b.insert(st)
		case *ast.CreateFunction:
			b.createFunction(st)
		}
	}
	b.finish()
	return b.p, b.diags.Items
}

type binder struct {
	src     string
	check   func(*plan.Source) []connectors.Problem // BindWith's
	diags   diag.List
	p       *plan.Pipeline
	names   map[string]ast.Pos // every statement-level name, to catch duplicates
	sources map[string]*plan.Source
	views   map[string]*plan.View
	sinks   map[string]*plan.Sink
	fed     map[string]bool          // sinks that have an input
	failed  map[string]bool          // sources and views whose definition had errors: no knock-on errors where they are read
	ctes    []map[string]*ast.Select // WITH frames of the queries being bound, innermost last
	// versioned is set while binding the table of a temporal join, the one
	// place a source with a PRIMARY KEY (a versioned table) may be read
	versioned bool
	tables    map[string]*plan.LookupTable // lookup tables (CREATE TABLE)
	ttl       ttlSetting                   // SET 'state_ttl': the pipeline's (ttl.go)
	split     splitSetting                 // SET 'distinct_split': the pipeline's (split.go)
	// sinkTables are the declared columns of the sinks declared by CREATE
	// TABLE (sinktable.go), which their INSERT INTO's query must give
	sinkTables map[string]sinkTable
}

func (b *binder) declare(id ast.Ident, what string) bool {
	if prev, ok := b.names[id.Name]; ok {
		d := b.diags.Errorf(diag.DuplicateName, id.Pos, "%s %q is already defined", what, id.Name)
		d.Hint = fmt.Sprintf("the first definition is at line %d", prev.Line)
		return false
	}
	b.names[id.Name] = id.Pos
	return true
}

// stmtText returns the SQL of the statement starting at pos, up to its ';'.
func (b *binder) stmtText(pos ast.Pos) string {
	if pos.Offset < 0 || pos.Offset > len(b.src) {
		return ""
	}
	s := b.src[pos.Offset:]
	inStr, inIdent := byte(0), false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inStr != 0:
			if c == inStr {
				inStr = 0
			}
		case inIdent:
			if c == '"' {
				inIdent = false
			}
		case c == '\'' || c == '`':
			inStr = c
		case c == '"':
			inIdent = true
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			if j := strings.Index(s[i+2:], "*/"); j >= 0 {
				i += j + 3
			} else {
				i = len(s)
			}
		case c == ';':
			return strings.TrimSpace(s[:i])
		}
	}
	return strings.TrimSpace(s)
}

func (b *binder) createSource(st *ast.CreateSource) {
	if !b.declare(st.Name, "source") {
		return
	}
	src := &plan.Source{Name: st.Name.Name, Pos: st.Pos, TimeCol: -1, SQL: b.stmtText(st.Pos)}
	b.failed[src.Name] = true // until it binds
	ok := true
	cols := st.Columns[:0:0] // the columns read from the records
	for i, c := range st.Columns {
		if c.Computed != nil {
			ok = b.procCol(src, st, i, c) && ok
			continue
		}
		cols = append(cols, c)
	}
	for _, c := range cols {
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
		if src.Schema.Index(c.Name.Name) >= 0 {
			b.diags.Errorf(diag.DuplicateColumn, c.Name.Pos, "column %q is declared twice", c.Name.Name)
			ok = false
			continue
		}
		src.Schema = append(src.Schema, plan.Column{Name: c.Name.Name, Type: types.Type{Kind: k, Nullable: !c.NotNull}})
	}
	if w := st.Watermark; w != nil && ok {
		b.bindWatermark(src, w)
	}
	if ok && st.PrimaryKey != nil {
		ok = b.bindPrimaryKey(src, st)
	}
	if ok && st.Unique != nil {
		ok = b.bindUnique(src, st)
	}
	conn, format, opts, good := bindOptions(&b.diags, st.Pos, "source", st.With, sourceConnectors)
	if !ok || !good {
		return
	}
	if conn == "file" && format == "parquet" {
		conn = "parquet" // the Parquet reader, in a package of its own (arrow-go)
	}
	src.Connector, src.Format, src.Options = conn, format, opts
	keys := make([]string, len(cols))
	hasMeta := false
	for i, c := range cols {
		if c.Metadata != nil {
			keys[i], hasMeta = c.Metadata.Key, true
		}
	}
	if hasMeta {
		problems := connectors.BindMetadata(src, keys)
		for _, pr := range problems {
			pos := cols[pr.Column].Metadata.Pos
			if pr.AtType {
				pos = cols[pr.Column].Type.Pos
			}
			d := b.diags.Errorf(pr.Code, pos, "%s", pr.Msg)
			d.Hint = pr.Hint
		}
		if len(problems) > 0 {
			return
		}
	}
	if typed, problems, isTyped := connectors.BindTyped(src); isTyped {
		for _, pr := range problems {
			pos := st.Pos
			switch {
			case pr.Column >= 0 && pr.AtType:
				pos = cols[pr.Column].Type.Pos
			case pr.Column >= 0:
				pos = cols[pr.Column].Name.Pos
			}
			d := b.diags.Errorf(pr.Code, pos, "%s", pr.Msg)
			d.Hint = pr.Hint
		}
		if len(problems) > 0 {
			return
		}
		src.Typed = typed
	}
	if b.check != nil {
		problems := b.check(src)
		for _, pr := range problems {
			pos := st.Pos
			switch {
			case pr.Column >= 0 && pr.AtType:
				pos = cols[pr.Column].Type.Pos
			case pr.Column >= 0:
				pos = cols[pr.Column].Name.Pos
			default:
				pos = optionPos(st.With, "path", st.Pos)
			}
			d := b.diags.Errorf(pr.Code, pos, "%s", pr.Msg)
			d.Hint = pr.Hint
		}
		if len(problems) > 0 {
			return
		}
	}
	updating, problems := connectors.Updating(src)
	problems = append(problems, connectors.FormatProblems(src)...)
	for _, pr := range problems {
		d := b.diags.Errorf(pr.Code, st.Pos, "%s", pr.Msg)
		d.Hint = pr.Hint
	}
	if len(problems) > 0 {
		return
	}
	src.Updating = updating
	src.Partitioned = connectors.Partitioned(src)
	delete(b.failed, src.Name)
	b.sources[src.Name] = src
	b.p.Sources = append(b.p.Sources, src)
}

// bindWatermark accepts `col` and `col - INTERVAL '…' unit`: a bounded
// out-of-orderness delay. The event-time column becomes NOT NULL: a row
// without event time cannot be placed in time and goes to the dead letters.
func (b *binder) bindWatermark(src *plan.Source, w *ast.Watermark) {
	i := src.Schema.Index(w.Column.Name)
	if i < 0 {
		b.diags.Errorf(diag.BadWatermark, w.Column.Pos, "watermark column %q is not a column of %s", w.Column.Name, src.Name)
		return
	}
	if src.Schema[i].Type.Kind != types.Timestamp {
		b.diags.Errorf(diag.BadWatermark, w.Column.Pos, "watermark column %q must be a TIMESTAMP, not %s", w.Column.Name, src.Schema[i].Type.Kind)
		return
	}
	sc := &scope{schema: src.Schema}
	e := b.expr(w.Expr, sc, nil)
	if e == nil {
		return
	}
	delay, ok := watermarkDelay(e, i)
	if !ok {
		d := b.diags.Errorf(diag.BadWatermark, w.Expr.Position(), "unsupported watermark expression %s", e)
		d.Hint = fmt.Sprintf("write WATERMARK FOR %s AS %s - INTERVAL '5' SECOND", w.Column.Name, w.Column.Name)
		return
	}
	src.TimeCol, src.Delay = i, delay
	src.Schema[i].Type.Nullable = false
}

func watermarkDelay(e plan.Expr, col int) (int64, bool) {
	if c, ok := e.(*plan.ColRef); ok && c.Index == col {
		return 0, true
	}
	bin, ok := e.(*plan.Binary)
	if !ok || bin.Op != "-" {
		return 0, false
	}
	c, ok1 := bin.L.(*plan.ColRef)
	k, ok2 := bin.R.(*plan.Const)
	if !ok1 || !ok2 || c.Index != col || k.T.Kind != types.Interval {
		return 0, false
	}
	d, _ := k.Value.(int64)
	return d, d >= 0
}

func (b *binder) createView(st *ast.CreateView) {
	if !b.declare(st.Name, "view") {
		return
	}
	errs := b.diags.ErrorCount()
	ttl, explicit, good := b.viewTTL(st.With)
	split, splitExplicit, splitGood := b.viewSplit(st.With)
	root := b.query(st.Query)
	if root == nil || !good || !splitGood || b.diags.ErrorCount() > errs {
		b.failed[st.Name.Name] = true
		return
	}
	v := &plan.View{Name: st.Name.Name, Pos: st.Pos, Root: root, SQL: b.stmtText(st.Pos)}
	b.applyTTL(v, ttl, explicit)
	b.applySplit(v, split, splitExplicit)
	b.views[v.Name] = v
	b.p.Views = append(b.p.Views, v)
}

func (b *binder) createSink(st *ast.CreateSink) {
	s := b.bindSink(st, true)
	if s == nil || st.From == nil {
		return
	}
	b.fed[s.Name] = true
	if v, ok := b.views[st.From.Name]; ok {
		s.View = v
		return
	}
	if src, ok := b.sources[st.From.Name]; ok {
		// A sink straight from a source: an implicit pass-through view.
		s.View = &plan.View{Name: s.Name, Pos: st.Pos, Root: &plan.Scan{Source: src}, SQL: b.stmtText(st.Pos), Anonymous: true}
		b.p.Views = append(b.p.Views, s.View)
		return
	}
	if b.failed[st.From.Name] {
		return // the view's own error was reported
	}
	d := b.diags.Errorf(diag.UnknownTable, st.From.Pos, "unknown view %q", st.From.Name)
	if c := closest(st.From.Name, append(sortedKeys(b.views), sortedKeys(b.sources)...)); c != "" {
		d.Hint = "did you mean " + c + "?"
	}
}

// bindSink declares a sink (CREATE SINK, or CREATE TABLE written by INSERT
// INTO) with its connector and options, and adds it to the pipeline; nil
// after an error. good is false when the statement had errors already.
func (b *binder) bindSink(st *ast.CreateSink, good bool) *plan.Sink {
	if !b.declare(st.Name, "sink") {
		return nil
	}
	conn, format, opts, ok := bindOptions(&b.diags, st.Pos, "sink", st.With, sinkConnectors)
	if !ok || !good {
		return nil
	}
	if conn == "filesystem" {
		if opts, ok = b.filesystemSink(st, opts); !ok {
			return nil
		}
		conn = "parquet" // the partitioned file sink, which writes format's files
	}
	if conn == "iceberg" && !b.icebergSink(st, opts) {
		return nil
	}
	if len(st.PartitionedBy) > 0 {
		if conn != "parquet" && conn != "iceberg" {
			d := b.diags.Errorf(diag.BadOption, st.PartitionedBy[0].Pos, "connector %q does not write partitions: PARTITIONED BY needs connector = 'parquet', 'filesystem' or 'iceberg'", conn)
			d.Hint = "drop PARTITIONED BY, or write the view to a Parquet or Iceberg sink"
			return nil
		}
		if _, dup := opts["partitioned_by"]; dup {
			b.diags.Errorf(diag.BadOption, st.PartitionedBy[0].Pos, "PARTITIONED BY and the option partitioned_by say the same: give one")
			return nil
		}
		names := make([]string, len(st.PartitionedBy))
		for i, id := range st.PartitionedBy {
			names[i] = id.Name
		}
		opts["partitioned_by"] = strings.Join(names, ", ")
	}
	if conn == "parquet" {
		// the files' format is the sink's own: the rows it is handed stay
		// JSON (a sink's Format would transcode them)
		opts["format"], format = format, ""
		if f := opts["format"]; f == "csv" || f == "json" {
			// the same file sink, without the Parquet writer: a job that
			// writes CSV or JSON files does not link arrow-go
			conn = "filesystem"
		}
	}
	s := &plan.Sink{Name: st.Name.Name, Pos: st.Pos, Connector: conn, Format: format, Options: opts}
	b.sinks[s.Name] = s
	b.p.Sinks = append(b.p.Sinks, s)
	return s
}

func (b *binder) insert(st *ast.Insert) {
	s, ok := b.sinks[st.Sink.Name]
	if !ok && b.failed[st.Sink.Name] {
		return // the table's own error was reported
	}
	if !ok {
		d := b.diags.Errorf(diag.UnknownSink, st.Sink.Pos, "unknown sink %q", st.Sink.Name)
		d.Hint = "declare it first: CREATE SINK " + st.Sink.Name + " WITH (connector = ...)"
		return
	}
	if b.fed[s.Name] {
		b.diags.Errorf(diag.DuplicateSinkInput, st.Sink.Pos, "sink %q already has an input", s.Name)
		return
	}
	b.fed[s.Name] = true
	root := b.query(st.Query)
	if root == nil {
		return
	}
	if t, ok := b.sinkTables[s.Name]; ok {
		if root = b.conform(st, t, root); root == nil {
			return
		}
	}
	s.View = &plan.View{Name: s.Name, Pos: st.Pos, Root: root, SQL: b.stmtText(st.Pos), Anonymous: true}
	b.applyTTL(s.View, b.ttl, false)
	b.applySplit(s.View, b.split, false)
	b.p.Views = append(b.p.Views, s.View)
}

func (b *binder) finish() {
	b.checkPaths()
	for _, s := range b.p.Sinks {
		if !b.fed[s.Name] {
			d := b.diags.Errorf(diag.SinkWithoutInput, s.Pos, "sink %q has no input", s.Name)
			d.Hint = "write CREATE SINK " + s.Name + " FROM <view> or INSERT INTO " + s.Name + " SELECT ..."
		}
	}
	for _, s := range b.p.Sinks {
		for _, pr := range connectors.BindSink(s) {
			d := b.diags.Errorf(pr.Code, s.Pos, "%s", pr.Msg)
			d.Hint = pr.Hint
		}
	}
	if b.diags.HasErrors() {
		return // unread sources and views would only echo the errors
	}
	read := map[*plan.Source]bool{}
	for _, v := range b.p.Views {
		for _, s := range plan.Sources(v.Root) {
			read[s] = true
		}
	}
	for _, s := range b.p.Sources {
		if !read[s] {
			b.diags.Warnf(diag.UnusedSource, s.Pos, "source %q is not read by any view or sink", s.Name)
		}
	}
	used := map[*plan.View]bool{}
	for _, s := range b.p.Sinks {
		if s.View != nil {
			markUsed(s.View, used)
		}
	}
	for _, v := range b.p.Views {
		if !used[v] && !v.Anonymous {
			d := b.diags.Warnf(diag.ViewWithoutSink, v.Pos, "view %q feeds no sink, so it is not run", v.Name)
			d.Hint = "add CREATE SINK " + v.Name + "_out FROM " + v.Name + " WITH (connector = 'stdout')"
		}
	}
}

// markUsed marks v and every view it reads, directly or not.
func markUsed(v *plan.View, used map[*plan.View]bool) {
	if used[v] {
		return
	}
	used[v] = true
	var walk func(n plan.Node)
	walk = func(n plan.Node) {
		if vs, ok := n.(*plan.ViewScan); ok {
			markUsed(vs.View, used)
		}
		for _, in := range n.Inputs() {
			walk(in)
		}
	}
	walk(v.Root)
}

// checkPaths reports a file sink whose path is the path of another file sink
// or of a file source, after cleaning: the sink would truncate its input or
// interleave with the other sink. The job checks again at start, resolving
// symlinks and hard links and its flags' files too.
func (b *binder) checkPaths() {
	type use struct{ what, path string }
	var seen []use
	for _, s := range b.p.Sources {
		if s.Connector == "file" {
			seen = append(seen, use{"source " + s.Name, filepath.Clean(s.Options["path"])})
		}
	}
	inputs := len(seen)
	b.checkIcebergTables()
	for _, s := range b.p.Sinks {
		if s.Connector != "file" {
			continue
		}
		p := filepath.Clean(s.Options["path"])
		for i, u := range seen {
			if u.path == p {
				d := b.diags.Errorf(diag.PathCollision, s.Pos, "sink %s writes %q, the same file as %s", s.Name, s.Options["path"], u.what)
				if i < inputs {
					d.Hint = "a sink writing its source's file would truncate the input; write to another file"
				} else {
					d.Hint = "two sinks on one file would interleave; give each sink its own file"
				}
				break
			}
		}
		seen = append(seen, use{"sink " + s.Name, p})
	}
}

// optionPos is where option key is written in a WITH clause, else def.
func optionPos(with []ast.Option, key string, def ast.Pos) ast.Pos {
	for _, o := range with {
		if o.Key == key {
			return o.Pos
		}
	}
	return def
}
