package compiler

import (
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/compiler/physical"
)

// TestSessionFormsSamePlan: Flink's TVF, the short form and the group-window
// form of a session window plan the same operator.
func TestSessionFormsSamePlan(t *testing.T) {
	forms := []string{
		`SELECT symbol, window_start, window_end, COUNT(*) AS n FROM TABLE(SESSION(TABLE trades PARTITION BY symbol, DESCRIPTOR(ts), INTERVAL '30' SECOND)) GROUP BY symbol, window_start, window_end`,
		`SELECT symbol, window_start, window_end, COUNT(*) AS n FROM SESSION(trades, ts, INTERVAL '30' SECOND) GROUP BY window_start, window_end, symbol`,
		`SELECT symbol, SESSION_START(ts, INTERVAL '30' SECOND) AS window_start, SESSION_END(ts, INTERVAL '30' SECOND) AS window_end, COUNT(*) AS n FROM trades GROUP BY SESSION(ts, INTERVAL '30' SECOND), symbol`,
		// window_end need not be grouped by: it is a key of the session anyway
		`SELECT symbol, window_start, window_end, COUNT(*) AS n FROM SESSION(trades, ts, INTERVAL '30' SECOND) GROUP BY window_start, symbol`,
	}
	for _, f := range forms {
		res, diags := Compile("p.sql", "p", trades+"CREATE VIEW v AS "+f+";\nCREATE SINK o FROM v WITH (connector = 'stdout');")
		if res == nil {
			t.Fatalf("%s: %v", f, diags)
		}
		op := res.Physical.Operators[0]
		if !physical.IsSession(op) || op.Updating {
			t.Errorf("%s: not an append-only session operator", f)
		}
		if got := op.Output; len(got) != 4 || got[1].Name != "window_start" || got[2].Name != "window_end" {
			t.Errorf("%s: output %v", f, got)
		}
		if d := op.Window().Describe(); d != "Window SESSION(ts, gap 30 SECOND)" {
			t.Errorf("%s: %s", f, d)
		}
	}
}

// TestLaminarDBSession: LaminarDB's session query (its rapid-fire trades
// example) groups by the session without selecting its bounds.
func TestLaminarDBSession(t *testing.T) {
	sql := trades + `CREATE STREAM rapid_fire AS
SELECT symbol, COUNT(*) AS burst_trades, SUM(volume) AS burst_volume, MIN(price) AS low, MAX(price) AS high
FROM trades
GROUP BY symbol, SESSION(ts, INTERVAL '2' SECOND);
CREATE SINK o FROM rapid_fire WITH (connector = 'stdout');`
	res, diags := Compile("p.sql", "p", sql)
	if res == nil {
		t.Fatal(diags)
	}
	if op := res.Physical.Operators[0]; !physical.IsSession(op) || len(op.Output) != 5 {
		t.Errorf("not a session aggregate of 5 columns: %v", op.Output)
	}
}

// TestEmitModes: each EMIT mode and ALLOWED LATENESS gives its stream
// property and closing watermark.
func TestEmitModes(t *testing.T) {
	cases := []struct {
		tail     string
		updating bool
		emit     string
	}{
		{"EMIT ON WINDOW CLOSE", false, "emit ON WINDOW CLOSE"},
		{"EMIT ON WINDOW CLOSE ALLOWED LATENESS INTERVAL '1' MINUTE", false, "emit ON WINDOW CLOSE allowed lateness 1 MINUTE"},
		{"EMIT CHANGES", true, "emit CHANGES"},
		{"EMIT CHANGES ALLOWED LATENESS INTERVAL '1' MINUTE", true, "emit CHANGES allowed lateness 1 MINUTE"},
		{"EMIT AFTER WATERMARK", false, "emit ON WINDOW CLOSE"}, // nothing can change a window after the watermark
		{"EMIT AFTER WATERMARK ALLOWED LATENESS INTERVAL '1' MINUTE", true, "emit AFTER WATERMARK allowed lateness 1 MINUTE"},
		{"ALLOWED LATENESS INTERVAL '1' MINUTE", false, "emit ON WINDOW CLOSE allowed lateness 1 MINUTE"},
		{"EMIT PERIODICALLY INTERVAL '5' SECOND", true, "emit PERIODICALLY 5 SECOND"},
		{"EMIT PERIODICALLY INTERVAL '5' SECOND ALLOWED LATENESS INTERVAL '1' MINUTE", true, "emit PERIODICALLY 5 SECOND allowed lateness 1 MINUTE"},
	}
	for _, win := range []string{"TUMBLE(trades, ts, INTERVAL '10' SECOND)", "SESSION(trades, ts, INTERVAL '10' SECOND)", "CUMULATE(trades, ts, INTERVAL '10' SECOND, INTERVAL '1' MINUTE)"} {
		for _, c := range cases {
			sql := trades + "CREATE VIEW v AS SELECT symbol, window_start, window_end, COUNT(*) AS n FROM " + win + " GROUP BY symbol, window_start, window_end " + c.tail + ";\nCREATE SINK o FROM v WITH (connector = 'stdout');"
			res, diags := Compile("p.sql", "p", sql)
			if res == nil {
				t.Fatalf("%s %s: %v", win, c.tail, diags)
			}
			op := res.Physical.Operators[0]
			if op.Updating != c.updating {
				t.Errorf("%s %s: updating %v, want %v", win, c.tail, op.Updating, c.updating)
			}
			if d := op.Agg.Describe(); !strings.HasSuffix(d, c.emit) {
				t.Errorf("%s %s: %s, want it to end in %q", win, c.tail, d, c.emit)
			}
		}
	}
}

func TestSessionErrors(t *testing.T) {
	cases := []struct {
		name, sql string
		code      diag.Code
		msg       string
	}{
		{"no group by", "SELECT * FROM SESSION(trades, ts, INTERVAL '1' MINUTE)", diag.Unsupported, "needs a GROUP BY"},
		{"no window key", "SELECT symbol, COUNT(*) AS n FROM SESSION(trades, ts, INTERVAL '1' MINUTE) GROUP BY symbol", diag.EmitNeedsWindow, "needs GROUP BY window_start and window_end"},
		{"partition not the keys", "SELECT symbol, window_start, COUNT(*) AS n FROM TABLE(SESSION(TABLE trades PARTITION BY volume, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY symbol, window_start", diag.Unsupported, "PARTITION BY must name the GROUP BY keys"},
		{"where over the tvf", "SELECT symbol, window_start, COUNT(*) AS n FROM SESSION(trades, ts, INTERVAL '1' MINUTE) WHERE price > 1 GROUP BY symbol, window_start", diag.Unsupported, "WHERE over a SESSION table function"},
		{"where on bounds", "SELECT symbol, SESSION_START(ts, INTERVAL '1' MINUTE) AS s, COUNT(*) AS n FROM trades WHERE SESSION_END(ts, INTERVAL '1' MINUTE) > ts GROUP BY symbol, SESSION(ts, INTERVAL '1' MINUTE)", diag.Unsupported, "WHERE cannot read"},
		{"aggregate of bounds", "SELECT symbol, window_start, MAX(window_end) AS n FROM SESSION(trades, ts, INTERVAL '1' MINUTE) GROUP BY symbol, window_start", diag.Unsupported, "aggregate cannot read"},
		{"zero gap", "SELECT symbol, window_start, COUNT(*) AS n FROM SESSION(trades, ts, INTERVAL '0' SECOND) GROUP BY symbol, window_start", diag.BadWindow, "gap must be positive"},
		{"cumulate not multiple", "SELECT window_end, COUNT(*) AS n FROM CUMULATE(trades, ts, INTERVAL '7' SECOND, INTERVAL '1' MINUTE) GROUP BY window_end", diag.BadWindow, "not a multiple of its step"},
		{"lateness without window", "SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol ALLOWED LATENESS INTERVAL '1' SECOND", diag.EmitNeedsWindow, "ALLOWED LATENESS needs"},
		{"after watermark without window", "SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol EMIT AFTER WATERMARK", diag.EmitNeedsWindow, "EMIT AFTER WATERMARK needs"},
		{"periodically without window", "SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol EMIT PERIODICALLY INTERVAL '1' SECOND", diag.EmitNeedsWindow, "EMIT PERIODICALLY needs"},
		{"zero period", "SELECT window_start, COUNT(*) AS n FROM TUMBLE(trades, ts, INTERVAL '1' SECOND) GROUP BY window_start EMIT PERIODICALLY INTERVAL '0' SECOND", diag.BadWindow, "must be positive"},
		{"late of a view", "SELECT * FROM LATE(v0)", diag.UnknownTable, "LATE reads a source"},
		{"late without watermark", "SELECT * FROM LATE(plain)", diag.NoWatermark, "is ever late"},
		{"window over late rows", "SELECT window_start, COUNT(*) AS n FROM TUMBLE(LATE(trades), ts, INTERVAL '1' SECOND) GROUP BY window_start", diag.BadWindow, "must be a table name"},
		{"negative lateness", "SELECT window_start, COUNT(*) AS n FROM TUMBLE(trades, ts, INTERVAL '1' SECOND) GROUP BY window_start ALLOWED LATENESS INTERVAL '-1' SECOND", diag.BadWindow, "must not be negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			diags := compileErr(t, trades+"CREATE VIEW v0 AS SELECT * FROM trades;\nCREATE VIEW v AS "+c.sql+";")
			for _, d := range diags {
				if d.Code == c.code && strings.Contains(d.Msg, c.msg) {
					return
				}
			}
			t.Errorf("got %v, want %s %q", diags, c.code, c.msg)
		})
	}
}
