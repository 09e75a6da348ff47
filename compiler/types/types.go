// Package types is the SQL type system of the compiler: the kinds a value can
// have, nullability, and the rules for implicit widening.
package types

import "fmt"

// Kind is a SQL scalar type.
type Kind int

const (
	Unknown   Kind = iota // the type of a bare NULL literal, before context fixes it
	Bool                  // BOOLEAN, Go bool
	Int                   // BIGINT / INT, Go int64
	Float                 // DOUBLE, Go float64
	String                // VARCHAR, Go string
	Timestamp             // TIMESTAMP, int64 µs since the Unix epoch, UTC
	Interval              // INTERVAL (day-time), int64 µs
)

var kindNames = [...]string{"NULL", "BOOLEAN", "BIGINT", "DOUBLE", "VARCHAR", "TIMESTAMP", "INTERVAL"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Type is a kind plus nullability.
type Type struct {
	Kind     Kind
	Nullable bool
}

// Of returns a NOT NULL type of kind k.
func Of(k Kind) Type { return Type{Kind: k} }

// Null returns a nullable type of kind k.
func Null(k Kind) Type { return Type{Kind: k, Nullable: true} }

func (t Type) String() string {
	if t.Nullable {
		return t.Kind.String()
	}
	return t.Kind.String() + " NOT NULL"
}

// WithNull returns t, made nullable when n is true.
func (t Type) WithNull(n bool) Type {
	t.Nullable = t.Nullable || n
	return t
}

// IsNumeric reports whether k takes part in arithmetic.
func (k Kind) IsNumeric() bool { return k == Int || k == Float }

// Common is the kind two operands are widened to for comparison, arithmetic,
// CASE and COALESCE: equal kinds stay, BIGINT widens to DOUBLE, and NULL
// (Unknown) takes the other side's kind. ok is false when they do not mix.
func Common(a, b Kind) (Kind, bool) {
	switch {
	case a == b:
		return a, true
	case a == Unknown:
		return b, true
	case b == Unknown:
		return a, true
	case a.IsNumeric() && b.IsNumeric():
		return Float, true
	}
	return Unknown, false
}

// ByName maps a type name as written in SQL (upper-cased base name) to a kind.
func ByName(name string) (Kind, bool) {
	switch name {
	case "BOOLEAN", "BOOL":
		return Bool, true
	case "BIGINT", "INT", "INTEGER", "SMALLINT", "TINYINT", "INT8", "INT4":
		return Int, true
	case "DOUBLE", "FLOAT", "REAL", "FLOAT8":
		return Float, true
	case "VARCHAR", "STRING", "TEXT", "CHAR":
		return String, true
	case "TIMESTAMP":
		return Timestamp, true
	case "INTERVAL":
		return Interval, true
	}
	return Unknown, false
}
