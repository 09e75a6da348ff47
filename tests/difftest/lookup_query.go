package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Lookup join pipelines: source sl (alias l) [LEFT] JOIN lookup table lt
// (alias t, a JSON-lines file with the sources' columns, read by key) ON an
// equality of k or g (NULLs and duplicate keys included), sometimes with a
// condition checked on each table row found. The table does not change
// while the job runs, so the answer is the batch join's, which DuckDB gives.

// GenLookupQuery generates a lookup join pipeline over source sl and table lt.
func GenLookupQuery(r *rand.Rand, srcs []JoinSource) Query {
	g := &joinGen{queryGen: queryGen{r}}
	left := g.chance(0.5)
	on := []string{[]string{"l.g = t.g", "t.k = l.k", "l.g = t.g AND l.k = t.k"}[g.pick(3)]}
	if g.chance(0.4) {
		on = append(on, []string{"t.n > l.n", "t.x < l.x", "(t.b OR l.n > 500)", "t.n + l.n > 700"}[g.pick(4)])
	}
	kind := "JOIN"
	if left {
		kind = "LEFT JOIN"
	}
	from := fmt.Sprintf("sl AS l %s lt AS t ON %s", kind, strings.Join(on, " AND "))
	if g.chance(0.3) {
		from = fmt.Sprintf("sl AS l %s lt FOR SYSTEM_TIME AS OF PROCTIME() AS t ON %s", kind, strings.Join(on, " AND "))
	}
	duckFrom := fmt.Sprintf("sl AS l %s lt AS t ON %s", kind, strings.Join(on, " AND "))
	var q Query
	var lamSel, duckSel []string
	for _, e := range []expr{same("l.k", KindString), same("l.g", KindInt), same("l.n", KindInt), same("l.ts", KindTimestamp),
		same("t.k", KindString), same("t.n", KindInt), same("t.x", KindFloat), same("t.ts", KindTimestamp), same("l.n * t.n", KindInt)} {
		if len(q.Columns) < 3 || g.chance(0.6) {
			name := fmt.Sprintf("c%d", len(q.Columns))
			lamSel, duckSel = append(lamSel, e.lam+" AS "+name), append(duckSel, e.duck+" AS "+name)
			q.Columns = append(q.Columns, Column{name, e.kind})
		}
	}
	var lam strings.Builder
	s := srcs[0]
	delay := intervalText(r, s.DelayUS)
	if s.DelayUS == 0 {
		delay = "INTERVAL '0' SECOND"
	}
	fmt.Fprintf(&lam, "CREATE SOURCE sl (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n"+
		"  WATERMARK FOR ts AS ts - %s\n) WITH (connector = 'file', path = 'sl.jsonl', format = 'json');\n\n", delay)
	fmt.Fprintf(&lam, "CREATE TABLE lt (k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL)\n"+
		"  WITH (connector = 'file', path = 'lt.jsonl', format = 'json', cache_rows = '%d');\n\n", []int{1, 5, 1000}[g.pick(3)])
	fmt.Fprintf(&lam, "CREATE MATERIALIZED VIEW v AS\nSELECT %s\nFROM %s;\n\nCREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n",
		strings.Join(lamSel, ", "), from)
	q.Pipeline = lam.String()
	q.DuckSQL = fmt.Sprintf("SELECT %s\nFROM %s", strings.Join(duckSel, ", "), duckFrom)
	return q
}

// GenLookupUpdatingQuery is a lookup join whose input is updating: a GROUP BY
// over the stream, whose changes (retractions and insertions) are joined
// with the table rows their insertion met.
func GenLookupUpdatingQuery(r *rand.Rand, srcs []JoinSource) Query {
	g := &joinGen{queryGen: queryGen{r}}
	kind := []string{"JOIN", "LEFT JOIN"}[g.pick(2)]
	group := []string{"g", "k", "g, k"}[g.pick(3)]
	on := map[string]string{"g": "l.g = t.g", "k": "t.k = l.k", "g, k": "l.g = t.g AND l.k = t.k"}[group]
	if g.chance(0.4) {
		on += " AND " + []string{"t.n > l.n", "t.n + l.s > 900", "(t.b OR l.n > 3)"}[g.pick(3)]
	}
	agg := fmt.Sprintf("SELECT %s, COUNT(*) AS n, SUM(n) AS s FROM sl GROUP BY %s", group, group)
	cols := []expr{same("l.n", KindInt), same("l.s", KindInt), same("t.k", KindString), same("t.n", KindInt), same("t.x", KindFloat)}
	if group != "k" {
		cols = append(cols, same("l.g", KindInt))
	}
	var q Query
	q.Updating = true
	var sel []string
	for _, e := range cols {
		if len(q.Columns) < 3 || g.chance(0.6) {
			name := fmt.Sprintf("c%d", len(q.Columns))
			sel = append(sel, e.lam+" AS "+name)
			q.Columns = append(q.Columns, Column{name, e.kind})
		}
	}
	var lam strings.Builder
	s := srcs[0]
	delay := intervalText(r, s.DelayUS)
	if s.DelayUS == 0 {
		delay = "INTERVAL '0' SECOND"
	}
	fmt.Fprintf(&lam, "CREATE SOURCE sl (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n"+
		"  WATERMARK FOR ts AS ts - %s\n) WITH (connector = 'file', path = 'sl.jsonl', format = 'json');\n\n", delay)
	fmt.Fprintf(&lam, "CREATE TABLE lt (k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL)\n"+
		"  WITH (connector = 'file', path = 'lt.jsonl', format = 'json', cache_rows = '%d');\n\n", []int{1, 5, 1000}[g.pick(3)])
	fmt.Fprintf(&lam, "CREATE VIEW agg AS %s;\n\nCREATE MATERIALIZED VIEW v AS\nSELECT %s\nFROM agg AS l %s lt AS t ON %s;\n\n"+
		"CREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n",
		agg, strings.Join(sel, ", "), kind, on)
	q.Pipeline = lam.String()
	duckAgg := fmt.Sprintf("SELECT %s, COUNT(*) AS n, CAST(SUM(n) AS BIGINT) AS s FROM sl GROUP BY %s", group, group) // DuckDB's SUM is a HUGEINT
	q.DuckSQL = fmt.Sprintf("SELECT %s\nFROM (%s) AS l %s lt AS t ON %s", strings.Join(sel, ", "), duckAgg, kind, on)
	return q
}
