package value

import (
	"testing"
	"time"
)

func TestHour(t *testing.T) {
	for _, ts := range []time.Time{
		time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 2, 23, 59, 59, 999999000, time.UTC),
		time.Date(1969, 12, 31, 22, 30, 0, 0, time.UTC), time.Date(2015, 7, 15, 13, 0, 0, 0, time.UTC),
	} {
		if got := Hour(ts.UnixMicro()); got != int64(ts.Hour()) {
			t.Errorf("Hour(%v) = %d", ts, got)
		}
	}
}

func TestFormatTime(t *testing.T) {
	us := time.Date(2015, 7, 15, 9, 5, 0, 0, time.UTC).UnixMicro()
	if got := FormatTime(us, "2006-01-02"); got != "2015-07-15" {
		t.Error(got)
	}
	if got := FormatTime(us, "15:04"); got != "09:05" {
		t.Error(got)
	}
}

func TestSplitIndex(t *testing.T) {
	cases := []struct {
		s, d string
		i    int64
		want string
		ok   bool
	}{
		{"a/b/c", "/", 0, "a", true}, {"a/b/c", "/", 2, "c", true}, {"a/b/c", "/", 3, "", false},
		{"/x/", "/", 0, "", true}, {"/x/", "/", 2, "", true}, {"abc", "", 0, "", false}, {"a::b", "::", 1, "b", true},
		{"abc", "/", -1, "", false},
	}
	for _, c := range cases {
		got, ok := SplitIndex(c.s, c.d, c.i)
		if got != c.want || ok != c.ok {
			t.Errorf("SplitIndex(%q, %q, %d) = %q, %v", c.s, c.d, c.i, got, ok)
		}
	}
}

func TestRegexpExtract(t *testing.T) {
	re := MustCompileRegexp(`(&|^)channel_id=([^&]*)`)
	if got, ok := RegexpExtract(re, "https://x/item.htm?query=1&channel_id=42", 2); !ok || got != "42" {
		t.Errorf("got %q %v", got, ok)
	}
	if _, ok := RegexpExtract(re, "https://x/item.htm?query=1", 2); ok {
		t.Error("no match must be NULL")
	}
	if _, ok := RegexpExtract(re, "channel_id=1", 5); ok {
		t.Error("missing group must be NULL")
	}
}
