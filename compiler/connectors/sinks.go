package connectors

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// ParquetColumnsOption is the option through which a Parquet sink learns its
// view's columns and types (runtime/connector/parquet.ColumnsOption); a user
// option cannot have a dot in its name.
const ParquetColumnsOption = "laminar.columns"

// KeyOption is the option through which a PostgreSQL sink learns the
// view's unique key (column names, comma-separated), to check the table's
// primary key against it; a user option cannot have a dot in its name.
const KeyOption = "laminar.key"

// BindSinkKey keys a sink by its view's unique key (plan.UniqueKey),
// once the optimizer has shaped the view (a ROW_NUMBER() ... = 1 filter is
// a top-N's limit then): a Kafka sink in upsert or debezium mode; a
// PostgreSQL sink checks the table's primary key against it.
func BindSinkKey(s *plan.Sink) []Problem {
	if s.View == nil {
		return nil
	}
	switch s.Connector {
	case "kafka":
		if pr := bindKafkaKey(s); pr != nil {
			return pr
		}
		return bindAvroSink(s)
	case "postgres":
		if key, ok := plan.UniqueKey(s.View.Root); ok && !s.View.Root.AppendOnly() {
			s.Options[KeyOption] = strings.Join(keyNames(s.View.Root.Schema(), key), ",")
		}
	}
	return nil
}

// BindSink completes a sink once its view is known: the partitioned file
// sink (connector 'parquet', or 'filesystem' for its CSV and JSON files)
// takes append-only rows and is told the view's columns and types.
func BindSink(s *plan.Sink) []Problem {
	if s.Connector == "iceberg" && s.View != nil {
		return bindIceberg(s)
	}
	if s.Connector != "parquet" && s.Connector != "filesystem" || s.View == nil {
		return nil
	}
	what, files, column := "parquet sink", "Parquet files", "Parquet column"
	if s.Connector == "filesystem" {
		what, files, column = "file sink", strings.ToUpper(s.Options["format"])+" files", "column in a "+s.Options["format"]+" file"
	}
	if !s.View.Root.AppendOnly() {
		return []Problem{{Column: -1, Code: diag.BadOption,
			Msg:  fmt.Sprintf("%s %s: view %s is updating, and %s take append-only rows", what, s.Name, s.View.Name, files),
			Hint: "write an updating view to PostgreSQL, Kafka (upsert) or a JSON file; or window it with EMIT ON WINDOW CLOSE"}}
	}
	cols, problem := sinkColumns(s, s.Connector, column, "", true)
	if problem != nil {
		return problem
	}
	for _, name := range strings.Split(s.Options["partitioned_by"], ",") {
		if name = strings.TrimSpace(name); name != "" && s.View.Root.Schema().Index(name) < 0 {
			return []Problem{{Column: -1, Code: diag.UnknownColumn,
				Msg: fmt.Sprintf("%s %s: partition column %s is not a column of view %s", what, s.Name, name, s.View.Name)}}
		}
	}
	b, _ := json.Marshal(cols)
	s.Options[ParquetColumnsOption] = string(b)
	return nil
}

// bindIceberg completes an Iceberg sink: it appends rows (no equality or
// position deletes), so an updating view is refused; it is told the view's
// columns and types, the table's schema.
func bindIceberg(s *plan.Sink) []Problem {
	if !s.View.Root.AppendOnly() {
		return []Problem{{Column: -1, Code: diag.BadOption,
			Msg:  fmt.Sprintf("iceberg sink %s: view %s is updating, and this Iceberg sink only appends rows: it writes no equality or position deletes, so a retraction cannot be written", s.Name, s.View.Name),
			Hint: "window the view with EMIT ON WINDOW CLOSE (append-only), or write an updating view to PostgreSQL or Kafka (upsert)"}}
	}
	cols, problem := sinkColumns(s, "iceberg", "Iceberg type", "CAST it to BIGINT, DOUBLE, VARCHAR, BOOLEAN or TIMESTAMP", false)
	if problem != nil {
		return problem
	}
	for _, name := range strings.Split(s.Options["partitioned_by"], ",") {
		if name = strings.TrimSpace(name); name != "" && s.View.Root.Schema().Index(name) < 0 {
			return []Problem{{Column: -1, Code: diag.UnknownColumn,
				Msg: fmt.Sprintf("iceberg sink %s: partition column %s is not a column of view %s", s.Name, name, s.View.Name)}}
		}
	}
	b, _ := json.Marshal(cols)
	s.Options[ParquetColumnsOption] = string(b)
	return nil
}

func keyNames(schema plan.Schema, key []int) []string {
	var names []string
	for _, c := range key {
		names = append(names, schema[c].Name)
	}
	return names
}

// bindKafkaKey checks or fills the key option of a Kafka sink. In upsert
// and debezium modes the records of an updating view are keyed by the
// view's unique key (plan.UniqueKey), so that every change of one row has
// one key: without the option key, it is that key (upsert needs one); an
// explicit key must hold every column of it (more columns are a unique
// key too). An append-only view may be keyed by any columns.
func bindKafkaKey(s *plan.Sink) []Problem {
	mode := strings.ToLower(s.Options["mode"])
	if mode != "upsert" && mode != "debezium" {
		return nil
	}
	root := s.View.Root
	schema := root.Schema()
	var names []string
	for _, c := range schema {
		names = append(names, c.Name)
	}
	derived, ok := plan.UniqueKey(root)
	derivedNames := keyNames(schema, derived)
	hint := "a view's unique key: the GROUP BY columns of an aggregate, a source's PRIMARY KEY, the PARTITION BY columns of ROW_NUMBER() OVER (...) = 1"
	if strings.TrimSpace(s.Options["key"]) == "" {
		if ok {
			for _, n := range derivedNames {
				if strings.Contains(n, ",") {
					return []Problem{{Column: -1, Code: diag.BadOption,
						Msg: fmt.Sprintf("kafka sink %s: key column %q has a comma in its name, which the option key cannot name", s.Name, n)}}
				}
			}
			s.Options["key"] = strings.Join(derivedNames, ",")
			return nil
		}
		if mode == "upsert" {
			return []Problem{{Column: -1, Code: diag.MissingOption,
				Msg:  fmt.Sprintf("kafka sink %s: mode = 'upsert' keys records by the view's unique key, and view %s has none the planner can tell", s.Name, s.View.Name),
				Hint: hint + "; or write mode = 'changelog' (or 'debezium'), which need no key"}}
		}
		return nil
	}
	var explicit []string
	for _, k := range strings.Split(s.Options["key"], ",") {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if !slices.Contains(names, k) {
			return []Problem{{Column: -1, Code: diag.BadOption,
				Msg:  fmt.Sprintf("kafka sink %s: key column %q is not a column of view %s", s.Name, k, s.View.Name),
				Hint: "columns: " + strings.Join(names, ", ")}}
		}
		explicit = append(explicit, k)
	}
	if root.AppendOnly() {
		return nil
	}
	if !ok {
		return []Problem{{Column: -1, Code: diag.BadOption,
			Msg:  fmt.Sprintf("kafka sink %s: view %s is updating and has no unique key the planner can tell, so key = '%s' may give two rows one record key (and a retraction a tombstone for both)", s.Name, s.View.Name, s.Options["key"]),
			Hint: hint + "; or write mode = 'changelog', which needs no key"}}
	}
	for _, n := range derivedNames {
		if !slices.Contains(explicit, n) {
			return []Problem{{Column: -1, Code: diag.BadOption,
				Msg:  fmt.Sprintf("kafka sink %s: key = '%s' is not a unique key of view %s: its unique key is (%s), and column %s is not in key", s.Name, s.Options["key"], s.View.Name, strings.Join(derivedNames, ", "), n),
				Hint: fmt.Sprintf("key = '%s', or leave key out: it is then the view's unique key", strings.Join(derivedNames, ", "))}}
		}
	}
	return nil
}

// bindAvroSink tells a Kafka sink in format 'avro' the view's columns and
// types, from which the runtime derives the Avro schema it registers
// (runtime/format/avro); an updating view in changelog mode has the field
// _op too ("+" or "-").
func bindAvroSink(s *plan.Sink) []Problem {
	if s.Format != "avro" {
		return nil
	}
	if s.Options["schema_registry"] == "" {
		return []Problem{{Column: -1, Code: diag.MissingOption, Msg: fmt.Sprintf("kafka sink %s: format 'avro' needs the option schema_registry", s.Name),
			Hint: "schema_registry = 'http://registry:8081': the schema is registered there, under the subject <topic>-value"}}
	}
	mode := strings.ToLower(s.Options["mode"])
	if mode == "debezium" {
		return []Problem{{Column: -1, Code: diag.BadOption, Msg: fmt.Sprintf("kafka sink %s: mode = 'debezium' writes JSON change events, not Avro", s.Name),
			Hint: "format 'avro' takes mode = 'changelog' (rows with an _op field) or 'upsert' (rows keyed by the view's unique key, tombstones for deletions)"}}
	}
	cols, problem := sinkColumns(s, "kafka", "Avro type", "CAST it to BIGINT (microseconds) or VARCHAR", false)
	if problem != nil {
		return problem
	}
	for _, c := range cols {
		if c.Name == "_op" {
			return []Problem{{Column: -1, Code: diag.BadOption, Msg: fmt.Sprintf("kafka sink %s: a column named _op would clash with the change field of the records", s.Name)}}
		}
	}
	if !s.View.Root.AppendOnly() && (mode == "" || mode == "changelog") {
		cols = append(cols, sinkColumn{"_op", types.String.String(), false})
	}
	b, _ := json.Marshal(cols)
	s.Options[ParquetColumnsOption] = string(b)
	return nil
}

// sinkColumn is a column of a sink's view as the runtime's schema-writing
// sinks (Parquet, Avro) read it from an option.
type sinkColumn struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
}

// sinkColumns lists the columns of sink s's view, refusing a type the
// connector's file format cannot hold (what: e.g. "Avro type"); DECIMAL
// only where decimals is set (Parquet's DECIMAL logical type).
func sinkColumns(s *plan.Sink, connector, what, hint string, decimals bool) ([]sinkColumn, []Problem) {
	var cols []sinkColumn
	for _, c := range s.View.Root.Schema() {
		switch k := c.Type.Kind; {
		case k == types.Int, k == types.Float, k == types.String, k == types.Bool, k == types.Timestamp:
		case decimals && k.IsDecimal():
		default:
			return nil, []Problem{{Column: -1, Code: diag.BadOption, Hint: hint,
				Msg: fmt.Sprintf("%s sink %s: column %s is %s, which has no %s here", connector, s.Name, c.Name, c.Type.Kind, what)}}
		}
		cols = append(cols, sinkColumn{c.Name, c.Type.Kind.String(), c.Type.Nullable})
	}
	return cols, nil
}
