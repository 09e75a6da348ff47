package parquet

import (
	"github.com/laminar-sql/laminar/runtime/decimal"
	"github.com/laminar-sql/laminar/runtime/value"
)

// Batch is a batch of rows of a Parquet source, by column: what the
// source puts in connector.LineBatch.Typed. Generated code reads the slices
// of the columns its views read in place (Columns[i] is the source's
// column i, in the order of CREATE SOURCE); the other columns' slices are
// empty. Of each column exactly one slice is filled, by its SQL type and
// nullability: a NOT NULL column the plain one, a nullable column the Null
// one. BIGINT and TIMESTAMP (µs since the epoch, UTC) are Int64, as is a
// DECIMAL(p, s) of p <= 18 (its unscaled value); a DECIMAL of more digits
// is Int128.
type Batch struct {
	Len     int
	Columns []Column
	// Skipped tells that row groups before this batch's rows were skipped
	// by their statistics, and SkippedTime is the largest event time their
	// rows had (the statistics' maximum of the event-time column): the
	// watermark advances by it before the rows, as if the rows had been
	// read and dropped by the views' filters.
	Skipped     bool
	SkippedTime int64
	// where the batch's rows are, for dead letters and positions
	File     string
	Group    int
	FirstRow int64 // row index in the file of the first row
}

// Column is one column of a Batch.
type Column struct {
	Int64       []int64
	Float64     []float64
	String      []string
	Bool        []bool
	NullInt64   []value.Null[int64]
	NullFloat64 []value.Null[float64]
	NullString  []value.Null[string]
	NullBool    []value.Null[bool]
	Int128      []decimal.Int128
	NullInt128  []value.Null[decimal.Int128]
}

func (c *Column) reset() {
	c.Int64, c.Float64, c.String, c.Bool = c.Int64[:0], c.Float64[:0], c.String[:0], c.Bool[:0]
	c.NullInt64, c.NullFloat64, c.NullString, c.NullBool = c.NullInt64[:0], c.NullFloat64[:0], c.NullString[:0], c.NullBool[:0]
	c.Int128, c.NullInt128 = c.Int128[:0], c.NullInt128[:0]
}
