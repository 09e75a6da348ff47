package jsonl

import (
	"strconv"

	"github.com/laminar-sql/laminar/runtime/decimal"
)

// Decimal consumes a DECIMAL(p, s) value: a JSON number, or a string
// holding one ("12.50", as Debezium and many producers write decimals to
// keep them exact), read exactly (no float64 on the way) at scale s,
// rounding half away from zero beyond s digits. It returns the unscaled
// value; more than p digits before the point is an error.
func (s *Scanner) Decimal(p, scale int) int64 {
	if !s.beginValue() {
		return 0
	}
	start := s.pos
	var tok []byte
	if s.line[s.pos] == '"' {
		str, ok := s.readString(&s.strBuf)
		if !ok {
			return 0
		}
		tok = str
	} else {
		t, ok := s.readNumber()
		if !ok {
			s.fail(start, true, "expected a number")
			return 0
		}
		tok = t
	}
	v, err := decimal.Parse(tok, p, scale)
	switch err {
	case nil:
		return v
	case decimal.ErrRange:
		s.failMsg(start, true, "number out of range for DECIMAL("+strconv.Itoa(p)+","+strconv.Itoa(scale)+"): "+s.excerpt(start))
	default:
		s.fail(start, true, "expected a number")
	}
	return 0
}

// AppendDecimal appends the unscaled value u of scale s as a JSON number
// with exactly s digits after the point (1.50, -0.05), as DuckDB and Flink
// print a DECIMAL.
func AppendDecimal(dst []byte, u int64, s int) []byte { return decimal.Append(dst, u, s) }
