package difftest

import (
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
