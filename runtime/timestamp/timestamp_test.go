package timestamp

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func micros(t time.Time) int64 { return t.UnixMicro() }

func TestParseAccepted(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, us int) int64 {
		return micros(time.Date(y, mo, d, h, mi, s, us*1000, time.UTC))
	}
	tests := []struct {
		in   string
		want int64
	}{
		{"2024-01-02T03:04:05Z", utc(2024, 1, 2, 3, 4, 5, 0)},
		{"2024-01-02t03:04:05z", utc(2024, 1, 2, 3, 4, 5, 0)},
		{"2024-01-02T03:04:05.5Z", utc(2024, 1, 2, 3, 4, 5, 500000)},
		{"2024-01-02T03:04:05.123Z", utc(2024, 1, 2, 3, 4, 5, 123000)},
		{"2024-01-02T03:04:05.123456Z", utc(2024, 1, 2, 3, 4, 5, 123456)},
		{"2024-01-02T03:04:05.123456789Z", utc(2024, 1, 2, 3, 4, 5, 123456)},
		{"2024-01-02T03:04:05.000000999Z", utc(2024, 1, 2, 3, 4, 5, 0)},
		{"2024-01-02T03:04:05+02:00", utc(2024, 1, 2, 1, 4, 5, 0)},
		{"2024-01-02T03:04:05-05:30", utc(2024, 1, 2, 8, 34, 5, 0)},
		{"2024-01-02T03:04:05-0530", utc(2024, 1, 2, 8, 34, 5, 0)},
		{"2024-01-02T03:04:05+02", utc(2024, 1, 2, 1, 4, 5, 0)},
		{"2024-01-02T00:30:00+01:00", utc(2024, 1, 1, 23, 30, 0, 0)},
		{"2024-01-02T03:04:05.25-00:00", utc(2024, 1, 2, 3, 4, 5, 250000)},
		{"2024-01-02T03:04:05", utc(2024, 1, 2, 3, 4, 5, 0)},
		{"2024-01-02 03:04:05", utc(2024, 1, 2, 3, 4, 5, 0)},
		{"2024-01-02 03:04:05.123456", utc(2024, 1, 2, 3, 4, 5, 123456)},
		{"2024-01-02 03:04:05+02", utc(2024, 1, 2, 1, 4, 5, 0)},
		{"2024-01-02 03:04:05Z", utc(2024, 1, 2, 3, 4, 5, 0)},
		{"2024-01-02", utc(2024, 1, 2, 0, 0, 0, 0)},
		{"1970-01-01", 0},
		{"1969-12-31T23:59:59.999999Z", -1},
		{"2024-02-29", utc(2024, 2, 29, 0, 0, 0, 0)},
		{"2000-02-29", utc(2000, 2, 29, 0, 0, 0, 0)},
		{"0001-01-01T00:00:00Z", utc(1, 1, 1, 0, 0, 0, 0)},
		{"9999-12-31T23:59:59.999999Z", utc(9999, 12, 31, 23, 59, 59, 999999)},
		{"1600-03-01", utc(1600, 3, 1, 0, 0, 0, 0)},
	}
	for _, tt := range tests {
		got, err := Parse([]byte(tt.in))
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %d (%s), want %d (%s)", tt.in, got, Format(got), tt.want, Format(tt.want))
		}
	}
}

func TestParseRejected(t *testing.T) {
	tests := []struct {
		in      string
		wantMsg string
	}{
		{"", `invalid timestamp "": expected YYYY-MM-DD`},
		{"2024-1-02", "expected YYYY-MM-DD"},
		{"2024/01/02", "expected YYYY-MM-DD"},
		{"20240102", "expected YYYY-MM-DD"},
		{"2024-0a-02", "expected YYYY-MM-DD"},
		{"0000-01-01", "year 0000 out of range"},
		{"2024-13-01", "month 13 out of range"},
		{"2024-00-01", "month 0 out of range"},
		{"2024-01-00", "day 0 out of range for the month"},
		{"2024-01-32", "day 32 out of range for the month"},
		{"2023-02-29", "day 29 out of range for the month"},
		{"1900-02-29", "day 29 out of range for the month"},
		{"2024-04-31", "day 31 out of range for the month"},
		{"2024-01-02X03:04:05Z", "expected 'T' or ' ' after the date"},
		{"2024-01-02T03:04Z", "expected hh:mm:ss after the date"},
		{"2024-01-02T", "expected hh:mm:ss after the date"},
		{"2024-01-02T3:04:05Z", "expected hh:mm:ss after the date"},
		{"2024-01-02T24:00:00Z", "hour 24 out of range"},
		{"2024-01-02T23:60:00Z", "minute 60 out of range"},
		{"2024-01-02T23:59:60Z", "second 60 out of range"},
		{"2024-01-02T03:04:05.Z", "expected 1 to 9 digits of fraction"},
		{"2024-01-02T03:04:05.1234567890Z", "expected 1 to 9 digits of fraction"},
		{"2024-01-02T03:04:05+2:00", "expected a zone offset ±hh:mm"},
		{"2024-01-02T03:04:05+24:00", "expected a zone offset ±hh:mm"},
		{"2024-01-02T03:04:05+02:60", "expected a zone offset ±hh:mm"},
		{"2024-01-02T03:04:05+020", "expected a zone offset ±hh:mm"},
		{"2024-01-02T03:04:05 UTC", "expected a zone (Z or ±hh:mm)"},
		{"2024-01-02T03:04:05ZZ", "unexpected text after the zone"},
		{"2024-01-02T03:04:05+02:00:00", "unexpected text after the zone"},
		{" 2024-01-02", "expected YYYY-MM-DD"},
		{"2024-01-02 ", "expected hh:mm:ss after the date"},
		{"2024-01-02T03:04:05Z" + strings.Repeat("x", 1000), `"2024-01-02T03:04:05Zxxxxxxxxxxxxxxxxxxxx...": unexpected text after the zone`},
	}
	for _, tt := range tests {
		got, err := Parse([]byte(tt.in))
		if err == nil {
			t.Errorf("Parse(%q) = %d, want an error", tt.in, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("Parse(%q) error = %q, want it to contain %q", tt.in, err, tt.wantMsg)
		}
		if len(err.Error()) > 120 {
			t.Errorf("Parse(%q) error is %d bytes long", tt.in, len(err.Error()))
		}
	}
}

// TestRoundTripAgainstTime checks Append and Parse against the time package
// for random instants in the years 0001..9999 and in zones.
func TestRoundTripAgainstTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	minUs := micros(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))
	maxUs := micros(time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC))
	for i := 0; i < 100_000; i++ {
		us := minUs + rng.Int64N(maxUs-minUs+1)
		switch i % 4 { // exercise short fractions too
		case 1:
			us -= us % 1_000_000
		case 2:
			us -= us % 1000
		}
		tm := time.UnixMicro(us).UTC()
		want := tm.Format(time.RFC3339Nano)
		if got := Format(us); got != want {
			t.Fatalf("Format(%d) = %q, want %q", us, got, want)
		}
		back, err := Parse([]byte(want))
		if err != nil || back != us {
			t.Fatalf("Parse(%q) = %d, %v; want %d", want, back, err, us)
		}
		// The same instant written in a random zone and in the SQL form.
		zone := time.FixedZone("", (rng.IntN(47)-23)*3600+rng.IntN(2)*1800)
		local := tm.In(zone)
		if local.Year() < 1 || local.Year() > 9999 {
			continue
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999-0700"} {
			s := local.Format(layout)
			if back, err := Parse([]byte(s)); err != nil || back != us {
				t.Fatalf("Parse(%q) = %d, %v; want %d", s, back, err, us)
			}
		}
	}
}

func TestAppendExtremes(t *testing.T) {
	for _, us := range []int64{
		0, 1, -1, 999_999, -999_999, 1_000_000, -1_000_000, 500_000, 10, 100,
		math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1,
		micros(time.Date(0, 12, 31, 23, 59, 59, 0, time.UTC)),
		micros(time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)),
		micros(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)),
	} {
		want := time.UnixMicro(us).UTC().Format(time.RFC3339Nano)
		if got := Format(us); got != want {
			t.Errorf("Format(%d) = %q, want %q", us, got, want)
		}
	}
}

func TestAppendTrailingZeros(t *testing.T) {
	base := micros(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	tests := []struct {
		frac int64
		want string
	}{
		{0, "2024-01-02T03:04:05Z"},
		{500000, "2024-01-02T03:04:05.5Z"},
		{123000, "2024-01-02T03:04:05.123Z"},
		{123456, "2024-01-02T03:04:05.123456Z"},
		{1, "2024-01-02T03:04:05.000001Z"},
	}
	for _, tt := range tests {
		if got := string(Append([]byte("x"), base+tt.frac)); got != "x"+tt.want {
			t.Errorf("Append(%d) = %q, want %q", tt.frac, got, "x"+tt.want)
		}
	}
}

func TestFromMillis(t *testing.T) {
	tests := []struct {
		ms, want int64
		ok       bool
	}{
		{0, 0, true},
		{1, 1000, true},
		{-1, -1000, true},
		{1_700_000_000_123, 1_700_000_000_123_000, true},
		{math.MaxInt64 / 1000, math.MaxInt64 / 1000 * 1000, true},
		{math.MinInt64 / 1000, math.MinInt64 / 1000 * 1000, true},
		{math.MaxInt64/1000 + 1, math.MaxInt64, false},
		{math.MinInt64/1000 - 1, math.MinInt64, false},
		{math.MaxInt64, math.MaxInt64, false},
		{math.MinInt64, math.MinInt64, false},
	}
	for _, tt := range tests {
		if got := FromMillis(tt.ms); got != tt.want {
			t.Errorf("FromMillis(%d) = %d, want %d", tt.ms, got, tt.want)
		}
		if got, ok := FromMillisChecked(tt.ms); ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("FromMillisChecked(%d) = %d, %v", tt.ms, got, ok)
		}
	}
}

func TestNoAllocations(t *testing.T) {
	in := []byte("2024-01-02T03:04:05.123456+02:00")
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		us, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		buf = Append(buf[:0], us)
	})
	if allocs != 0 {
		t.Errorf("Parse+Append allocated %v times per run", allocs)
	}
}

// FuzzParse checks that Parse never panics and that whatever it accepts the
// time package reads as the same instant.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123456789+02:00", "2024-01-02 03:04:05",
		"2024-01-02", "2024-02-30", "9999-12-31T23:59:59.999999-23:59", "0001-01-01T00:00:00+23:59",
		"2024-01-02T03:04:05-0530", "2024-01-02t03:04:05z", "2024-01-02T03:04:05+02",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		us, err := Parse([]byte(s))
		if err != nil {
			return
		}
		// Normalize the accepted variants into a layout time.Parse reads.
		norm := strings.ToUpper(strings.Replace(s, " ", "T", 1))
		if len(norm) == 10 {
			norm += "T00:00:00"
		}
		layout := "2006-01-02T15:04:05.999999999"
		rest := norm[19:]
		if i := strings.IndexAny(rest, "Z+-"); i >= 0 {
			switch zone := rest[i:]; {
			case zone == "Z":
				layout += "Z07:00"
			case len(zone) == 3:
				layout += "-07"
			case len(zone) == 5:
				layout += "-0700"
			default:
				layout += "-07:00"
			}
		}
		tm, terr := time.Parse(layout, norm)
		if terr != nil {
			t.Fatalf("Parse(%q) = %d but time.Parse(%q, %q): %v", s, us, layout, norm, terr)
		}
		if want := tm.UnixMicro(); want != us {
			t.Fatalf("Parse(%q) = %d, time.Parse says %d", s, us, want)
		}
		if back, err := Parse([]byte(Format(us))); (err == nil) && back != us {
			t.Fatalf("round trip of %q: %d != %d", s, back, us)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	in := []byte("2024-01-02T03:04:05.123456Z")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppend(b *testing.B) {
	us := micros(time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC))
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = Append(buf[:0], us)
	}
}

func BenchmarkTimeParseBaseline(b *testing.B) {
	in := "2024-01-02T03:04:05.123456Z"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := time.Parse(time.RFC3339Nano, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTimeFormatBaseline(b *testing.B) {
	tm := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = tm.AppendFormat(buf[:0], time.RFC3339Nano)
	}
}
