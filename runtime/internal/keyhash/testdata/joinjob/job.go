// Package joinjob stands for a generated job with a keyed join: it
// instantiates join.Side with a job's own key and row types and probes it
// as a job's fused loop does, without importing keyhash or window
// (TestMixInlinesIntoJobs builds it).
package joinjob

import "github.com/laminar-sql/laminar/runtime/join"

type row struct{ n, sum int64 }

type key2 struct{ a, b int64 }

// Probe counts the rows of key (a, b) on a join's side.
func Probe(s *join.Side[key2, row], a, b int64) (n int) {
	for e := s.First(key2{a, b}); e != nil; e = s.Next(e) {
		n++
	}
	return n
}
