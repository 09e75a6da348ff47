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

	// decimalBase is where the DECIMAL kinds start: DECIMAL(p, s) is the
	// kind decimalBase + p<<6 + s (see Decimal), so that every place that
	// passes a kind along carries the precision and scale with it. Its
	// value is an int64, the unscaled number: 1.25 in DECIMAL(5,2) is 125.
	decimalBase Kind = 1 << 12
)

// MaxDecimalPrecision is the largest precision DECIMAL(p, s) takes (as in
// DuckDB, Flink and PostgreSQL's SQL standard limit of 38). A value is held
// in 64 bits, so one whose unscaled digits pass 9223372036854775807 fails
// its row (LDB-6001, dead letters) even where p allows it; see docs/dialect.md.
const MaxDecimalPrecision = 38

// Decimal is the kind DECIMAL(p, s), 1 <= p <= 38, 0 <= s <= p.
func Decimal(p, s int) Kind {
	if p < 1 || p > MaxDecimalPrecision || s < 0 || s > p {
		panic(fmt.Sprintf("types: DECIMAL(%d, %d)", p, s))
	}
	return decimalBase + Kind(p<<6|s)
}

// IsDecimal reports whether k is a DECIMAL(p, s).
func (k Kind) IsDecimal() bool { return k >= decimalBase }

// Prec is the precision (total digits) of a DECIMAL kind.
func (k Kind) Prec() int { return int(k-decimalBase) >> 6 }

// Scale is the scale (digits after the point) of a DECIMAL kind; 0 for
// the other kinds.
func (k Kind) Scale() int {
	if !k.IsDecimal() {
		return 0
	}
	return int(k-decimalBase) & 63
}

// MaxNarrowPrecision is the largest precision whose DECIMAL is held in an
// int64; a DECIMAL with more digits is a 128-bit value (a decimal.Int128 of
// the runtime), as DuckDB holds DECIMAL(p > 18) in a HUGEINT.
const MaxNarrowPrecision = 18

// IsWideDecimal reports whether k is a DECIMAL(p, s) with p > 18, held in
// 128 bits.
func (k Kind) IsWideDecimal() bool { return k.IsDecimal() && k.Prec() > MaxNarrowPrecision }

// IntDigits is the number of digits before the point of a DECIMAL kind.
func (k Kind) IntDigits() int { return k.Prec() - k.Scale() }

// DecimalOf clamps precision p to the maximum and builds DECIMAL(p, s),
// keeping at least s digits of scale.
func DecimalOf(p, s int) Kind {
	p = min(max(p, s, 1), MaxDecimalPrecision)
	return Decimal(p, min(s, p))
}

// AsDecimal is the DECIMAL kind an exact number of kind k widens to in
// arithmetic with a DECIMAL: BIGINT is DECIMAL(19,0) (every int64 fits;
// DuckDB uses (18,0)), a DECIMAL itself.
func AsDecimal(k Kind) Kind {
	if k == Int {
		return Decimal(19, 0)
	}
	return k
}

var kindNames = [...]string{"NULL", "BOOLEAN", "BIGINT", "DOUBLE", "VARCHAR", "TIMESTAMP", "INTERVAL"}

func (k Kind) String() string {
	if k.IsDecimal() {
		return fmt.Sprintf("DECIMAL(%d,%d)", k.Prec(), k.Scale())
	}
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
func (k Kind) IsNumeric() bool { return k == Int || k == Float || k.IsDecimal() }

// Common is the kind two operands are widened to for comparison, CASE and
// COALESCE: equal kinds stay, BIGINT and DECIMAL widen to DOUBLE when the
// other side is one, a BIGINT and a DECIMAL or two DECIMALs widen to the
// DECIMAL with the larger scale and the more integer digits (as in DuckDB;
// beyond 38 digits the scale is cut),
// and NULL (Unknown) takes the other side's kind. ok is false when they do
// not mix.
func Common(a, b Kind) (Kind, bool) {
	switch {
	case a == b:
		return a, true
	case a == Unknown:
		return b, true
	case b == Unknown:
		return a, true
	case a == Float && b.IsNumeric(), b == Float && a.IsNumeric():
		return Float, true
	case a.IsNumeric() && b.IsNumeric(): // DECIMAL with DECIMAL or BIGINT
		a, b = AsDecimal(a), AsDecimal(b)
		s := max(a.Scale(), b.Scale())
		ints := max(a.IntDigits(), b.IntDigits())
		if ints+s > MaxDecimalPrecision {
			s = MaxDecimalPrecision - ints // as DuckDB: the scale gives way, not the integer digits
		}
		return DecimalOf(ints+s, s), true
	}
	return Unknown, false
}

// DecimalWidens reports whether every value of kind from (BIGINT or a
// DECIMAL) has a value of DECIMAL kind to: to has as many digits before the
// point and as many after.
func DecimalWidens(from, to Kind) bool {
	if !to.IsDecimal() || (from != Int && !from.IsDecimal()) {
		return false
	}
	from = AsDecimal(from)
	return to.IntDigits() >= from.IntDigits() && to.Scale() >= from.Scale()
}

// DefaultDecimal is DECIMAL written without precision and scale: DuckDB's
// DECIMAL(18,3) (Flink's is DECIMAL(10,0)).
var DefaultDecimal = Decimal(18, 3)

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
	case "DECIMAL", "NUMERIC", "DEC":
		return DefaultDecimal, true
	}
	return Unknown, false
}
