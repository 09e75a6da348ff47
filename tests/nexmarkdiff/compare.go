package nexmarkdiff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Row is one result row, normalized: int64, float64, string, or nil (NULL);
// timestamps are int64 µs.
type Row []any

// relTolerance is how far two floats may differ, relative to the larger.
const relTolerance = 1e-9

// ParseLaminar reads a sink's JSON lines into rows in column order. An
// updating query's rows carry "_op": they are netted into the table they
// make (a retraction of a row never inserted is an error).
func ParseLaminar(data []byte, cols []Column) ([]Row, error) {
	var rows []Row
	weights := map[string]int{} // updating output: net copies per row
	byKey := map[string]Row{}
	var order []string
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for line := 1; dec.More(); line++ {
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			return nil, fmt.Errorf("row %d: %w", line, err)
		}
		op, updating := obj["_op"]
		delete(obj, "_op")
		if len(obj) != len(cols) {
			return nil, fmt.Errorf("row %d: %d keys, want %d", line, len(obj), len(cols))
		}
		row := make(Row, len(cols))
		for i, c := range cols {
			v, ok := obj[c.Name]
			if !ok {
				return nil, fmt.Errorf("row %d: no key %q", line, c.Name)
			}
			var err error
			if n, ok := v.(json.Number); ok {
				if s, dec := c.Kind.scale(); dec {
					if _, frac, _ := strings.Cut(n.String(), "."); len(frac) != s || strings.ContainsAny(n.String(), "eE") {
						return nil, fmt.Errorf("row %d, column %s: %s does not have exactly %d digits after the point", line, c.Name, n, s)
					}
				}
			}
			if row[i], err = normalize(v, c.Kind); err != nil {
				return nil, fmt.Errorf("row %d, column %s: %w", line, c.Name, err)
			}
		}
		if !updating {
			rows = append(rows, row)
			continue
		}
		key := FormatRow(row, cols)
		if _, seen := byKey[key]; !seen {
			byKey[key] = row
			order = append(order, key)
		}
		switch op {
		case "+":
			weights[key]++
		case "-":
			weights[key]--
		default:
			return nil, fmt.Errorf("row %d: _op is %v, want + or -", line, op)
		}
	}
	for _, key := range order {
		if weights[key] < 0 {
			return nil, fmt.Errorf("row %s retracted more often than inserted", key)
		}
		for range weights[key] {
			rows = append(rows, byKey[key])
		}
	}
	return rows, nil
}

// normalize turns a JSON value (json.Number, string) or a value scanned from
// DuckDB (int64, float64, string, time.Time, ...) into the column's form.
func normalize(v any, k Kind) (any, error) {
	if v == nil {
		return nil, nil
	}
	if _, dec := k.scale(); dec {
		k = Decimal
	}
	switch k {
	case Int:
		switch x := v.(type) {
		case json.Number:
			return strconv.ParseInt(x.String(), 10, 64)
		case int64:
			return x, nil
		case int32:
			return int64(x), nil
		}
	case Float:
		switch x := v.(type) {
		case json.Number:
			return strconv.ParseFloat(x.String(), 64)
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		}
	case String:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case Decimal: // the exact value, as a canonical fraction
		switch x := v.(type) {
		case json.Number:
			if r, ok := new(big.Rat).SetString(x.String()); ok {
				return r.RatString(), nil
			}
		case duckdb.Decimal:
			r := new(big.Rat).SetFrac(x.Value, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(x.Scale)), nil))
			return r.RatString(), nil
		}
	case Timestamp:
		switch x := v.(type) {
		case string:
			t, err := time.Parse(time.RFC3339Nano, x)
			if err != nil {
				return nil, err
			}
			return t.UnixMicro(), nil
		case time.Time:
			return x.UnixMicro(), nil
		}
	}
	return nil, fmt.Errorf("unexpected %T %v for a column of kind %d", v, v, k)
}

// Diff compares two multisets of rows. Rows are matched exactly on their
// non-float columns and, within those, on float columns within relTolerance
// (both sides sorted, then paired in order). It returns the rows only in want
// and only in got.
func Diff(want, got []Row, cols []Column) (onlyWant, onlyGot []Row) {
	group := func(rows []Row) map[string][]Row {
		m := map[string][]Row{}
		for _, r := range rows {
			k := exactKey(r, cols)
			m[k] = append(m[k], r)
		}
		return m
	}
	w, g := group(want), group(got)
	keys := map[string]bool{}
	for k := range w {
		keys[k] = true
	}
	for k := range g {
		keys[k] = true
	}
	for k := range keys {
		ws, gs := w[k], g[k]
		sortByFloats(ws, cols)
		sortByFloats(gs, cols)
		i, j := 0, 0
		for i < len(ws) && j < len(gs) {
			switch c := compareFloats(ws[i], gs[j], cols); {
			case c == 0:
				i++
				j++
			case c < 0:
				onlyWant = append(onlyWant, ws[i])
				i++
			default:
				onlyGot = append(onlyGot, gs[j])
				j++
			}
		}
		onlyWant = append(onlyWant, ws[i:]...)
		onlyGot = append(onlyGot, gs[j:]...)
	}
	return onlyWant, onlyGot
}

// exactKey renders the non-float columns of a row.
func exactKey(r Row, cols []Column) string {
	var b strings.Builder
	for i, c := range cols {
		if c.Kind != Float {
			fmt.Fprintf(&b, "%#v\x00", r[i])
		}
	}
	return b.String()
}

func sortByFloats(rows []Row, cols []Column) {
	sort.SliceStable(rows, func(a, b int) bool { return compareFloats(rows[a], rows[b], cols) < 0 })
}

// compareFloats orders rows by their float columns, NULL first; floats within
// relTolerance of each other are equal.
func compareFloats(a, b Row, cols []Column) int {
	for i, c := range cols {
		if c.Kind != Float {
			continue
		}
		x, xok := a[i].(float64)
		y, yok := b[i].(float64)
		switch {
		case !xok && !yok:
			continue
		case !xok:
			return -1
		case !yok:
			return 1
		case closeEnough(x, y):
			continue
		case x < y:
			return -1
		default:
			return 1
		}
	}
	return 0
}

func closeEnough(x, y float64) bool {
	if x == y {
		return true
	}
	return math.Abs(x-y) <= relTolerance*math.Max(math.Abs(x), math.Abs(y))
}

// FormatRow renders a row for a failure message.
func FormatRow(r Row, cols []Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		v := r[i]
		if c.Kind == Timestamp && v != nil {
			v = time.UnixMicro(v.(int64)).UTC().Format(time.RFC3339Nano)
		}
		parts[i] = fmt.Sprintf("%s=%v", c.Name, v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
