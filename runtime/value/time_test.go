package value

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestFloorDiv(t *testing.T) {
	cases := []struct{ a, b, want int64 }{
		{7, 2, 3},
		{-7, 2, -4},
		{-8, 2, -4},
		{0, 5, 0},
		{-1, 1000, -1},
		{math.MinInt64, 1, math.MinInt64},
		{math.MinInt64, 10, math.MinInt64/10 - 1},
		{math.MaxInt64, 10, math.MaxInt64 / 10},
	}
	for _, c := range cases {
		if got := FloorDiv(c.a, c.b); got != c.want {
			t.Errorf("FloorDiv(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestTumbleStart(t *testing.T) {
	cases := []struct{ ts, size, offset, want int64 }{
		{0, 10, 0, 0},
		{9, 10, 0, 0},
		{10, 10, 0, 10},
		{25, 10, 0, 20},
		{-1, 10, 0, -10}, // before the epoch: floor, not truncation
		{-10, 10, 0, -10},
		{-11, 10, 0, -20},
		{25, 10, 3, 23},
		{22, 10, 3, 13},
		{23, 10, 3, 23},
		{2, 10, 3, -7},
		{-5, 10, 3, -7},
		{25, 10, -3, 17}, // negative offset: starts at ..., 7, 17, 27
		{27, 10, -3, 27},
		{-5, 10, -3, -13},
		{25, 10, 13, 23}, // offset larger than the size acts modulo the size
		{25, 10, -13, 17},
		{math.MinInt64 + 10, 10, 0, -9223372036854775800},
		{math.MaxInt64, 10, 0, math.MaxInt64 - 7},
	}
	for _, c := range cases {
		if got := TumbleStart(c.ts, c.size, c.offset); got != c.want {
			t.Errorf("TumbleStart(%d, %d, %d) = %d, want %d", c.ts, c.size, c.offset, got, c.want)
		}
	}
	// Property: start <= ts < start+size and start is aligned to size plus offset.
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		ts := r.Int64N(1<<50) - 1<<49
		size := r.Int64N(1<<20) + 1
		offset := r.Int64N(1<<22) - 1<<21
		start := TumbleStart(ts, size, offset)
		if start > ts || ts >= start+size || floorMod(start-offset, size) != 0 {
			t.Fatalf("TumbleStart(%d, %d, %d) = %d", ts, size, offset, start)
		}
	}
}

func TestHopLastStart(t *testing.T) {
	// HOP(size 10, slide 5): windows start at every multiple of 5 plus offset.
	cases := []struct{ ts, slide, offset, want int64 }{
		{12, 5, 0, 10},
		{10, 5, 0, 10},
		{-1, 5, 0, -5},
		{-5, 5, 0, -5},
		{-6, 5, 0, -10},
		{12, 5, 1, 11},
		{10, 5, 1, 6},
		{-1, 5, 2, -3},
		{-1, 5, -2, -2},
		{-3, 5, -2, -7},
	}
	for _, c := range cases {
		if got := HopLastStart(c.ts, c.slide, c.offset); got != c.want {
			t.Errorf("HopLastStart(%d, %d, %d) = %d, want %d", c.ts, c.slide, c.offset, got, c.want)
		}
	}
}

func TestFormatTimestamp(t *testing.T) {
	cases := []struct {
		us   int64
		want string
	}{
		{0, "1970-01-01 00:00:00"},
		{1, "1970-01-01 00:00:00.000001"},
		{-1, "1969-12-31 23:59:59.999999"},
		{1_500_000, "1970-01-01 00:00:01.5"},
		{-1_500_000, "1969-12-31 23:59:58.5"},
		{1704164645_000000, "2024-01-02 03:04:05"},
		{1704164645_120000, "2024-01-02 03:04:05.12"},
		{1709164800_000000, "2024-02-29 00:00:00"},
		{951782400_000000, "2000-02-29 00:00:00"},
		{-62135596800_000000, "0001-01-01 00:00:00"},
		{253402300799_999999, "9999-12-31 23:59:59.999999"},
		{253402300800_000000, "10000-01-01 00:00:00"},
		{-62135596800_000001, "0000-12-31 23:59:59.999999"},
		{-62167219200_000000, "0000-01-01 00:00:00"},
		{-62167219200_000001, "-0001-12-31 23:59:59.999999"},
		{math.MaxInt64, "294247-01-10 04:00:54.775807"},
		{math.MinInt64, "-290308-12-21 19:59:05.224192"},
	}
	for _, c := range cases {
		if got := FormatTimestamp(c.us); got != c.want {
			t.Errorf("FormatTimestamp(%d) = %q, want %q", c.us, got, c.want)
		}
	}
	// Compare with package time over years 1..9999.
	r := rand.New(rand.NewPCG(3, 4))
	const lo, hi = -62135596800_000000, 253402300800_000000
	for range 20000 {
		us := lo + r.Int64N(hi-lo)
		if r.IntN(2) == 0 {
			us -= us % 1_000_000 // whole seconds
		}
		want := time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05.999999")
		if got := FormatTimestamp(us); got != want {
			t.Fatalf("FormatTimestamp(%d) = %q, want %q", us, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = FormatTimestamp(1704164645_120000) }); n > 1 {
		t.Errorf("FormatTimestamp allocates %v times, want 1", n)
	}
}

func TestParseTimestamp(t *testing.T) {
	const base = 1704164645_000000 // 2024-01-02 03:04:05 UTC
	cases := []struct {
		s    string
		want int64
		ok   bool
	}{
		{"2024-01-02 03:04:05", base, true},
		{"2024-01-02T03:04:05", base, true},
		{"  2024-01-02 03:04:05\n", base, true},
		{"2024-01-02 03:04:05.123456", base + 123456, true},
		{"2024-01-02 03:04:05.1", base + 100000, true},
		{"2024-01-02 03:04:05.1234567", base + 123456, true}, // truncated to µs
		{"2024-01-02T03:04:05Z", base, true},
		{"2024-01-02T03:04:05.5Z", base + 500000, true},
		{"2024-01-02T04:04:05+01:00", base, true},
		{"2024-01-02T01:34:05-01:30", base, true},
		{"2024-01-02 04:04:05+01:00", base, true},
		{"2024-01-02T04:04:05+0100", base, true},
		{"2024-01-02T04:04:05+01", base, true},
		{"2024-01-02", base - (3*3600+4*60+5)*1_000_000, true},
		{"1969-12-31 23:59:59.999999", -1, true},
		{"1970-01-01", 0, true},
		{"0001-01-01 00:00:00", -62135596800_000000, true},
		{"9999-12-31 23:59:59.999999", 253402300799_999999, true},
		{"2024-02-30", 0, false},
		{"2023-02-29 00:00:00", 0, false},
		{"2024-13-01", 0, false},
		{"2024-01-02 24:00:00", 0, false},
		{"2024-01-02 03:04", 0, false},
		{"2024-1-2", 0, false},
		{"20240102", 0, false},
		{"", 0, false},
		{"yesterday", 0, false},
		{"2024-01-02 03:04:05 garbage", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseTimestamp(c.s)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("ParseTimestamp(%q) = %d, %v; want %d, %v", c.s, got, ok, c.want, c.ok)
		}
	}
	// FormatTimestamp output reads back.
	for _, us := range []int64{0, -1, 1704164645_120000, -62135596800_000000, 253402300799_999999} {
		s := FormatTimestamp(us)
		if got, ok := ParseTimestamp(s); !ok || got != us {
			t.Errorf("ParseTimestamp(%q) = %d, %v; want %d", s, got, ok, us)
		}
	}
}
