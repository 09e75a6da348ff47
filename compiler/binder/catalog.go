package binder

import (
	"sort"
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/internal/suggest"
)

// connectorOptions lists, per connector, the WITH options it accepts and which
// are required. Anything else is an error: a misspelt option must never be
// silently ignored.
type connectorDef struct {
	required []string
	optional []string
	formats  []string // accepted values of format; empty when format is not an option
}

var sourceConnectors = map[string]connectorDef{
	"file": {required: []string{"path"}, optional: []string{"format"}, formats: []string{"json", "csv", "debezium", "changelog", "parquet"}},
	// Parquet files (a file, a directory, a glob): read by column, typed
	"parquet": {required: []string{"path"}, optional: []string{"format"}, formats: []string{"parquet"}},
	"stdin":   {optional: []string{"format"}, formats: []string{"json", "csv", "debezium", "changelog"}},
	"push":    {},
	"nexmark": {optional: []string{"table", "events", "rate", "seed", "partitions", "partition", "base_time", "out_of_order_group"}},
	"kafka": {required: []string{"topic", "brokers"}, formats: []string{"json", "csv", "debezium", "changelog", "avro"},
		optional: append([]string{"format", "startup", "startup_timestamp", "group", "group_id", "properties.group.id", "bounded", "isolation", "client_id", "idle_timeout",
			"schema_registry", "schema_registry_username", "schema_registry_password_env"}, kafkaSecurity...)},
	// CDC: snapshot then changes through logical replication
	"postgres": {required: []string{"table"}, formats: []string{"json"},
		optional: []string{"format", "url", "url_env", "slot", "publication", "bounded", "mode"}},
}

// kafkaSecurity are the TLS and SASL options of both Kafka connectors.
var kafkaSecurity = []string{"security_protocol", "sasl_mechanism", "sasl_username", "sasl_password", "sasl_password_env",
	"tls_ca", "tls_cert", "tls_key", "tls_server_name", "tls_insecure_skip_verify"}

var sinkConnectors = map[string]connectorDef{
	"file":      {required: []string{"path"}, optional: []string{"format"}, formats: []string{"json", "csv"}},
	"stdout":    {optional: []string{"format"}, formats: []string{"json", "csv"}},
	"blackhole": {},
	"kafka": {required: []string{"topic", "brokers"}, formats: []string{"json", "avro"},
		optional: append([]string{"format", "delivery", "mode", "key", "transactional_id", "transaction_timeout", "client_id",
			"schema_registry", "schema_registry_username", "schema_registry_password_env"}, kafkaSecurity...)},
	// url or url_env (the name of an environment variable holding the URL,
	// so a password stays out of the SQL); the sink says when neither is set
	"postgres": {required: []string{"table"}, formats: []string{"json"},
		optional: []string{"format", "url", "url_env", "delivery", "sink_id"}},
	// files of one epoch and partition each; path is a directory
	"parquet": {required: []string{"path"}, formats: []string{"parquet", "csv", "json"},
		optional: []string{"format", "partitioned_by", "rows_per_file", "rolling_size", "rollover_interval", "partition_commit", "partition_time", "partition_commit_delay"}},
	// an Apache Iceberg table in a warehouse directory (the Hadoop
	// catalog), appended exactly-once by epoch (iceberg.go checks values)
	"iceberg": {required: []string{"warehouse", "table"},
		optional: []string{"namespace", "catalog", "partitioned_by", "rows_per_file", "sink_id"}},
	// Flink's file system sink, with Flink's option names: the sink above
	// (sinktable.go maps the options)
	"filesystem": {required: []string{"path", "format"}, formats: []string{"parquet", "csv", "json"},
		optional: []string{"sink.partition-commit.trigger", "sink.partition-commit.delay", "sink.partition-commit.policy.kind",
			"partition.time-extractor.timestamp-pattern", "sink.rolling-policy.file-size", "sink.rolling-policy.rollover-interval", "sink.rolling-policy.check-interval"}},
}

// bindOptions validates a WITH clause against the connector table and returns
// the connector, the format and the options as a map.
func bindOptions(l *diag.List, stmtPos ast.Pos, what string, opts []ast.Option, table map[string]connectorDef) (string, string, map[string]string, bool) {
	m := map[string]string{}
	pos := map[string]ast.Pos{}
	for _, o := range opts {
		if _, dup := m[o.Key]; dup {
			l.Errorf(diag.BadOption, o.Pos, "option %q given twice", o.Key)
			return "", "", nil, false
		}
		m[o.Key] = o.Value
		pos[o.Key] = o.Pos
	}
	conn, ok := m["connector"]
	if !ok {
		d := l.Errorf(diag.MissingOption, stmtPos, "%s needs a connector: WITH (connector = '...')", what)
		d.Hint = "connectors: " + strings.Join(sortedKeys(table), ", ")
		return "", "", nil, false
	}
	def, ok := table[strings.ToLower(conn)]
	if !ok {
		d := l.Errorf(diag.UnknownConnector, pos["connector"], "unknown %s connector %q", what, conn)
		d.Hint = "connectors: " + strings.Join(sortedKeys(table), ", ")
		return "", "", nil, false
	}
	conn = strings.ToLower(conn)
	good := true
	allowed := append([]string{"connector"}, append(def.required, def.optional...)...)
	// a misspelt required option is one mistake: "no option pth, did you
	// mean path?", not also "needs the option path"
	misspelt := map[string]bool{}
	for _, o := range opts {
		if !contains(allowed, o.Key) {
			misspelt[closest(o.Key, allowed)] = true
		}
	}
	for _, r := range def.required {
		if _, ok := m[r]; !ok {
			good = false
			if !misspelt[r] {
				l.Errorf(diag.MissingOption, stmtPos, "connector %q needs the option %q", conn, r)
			}
		}
	}
	for _, o := range opts {
		if !contains(allowed, o.Key) {
			d := l.Errorf(diag.UnknownOption, o.Pos, "connector %q has no option %q", conn, o.Key)
			if s := closest(o.Key, allowed); s != "" {
				d.Hint = "did you mean " + s + "?"
			} else {
				d.Hint = "options: " + strings.Join(allowed, ", ")
			}
			good = false
		}
	}
	format := ""
	if len(def.formats) > 0 {
		format = strings.ToLower(m["format"])
		if format == "" {
			format = def.formats[0]
		}
		if !contains(def.formats, format) {
			d := l.Errorf(diag.BadOption, pos["format"], "connector %q does not support format %q", conn, m["format"])
			d.Hint = "formats: " + strings.Join(def.formats, ", ")
			good = false
		}
	}
	return conn, format, m, good
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// closest returns the candidate nearest to name by edit distance, if it is
// near enough to be a likely typo.
func closest(name string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if d := suggest.Distance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if bestD <= 2 || (bestD <= 3 && len(name) > 6) {
		return best
	}
	return ""
}

// scope is the set of columns an expression can name.
type scope struct {
	schema     plan.Schema
	qualifiers []string // names the FROM item can be referred to by
	// colQuals, for a join, is the qualifier of each column (the name or
	// alias of the FROM item it comes from); nil when there is one FROM item.
	colQuals []string
	// innerFrom > 0 marks the columns from there on as a subquery's own:
	// an unqualified name it has resolves there before the outer query's.
	innerFrom int
}

func (s *scope) lookup(l *diag.List, ref *ast.ColumnRef) (int, bool) {
	if s.colQuals != nil {
		return s.lookupJoined(l, ref)
	}
	if ref.Qualifier != nil && !contains(s.qualifiers, ref.Qualifier.Name) {
		d := l.Errorf(diag.UnknownTable, ref.Qualifier.Pos, "unknown table %q in column reference", ref.Qualifier.Name)
		if len(s.qualifiers) > 0 {
			d.Hint = "the FROM clause names " + strings.Join(s.qualifiers, ", ")
		}
		return 0, false
	}
	// the last column of a name wins: a window TVF over a windowed view
	// appends window_start and window_end that shadow the view's own
	for i := len(s.schema) - 1; i >= 0; i-- {
		if s.schema[i].Name == ref.Name.Name {
			return i, true
		}
	}
	names := make([]string, len(s.schema))
	for i, c := range s.schema {
		names[i] = c.Name
	}
	// an unquoted reference to a mixed-case quoted column is a common slip
	for i, c := range s.schema {
		if strings.EqualFold(c.Name, ref.Name.Name) {
			d := l.Errorf(diag.UnknownColumn, ref.Name.Pos, "unknown column %q", ref.Name.Name)
			d.Hint = "the column is named \"" + s.schema[i].Name + "\"; quote it to keep its case"
			return 0, false
		}
	}
	if ref.Qualifier == nil && processingTime[strings.ToUpper(ref.Name.Name)] {
		d := l.Errorf(diag.Unsupported, ref.Name.Pos, "%s is processing time, which is not supported", strings.ToUpper(ref.Name.Name))
		d.Hint = processingTimeHint
		return 0, false
	}
	d := l.Errorf(diag.UnknownColumn, ref.Name.Pos, "unknown column %q", ref.Name.Name)
	if c := closest(ref.Name.Name, names); c != "" {
		d.Hint = "did you mean " + c + "?"
	} else if len(names) <= 12 {
		d.Hint = "columns in scope: " + strings.Join(names, ", ")
	}
	return 0, false
}

// lookupJoined resolves a column of a join: a qualified name in its FROM item,
// an unqualified one in the only FROM item that has it.
func (s *scope) lookupJoined(l *diag.List, ref *ast.ColumnRef) (int, bool) {
	var hits []int
	for i := len(s.schema) - 1; i >= 0; i-- {
		if s.schema[i].Name == ref.Name.Name && (ref.Qualifier == nil || s.colQuals[i] == ref.Qualifier.Name) {
			hits = append(hits, i)
		}
	}
	if ref.Qualifier != nil && !contains(s.colQuals, ref.Qualifier.Name) {
		d := l.Errorf(diag.UnknownTable, ref.Qualifier.Pos, "unknown table %q in column reference", ref.Qualifier.Name)
		d.Hint = "the FROM clause names " + strings.Join(uniqueStrings(s.colQuals), ", ")
		return 0, false
	}
	if ref.Qualifier == nil && s.innerFrom > 0 {
		var inner []int
		for _, i := range hits {
			if i >= s.innerFrom {
				inner = append(inner, i)
			}
		}
		if len(inner) > 0 {
			hits = inner
		}
	}
	quals := map[string]bool{}
	for _, i := range hits {
		quals[s.colQuals[i]] = true
	}
	switch {
	case len(hits) == 0:
		var names []string
		for i, c := range s.schema {
			if ref.Qualifier == nil || s.colQuals[i] == ref.Qualifier.Name {
				names = append(names, c.Name)
			}
		}
		d := l.Errorf(diag.UnknownColumn, ref.Name.Pos, "unknown column %q", ref.Name.Name)
		if c := closest(ref.Name.Name, names); c != "" {
			d.Hint = "did you mean " + c + "?"
		}
		return 0, false
	case len(quals) > 1:
		d := l.Errorf(diag.AmbiguousColumn, ref.Name.Pos, "column %q is ambiguous: both %s have it", ref.Name.Name, strings.Join(sortedKeys(quals), " and "))
		d.Hint = "qualify it, as in " + sortedKeys(quals)[0] + "." + ref.Name.Name
		return 0, false
	}
	return hits[0], true // the last of a name wins, as in lookup
}

func uniqueStrings(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// hasQualifier tells whether column i belongs to the FROM item named q.
func (s *scope) hasQualifier(i int, q string) bool {
	if s.colQuals != nil {
		return s.colQuals[i] == q
	}
	return contains(s.qualifiers, q)
}

// columnQuals is the qualifier of each column: the FROM item it comes from
// ("" for one without a name, such as a subquery without an alias).
func (s *scope) columnQuals() []string {
	if s.colQuals != nil {
		return s.colQuals
	}
	q := ""
	if len(s.qualifiers) > 0 {
		q = s.qualifiers[0]
	}
	quals := make([]string, len(s.schema))
	for i := range quals {
		quals[i] = q
	}
	return quals
}
