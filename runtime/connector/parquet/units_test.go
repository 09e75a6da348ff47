package parquet

import (
	"testing"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// unitRows appends the rows of batch b (the columns readAll reads).
func unitRows(rows []testRow, b *connector.LineBatch) []testRow {
	bt := b.Typed.(*Batch)
	for r := range bt.Len {
		row := testRow{ID: bt.Columns[0].Int64[r], TS: bt.Columns[3].Int64[r], File: bt.File}
		if v := bt.Columns[1].NullString[r]; v.Valid {
			row.K = &v.V
		}
		if v := bt.Columns[2].NullFloat64[r]; v.Valid {
			row.X = &v.V
		}
		n := bt.Columns[4].Int64[r]
		row.N = &n
		rows = append(rows, row)
	}
	return rows
}

// readUnits reads s in rounds of n units from at, unit w of a round by
// reader w, as the workers do (runtime/job/units.go), until the end or
// maxRounds rounds; it returns the rows in unit order and the position
// after the last round.
func readUnits(t *testing.T, s *Source, at connector.Position, n, batch, maxRounds int) ([]testRow, connector.Position) {
	t.Helper()
	var readers []connector.UnitReader
	for range n {
		r, err := s.UnitReader()
		if err != nil {
			t.Fatal(err)
		}
		readers = append(readers, r)
	}
	defer func() {
		for _, r := range readers {
			r.Close()
		}
	}()
	var rows []testRow
	for round := 0; maxRounds < 0 || round < maxRounds; round++ {
		starts, after, err := s.Units(at, n)
		if err != nil {
			t.Fatal(err)
		}
		if len(starts) == 0 {
			break
		}
		for w, st := range starts {
			var b connector.LineBatch
			if err := readers[w].ReadUnit(st, batch, &b, func(b *connector.LineBatch) {
				if b.TypedLen > batch {
					t.Fatalf("a batch of %d rows, more than %d", b.TypedLen, batch)
				}
				rows = unitRows(rows, b)
			}); err != nil {
				t.Fatal(err)
			}
		}
		at = after
	}
	return rows, at
}

// TestUnitsReadFiles: the row groups of a directory's files, read in rounds
// of 1, 2 and 3 units by as many readers, are every row in order; a round's
// position restores a reader of the whole input (one engine) at the next
// row, and one engine's position mid-group restores the units.
func TestUnitsReadFiles(t *testing.T) {
	dir, want := threeFiles(t)
	for _, n := range []int{1, 2, 3} {
		for _, bs := range []int{1, 7, 1024} {
			got, _ := readUnits(t, open(t, map[string]string{"path": dir}, connector.Position{}), connector.Position{}, n, bs, -1)
			if g, w := rowsText(got), rowsText(want); g != w {
				t.Fatalf("%d units a round, batch size %d: got\n%s\nwant\n%s", n, bs, g, w)
			}
			// two rounds, then one engine from there
			head, at := readUnits(t, open(t, map[string]string{"path": dir}, connector.Position{}), connector.Position{}, n, bs, 2)
			rest, _, _, _, _ := readAll(t, open(t, map[string]string{"path": dir}, at), bs, -1)
			if g, w := rowsText(append(head, rest...)), rowsText(want); g != w {
				t.Fatalf("%d units a round, batch size %d, one engine after 2 rounds (at %v): got\n%s\nwant\n%s", n, bs, at.Offsets, g, w)
			}
		}
		// one engine's first 3 batches of 7 (mid-group), then units from there
		head, _, _, at, _ := readAll(t, open(t, map[string]string{"path": dir}, connector.Position{}), 7, 3)
		rest, _ := readUnits(t, open(t, map[string]string{"path": dir}, at), at, n, 7, -1)
		if g, w := rowsText(append(head, rest...)), rowsText(want); g != w {
			t.Fatalf("%d units a round after one engine's 3 batches (at %v): got\n%s\nwant\n%s", n, at.Offsets, g, w)
		}
	}
}
