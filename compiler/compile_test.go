package compiler

import (
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler/diag"
)

const trades = `CREATE SOURCE trades (symbol VARCHAR NOT NULL, price DOUBLE, volume BIGINT, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (connector = 'file', path = 't.jsonl');
CREATE SOURCE plain (a BIGINT, s VARCHAR) WITH (connector = 'stdin');
`

func compileErr(t *testing.T, src string) []diag.Diagnostic {
	t.Helper()
	res, diags := Compile("p.sql", "p", src)
	if res != nil {
		t.Fatalf("expected errors, compiled:\n%s", src)
	}
	return diags
}

// TestErrors checks the code, position and hint of the binder's errors.
func TestErrors(t *testing.T) {
	cases := []struct {
		name, sql string
		code      diag.Code
		line, col int
		hint      string
	}{
		{"unknown column", "CREATE VIEW v AS SELECT prize FROM trades;", diag.UnknownColumn, 4, 25, "did you mean price?"},
		{"unknown source", "CREATE VIEW v AS SELECT * FROM trade;", diag.UnknownTable, 4, 32, "did you mean trades?"},
		{"not grouped", "CREATE VIEW v AS SELECT symbol, price FROM trades GROUP BY symbol;", diag.NotGrouped, 4, 33, "add price to GROUP BY"},
		{"aggregate in where", "CREATE VIEW v AS SELECT symbol FROM trades WHERE SUM(price) > 1 GROUP BY symbol;", diag.MisplacedAggregate, 4, 50, ""},
		{"type mismatch", "CREATE VIEW v AS SELECT symbol + 1 AS x FROM trades;", diag.TypeMismatch, 4, 25, ""},
		{"where not boolean", "CREATE VIEW v AS SELECT symbol FROM trades WHERE price;", diag.TypeMismatch, 4, 50, ""},
		{"unknown function", "CREATE VIEW v AS SELECT LOWRE(symbol) AS x FROM trades;", diag.UnknownFunction, 4, 25, "did you mean LOWER?"},
		{"window without watermark", "CREATE VIEW v AS SELECT COUNT(*) AS n FROM TUMBLE(plain, a, INTERVAL '1' MINUTE) GROUP BY window_start;", diag.NoWatermark, 4, 44, "WATERMARK FOR"},
		{"emit close without window", "CREATE VIEW v AS SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol EMIT ON WINDOW CLOSE;", diag.EmitNeedsWindow, 4, 75, ""},
		{"hop not multiple", "CREATE VIEW v AS SELECT COUNT(*) AS n FROM HOP(trades, ts, INTERVAL '3' SECOND, INTERVAL '10' SECOND) GROUP BY window_start;", diag.BadWindow, 4, 44, ""},
		{"duplicate output", "CREATE VIEW v AS SELECT SUM(price) AS s, SUM(volume) AS s FROM trades GROUP BY symbol;", diag.DuplicateColumn, 4, 42, "AS"},
		{"duplicate name", "CREATE VIEW trades AS SELECT symbol FROM trades;", diag.DuplicateName, 4, 13, ""},
		{"unknown option", "CREATE SINK o FROM trades WITH (connector = 'file', paht = 'x');", diag.UnknownOption, 4, 53, "did you mean path?"},
		{"missing connector", "CREATE SINK o FROM trades WITH (path = 'x');", diag.MissingOption, 4, 1, ""},
		{"unknown connector", "CREATE SINK o FROM trades WITH (connector = 'kafak');", diag.UnknownConnector, 4, 33, ""},
		{"sink without input", "CREATE SINK o WITH (connector = 'stdout');", diag.SinkWithoutInput, 4, 1, ""},
		{"insert unknown sink", "INSERT INTO nowhere SELECT symbol FROM trades;", diag.UnknownSink, 4, 13, ""},
		{"bad watermark", "CREATE SOURCE s (t TIMESTAMP, WATERMARK FOR t AS t + INTERVAL '1' SECOND) WITH (connector = 'stdin');", diag.BadWatermark, 4, 50, ""},
		{"sink on its source's file", "CREATE SINK o FROM trades WITH (connector = 'file', path = './t.jsonl');", diag.PathCollision, 4, 1, "truncate the input"},
		{"two sinks on one file", "CREATE SINK o FROM trades WITH (connector = 'file', path = 'out.jsonl');\nCREATE SINK o2 FROM trades WITH (connector = 'file', path = 'x/../out.jsonl');", diag.PathCollision, 5, 1, "interleave"},
		{"tumble_end mismatch", "CREATE VIEW v AS SELECT TUMBLE_END(ts, INTERVAL '2' MINUTE) AS e, COUNT(*) AS n FROM trades GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE);", diag.BadWindow, 4, 25, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			diags := compileErr(t, trades+c.sql)
			d := diags[0]
			for _, x := range diags {
				if x.Code == c.code {
					d = x
					break
				}
			}
			if d.Code != c.code {
				t.Fatalf("got %v, want code %s", diags, c.code)
			}
			if c.line != 0 && (d.Pos.Line != c.line || d.Pos.Col != c.col) {
				t.Errorf("position %d:%d, want %d:%d (%s)", d.Pos.Line, d.Pos.Col, c.line, c.col, d.Msg)
			}
			if !strings.Contains(d.Hint, c.hint) {
				t.Errorf("hint %q does not contain %q", d.Hint, c.hint)
			}
		})
	}
}

func TestSeveralErrorsAtOnce(t *testing.T) {
	diags := compileErr(t, trades+"CREATE VIEW v AS SELECT nope FROM trades;\nCREATE VIEW w AS SELECT also_nope FROM trades;")
	n := 0
	for _, d := range diags {
		if d.Code == diag.UnknownColumn {
			n++
		}
	}
	if n != 2 {
		t.Errorf("want 2 unknown-column errors, got %v", diags)
	}
}

func TestViewWithoutSinkWarns(t *testing.T) {
	res, diags := Compile("p.sql", "p", trades+"CREATE VIEW v AS SELECT symbol FROM trades;")
	codes := map[diag.Code]diag.Severity{}
	for _, d := range diags {
		codes[d.Code] = d.Severity
	}
	if res == nil || len(diags) != 2 || codes[diag.ViewWithoutSink] != diag.Warning || codes[diag.UnusedSource] != diag.Warning {
		t.Fatalf("got %v", diags)
	}
	if _, ok := codes[diag.ViewWithoutSink]; !ok {
		t.Fatal("no warning for the view")
	}
	if len(res.Physical.Operators) != 0 {
		t.Error("a view without sinks must not be compiled")
	}
}

// TestThreeWindowFormsSamePlan: the short TVF, the Flink TVF and the
// group-window form lower to the same physical operator.
func TestThreeWindowFormsSamePlan(t *testing.T) {
	forms := []string{
		`SELECT symbol, window_start, window_end, COUNT(*) AS n FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE) GROUP BY window_start, window_end, symbol`,
		`SELECT symbol, window_start, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE trades, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, symbol`,
		`SELECT symbol, TUMBLE(ts, INTERVAL '1' MINUTE) AS window_start, TUMBLE_END(ts, INTERVAL '1' MINUTE) AS window_end, COUNT(*) AS n FROM trades GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE), symbol`,
	}
	var ids []string
	for _, f := range forms {
		res, diags := Compile("p.sql", "p", trades+"CREATE VIEW v AS "+f+";\nCREATE SINK o FROM v WITH (connector = 'stdout');")
		if res == nil {
			t.Fatalf("%s: %v", f, diags)
		}
		op := res.Physical.Operators[0]
		if !op.Windowed() || op.Updating {
			t.Errorf("%s: not an append-only windowed operator", f)
		}
		if got := res.Physical.Operators[0].Output; len(got) != 4 || got[1].Name != "window_start" || got[2].Name != "window_end" {
			t.Errorf("%s: output %v", f, got)
		}
		ids = append(ids, op.Window().Describe())
	}
	if ids[0] != ids[1] || ids[1] != ids[2] {
		t.Errorf("window forms differ: %v", ids)
	}
}

func TestStreamProperties(t *testing.T) {
	cases := []struct {
		query    string
		updating bool
	}{
		{"SELECT symbol, price FROM trades WHERE price > 1", false},
		{"SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol", true},
		{"SELECT symbol, window_start, COUNT(*) AS n FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE) GROUP BY symbol, window_start", false},
		{"SELECT symbol, window_start, COUNT(*) AS n FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE) GROUP BY symbol, window_start EMIT CHANGES", true},
	}
	for _, c := range cases {
		res, diags := Compile("p.sql", "p", trades+"CREATE VIEW v AS "+c.query+";\nCREATE SINK o FROM v WITH (connector = 'stdout');")
		if res == nil {
			t.Fatalf("%s: %v", c.query, diags)
		}
		if got := res.Physical.Operators[0].Updating; got != c.updating {
			t.Errorf("%s: updating = %v, want %v", c.query, got, c.updating)
		}
		if !strings.Contains(Explain(res), map[bool]string{true: "(updating)", false: "(append-only)"}[c.updating]) {
			t.Errorf("explain does not show the stream property:\n%s", Explain(res))
		}
	}
}

// FuzzCompile: no input, however broken, makes the front end panic.
func FuzzCompile(f *testing.F) {
	seeds := []string{
		trades + "CREATE VIEW v AS SELECT symbol, window_start, SUM(price * volume) / SUM(volume) AS vwap FROM TUMBLE(trades, ts, INTERVAL '1' MINUTE) GROUP BY symbol, window_start; CREATE SINK o FROM v WITH (connector='stdout');",
		trades + "INSERT INTO x SELECT CASE WHEN price > 1 THEN 'a' ELSE NULL END FROM trades;",
		trades + "CREATE VIEW v AS SELECT COALESCE(NULL, NULL) AS c, CAST(NULL AS BIGINT) AS d, NULL AS e FROM trades;",
		trades + "CREATE VIEW v AS SELECT HOP(ts, INTERVAL '1' SECOND, INTERVAL '2' SECOND) AS w, COUNT(*) AS n FROM trades GROUP BY HOP(ts, INTERVAL '1' SECOND, INTERVAL '2' SECOND) HAVING COUNT(*) > 1;",
		trades + "CREATE VIEW v AS SELECT -(-9223372036854775807 - 1) AS x, 1/0 AS y, 10 % 0 AS z, 'a' || NULL AS w FROM trades WHERE NOT NULL;",
		"CREATE SOURCE s (a BIGINT) WITH (connector = 'file');",
		"CREATE SOURCE",
		"SELECT",
		";;;",
		"CREATE VIEW v AS SELECT SUM(SUM(a)) FROM s;",
		"CREATE SOURCE s (t TIMESTAMP, WATERMARK FOR t AS t - INTERVAL 'x' SECOND) WITH (connector='stdin');",
		"CREATE SOURCE s (t TIMESTAMP, WATERMARK FOR t AS t - INTERVAL '99999999999999' DAY) WITH (connector='stdin');",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		res, diags := Compile("f.sql", "f", src)
		if res == nil && len(diags) == 0 {
			t.Fatal("no result and no diagnostics")
		}
		if res != nil {
			_ = Explain(res)
		}
	})
}

// TestOneMistakeOneMessage: a bad definition is reported once, not again
// where its name is used, and a failed view leaves no "unused source"
// warning behind.
func TestOneMistakeOneMessage(t *testing.T) {
	for name, sql := range map[string]string{
		"misspelt required option": "CREATE SOURCE s (a BIGINT) WITH (connector = 'file', pth = 'in.jsonl');\n" +
			"CREATE VIEW v AS SELECT a FROM s;\nCREATE SINK o FROM v WITH (connector = 'stdout');",
		"bad column in a view": "CREATE SOURCE s (a BIGINT) WITH (connector = 'stdin');\n" +
			"CREATE VIEW v AS SELECT b FROM s;\nCREATE SINK o FROM v WITH (connector = 'stdout');",
		"bad type in a source": "CREATE SOURCE s (a BIGNUM) WITH (connector = 'stdin');\n" +
			"CREATE SINK o WITH (connector = 'stdout');\nINSERT INTO o SELECT a FROM s;",
	} {
		_, diags := Compile("p.sql", "p", sql)
		if len(diags) != 1 || diags[0].Severity != diag.Error {
			t.Errorf("%s: want one error, got %v", name, diags)
		}
	}
}
