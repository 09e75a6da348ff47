package grammar

import (
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics (nor reaches its recover guard),
// and that every diagnostic and node position points inside the source.
func FuzzParse(f *testing.F) {
	seeds := []string{
		// Valid pipelines.
		"CREATE SOURCE trades (symbol VARCHAR NOT NULL, price DOUBLE, volume BIGINT, ts TIMESTAMP NOT NULL,\n  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND\n) WITH (connector = 'file', path = 'trades.jsonl', format = 'json');",
		"CREATE MATERIALIZED VIEW vwap AS SELECT symbol, window_start, window_end, SUM(price * volume) / SUM(volume) AS vwap, COUNT(*) AS n FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE) GROUP BY symbol, window_start, window_end EMIT ON WINDOW CLOSE;",
		"CREATE SINK vwap_out FROM vwap WITH (connector = 'file', path = 'vwap.jsonl', format = 'json');",
		"CREATE SINK s WITH (connector = 'stdout'); INSERT INTO s SELECT * FROM v;",
		"CREATE VIEW h AS SELECT * FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECONDS, INTERVAL 1 MINUTE)) AS w;",
		"CREATE VIEW v AS SELECT CASE WHEN a > 1 THEN 'x' WHEN a IS NULL THEN 'n' ELSE 'y' END, CAST(a AS DECIMAL(10, 2)) FROM t;",
		"CREATE VIEW v AS SELECT SUBSTRING(s FROM 1 FOR 2), COUNT(DISTINCT x), a || 'b' FROM t WHERE a NOT BETWEEN 1 AND 2 AND b NOT IN (1, 2) OR c LIKE 'x%' EMIT CHANGES;",
		"CREATE VIEW v AS SELECT \"Quoted \"\" name\", `back``tick` FROM \"T\";",
		"CREATE VIEW v AS SELECT 'it''s\n\"go\" `code`' AS s, TIMESTAMP '2024-01-01 00:00:00', 1e3, .5, -4.2 FROM t;",
		"-- comment\n/* block */ create view v as select key, value, timestamp from source;",
		"CREATE VIEW ünï AS SELECT größe FROM 日本;",
		// Broken ones.
		"",
		";;;",
		"SELECT",
		"CREATE",
		"CREATE SOURCE s (",
		"CREATE SOURCE s (a INT b INT);",
		"CREATE VIEW v AS SELECT FROM t;",
		"CREATE VIEW v AS SELECT a FROM t WHERE a = ;",
		"CREATE VIEW v AS SELECT a FROM t\nCREATE SINK s FROM v",
		"CREATE VIEW v AS SELECT 'unterminated FROM t;",
		"CREATE VIEW \"unterminated AS SELECT 1;",
		"/* unterminated comment",
		"CREATE VIEW v AS SELECT a # b FROM t;",
		"CREATE VIEW v AS SELECT * FROM a JOIN b ON a.x = b.x ORDER BY a LIMIT 1;",
		"CREATE VIEW v AS SELECT a FROM x UNION SELECT a FROM y EMIT AFTER WATERMARK;",
		"CREATE VIEW v AS SELECT f(a) OVER (PARTITION BY b) FROM (SELECT 1 FROM t);",
		"CREATE VIEW v AS SELECT * FROM TUMBLE(t);",
		"CREATE VIEW v AS SELECT INTERVAL 'x' WEEK, 99999999999999999999, TIMESTAMP 'nope' FROM t;",
		"CREATE VIEW v AS SELECT ((((((1 FROM t;",
		"CREATE VIEW v AS SELECT CASE CASE CASE END FROM t;",
		"INSERT INTO",
		"CREATE TABLE t (a INT);",
		"\xff\xfe CREATE VIEW v AS SELECT '\xff' FROM t;",
		"CREATE SOURCE s (a INT, WATERMARK FOR a AS a, WATERMARK FOR a AS a);",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, diags := Parse("fuzz.sql", src)
		if s == nil {
			t.Fatal("nil script")
		}
		lines := strings.Count(src, "\n") + 1
		for _, d := range diags {
			if strings.Contains(d.Msg, "internal parser error") {
				t.Fatalf("parser panicked on %q: %s", src, d.Msg)
			}
			p := d.Pos
			if p.Line < 1 || p.Line > lines || p.Col < 1 || p.Offset < 0 || p.Offset > len(src) {
				t.Fatalf("diagnostic %q at %+v outside the source (%d bytes, %d lines)", d.Msg, p, len(src), lines)
			}
			if posAtOffset(src, p.Offset) != p {
				t.Fatalf("diagnostic %q: position %+v disagrees with offset", d.Msg, p)
			}
		}
		for _, st := range s.Stmts {
			if st == nil {
				t.Fatal("nil statement")
			}
			if p := st.Position(); p.Offset < 0 || p.Offset >= len(src) || posAtOffset(src, p.Offset) != p {
				t.Fatalf("statement at %+v", p)
			}
		}
	})
}
