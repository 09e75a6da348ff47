package difftest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// CheckSorted checks that the rows of a JSON-lines output are in the order
// of keys (timestamps as RFC 3339 strings, numbers); it returns the first
// pair out of order, or "".
func CheckSorted(out []byte, keys []SortKey) string {
	var prev map[string]any
	for i, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var row map[string]any
		d := json.NewDecoder(bytes.NewReader(line))
		d.UseNumber()
		if err := d.Decode(&row); err != nil {
			return fmt.Sprintf("line %d: %v", i+1, err)
		}
		if prev != nil {
			if c := compareRows(prev, row, keys); c > 0 {
				return fmt.Sprintf("line %d %s comes after %v", i+1, line, prev)
			}
		}
		prev = row
	}
	return ""
}

func compareRows(a, b map[string]any, keys []SortKey) int {
	for _, k := range keys {
		c := compareValues(a[k.Col], b[k.Col])
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func compareValues(a, b any) int {
	if sa, ok := a.(string); ok {
		sb, _ := b.(string)
		ta, ea := time.Parse(time.RFC3339Nano, sa)
		tb, eb := time.Parse(time.RFC3339Nano, sb)
		if ea == nil && eb == nil {
			return ta.Compare(tb)
		}
		switch {
		case sa < sb:
			return -1
		case sa > sb:
			return 1
		}
		return 0
	}
	na, _ := a.(json.Number)
	nb, _ := b.(json.Number)
	fa, _ := na.Float64()
	fb, _ := nb.Float64()
	switch {
	case fa < fb:
		return -1
	case fa > fb:
		return 1
	}
	return 0
}

// compareWindowOrder checks an append-only windowed output against want,
// DuckDB's rows in a total ORDER BY: the rows of each window (by the
// column window_start), in the order written, must be want's rows of that
// window in want's order (doubles within the tolerance of rowsClose). It
// returns the first difference, or "".
func compareWindowOrder(out []byte, cols []Column, want []ResultRow) string {
	ws := -1
	for i, c := range cols {
		if c.Name == "window_start" {
			ws = i
		}
	}
	if ws < 0 {
		return "the view has no window_start column"
	}
	group := func(rows []ResultRow) (map[any][]ResultRow, []any) {
		m := map[any][]ResultRow{}
		var order []any
		for _, r := range rows {
			if _, ok := m[r[ws]]; !ok {
				order = append(order, r[ws])
			}
			m[r[ws]] = append(m[r[ws]], r)
		}
		return m, order
	}
	var got []ResultRow
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		row, _, err := parseLine(sc.Bytes(), cols)
		if err != nil {
			return fmt.Sprintf("output line %d: %v", line, err)
		}
		got = append(got, row)
	}
	gotBy, windows := group(got)
	wantBy, _ := group(want)
	for _, w := range windows {
		g, d := gotBy[w], wantBy[w]
		for i := range max(len(g), len(d)) {
			switch {
			case i >= len(d):
				return fmt.Sprintf("window %v: row %d %s is not in DuckDB's window (%d rows)", w, i+1, FormatRow(g[i], cols), len(d))
			case i >= len(g):
				return fmt.Sprintf("window %v: Laminar wrote %d rows, DuckDB has %d; row %d is %s", w, len(g), len(d), i+1, FormatRow(d[i], cols))
			case !rowsClose(g[i], d[i]):
				return fmt.Sprintf("window %v: row %d is %s, DuckDB's is %s", w, i+1, FormatRow(g[i], cols), FormatRow(d[i], cols))
			}
		}
	}
	return ""
}
