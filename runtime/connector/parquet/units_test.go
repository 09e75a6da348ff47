package parquet

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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

// TestUnitsDamagedFiles: damaged copies of a file (bytes changed, deleted
// or inserted, some truncated) read by row groups in rounds of 2 units, as
// two workers read them, give the rows one reader gives before the same
// error, or all of them: the job's rows, dead letters and failure do not
// depend on the number of workers.
func TestUnitsDamagedFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.parquet")
	writeTestFile(t, good, 0, 40, 10, func(i int) bool { return i == 7 })
	data, _ := os.ReadFile(good)
	r := rand.New(rand.NewPCG(9, 10))
	same, opened, partly, failed := 0, 0, 0, 0
	for i := range 600 {
		file := slices.Clone(data)
		for range 1 + r.IntN(3) {
			switch at := r.IntN(len(file)); r.IntN(3) {
			case 0:
				file[at] ^= byte(1 << r.IntN(8))
			case 1:
				file = slices.Delete(file, at, at+1)
			case 2:
				file = slices.Insert(file, at, byte(r.IntN(256)))
			}
		}
		if r.IntN(5) == 0 {
			file = file[:r.IntN(len(file))]
		}
		p := filepath.Join(dir, "f.parquet")
		os.WriteFile(p, file, 0o644)
		opts := map[string]string{"path": p, SourceColumnsOption: testColumns}
		done := make(chan bool)
		var one, two string
		go func() {
			defer close(done)
			one, two = damagedRead(opts, false), damagedRead(opts, true)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("damaged file %d: still reading after 10 s", i)
		}
		if one != two {
			t.Fatalf("damaged file %d (%d bytes): one reader:\n%s\nrow groups on two workers:\n%s", i, len(file), one, two)
		}
		same++
		switch {
		case strings.HasPrefix(one, "open: "):
			opened++
		case strings.Contains(one, "error: ") && strings.HasPrefix(one, "row "):
			partly++
		case strings.Contains(one, "error: "):
			failed++
		}
	}
	t.Logf("%d damaged files read alike: %d refused at open, %d failed after rows, %d failed before any row", same, opened, partly, failed)
	if partly == 0 {
		t.Error("no damaged file failed after some rows: the comparison went untested")
	}
}

// damagedRead reads a source to its end or its error, by one reader
// (Next, batches of 7) or by row groups in rounds of 2 units; it returns
// the rows, the dead letters and the error as text.
func damagedRead(opts map[string]string, units bool) string {
	var out strings.Builder
	s, err := openSource(connector.Env{Logf: func(string, ...any) {}}, opts, connector.Position{})
	if err != nil {
		return "open: " + err.Error()
	}
	src := s.(*Source)
	defer src.Close()
	seen := func(b *connector.LineBatch) {
		if bt, ok := b.Typed.(*Batch); ok && b.TypedLen > 0 {
			for r := range bt.Len {
				fmt.Fprintf(&out, "row %d\n", bt.Columns[0].Int64[r])
			}
		}
		for _, rej := range b.Rejected {
			fmt.Fprintf(&out, "dead %d %d %v\n", rej.Line, rej.Offset, rej.Err)
		}
	}
	if !units {
		var b connector.LineBatch
		for range 1000 {
			more, err := src.Next(&b, 7)
			if err != nil {
				return out.String() + "error: " + err.Error()
			}
			seen(&b)
			if !more {
				return out.String()
			}
		}
		return out.String() + "too long"
	}
	var readers []connector.UnitReader
	for range 2 {
		rd, _ := src.UnitReader()
		defer rd.Close()
		readers = append(readers, rd)
	}
	var at connector.Position
	for range 1000 {
		starts, after, err := src.Units(at, 2)
		if err != nil {
			return out.String() + "error: " + err.Error()
		}
		if len(starts) == 0 {
			return out.String()
		}
		for w, st := range starts {
			var b connector.LineBatch
			if err := readers[w].ReadUnit(st, 7, &b, seen); err != nil {
				return out.String() + "error: " + err.Error()
			}
		}
		at = after
	}
	return out.String() + "too long"
}

// TestRereadUnit: a unit read again (RereadUnit, a late row's record on a
// worker) gives the rows ReadUnit gave, in the same batches, and is not
// counted among the row groups read; its batches may be kept (a nil Typed
// makes the next batch a new one).
func TestRereadUnit(t *testing.T) {
	dir, _ := threeFiles(t)
	s := open(t, map[string]string{"path": dir}, connector.Position{})
	starts, _, err := s.Units(connector.Position{}, 3)
	if err != nil || len(starts) < 2 {
		t.Fatalf("units %v: %v", starts, err)
	}
	rd, err := s.UnitReader()
	if err != nil {
		t.Fatal(err)
	}
	u := rd.(*unitReader)
	for _, st := range starts {
		var first []testRow
		var sizes []int
		var b connector.LineBatch
		if err := rd.ReadUnit(st, 7, &b, func(b *connector.LineBatch) {
			first, sizes = unitRows(first, b), append(sizes, b.TypedLen)
		}); err != nil {
			t.Fatal(err)
		}
		read := u.s.groupsRead
		var kept []*Batch
		var again []testRow
		var sizesAgain []int
		var b2 connector.LineBatch
		if err := rd.(connector.UnitRereader).RereadUnit(st, 7, &b2, func(b *connector.LineBatch) {
			kept, sizesAgain = append(kept, b.Typed.(*Batch)), append(sizesAgain, b.TypedLen)
			b.Typed = nil
		}); err != nil {
			t.Fatal(err)
		}
		for _, bt := range kept {
			again = unitRows(again, &connector.LineBatch{Typed: bt})
		}
		if g, w := rowsText(again), rowsText(first); g != w || !slices.Equal(sizes, sizesAgain) {
			t.Fatalf("unit %v read again (batches %v, first %v): got\n%s\nwant\n%s", st.Offsets, sizesAgain, sizes, g, w)
		}
		if u.s.groupsRead != read {
			t.Errorf("unit %v read again counted: %d row groups read, want %d", st.Offsets, u.s.groupsRead, read)
		}
	}
	rd.Close()
}
