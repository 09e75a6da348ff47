package binder

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
)

// icebergSink checks the option values of an Iceberg sink, each error at
// its option: namespace and table name a table of the warehouse (the
// runtime's iceberg.Identifier says the same at start), catalog is the
// Hadoop catalog, rows_per_file a positive count. Partition columns are
// checked against the view by connectors.BindSink.
func (b *binder) icebergSink(st *ast.CreateSink, opts map[string]string) bool {
	at := func(key string) ast.Pos {
		for _, o := range st.With {
			if o.Key == key {
				return o.Pos
			}
		}
		return st.Pos
	}
	good := true
	bad := func(key, format string, args ...any) *diag.Diagnostic {
		good = false
		return b.diags.Errorf(diag.BadOption, at(key), format, args...)
	}
	if strings.TrimSpace(opts["warehouse"]) == "" {
		bad("warehouse", "iceberg sink: warehouse is empty: it is the directory of the catalog's namespaces and tables").Hint = "warehouse = '/data/warehouse'"
	}
	if c := opts["catalog"]; c != "" && strings.ToLower(c) != "hadoop" {
		bad("catalog", "iceberg sink: catalog = '%s': the catalog here is 'hadoop' (tables in a warehouse directory, no catalog service)", c).Hint =
			"leave catalog out, or write catalog = 'hadoop'"
	}
	badName := func(part string) bool {
		return part == "" || part == "." || part == ".." || strings.ContainsAny(part, "/\\")
	}
	if ns, ok := opts["namespace"]; ok {
		for _, part := range strings.Split(ns, ".") {
			if badName(part) {
				bad("namespace", "iceberg sink: namespace = '%s' is not a namespace name (names separated by dots, without / or empty parts)", ns)
				break
			}
		}
		if badName(opts["table"]) || strings.Contains(opts["table"], ".") {
			bad("table", "iceberg sink: table = '%s' is not a table name (with namespace given, a name without dots or /)", opts["table"])
		}
	} else {
		for _, part := range strings.Split(opts["table"], ".") {
			if badName(part) {
				bad("table", "iceberg sink: table = '%s' is not a table name such as 'events' or 'db.events'", opts["table"])
				break
			}
		}
	}
	if v, ok := opts["rows_per_file"]; ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err != nil || n < 1 {
			bad("rows_per_file", "iceberg sink: rows_per_file = '%s' is not a positive number", v).Hint =
				"without a state dir, rows are appended in a snapshot every rows_per_file rows and at the end"
		}
	}
	return good
}

// checkIcebergTables reports two Iceberg sinks of the pipeline writing one
// table under one sink_id: their snapshots would carry the same sink id
// and epochs, and each would take the other's commits for its own.
func (b *binder) checkIcebergTables() {
	seen := map[string]string{}
	for _, s := range b.p.Sinks {
		if s.Connector != "iceberg" {
			continue
		}
		table := s.Options["table"]
		if ns, ok := s.Options["namespace"]; ok {
			table = ns + "." + table
		} else if !strings.Contains(table, ".") {
			table = "default." + table
		}
		id := s.Options["sink_id"]
		if id == "" {
			id = table
		}
		key := filepath.Clean(s.Options["warehouse"]) + "\x00" + table + "\x00" + id
		if other, dup := seen[key]; dup {
			d := b.diags.Errorf(diag.PathCollision, s.Pos, "iceberg sink %s writes table %s of %s under sink id %s, as sink %s does", s.Name, table, s.Options["warehouse"], id, other)
			d.Hint = "give one of them another sink_id (each sink's snapshots carry its id and epochs), or write one view"
			continue
		}
		seen[key] = s.Name
	}
}
