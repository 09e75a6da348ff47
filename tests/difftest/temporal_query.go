package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Temporal join pipelines: source sl (alias l) [LEFT] JOIN the versioned
// table sr FOR SYSTEM_TIME AS OF l.ts (alias r), sr declared with a PRIMARY
// KEY (k, g or both) whose rows are versions, with other conditions checked
// on the version found. DuckDB finds the version valid at l.ts with its ASOF
// JOIN on the key and l.ts >= r.ts, then applies the other conditions (a
// LEFT join's failing version becomes NULLs).

// versionKeys makes the primary key columns of the versioned table's rows
// NOT NULL, as its declaration says.
func versionKeys(rows []Row, pk []string) {
	for i := range rows {
		for _, c := range pk {
			switch c {
			case "k":
				if rows[i].K == nil {
					k := "nk"
					rows[i].K = &k
				}
			case "g":
				if rows[i].G == nil {
					g := int64(0)
					rows[i].G = &g
				}
			}
		}
	}
}

// GenTemporalPK picks the primary key of a temporal case's versioned table.
func GenTemporalPK(r *rand.Rand) []string {
	return [][]string{{"k"}, {"g"}, {"k", "g"}}[r.IntN(3)]
}

// GenTemporalQuery generates a temporal join pipeline over sl and sr (whose
// primary key is pk) and its DuckDB query.
func GenTemporalQuery(r *rand.Rand, srcs []JoinSource, pk []string) Query {
	g := &joinGen{queryGen: queryGen{r}}
	left := g.chance(0.5)
	var keys []string
	for _, c := range pk {
		if g.chance(0.5) {
			keys = append(keys, fmt.Sprintf("l.%s = r.%s", c, c))
		} else {
			keys = append(keys, fmt.Sprintf("r.%s = l.%s", c, c))
		}
	}
	var conds []string // checked on the version found
	if g.chance(0.4) {
		conds = append(conds, []string{"r.n > 300", "r.x IS NOT NULL", "l.n < r.n", "r.x < l.x", "(r.b OR l.b)"}[g.pick(5)])
	}
	var leftConds []string // inner joins: they filter the left input
	if !left && g.chance(0.2) {
		leftConds = append(leftConds, []string{"l.n > 200", "l.k <> 'a'"}[g.pick(2)])
	}
	on := append(append(append([]string{}, keys...), conds...), leftConds...)
	kind := "JOIN"
	if left {
		kind = []string{"LEFT JOIN", "LEFT OUTER JOIN"}[g.pick(2)]
	}
	asOf := "sr FOR SYSTEM_TIME AS OF l.ts AS r"
	if g.chance(0.3) {
		asOf = "sr FOR SYSTEM_TIME AS OF l.ts r"
	}
	lamFrom := fmt.Sprintf("sl AS l %s %s ON %s", kind, asOf, strings.Join(on, " AND "))

	items := []expr{same("l.k", KindString), same("l.ts", KindTimestamp), same("l.n", KindInt)}
	rightItems := []expr{same("r.n", KindInt), same("r.ts", KindTimestamp), same("r.x", KindFloat), same("r.k", KindString), same("l.n - r.n", KindInt)}
	var q Query
	var lamSel, duckSel []string
	check := strings.Join(conds, " AND ")
	add := func(e expr, right bool) {
		name := fmt.Sprintf("c%d", len(q.Columns))
		d := e.duck
		if right && left && check != "" {
			d = fmt.Sprintf("CASE WHEN %s THEN %s END", check, d)
		}
		lamSel, duckSel = append(lamSel, e.lam+" AS "+name), append(duckSel, d+" AS "+name)
		q.Columns = append(q.Columns, Column{name, e.kind})
	}
	for _, e := range items {
		add(e, false)
	}
	for _, e := range rightItems {
		if g.chance(0.6) {
			add(e, true)
		}
	}
	var lam strings.Builder
	for i, s := range srcs {
		delay := intervalText(r, s.DelayUS)
		if s.DelayUS == 0 {
			delay = "INTERVAL '0' SECOND"
		}
		k, gcol, key := "k VARCHAR", "g BIGINT", ""
		if i == 1 {
			for _, c := range pk {
				if c == "k" {
					k += " NOT NULL"
				} else {
					gcol += " NOT NULL"
				}
			}
			key = fmt.Sprintf("  PRIMARY KEY (%s) NOT ENFORCED,\n", strings.Join(pk, ", "))
		}
		fmt.Fprintf(&lam, "CREATE SOURCE %s (\n  %s, %s, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n%s"+
			"  WATERMARK FOR ts AS ts - %s\n) WITH (connector = 'file', path = '%s.jsonl', format = 'json');\n\n", s.Name, k, gcol, key, delay, s.Name)
	}
	fmt.Fprintf(&lam, "CREATE MATERIALIZED VIEW v AS\nSELECT %s\nFROM %s;\n\nCREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n",
		strings.Join(lamSel, ", "), lamFrom)
	q.Pipeline = lam.String()

	duckKind := "ASOF JOIN"
	if left {
		duckKind = "ASOF LEFT JOIN"
	}
	var where []string
	if !left {
		where = append(where, conds...)
	}
	where = append(where, leftConds...)
	duck := fmt.Sprintf("SELECT %s\nFROM sl AS l %s sr AS r ON %s AND l.ts >= r.ts", strings.Join(duckSel, ", "), duckKind, strings.Join(keys, " AND "))
	if len(where) > 0 {
		duck += "\nWHERE " + strings.Join(where, " AND ")
	}
	q.DuckSQL = duck
	return q
}
