package lookup

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/laminar-sql/laminar/runtime/decimal"
	"github.com/laminar-sql/laminar/runtime/timestamp"
)

// Kind is the type of a table column as a table reads it.
type Kind byte

const (
	Int        Kind = 'i' // BIGINT, INTERVAL (µs): int64
	Float      Kind = 'f' // DOUBLE: float64
	String     Kind = 's' // VARCHAR: string
	Bool       Kind = 'b' // BOOLEAN: bool
	Timestamp  Kind = 't' // TIMESTAMP: int64 µs
	Decimal    Kind = 'd' // DECIMAL(p <= 18, s): int64 unscaled
	Decimal128 Kind = 'D' // DECIMAL(p > 18, s): decimal.Int128 unscaled
)

// Column is a column of a table, as declared: a DECIMAL's precision and
// scale too.
type Column struct {
	Name        string
	Kind        Kind
	Prec, Scale int
}

// ParseDecimal reads text (a number, an exponent allowed) as the unscaled
// value of DECIMAL column c, exactly, rounded half away from zero to its
// scale: an int64 or a decimal.Int128 as c's kind is.
func ParseDecimal(text []byte, c Column) (any, error) {
	var v any
	var err error
	if c.Kind == Decimal128 {
		v, err = decimal.Parse128(text, c.Prec, c.Scale)
	} else {
		v, err = decimal.Parse(text, c.Prec, c.Scale)
	}
	if err != nil {
		return nil, fmt.Errorf("%q is not a DECIMAL(%d,%d): %w", text, c.Prec, c.Scale, err)
	}
	return v, nil
}

// FileTable is a CSV or JSON-lines file read as a table: its rows indexed
// by the key columns, loaded when opened and again, on a lookup, when the
// file has changed (size or modification time; checked at most once a
// second). A CSV file's columns are in declared order (a first record that
// names them is a header); a JSON line's keys name the columns.
type FileTable struct {
	path, format string
	cols         []Column
	keys         []int
	index        map[string][][]any
	size         int64
	mod          time.Time
	checked      time.Time
}

// OpenFile opens a file table; keys are the columns lookups compare.
func OpenFile(path, format string, cols []Column, keys []int) (*FileTable, error) {
	t := &FileTable{path: path, format: format, cols: cols, keys: keys}
	if err := t.load(); err != nil {
		return nil, err
	}
	return t, nil
}

// Lookup implements Table. It runs on the cache's misses (and when an
// entry expired), so a changed file is read again then.
func (t *FileTable) Lookup(key []any) ([][]any, error) {
	if time.Since(t.checked) >= time.Second {
		if st, err := os.Stat(t.path); err == nil && (st.Size() != t.size || !st.ModTime().Equal(t.mod)) {
			if err := t.load(); err != nil {
				return nil, err
			}
		}
		t.checked = time.Now()
	}
	return t.index[keyString(key)], nil
}

// Close implements Table.
func (t *FileTable) Close() error { return nil }

func (t *FileTable) load() error {
	f, err := os.Open(t.path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	index := map[string][][]any{}
	add := func(row []any) {
		key := make([]any, len(t.keys))
		for i, c := range t.keys {
			if row[c] == nil {
				return // a NULL key matches nothing
			}
			key[i] = row[c]
		}
		k := keyString(key)
		index[k] = append(index[k], row)
	}
	line := 0
	switch t.format {
	case "csv":
		r := csv.NewReader(bufio.NewReader(f))
		r.FieldsPerRecord = -1
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			line++
			if err != nil {
				return fmt.Errorf("%s: %w", t.path, err)
			}
			if line == 1 && t.isHeader(rec) {
				continue
			}
			if len(rec) != len(t.cols) {
				return fmt.Errorf("%s line %d: %d fields, the table has %d columns", t.path, line, len(rec), len(t.cols))
			}
			row := make([]any, len(rec))
			for i, field := range rec {
				if row[i], err = parseField(field, t.cols[i]); err != nil {
					return fmt.Errorf("%s line %d: column %s: %w", t.path, line, t.cols[i].Name, err)
				}
			}
			add(row)
		}
	default: // json
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 64<<20)
		for sc.Scan() {
			line++
			b := bytes.TrimSpace(sc.Bytes())
			if len(b) == 0 {
				continue
			}
			var obj map[string]any
			d := json.NewDecoder(bytes.NewReader(b))
			d.UseNumber()
			if err := d.Decode(&obj); err != nil {
				return fmt.Errorf("%s line %d: %w", t.path, line, err)
			}
			row := make([]any, len(t.cols))
			for i, c := range t.cols {
				v, ok := obj[c.Name]
				if !ok || v == nil {
					continue
				}
				if row[i], err = jsonValue(v, c); err != nil {
					return fmt.Errorf("%s line %d: column %s: %w", t.path, line, c.Name, err)
				}
			}
			add(row)
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("%s: %w", t.path, err)
		}
	}
	t.index, t.size, t.mod, t.checked = index, st.Size(), st.ModTime(), time.Now()
	return nil
}

func (t *FileTable) isHeader(rec []string) bool {
	if len(rec) != len(t.cols) {
		return false
	}
	for i, c := range t.cols {
		if !strings.EqualFold(strings.TrimSpace(rec[i]), c.Name) {
			return false
		}
	}
	return true
}

// parseField reads a CSV field; an empty one is NULL.
func parseField(s string, c Column) (any, error) {
	if s == "" {
		return nil, nil
	}
	switch c.Kind {
	case Decimal, Decimal128:
		return ParseDecimal([]byte(strings.TrimSpace(s)), c)
	case Int:
		return strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	case Float:
		return strconv.ParseFloat(strings.TrimSpace(s), 64)
	case Bool:
		return strconv.ParseBool(strings.TrimSpace(s))
	case Timestamp:
		return timestamp.Parse([]byte(strings.TrimSpace(s)))
	}
	return s, nil
}

func jsonValue(v any, c Column) (any, error) {
	k := c.Kind
	switch x := v.(type) {
	case json.Number:
		switch k {
		case Decimal, Decimal128: // the number's text: exact
			return ParseDecimal([]byte(x), c)
		case Int:
			return x.Int64()
		case Float:
			return x.Float64()
		case Timestamp:
			ms, err := x.Int64()
			return timestamp.FromMillis(ms), err
		}
	case string:
		switch k {
		case String:
			return x, nil
		case Decimal, Decimal128: // "12.50", as many producers write decimals
			return ParseDecimal([]byte(x), c)
		case Timestamp:
			return timestamp.Parse([]byte(x))
		}
	case bool:
		if k == Bool {
			return x, nil
		}
	}
	return nil, fmt.Errorf("%v is not a value of this column's type", v)
}

// keyString encodes key values, typed, so that equal keys are equal strings.
func keyString(key []any) string {
	var b strings.Builder
	for _, v := range key {
		switch x := v.(type) {
		case int64:
			b.WriteString("i" + strconv.FormatInt(x, 10))
		case decimal.Int128:
			b.WriteString("d" + strconv.FormatInt(x.Hi, 10) + ":" + strconv.FormatUint(x.Lo, 10))
		case float64:
			if x == 0 {
				x = 0 // -0 equals 0
			}
			b.WriteString("f" + strconv.FormatFloat(x, 'g', -1, 64))
		case string:
			b.WriteString("s" + strconv.Itoa(len(x)) + ":" + x)
		case bool:
			b.WriteString("b" + strconv.FormatBool(x))
		default:
			fmt.Fprintf(&b, "?%v", x)
		}
		b.WriteByte('|')
	}
	return b.String()
}
