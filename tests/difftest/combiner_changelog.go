package difftest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
)

// GenCombinerChangelogQuery generates an unwindowed aggregate over a
// changelog source (format = 'changelog') whose aggregates merge exactly,
// the shape the workers pre-aggregate into weighted partials
// (physical.Combine): COUNT, SUM and AVG of integers and DECIMALs as
// signed sums, MIN and MAX as multisets, now and then over a filter or
// under a HAVING that a group crosses both ways. It returns the query and
// the group key of a row (CombinerChangelogInput drains groups by it).
func GenCombinerChangelogQuery(r *rand.Rand, unique bool) (Query, func(Row) string) {
	keySets := [][]string{{"k"}, {"g"}, {"k", "g"}, {"b"}}
	keys := keySets[r.IntN(len(keySets))]
	if unique {
		keys = []string{"n"} // nearly unique: a part's combiner goes off and on
	}
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
		{"AVG(g)", "AVG(g)", KindFloat},
		{"MIN(ts)", "MIN(ts)", KindTimestamp},
		{"MAX(ts)", "MAX(ts)", KindTimestamp},
		{"MIN(k)", "MIN(k)", KindString},
		{"MAX(k)", "MAX(k)", KindString},
		{"SUM(CAST(x AS DECIMAL(7,2)))", "SUM(CAST(x AS DECIMAL(7,2)))", KindDecimal},
		{"SUM(CAST(g AS DECIMAL(20,1)))", "SUM(CAST(g AS DECIMAL(20,1)))", KindDecimal},
		{"AVG(CAST(x AS DECIMAL(9,3)))", "AVG(CAST(x AS DECIMAL(9,3)))", KindFloat},
		{"MAX(CAST(x AS DECIMAL(9,3)))", "MAX(CAST(x AS DECIMAL(9,3)))", KindDecimal},
	}
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	aggs := all[:1+r.IntN(5)]
	var sel, duckSel []string
	var cols []Column
	for _, k := range keys {
		sel, duckSel = append(sel, k), append(duckSel, k)
		kind := map[string]Kind{"g": KindInt, "k": KindString, "n": KindInt, "b": KindBool}[k]
		cols = append(cols, Column{Name: k, Kind: kind})
	}
	for i, a := range aggs {
		sel = append(sel, fmt.Sprintf("%s AS a%d", a.lam, i))
		duckSel = append(duckSel, fmt.Sprintf("%s AS a%d", a.duck, i))
		cols = append(cols, Column{Name: fmt.Sprintf("a%d", i), Kind: a.kind})
	}
	where := []string{"", "", " WHERE n % 3 <> 0", " WHERE g > 0"}[r.IntN(4)]
	having := ""
	if !unique && r.IntN(3) == 0 {
		having = " HAVING COUNT(*) > 2" // a group's row comes and goes with its count
	}
	group := strings.Join(keys, ", ")
	lam := "CREATE SOURCE src (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL\n" +
		") WITH (connector = 'file', path = 'in.jsonl', format = 'changelog');\n\n" +
		fmt.Sprintf("CREATE VIEW v AS\nSELECT %s\nFROM src%s\nGROUP BY %s%s;\n\n", strings.Join(sel, ", "), where, group, having) +
		"CREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n"
	duck := fmt.Sprintf("SELECT %s\nFROM t%s\nGROUP BY %s%s", strings.Join(duckSel, ", "), where, group, having)
	key := func(row Row) string {
		var b strings.Builder
		for _, k := range keys {
			switch k {
			case "k":
				if row.K == nil {
					b.WriteString("null|")
				} else {
					b.WriteString("'" + *row.K + "'|")
				}
			case "g":
				if row.G == nil {
					b.WriteString("null|")
				} else {
					fmt.Fprintf(&b, "%d|", *row.G)
				}
			case "b":
				if row.B == nil {
					b.WriteString("null|")
				} else {
					fmt.Fprintf(&b, "%t|", *row.B)
				}
			case "n":
				fmt.Fprintf(&b, "%d|", row.N)
			}
		}
		return b.String()
	}
	return Query{Pipeline: lam, DuckSQL: duck, Columns: cols, Updating: true}, key
}

// CombinerChangelogInput writes rows as a changelog for the combiner's
// weighted partials: each row inserted; one in four times an earlier row
// (anywhere before, so often in another worker's chunk) retracted, and
// then half the time a copy of it inserted with other values, now and then
// another group key (an update that moves the row between groups, its
// retraction and insertion side by side, in one chunk: a partial of W = 0
// whose sums are not 0 when the group stays). Every hundred rows or so the
// group of a live row is drained: its rows retracted one by one among the
// next ones, while the new rows of the group wait, and inserted once the
// group is empty (a group whose count reaches zero and comes back). It
// writes format 'changelog' (a line per row, "_op" "+" or "-") or
// 'debezium' (an event per change, an update's old and new row in one:
// the reader splits it into a retraction and an insertion side by side).
// It returns the input, the rows left (DuckDB's table) and the records
// that are not changes.
func CombinerChangelogInput(r *rand.Rand, rows []Row, group func(Row) string, format string) ([]byte, []Row, int) {
	var buf bytes.Buffer
	object := func(row *Row) []byte {
		if row == nil {
			return []byte("null")
		}
		return bytes.TrimSuffix(WriteJSONL(r, []Row{*row}), []byte("\n"))
	}
	// change writes a change of a row: before retracted, after inserted
	// (a Debezium update when both are there)
	change := func(before, after *Row) {
		if format == "debezium" {
			op := map[[2]bool]string{{false, true}: "c", {true, false}: "d", {true, true}: "u"}[[2]bool{before != nil, after != nil}]
			fmt.Fprintf(&buf, `{"op":%q,"before":%s,"after":%s}`+"\n", op, object(before), object(after))
			return
		}
		for _, c := range []struct {
			row *Row
			op  string
		}{{before, "-"}, {after, "+"}} {
			if c.row == nil {
				continue
			}
			line := object(c.row)
			buf.WriteString(`{"_op":"` + c.op + `"`)
			if line[1] != '}' {
				buf.WriteByte(',')
			}
			buf.Write(line[1:])
			buf.WriteByte('\n')
		}
	}
	var live []Row
	take := func(j int) Row {
		old := live[j]
		live = append(live[:j], live[j+1:]...)
		return old
	}
	retract := func(j int) {
		old := take(j)
		change(&old, nil)
	}
	draining := "" // the group being drained, "" for none
	var held []Row // its new rows, inserted once it is empty
	// insert inserts row, the update of old when old is not nil
	insert := func(old *Row, row Row) {
		if draining != "" && group(row) == draining {
			held = append(held, row)
			if old != nil {
				change(old, nil)
			}
			return
		}
		change(old, &row)
		live = append(live, row)
	}
	bad := 0
	for i, row := range rows {
		insert(nil, row)
		if i%113 == 60 {
			buf.WriteString("{not json\n") // a dead letter among the changes
			bad++
		}
		if draining != "" {
			// retract up to two of its rows, or bring it back once it is empty
			for range 1 + r.IntN(2) {
				var of []int
				for j, l := range live {
					if group(l) == draining {
						of = append(of, j)
					}
				}
				if len(of) == 0 {
					// empty: its row was retracted at the flush after its last
					// retraction; now it comes back
					draining = ""
					for _, h := range held {
						insert(nil, h)
					}
					held = held[:0]
					break
				}
				retract(of[r.IntN(len(of))])
			}
		} else if i%97 == 40 && len(live) > 0 {
			draining = group(live[r.IntN(len(live))])
		}
		if len(live) < 2 || r.IntN(4) != 0 {
			continue
		}
		j := r.IntN(len(live) - 1) // an earlier row
		if r.IntN(2) == 0 {
			retract(j)
			continue
		}
		old := take(j)
		moved := old
		if old.K != nil && r.IntN(3) == 0 {
			k := *old.K + "m"
			moved.K = &k
		}
		if old.G != nil && r.IntN(2) == 0 {
			g := *old.G + int64(1+r.IntN(3))
			moved.G = &g
		}
		moved.N = old.N + int64(r.IntN(100))
		insert(&old, moved)
	}
	for _, h := range held {
		change(nil, &h)
		live = append(live, h)
	}
	return buf.Bytes(), live, bad
}
