package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler"
)

// distinctCases are random GROUP BYs with several COUNT(DISTINCT x), each
// with or without a FILTER, beside COUNT, SUM, MIN and MAX, computed with
// split distinct (SET 'distinct_split' or a view's WITH, a random number
// of buckets), over the source (append-only) or over an updating view
// (retractions reach the partial aggregates), against DuckDB at batch sizes
// 1, 7 and 1024 (runFuncCases).
func distinctCases(n int, seed uint64) []funcCase {
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	var out []funcCase
	for i := range n {
		updating := r.IntN(3) == 0
		filters := []string{"g > 0", "NOT b", "n > 300", "k < 'c'", "x IS NULL", "g % 3 = 1 OR b", "n % 2 = 0"}
		// the columns a case counts, groups by and aggregates, over src or v1
		distinctCols := []string{"k", "g", "x", "n % 7", "b", "ts"}
		keyCols := []string{"k", "b", "g % 3"}
		numCol, strCol := "n", "k"
		from, duckFrom := "src", "t"
		pre, duckPre := "", ""
		if updating {
			pre = "CREATE VIEW v1 AS SELECT k, g, b, COUNT(*) AS c, SUM(n) AS s, MAX(x) AS x FROM src GROUP BY k, g, b;\n"
			duckPre = "WITH v1 AS (SELECT k, g, b, COUNT(*) AS c, SUM(n)::BIGINT AS s, max(x) AS x FROM t GROUP BY k, g, b) "
			distinctCols = []string{"k", "g", "c", "s % 5", "b", "x"}
			numCol = "s"
			from, duckFrom = "v1", "v1"
			// DuckDB's n > 300 and n % 2 over v1 read s
			filters = []string{"g > 0", "NOT b", "c > 1", "k < 'c'", "x IS NULL", "g % 3 = 1 OR b", "s % 2 = 0"}
		}
		var keys []string
		for _, k := range keyCols {
			if r.IntN(2) == 0 {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 && r.IntN(3) != 0 {
			keys = []string{keyCols[r.IntN(len(keyCols))]}
		}
		var sel, duck []string
		var cols []Column
		for j, k := range keys {
			name := fmt.Sprintf("k%d", j)
			sel = append(sel, k+" AS "+name)
			duck = append(duck, k)
			kind := map[string]Kind{"k": KindString, "b": KindBool, "g % 3": KindInt}[k]
			cols = append(cols, Column{name, kind})
		}
		filter := func() (string, string) {
			if r.IntN(2) == 0 {
				return "", ""
			}
			f := " FILTER (WHERE " + filters[r.IntN(len(filters))] + ")"
			return f, f
		}
		// several COUNT(DISTINCT), some on the same column
		for j := range 2 + r.IntN(4) {
			c := distinctCols[r.IntN(len(distinctCols))]
			f, df := filter()
			sel = append(sel, fmt.Sprintf("COUNT(DISTINCT %s)%s AS d%d", c, f, j))
			duck = append(duck, fmt.Sprintf("count(DISTINCT %s)%s", c, df))
			cols = append(cols, Column{fmt.Sprintf("d%d", j), KindInt})
		}
		for j := range r.IntN(4) {
			f, df := filter()
			name := fmt.Sprintf("a%d", j)
			switch r.IntN(5) {
			case 0:
				sel, duck = append(sel, "COUNT(*)"+f+" AS "+name), append(duck, "count(*)"+df)
				cols = append(cols, Column{name, KindInt})
			case 1:
				sel, duck = append(sel, "COUNT(g)"+f+" AS "+name), append(duck, "count(g)"+df)
				cols = append(cols, Column{name, KindInt})
			case 2:
				sel, duck = append(sel, "SUM("+numCol+")"+f+" AS "+name), append(duck, "sum("+numCol+")"+df+"::BIGINT")
				cols = append(cols, Column{name, KindInt})
			case 3:
				sel, duck = append(sel, "MIN(g)"+f+" AS "+name), append(duck, "min(g)"+df)
				cols = append(cols, Column{name, KindInt})
			default:
				sel, duck = append(sel, "MAX("+strCol+")"+f+" AS "+name), append(duck, "max("+strCol+")"+df)
				cols = append(cols, Column{name, KindString})
			}
		}
		buckets := []int{2, 3, 16, 64}[r.IntN(4)]
		with := ""
		set := fmt.Sprintf("SET 'distinct_split' = '%d';\n", buckets)
		switch r.IntN(3) {
		case 0:
			with, set = fmt.Sprintf(" WITH (distinct_split = '%d')", buckets), ""
		case 1:
			set = fmt.Sprintf("SET 'table.optimizer.distinct-agg.split.enabled' = 'true';\nSET 'table.optimizer.distinct-agg.split.bucket-num' = '%d';\n", buckets)
		}
		group, duckGroup := "", ""
		if len(keys) > 0 {
			group = " GROUP BY " + strings.Join(keys, ", ")
			duckGroup = group
		}
		out = append(out, funcCase{
			name:     fmt.Sprintf("distinct%d", i),
			views:    set + pre + "CREATE VIEW v" + with + " AS SELECT " + strings.Join(sel, ", ") + " FROM " + from + group + ";\n",
			duck:     duckPre + "SELECT " + strings.Join(duck, ", ") + " FROM " + duckFrom + duckGroup,
			cols:     cols,
			updating: true,
		})
	}
	return out
}

// TestSplitDistinctAgainstDuckDB runs the random split-distinct cases; each
// must compile to a split plan (a final aggregate adding up partial ones).
func TestSplitDistinctAgainstDuckDB(t *testing.T) {
	n := 24
	if testing.Short() {
		n = 8
	}
	cases := distinctCases(n, 7)
	for _, fc := range cases {
		sql := funcSource + fc.views + "CREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n"
		res, _ := compiler.Compile("case.sql", "c", sql)
		if res == nil {
			continue // runFuncCases reports it
		}
		split := false
		for _, op := range res.Physical.Operators {
			if op.Agg != nil && strings.HasPrefix(op.Agg.Split, "split distinct: final") {
				split = true
			}
		}
		if !split {
			t.Errorf("%s: not split:\n%s", fc.name, fc.views)
		}
	}
	runFuncCases(t, "dist", cases)
}
