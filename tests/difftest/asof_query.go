package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// ASOF join pipelines: source sl (alias l) ASOF [LEFT] JOIN source sr (alias
// r), backward, forward or nearest, strict or not, with or without a
// tolerance, keyed by k, g, both or nothing, written in LaminarDB's ON form
// or Snowflake's MATCH_CONDITION form. DuckDB runs its own ASOF JOIN for
// backward and forward (a tolerance as a filter of the match), and the
// closest row by a window function for nearest (DuckDB has no nearest).
//
// The right input has one row per key and time (DuckDB picks any of equal
// times), and no input row is late, so the streaming answer is the batch one.

// dedupRight drops the right rows whose time repeats an earlier row's (so no
// key has two rows of one time): fewer rows never make a later row late.
func dedupRight(rows []Row) []Row {
	seen := map[int64]bool{}
	var out []Row
	for _, r := range rows {
		if seen[r.TS] {
			continue
		}
		seen[r.TS] = true
		out = append(out, r)
	}
	return out
}

// GenAsofQuery generates an ASOF join pipeline over sl and sr and its DuckDB query.
func GenAsofQuery(r *rand.Rand, srcs []JoinSource) Query {
	g := &joinGen{queryGen: queryGen{r}}
	left := g.chance(0.5)
	dir := []string{"backward", "forward", "nearest"}[g.pick(3)]
	strict := dir != "nearest" && g.chance(0.25)
	var tol int64 = -1
	if g.chance(0.5) {
		tol = []int64{0, 500_000, 1_000_000, 2_000_000, 5_000_000}[g.pick(5)]
	}
	var lamKeys, duckKeys []string
	switch g.pick(5) {
	case 0:
		lamKeys = []string{"l.k = r.k"}
	case 1:
		lamKeys = []string{"l.g = r.g"}
	case 2:
		lamKeys = []string{"l.k = r.k", "r.g = l.g"}
	case 3:
		lamKeys = []string{"l.k = r.k"}
	}
	duckKeys = append(duckKeys, lamKeys...)
	// a condition on the right input filters it before the match
	rightFrom := "sr AS r"
	var rightCond string
	if g.chance(0.2) {
		rightCond = []string{"r.n > 300", "r.x IS NOT NULL", "r.k <> 'a'"}[g.pick(3)]
		rightFrom = fmt.Sprintf("(SELECT * FROM sr AS r WHERE %s) AS r", rightCond)
	}

	// the time comparison, as Laminar reads it and as DuckDB's ASOF takes it
	var cmp string
	switch {
	case dir == "backward" && strict:
		cmp = []string{"l.ts > r.ts", "r.ts < l.ts"}[g.pick(2)]
	case dir == "backward":
		cmp = []string{"l.ts >= r.ts", "r.ts <= l.ts"}[g.pick(2)]
	case dir == "forward" && strict:
		cmp = []string{"l.ts < r.ts", "r.ts > l.ts"}[g.pick(2)]
	case dir == "forward":
		cmp = []string{"l.ts <= r.ts", "r.ts >= l.ts"}[g.pick(2)]
	default:
		cmp = "NEAREST(l.ts, r.ts)"
	}
	// the tolerance: a TOLERANCE clause or a bound on the difference
	var tolClause, tolCond, within string
	if tol >= 0 {
		iv := intervalText(r, tol)
		if tol == 0 {
			iv = "INTERVAL '0' SECOND"
		}
		switch {
		case dir == "nearest" || g.chance(0.5):
			tolClause = "TOLERANCE " + iv
		case dir == "backward":
			tolCond = []string{"l.ts - r.ts <= " + iv, "r.ts >= l.ts - " + iv}[g.pick(2)]
		default:
			tolCond = []string{"r.ts - l.ts <= " + iv, "r.ts <= l.ts + " + iv}[g.pick(2)]
		}
		within = fmt.Sprintf("abs(l.ts - r.ts) <= %d", tol)
	}
	matchForm := tolClause != "" || g.chance(0.5) || dir == "nearest" && g.chance(0.5)
	if len(lamKeys) == 0 {
		matchForm = true // ON with no equality would be a comparison only: write MATCH_CONDITION
	}
	kind := "ASOF JOIN"
	if left {
		kind = []string{"ASOF LEFT JOIN", "LEFT ASOF JOIN"}[g.pick(2)]
	}
	var lamJoin strings.Builder
	fmt.Fprintf(&lamJoin, "sl AS l %s %s", kind, "sr AS r")
	on := append([]string{}, lamKeys...)
	if rightCond != "" {
		on = append(on, rightCond)
	}
	if matchForm {
		m := cmp
		if tolCond != "" {
			m += " AND " + tolCond
		}
		fmt.Fprintf(&lamJoin, " MATCH_CONDITION(%s)", m)
		if tolClause != "" {
			lamJoin.WriteString(" " + tolClause)
		}
	} else {
		on = append(on, cmp)
		if tolCond != "" {
			on = append(on, tolCond)
		}
	}
	if len(on) > 0 {
		lamJoin.WriteString(" ON " + strings.Join(on, " AND "))
	}

	// the output: left columns, right columns (NULL without a match), an
	// expression over both
	type item struct {
		e     expr
		right bool
	}
	items := []item{{same("l.k", KindString), false}, {same("l.ts", KindTimestamp), false}, {same("l.n", KindInt), false}}
	for _, c := range []item{{same("r.n", KindInt), true}, {same("r.ts", KindTimestamp), true}, {same("r.x", KindFloat), true},
		{same("r.k", KindString), true}, {same("l.n + r.n", KindInt), true}, {same("r.ts - l.ts", KindInt), true}} {
		if g.chance(0.6) {
			items = append(items, c)
		}
	}
	var q Query
	var lamSel, duckSel []string
	aggregate := g.chance(0.2)
	for _, it := range items {
		if aggregate {
			break
		}
		name := fmt.Sprintf("c%d", len(q.Columns))
		d := it.e.duck
		if it.right && within != "" && left {
			d = fmt.Sprintf("CASE WHEN %s THEN %s END", within, d)
		}
		lamSel, duckSel = append(lamSel, it.e.lam+" AS "+name), append(duckSel, d+" AS "+name)
		q.Columns = append(q.Columns, Column{name, it.e.kind})
	}
	if aggregate {
		// counts per left key: updating
		rn := "r.n"
		if within != "" && left {
			rn = fmt.Sprintf("CASE WHEN %s THEN r.n END", within)
		}
		lamSel = []string{"l.k AS c0", "COUNT(*) AS c1", "COUNT(r.n) AS c2", "SUM(r.n) AS c3"}
		duckSel = []string{"l.k AS c0", "COUNT(*) AS c1", fmt.Sprintf("COUNT(%s) AS c2", rn), fmt.Sprintf("CAST(SUM(%s) AS BIGINT) AS c3", rn)}
		q.Columns = []Column{{"c0", KindString}, {"c1", KindInt}, {"c2", KindInt}, {"c3", KindInt}}
		q.Updating = true
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
	lam.WriteString("CREATE MATERIALIZED VIEW v AS\n")
	fmt.Fprintf(&lam, "SELECT %s\nFROM %s", strings.Join(lamSel, ", "), lamJoin.String())
	if aggregate {
		lam.WriteString("\nGROUP BY l.k")
	}
	lam.WriteString(";\n\nCREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n")
	q.Pipeline = lam.String()

	// DuckDB
	var from string
	var where []string
	if dir == "nearest" {
		// the closest right row, the earlier on a tie (no two right rows of a key share a time)
		joinKind := "JOIN"
		if left {
			joinKind = "LEFT JOIN"
		}
		conds := append([]string{}, duckKeys...)
		if within != "" {
			conds = append(conds, within)
		}
		if len(conds) == 0 {
			conds = []string{"TRUE"}
		}
		from = fmt.Sprintf("(SELECT l.*, l.rowid AS l_id, r.k AS r_k, r.g AS r_g, r.x AS r_x, r.n AS r_n, r.ts AS r_ts, "+
			"row_number() OVER (PARTITION BY l.rowid ORDER BY abs(r.ts - l.ts), r.ts) AS rn_ "+
			"FROM sl AS l %s %s ON %s) AS j", joinKind, rightFrom, strings.Join(conds, " AND "))
		where = append(where, "rn_ = 1")
		rename := strings.NewReplacer("r.ts", "r_ts", "r.n", "r_n", "r.x", "r_x", "r.k", "r_k", "r.g", "r_g", "l.", "")
		for i := range duckSel {
			duckSel[i] = rename.Replace(duckSel[i])
		}
		within = "" // applied in the join
	} else {
		duckCmp := map[string]string{"l.ts > r.ts": "l.ts > r.ts", "r.ts < l.ts": "l.ts > r.ts", "l.ts >= r.ts": "l.ts >= r.ts",
			"r.ts <= l.ts": "l.ts >= r.ts", "l.ts < r.ts": "l.ts < r.ts", "r.ts > l.ts": "l.ts < r.ts",
			"l.ts <= r.ts": "l.ts <= r.ts", "r.ts >= l.ts": "l.ts <= r.ts"}[cmp]
		joinKind := "ASOF JOIN"
		if left {
			joinKind = "ASOF LEFT JOIN"
		}
		from = fmt.Sprintf("sl AS l %s %s ON %s", joinKind, rightFrom, strings.Join(append(append([]string{}, duckKeys...), duckCmp), " AND "))
		if within != "" && !left {
			where = append(where, within)
		}
	}
	var duck strings.Builder
	fmt.Fprintf(&duck, "SELECT %s\nFROM %s", strings.Join(duckSel, ", "), from)
	if len(where) > 0 {
		fmt.Fprintf(&duck, "\nWHERE %s", strings.Join(where, " AND "))
	}
	if aggregate {
		if dir == "nearest" {
			duck.WriteString("\nGROUP BY k")
		} else {
			duck.WriteString("\nGROUP BY l.k")
		}
	}
	q.DuckSQL = duck.String()
	return q
}
