package value

import (
	"strings"
	"time"
)

const (
	microsPerSecond = 1_000_000
	secondsPerDay   = 86_400
)

// FloorDiv returns a / b rounded toward negative infinity (Go's / truncates
// toward zero, which is wrong for times before the epoch). b must be > 0.
func FloorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// floorMod returns a mod b in [0, b). b must be > 0.
func floorMod(a, b int64) int64 {
	r := a % b
	if r < 0 {
		r += b
	}
	return r
}

// TumbleStart returns the start of the tumbling window [start, start+size)
// that contains ts, for windows aligned to the Unix epoch plus offset. Any
// offset works, negative or larger than size; size must be > 0. Computed as
// ts minus a remainder (as Flink does) so that only a window starting before
// MinInt64 could overflow.
func TumbleStart(ts, size, offset int64) int64 {
	return ts - floorMod(ts-offset, size)
}

// HopLastStart returns the latest start of a hopping (sliding) window that is
// <= ts, for starts aligned to slide plus offset. The windows containing ts
// start there and every slide earlier, while start+size > ts.
func HopLastStart(ts, slide, offset int64) int64 {
	return ts - floorMod(ts-offset, slide)
}

// FormatTimestamp is CAST(ts AS VARCHAR) for a TIMESTAMP in µs since the epoch:
// "2024-01-02 03:04:05" in UTC, followed by ".ffffff" without its trailing
// zeros when the fraction is not zero (as DuckDB casts). Years are written with
// at least four digits; years before 1 (1 BC is year 0) get a minus sign.
// It allocates only the result.
func FormatTimestamp(us int64) string {
	secs := FloorDiv(us, microsPerSecond)
	frac := us - secs*microsPerSecond
	days := FloorDiv(secs, secondsPerDay)
	sod := secs - days*secondsPerDay
	year, month, day := civilFromDays(days)

	var buf [40]byte
	b := buf[:0]
	if year < 0 {
		b = append(b, '-')
		year = -year
	}
	b = appendPadded(b, year, 4)
	b = append(b, '-')
	b = appendPadded(b, month, 2)
	b = append(b, '-')
	b = appendPadded(b, day, 2)
	b = append(b, ' ')
	b = appendPadded(b, sod/3600, 2)
	b = append(b, ':')
	b = appendPadded(b, sod/60%60, 2)
	b = append(b, ':')
	b = appendPadded(b, sod%60, 2)
	if frac != 0 {
		b = append(b, '.')
		b = appendPadded(b, frac, 6)
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
	}
	return string(b)
}

// appendPadded appends the decimal digits of v >= 0, left-padded with zeros to
// width.
func appendPadded(b []byte, v int64, width int) []byte {
	var digits [20]byte
	i := len(digits)
	for v >= 10 || width > 1 {
		i--
		digits[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	i--
	digits[i] = byte('0' + v)
	return append(b, digits[i:]...)
}

// civilFromDays converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's days_from_civil inverse, exact for every int64 input
// that comes from a µs timestamp).
func civilFromDays(days int64) (year, month, day int64) {
	z := days + 719_468 // days since 0000-03-01
	era := FloorDiv(z, 146_097)
	doe := z - era*146_097                                    // day of era [0, 146096]
	yoe := (doe - doe/1_460 + doe/36_524 - doe/146_096) / 365 // year of era [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)                  // day of year from March 1 [0, 365]
	mp := (5*doy + 2) / 153                                   // month from March [0, 11]
	day = doy - (153*mp+2)/5 + 1
	month = mp + 3
	if month > 12 {
		month -= 12
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

// timestampLayouts are the forms ParseTimestamp accepts. time.Parse also
// accepts a fractional second after the seconds of each.
var timestampLayouts = [...]string{
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02T15:04:05Z07",
	"2006-01-02 15:04:05Z07",
	"2006-01-02",
}

// ParseTimestamp is CAST(s AS TIMESTAMP): "2024-01-02 03:04:05[.ffffff]", the
// same with T, RFC 3339 with Z or a UTC offset ("+01:00", "+0100", "+01"),
// or a date alone (midnight), surrounded by optional white space. Without an
// offset the time is UTC. Digits beyond microseconds are truncated.
func ParseTimestamp(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMicro(), true
		}
	}
	return 0, false
}
