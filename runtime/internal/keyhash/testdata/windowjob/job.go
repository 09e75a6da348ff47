// Package windowjob stands for a generated job that keeps window groups: it
// instantiates window.Groups with a job's own key and state types and calls
// it as a job's fused loop does, without importing keyhash or join
// (TestMixInlinesIntoJobs builds it).
package windowjob

import "github.com/laminar-sql/laminar/runtime/window"

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
