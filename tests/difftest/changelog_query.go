package difftest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
)

// ChangelogInput writes rows as a changelog (format = 'changelog'): each
// row inserted, and now and then a row inserted before retracted ("_op":
// "-", the same values) or replaced by another (retracted, then a copy
// with another key and value inserted: the row moves between groups), the
// retraction some rows after its insertion. It returns the input and the
// rows left, the table DuckDB reads, and the number of records that are not
// changes (dead letters: a line that is not JSON, one with a bad "_op").
func ChangelogInput(r *rand.Rand, rows []Row) ([]byte, []Row, int) {
	var buf bytes.Buffer
	write := func(row Row, op string) {
		line := WriteJSONL(r, []Row{row})
		buf.WriteString(`{"_op":"` + op + `"`)
		if rest := line[1:]; rest[0] != '}' {
			buf.WriteByte(',')
		}
		buf.Write(line[1:])
	}
	var live []Row
	bad := 0
	for i, row := range rows {
		write(row, "+")
		live = append(live, row)
		switch i % 97 {
		case 50:
			buf.WriteString("{not json\n") // dead letters among the changes
			bad++
		case 80:
			buf.WriteString(`{"_op":"?","n":1,"ts":"2024-03-01T00:00:00Z"}` + "\n")
			bad++
		}
		if len(live) < 2 || r.IntN(4) != 0 {
			continue
		}
		j := r.IntN(len(live) - 1) // an earlier row
		old := live[j]
		write(old, "-")
		live = append(live[:j], live[j+1:]...)
		if r.IntN(2) == 0 {
			moved := old
			if old.K != nil && r.IntN(2) == 0 {
				k := *old.K + "m"
				moved.K = &k
			}
			if old.G != nil {
				g := *old.G + int64(1+r.IntN(3))
				moved.G = &g
			}
			moved.N = old.N + int64(r.IntN(100))
			write(moved, "+")
			live = append(live, moved)
		}
	}
	return buf.Bytes(), live, bad
}

// GenChangelogQuery generates a pipeline over a changelog source: an
// aggregate grouped by one or two columns (COUNT, SUM, MIN and MAX, which
// keep multisets under retractions), now and then over a filter, and now
// and then a count of its groups by a value it computes (its changes
// re-exchanged by that value); a filter and projection of the changes,
// sunk; a ranking per key (RANK ... <= 2); or a join of two filters of the
// changes by k. On several workers each change goes to the worker owning its group
// key's hash, a row's retraction after its insertion.
func GenChangelogQuery(r *rand.Rand) Query {
	var lam strings.Builder
	lam.WriteString("CREATE SOURCE src (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL\n" +
		") WITH (connector = 'file', path = 'in.jsonl', format = 'changelog');\n\n")
	duck := "WITH src AS (SELECT k, g, x, n, b, ts FROM t)"
	sink := func(v string) {
		fmt.Fprintf(&lam, "CREATE SINK out FROM %s WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n", v)
	}
	where := []string{"", " WHERE n % 2 = 0", " WHERE g > 3", " WHERE k <> 'a'"}[r.IntN(4)]
	switch r.IntN(6) {
	case 0:
		// a ranking per key: its input's retractions reach the worker
		// holding the key's partition (RANK: ties share a rank, so the set
		// kept does not depend on their order)
		v := "SELECT k, n, g FROM (SELECT k, n, g, RANK() OVER (PARTITION BY k ORDER BY n DESC) AS rk FROM src" + where + ") WHERE rk <= 2"
		fmt.Fprintf(&lam, "CREATE VIEW v AS\n  %s;\n\n", v)
		sink("v")
		return Query{Pipeline: lam.String(), DuckSQL: duck + "\n" + v,
			Columns:  []Column{{"k", KindString}, {"n", KindInt}, {"g", KindInt}},
			Updating: true}
	case 1:
		// a join of two filters of the changes by k: both sides' changes
		// of a key on its worker
		a := "SELECT k, n FROM src WHERE n % 5 = 0"
		b := "SELECT k, g, n AS m FROM src WHERE n % 7 = 0"
		sel := "SELECT a.k, a.n, b.g, b.m FROM a JOIN b ON a.k = b.k"
		fmt.Fprintf(&lam, "CREATE VIEW a AS\n  %s;\n\nCREATE VIEW b AS\n  %s;\n\nCREATE VIEW v AS\n  %s;\n\n", a, b, sel)
		sink("v")
		return Query{Pipeline: lam.String(), DuckSQL: duck + ",\na AS (" + a + "),\nb AS (" + b + ")\n" + sel,
			Columns:  []Column{{"k", KindString}, {"n", KindInt}, {"g", KindInt}, {"m", KindInt}},
			Updating: true}
	}
	if r.IntN(5) == 0 {
		v := "SELECT k, g, n, x FROM src" + where
		fmt.Fprintf(&lam, "CREATE VIEW v AS\n  %s;\n\n", v)
		sink("v")
		return Query{Pipeline: lam.String(), DuckSQL: duck + "\n" + v,
			Columns:  []Column{{"k", KindString}, {"g", KindInt}, {"n", KindInt}, {"x", KindFloat}},
			Updating: true}
	}
	type col struct {
		name string
		kind Kind
	}
	keys := [][]col{{{"k", KindString}}, {{"g", KindInt}}, {{"k", KindString}, {"g", KindInt}}, {{"b", KindBool}}}[r.IntN(4)]
	var names []string
	cols := []Column{}
	for _, k := range keys {
		names = append(names, k.name)
		cols = append(cols, Column{k.name, k.kind})
	}
	group := strings.Join(names, ", ")
	v1 := fmt.Sprintf("SELECT %s, COUNT(*) AS c, SUM(n) AS s, MIN(n) AS lo, MAX(n) AS hi, MAX(x) AS mx FROM src%s GROUP BY %s", group, where, group)
	duck1 := strings.Replace(v1, "SUM(n)", "CAST(SUM(n) AS BIGINT)", 1)
	fmt.Fprintf(&lam, "CREATE VIEW v1 AS\n  %s;\n\n", v1)
	cols = append(cols, Column{"c", KindInt}, Column{"s", KindInt}, Column{"lo", KindInt}, Column{"hi", KindInt}, Column{"mx", KindFloat})
	if r.IntN(3) == 0 {
		v2 := "SELECT c, COUNT(*) AS groups, SUM(s) AS total, MAX(hi) AS top FROM v1 GROUP BY c"
		fmt.Fprintf(&lam, "CREATE VIEW v2 AS\n  %s;\n\n", v2)
		sink("v2")
		return Query{Pipeline: lam.String(),
			DuckSQL:  duck + ",\nv1 AS (" + duck1 + ")\n" + strings.Replace(v2, "SUM(s)", "CAST(SUM(s) AS BIGINT)", 1),
			Columns:  []Column{{"c", KindInt}, {"groups", KindInt}, {"total", KindInt}, {"top", KindInt}},
			Updating: true}
	}
	sink("v1")
	return Query{Pipeline: lam.String(), DuckSQL: duck + "\n" + duck1, Columns: cols, Updating: true}
}
