package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// GenCombinerQuery generates a windowed (tumbling, hopping or cumulating,
// now and then with allowed lateness) or, one in four, an unwindowed
// aggregate over source src
// by one or two keys whose aggregates merge exactly (COUNT, SUM, AVG, MIN,
// MAX, of strings and DECIMALs too), the shape a key-partitioned job pre-aggregates on the reading
// worker (physical.Combine), now and then with a filter; late rows (when
// the data has them) are left out of the windows that had closed, in
// DuckDB by the watermark before each row.
func GenCombinerQuery(r *rand.Rand, delayUS int64) Query {
	keySets := [][]string{{"g"}, {"k"}, {"k", "g"}, {"n"}, {"g", "b"}}
	keys := keySets[r.IntN(len(keySets))]
	type agg struct {
		lam, duck string
		kind      Kind
	}
	all := []agg{
		{"COUNT(*)", "COUNT(*)", KindInt},
		{"COUNT(g)", "COUNT(g)", KindInt},
		{"SUM(n)", "CAST(SUM(n) AS BIGINT)", KindInt},
		{"SUM(g)", "CAST(SUM(g) AS BIGINT)", KindInt},
		{"MIN(n)", "MIN(n)", KindInt},
		{"MAX(g)", "MAX(g)", KindInt},
		{"AVG(n)", "AVG(n)", KindFloat},
		{"MIN(ts)", "MIN(ts)", KindTimestamp},
		{"MAX(ts)", "MAX(ts)", KindTimestamp},
		{"MIN(k)", "MIN(k)", KindString},
		{"MAX(k)", "MAX(k)", KindString},
		{"SUM(CAST(x AS DECIMAL(7,2)))", "SUM(CAST(x AS DECIMAL(7,2)))", KindDecimal},
		{"SUM(CAST(g AS DECIMAL(20,1)))", "SUM(CAST(g AS DECIMAL(20,1)))", KindDecimal},
		{"AVG(CAST(x AS DECIMAL(9,3)))", "AVG(CAST(x AS DECIMAL(9,3)))", KindFloat},
		{"MIN(CAST(x AS DECIMAL(9,3)))", "MIN(CAST(x AS DECIMAL(9,3)))", KindDecimal},
		{"MAX(CAST(n AS DECIMAL(38,2)) * 12345678901234567.89)", "MAX(CAST(n AS DECIMAL(38,2)) * 12345678901234567.89)", KindDecimal},
	}
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	aggs := all[:r.IntN(5)] // none: a GROUP BY for its keys (DISTINCT), whose partials mark nothing
	size := []int64{500_000, 1_000_000, 2_000_000, 10_000_000}[r.IntN(4)]
	where := []string{"", "n % 3 <> 0", "g > 0"}[r.IntN(3)]
	var lamSel, duckSel []string
	var cols []Column
	for _, k := range keys {
		lamSel, duckSel = append(lamSel, k), append(duckSel, k)
		kind := map[string]Kind{"g": KindInt, "k": KindString, "n": KindInt, "b": KindBool}[k]
		cols = append(cols, Column{Name: k, Kind: kind})
	}
	for i, a := range aggs {
		lamSel = append(lamSel, fmt.Sprintf("%s AS a%d", a.lam, i))
		duckSel = append(duckSel, fmt.Sprintf("%s AS a%d", a.duck, i))
		cols = append(cols, Column{Name: fmt.Sprintf("a%d", i), Kind: a.kind})
	}
	delay := intervalText(r, delayUS)
	if delayUS == 0 {
		delay = "INTERVAL '0' SECOND"
	}
	var lam strings.Builder
	fmt.Fprintf(&lam, "CREATE SOURCE src (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n"+
		"  WATERMARK FOR ts AS ts - %s\n) WITH (connector = 'file', path = 'in.jsonl', format = 'json');\n\n", delay)
	if r.IntN(4) == 0 {
		// unwindowed: every row counts, the changes come per round
		fmt.Fprintf(&lam, "CREATE VIEW v AS\nSELECT %s\nFROM src\n", strings.Join(lamSel, ", "))
		duck := fmt.Sprintf("SELECT %s\nFROM t\n", strings.Join(duckSel, ", "))
		if where != "" {
			fmt.Fprintf(&lam, "WHERE %s\n", where)
			duck += "WHERE " + where + "\n"
		}
		fmt.Fprintf(&lam, "GROUP BY %s;\n\nCREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n", strings.Join(keys, ", "))
		duck += "GROUP BY " + strings.Join(keys, ", ")
		return Query{Pipeline: lam.String(), DuckSQL: duck, Columns: cols, Updating: true}
	}
	// the window: tumbling, hopping (kept as panes: a row
	// folds into its pane) or cumulating (a row folds into each window
	// holding it); now and then with allowed lateness
	kind := []string{"tumble", "hop", "cumulate"}[r.IntN(3)]
	var lateness int64
	if r.IntN(2) == 0 {
		lateness = []int64{500_000, 1_000_000, 3_000_000}[r.IntN(3)]
	}
	var from, duckFrom string
	switch kind {
	case "hop":
		slide := size / 2
		if size == 500_000 {
			slide = 250_000
		}
		size = slide * int64(2+r.IntN(3))
		from = fmt.Sprintf("HOP(src, ts, %s, %s)", intervalText(r, slide), intervalText(r, size))
		duckFrom = fmt.Sprintf("(SELECT t.*, ts - ts %% %d - j * %d AS window_start, ts - ts %% %d - j * %d + %d AS window_end FROM t, range(0, %d) AS r(j))",
			slide, slide, slide, slide, size, size/slide)
	case "cumulate":
		step := size / 2
		if size == 500_000 {
			step = 250_000
		}
		size = step * int64(2+r.IntN(3))
		from = fmt.Sprintf("CUMULATE(src, ts, %s, %s)", intervalText(r, step), intervalText(r, size))
		duckFrom = fmt.Sprintf("(SELECT *, cs AS window_start, cs + j * %d AS window_end FROM (SELECT t.*, ts - ts %% %d AS cs FROM t), range(1, %d) AS r(j) WHERE cs + j * %d > ts)",
			step, size, size/step+1, step)
	default:
		from = fmt.Sprintf("TUMBLE(src, ts, %s)", intervalText(r, size))
		duckFrom = fmt.Sprintf("(SELECT t.*, ts - (ts %% %d) AS window_start, ts - (ts %% %d) + %d AS window_end FROM t)", size, size, size)
	}
	lamSel, duckSel = append(lamSel, "window_start"), append(duckSel, "window_start")
	cols = append(cols, Column{Name: "window_start", Kind: KindTimestamp})
	if kind != "tumble" {
		lamSel, duckSel = append(lamSel, "window_end"), append(duckSel, "window_end")
		cols = append(cols, Column{Name: "window_end", Kind: KindTimestamp})
	}
	fmt.Fprintf(&lam, "CREATE VIEW v AS\nSELECT %s\nFROM %s\n", strings.Join(lamSel, ", "), from)
	// a (row, window) pair is late when the window's end plus the lateness
	// had passed by the watermark before the row
	duckWhere := []string{fmt.Sprintf("window_end + %d > wm", lateness)}
	if where != "" {
		fmt.Fprintf(&lam, "WHERE %s\n", where)
		duckWhere = append(duckWhere, where)
	}
	group := strings.Join(keys, ", ") + ", window_start, window_end"
	fmt.Fprintf(&lam, "GROUP BY %s", group)
	if lateness > 0 {
		fmt.Fprintf(&lam, " ALLOWED LATENESS %s", intervalText(r, lateness))
	}
	lam.WriteString(";\n\nCREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n")
	duck := fmt.Sprintf("SELECT %s\nFROM %s\nWHERE %s\nGROUP BY %s",
		strings.Join(duckSel, ", "), duckFrom, strings.Join(duckWhere, " AND "), strings.Join(keys, ", ")+", window_start, window_end")
	return Query{Pipeline: lam.String(), DuckSQL: duck, Columns: cols, Windowed: true}
}
