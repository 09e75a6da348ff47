package physical_test

import (
	"fmt"
	"testing"

	"github.com/laminar-sql/laminar/compiler/physical"
	"github.com/laminar-sql/laminar/compiler/plan"
	"github.com/laminar-sql/laminar/compiler/types"
)

// TestDedupSides checks which sides of a join a deduplication reading it
// ranks by their own columns (physical.dedupSides): only when every joined
// row made with a row of that side ranks equal to it and falls into its
// partition, and reaches the deduplication unchanged.
func TestDedupSides(t *testing.T) {
	// t is the left side (a), u the right (b); wrap puts a deduplication
	// (or top-N) over a select of a join
	wrap := func(sel, from, part, order, rank string, n int) string {
		return fmt.Sprintf(`CREATE VIEW d AS SELECT * FROM (
  SELECT %s, %s() OVER (PARTITION BY %s ORDER BY %s) AS rn
  FROM %s
) WHERE rn <= %d;
CREATE SINK o FROM d WITH (connector = 'stdout');`, sel, rank, part, order, from, n)
	}
	const interval = "t AS a JOIN u AS b ON a.k = b.k AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '1' MINUTE"
	const j = `CREATE VIEW j AS SELECT a.*, b.v AS bv FROM ` + interval + ";\n"
	cases := []struct {
		name string
		sql  string
		want [2]string // per side: its partition and order columns, or "" for none
	}{
		{"q9 shape: by the left key, ordered by right columns", wrap("a.*, b.v AS bv, b.ts AS bts", interval, "a.k", "b.v DESC, b.ts", "ROW_NUMBER", 1),
			[2]string{"", "[0] [1 2]"}},
		{"by the right key itself", wrap("a.v, b.k AS bk, b.v AS bv", interval, "b.k", "b.v DESC", "ROW_NUMBER", 1),
			[2]string{"", "[0] [1]"}},
		{"ordered by the left side", wrap("a.*, b.v AS bv", interval, "a.k", "a.v DESC", "ROW_NUMBER", 1),
			[2]string{"[0] [1]", ""}},
		{"a regular inner join over append-only inputs", wrap("a.*, b.v AS bv", "t AS a JOIN u AS b ON a.k = b.k", "a.k", "b.v DESC", "ROW_NUMBER", 1),
			[2]string{"", "[0] [1]"}},
		{"a view of the join read by the deduplication only", j + `CREATE VIEW d AS SELECT * FROM (SELECT k, bv, ROW_NUMBER() OVER (PARTITION BY k ORDER BY bv DESC) AS rn FROM j) WHERE rn <= 1;
CREATE SINK o FROM d WITH (connector = 'stdout');`, [2]string{"", "[0] [1]"}},
		{"ordered by both sides", wrap("a.*, b.v AS bv", interval, "a.k", "b.v DESC, a.v", "ROW_NUMBER", 1), [2]string{"", ""}},
		{"partitioned by a left column not the key", wrap("a.*, b.v AS bv", interval, "a.v", "b.v DESC", "ROW_NUMBER", 1), [2]string{"", ""}},
		{"RANK keeps ties", wrap("a.*, b.v AS bv", interval, "a.k", "b.v DESC", "RANK", 1), [2]string{"", ""}},
		{"top 2: a later joined row may rank second", wrap("a.*, b.v AS bv", interval, "a.k", "b.v DESC", "ROW_NUMBER", 2), [2]string{"", ""}},
		{"an expression between the join and the deduplication", wrap("a.*, b.v AS bv", interval, "a.k", "b.v + 1", "ROW_NUMBER", 1), [2]string{"", ""}},
		{"a filter over both sides: the join's own condition", wrap("a.*, b.v AS bv", interval+" WHERE a.v + b.v > 3", "a.k", "b.v DESC", "ROW_NUMBER", 1), [2]string{"", "[0] [1]"}},
		{"a left join pads rows", wrap("a.k, b.v AS bv", "t AS a LEFT JOIN u AS b ON a.k = b.k AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '1' MINUTE", "a.k", "b.v DESC", "ROW_NUMBER", 1), [2]string{"", ""}},
		{"the join also feeds a sink", j + `CREATE VIEW d AS SELECT * FROM (SELECT k, bv, ROW_NUMBER() OVER (PARTITION BY k ORDER BY bv DESC) AS rn FROM j) WHERE rn <= 1;
CREATE SINK o FROM d WITH (connector = 'stdout');
CREATE SINK o2 FROM j WITH (connector = 'stdout');`, [2]string{"", ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := build(t, c.sql, false)
			var j *physical.Operator
			for _, op := range p.Operators {
				if op.Join != nil {
					j = op
				}
			}
			if j == nil {
				t.Fatalf("no join:\n%s", physical.Format(p))
			}
			for s, d := range j.Dedup {
				got := ""
				if d != nil {
					got = fmt.Sprint(d.Partition, " ", d.Order)
				}
				if got != c.want[s] {
					t.Errorf("side %d: %q, want %q\n%s", s, got, c.want[s], physical.Format(p))
				}
			}
		})
	}
}

// TestDedupSideAfterAFilter checks that a filter between the join and the
// deduplication (none is left there by the optimizer today, which pushes
// filters into the join) rules the side out: it could drop the first
// joined row of a row and pass a later one.
func TestDedupSideAfterAFilter(t *testing.T) {
	p := build(t, `CREATE VIEW d AS SELECT * FROM (
  SELECT a.*, b.v AS bv, ROW_NUMBER() OVER (PARTITION BY a.k ORDER BY b.v DESC) AS rn
  FROM t AS a JOIN u AS b ON a.k = b.k AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '1' MINUTE
) WHERE rn <= 1;
CREATE SINK o FROM d WITH (connector = 'stdout');`, false)
	var j *physical.Operator
	for _, op := range p.Operators {
		if op.Join != nil {
			j = op
		}
	}
	if j == nil || physical.DedupSideOf(j, 1, false) == nil {
		t.Fatalf("no join with a dedup side:\n%s", physical.Format(p))
	}
	out := j.Join.Schema()
	j.Post = append([]physical.Stage{{Kind: physical.StageFilter, Pred: &plan.Const{Value: true, T: types.Of(types.Bool)}, Out: out}}, j.Post...)
	if d := physical.DedupSideOf(j, 1, false); d != nil {
		t.Errorf("after a filter: %v", d)
	}
}

// TestDedupSideInOperatorID checks that a join whose side the rule changes
// has another state id than the same join without a deduplication above
// (its state holds fewer rows).
func TestDedupSideInOperatorID(t *testing.T) {
	const j = `CREATE VIEW j AS SELECT a.*, b.v AS bv FROM t AS a JOIN u AS b ON a.k = b.k AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '1' MINUTE;
`
	dedup := build(t, j+`CREATE VIEW d AS SELECT * FROM (SELECT k, bv, ROW_NUMBER() OVER (PARTITION BY k ORDER BY bv DESC) AS rn FROM j) WHERE rn <= 1;
CREATE SINK o FROM d WITH (connector = 'stdout');`, false)
	top2 := build(t, j+`CREATE VIEW d AS SELECT * FROM (SELECT k, bv, ROW_NUMBER() OVER (PARTITION BY k ORDER BY bv DESC) AS rn FROM j) WHERE rn <= 2;
CREATE SINK o FROM d WITH (connector = 'stdout');`, false)
	a, b := byName(t, dedup, "j"), byName(t, top2, "j")
	if a.Dedup[1] == nil || b.Dedup[1] != nil {
		t.Fatalf("dedup side: %v, %v", a.Dedup[1], b.Dedup[1])
	}
	if a.ID == b.ID {
		t.Errorf("the joins share the state id %s", a.ID)
	}
	// an embedding program reads view j: every joined row is output
	lib := build(t, j+`CREATE VIEW d AS SELECT * FROM (SELECT k, bv, ROW_NUMBER() OVER (PARTITION BY k ORDER BY bv DESC) AS rn FROM j) WHERE rn <= 1;
CREATE SINK o FROM d WITH (connector = 'stdout');`, true)
	if d := byName(t, lib, "j").Dedup[1]; d != nil {
		t.Errorf("a view an embedding program reads: side %v", d)
	}
}
