package difftest

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Hand-written join cases: one source src whose rows with g = 1 are the
// left input and g = 2 the right, so that at batch size 1 the rows reach the
// join in file order and each case walks through the exact sequence of
// retractions it names. Each is checked against DuckDB and against the rows
// worked out by hand.

var handBase = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).UnixMicro()

// hrow is a row of side g (1 left, 2 right) with key k ("" = NULL) at ms.
func hrow(g int64, k string, n int64, x float64, ms int64) Row {
	r := Row{G: &g, N: n, X: &x, TS: handBase + ms*1000, WM: noWatermark}
	if k != "" {
		r.K = &k
	}
	return r
}

const joinHandSource = "CREATE SOURCE src (\n  k VARCHAR, g BIGINT, x DOUBLE, n BIGINT NOT NULL, b BOOLEAN, ts TIMESTAMP NOT NULL,\n" +
	"  WATERMARK FOR ts AS ts - INTERVAL '0' SECOND\n) WITH (connector = 'file', path = 'src.jsonl', format = 'json');\n\n"

const handSink = ";\n\nCREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n"

// joinHandCase builds a case over rows; body is the view v after the source (and
// is also DuckDB's query, with views inlined as subqueries in duck).
func joinHandCase(name string, rows []Row, views, body, duck string, cols []Column, updating bool, want ...string) *joinCase {
	for i := range rows {
		if i > 0 {
			rows[i].WM = rows[i-1].TS
		}
	}
	src := JoinSource{Name: "src", Rows: rows}
	c := &joinCase{testCase: &testCase{}, sources: []JoinSource{src}, name: name, want: want}
	c.inputs = map[string][]byte{"src": WriteJSONL(rand.New(rand.NewPCG(1, 2)), rows)}
	c.query = Query{
		Pipeline: joinHandSource + views + "CREATE MATERIALIZED VIEW v AS\n" + body + handSink,
		DuckSQL:  duck,
		Columns:  cols,
		Updating: updating,
	}
	return c
}

func cols(kinds ...Kind) []Column {
	out := make([]Column, len(kinds))
	for i, k := range kinds {
		out[i] = Column{fmt.Sprintf("c%d", i), k}
	}
	return out
}

const (
	lhs = "(SELECT k, n, x, ts FROM src WHERE g = 1) AS l"
	rhs = "(SELECT k, n, x, ts FROM src WHERE g = 2) AS r"
)

func handJoinCases() []*joinCase {
	var out []*joinCase
	same := func(name string, rows []Row, body string, cs []Column, updating bool, want ...string) {
		out = append(out, joinHandCase(name, rows, "", body, body, cs, updating, want...))
	}

	// Both rows of key a are padded (the residual fails), then a right row
	// matches the left one: its padded row is retracted, the right one's
	// stays; a second left row matches both right rows and retracts the
	// other padded row.
	same("full match after both padded",
		[]Row{hrow(1, "a", 1, 1, 0), hrow(2, "a", 2, 0, 10), hrow(2, "a", 3, 5, 20), hrow(1, "a", 4, -1, 30)},
		"SELECT l.k AS c0, l.n AS c1, r.n AS c2 FROM "+lhs+" FULL JOIN "+rhs+" ON l.k = r.k AND l.x < r.x",
		cols(KindString, KindInt, KindInt), true,
		`{c0="a", c1=1, c2=3}`, `{c0="a", c1=4, c2=2}`, `{c0="a", c1=4, c2=3}`)

	// The right input is a GROUP BY view whose group vanishes (HAVING) on
	// the second right row: the left row's padded row comes back.
	out = append(out, joinHandCase("left padded row back after right retraction",
		[]Row{hrow(1, "a", 1, 0, 0), hrow(2, "a", 0, 0, 10), hrow(2, "a", 0, 0, 20), hrow(1, "b", 2, 0, 30), hrow(2, "b", 0, 0, 40)},
		"CREATE VIEW rc AS SELECT k, COUNT(*) AS c FROM src WHERE g = 2 GROUP BY k HAVING COUNT(*) < 2;\n\n",
		"SELECT l.k AS c0, l.n AS c1, r.c AS c2 FROM "+lhs+" LEFT JOIN rc AS r ON l.k = r.k",
		"SELECT l.k AS c0, l.n AS c1, r.c AS c2 FROM "+lhs+" LEFT JOIN (SELECT k, COUNT(*) AS c FROM src WHERE g = 2 GROUP BY k HAVING COUNT(*) < 2) AS r ON l.k = r.k",
		cols(KindString, KindInt, KindInt), true,
		`{c0="a", c1=1, c2=NULL}`, `{c0="b", c1=2, c2=1}`))

	// NULL keys on both preserved sides never match each other.
	nullRows := []Row{hrow(1, "", 1, 0, 0), hrow(2, "", 2, 0, 10), hrow(1, "a", 3, 0, 20), hrow(2, "a", 4, 0, 30), hrow(1, "", 5, 0, 40)}
	same("full null keys", nullRows,
		"SELECT l.k AS c0, l.n AS c1, r.k AS c2, r.n AS c3 FROM "+lhs+" FULL JOIN "+rhs+" ON l.k = r.k",
		cols(KindString, KindInt, KindString, KindInt), true,
		`{c0=NULL, c1=1, c2=NULL, c3=NULL}`, `{c0=NULL, c1=NULL, c2=NULL, c3=2}`, `{c0="a", c1=3, c2="a", c3=4}`, `{c0=NULL, c1=5, c2=NULL, c3=NULL}`)
	same("right null key", nullRows,
		"SELECT l.n AS c0, r.k AS c1, r.n AS c2 FROM "+lhs+" RIGHT JOIN "+rhs+" ON l.k = r.k",
		cols(KindInt, KindString, KindInt), true,
		`{c0=NULL, c1=NULL, c2=2}`, `{c0=3, c1="a", c2=4}`)

	// Duplicates on both sides: every pair is a row.
	dups := []Row{hrow(1, "a", 1, 0, 0), hrow(2, "a", 7, 0, 10), hrow(1, "a", 1, 0, 20), hrow(2, "a", 7, 0, 30), hrow(2, "a", 7, 0, 40), hrow(1, "b", 1, 0, 50)}
	same("inner duplicates", dups,
		"SELECT l.k AS c0, l.n AS c1, r.n AS c2 FROM "+lhs+" JOIN "+rhs+" ON l.k = r.k",
		cols(KindString, KindInt, KindInt), false,
		`{c0="a", c1=1, c2=7}`, `{c0="a", c1=1, c2=7}`, `{c0="a", c1=1, c2=7}`, `{c0="a", c1=1, c2=7}`, `{c0="a", c1=1, c2=7}`, `{c0="a", c1=1, c2=7}`)
	// ... and against an updating count: each change retracts the row of
	// both duplicates.
	out = append(out, joinHandCase("left duplicates over updating count", dups,
		"CREATE VIEW rc AS SELECT k, COUNT(*) AS c FROM src WHERE g = 2 GROUP BY k;\n\n",
		"SELECT l.k AS c0, l.n AS c1, r.c AS c2 FROM "+lhs+" LEFT JOIN rc AS r ON l.k = r.k",
		"SELECT l.k AS c0, l.n AS c1, r.c AS c2 FROM "+lhs+" LEFT JOIN (SELECT k, COUNT(*) AS c FROM src WHERE g = 2 GROUP BY k) AS r ON l.k = r.k",
		cols(KindString, KindInt, KindInt), true,
		`{c0="a", c1=1, c2=3}`, `{c0="a", c1=1, c2=3}`, `{c0="b", c1=1, c2=NULL}`))

	// GROUP BY over a LEFT join keeps l.k and r.k (NULL when padded) apart,
	// and SUM(l.n) apart from SUM(r.n).
	const aj = " FROM " + lhs + " LEFT JOIN " + rhs + " ON l.k = r.k GROUP BY l.k, r.k"
	aggRows := append(append([]Row{}, nullRows...), hrow(1, "b", 6, 0, 50))
	out = append(out, joinHandCase("aggregate over left join", aggRows, "",
		"SELECT l.k AS c0, r.k AS c1, COUNT(*) AS c2, SUM(l.n) AS c3, SUM(r.n) AS c4"+aj,
		"SELECT l.k AS c0, r.k AS c1, COUNT(*) AS c2, CAST(SUM(l.n) AS BIGINT) AS c3, CAST(SUM(r.n) AS BIGINT) AS c4"+aj,
		cols(KindString, KindString, KindInt, KindInt, KindInt), true,
		`{c0=NULL, c1=NULL, c2=2, c3=6, c4=NULL}`, `{c0="a", c1="a", c2=1, c3=3, c4=4}`, `{c0="b", c1=NULL, c2=1, c3=6, c4=NULL}`))

	// An interval FULL join pads a row once the other side's watermark
	// passes its bound: the left row at 0 s misses the right one at 1.5 s,
	// which the left row at 2 s matches.
	const ij = "SELECT l.n AS c0, r.n AS c1 FROM " + lhs + " FULL JOIN " + rhs + " ON l.k = r.k AND r.ts BETWEEN "
	out = append(out, joinHandCase("full interval padded at bound",
		[]Row{hrow(1, "a", 1, 0, 0), hrow(2, "a", 2, 0, 1500), hrow(1, "a", 3, 0, 2000), hrow(2, "b", 4, 0, 2100), hrow(1, "a", 5, 0, 9000)},
		"", ij+"l.ts - INTERVAL '1' SECOND AND l.ts + INTERVAL '1' SECOND", ij+"l.ts - 1000000 AND l.ts + 1000000",
		cols(KindInt, KindInt), false,
		`{c0=1, c1=NULL}`, `{c0=3, c1=2}`, `{c0=NULL, c1=4}`, `{c0=5, c1=NULL}`))
	return out
}
