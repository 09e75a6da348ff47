package value

import (
	"math"
	"time"
)

// The date and time functions of the SQL library over TIMESTAMP (µs since
// the epoch, UTC), as DuckDB defines them. The compiler picks one function
// per field or unit, so no row switches on a unit name.

const (
	usPerMs   = 1_000
	usPerSec  = 1_000_000
	usPerMin  = 60 * usPerSec
	usPerHour = 60 * usPerMin
	usPerDay  = 24 * usPerHour
)

func utc(us int64) time.Time { return time.UnixMicro(us).UTC() }

// Unit sizes in µs of the fixed-length units, for TIMESTAMPADD/DIFF and
// DATE_TRUNC.
const (
	UnitMicrosecond int64 = 1
	UnitMillisecond int64 = usPerMs
	UnitSecond      int64 = usPerSec
	UnitMinute      int64 = usPerMin
	UnitHour        int64 = usPerHour
	UnitDay         int64 = usPerDay
	UnitWeek        int64 = 7 * usPerDay
)

// EXTRACT(field FROM ts) and its fields.

func ExtractYear(us int64) int64    { return int64(utc(us).Year()) }
func ExtractQuarter(us int64) int64 { return (int64(utc(us).Month())-1)/3 + 1 }
func ExtractMonth(us int64) int64   { return int64(utc(us).Month()) }
func ExtractDay(us int64) int64     { return int64(utc(us).Day()) }
func ExtractHour(us int64) int64    { return Hour(us) }
func ExtractMinute(us int64) int64  { return floorMod(us, usPerHour) / usPerMin }

// ExtractSecond is the whole seconds of the minute (DuckDB: 0-59).
func ExtractSecond(us int64) int64 { return floorMod(us, usPerMin) / usPerSec }

// ExtractMillisecond is the seconds of the minute in ms (12.345 s: 12345), as DuckDB.
func ExtractMillisecond(us int64) int64 { return floorMod(us, usPerMin) / usPerMs }

// ExtractMicrosecond is the seconds of the minute in µs, as DuckDB.
func ExtractMicrosecond(us int64) int64 { return floorMod(us, usPerMin) }

// ExtractDow is the day of the week, Sunday 0 to Saturday 6.
func ExtractDow(us int64) int64 { return int64(utc(us).Weekday()) }

// ExtractIsoDow is the ISO day of the week, Monday 1 to Sunday 7.
func ExtractIsoDow(us int64) int64 {
	d := int64(utc(us).Weekday())
	if d == 0 {
		return 7
	}
	return d
}

// ExtractDoy is the day of the year, from 1.
func ExtractDoy(us int64) int64 { return int64(utc(us).YearDay()) }

// ExtractWeek is the ISO 8601 week of the year.
func ExtractWeek(us int64) int64 {
	_, w := utc(us).ISOWeek()
	return int64(w)
}

// ExtractEpoch is the seconds since the epoch, with their fraction (DOUBLE).
func ExtractEpoch(us int64) float64 { return float64(us) / usPerSec }

// DATE_TRUNC(unit, ts).

// TruncUnit truncates to a multiple of a fixed unit (second … day).
func TruncUnit(us, unit int64) int64 { return FloorDiv(us, unit) * unit }

// TruncWeek truncates to the Monday of the ISO week.
func TruncWeek(us int64) int64 {
	day := FloorDiv(us, usPerDay)
	// 1970-01-01 was a Thursday: days since a Monday are (day + 3) mod 7
	return (day - floorMod(day+3, 7)) * usPerDay
}

func truncDate(us int64, f func(y int, m time.Month) (int, time.Month)) int64 {
	t := utc(us)
	y, m := f(t.Year(), t.Month())
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
}

func TruncMonth(us int64) int64 {
	return truncDate(us, func(y int, m time.Month) (int, time.Month) { return y, m })
}
func TruncQuarter(us int64) int64 {
	return truncDate(us, func(y int, m time.Month) (int, time.Month) { return y, (m-1)/3*3 + 1 })
}
func TruncYear(us int64) int64 {
	return truncDate(us, func(y int, m time.Month) (int, time.Month) { return y, 1 })
}

// TIMESTAMPADD(unit, n, ts) and TIMESTAMPDIFF(unit, a, b).

// AddUnits is ts + n units of a fixed length; out of range sets *f.
func AddUnits(us, n, unit int64, f *Fault) int64 {
	var over Fault
	d := MulInt(n, unit, &over)
	if over != 0 {
		*f = FaultTimestampRange
		return 0
	}
	return AddTime(us, d, f)
}

// AddMonths is ts + n months: the day of the month is kept, or clamped to
// the month's last day (Jan 31 + 1 month = Feb 29 of a leap year), as in
// DuckDB and PostgreSQL; out of range sets *f.
func AddMonths(us, n int64, f *Fault) int64 {
	if n > 12*300_000 || n < -12*300_000 {
		*f = FaultTimestampRange
		return 0
	}
	t := utc(us)
	total := int64(t.Year())*12 + int64(t.Month()) - 1 + n
	y, m := int(FloorDiv(total, 12)), time.Month(floorMod(total, 12)+1)
	d := t.Day()
	if last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day(); d > last {
		d = last
	}
	out := time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	if y < -290_000 || y > 290_000 {
		*f = FaultTimestampRange
		return 0
	}
	return out.UnixMicro()
}

// DiffUnits is the whole fixed units from a to b, truncated toward zero.
func DiffUnits(a, b, unit int64) int64 {
	d := b - a
	if (b >= a) != (d >= 0) { // the difference itself overflows int64
		return int64(math.Trunc((float64(b) - float64(a)) / float64(unit)))
	}
	return d / unit
}

// DiffMonths is the whole months from a to b: the largest m with
// a + m months <= b (negative when b is before a), as DuckDB's date_sub.
func DiffMonths(a, b int64) int64 {
	if b < a {
		return -DiffMonths(b, a)
	}
	ta, tb := utc(a), utc(b)
	m := (int64(tb.Year())-int64(ta.Year()))*12 + int64(tb.Month()) - int64(ta.Month())
	var f Fault
	if m > 0 && AddMonths(a, m, &f) > b {
		m--
	}
	return m
}

// Epoch conversions.

// EpochMillis is the ms since the epoch of ts (floor: before 1970 too).
func EpochMillis(us int64) int64 { return FloorDiv(us, usPerMs) }

// FromEpochSeconds is TO_TIMESTAMP(seconds): ok is false outside the range.
func FromEpochSeconds(s float64) (int64, bool) {
	us := math.Round(s * usPerSec)
	if math.IsNaN(us) || us >= math.MaxInt64 || us < math.MinInt64 {
		return 0, false
	}
	return int64(us), true
}

// FromEpochUnits is n units since the epoch as a timestamp (EPOCH_MS(n),
// TO_TIMESTAMP_LTZ(n, 3)); ok is false outside the range.
func FromEpochUnits(n, unit int64) (int64, bool) {
	var f Fault
	us := MulInt(n, unit, &f)
	return us, f == 0
}

// ParseTime is TO_TIMESTAMP(s, pattern) with a Go layout (the compiler
// translates the pattern once); ok is false when s does not match.
func ParseTime(s, layout string) (int64, bool) {
	t, err := time.Parse(layout, s)
	if err != nil {
		return 0, false
	}
	return t.UnixMicro(), true
}

// FormatEpochSeconds is FROM_UNIXTIME(seconds, layout); ok is false outside
// the range.
func FormatEpochSeconds(sec int64, layout string) (string, bool) {
	us, ok := FromEpochUnits(sec, usPerSec)
	if !ok {
		return "", false
	}
	return FormatTime(us, layout), true
}
