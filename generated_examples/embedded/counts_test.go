package main

import (
	"context"
	"testing"

	"example.com/tradeapp/counts"
	"github.com/laminar-sql/laminar/runtime/laminar"
)

// TestSelfReadSource: a source with a real connector is read by the
// embedded pipeline itself; the program only reads the view.
func TestSelfReadSource(t *testing.T) {
	var bad []int64
	p, err := counts.Open(context.Background(), counts.Options{
		BaseDir:     "testdata",
		OnMalformed: func(source string, line int64, record []byte, err error) { bad = append(bad, line) },
	})
	if err != nil {
		t.Fatal(err)
	}
	table := map[string]int64{}
	p.PageCounts.OnRow(func(r counts.PageCountsRow, op laminar.Op) {
		if op == laminar.Insert {
			table[r.Page] = r.Clicks
		} else if table[r.Page] == r.Clicks {
			delete(table, r.Page)
		}
	})
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if len(table) != 2 || table["/"] != 2 || table["/docs"] != 1 {
		t.Errorf("table %v", table)
	}
	if len(bad) != 1 || bad[0] != 3 || p.Stats().Malformed != 1 {
		t.Errorf("malformed lines %v, stats %+v", bad, p.Stats())
	}
}
