package parquet

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"
	"github.com/laminar-sql/laminar/runtime/connector/filesystem"
	"github.com/laminar-sql/laminar/runtime/decimal"
)

// ColumnsOption is the option through which generated code tells the sink
// the view's columns and SQL types (a JSON array of {"name", "type",
// "nullable"}); no user option can have a dot in its name.
const ColumnsOption = filesystem.ColumnsOption

// openSink opens the file sink of connector 'parquet' (runtime/connector/
// filesystem), whose files are Parquet unless the option format says csv
// or json.
var openSink = filesystem.Open

// writer writes the Parquet files of a file sink (filesystem.FileWriter).
type writer struct {
	columns []filesystem.Column
	cols    []int // the columns in the files
	schema  *schema.GroupNode
}

func newWriter(columns []filesystem.Column, cols []int) (filesystem.FileWriter, error) {
	var fields schema.FieldList
	for _, ci := range cols {
		n, err := parquetNode(columns[ci])
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", columns[ci].Name, err)
		}
		fields = append(fields, n)
	}
	root, err := schema.NewGroupNode("schema", pq.Repetitions.Required, fields, -1)
	if err != nil {
		return nil, err
	}
	return &writer{columns: columns, cols: cols, schema: root}, nil
}

// parquetNode is the Parquet column of a view column: BIGINT int64,
// DOUBLE double, VARCHAR a string, BOOLEAN, TIMESTAMP int64 timestamp(µs,
// UTC), DECIMAL(p,s) decimal(p,s) (int64, or 16 bytes past 18 digits);
// optional when the column is nullable.
func parquetNode(c filesystem.Column) (schema.Node, error) {
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

// writeFile writes rows as one Parquet file (snappy, one row group),
// fsynced. It uses arrow-go's Parquet writer directly, not its Arrow
// layer (pqarrow), which would add some 16 MB to every Parquet job.
func (s *writer) WriteFile(path string, rows [][]json.RawMessage) (err error) {
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
	for _, ci := range s.cols {
		c := s.columns[ci]
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
func writeColumn(cw file.ColumnChunkWriter, c filesystem.Column, ci int, rows [][]json.RawMessage, defs []int16) error {
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
