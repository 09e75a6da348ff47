package window

import (
	"cmp"

	"github.com/laminar-sql/laminar/runtime/decimal"
)

// Key is the type of the values the multisets and distinct sets of
// aggregates hold: an ordered Go type, or the 128-bit unscaled value of a
// DECIMAL(p > 18), which Go cannot order with < (see compareKeys).
type Key interface {
	cmp.Ordered | decimal.Int128
}

// compareKeys is cmp.Compare over Key: -1, 0 or +1. Only the 128-bit
// decimal takes the type switch's first arm; the others compare as Go does.
func compareKeys[T Key](a, b T) int {
	switch x := any(a).(type) {
	case decimal.Int128:
		return x.Cmp(any(b).(decimal.Int128))
	case int64:
		return cmp.Compare(x, any(b).(int64))
	case float64:
		return cmp.Compare(x, any(b).(float64))
	case string:
		return cmp.Compare(x, any(b).(string))
	}
	return compareOther(a, b)
}

// compareOther orders the rest of cmp.Ordered (types generated code does not
// use; the tests do) through their text, which is exact for the integer
// types only in their width: it is here so that every Key compares.
func compareOther[T Key](a, b T) int {
	switch x := any(a).(type) {
	case int:
		return cmp.Compare(x, any(b).(int))
	case int32:
		return cmp.Compare(x, any(b).(int32))
	case uint64:
		return cmp.Compare(x, any(b).(uint64))
	case float32:
		return cmp.Compare(x, any(b).(float32))
	}
	panic("window: no order for this key type")
}
