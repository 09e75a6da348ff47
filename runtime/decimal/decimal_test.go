package decimal

import (
	"math"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		p, s int
		want int64
		err  error
	}{
		{"1.255", 5, 2, 126, nil}, {"-1.255", 5, 2, -126, nil}, {"1.2549", 5, 2, 125, nil},
		{"12", 5, 2, 1200, nil}, {".5", 3, 1, 5, nil}, {"5.", 3, 0, 5, nil}, {"0.005", 4, 2, 1, nil},
		{"0.004", 4, 2, 0, nil}, {"1e2", 5, 2, 10000, nil}, {"1.25E-1", 5, 3, 125, nil}, {"-0", 3, 1, 0, nil},
		{"000123.4500", 6, 2, 12345, nil}, {"999.995", 5, 2, 0, ErrRange}, {"999.994", 5, 2, 99999, nil},
		{"1000", 5, 2, 0, ErrRange}, {"0e500", 5, 2, 0, nil}, {"1e-500", 5, 2, 0, nil}, {"1e500", 5, 2, 0, ErrRange},
		{"9223372036854775807", 38, 0, math.MaxInt64, nil}, {"9223372036854775808", 38, 0, 0, ErrRange},
		{"-9223372036854775807", 38, 0, -math.MaxInt64, nil}, {"12345678901234567890123", 38, 0, 0, ErrRange},
		{"abc", 5, 2, 0, ErrSyntax}, {"", 5, 2, 0, ErrSyntax}, {".", 5, 2, 0, ErrSyntax}, {"1.2.3", 5, 2, 0, ErrSyntax},
		{"1e", 5, 2, 0, ErrSyntax}, {"1 ", 5, 2, 0, ErrSyntax}, {"+2.5", 3, 1, 25, nil},
		{"0.00000000000000000000000000000000000000000001", 38, 2, 0, nil},
	} {
		got, err := Parse([]byte(c.in), c.p, c.s)
		if got != c.want || err != c.err {
			t.Errorf("Parse(%q, %d, %d) = %d, %v; want %d, %v", c.in, c.p, c.s, got, err, c.want, c.err)
		}
	}
	if v, ok := ParseString(" 12.3 ", 5, 2); !ok || v != 1230 {
		t.Errorf("ParseString: %d %v", v, ok)
	}
}

func TestAppend(t *testing.T) {
	for _, c := range []struct {
		u    int64
		s    int
		want string
	}{{150, 2, "1.50"}, {-5, 2, "-0.05"}, {12, 0, "12"}, {0, 3, "0.000"}, {math.MinInt64, 2, "-92233720368547758.08"},
		{1120986836, 3, "1120986.836"}, {5, 1, "0.5"}} {
		if got := String(c.u, c.s); got != c.want {
			t.Errorf("String(%d, %d) = %s, want %s", c.u, c.s, got, c.want)
		}
	}
}

func TestRounding(t *testing.T) {
	if Down(125, 1) != 13 || Down(-125, 1) != -13 || Down(124, 1) != 12 || Down(-15, 1) != -2 || Down(5, 19) != 0 {
		t.Error("Down rounds half away from zero")
	}
	if Floor(-125, 2) != -2 || Floor(125, 2) != 1 || Ceil(-125, 2) != -1 || Ceil(125, 2) != 2 || Ceil(100, 2) != 1 {
		t.Error("Floor/Ceil")
	}
	if Trunc(-175, 2) != -100 || Trunc(175, 1) != 170 {
		t.Error("Trunc")
	}
	if _, ok := Up(math.MaxInt64/10+1, 1); ok {
		t.Error("Up must report overflow")
	}
	if v, ok := Up(-922, 16); !ok || v != -9220000000000000000 {
		t.Error("Up", v, ok)
	}
	if _, ok := Mul(math.MaxInt64, 2); ok {
		t.Error("Mul must report overflow")
	}
	if v, ok := FromFloat(2.675, 5, 2); !ok || v != 268 {
		t.Error("FromFloat 2.675", v) // 267.49999999999997 rounds to 267 only if done in exact binary
	}
	if v, ok := FromFloat(1.255, 5, 2); !ok || v != 125 {
		t.Error("FromFloat 1.255", v)
	}
	if _, ok := FromFloat(math.NaN(), 5, 2); ok {
		t.Error("NaN")
	}
	if _, ok := FromFloat(1000, 5, 2); ok {
		t.Error("FromFloat range")
	}
	if ToFloat(125, 2) != 1.25 || ToFloat(-1, 1) != -0.1 {
		t.Error("ToFloat")
	}
	if _, ok := FromInt(1000, 4, 2); ok {
		t.Error("FromInt range")
	}
}
