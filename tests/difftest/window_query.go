package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// WindowParams shape a SESSION, CUMULATE or late-data case.
type WindowParams struct {
	DelayUS int64
	// LatenessUS is the query's ALLOWED LATENESS; rows may be late beyond it
	// (Late) in every kind of window but SESSION, whose DuckDB rendering
	// cannot tell which rows the stream saw as late.
	LatenessUS int64
	Late       bool
}

// GenWindowQuery generates an aggregate over a SESSION window (Flink's TVF,
// the short TVF, or the group-window form), a CUMULATE window, or a TUMBLE
// or HOP window with allowed lateness, under a random EMIT mode, with its
// DuckDB equivalent: sessions are computed with window functions (a row
// starts a session when it is more than the gap after the previous row of
// its key), cumulating windows by joining each row with its window ends.
func GenWindowQuery(r *rand.Rand, kind string, p WindowParams) Query {
	g := &queryGen{r: r}
	q := Query{Windowed: true, lateRows: p.Late}
	type part struct{ lam, duck string }
	// "" (the window's one group), a string, nullable and NOT NULL integers
	// (window.Groups hashes the last's key from its bytes), a boolean
	parts := []part{{"", ""}, {"k", "k"}, {"g % 3", "g % 3"}, {"n % 5", "n % 5"}, {"b", "b"}}
	pk := parts[r.IntN(len(parts))]

	// aggregates, both renderings, with their kinds
	type aggr struct {
		lam, duck string
		kind      Kind
	}
	pool := []aggr{
		{"COUNT(*)", "COUNT(*)", KindInt},
		{"SUM(n)", "CAST(SUM(n) AS BIGINT)", KindInt},
		{"MIN(x)", "MIN(x)", KindFloat},
		{"MAX(g)", "MAX(g)", KindInt},
		{"COUNT(x)", "COUNT(x)", KindInt},
		{"COUNT(DISTINCT g)", "COUNT(DISTINCT g)", KindInt},
		{"COUNT(DISTINCT k)", "COUNT(DISTINCT k)", KindInt},
		{"COUNT(*) FILTER (WHERE b)", "COUNT(*) FILTER (WHERE b)", KindInt},
		{"MAX(g) FILTER (WHERE x > 0)", "MAX(g) FILTER (WHERE x > 0)", KindInt},
	}
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	aggs := pool[:1+r.IntN(3)]

	gapUS := []int64{500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000}[r.IntN(5)]
	gap := intervalText(r, gapUS)
	var lamSel []string
	if pk.lam != "" {
		lamSel = append(lamSel, pk.lam+" AS p")
		kindP := KindInt
		switch pk.lam {
		case "k":
			kindP = KindString
		case "b":
			kindP = KindBool
		}
		q.Columns = append(q.Columns, Column{"p", kindP})
	}
	q.Columns = append(q.Columns, Column{"window_start", KindTimestamp}, Column{"window_end", KindTimestamp})
	for i, a := range aggs {
		q.Columns = append(q.Columns, Column{fmt.Sprintf("a%d", i), a.kind})
	}
	aggSel := func(render func(aggr) string) []string {
		var out []string
		for i, a := range aggs {
			out = append(out, fmt.Sprintf("%s AS a%d", render(a), i))
		}
		return out
	}
	having := g.chance(0.2)

	var lam strings.Builder
	delay := intervalText(r, p.DelayUS)
	if p.DelayUS == 0 {
		delay = "INTERVAL '0' SECOND"
	}
	fmt.Fprintf(&lam, "CREATE SOURCE src (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n"+
		"  WATERMARK FOR ts AS ts - %s\n) WITH (connector = 'file', path = 'in.jsonl', format = 'json');\n\n", delay)
	var duck strings.Builder
	where := ""
	if kind != "session" || g.chance(0.3) {
		if g.chance(0.3) {
			where = "n % 7 <> 0"
		}
	}
	switch kind {
	case "session":
		form := []string{"flink", "short", "group"}[r.IntN(3)]
		if where != "" {
			form = "group" // WHERE before a session TVF is refused (Flink's sessions would be those of all rows)
		}
		groupKeys := []string{}
		if pk.lam != "" {
			groupKeys = append(groupKeys, pk.lam)
		}
		switch form {
		case "group":
			lamSel = append(lamSel, "SESSION_START(ts, "+gap+") AS window_start", "SESSION_END(ts, "+gap+") AS window_end")
			groupKeys = append([]string{"SESSION(ts, " + gap + ")"}, groupKeys...)
			fmt.Fprintf(&lam, "CREATE VIEW v AS\nSELECT %s\nFROM src\n", strings.Join(append(lamSel, aggSel(func(a aggr) string { return a.lam })...), ", "))
		default:
			from := "SESSION(src, ts, " + gap + ")"
			if form == "flink" {
				partition := ""
				if pk.lam != "" {
					partition = " PARTITION BY " + pk.lam
					if g.chance(0.3) {
						partition = " PARTITION BY (" + pk.lam + ")"
					}
				}
				from = "TABLE(SESSION(TABLE src" + partition + ", DESCRIPTOR(ts), " + gap + "))"
			}
			lamSel = append(lamSel, "window_start", "window_end")
			groupKeys = append(groupKeys, "window_start")
			if g.chance(0.7) {
				groupKeys = append(groupKeys, "window_end")
			}
			fmt.Fprintf(&lam, "CREATE VIEW v AS\nSELECT %s\nFROM %s\n", strings.Join(append(lamSel, aggSel(func(a aggr) string { return a.lam })...), ", "), from)
		}
		if where != "" {
			fmt.Fprintf(&lam, "WHERE %s\n", where)
		}
		fmt.Fprintf(&lam, "GROUP BY %s\n", strings.Join(groupKeys, ", "))

		// DuckDB: a row opens a session when more than the gap after the previous one
		partBy, pcol := "", ""
		if pk.duck != "" {
			partBy, pcol = "PARTITION BY p ", "p, "
		}
		filter := ""
		if where != "" {
			filter = " WHERE " + where
		}
		fmt.Fprintf(&duck, "WITH f AS (SELECT *, rowid AS rid%s FROM t%s),\n", map[bool]string{true: ", " + pk.duck + " AS p", false: ""}[pk.duck != ""], filter)
		fmt.Fprintf(&duck, "s0 AS (SELECT *, CASE WHEN ts - lag(ts) OVER (%sORDER BY ts, rid) <= %d THEN 0 ELSE 1 END AS brk FROM f),\n", partBy, gapUS)
		fmt.Fprintf(&duck, "s1 AS (SELECT *, sum(brk) OVER (%sORDER BY ts, rid ROWS UNBOUNDED PRECEDING) AS sid FROM s0)\n", partBy)
		dsel := []string{}
		if pcol != "" {
			dsel = append(dsel, "p")
		}
		dsel = append(dsel, "min(ts) AS window_start", fmt.Sprintf("max(ts) + %d AS window_end", gapUS))
		fmt.Fprintf(&duck, "SELECT %s\nFROM s1\nGROUP BY %ssid\n", strings.Join(append(dsel, aggSel(func(a aggr) string { return a.duck })...), ", "), pcol)
	default:
		var sizeUS, slideUS int64
		var from, duckFrom string
		unit := []int64{500_000, 1_000_000, 2_000_000, 5_000_000}[r.IntN(4)]
		switch kind {
		case "cumulate":
			slideUS, sizeUS = unit, unit*int64(1+r.IntN(5))
			from = fmt.Sprintf("CUMULATE(src, ts, %s, %s)", intervalText(r, slideUS), intervalText(r, sizeUS))
			if g.chance(0.5) {
				from = fmt.Sprintf("TABLE(CUMULATE(TABLE src, DESCRIPTOR(ts), %s, %s))", intervalText(r, slideUS), intervalText(r, sizeUS))
			}
			duckFrom = fmt.Sprintf("(SELECT *, cs AS window_start, cs + j * %d AS window_end FROM (SELECT *, ts - ts %% %d AS cs FROM t), range(1, %d) AS r(j) WHERE cs + j * %d > ts)",
				slideUS, sizeUS, sizeUS/slideUS+1, slideUS)
		case "hop":
			slideUS, sizeUS = unit, unit*int64(2+r.IntN(3))
			from = fmt.Sprintf("HOP(src, ts, %s, %s)", intervalText(r, slideUS), intervalText(r, sizeUS))
			duckFrom = fmt.Sprintf("(SELECT *, ts - ts %% %d - j * %d AS window_start, ts - ts %% %d - j * %d + %d AS window_end FROM t, range(0, %d) AS r(j))",
				slideUS, slideUS, slideUS, slideUS, sizeUS, sizeUS/slideUS)
		default: // tumble
			sizeUS = unit
			from = fmt.Sprintf("TUMBLE(src, ts, %s)", intervalText(r, sizeUS))
			duckFrom = fmt.Sprintf("(SELECT *, ts - ts %% %d AS window_start, ts - ts %% %d + %d AS window_end FROM t)", sizeUS, sizeUS, sizeUS)
		}
		lamSel = append(lamSel, "window_start", "window_end")
		groupKeys := []string{"window_start", "window_end"}
		if kind == "cumulate" && g.chance(0.5) {
			groupKeys = groupKeys[:1] // window_end is a key of its own
		}
		if pk.lam != "" {
			groupKeys = append(groupKeys, pk.lam)
		}
		fmt.Fprintf(&lam, "CREATE VIEW v AS\nSELECT %s\nFROM %s\n", strings.Join(append(lamSel, aggSel(func(a aggr) string { return a.lam })...), ", "), from)
		if where != "" {
			fmt.Fprintf(&lam, "WHERE %s\n", where)
		}
		fmt.Fprintf(&lam, "GROUP BY %s\n", strings.Join(groupKeys, ", "))
		dsel := []string{}
		dgroup := []string{"window_start", "window_end"}
		if pk.duck != "" {
			dsel = append(dsel, pk.duck+" AS p")
			dgroup = append(dgroup, pk.duck)
		}
		dsel = append(dsel, "window_start", "window_end")
		// a (row, window) pair is late when the window's end plus the lateness
		// had passed by the watermark before the row
		dwhere := []string{fmt.Sprintf("window_end + %d > wm", p.LatenessUS)}
		if where != "" {
			dwhere = append(dwhere, where)
		}
		fmt.Fprintf(&duck, "SELECT %s\nFROM %s\nWHERE %s\nGROUP BY %s\n", strings.Join(append(dsel, aggSel(func(a aggr) string { return a.duck })...), ", "),
			duckFrom, strings.Join(dwhere, " AND "), strings.Join(dgroup, ", "))
	}
	if having {
		lam.WriteString("HAVING COUNT(*) > 1\n")
		duck.WriteString("HAVING COUNT(*) > 1\n")
	}
	m := r.IntN(6)
	if (m >= 2 && m <= 4) && (kind == "tumble" || kind == "hop") {
		// emitted once per window at its close: ORDER BY sorts each window's rows
		// (by a count, never NULL, when there is one), the windows in time order
		order, duckOrder := "window_start", "window_start"
		q.SortedBy = []SortKey{{"window_start", false}}
		for i, a := range aggs {
			if strings.HasPrefix(a.lam, "COUNT") {
				order += fmt.Sprintf(", a%d DESC", i)
				duckOrder += fmt.Sprintf(", a%d DESC", i)
				q.SortedBy = append(q.SortedBy, SortKey{fmt.Sprintf("a%d", i), true})
				break
			}
		}
		if pk.lam != "" && r.IntN(4) != 0 {
			// the group key last makes the order total (a window has one
			// row per key), so each window's rows are one list; NULLs last
			// both ways, as Laminar sorts them
			dir := []string{"", " ASC", " DESC"}[r.IntN(3)]
			order += ", p" + dir
			duckOrder += ", p" + dir + " NULLS LAST"
			q.DuckOrder = duckOrder
		} else if pk.lam == "" {
			q.DuckOrder = duckOrder // one row per window
		}
		fmt.Fprintf(&lam, "ORDER BY %s\n", order)
	}
	switch {
	case m == 5:
		fmt.Fprintf(&lam, "EMIT PERIODICALLY %s\n", intervalText(r, []int64{1_000_000, 2_000_000, 10_000_000}[r.IntN(3)]))
		q.Updating = true
	case m == 0:
		lam.WriteString("EMIT CHANGES\n")
		q.Updating = true
	case m == 1:
		lam.WriteString("EMIT AFTER WATERMARK\n")
		q.Updating = p.LatenessUS > 0
	case m == 2:
		lam.WriteString("EMIT ON WINDOW CLOSE\n")
	}
	if p.LatenessUS > 0 {
		fmt.Fprintf(&lam, "ALLOWED LATENESS %s\n", intervalText(r, p.LatenessUS))
	}
	lam.WriteString(";\n\nCREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n")
	q.Pipeline = lam.String()
	q.DuckSQL = duck.String()
	return q
}
