// Package timestamp parses and formats Laminar TIMESTAMP values: int64
// microseconds since the Unix epoch, UTC. It is hand-written rather than built
// on time.Parse and time.Format because generated jobs call it once per event:
// Parse and Append do not allocate on success.
package timestamp

import (
	"math"
	"strconv"
)

const (
	microsPerSecond = 1_000_000
	microsPerMinute = 60 * microsPerSecond
	microsPerHour   = 60 * microsPerMinute
	microsPerDay    = 24 * microsPerHour

	// maxInputInError bounds how much of a bad input an error message repeats.
	maxInputInError = 40
)

// ParseError describes an input that Parse rejected.
type ParseError struct {
	Input string // the input, cut to its first 40 bytes
	Msg   string // what is wrong, e.g. "month 13 out of range"
}

func (e *ParseError) Error() string {
	return "invalid timestamp " + strconv.Quote(e.Input) + ": " + e.Msg
}

func parseError(b []byte, msg string) error {
	input := string(b)
	if len(input) > maxInputInError {
		input = input[:maxInputInError] + "..."
	}
	return &ParseError{Input: input, Msg: msg}
}

// Parse reads a timestamp in one of these forms and returns microseconds
// since the Unix epoch:
//
//	2024-01-02T03:04:05Z             RFC 3339; 't' and 'z' may be lower case
//	2024-01-02T03:04:05.123456+02:00 fraction of 1 to 9 digits, truncated to µs
//	2024-01-02 03:04:05[.ffffff]     SQL form; without a zone it is UTC
//	2024-01-02                       a date: midnight UTC
//
// A zone is Z, ±hh:mm, ±hhmm or ±hh, and is optional after either separator
// (no zone means UTC). Years run from 0001 to 9999; every field is range
// checked, days against the month and leap years; a leap second (60) is
// rejected. Surrounding spaces are not allowed.
func Parse(b []byte) (int64, error) {
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return 0, parseError(b, "expected YYYY-MM-DD")
	}
	year, ok1 := digits4(b[0:4])
	month, ok2 := digits2(b[5:7])
	day, ok3 := digits2(b[8:10])
	if !ok1 || !ok2 || !ok3 {
		return 0, parseError(b, "expected YYYY-MM-DD")
	}
	if year < 1 {
		return 0, parseError(b, "year 0000 out of range")
	}
	if month < 1 || month > 12 {
		return 0, parseError(b, "month "+itoa(month)+" out of range")
	}
	if day < 1 || day > daysIn(year, month) {
		return 0, parseError(b, "day "+itoa(day)+" out of range for the month")
	}
	us := daysFromCivil(year, month, day) * microsPerDay
	if len(b) == 10 {
		return us, nil
	}

	if c := b[10]; c != 'T' && c != 't' && c != ' ' {
		return 0, parseError(b, "expected 'T' or ' ' after the date")
	}
	if len(b) < 19 || b[13] != ':' || b[16] != ':' {
		return 0, parseError(b, "expected hh:mm:ss after the date")
	}
	hour, ok1 := digits2(b[11:13])
	minute, ok2 := digits2(b[14:16])
	second, ok3 := digits2(b[17:19])
	if !ok1 || !ok2 || !ok3 {
		return 0, parseError(b, "expected hh:mm:ss after the date")
	}
	if hour > 23 {
		return 0, parseError(b, "hour "+itoa(hour)+" out of range")
	}
	if minute > 59 {
		return 0, parseError(b, "minute "+itoa(minute)+" out of range")
	}
	if second > 59 {
		return 0, parseError(b, "second "+itoa(second)+" out of range")
	}
	us += int64(hour)*microsPerHour + int64(minute)*microsPerMinute + int64(second)*microsPerSecond

	i := 19
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		frac := 0 // the first 6 digits; later ones are truncated
		for i < len(b) && isDigit(b[i]) {
			if i-start < 6 {
				frac = frac*10 + int(b[i]-'0')
			}
			i++
		}
		n := i - start
		if n == 0 || n > 9 {
			return 0, parseError(b, "expected 1 to 9 digits of fraction")
		}
		for ; n < 6; n++ {
			frac *= 10
		}
		us += int64(frac)
	}

	if i == len(b) {
		return us, nil
	}
	switch b[i] {
	case 'Z', 'z':
		i++
	case '+', '-':
		offset, n, ok := parseOffset(b[i:])
		if !ok {
			return 0, parseError(b, "expected a zone offset ±hh:mm")
		}
		// Local time minus its offset is UTC.
		us -= offset
		i += n
	default:
		return 0, parseError(b, "expected a zone (Z or ±hh:mm)")
	}
	if i != len(b) {
		return 0, parseError(b, "unexpected text after the zone")
	}
	return us, nil
}

// parseOffset reads ±hh:mm, ±hhmm or ±hh at the start of b, returning the
// offset in microseconds and the number of bytes read.
func parseOffset(b []byte) (offset int64, n int, ok bool) {
	if len(b) < 3 {
		return 0, 0, false
	}
	hours, ok := digits2(b[1:3])
	if !ok || hours > 23 {
		return 0, 0, false
	}
	minutes, n := 0, 3
	switch {
	case len(b) == 3:
	case len(b) >= 6 && b[3] == ':':
		minutes, ok = digits2(b[4:6])
		n = 6
	case len(b) >= 5:
		minutes, ok = digits2(b[3:5])
		n = 5
	default:
		return 0, 0, false
	}
	if !ok || minutes > 59 {
		return 0, 0, false
	}
	offset = int64(hours)*microsPerHour + int64(minutes)*microsPerMinute
	if b[0] == '-' {
		offset = -offset
	}
	return offset, n, true
}

// FromMillis converts epoch milliseconds to epoch microseconds. Values whose
// result would overflow int64 (beyond about ±292,000 years) saturate to
// math.MaxInt64 or math.MinInt64; use FromMillisChecked to reject them.
func FromMillis(ms int64) int64 {
	us, ok := FromMillisChecked(ms)
	if !ok {
		if ms > 0 {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return us
}

// FromMillisChecked converts epoch milliseconds to epoch microseconds; ok is
// false when the result does not fit in an int64.
func FromMillisChecked(ms int64) (us int64, ok bool) {
	if ms > math.MaxInt64/1000 || ms < math.MinInt64/1000 {
		return 0, false
	}
	return ms * 1000, true
}

// Append appends us as an RFC 3339 timestamp in UTC with only the fractional
// digits needed: 2024-01-02T03:04:05Z, 2024-01-02T03:04:05.5Z,
// 2024-01-02T03:04:05.123456Z. The output equals time.Time's
// Format(time.RFC3339Nano) of the same instant in UTC, for every int64 (years
// outside 0000..9999 get a sign or a fifth digit, as there).
func Append(dst []byte, us int64) []byte {
	days := us / microsPerDay
	rem := us % microsPerDay
	if rem < 0 { // floor division, so times before 1970 count up from midnight
		days--
		rem += microsPerDay
	}
	year, month, day := civilFromDays(days)

	if year < 0 {
		dst = append(dst, '-')
		year = -year
	}
	if year < 10000 {
		dst = append(dst, byte('0'+year/1000), byte('0'+year/100%10))
		dst = append2(dst, int(year%100))
	} else {
		dst = strconv.AppendInt(dst, year, 10)
	}
	dst = append(dst, '-')
	dst = append2(dst, month)
	dst = append(dst, '-')
	dst = append2(dst, day)
	dst = append(dst, 'T')

	second := int(rem / microsPerSecond)
	dst = append2(dst, second/3600)
	dst = append(dst, ':')
	dst = append2(dst, second/60%60)
	dst = append(dst, ':')
	dst = append2(dst, second%60)

	if frac := int(rem % microsPerSecond); frac != 0 {
		var digits [6]byte
		for i := 5; i >= 0; i-- {
			digits[i] = byte('0' + frac%10)
			frac /= 10
		}
		n := 6
		for digits[n-1] == '0' {
			n--
		}
		dst = append(dst, '.')
		dst = append(dst, digits[:n]...)
	}
	return append(dst, 'Z')
}

// Format returns us as Append writes it.
func Format(us int64) string {
	var buf [40]byte
	return string(Append(buf[:0], us))
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (Howard Hinnant's algorithm; year >= 0 here).
func daysFromCivil(year, month, day int) int64 {
	y := int64(year)
	if month <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yearOfEra := y - era*400
	m := int64(month)
	if m > 2 {
		m -= 3
	} else {
		m += 9
	}
	dayOfYear := (153*m+2)/5 + int64(day) - 1
	dayOfEra := yearOfEra*365 + yearOfEra/4 - yearOfEra/100 + dayOfYear
	return era*146097 + dayOfEra - 719468
}

// civilFromDays is the inverse of daysFromCivil, for any int64 day count
// that a microsecond int64 can produce.
func civilFromDays(days int64) (year int64, month, day int) {
	z := days + 719468
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	dayOfEra := z - era*146097
	yearOfEra := (dayOfEra - dayOfEra/1460 + dayOfEra/36524 - dayOfEra/146096) / 365
	dayOfYear := dayOfEra - (365*yearOfEra + yearOfEra/4 - yearOfEra/100)
	mp := (5*dayOfYear + 2) / 153
	day = int(dayOfYear - (153*mp+2)/5 + 1)
	if mp < 10 {
		month = int(mp + 3)
	} else {
		month = int(mp - 9)
	}
	year = yearOfEra + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func isDigit(c byte) bool { return c-'0' <= 9 }

func digits2(b []byte) (int, bool) {
	if !isDigit(b[0]) || !isDigit(b[1]) {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

func digits4(b []byte) (int, bool) {
	hi, ok1 := digits2(b[0:2])
	lo, ok2 := digits2(b[2:4])
	return hi*100 + lo, ok1 && ok2
}

func append2(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

func itoa(v int) string { return strconv.Itoa(v) }
