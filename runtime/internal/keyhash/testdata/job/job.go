// Package job stands for a generated job: it instantiates window.Groups
// and a keyed join.Side with a job's own key and state types and calls
// them as a job's fused loop does, without importing keyhash
// (TestMixInlinesIntoJobs builds it).
package job

import (
	"github.com/laminar-sql/laminar/runtime/join"
	"github.com/laminar-sql/laminar/runtime/window"
)

type state struct{ n, sum int64 }

type key2 struct{ a, b int64 }

// Count adds one row of key k.
func Count(g *window.Groups[int64, state], k, v int64) {
	i, _ := g.Find(k)
	s := g.State(i)
	s.n++
	s.sum += v
}

// Count2 adds one row of a key of two words.
func Count2(g *window.Groups[key2, state], a, b, v int64) {
	i, _ := g.Find(key2{a, b})
	s := g.State(i)
	s.n++
	s.sum += v
}

// Probe counts the rows of key (a, b) on a join's side.
func Probe(s *join.Side[key2, state], a, b int64) (n int) {
	for e := s.First(key2{a, b}); e != nil; e = s.Next(e) {
		n++
	}
	return n
}
