package difftest

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

var (
	oseedFlag  = flag.Uint64("oseed", 1, "seed of the first random OVER-of-DECIMAL case; case i uses oseed+i")
	ocasesFlag = flag.Int("ocases", 16, "number of random OVER-of-DECIMAL queries, each over 3 data sets (6 with -short)")
)

// TestOverDecimalAgainstDuckDB runs SUM, AVG, MIN, MAX and COUNT OVER a
// random DECIMAL expression (DECIMAL(p <= 18) in every other case,
// DECIMAL(p > 18) atoms in the others), ordered by event time over ROWS and
// RANGE frames, each over three data sets at batch sizes 1, 7 and 1024,
// against DuckDB: the sums exact (DECIMAL(38, s)), AVG a DOUBLE. And
// sums that pass 38 digits: Laminar sets the row aside as the grouped SUM
// does, and DuckDB's answer (TRY_CAST to DECIMAL(38,0)) leaves those rows
// out.
func TestOverDecimalAgainstDuckDB(t *testing.T) {
	n := *ocasesFlag
	if testing.Short() {
		n = min(n, 6)
	}
	var fcs []funcCase
	for i := range n {
		seed := *oseedFlag + uint64(i)
		fcs = append(fcs, genOverDecimalCase(rand.New(rand.NewPCG(seed, seed^0x0de)), fmt.Sprintf("over_seed%d", seed), i%2 == 1))
	}
	fcs = append(fcs, overDecimalOverflow)
	runFuncCases(t, "overdec", fcs)
}

func genOverDecimalCase(r *rand.Rand, name string, wide bool) funcCase {
	g := &decGen{queryGen: queryGen{r: r}, wide: wide}
	e := g.decExpr(1)
	part := ""
	if g.chance(0.7) {
		part = "PARTITION BY k "
	}
	var frame, frameD string
	orderD := "ts, rid" // ROWS frames: ties in arrival order
	switch g.pick(4) {
	case 0:
		frame = fmt.Sprintf(" ROWS BETWEEN %d PRECEDING AND CURRENT ROW", g.pick(6))
		frameD = frame
	case 1:
		frame = " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
		frameD = frame
	default:
		us := []int64{500_000, 1_000_000, 3_000_000, 10_000_000}[g.pick(4)]
		frame = fmt.Sprintf(" RANGE BETWEEN %s PRECEDING AND CURRENT ROW", intervalText(r, us))
		frameD = fmt.Sprintf(" RANGE BETWEEN %d PRECEDING AND CURRENT ROW", us)
		orderD = "ts" // peers share a result
	}
	aggs := []string{"SUM(d)", "AVG(d)", "MIN(d)", "MAX(d)", "COUNT(d)"}
	kinds := []Kind{KindDecimal, KindFloat, KindDecimal, KindDecimal, KindInt}
	var sel, selD []string
	cols := []Column{{"k", KindString}, {"n", KindInt}, {"ts", KindTimestamp}}
	for i, a := range aggs {
		if i > 0 && g.chance(0.3) {
			continue
		}
		name := fmt.Sprintf("o%d", i)
		sel = append(sel, fmt.Sprintf("%s OVER (%sORDER BY ts%s) AS %s", a, part, frame, name))
		duck := fmt.Sprintf("%s OVER (%sORDER BY %s%s)", a, part, orderD, frameD)
		if a == "COUNT(d)" {
			duck = "CAST(" + duck + " AS BIGINT)"
		}
		selD = append(selD, duck+" AS "+name)
		cols = append(cols, Column{name, kinds[i]})
	}
	return funcCase{
		name: name,
		views: fmt.Sprintf("CREATE VIEW d AS SELECT k, n, ts, %s AS d FROM src;\nCREATE VIEW v AS SELECT k, n, ts, %s FROM d;\n",
			e.lam, strings.Join(sel, ", ")),
		duck: fmt.Sprintf("WITH d AS (SELECT k, n, ts, %s AS d, rowid AS rid FROM t)\nSELECT k, n, ts, %s FROM d",
			e.duck, strings.Join(selD, ", ")),
		cols: cols,
	}
}

// overDecimalOverflow sums three DECIMAL(38,0) values of up to 5e37: a sum
// past 38 digits (about one row in ten) fails its row in Laminar (LDB-6005,
// dead letters), as a grouped SUM's does. DuckDB sums n * 5 (exact in a
// BIGINT; its window sums of DECIMAL(38,0) or HUGEINT fail the query on
// an overflow in any partial sum) and writes the 34 zeros after it through
// TRY_CAST to DECIMAL(38,0): NULL for a sum past 38 digits, whose row is
// left out.
var overDecimalOverflow = funcCase{
	name: "overflow",
	views: `CREATE VIEW d AS SELECT k, n, ts, CAST(CAST(n * 5 AS VARCHAR) || '0000000000000000000000000000000000' AS DECIMAL(38,0)) AS d FROM src;
CREATE VIEW v AS SELECT k, n, ts, SUM(d) OVER w AS s, AVG(d) OVER w AS a FROM d
WINDOW w AS (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW);
`,
	duck: `WITH d AS (SELECT k, n, ts, rowid AS rid FROM t),
o AS (SELECT k, n, ts, SUM(n * 5) OVER w AS sn, AVG(n * 5) OVER w AS an FROM d
  WINDOW w AS (PARTITION BY k ORDER BY ts, rid ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)),
s AS (SELECT k, n, ts, TRY_CAST(CAST(sn AS VARCHAR) || '0000000000000000000000000000000000' AS DECIMAL(38,0)) AS s, an * 1e34 AS a FROM o)
SELECT k, n, ts, s, a FROM s WHERE s IS NOT NULL`,
	cols: []Column{{"k", KindString}, {"n", KindInt}, {"ts", KindTimestamp}, {"s", KindDecimal}, {"a", KindFloat}},
}
