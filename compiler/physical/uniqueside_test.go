package physical_test

import (
	"testing"

	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/physical"
)

// TestUniqueSides checks which sides of a join physical.uniqueSides marks
// unique on their keys: an inner join of append-only inputs, equi or
// interval, whose side declares a unique column set among its join keys
// (through filters, projections and views that keep the columns); not an
// outer or semi join, one with state_ttl, an updating side, a unique set
// partly outside the keys, or a unique column the join reaches only
// through an expression.
func TestUniqueSides(t *testing.T) {
	const srcs = `CREATE SOURCE a (id BIGINT NOT NULL, k BIGINT, v BIGINT, ts TIMESTAMP NOT NULL, UNIQUE (id) NOT ENFORCED, UNIQUE (k, v) NOT ENFORCED,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (connector = 'file', path = 'a.jsonl');
CREATE SOURCE b (id BIGINT NOT NULL, k BIGINT, w BIGINT, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (connector = 'file', path = 'b.jsonl');
CREATE SOURCE c (id BIGINT NOT NULL, x BIGINT, ts TIMESTAMP NOT NULL, UNIQUE (id) NOT ENFORCED, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (connector = 'file', path = 'c.jsonl');
`
	const sink = "\nCREATE SINK o FROM j WITH (connector = 'stdout');"
	cases := []struct {
		name string
		sql  string
		want [2]bool
	}{
		{"regular join on the unique id", "CREATE VIEW j AS SELECT a.v, b.w FROM a JOIN b ON a.id = b.id;", [2]bool{true, false}},
		{"the unique side on the right", "CREATE VIEW j AS SELECT a.v, b.w FROM b JOIN a ON b.id = a.id;", [2]bool{false, true}},
		{"both unique", "CREATE VIEW j AS SELECT a.v, c.x FROM a JOIN c ON a.id = c.id;", [2]bool{true, true}},
		{"interval join", "CREATE VIEW j AS SELECT a.v, b.w FROM a JOIN b ON a.id = b.id AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '1' SECOND;", [2]bool{true, false}},
		{"keys beyond the unique set", "CREATE VIEW j AS SELECT a.v, b.w FROM a JOIN b ON a.id = b.id AND a.k = b.k;", [2]bool{true, false}},
		{"a two-column unique set, both keys", "CREATE VIEW j AS SELECT a.id, b.w FROM a JOIN b ON a.k = b.k AND a.v = b.w;", [2]bool{true, false}},
		{"a two-column unique set, one key", "CREATE VIEW j AS SELECT a.id, b.w FROM a JOIN b ON a.k = b.k;", [2]bool{false, false}},
		{"a key computed from the unique column", "CREATE VIEW j AS SELECT a.v, b.w FROM a JOIN b ON a.id + 1 = b.id;", [2]bool{false, false}},
		{"through a filtering, renaming view", "CREATE VIEW f AS SELECT v, id AS aid FROM a WHERE v > 3;\nCREATE VIEW j AS SELECT f.v, b.w FROM f JOIN b ON f.aid = b.id;", [2]bool{true, false}},
		{"a LEFT join", "CREATE VIEW j AS SELECT a.v, b.w FROM a LEFT JOIN b ON a.id = b.id;", [2]bool{false, false}},
		{"a semi join", "CREATE VIEW j AS SELECT b.w FROM b WHERE b.id IN (SELECT id FROM a);", [2]bool{false, false}},
		{"state_ttl", "CREATE VIEW j WITH (state_ttl = '1h') AS SELECT a.v, b.w FROM a JOIN b ON a.id = b.id;", [2]bool{false, false}},
		{"an updating side", "CREATE VIEW g AS SELECT id, COUNT(*) AS n FROM b GROUP BY id;\nCREATE VIEW j AS SELECT a.v, g.n FROM a JOIN g ON a.id = g.id;", [2]bool{false, false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, diags := compiler.CompileWith("t.sql", "t", srcs+c.sql+sink, compiler.Options{})
			if res == nil {
				t.Fatalf("does not compile: %v", diags)
			}
			var j *physical.Operator
			for _, op := range res.Physical.Operators {
				if op.Join != nil {
					j = op
				}
			}
			if j == nil {
				t.Fatalf("no join:\n%s", physical.Format(res.Physical))
			}
			if j.Unique != c.want {
				t.Errorf("unique sides %v, want %v\n%s", j.Unique, c.want, physical.Format(res.Physical))
			}
		})
	}
}

// TestUniqueSideInOperatorID checks that a join with a unique side has
// another state id than the same join without the declaration (the other
// side's state holds fewer rows).
func TestUniqueSideInOperatorID(t *testing.T) {
	src := func(unique string) string {
		return `CREATE SOURCE a (id BIGINT NOT NULL, v BIGINT, ts TIMESTAMP NOT NULL` + unique + `) WITH (connector = 'file', path = 'a.jsonl');
CREATE SOURCE b (id BIGINT NOT NULL, w BIGINT, ts TIMESTAMP NOT NULL) WITH (connector = 'file', path = 'b.jsonl');
CREATE VIEW j AS SELECT a.v, b.w FROM a JOIN b ON a.id = b.id;
CREATE SINK o FROM j WITH (connector = 'stdout');`
	}
	ids := map[bool]string{}
	for _, unique := range []bool{false, true} {
		decl := ""
		if unique {
			decl = ", UNIQUE (id) NOT ENFORCED"
		}
		res, diags := compiler.CompileWith("t.sql", "t", src(decl), compiler.Options{})
		if res == nil {
			t.Fatalf("does not compile: %v", diags)
		}
		for _, op := range res.Physical.Operators {
			if op.Join != nil {
				if op.Unique[0] != unique {
					t.Fatalf("unique %v: the join's sides are %v", unique, op.Unique)
				}
				ids[unique] = op.ID
			}
		}
	}
	if ids[false] == ids[true] {
		t.Errorf("the joins share the state id %s", ids[true])
	}
}
