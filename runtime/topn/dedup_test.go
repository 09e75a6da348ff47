package topn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestDedupAgainstState runs random append-only rows through a Dedup and a
// State ranking ROW_NUMBER <= 1, flushing at random points, with an output
// that drops some rows (a filter after the ranking): both emit the same
// changes in the same order, and a Dedup restored from a checkpoint of its
// partitions goes on as the original does.
func TestDedupAgainstState(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 1))
		d := NewDedup[int64, row, out](byV, projectRow)
		s := New[int64, row, out](RowNumber, 1, true, false, byV)
		var gotD, gotS []string
		record := func(dst *[]string) func(o *out, op byte) {
			return func(o *out, op byte) { *dst = append(*dst, fmt.Sprintf("%c%d", op, o.ID)) }
		}
		flush := func() {
			d.Flush(record(&gotD))
			s.Flush(func(_ int64, p *Partition[row, out]) {
				var o []out
				s.Top(p, func(rw *row, _ int64) { o = projectRow(rw, o) })
				s.Emit(p, o, record(&gotS))
			})
		}
		for i := range 2000 {
			rw := row{K: r.Int64N(30), V: r.Int64N(40), ID: int64(i)}
			d.Add(rw.K, rw)
			s.Add(rw.K, rw, 1)
			if r.IntN(10) == 0 {
				flush()
			}
			if i == 1000 {
				// a checkpoint after a flush, restored into a new state
				flush()
				c := NewDedup[int64, row, out](byV, projectRow)
				d.Each(func(k int64, p *DedupPart[row, out]) {
					c.Restore(k, append([]row(nil), p.Rows()...), append([]out(nil), d.Emitted(p)...))
				})
				if c.Len() != d.Len() {
					t.Fatalf("restored %d partitions, want %d", c.Len(), d.Len())
				}
				d = c
			}
		}
		flush()
		if len(gotD) != len(gotS) {
			t.Fatalf("seed %d: %d changes, want %d", seed, len(gotD), len(gotS))
		}
		for i := range gotD {
			if gotD[i] != gotS[i] {
				t.Fatalf("seed %d: change %d is %q, want %q", seed, i, gotD[i], gotS[i])
			}
		}
		if len(gotD) < 100 {
			t.Fatalf("seed %d: only %d changes", seed, len(gotD))
		}
	}
}

// projectRow is the output of a partition's row in the Dedup tests: a
// filter after the ranking drops some.
func projectRow(rw *row, o []out) []out {
	if rw.V%5 == 0 {
		return o // filtered out
	}
	return append(o, out{rw.ID, 1})
}

// TestDedupRestoreEmitted: a partition restored with an output row that is
// not its row's projection (a checkpoint of a partition changed since the
// last flush) retracts that row at the next flush and inserts its own; one
// restored with its own emits nothing, and a checkpoint saves each
// partition's output row, the one it left while it is changed.
func TestDedupRestoreEmitted(t *testing.T) {
	s := NewDedup[int64, row, out](byV, projectRow)
	s.Restore(1, []row{{K: 1, V: 3, ID: 7}}, []out{{6, 1}})
	s.Restore(2, []row{{K: 2, V: 3, ID: 8}}, []out{{8, 1}})
	s.Restore(3, []row{{K: 3, V: 5, ID: 9}}, nil) // filtered out
	var got []string
	emit := func(o *out, op byte) { got = append(got, fmt.Sprintf("%c%d", op, o.ID)) }
	s.Flush(emit)
	if fmt.Sprint(got) != "[-6 +7]" {
		t.Fatalf("first flush after the restore: %v, want [-6 +7]", got)
	}
	em := map[int64]string{}
	s.Each(func(k int64, p *DedupPart[row, out]) { em[k] = fmt.Sprint(s.Emitted(p)) })
	if fmt.Sprint(em) != "map[1:[{7 1}] 2:[{8 1}] 3:[]]" {
		t.Fatalf("emitted after the flush: %v", em)
	}
	got = got[:0]
	s.Add(1, row{K: 1, V: 9, ID: 10})
	s.Add(3, row{K: 3, V: 9, ID: 11})
	s.Add(1, row{K: 1, V: 11, ID: 12})
	s.Each(func(k int64, p *DedupPart[row, out]) { em[k] = fmt.Sprint(s.Emitted(p)) })
	if fmt.Sprint(em) != "map[1:[{7 1}] 2:[{8 1}] 3:[]]" {
		t.Fatalf("emitted before the flush: %v", em)
	}
	s.Flush(emit)
	if fmt.Sprint(got) != "[-7 +12 +11]" {
		t.Fatalf("flush: %v, want [-7 +12 +11]", got)
	}
}

// TestDedupBest: Best is the row a Dedup keeps, from its Add on, and nil
// for a partition never seen, as State's Best.
func TestDedupBest(t *testing.T) {
	s := NewDedup[int64, row, out](byV, projectRow)
	if b := s.Best(1); b != nil {
		t.Fatalf("empty state: %v", *b)
	}
	for _, r := range []row{{1, 5, 1}, {1, 3, 2}, {1, 9, 3}, {1, 9, 4}, {2, 1, 5}} {
		s.Add(r.K, r)
	}
	if b := s.Best(1); b == nil || b.ID != 3 {
		t.Errorf("partition 1: %v, want the first row of V 9 (ID 3)", b)
	}
	s.Flush(func(*out, byte) {})
	if b := s.Best(2); b == nil || b.ID != 5 {
		t.Errorf("partition 2 after a flush: %v, want ID 5", b)
	}
	if b := s.Best(3); b != nil {
		t.Errorf("partition 3: %v, want nil", *b)
	}
}

// TestDedupBestThenPrune: a partition Best found and Prune then dropped is
// gone for the Add that follows (Add reuses the partition Best found last).
func TestDedupBestThenPrune(t *testing.T) {
	s := NewDedup[int64, row, out](byV, projectRow)
	s.Add(1, row{K: 1, V: 5, ID: 1})
	s.Flush(func(*out, byte) {})
	if b := s.Best(1); b == nil || b.ID != 1 {
		t.Fatalf("partition 1: %v, want ID 1", b)
	}
	s.Prune(func(k int64) bool { return k != 1 })
	s.Add(1, row{K: 1, V: 1, ID: 2})
	if b := s.Best(1); s.Len() != 1 || b == nil || b.ID != 2 || s.Changed() != 1 {
		t.Fatalf("after the prune: %d partitions, best %v, %d changed; want 1, ID 2, 1", s.Len(), b, s.Changed())
	}
}

// TestDedupLink: a partition Link makes holds the join row's id and no row
// (Best finds none, a checkpoint saves none) until its first row; Unlink
// drops a partition at once, or, changed since the last flush, once the
// flush has emitted its row; a partition linked again is not dropped.
func TestDedupLink(t *testing.T) {
	d := NewDedup[int64, row, out](byV, projectRow)
	var got []string
	flush := func() {
		d.Flush(func(o *out, op byte) { got = append(got, fmt.Sprintf("%c%d", op, o.ID)) })
	}
	d.Link(1, 7)
	if b, ref := d.BestRef(1); b != nil || ref != 7 || d.Best(1) != nil || d.Changed() != 0 {
		t.Fatalf("a linked partition: best %v, ref %d, changed %d", b, ref, d.Changed())
	}
	d.Each(func(k int64, p *DedupPart[row, out]) {
		if len(p.Rows()) != 0 || len(d.Emitted(p)) != 0 {
			t.Fatalf("partition %d without a row saves %v", k, p.Rows())
		}
	})
	d.Add(1, row{K: 1, V: 6, ID: 1})
	if b, ref := d.BestRef(1); b == nil || b.ID != 1 || ref != 7 {
		t.Fatalf("after its first row: best %v, ref %d", b, ref)
	}
	flush()
	d.Add(1, row{K: 1, V: 8, ID: 2}) // ranks first (byV: V DESC)
	d.Unlink(1)                      // changed since the flush: it goes once flushed
	if d.Len() != 1 || d.Best(1) == nil {
		t.Fatalf("a changed partition went before its flush")
	}
	flush()
	if d.Len() != 0 || d.Best(1) != nil || fmt.Sprint(got) != "[+1 -1 +2]" {
		t.Fatalf("after the flush: %d partitions, emitted %v", d.Len(), got)
	}
	// unlinked clean, it goes at once; unlinked then linked again, it stays
	d.Link(2, 8)
	d.Add(2, row{K: 2, V: 1, ID: 3})
	flush()
	d.Unlink(2)
	if d.Len() != 0 {
		t.Fatalf("a clean partition stayed after Unlink")
	}
	d.Link(3, 9)
	d.Add(3, row{K: 3, V: 1, ID: 4})
	d.Unlink(3)
	d.Link(3, 10)
	flush()
	if b, ref := d.BestRef(3); b == nil || ref != 10 {
		t.Fatalf("a partition linked again: best %v, ref %d", b, ref)
	}
	d.Unlink(4) // none: nothing happens
}
