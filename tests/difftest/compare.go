package difftest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Value is a normalized cell: nil, int64, float64, string or bool.
// TIMESTAMP cells are int64 µs since the Unix epoch.
type Value = any

// ResultRow is one output row in the view's column order.
type ResultRow []Value

// Multiset is a bag of rows, keyed by their exact rendering.
type Multiset map[string]*bagEntry

type bagEntry struct {
	row   ResultRow
	count int
}

// rowKey renders a row exactly; -0.0 and 0.0 render alike.
func rowKey(r ResultRow) string {
	var b strings.Builder
	for i, v := range r {
		if i > 0 {
			b.WriteByte('|')
		}
		switch v := v.(type) {
		case nil:
			b.WriteString("NULL")
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		case float64:
			b.WriteString(strconv.FormatFloat(v+0, 'g', -1, 64))
		case string:
			b.WriteString(strconv.Quote(v))
		case bool:
			b.WriteString(strconv.FormatBool(v))
		default:
			fmt.Fprintf(&b, "?%T(%v)", v, v)
		}
	}
	return b.String()
}

func (m Multiset) add(r ResultRow, weight int) {
	k := rowKey(r)
	e := m[k]
	if e == nil {
		e = &bagEntry{row: r}
		m[k] = e
	}
	e.count += weight
	if e.count == 0 {
		delete(m, k)
	}
}

// Size is the number of rows, counting duplicates.
func (m Multiset) Size() int {
	n := 0
	for _, e := range m {
		n += e.count
	}
	return n
}

// normalize converts a cell to the canonical Go type of its column kind.
func normalize(v any, k Kind) (Value, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case KindFloat:
		switch v := v.(type) {
		case float64:
			return v, nil
		case int64:
			return float64(v), nil
		case int32:
			return float64(v), nil
		}
	case KindInt, KindTimestamp:
		switch v := v.(type) {
		case int64:
			return v, nil
		case int32:
			return int64(v), nil
		case float64:
			if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
				return int64(v), nil
			}
			return v, nil // kept as is: it will show in the diff
		case time.Time:
			return v.UnixMicro(), nil
		}
	case KindString:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case KindBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case KindDecimal:
		if d, ok := v.(duckdb.Decimal); ok {
			r := new(big.Rat).SetFrac(d.Value, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale)), nil))
			return r.RatString() + "@" + strconv.Itoa(int(d.Scale)), nil
		}
	}
	return nil, fmt.Errorf("unexpected %T value %v for a %v column", v, v, k)
}

// ParseLaminar reads a sink's JSON lines and nets "_op" weights. It checks
// that every line has exactly the view's columns, in SELECT order, and that
// "_op" is present exactly when the view is updating.
func ParseLaminar(data []byte, cols []Column, updating bool) (Multiset, error) {
	out := Multiset{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		row, op, err := parseLine(sc.Bytes(), cols)
		if err != nil {
			return nil, fmt.Errorf("output line %d: %v: %s", line, err, sc.Text())
		}
		weight := 1
		switch {
		case !updating && op != "":
			return nil, fmt.Errorf("output line %d: unexpected _op in an append-only view: %s", line, sc.Text())
		case updating && op == "-":
			weight = -1
		case updating && op != "+":
			return nil, fmt.Errorf("output line %d: want _op \"+\" or \"-\": %s", line, sc.Text())
		}
		out.add(row, weight)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, e := range out {
		if e.count < 0 {
			return nil, fmt.Errorf("row %s nets to weight %d: retracted more often than inserted", rowKey(e.row), e.count)
		}
	}
	return out, nil
}

func parseLine(line []byte, cols []Column) (ResultRow, string, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, "", fmt.Errorf("not a JSON object")
	}
	row := make(ResultRow, 0, len(cols))
	op := ""
	for i := 0; dec.More(); i++ {
		t, err := dec.Token()
		if err != nil {
			return nil, "", err
		}
		key := t.(string)
		var raw any
		if err := dec.Decode(&raw); err != nil {
			return nil, "", err
		}
		if key == "_op" && i == len(cols) {
			s, _ := raw.(string)
			op = s
			continue
		}
		if i >= len(cols) || key != cols[i].Name {
			return nil, "", fmt.Errorf("key %q at position %d, want the columns %v in order", key, i, cols)
		}
		v, err := jsonValue(raw, cols[i].Kind)
		if err != nil {
			return nil, "", fmt.Errorf("column %s: %v", key, err)
		}
		row = append(row, v)
	}
	if len(row) != len(cols) {
		return nil, "", fmt.Errorf("%d columns, want %d", len(row), len(cols))
	}
	if _, err := dec.Token(); err != nil {
		return nil, "", err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "", fmt.Errorf("trailing data")
	}
	return row, op, nil
}

func jsonValue(raw any, k Kind) (Value, error) {
	switch v := raw.(type) {
	case nil:
		return nil, nil
	case json.Number:
		if k == KindDecimal {
			return decimalCell(v.String())
		}
		if i, err := v.Int64(); err == nil && k != KindFloat {
			return i, nil
		}
		f, err := v.Float64()
		if err != nil {
			return nil, err
		}
		return normalize(f, k)
	case string:
		if k == KindFloat { // the spellings Laminar writes for what JSON has no number for
			switch v {
			case "Infinity":
				return math.Inf(1), nil
			case "-Infinity":
				return math.Inf(-1), nil
			case "NaN":
				return math.NaN(), nil
			}
		}
		if k == KindTimestamp {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return nil, err
			}
			if t.Location() != time.UTC {
				return nil, fmt.Errorf("timestamp %q is not in UTC", v)
			}
			return t.UnixMicro(), nil
		}
		return normalize(v, k)
	default:
		return normalize(v, k)
	}
}

// floatsClose compares doubles with a relative tolerance of 1e-9 (and an
// absolute one near zero), since the engines may sum in different orders.
func floatsClose(a, b float64) bool {
	if a == b {
		return true
	}
	diff := math.Abs(a - b)
	return diff <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) || diff <= 1e-9
}

func rowsClose(a, b ResultRow) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		fa, aok := a[i].(float64)
		fb, bok := b[i].(float64)
		if aok && bok {
			if !floatsClose(fa, fb) {
				return false
			}
			continue
		}
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Diff returns the rows only in want and only in got, after matching exact
// renderings and then pairing the rest with the float tolerance.
func Diff(want, got Multiset) (onlyWant, onlyGot []ResultRow) {
	expand := func(a, b Multiset) []ResultRow {
		var out []ResultRow
		for k, e := range a {
			n := e.count
			if o := b[k]; o != nil {
				n -= o.count
			}
			for range n {
				out = append(out, e.row)
			}
		}
		sort.Slice(out, func(i, j int) bool { return rowKey(out[i]) < rowKey(out[j]) })
		return out
	}
	onlyWant, onlyGot = expand(want, got), expand(got, want)
	var restWant []ResultRow
	used := make([]bool, len(onlyGot))
	for _, w := range onlyWant {
		matched := false
		for j, g := range onlyGot {
			if !used[j] && rowsClose(w, g) {
				used[j], matched = true, true
				break
			}
		}
		if !matched {
			restWant = append(restWant, w)
		}
	}
	var restGot []ResultRow
	for j, g := range onlyGot {
		if !used[j] {
			restGot = append(restGot, g)
		}
	}
	return restWant, restGot
}

// FormatRow renders a row for a failure report, timestamps as RFC 3339.
func FormatRow(r ResultRow, cols []Column) string {
	parts := make([]string, len(r))
	for i, v := range r {
		if us, ok := v.(int64); ok && i < len(cols) && cols[i].Kind == KindTimestamp {
			parts[i] = cols[i].Name + "=" + time.UnixMicro(us).UTC().Format(time.RFC3339Nano)
			continue
		}
		parts[i] = cols[i].Name + "=" + rowKey(ResultRow{v})
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// decimalCell normalizes a DECIMAL as Laminar writes it, a JSON number with
// exactly its scale's digits after the point, to "value@scale".
func decimalCell(text string) (Value, error) {
	if strings.ContainsAny(text, "eE") {
		return nil, fmt.Errorf("DECIMAL %s written with an exponent", text)
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return nil, fmt.Errorf("bad DECIMAL %s", text)
	}
	_, frac, _ := strings.Cut(text, ".")
	return r.RatString() + "@" + strconv.Itoa(len(frac)), nil
}
