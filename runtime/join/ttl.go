package join

import "math"

// State retention (state_ttl) of a regular join, by event time. A row is
// stamped, in its entry's TS, with its input's watermark when it arrived
// (math.MinInt64 before that input has one). A left row and a right row
// join only when their stamps are at most the TTL apart, and a retraction
// retracts only the joined rows whose partner is still within the TTL of
// it; an entry goes once both inputs' watermarks are past its stamp plus
// the TTL, when no row can meet it any more. So what joins does not depend
// on how the two inputs interleave, or on when rows are dropped. Expiry is
// silent: the joined rows an entry took part in stay in the output, and its
// partners keep counting it among their matches (an outer join's
// NULL-padded row does not come back), as with Flink's state TTL. Only
// joins with a TTL call these; the others pay nothing.

// Put keeps e under key k as Add does, and records its stamp for Expire
// (an equal row's entry, with merge, keeps its own stamp). A row stamped
// before its input had a watermark never expires (few rows: those before
// their input's first watermark).
func (s *Side[K, R]) Put(k K, e Entry[R], merge bool) {
	s.Add(k, e, merge, e.TS != math.MinInt64)
}

// Find returns the entry of key k holding row r, or nil (none, or it
// expired): a retraction of a row whose entry expired retracts nothing.
func (s *Side[K, R]) Find(k K, r *R) *Entry[R] {
	for e := s.First(k); e != nil; e = s.Next(e) {
		if e.Row == *r {
			return e
		}
	}
	return nil
}

// Expire drops every entry stamped before t and returns how many went
// (each entry, whatever its weight, counts once).
func (s *Side[K, R]) Expire(t int64) int64 {
	n := s.rows
	s.Evict(t, nil)
	return int64(n - s.rows)
}

// Span is the range of stamps a row meets: from its arrival (now) less the
// TTL to its own stamp (base: now for a new row, its entry's stamp for a
// retraction) plus the TTL. A stamp of math.MinInt64 (no watermark yet)
// leaves that end open.
func Span(now, base, ttl int64) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if now != math.MinInt64 && now != math.MaxInt64 && now > math.MinInt64+ttl {
		lo = now - ttl
	}
	if base != math.MinInt64 && base != math.MaxInt64 && base < math.MaxInt64-ttl {
		hi = base + ttl
	}
	return lo, hi
}

// Within tells whether an entry's stamp ts lies in [lo, hi]; a row stamped
// before its input had a watermark meets every row.
func Within(ts, lo, hi int64) bool {
	return ts == math.MinInt64 || (ts >= lo && ts <= hi)
}
