package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// GenJoinDedupQuery generates a deduplication (ROW_NUMBER() … <= 1, now and
// then a top 2 or 3) over an inner join of two sources, interval or regular,
// as Nexmark q9 ranks the bids of each auction: partitioned by a join key (of
// either side) or by a column of the ranked side, ordered by the ranked
// side's columns. That is the shape whose ranked side keeps only its
// unmatched rows (compiler/physical's dedupSides). The order is total over
// the ranked side's rows and the output only has its columns and the
// partition column, so ties (the same row joined with several rows of the
// other side, arriving in an order that depends on the batches) give equal
// rows and the net result does not depend on arrival order.
func GenJoinDedupQuery(r *rand.Rand, srcs []JoinSource) Query {
	g := &joinGen{queryGen: queryGen{r: r}}
	left, right := g.sourceSide("sl", "l"), g.sourceSide("sr", "r")
	interval := g.chance(0.7)
	colEnd := interval && g.chance(0.4)
	if colEnd {
		left, right = g.withEnd(left), g.withEnd(right)
	}
	// ranked is the side the deduplication orders by; other the other
	ranked, other := right, left
	if g.chance(0.35) {
		ranked, other = left, right
	}
	// the key: a column of each side, or now and then expressions of them
	kc := []string{"k", "g"}[g.pick(2)]
	key := same(fmt.Sprintf("%s.%s = %s.%s", left.alias, kc, right.alias, kc), KindBool)
	if g.chance(0.2) {
		key, _ = g.joinKey(left, right)
	}
	conds := []expr{key}
	if interval {
		if g.chance(0.5) {
			conds = append(conds, g.intervalBound(left, right, colEnd))
		} else {
			conds = append(conds, g.intervalBound(right, left, colEnd))
		}
	}
	if g.chance(0.3) {
		conds = append(conds, g.residual(left, right))
	}
	var lc, dc []string
	for _, c := range conds {
		lc, dc = append(lc, c.lam), append(dc, c.duck)
	}
	var lamFrom, duckFrom, lamWhere, duckWhere string
	if g.chance(0.25) {
		lamFrom, duckFrom = left.lamFrom+", "+right.lamFrom, left.duckFrom+", "+right.duckFrom
		lamWhere, duckWhere = "\n  WHERE "+strings.Join(lc, " AND "), "\n  WHERE "+strings.Join(dc, " AND ")
	} else {
		kind := []string{"JOIN", "INNER JOIN"}[g.pick(2)]
		lamFrom = fmt.Sprintf("%s\n  %s %s ON %s", left.lamFrom, kind, right.lamFrom, strings.Join(lc, " AND "))
		duckFrom = fmt.Sprintf("%s\n  %s %s ON %s", left.duckFrom, kind, right.duckFrom, strings.Join(dc, " AND "))
	}
	// the partition: the other side's key column (equal to the ranked
	// side's), the ranked side's key column, or another of its columns
	var part expr
	switch p := g.pick(10); {
	case p < 5:
		part, _ = other.col(kc)
	case p < 8:
		part, _ = ranked.col(kc)
	default:
		part, _ = ranked.col([]string{"b", "g", "k"}[g.pick(3)])
	}
	// the order: every column of the ranked side, shuffled, each way
	cols := append([]Column{}, ranked.cols...)
	r.Shuffle(len(cols), func(i, j int) { cols[i], cols[j] = cols[j], cols[i] })
	var ol, od []string
	for _, c := range cols {
		e, _ := ranked.col(c.Name)
		if g.chance(0.5) {
			ol, od = append(ol, e.lam+" DESC"), append(od, e.duck+" DESC NULLS LAST")
		} else {
			ol, od = append(ol, e.lam), append(od, e.duck+" NULLS LAST")
		}
	}
	var q Query
	var sl, sd, outer []string
	add := func(e expr) {
		name := fmt.Sprintf("c%d", len(q.Columns))
		sl, sd = append(sl, e.lam+" AS "+name), append(sd, e.duck+" AS "+name)
		outer = append(outer, name)
		q.Columns = append(q.Columns, Column{name, e.kind})
	}
	add(part)
	for _, c := range ranked.cols {
		if g.chance(0.7) {
			e, _ := ranked.col(c.Name)
			add(e)
		}
	}
	n := 1
	if g.chance(0.2) {
		n = 2 + g.pick(2)
	}
	filter := []string{fmt.Sprintf("rn <= %d", n), fmt.Sprintf("rn < %d", n+1)}[g.pick(2)]
	if n == 1 && g.chance(0.3) {
		filter = "rn = 1"
	}
	q.Updating = true
	body := func(sel []string, part, from, where, order string) string {
		return fmt.Sprintf("SELECT %s FROM (\n  SELECT %s, ROW_NUMBER() OVER (PARTITION BY %s ORDER BY %s) AS rn\n  FROM %s%s\n) AS d WHERE %s",
			strings.Join(outer, ", "), strings.Join(sel, ", "), part, order, from, where, filter)
	}
	var lam strings.Builder
	for _, s := range srcs {
		delay := intervalText(r, s.DelayUS)
		if s.DelayUS == 0 {
			delay = "INTERVAL '0' SECOND"
		}
		fmt.Fprintf(&lam, "CREATE SOURCE %s (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n"+
			"  WATERMARK FOR ts AS ts - %s\n) WITH (connector = 'file', path = '%s.jsonl', format = 'json');\n\n", s.Name, delay, s.Name)
	}
	lam.WriteString("CREATE MATERIALIZED VIEW v AS\n" + body(sl, part.lam, lamFrom, lamWhere, strings.Join(ol, ", ")) + ";\n\n")
	lam.WriteString("CREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n")
	q.Pipeline = lam.String()
	q.DuckSQL = body(sd, part.duck, duckFrom, duckWhere, strings.Join(od, ", "))
	return q
}
