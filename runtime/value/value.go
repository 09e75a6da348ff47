// Package value holds SQL values and scalar semantics for generated job code.
//
// Generated code computes an expression with plain Go operators when every
// input is NOT NULL, and with the functions of this package when a value can
// be NULL. SQL types map to Go as: BOOLEAN bool, BIGINT/INT int64, DOUBLE
// float64, VARCHAR string, TIMESTAMP int64 (µs since the Unix epoch, UTC),
// INTERVAL int64 (µs).
//
// The small functions here are written to be inlined by the Go compiler and
// never allocate, except those that produce a new string.
package value

import (
	"cmp"
	"math"
)

// Null is a value that may be SQL NULL (Valid false), like database/sql.Null.
//
// Every function of this package returns the zero V with Valid false, so a
// NULL has exactly one representation and Null values can be compared with ==
// and used in group keys (all NULLs of a column fall in one group).
type Null[T any] struct {
	V     T
	Valid bool
}

// Of returns a valid (non-NULL) value.
func Of[T any](v T) Null[T] { return Null[T]{V: v, Valid: true} }

// Number is the set of Go types of SQL numeric columns.
type Number interface{ ~int64 | ~float64 }

// Add returns a + b, NULL if any input is NULL. Integer Add, Sub, Mul and Neg
// wrap around on overflow, exactly as the plain Go operators that generated
// code uses for NOT NULL inputs.
func Add[T Number](a, b Null[T]) Null[T] {
	if a.Valid && b.Valid {
		return Null[T]{V: a.V + b.V, Valid: true}
	}
	return Null[T]{}
}

// Sub returns a - b, NULL if any input is NULL.
func Sub[T Number](a, b Null[T]) Null[T] {
	if a.Valid && b.Valid {
		return Null[T]{V: a.V - b.V, Valid: true}
	}
	return Null[T]{}
}

// Mul returns a * b, NULL if any input is NULL.
func Mul[T Number](a, b Null[T]) Null[T] {
	if a.Valid && b.Valid {
		return Null[T]{V: a.V * b.V, Valid: true}
	}
	return Null[T]{}
}

// Neg returns -a, NULL if a is NULL.
func Neg[T Number](a Null[T]) Null[T] {
	if a.Valid {
		return Null[T]{V: -a.V, Valid: true}
	}
	return Null[T]{}
}

// DivInt returns a / b truncated toward zero (as PostgreSQL and Flink); NULL
// if any input is NULL, b is zero, or the quotient overflows (MinInt64 / -1).
func DivInt(a, b Null[int64]) Null[int64] {
	if a.Valid && b.Valid {
		return DivIntNN(a.V, b.V)
	}
	return Null[int64]{}
}

// DivIntNN is DivInt for NOT NULL inputs.
func DivIntNN(a, b int64) Null[int64] {
	if b == 0 || (b == -1 && a == math.MinInt64) {
		return Null[int64]{}
	}
	return Null[int64]{V: a / b, Valid: true}
}

// DivFloat returns a / b; NULL if any input is NULL or b is zero.
func DivFloat(a, b Null[float64]) Null[float64] {
	if a.Valid && b.Valid {
		return DivFloatNN(a.V, b.V)
	}
	return Null[float64]{}
}

// DivFloatNN is DivFloat for NOT NULL inputs.
func DivFloatNN(a, b float64) Null[float64] {
	if b == 0 {
		return Null[float64]{}
	}
	return Null[float64]{V: a / b, Valid: true}
}

// ModInt returns the remainder of a / b with the sign of the dividend (SQL %
// and MOD); NULL if any input is NULL or b is zero. MinInt64 % -1 is 0.
func ModInt(a, b Null[int64]) Null[int64] {
	if a.Valid && b.Valid {
		return ModIntNN(a.V, b.V)
	}
	return Null[int64]{}
}

// ModIntNN is ModInt for NOT NULL inputs.
func ModIntNN(a, b int64) Null[int64] {
	if b == 0 {
		return Null[int64]{}
	}
	// Go defines MinInt64 % -1 as 0 (no trap), which is also the SQL answer.
	return Null[int64]{V: a % b, Valid: true}
}

// ModFloat returns math.Mod(a, b) (sign of the dividend); NULL if any input is
// NULL or b is zero.
func ModFloat(a, b Null[float64]) Null[float64] {
	if a.Valid && b.Valid {
		return ModFloatNN(a.V, b.V)
	}
	return Null[float64]{}
}

// ModFloatNN is ModFloat for NOT NULL inputs.
func ModFloatNN(a, b float64) Null[float64] {
	if b == 0 {
		return Null[float64]{}
	}
	return Null[float64]{V: math.Mod(a, b), Valid: true}
}

// Comparisons return NULL if any input is NULL. They follow Go's operators:
// strings compare bytewise (the "C"/binary collation), and a float NaN is
// unequal to everything, itself included, and neither less nor greater than
// anything. (PostgreSQL and DuckDB instead treat NaN as equal to NaN and
// greater than every other number.)

// Eq returns a = b.
func Eq[T comparable](a, b Null[T]) Null[bool] {
	if a.Valid && b.Valid {
		return Null[bool]{V: a.V == b.V, Valid: true}
	}
	return Null[bool]{}
}

// Ne returns a <> b.
func Ne[T comparable](a, b Null[T]) Null[bool] {
	if a.Valid && b.Valid {
		return Null[bool]{V: a.V != b.V, Valid: true}
	}
	return Null[bool]{}
}

// Lt returns a < b.
func Lt[T cmp.Ordered](a, b Null[T]) Null[bool] {
	if a.Valid && b.Valid {
		return Null[bool]{V: a.V < b.V, Valid: true}
	}
	return Null[bool]{}
}

// Le returns a <= b.
func Le[T cmp.Ordered](a, b Null[T]) Null[bool] {
	if a.Valid && b.Valid {
		return Null[bool]{V: a.V <= b.V, Valid: true}
	}
	return Null[bool]{}
}

// Gt returns a > b.
func Gt[T cmp.Ordered](a, b Null[T]) Null[bool] {
	if a.Valid && b.Valid {
		return Null[bool]{V: a.V > b.V, Valid: true}
	}
	return Null[bool]{}
}

// Ge returns a >= b.
func Ge[T cmp.Ordered](a, b Null[T]) Null[bool] {
	if a.Valid && b.Valid {
		return Null[bool]{V: a.V >= b.V, Valid: true}
	}
	return Null[bool]{}
}

// And is SQL three-valued AND: FALSE if either side is FALSE (even when the
// other is NULL), TRUE if both are TRUE, NULL otherwise.
func And(a, b Null[bool]) Null[bool] {
	if (a.Valid && !a.V) || (b.Valid && !b.V) {
		return Null[bool]{Valid: true}
	}
	if a.Valid && b.Valid {
		return Null[bool]{V: true, Valid: true}
	}
	return Null[bool]{}
}

// Or is SQL three-valued OR: TRUE if either side is TRUE (even when the other
// is NULL), FALSE if both are FALSE, NULL otherwise.
func Or(a, b Null[bool]) Null[bool] {
	if (a.Valid && a.V) || (b.Valid && b.V) {
		return Null[bool]{V: true, Valid: true}
	}
	if a.Valid && b.Valid {
		return Null[bool]{Valid: true}
	}
	return Null[bool]{}
}

// Not is SQL NOT: NOT NULL is NULL.
func Not(a Null[bool]) Null[bool] {
	if a.Valid {
		return Null[bool]{V: !a.V, Valid: true}
	}
	return Null[bool]{}
}

// IsTrue reports whether a IS TRUE: WHERE and HAVING keep a row only then, so
// a NULL predicate drops the row like FALSE does.
func IsTrue(a Null[bool]) bool { return a.Valid && a.V }
