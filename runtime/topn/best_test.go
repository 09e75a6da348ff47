package topn

import "testing"

// TestBest checks that Best is the row a deduplication ranks first, as
// soon as it is added (before any flush), and nil for a partition never seen.
func TestBest(t *testing.T) {
	s := New[int64, row, out](RowNumber, 1, true, false, byV)
	if b := s.Best(1); b != nil {
		t.Fatalf("empty state: %v", *b)
	}
	for _, r := range []row{{1, 5, 1}, {1, 3, 2}, {1, 9, 3}, {1, 9, 4}, {2, 1, 5}} {
		s.Add(r.K, r, 1)
	}
	if b := s.Best(1); b == nil || b.ID != 3 {
		t.Errorf("partition 1: %v, want the first row of V 9 (ID 3)", b)
	}
	s.Flush(func(int64, *Partition[row, out]) {})
	if b := s.Best(2); b == nil || b.ID != 5 {
		t.Errorf("partition 2 after a flush: %v, want ID 5", b)
	}
	if b := s.Best(3); b != nil {
		t.Errorf("partition 3: %v, want nil", *b)
	}
}
