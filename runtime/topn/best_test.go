package topn

// Best is the row ranked first in partition k of a State, or nil: the
// reference a Dedup's Best is checked against (no generated code asks a
// State: a join's deduplication side is read by a Dedup).
func (s *State[K, R, O]) Best(k K) *R {
	if p := s.Parts[k]; p != nil && len(p.Rows) > 0 {
		return &p.Rows[0]
	}
	return nil
}
