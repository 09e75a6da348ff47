package difftest

import (
	"strings"
	"testing"
)

// TestJoinCoverage checks that the join cases of a default run contain every
// shape the generator is meant to produce, so that a drifting generator does
// not quietly stop testing one.
func TestJoinCoverage(t *testing.T) {
	shapes := map[string]func(q Query) bool{
		"INNER": func(q Query) bool {
			return strings.Contains(q.Pipeline, "\nJOIN ") || strings.Contains(q.Pipeline, "INNER JOIN")
		},
		"LEFT":       func(q Query) bool { return strings.Contains(q.Pipeline, "LEFT ") },
		"RIGHT":      func(q Query) bool { return strings.Contains(q.Pipeline, "RIGHT ") },
		"FULL":       func(q Query) bool { return strings.Contains(q.Pipeline, "FULL ") },
		"comma join": func(q Query) bool { return strings.Contains(q.Pipeline, ", sr AS r") },
		"interval":   interval,
		"outer interval": func(q Query) bool {
			return interval(q) && (strings.Contains(q.Pipeline, "LEFT") || strings.Contains(q.Pipeline, "RIGHT") || strings.Contains(q.Pipeline, "FULL"))
		},
		"updating input": func(q Query) bool { return strings.Contains(q.Pipeline, "agg AS") },
		"HAVING input":   func(q Query) bool { return strings.Contains(q.Pipeline, "HAVING COUNT(*)") },
		"three-way":      func(q Query) bool { return strings.Contains(q.Pipeline, "CREATE SOURCE sm") },
		"subquery input": func(q Query) bool { return strings.Contains(q.Pipeline, "(SELECT k, g, x, n, b, ts FROM") },
		"aggregate": func(q Query) bool {
			_, v, _ := strings.Cut(q.Pipeline, "VIEW v AS")
			return strings.Contains(v, "GROUP BY") && !strings.Contains(v, "TUMBLE")
		},
		"window over join": func(q Query) bool { return strings.Contains(q.Pipeline, "TUMBLE(j, ts") },
		"expression key": func(q Query) bool {
			return strings.Contains(q.Pipeline, "LOWER(l.k)") || strings.Contains(q.Pipeline, "(l.g + 1)")
		},
		"residual": func(q Query) bool {
			return strings.Contains(q.Pipeline, "(l.n") || strings.Contains(q.Pipeline, "(l.x")
		},
	}
	counts := map[string]int{}
	for i := range 300 {
		c := newJoinCase(i, 1+uint64(i))
		for name, has := range shapes {
			if has(c.query) {
				counts[name]++
			}
		}
	}
	for name := range shapes {
		if counts[name] < 3 {
			t.Errorf("only %d of 300 join cases have shape %q", counts[name], name)
		}
	}
	t.Logf("join shapes in 300 cases: %v", counts)
}

func interval(q Query) bool {
	return strings.Contains(q.Pipeline, ".ts BETWEEN") || strings.Contains(q.Pipeline, ".ts >=")
}
