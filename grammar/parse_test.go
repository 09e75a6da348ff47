package grammar

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/grammar/parser"
)

// mustParse parses src and fails the test on any diagnostic.
func mustParse(t *testing.T, src string) *ast.Script {
	t.Helper()
	s, diags := Parse("test.sql", src)
	if len(diags) > 0 {
		t.Fatalf("Parse(%q) reported:\n%s", src, diag.Format("test.sql", src, diags))
	}
	return s
}

// view wraps a query in CREATE VIEW so a test can state only the query.
func viewShape(query string) string { return "(view v " + query + ")" }

func TestParseShapes(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"create stream", "CREATE STREAM s AS SELECT a FROM t;", "(view s (select [a] from (table t)))"},
		{"joins", "CREATE VIEW v AS SELECT * FROM a JOIN b ON a.k = b.k LEFT OUTER JOIN c USING (k), d;",
			"(view v (select [*] from (cross (left (inner (table a) (table b) on (= a.k b.k)) (table c) using k) (table d))))"},
		{"union all", "CREATE VIEW v AS SELECT a FROM x UNION ALL SELECT a FROM y UNION SELECT b FROM z EMIT CHANGES;",
			"(view v (select [a] from (table x) emit-changes union-all (select [a] from (table y) emit-changes) union (select [b] from (table z) emit-changes)))"},
		{"subquery in from", "CREATE VIEW v AS SELECT * FROM (SELECT a FROM t) q;", "(view v (select [*] from (subquery (select [a] from (table t)) as q)))"},
		{"ctes", "CREATE VIEW v AS WITH x AS (SELECT a FROM t), y AS (SELECT a FROM x) SELECT a FROM y;",
			"(view v (with x (select [a] from (table t)) (with y (select [a] from (table x)) (select [a] from (table y)))))"},
		{"source", `CREATE SOURCE trades (symbol VARCHAR NOT NULL, price DOUBLE, qty BIGINT NULL, ts TIMESTAMP(3) NOT NULL,
			WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (connector = 'file', path = 'trades.jsonl');`,
			`(source trades (symbol VARCHAR notnull) (price DOUBLE) (qty BIGINT) (ts TIMESTAMP[3] notnull) (watermark ts (- ts (interval "5" SECOND))) {connector="file" path="trades.jsonl"})`},
		{"source types", `CREATE SOURCE s (a BOOLEAN, b BOOL, c INT, d INTEGER, e SMALLINT, f TINYINT, g DOUBLE PRECISION,
			h FLOAT, i REAL, j VARCHAR(20), k STRING, l TEXT, m CHAR(3), n INTERVAL, o DECIMAL(10, 2), p numeric(5,1));`,
			`(source s (a BOOLEAN) (b BOOL) (c INT) (d INTEGER) (e SMALLINT) (f TINYINT) (g DOUBLE) (h FLOAT) (i REAL) (j VARCHAR[20]) (k STRING) (l TEXT) (m CHAR[3]) (n INTERVAL) (o DECIMAL[10 2]) (p NUMERIC[5 1]) {})`},
		{"option forms", `CREATE SOURCE s (a INT) WITH ('Path' = 'x', kafka.Bootstrap.servers = 'h:9092', n = 10, m = -2.5, b = TRUE, c = false, format = JSON);`,
			`(source s (a INT) {path="x" kafka.bootstrap.servers="h:9092" n="10" m="-2.5" b="true" c="false" format="json"})`},
		{"materialized view", `CREATE MATERIALIZED VIEW v AS SELECT a FROM t;`, viewShape(`(select [a] from (table t))`)},
		{"view", `CREATE VIEW v AS SELECT DISTINCT a, b AS x, c y FROM t AS u;`, viewShape(`(select distinct [a, b as x, c as y] from (table t as u))`)},
		{"sink from", `CREATE SINK out FROM v WITH (connector = 'stdout');`, `(sink out v {connector="stdout"})`},
		{"sink with", `CREATE SINK out WITH (connector = 'stdout');`, `(sink out nil {connector="stdout"})`},
		{"insert", `INSERT INTO out SELECT * FROM t;`, `(insert out (select [*] from (table t)))`},
		{"where group having emit", `CREATE VIEW v AS SELECT k, COUNT(*) FROM t WHERE x > 1 GROUP BY k, w HAVING COUNT(*) > 2 EMIT CHANGES;`,
			viewShape(`(select [k, (call COUNT *)] from (table t) where (> x 1) group [k w] having (> (call COUNT *) 2) emit-changes)`)},
		{"tumble short", `CREATE VIEW v AS SELECT * FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE) EMIT ON WINDOW CLOSE;`,
			viewShape(`(select [*] from (tumble trades ts [(interval "1" MINUTE)]) emit-close)`)},
		{"tumble offset alias", `CREATE VIEW v AS SELECT * FROM TUMBLE(t, ts, INTERVAL '1' HOUR, INTERVAL '15' MINUTES) AS w;`,
			viewShape(`(select [*] from (tumble t ts [(interval "1" HOUR) (interval "15" MINUTE)] as w))`)},
		{"hop short", `CREATE VIEW v AS SELECT * FROM HOP(t, ts, INTERVAL 5 SECONDS, INTERVAL '1' MINUTE) w;`,
			viewShape(`(select [*] from (hop t ts [(interval "5" SECOND) (interval "1" MINUTE)] as w))`)},
		{"tumble flink", `CREATE VIEW v AS SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND));`,
			viewShape(`(select [*] from (tumble t ts [(interval "10" SECOND)]))`)},
		{"hop flink", `CREATE VIEW v AS SELECT * FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '1' DAY, INTERVAL '2' DAYS, INTERVAL 100 MILLISECONDS)) AS w;`,
			viewShape(`(select [*] from (hop t ts [(interval "1" DAY) (interval "2" DAY) (interval "100" MILLISECOND)] as w))`)},
		{"precedence arithmetic", `CREATE VIEW v AS SELECT a + b * c - d / e % f || g FROM t;`,
			viewShape(`(select [(|| (- (+ a (* b c)) (% (/ d e) f)) g)] from (table t))`)},
		{"precedence boolean", `CREATE VIEW v AS SELECT * FROM t WHERE NOT a = 1 AND b <> 2 OR c != 3 AND d <= 4;`,
			viewShape(`(select [*] from (table t) where (OR (AND (NOT (= a 1)) (<> b 2)) (AND (<> c 3) (<= d 4))))`)},
		{"unary", `CREATE VIEW v AS SELECT -a, +b, - -c, -a * b FROM t;`,
			viewShape(`(select [(- a), (+ b), (- (- c)), (* (- a) b)] from (table t))`)},
		{"parentheses", `CREATE VIEW v AS SELECT (a + b) * c FROM t;`, viewShape(`(select [(* (+ a b) c)] from (table t))`)},
		{"predicates", `CREATE VIEW v AS SELECT * FROM t WHERE a IS NULL AND b IS NOT NULL AND c IN (1, 2) AND d NOT IN ('x')
			AND e BETWEEN 1 AND 2 + 3 AND f NOT BETWEEN g AND h AND i LIKE 'a%' AND j NOT LIKE '_';`,
			viewShape(`(select [*] from (table t) where (AND (AND (AND (AND (AND (AND (AND (isnull a) (not-isnull b)) (in c [1 2])) (not-in d ["x"])) (between e 1 (+ 2 3))) (not-between f g h)) (like i "a%")) (not-like j "_")))`)},
		{"comparison then is null", `CREATE VIEW v AS SELECT a = b IS NULL FROM t;`, viewShape(`(select [(isnull (= a b))] from (table t))`)},
		{"literals", `CREATE VIEW v AS SELECT 42, 4.2, .5, 1e3, 2.5E-3, 'it''s', TRUE, false, NULL,
			TIMESTAMP '2024-01-01 00:00:00', INTERVAL '5' SECOND, INTERVAL 3 HOURS FROM t;`,
			viewShape(`(select [42, float:4.2, float:.5, float:1e3, float:2.5E-3, "it's", true, false, null, (timestamp "2024-01-01 00:00:00"), (interval "5" SECOND), (interval "3" HOUR)] from (table t))`)},
		{"case searched", `CREATE VIEW v AS SELECT CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' ELSE 'zero' END FROM t;`,
			viewShape(`(select [(case nil (when (> a 0) "pos") (when (< a 0) "neg") else "zero")] from (table t))`)},
		{"case simple", `CREATE VIEW v AS SELECT CASE a WHEN 1 THEN 'one' END FROM t;`,
			viewShape(`(select [(case a (when 1 "one") else nil)] from (table t))`)},
		{"cast", `CREATE VIEW v AS SELECT CAST(a AS BIGINT), CAST(b AS DECIMAL(10, 2)), CAST(c AS double precision) FROM t;`,
			viewShape(`(select [(cast a BIGINT), (cast b DECIMAL[10 2]), (cast c DOUBLE)] from (table t))`)},
		{"calls", `CREATE VIEW v AS SELECT count(*), COUNT(DISTINCT x), sum(a * b), now(), tumble_start(ts, INTERVAL '1' MINUTE),
			left(s, 2), Right(s, 1), mod(a, 2), hour(ts), coalesce(a, b, 0) FROM t;`,
			viewShape(`(select [(call COUNT *), (call COUNT distinct x), (call SUM (* a b)), (call NOW), (call TUMBLE_START ts (interval "1" MINUTE)), (call LEFT s 2), (call RIGHT s 1), (call MOD a 2), (call HOUR ts), (call COALESCE a b 0)] from (table t))`)},
		{"substring", `CREATE VIEW v AS SELECT SUBSTRING(s FROM 2 FOR 3), substring(s FROM 2), SUBSTRING(s, 1, 2) FROM t;`,
			viewShape(`(select [(call SUBSTRING s 2 3), (call SUBSTRING s 2), (call SUBSTRING s 1 2)] from (table t))`)},
		{"qualified columns", `CREATE VIEW v AS SELECT t.a, w.window_start FROM t;`, viewShape(`(select [t.a, w.window_start] from (table t))`)},
		{"keywords as names", `CREATE SOURCE source (key VARCHAR, value BIGINT, timestamp TIMESTAMP, date VARCHAR, time VARCHAR,
			window_start TIMESTAMP, format VARCHAR, path VARCHAR, connector VARCHAR, sink INT, hour INT, minute INT, second INT, day INT,
			left INT, table INT, watermark INT, interval INT);`,
			`(source source (key VARCHAR) (value BIGINT) (timestamp TIMESTAMP) (date VARCHAR) (time VARCHAR) (window_start TIMESTAMP) (format VARCHAR) (path VARCHAR) (connector VARCHAR) (sink INT) (hour INT) (minute INT) (second INT) (day INT) (left INT) (table INT) (watermark INT) (interval INT) {})`},
		{"keywords as columns in expressions", `CREATE VIEW v AS SELECT timestamp, interval, key AS value, source.window FROM source;`,
			viewShape(`(select [timestamp, interval, key as value, source.window] from (table source))`)},
		{"comments", "-- a pipeline\nCREATE /* inline */ VIEW v AS SELECT a -- trailing\nFROM t /* multi\nline */;",
			viewShape(`(select [a] from (table t))`)},
		{"empty statements", ";;CREATE VIEW v AS SELECT a FROM t;;", viewShape(`(select [a] from (table t))`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sexpr(mustParse(t, tt.src))
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestCaseInsensitive(t *testing.T) {
	lower := mustParse(t, `create source t (a int not null, ts timestamp, watermark for ts as ts - interval '1' second) with (connector = 'file');
create materialized view v as select distinct a, count(*) from tumble(t, ts, interval '1' minute) where a is not null group by a having count(*) > 1 emit on window close;
create sink s from v;`)
	upper := mustParse(t, `CREATE SOURCE T (A INT NOT NULL, TS TIMESTAMP, WATERMARK FOR TS AS TS - INTERVAL '1' SECOND) WITH (CONNECTOR = 'file');
CREATE MATERIALIZED VIEW V AS SELECT DISTINCT A, COUNT(*) FROM TUMBLE(T, TS, INTERVAL '1' MINUTE) WHERE A IS NOT NULL GROUP BY A HAVING COUNT(*) > 1 EMIT ON WINDOW CLOSE;
CREATE SINK S FROM V;`)
	mixed := mustParse(t, `Create Source t (a Int Not Null, Ts TimeStamp, WaterMark For ts As ts - Interval '1' Second) With (Connector = 'file');
Create Materialized View v As Select Distinct a, Count(*) From Tumble(t, ts, Interval '1' Minute) Where a Is Not Null Group By a Having Count(*) > 1 Emit On Window Close;
Create Sink s From v;`)
	if sexpr(lower) != sexpr(upper) || sexpr(lower) != sexpr(mixed) {
		t.Errorf("case changed the tree:\n%s\n%s\n%s", sexpr(lower), sexpr(upper), sexpr(mixed))
	}
}

func TestQuotedIdentifiers(t *testing.T) {
	s := mustParse(t, "CREATE VIEW \"My View\" AS SELECT \"a \"\"quoted\"\" col\", `back``tick`, \"SELECT\", `-- not a comment`, \"ünï;cødé\" AS \"Out\" FROM \"Table\";")
	v := s.Stmts[0].(*ast.CreateView)
	if v.Name != (ast.Ident{Pos: v.Name.Pos, Name: "My View", Quoted: true}) {
		t.Errorf("view name = %+v", v.Name)
	}
	var names []string
	for _, it := range v.Query.Items {
		ref := it.Expr.(*ast.ColumnRef)
		if !ref.Name.Quoted {
			t.Errorf("%q not marked quoted", ref.Name.Name)
		}
		names = append(names, ref.Name.Name)
	}
	want := []string{`a "quoted" col`, "back`tick", "SELECT", "-- not a comment", "ünï;cødé"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("names = %q, want %q", names, want)
	}
	if a := v.Query.Items[4].Alias; a == nil || a.Name != "Out" || !a.Quoted {
		t.Errorf("alias = %+v", a)
	}
	if tn := v.Query.From.(*ast.TableName); tn.Name.Name != "Table" {
		t.Errorf("table = %+v", tn.Name)
	}
	// Unquoted names fold to lower case, Unicode included.
	s = mustParse(t, "CREATE VIEW Ünits AS SELECT Größe FROM T;")
	v = s.Stmts[0].(*ast.CreateView)
	if v.Name.Name != "ünits" || v.Query.Items[0].Expr.(*ast.ColumnRef).Name.Name != "größe" {
		t.Errorf("folding: %s", sexpr(s))
	}
}

func TestStringLiterals(t *testing.T) {
	tests := []struct{ src, want string }{
		{`'plain'`, "plain"},
		{`''`, ""},
		{`'it''s'`, "it's"},
		{`'say "hi"'`, `say "hi"`},
		{"'back`tick`'", "back`tick`"},
		{`'C:\path\n'`, `C:\path\n`},
		{"'line one\nline two'", "line one\nline two"},
		{"'-- not a comment /* nor this */'", "-- not a comment /* nor this */"},
		{`'; CREATE SINK x;'`, "; CREATE SINK x;"},
		{"'package main\n\nfunc main() { println(\"`hi`\") }\n// */'", "package main\n\nfunc main() { println(\"`hi`\") }\n// */"},
		{`'ünïcødé ✓'`, "ünïcødé ✓"},
	}
	for _, tt := range tests {
		s := mustParse(t, "CREATE VIEW v AS SELECT "+tt.src+" AS s FROM t;")
		lit := s.Stmts[0].(*ast.CreateView).Query.Items[0].Expr.(*ast.Literal)
		if lit.Kind != ast.LitString || lit.Text != tt.want {
			t.Errorf("%s: got %v %q, want %q", tt.src, lit.Kind, lit.Text, tt.want)
		}
	}
	// Option values are string contents too.
	s := mustParse(t, "CREATE SINK k WITH (path = 'a''b\n\"c\"`d`');")
	if got := s.Stmts[0].(*ast.CreateSink).With[0].Value; got != "a'b\n\"c\"`d`" {
		t.Errorf("option value = %q", got)
	}
}

func TestPositions(t *testing.T) {
	// "é" is 2 bytes and "日" 3 bytes, one column each.
	src := "-- é\nCREATE VIEW v AS\n  SELECT 'é日', x + 1 AS y\n\tFROM t;"
	s := mustParse(t, src)
	v := s.Stmts[0].(*ast.CreateView)
	sel := v.Query
	plus := sel.Items[1].Expr.(*ast.Binary)
	tests := []struct {
		name string
		got  ast.Pos
		want ast.Pos
	}{
		{"CREATE", v.Pos, ast.Pos{Line: 2, Col: 1, Offset: 6}},
		{"view name", v.Name.Pos, ast.Pos{Line: 2, Col: 13, Offset: 18}},
		{"SELECT", sel.Pos, ast.Pos{Line: 3, Col: 3, Offset: 25}},
		{"string", sel.Items[0].Expr.Position(), ast.Pos{Line: 3, Col: 10, Offset: 32}},
		{"item after multi-byte", sel.Items[1].Pos, ast.Pos{Line: 3, Col: 16, Offset: 41}},
		{"binary at its left operand", plus.Pos, ast.Pos{Line: 3, Col: 16, Offset: 41}},
		{"right operand", plus.R.Position(), ast.Pos{Line: 3, Col: 20, Offset: 45}},
		{"alias", sel.Items[1].Alias.Pos, ast.Pos{Line: 3, Col: 25, Offset: 50}},
		{"table after tab", sel.From.Position(), ast.Pos{Line: 4, Col: 7, Offset: 58}},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, tt.got, tt.want)
		}
	}
	// Offsets index the source bytes, and line:col agree with them.
	for _, tt := range tests {
		if !reflect.DeepEqual(posAtOffset(src, tt.got.Offset), tt.got) {
			t.Errorf("%s: offset %d is at %+v, not %+v", tt.name, tt.got.Offset, posAtOffset(src, tt.got.Offset), tt.got)
		}
	}
	if !strings.HasPrefix(src[plus.R.Position().Offset:], "1 AS y") {
		t.Errorf("offset of 1 points at %q", src[plus.R.Position().Offset:])
	}

	// Positions of the other node kinds.
	src = "CREATE SOURCE s (a INT, WATERMARK FOR a AS a) WITH (k = 'v');\nCREATE SINK o FROM v;\nINSERT INTO o SELECT * FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(a), INTERVAL '1' SECOND)) EMIT CHANGES;"
	s = mustParse(t, src)
	src2 := s.Stmts[0].(*ast.CreateSource)
	ins := s.Stmts[2].(*ast.Insert)
	more := []struct {
		name string
		got  ast.Pos
		want ast.Pos
	}{
		{"column", src2.Columns[0].Pos, ast.Pos{Line: 1, Col: 18, Offset: 17}},
		{"type", src2.Columns[0].Type.Pos, ast.Pos{Line: 1, Col: 20, Offset: 19}},
		{"watermark", src2.Watermark.Pos, ast.Pos{Line: 1, Col: 25, Offset: 24}},
		{"option", src2.With[0].Pos, ast.Pos{Line: 1, Col: 53, Offset: 52}},
		{"sink", s.Stmts[1].Position(), ast.Pos{Line: 2, Col: 1, Offset: 62}},
		{"insert", ins.Pos, ast.Pos{Line: 3, Col: 1, Offset: 84}},
		{"star item", ins.Query.Items[0].Pos, ast.Pos{Line: 3, Col: 22, Offset: 105}},
		{"window TVF", ins.Query.From.Position(), ast.Pos{Line: 3, Col: 29, Offset: 112}},
		{"window table", ins.Query.From.(*ast.WindowTVF).Table.Pos, ast.Pos{Line: 3, Col: 48, Offset: 131}},
		{"interval", ins.Query.From.(*ast.WindowTVF).Args[0].Position(), ast.Pos{Line: 3, Col: 66, Offset: 149}},
		{"EMIT", ins.Query.EmitPos, ast.Pos{Line: 3, Col: 88, Offset: 171}},
	}
	for _, tt := range more {
		if tt.got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, tt.got, tt.want)
		}
		if !reflect.DeepEqual(posAtOffset(src, tt.got.Offset), tt.got) {
			t.Errorf("%s: offset %d is at %+v, not %+v", tt.name, tt.got.Offset, posAtOffset(src, tt.got.Offset), tt.got)
		}
	}
	if !strings.HasPrefix(src[ins.Query.EmitPos.Offset:], "EMIT") || !strings.HasPrefix(src[src2.With[0].Pos.Offset:], "k =") {
		t.Errorf("EMIT or option offset is off")
	}
}

// errorLines renders diagnostics as "line:col CODE message" for comparison.
func errorLines(diags []diag.Diagnostic) []string {
	var out []string
	for _, d := range diags {
		out = append(out, fmt.Sprintf("%d:%d %s %s", d.Pos.Line, d.Pos.Col, d.Code, d.Msg))
	}
	return out
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"missing expression", "CREATE VIEW v AS SELECT FROM t;",
			[]string{`1:25 LDB-1001 unexpected "FROM", expected DISTINCT or an expression`}},
		{"dangling operator", "CREATE VIEW v AS SELECT a FROM t WHERE a = ;",
			[]string{`1:44 LDB-1001 unexpected ";", expected an expression`}},
		{"missing comma", "CREATE SOURCE s (a INT b INT);",
			[]string{`1:24 LDB-1001 unexpected "b", expected ")" or ","`}},
		{"missing semicolon", "CREATE SOURCE s (a INT)\nCREATE SINK k FROM v",
			[]string{`1:24 LDB-1001 missing ";" after statement`, `2:21 LDB-1001 missing ";" after statement`}},
		{"not a statement", "GRANT SELECT ON t TO u;",
			[]string{`1:1 LDB-1001 unexpected "GRANT", expected a statement (CREATE ... or INSERT INTO ...)`}},
		{"shell statement", "DROP TABLE t;",
			[]string{`1:1 LDB-1003 DROP is not a statement of a pipeline`}},
		{"show", "SHOW TABLES;", []string{`1:1 LDB-1003 SHOW is not a statement of a pipeline`}},
		{"explain", "EXPLAIN SELECT a FROM t;", []string{`1:1 LDB-1003 EXPLAIN is not a statement of a pipeline`}},
		{"set", "SET search_path TO public;", []string{`1:1 LDB-1003 SET is not a statement of a pipeline`}},
		{"create or replace", "CREATE OR REPLACE VIEW v AS SELECT a FROM t;",
			[]string{`1:1 LDB-1003 CREATE OR REPLACE is not supported: a pipeline defines each view once`}},
		{"insert overwrite", "INSERT OVERWRITE o SELECT a FROM t;",
			[]string{`1:8 LDB-1003 INSERT OVERWRITE is not supported: a sink receives a stream of rows`}},
		{"java function", "CREATE FUNCTION f AS 'com.example.F' LANGUAGE JAVA;",
			[]string{`1:1 LDB-1003 CREATE FUNCTION needs its parameters, RETURNS type and LANGUAGE GO`}},
		{"ordered aggregate", "CREATE VIEW v AS SELECT LISTAGG(a ORDER BY b) AS l FROM t;",
			[]string{`1:35 LDB-1003 ORDER BY inside LISTAGG(...) is not supported`}},
		{"within group", "CREATE VIEW v AS SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY a) AS p FROM t;",
			[]string{`1:46 LDB-1003 WITHIN GROUP (ordered-set aggregates) is not supported`}},
		{"similar to", "CREATE VIEW v AS SELECT a FROM t WHERE a SIMILAR TO 'x';",
			[]string{`1:42 LDB-1003 SIMILAR TO is not supported`}},
		{"unclosed paren", "CREATE VIEW v AS SELECT a FROM t WHERE (a = 1;",
			[]string{`1:46 LDB-1001 unexpected ";", expected ")"`}},
		{"end of input", "CREATE SOURCE s (a INT",
			[]string{`1:23 LDB-1001 unexpected end of input, expected ")" or ","`}},
		{"bare emit", "CREATE VIEW v AS SELECT a FROM t EMIT;",
			[]string{`1:38 LDB-1001 unexpected ";", expected AFTER, CHANGES, ON or PERIODICALLY`}},
		{"missing name", "CREATE SINK x FROM;", []string{`1:19 LDB-1001 unexpected ";", expected a name`}},
		{"reserved word as name", "CREATE SOURCE select (a INT);", []string{`1:15 LDB-1001 unexpected "select", expected a name`}},
		{"bad character", "CREATE VIEW v AS SELECT a # b FROM t;", []string{`1:27 LDB-1001 unexpected character "#"`}},
		{"unterminated string", "CREATE VIEW v AS SELECT 'abc FROM t;", []string{`1:25 LDB-1001 unterminated string literal: a ' is missing`}},
		{"unterminated name", `CREATE VIEW "v AS SELECT 1;`, []string{`1:13 LDB-1001 unterminated quoted name: a " is missing`}},
		{"unterminated comment", "CREATE VIEW v AS SELECT 1 FROM t; /* never closed", []string{`1:35 LDB-1001 unterminated comment: */ is missing`}},
		{"empty quoted name", `CREATE VIEW "" AS SELECT a FROM t;`, []string{`1:13 LDB-1001 a quoted name cannot be empty`}},
		{"two watermarks", "CREATE SOURCE s (a INT, WATERMARK FOR a AS a, WATERMARK FOR a AS a);",
			[]string{`1:47 LDB-1001 a source declares at most one WATERMARK`}},
		{"integer out of range", "CREATE VIEW v AS SELECT 99999999999999999999 FROM t;",
			[]string{`1:25 LDB-1002 integer 99999999999999999999 is out of range (at most 9223372036854775807)`}},
		{"bad timestamp", "CREATE VIEW v AS SELECT TIMESTAMP '2024-13-01' FROM t;",
			[]string{`1:35 LDB-1002 malformed timestamp '2024-13-01': expected 'YYYY-MM-DD hh:mm:ss[.ffffff]'`}},
		{"bad interval", "CREATE VIEW v AS SELECT INTERVAL 'x' SECOND, INTERVAL '1' WEEK FROM t;",
			[]string{`1:34 LDB-1002 malformed interval quantity 'x': expected a number such as '5'`,
				`1:59 LDB-1002 unknown interval unit WEEK: expected MILLISECOND, SECOND, MINUTE, HOUR or DAY`}},
		{"join without condition", "CREATE VIEW v AS SELECT * FROM a JOIN b;", []string{`1:34 LDB-1001 JOIN needs ON or USING (or write CROSS JOIN)`}},
		{"cross join with condition", "CREATE VIEW v AS SELECT * FROM a CROSS JOIN b ON a.k = b.k;", []string{`1:34 LDB-1001 CROSS JOIN takes no ON or USING`}},
		{"intersect", "CREATE VIEW v AS SELECT a FROM x INTERSECT SELECT a FROM y;", []string{`1:34 LDB-1003 INTERSECT is not supported yet: UNION and UNION ALL are`}},
		{"scalar subquery", "CREATE VIEW v AS SELECT * FROM t WHERE a > (SELECT MAX(b) FROM u);",
			[]string{`1:44 LDB-1003 scalar subqueries are not supported yet: join with the subquery instead`}},
		{"unknown named window", "CREATE VIEW v AS SELECT SUM(a) OVER w FROM t;",
			[]string{`1:37 LDB-2002 unknown window w: OVER w names a window of the SELECT's WINDOW clause`}},
		{"named window twice", "CREATE VIEW v AS SELECT SUM(a) OVER w FROM t WINDOW w AS (PARTITION BY k), w AS (ORDER BY a);",
			[]string{`1:76 LDB-1001 window w is defined twice`}},
		{"named window of the outer query", "CREATE VIEW v AS SELECT * FROM (SELECT SUM(a) OVER w AS s FROM t) WINDOW w AS (PARTITION BY k);",
			[]string{`1:52 LDB-2002 unknown window w: OVER w names a window of the SELECT's WINDOW clause`}},
		{"emit periodically", "CREATE VIEW v AS SELECT * FROM t EMIT PERIODICALLY;",
			[]string{`1:34 LDB-1001 EMIT PERIODICALLY needs an interval: EMIT PERIODICALLY INTERVAL '10' SECOND`}},
		{"partition of a tumble", "CREATE VIEW v AS SELECT * FROM TABLE(TUMBLE(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL '1' MINUTE));",
			[]string{`1:45 LDB-2011 PARTITION BY belongs to SESSION windows, not TUMBLE`}},
		{"session arity", "CREATE VIEW v AS SELECT * FROM SESSION(t, ts);",
			[]string{`1:32 LDB-2011 SESSION takes 3 arguments, not 2: SESSION(table, time_column, gap)`}},
		{"other table function", "CREATE VIEW v AS SELECT * FROM TABLE(unnest(x));",
			[]string{`1:38 LDB-1003 table function UNNEST is not supported: FROM takes a table, TUMBLE(...), HOP(...), SESSION(...) or CUMULATE(...)`}},
		{"window arity", "CREATE VIEW v AS SELECT * FROM TUMBLE(t, ts);",
			[]string{`1:32 LDB-2011 TUMBLE takes 3 or 4 arguments, not 2: TUMBLE(table, time_column, size [, offset])`}},
		{"window table argument", "CREATE VIEW v AS SELECT * FROM HOP(t.x, ts, INTERVAL '1' SECOND, INTERVAL '2' SECOND);",
			[]string{`1:36 LDB-2011 argument 1 of HOP must be a table name: HOP(table, time_column, slide, size [, offset])`}},
		{"misplaced descriptor", "CREATE VIEW v AS SELECT * FROM TABLE(TUMBLE(TABLE t, ts, DESCRIPTOR(x)));",
			[]string{`1:58 LDB-1001 DESCRIPTOR may only wrap the second argument of TUMBLE: TUMBLE(table, time_column, size [, offset])`}},
		{"bare query", "SELECT * FROM t;",
			[]string{`1:1 LDB-1003 a query must be part of CREATE MATERIALIZED VIEW name AS ... or INSERT INTO sink ...`}},
		{"create table with a watermark", "CREATE TABLE t (a INT, ts TIMESTAMP, WATERMARK FOR ts AS ts) WITH ('connector' = 'file');",
			[]string{`1:38 LDB-1003 a lookup table (CREATE TABLE) has no WATERMARK: joins read it by key; declare a stream with CREATE SOURCE`}},
		{"too deep", "CREATE VIEW v AS SELECT " + strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300) + " FROM t;",
			[]string{`1:225 LDB-1001 expression nested too deeply (more than 200 levels)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, diags := Parse("test.sql", tt.src)
			if got := errorLines(diags); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if len(s.Stmts) != 0 && !strings.Contains(tt.name, "semicolon") && !strings.Contains(tt.name, "comment") {
				t.Errorf("a statement with an error was kept: %s", sexpr(s))
			}
		})
	}
}

// An error in one statement must not hide the errors of the others, nor drop
// the statements that are correct.
func TestSeveralErrorsAtOnce(t *testing.T) {
	src := `CREATE SOURCE s (a INT, ts TIMESTAMP, WATERMARK FOR ts AS ts);
CREATE VIEW v1 AS SELECT a FROM s WHERE a = 1 +;
CREATE VIEW v2 AS SELECT FROM s;
CREATE VIEW ok AS SELECT a FROM s;
CREATE SINK x FROM;
CREATE VIEW v3 AS SELECT a FROM s INTERSECT SELECT a FROM t;
CREATE VIEW v4 AS SELECT a FROM s
CREATE SINK done FROM ok;`
	s, diags := Parse("p.sql", src)
	want := []string{
		`2:48 LDB-1001 unexpected ";", expected an expression`,
		`3:26 LDB-1001 unexpected "FROM", expected DISTINCT or an expression`,
		`5:19 LDB-1001 unexpected ";", expected a name`,
		`6:35 LDB-1003 INTERSECT is not supported yet: UNION and UNION ALL are`,
		`7:34 LDB-1001 missing ";" after statement`,
	}
	if got := errorLines(diags); !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var names []string
	for _, st := range s.Stmts {
		switch st := st.(type) {
		case *ast.CreateSource:
			names = append(names, st.Name.Name)
		case *ast.CreateView:
			names = append(names, st.Name.Name)
		case *ast.CreateSink:
			names = append(names, st.Name.Name)
		}
	}
	if want := []string{"s", "ok", "v4", "done"}; !reflect.DeepEqual(names, want) {
		t.Errorf("statements kept = %v, want %v", names, want)
	}
}

// A pipeline that uses every construct of the dialect.
func TestEveryConstruct(t *testing.T) {
	src := `-- Every construct of this slice of the dialect.
CREATE SOURCE trades (
  symbol VARCHAR(8) NOT NULL, price DOUBLE PRECISION, volume BIGINT NULL, ts TIMESTAMP(3) NOT NULL,
  amount DECIMAL(10, 2), "Exchange" STRING, ` + "`flag`" + ` BOOLEAN,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (connector = 'file', 'path' = 'trades.jsonl', format = json, batch.size = 100);

CREATE MATERIALIZED VIEW vwap AS
SELECT symbol, window_start, window_end,
       SUM(price * volume) / SUM(volume) AS vwap, COUNT(*) n, COUNT(DISTINCT "Exchange") AS venues
FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE)
WHERE price > 0 AND symbol NOT LIKE 'TEST%' AND volume IS NOT NULL
GROUP BY symbol, window_start, window_end
HAVING COUNT(*) >= 2
EMIT ON WINDOW CLOSE;

CREATE VIEW labelled AS
SELECT DISTINCT t.symbol,
       CASE WHEN price BETWEEN 0 AND 10 THEN 'penny' WHEN price NOT BETWEEN 10 AND 1000 THEN 'odd' ELSE 'normal' END AS band,
       CASE symbol WHEN 'A' THEN 1 ELSE 0 END AS is_a,
       CAST(volume AS DOUBLE) / 2.5 + -1 AS half, SUBSTRING(symbol FROM 1 FOR 2) || '!' AS prefix,
       symbol IN ('A', 'B') AS ab, TIMESTAMP '2024-01-01 00:00:00' AS epoch, -- comment
       NOT (price <> 1 OR price != 2) AS odd, price % 3 AS m, NULL AS nothing, TRUE AS yes
FROM trades AS t
EMIT CHANGES;

CREATE VIEW hopping AS
SELECT window_start, AVG(price) AS avg_price
FROM TABLE(HOP(TABLE trades, DESCRIPTOR(ts), INTERVAL '10' SECONDS, INTERVAL 1 MINUTE)) AS w
GROUP BY window_start;

CREATE SINK vwap_out FROM vwap WITH (connector = 'file', path = 'vwap.jsonl', format = 'json');
CREATE SINK alerts WITH (connector = 'stdout');
INSERT INTO alerts SELECT * FROM labelled WHERE odd;
`
	s := mustParse(t, src)
	want := []string{
		`(source trades (symbol VARCHAR[8] notnull) (price DOUBLE) (volume BIGINT) (ts TIMESTAMP[3] notnull) (amount DECIMAL[10 2]) ("Exchange" STRING) ("flag" BOOLEAN) (watermark ts (- ts (interval "5" SECOND))) {connector="file" path="trades.jsonl" format="json" batch.size="100"})`,
		`(view vwap (select [symbol, window_start, window_end, (/ (call SUM (* price volume)) (call SUM volume)) as vwap, (call COUNT *) as n, (call COUNT distinct "Exchange") as venues] from (tumble trades ts [(interval "1" MINUTE)]) where (AND (AND (> price 0) (not-like symbol "TEST%")) (not-isnull volume)) group [symbol window_start window_end] having (>= (call COUNT *) 2) emit-close))`,
		`(view labelled (select distinct [t.symbol, (case nil (when (between price 0 10) "penny") (when (not-between price 10 1000) "odd") else "normal") as band, (case symbol (when "A" 1) else 0) as is_a, (+ (/ (cast volume DOUBLE) float:2.5) (- 1)) as half, (|| (call SUBSTRING symbol 1 2) "!") as prefix, (in symbol ["A" "B"]) as ab, (timestamp "2024-01-01 00:00:00") as epoch, (NOT (OR (<> price 1) (<> price 2))) as odd, (% price 3) as m, null as nothing, true as yes] from (table trades as t) emit-changes))`,
		`(view hopping (select [window_start, (call AVG price) as avg_price] from (hop trades ts [(interval "10" SECOND) (interval "1" MINUTE)] as w) group [window_start]))`,
		`(sink vwap_out vwap {connector="file" path="vwap.jsonl" format="json"})`,
		`(sink alerts nil {connector="stdout"})`,
		`(insert alerts (select [*] from (table labelled) where odd))`,
	}
	got := strings.Split(sexpr(s), "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d statements, want %d:\n%s", len(got), len(want), sexpr(s))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("statement %d:\ngot  %s\nwant %s", i+1, got[i], want[i])
		}
	}
	// Spot checks of what the printer leaves out.
	if v := s.Stmts[1].(*ast.CreateView); v.Query.EmitPos.Line != 15 {
		t.Errorf("EMIT position = %+v", v.Query.EmitPos)
	}
	// The table in FROM trades AS t keeps its own name and the alias.
	from := s.Stmts[2].(*ast.CreateView).Query.From.(*ast.TableName)
	if from.Name.Name != "trades" || from.Alias.Name != "t" {
		t.Errorf("FROM = %+v", from)
	}
}

// Every keyword that is not reserved must work as a name, and every reserved
// one must not: the reservedWords table and the grammar agree.
func TestKeywordsUsableAsNames(t *testing.T) {
	parser.LaminarSQLLexerInit()
	for tok := range parser.LaminarSQLLexerLexerStaticData.LiteralNames {
		if !isKeyword(tok) {
			continue
		}
		word := strings.ToLower(tokenDisplayName(tok))
		srcs := []string{
			"CREATE SOURCE " + word + " (" + word + " INT) WITH (" + word + " = 'v');",
			"CREATE VIEW v AS SELECT " + word + ", " + word + "." + word + ", a AS " + word + " FROM " + word + ";",
		}
		for _, src := range srcs {
			_, diags := Parse("kw.sql", src)
			if reservedWords[tok] && len(diags) == 0 {
				t.Errorf("reserved word %s accepted as a name: %s", word, src)
			}
			if !reservedWords[tok] && len(diags) > 0 {
				t.Errorf("non-reserved word %s rejected as a name: %s\n%v", word, src, errorLines(diags))
			}
		}
	}
}

func TestEmptyInput(t *testing.T) {
	for _, src := range []string{"", "  \n\t", "-- only a comment", "/* block */ ;;"} {
		s, diags := Parse("empty.sql", src)
		if len(s.Stmts) != 0 || len(diags) != 0 {
			t.Errorf("%q: got %d statements, diags %v", src, len(s.Stmts), errorLines(diags))
		}
	}
}

// The committed parser must have been generated from the committed grammar.
func TestParserUpToDate(t *testing.T) {
	g4, err := os.ReadFile("LaminarSQL.g4")
	if err != nil {
		t.Fatal(err)
	}
	recorded, err := os.ReadFile("parser/GRAMMAR.sha256")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(g4)
	if got := hex.EncodeToString(sum[:]); strings.TrimSpace(string(recorded)) != got {
		t.Fatalf("parser is stale: run go generate ./grammar/... (LaminarSQL.g4 has SHA-256 %s, parser/GRAMMAR.sha256 says %s)",
			got, strings.TrimSpace(string(recorded)))
	}
}

// posAtOffset computes line and column (in runes) of a byte offset the slow,
// obvious way, to check the parser's conversion.
func posAtOffset(src string, offset int) ast.Pos {
	before := src[:offset]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndex(before, "\n")+1:]) + 1
	return ast.Pos{Line: line, Col: col, Offset: offset}
}

func BenchmarkParsePipeline(b *testing.B) {
	src := strings.Repeat(`CREATE SOURCE trades (symbol VARCHAR NOT NULL, price DOUBLE, volume BIGINT, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (connector = 'file', path = 'trades.jsonl', format = 'json');
CREATE MATERIALIZED VIEW vwap AS SELECT symbol, window_start, window_end, SUM(price * volume) / SUM(volume) AS vwap, COUNT(*) AS n
FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE) GROUP BY symbol, window_start, window_end EMIT ON WINDOW CLOSE;
CREATE SINK vwap_out FROM vwap WITH (connector = 'file', path = 'vwap.jsonl', format = 'json');
`, 10)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, diags := Parse("bench.sql", src); len(diags) > 0 {
			b.Fatal(diags)
		}
	}
}
