package physical_test

import (
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/physical"
)

const sources = `CREATE SOURCE t (k VARCHAR NOT NULL, v BIGINT, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (connector = 'file', path = 't.jsonl');
CREATE SOURCE u (k VARCHAR NOT NULL, v BIGINT, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH (connector = 'file', path = 'u.jsonl');
`

func build(t *testing.T, sql string, lib bool) *physical.Plan {
	t.Helper()
	res, diags := compiler.CompileWith("t.sql", "t", sources+sql, compiler.Options{Lib: lib})
	if res == nil {
		t.Fatalf("does not compile: %v", diags)
	}
	return res.Physical
}

func byName(t *testing.T, p *physical.Plan, name string) *physical.Operator {
	t.Helper()
	for _, op := range p.Operators {
		if op.Name == name {
			return op
		}
	}
	t.Fatalf("no operator %s", name)
	return nil
}

func TestSharedViewComputedOnce(t *testing.T) {
	p := build(t, `CREATE VIEW counts AS SELECT k, COUNT(*) AS c FROM t GROUP BY k;
CREATE VIEW a AS SELECT c, COUNT(*) AS n FROM counts GROUP BY c;
CREATE VIEW b AS SELECT k FROM counts WHERE c > 2;
CREATE SINK o1 FROM a WITH (connector = 'stdout');
CREATE SINK o2 FROM b WITH (connector = 'stdout');`, false)
	if len(p.Operators) != 3 {
		t.Fatalf("%d operators, want 3:\n%s", len(p.Operators), physical.Format(p))
	}
	counts := byName(t, p, "counts")
	if len(counts.Consumers) != 2 || !counts.Updating || counts.Index != 0 {
		t.Errorf("counts: %d consumers, updating %v, index %d", len(counts.Consumers), counts.Updating, counts.Index)
	}
	for _, name := range []string{"a", "b"} {
		op := byName(t, p, name)
		if !op.InputUpdating || len(op.Inputs) != 1 || op.Inputs[0] != counts || op.Direct() {
			t.Errorf("%s should read counts' updating edge", name)
		}
	}
	if got := p.Downstream(0); len(got) != 3 || got[0] != counts {
		t.Errorf("downstream of t: %d operators", len(got))
	}
	if got := p.Downstream(1); len(got) != 0 {
		t.Errorf("nothing reads u, yet %d operators depend on it", len(got))
	}
}

func TestUnionWatermarkIsTheMinimum(t *testing.T) {
	p := build(t, `CREATE VIEW both AS SELECT k, ts FROM t UNION ALL SELECT k, ts FROM u;
CREATE VIEW w AS SELECT window_start, COUNT(*) AS n FROM TUMBLE(both, ts, INTERVAL '1' MINUTE) GROUP BY window_start;
CREATE VIEW r AS SELECT window_start, SUM(n) AS n FROM TUMBLE(w, window_start, INTERVAL '10' MINUTE) GROUP BY window_start;
CREATE SINK o FROM r WITH (connector = 'stdout');`, false)
	w := byName(t, p, "w")
	if len(w.Watermark) != 2 || w.Watermark[0] != (physical.SourceShift{Source: 0}) || w.Watermark[1] != (physical.SourceShift{Source: 1}) {
		t.Errorf("w closes by %v, want min(t, u)", w.Watermark)
	}
	// over window_start, the inner windows' watermark minus their size
	r := byName(t, p, "r")
	if len(r.Watermark) != 2 || r.Watermark[0].Shift != -60_000_000 || r.Watermark[1].Shift != -60_000_000 {
		t.Errorf("r closes by %v, want min(t, u) - 1 minute", r.Watermark)
	}
}

func TestStatelessViewsFuse(t *testing.T) {
	sql := `CREATE VIEW big AS SELECT k, v, ts FROM t WHERE v > 10;
CREATE VIEW n AS SELECT k, COUNT(*) AS c FROM big GROUP BY k;
CREATE SINK o FROM n WITH (connector = 'stdout');`
	p := build(t, sql, false)
	if len(p.Operators) != 1 || !p.Operators[0].Direct() || !p.Operators[0].Inline {
		t.Errorf("big should fuse into n's loop:\n%s", physical.Format(p))
	}
	// embedded, every view is an output: big is an operator of its own
	if p := build(t, sql, true); len(p.Operators) != 2 {
		t.Errorf("--lib: %d operators, want 2", len(p.Operators))
	}
}

func TestManyViewsCallTheirOwnFunctions(t *testing.T) {
	sql := ""
	for _, v := range []string{"a", "b", "c", "d", "e"} {
		sql += "CREATE VIEW " + v + " AS SELECT k FROM t;\nCREATE SINK " + v + "_out FROM " + v + " WITH (connector = 'stdout');\n"
	}
	for _, op := range build(t, sql, false).Operators {
		if op.Inline {
			t.Errorf("%s is inlined into a loop of 5 operators", op.Name)
		}
	}
}

func TestIDsFollowInputs(t *testing.T) {
	id := func(filter string) string {
		p := build(t, "CREATE VIEW a AS SELECT k, COUNT(*) AS c FROM t GROUP BY k HAVING "+filter+";\nCREATE VIEW b AS SELECT c, COUNT(*) AS n FROM a GROUP BY c;\nCREATE SINK o FROM b WITH (connector = 'stdout');", false)
		return byName(t, p, "a").ID + " " + byName(t, p, "b").ID
	}
	one, two := id("COUNT(*) > 1"), id("COUNT(*) > 2")
	if one[:16] != two[:16] {
		t.Errorf("a HAVING edit changed a's own id")
	}
	if one[17:] == two[17:] {
		t.Errorf("a HAVING edit of a must change the id of b, which reads its output")
	}
}

// TestCountDistinctDecodesItsArgument: COUNT(x) of a NOT NULL x counts rows
// without decoding x, but COUNT(DISTINCT x) needs its values (a file-fed
// COUNT(DISTINCT) counted one distinct zero).
func TestCountDistinctDecodesItsArgument(t *testing.T) {
	const w = "CREATE SOURCE w (k VARCHAR NOT NULL, x BIGINT NOT NULL) WITH (connector = 'stdin');\n"
	p := build(t, w+`CREATE VIEW c AS SELECT k, COUNT(x) AS n, COUNT(DISTINCT x) AS d FROM w GROUP BY k;
CREATE SINK o FROM c WITH (connector = 'stdout');`, false)
	if !p.Needed[2][1] {
		t.Errorf("x is not decoded for COUNT(DISTINCT x): needed %v", p.Needed[2])
	}
	p = build(t, w+`CREATE VIEW c AS SELECT k, COUNT(x) AS n FROM w GROUP BY k;
CREATE SINK o FROM c WITH (connector = 'stdout');`, false)
	if p.Needed[2][1] {
		t.Errorf("COUNT(x) of a NOT NULL x decodes it: needed %v", p.Needed[2])
	}
}

// TestJoinIDsTellSidesApart: two joins that differ only in reading t.v or
// u.v (both shown as v) have different operator ids, in their conditions
// and in the steps after them that a reader's state depends on.
func TestJoinIDsTellSidesApart(t *testing.T) {
	id := func(sql, name string) string {
		return byName(t, build(t, sql+"CREATE SINK o FROM "+name+" WITH (connector = 'stdout');\n", false), name).ID
	}
	cond := "CREATE VIEW j AS SELECT t.k, t.v AS a FROM t JOIN u ON t.k = u.k AND %s.v > 1;\n"
	if id(sprintf(cond, "t"), "j") == id(sprintf(cond, "u"), "j") {
		t.Error("a condition on t.v and one on u.v give one id")
	}
	agg := "CREATE VIEW j AS SELECT t.k, %s.v AS a FROM t JOIN u ON t.k = u.k;\nCREATE VIEW g AS SELECT k, SUM(a) AS s FROM j GROUP BY k;\n"
	if id(sprintf(agg, "t"), "g") == id(sprintf(agg, "u"), "g") {
		t.Error("an aggregate over t.v and one over u.v give one id")
	}
}

func sprintf(format, arg string) string { return strings.ReplaceAll(format, "%s", arg) }
