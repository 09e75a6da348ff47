package jsonl

import (
	"strings"
	"testing"
)

func TestScannerDecimal(t *testing.T) {
	for _, c := range []struct {
		line string
		want int64
		err  string
	}{
		{`{"d":12.5}`, 1250, ""}, {`{"d":"12.5"}`, 1250, ""}, {`{"d":-0.005}`, -1, ""}, {`{"d":1e2}`, 10000, ""},
		{`{"d":"1,5"}`, 0, "expected a number"}, {`{"d":true}`, 0, "expected a number"},
		{`{"d":1000}`, 0, "out of range for DECIMAL(5,2)"}, {`{"d":99999999999999999999999}`, 0, "out of range"},
	} {
		var s Scanner
		s.Reset([]byte(c.line))
		s.NextKey()
		got := s.Decimal(5, 2)
		err := s.Err()
		switch {
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%s: %d, %v; want %d", c.line, got, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want %q", c.line, err, c.err)
		}
	}
	if got := string(AppendDecimal(nil, -5, 2)); got != "-0.05" {
		t.Errorf("AppendDecimal: %s", got)
	}
}
