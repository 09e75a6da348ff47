package value

import (
	"strings"
	"sync/atomic"
)

// TimeFormat is DATE_FORMAT / TO_CHAR of one constant layout: rows of the
// same day (or second, for a layout with seconds) get the string formatted
// once. Nexmark q15 groups by DATE_FORMAT(dateTime, 'yyyy-MM-dd'): without
// the cache every row formats and allocates a string. Safe for concurrent
// use: the last result is an immutable pair behind an atomic pointer.
type TimeFormat struct {
	layout string
	unit   int64 // the layout's finest field in µs: rows in one unit format alike
	last   atomic.Pointer[formatted]
}

type formatted struct {
	unit int64 // us floored to the unit
	s    string
}

// NewTimeFormat prepares a Go layout.
func NewTimeFormat(layout string) *TimeFormat {
	return &TimeFormat{layout: layout, unit: layoutUnit(layout)}
}

// layoutUnit is the finest field of a layout, erring fine: digits that are
// not fields cannot occur (the compiler refuses literal text Go would read
// as a field), and "15" (hour) counts as seconds, which only caches less.
func layoutUnit(layout string) int64 {
	switch {
	case strings.Contains(layout, ".0") || strings.Contains(layout, ",0") || strings.Contains(layout, ".9") || strings.Contains(layout, ",9"):
		return 1
	case strings.Contains(layout, "5"):
		return usPerSec
	case strings.Contains(layout, "4"):
		return usPerMin
	case strings.Contains(layout, "3") || strings.Contains(layout, "PM") || strings.Contains(layout, "pm"):
		return usPerHour
	}
	return usPerDay
}

// Format formats us (µs, UTC).
func (f *TimeFormat) Format(us int64) string {
	u := FloorDiv(us, f.unit)
	if p := f.last.Load(); p != nil && p.unit == u {
		return p.s
	}
	s := FormatTime(us, f.layout)
	f.last.Store(&formatted{u, s})
	return s
}
