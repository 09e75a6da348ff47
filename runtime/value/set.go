package value

import (
	"cmp"
	"slices"
)

// Set is the constant list of a long x IN (c1, c2, …): generated code builds
// it once and looks values up by binary search, instead of comparing x with
// every constant in a chain of ORs, which costs time per row and makes the
// Go compiler slow on long lists.
type Set[T cmp.Ordered] struct{ sorted []T }

// NewSet builds the set of xs (duplicates allowed; xs is taken over).
func NewSet[T cmp.Ordered](xs []T) *Set[T] {
	slices.Sort(xs)
	return &Set[T]{sorted: slices.Compact(xs)}
}

// Has reports whether x is in the set. -0.0 and 0.0 are the same value, as
// in SQL; the constants of an IN list are never NaN or NULL.
func (s *Set[T]) Has(x T) bool {
	_, ok := slices.BinarySearch(s.sorted, x)
	return ok
}
