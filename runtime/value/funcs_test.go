package value

import (
	"testing"
	"time"
)

func TestStringFunctions(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{InitCap("hello wORLD-x 3rd élan"), "Hello World-X 3rd Élan"}, // PostgreSQL's initcap
		{LPad("ab", 5, "xy"), "xyxab"},
		{LPad("abcdef", 3, "x"), "abc"},
		{RPad("äb", 4, "ö"), "äböö"},
		{LPad("ab", 4, ""), "ab"},
		{LPad("ab", -1, "x"), ""},
		{SplitPart("a,b,c", ",", -1), "c"},
		{SplitPart("a,b,c", ",", 4), ""},
		{SplitPart("a,b,c", "", 1), "a,b,c"},
		{Replace("aaa", "", "x"), "aaa"},
		{Trim("\t a \t"), "\t a \t"}, // spaces only, as PostgreSQL and DuckDB
		{TrimChars("xxaxyx", "xy"), "a"},
		{RegexpReplace(MustCompileRegexp(`(\w)(\d)`), "a1 b2", `\2\1$`, true), "1a$ 2b$"},
		{RegexpReplace(MustCompileRegexp(`b`), "abcb", `[\0]`, false), "a[b]cb"},
		{RegexpReplace(MustCompileRegexp(`z`), "abc", "x", false), "abc"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if p := Position("äbc", "c"); p != 3 {
		t.Errorf("POSITION counts characters: %d", p)
	}
	if p := Position("abc", ""); p != 1 {
		t.Errorf("POSITION of '' is 1, got %d", p)
	}
	if got := ConcatWS(Null[string]{}, Of("a")); got.Valid {
		t.Error("CONCAT_WS with a NULL separator is NULL")
	}
	if got := Greatest(Null[int64]{}, Of(int64(2))); got != Of(int64(2)) {
		t.Errorf("GREATEST(NULL, 2) = %v", got)
	}
	if Distinct(Null[int64]{}, Null[int64]{}) || !Distinct(Of(int64(1)), Null[int64]{}) {
		t.Error("IS DISTINCT FROM and NULL")
	}
}

func us(s string) int64 {
	t, err := time.Parse("2006-01-02 15:04:05.999999", s)
	if err != nil {
		panic(err)
	}
	return t.UnixMicro()
}

func TestTimeFunctions(t *testing.T) {
	var f Fault
	for _, c := range []struct{ got, want int64 }{
		{AddMonths(us("2024-01-31 10:00:00"), 1, &f), us("2024-02-29 10:00:00")}, // clamped to the month's end
		{AddMonths(us("2023-03-31 00:00:00"), -1, &f), us("2023-02-28 00:00:00")},
		{AddMonths(us("2024-02-29 00:00:00"), 12, &f), us("2025-02-28 00:00:00")},
		{DiffMonths(us("2024-01-31 00:00:00"), us("2024-02-29 00:00:00")), 1},
		{DiffMonths(us("2024-01-31 00:00:01"), us("2024-02-29 00:00:00")), 0},
		{DiffMonths(us("2024-03-15 00:00:00"), us("2024-01-16 00:00:00")), -1},
		{DiffUnits(us("2024-01-01 00:00:00.5"), us("2024-01-01 00:00:01.2"), UnitSecond), 0},
		{DiffUnits(us("2024-01-01 00:00:01.2"), us("2024-01-01 00:00:00"), UnitSecond), -1},
		{TruncWeek(us("2024-03-03 12:00:00")), us("2024-02-26 00:00:00")}, // a Sunday: the Monday before
		{TruncQuarter(us("2024-08-15 12:00:00")), us("2024-07-01 00:00:00")},
		{TruncUnit(-1, UnitSecond), -1_000_000}, // before 1970: floor, not toward zero
		{ExtractSecond(us("2024-01-01 00:00:59.999")), 59},
		{ExtractMillisecond(us("2024-01-01 00:00:12.345")), 12345},
		{ExtractIsoDow(us("2024-03-03 00:00:00")), 7},
		{EpochMillis(-1), -1},
	} {
		if c.got != c.want {
			t.Errorf("got %d, want %d", c.got, c.want)
		}
	}
	if f != 0 {
		t.Fatalf("fault %v", f)
	}
	AddUnits(us("2024-01-01 00:00:00"), 1<<62, UnitDay, &f)
	if f != FaultTimestampRange {
		t.Errorf("TIMESTAMPADD past the range: fault %v", f)
	}
	f = 0
	AddMonths(0, 1<<40, &f)
	if f != FaultTimestampRange {
		t.Errorf("TIMESTAMPADD of months past the range: fault %v", f)
	}
	if _, ok := ParseTime("2024-13-01", "2006-01-02"); ok {
		t.Error("a bad date parses")
	}
}

func TestCallSetsAFaultOnPanicOrError(t *testing.T) {
	var f Fault
	if v := Call(func() int64 { return 7 }, &f); v != 7 || f != 0 {
		t.Fatalf("%d %v", v, f)
	}
	Call(func() int64 { panic("boom") }, &f)
	if f != FaultFunction || f.Code() != "LDB-6004" {
		t.Fatalf("panic: fault %v", f)
	}
	f = 0
	CallErr(func() (string, error) { return "", errTest }, &f)
	if f != FaultFunction {
		t.Fatalf("error: fault %v", f)
	}
}

var errTest = errorString("udf failed")

type errorString string

func (e errorString) Error() string { return string(e) }

func TestTimeFormatCachesPerUnit(t *testing.T) {
	day := NewTimeFormat("2006-01-02")
	if day.unit != usPerDay {
		t.Fatalf("unit %d", day.unit)
	}
	a, b := us("2024-03-01 00:00:00"), us("2024-03-01 23:59:59.999999")
	if day.Format(a) != "2024-03-01" || day.Format(b) != "2024-03-01" || day.Format(b+1) != "2024-03-02" || day.Format(-1) != "1969-12-31" {
		t.Fatal("day format")
	}
	for layout, unit := range map[string]int64{"15:04": usPerSec /* 15 reads as seconds: finer, never wrong */, "01-02 03:04": usPerMin, "2006-01-02 15:04:05.000": 1, "03 PM": usPerHour, "Jan 2 15:04:05": usPerSec} {
		f := NewTimeFormat(layout)
		if f.unit != unit {
			t.Errorf("%s: unit %d, want %d", layout, f.unit, unit)
		}
		for _, x := range []int64{a, a + 1, a + 999, b} {
			if got, want := f.Format(x), FormatTime(x, layout); got != want {
				t.Errorf("%s of %d: %q, want %q", layout, x, got, want)
			}
		}
	}
}
