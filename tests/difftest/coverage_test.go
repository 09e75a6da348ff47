package difftest

import (
	"flag"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/physical"
	"github.com/laminar-sql/laminar/compiler/plan"
)

// TestMultiViewCoverage counts, over the multi-view cases (at least the default count),
// how many reach each feature of the dataflow graph, so that a generator
// change that stops reaching one shows.
var features = []string{
	"aggregate over updating input", "cte", "distinct", "distinct over updating input",
	"having over updating input", "hop over an operator", "min/max over updating input",
	"subquery", "union", "union all", "updating result", "windowed emit changes",
	"windowed over an operator", "windowed over a union", "windowed over window_end", "windowed over window_start", "window without aggregates",
}

func TestMultiViewCoverage(t *testing.T) {
	n := max(*mcasesFlag, flagDefault(t, "mcases")) // as TestTopNCoverage
	counts := map[string]int{}
	for i := range n {
		seed := *mseedFlag + uint64(i)
		c := newMultiCase(i, seed)
		res, _ := compiler.Compile("case.sql", "p", c.query.Pipeline)
		if res == nil {
			continue
		}
		seen := map[string]bool{}
		// on several workers (the cases run at 1, 3 and the cores): views
		// reading views split, and aggregates by a key of their own (logged,
		// not required: the workers cases pick such pipelines, newWorkersCase)
		if part := physical.Partition(res.Physical); part.Partitioned() {
			for _, op := range res.Physical.Operators {
				if op.Source == nil && op.LateOf == nil {
					seen["views over views on workers"] = true
				}
			}
			if part.Exchanges() {
				seen["re-exchanged by a view's key"] = true
			}
		}
		for _, op := range res.Physical.Operators {
			if op.Union {
				seen["union all"] = true
			}
			if op.Window() != nil && (op.Agg == nil || len(op.Agg.Aggs) == 0) {
				seen["window without aggregates"] = true
			}
			if op.Agg == nil {
				continue
			}
			if op.Windowed() && op.Source == nil {
				seen["windowed over an operator"] = true
				w := op.Window()
				in := op.Inputs[0].Output
				for _, s := range op.Pre {
					if s.Kind == physical.StageWindow {
						break
					}
					in = s.Out
				}
				if name := in[w.TimeCol].Name; name == "window_start" || name == "window_end" {
					seen["windowed over "+name] = true
				}
				if op.Inputs[0].Union {
					seen["windowed over a union"] = true
				}
				if w.Kind == plan.Hop {
					seen["hop over an operator"] = true
				}
			}
			if op.Windowed() && op.Agg.Emit == plan.EmitOnChanges {
				seen["windowed emit changes"] = true
			}
			if op.InputUpdating {
				seen["aggregate over updating input"] = true
				for _, a := range op.Agg.Aggs {
					if a.Func == plan.Min || a.Func == plan.Max {
						seen["min/max over updating input"] = true
					}
				}
				for _, s := range op.Post {
					if s.Kind == physical.StageFilter {
						seen["having over updating input"] = true
					}
				}
				if len(op.Agg.Aggs) == 0 {
					seen["distinct over updating input"] = true
				}
			}
			if len(op.Agg.Aggs) == 0 {
				seen["distinct"] = true
			}
		}
		sql := c.query.Pipeline
		if strings.Contains(sql, " UNION SELECT") {
			seen["union"] = true
		}
		if strings.Contains(sql, "AS\n  WITH ") {
			seen["cte"] = true
		}
		if strings.Contains(sql, ") AS s") {
			seen["subquery"] = true
		}
		if c.query.Updating {
			seen["updating result"] = true
		}
		for k := range seen {
			counts[k]++
		}
	}
	var lines []string
	for k, v := range counts {
		lines = append(lines, fmt.Sprintf("%4d %s", v, k))
	}
	sort.Strings(lines)
	t.Logf("of %d multi-view cases:\n%s", n, strings.Join(lines, "\n"))
	if n < 100 {
		return
	}
	for _, f := range features {
		if counts[f] < n/20 {
			t.Errorf("only %d of %d multi-view cases have %s", counts[f], n, f)
		}
	}
}

// flagDefault is the default of the integer flag name, for the coverage
// checks, which generate (not run) at least that many cases.
func flagDefault(t *testing.T, name string) int {
	f := flag.Lookup(name)
	if f == nil {
		t.Fatalf("no flag -%s", name)
	}
	n, err := strconv.Atoi(f.DefValue)
	if err != nil {
		t.Fatalf("flag -%s: %v", name, err)
	}
	return n
}
