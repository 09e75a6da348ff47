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
	tok, start, ok := s.decimalToken()
	if !ok {
		return 0
	}
	v, err := decimal.Parse(tok, p, scale)
	s.decimalErr(err, start, p, scale)
	return v
}

// Decimal128 is Decimal for a DECIMAL(p > 18, s).
func (s *Scanner) Decimal128(p, scale int) decimal.Int128 {
	tok, start, ok := s.decimalToken()
	if !ok {
		return decimal.Int128{}
	}
	v, err := decimal.Parse128(tok, p, scale)
	s.decimalErr(err, start, p, scale)
	return v
}

// decimalToken reads the text of a DECIMAL: a number or a string.
func (s *Scanner) decimalToken() ([]byte, int, bool) {
	if !s.beginValue() {
		return nil, 0, false
	}
	start := s.pos
	if s.line[s.pos] == '"' {
		str, ok := s.readString(&s.strBuf)
		return str, start, ok
	}
	t, ok := s.readNumber()
	if !ok {
		s.fail(start, true, "expected a number")
	}
	return t, start, ok
}

// decimalErr reports err of a DECIMAL(p, scale) read at start.
func (s *Scanner) decimalErr(err error, start, p, scale int) {
	switch err {
	case nil:
	case decimal.ErrRange:
		s.failMsg(start, true, "number out of range for DECIMAL("+strconv.Itoa(p)+","+strconv.Itoa(scale)+"): "+s.excerpt(start))
	default:
		s.fail(start, true, "expected a number")
	}
}

// AppendDecimal appends the unscaled value u of scale s as a JSON number
// with exactly s digits after the point (1.50, -0.05), as DuckDB and Flink
// print a DECIMAL.
func AppendDecimal(dst []byte, u int64, s int) []byte { return decimal.Append(dst, u, s) }

// AppendDecimal128 is AppendDecimal of a DECIMAL(p > 18).
func AppendDecimal128(dst []byte, u decimal.Int128, s int) []byte {
	return decimal.Append128(dst, u, s)
}
