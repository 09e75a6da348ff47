package value_test

import (
	"fmt"

	"github.com/laminar-sql/laminar/runtime/value"
)

// Generated code for WHERE price * volume > 1000 OR NOT flagged, where every
// column is nullable. (With NOT NULL columns it would use plain operators.)
func Example() {
	type row struct {
		price   value.Null[float64]
		volume  value.Null[float64]
		flagged value.Null[bool]
	}
	rows := []row{
		{value.Of(20.0), value.Of(100.0), value.Of(true)},       // 2000 > 1000: TRUE
		{value.Of(1.0), value.Of(1.0), value.Of(true)},          // FALSE OR FALSE
		{value.Of(1.0), value.Null[float64]{}, value.Of(false)}, // NULL OR TRUE: TRUE
		{value.Of(1.0), value.Null[float64]{}, value.Of(true)},  // NULL OR FALSE: NULL
	}
	thousand := value.Of(1000.0)
	for i, r := range rows {
		keep := value.IsTrue(value.Or(
			value.Gt(value.Mul(r.price, r.volume), thousand),
			value.Not(r.flagged)))
		fmt.Println(i, keep)
	}
	// Output:
	// 0 true
	// 1 false
	// 2 true
	// 3 false
}

func ExampleSubstringLen() {
	s, ok := value.SubstringLen("héllo", 0, 3)
	fmt.Printf("%q %v\n", s, ok)
	_, ok = value.SubstringLen("héllo", 1, -1)
	fmt.Println(ok)
	// Output:
	// "hé" true
	// false
}

func ExampleTumbleStart() {
	const minute = 60_000_000 // µs
	ts, _ := value.ParseTimestamp("2024-01-02 03:04:05.5")
	start := value.TumbleStart(ts, minute, 0)
	fmt.Println(value.FormatTimestamp(start), value.FormatTimestamp(start+minute))
	// Output: 2024-01-02 03:04:00 2024-01-02 03:05:00
}
