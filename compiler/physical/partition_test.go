package physical_test

import (
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/physical"
)

const oneSource = `CREATE SOURCE t (k VARCHAR NOT NULL, v BIGINT, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (connector = 'file', path = 't.jsonl');
`

// lookupTable is a file table for lookup joins.
const lookupTable = `CREATE TABLE lt (k VARCHAR NOT NULL, w BIGINT NOT NULL) WITH (connector = 'file', path = 'lt.jsonl', format = 'json');
`

// The planner's partitioning: one source, operators in its loop, and
// aggregates that share a group key column passed through unchanged.
func TestPartition(t *testing.T) {
	cases := []struct {
		name, sql string
		key       string // "" stateless split, "-" one worker
		reason    string
	}{
		{"stateless", `CREATE VIEW a AS SELECT k, v FROM t WHERE v > 1;
CREATE SINK o FROM a WITH (connector = 'stdout');`, "", ""},
		{"group key", `CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE SINK o FROM a WITH (connector = 'stdout');`, "k", ""},
		{"window and key", `CREATE VIEW a AS SELECT k, window_start, COUNT(*) AS n
FROM TUMBLE(t, ts, INTERVAL '1' MINUTE) WHERE v > 0 GROUP BY k, window_start, window_end;
CREATE SINK o FROM a WITH (connector = 'stdout');`, "k", ""},
		{"two aggregates, one common key", `CREATE VIEW a AS SELECT k, v, COUNT(*) AS n FROM t GROUP BY k, v;
CREATE VIEW b AS SELECT k, SUM(v) AS s FROM t GROUP BY k;
CREATE SINK o FROM a WITH (connector = 'stdout');
CREATE SINK o2 FROM b WITH (connector = 'stdout');`, "k", ""},
		{"no common key", `CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT v, COUNT(*) AS n FROM t GROUP BY v;
CREATE SINK o FROM a WITH (connector = 'stdout');
CREATE SINK o2 FROM b WITH (connector = 'stdout');`, "-", "share no group key"},
		{"computed key", `CREATE VIEW a AS SELECT v + 1 AS w, COUNT(*) AS n FROM t GROUP BY v + 1;
CREATE SINK o FROM a WITH (connector = 'stdout');`, "-", "share no group key"},
		{"global aggregate", `CREATE VIEW a AS SELECT COUNT(*) AS n FROM t;
CREATE SINK o FROM a WITH (connector = 'stdout');`, "-", "share no group key"},
		{"view over a view, its own key", `CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT n, COUNT(*) AS c FROM a GROUP BY n;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "k", "b:n"},
		{"view over a view, the same key", `CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT k, MAX(n) AS m FROM a WHERE n > 1 GROUP BY k;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "k", ""},
		{"filter over an aggregate", `CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT k, n * 2 AS m FROM a WHERE n > 1;
CREATE SINK o FROM b WITH (connector = 'stdout');
CREATE SINK o2 FROM a WITH (connector = 'stdout');`, "k", ""},
		{"aggregate over a re-partitioned view", `CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT n, COUNT(*) AS c FROM a GROUP BY n;
CREATE VIEW c AS SELECT c, COUNT(*) AS d FROM b GROUP BY c;
CREATE SINK o FROM c WITH (connector = 'stdout');`, "k", "b:n,c:c"},
		{"top-N over a re-partitioned view", `CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT n, COUNT(*) AS c FROM a GROUP BY n;
CREATE VIEW d AS SELECT n, c FROM b QUALIFY RANK() OVER (PARTITION BY c ORDER BY n DESC) <= 2;
CREATE SINK o FROM d WITH (connector = 'stdout');`, "k", "b:n,d:c"},
		{"global aggregate over a view", `CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT COUNT(*) AS c FROM a;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "-", "no group key that is a column of the view"},
		{"window over a view by another key", `CREATE VIEW a AS SELECT k, v, ts FROM t WHERE v > 0;
CREATE VIEW b AS SELECT v, window_start, COUNT(*) AS c FROM TUMBLE(a, ts, INTERVAL '1' MINUTE) GROUP BY v, window_start, window_end;
CREATE SINK o FROM b WITH (connector = 'stdout');
CREATE SINK o2 FROM a WITH (connector = 'stdout');`, "v", ""},
		{"window over a view, re-exchanged by its key", `CREATE VIEW n AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW a AS SELECT k, v, ts FROM t WHERE v > 0;
CREATE VIEW b AS SELECT v, window_start, COUNT(*) AS c FROM HOP(a, ts, INTERVAL '30' SECOND, INTERVAL '1' MINUTE) GROUP BY v, window_start, window_end;
CREATE SINK o FROM b WITH (connector = 'stdout');
CREATE SINK o2 FROM a WITH (connector = 'stdout');
CREATE SINK o3 FROM n WITH (connector = 'stdout');`, "k", "b:v"},
		{"window over a view by another key, LAST_VALUE", `CREATE VIEW n AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW a AS SELECT k, v, ts FROM t WHERE v > 0;
CREATE VIEW b AS SELECT v, window_start, LAST_VALUE(k) AS c FROM TUMBLE(a, ts, INTERVAL '1' MINUTE) GROUP BY v, window_start, window_end;
CREATE SINK o FROM b WITH (connector = 'stdout');
CREATE SINK o2 FROM a WITH (connector = 'stdout');
CREATE SINK o3 FROM n WITH (connector = 'stdout');`, "-", "LAST_VALUE"},
		{"self join by key", `CREATE VIEW a AS SELECT k, v, ts FROM t WHERE v > 1;
CREATE VIEW b AS SELECT x.k, x.v, y.v AS w FROM a AS x LEFT JOIN t AS y ON x.k = y.k AND y.ts BETWEEN x.ts AND x.ts + INTERVAL '1' SECOND;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "k", ""},
		{"join by a computed key", `CREATE VIEW b AS SELECT x.k, y.v FROM t AS x JOIN t AS y ON x.v + 1 = y.v;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "-", "joins on no key"},
		{"join and aggregate by another key", `CREATE VIEW a AS SELECT v, COUNT(*) AS n FROM t GROUP BY v;
CREATE VIEW b AS SELECT x.k, y.v FROM t AS x JOIN t AS y ON x.k = y.k;
CREATE SINK o FROM a WITH (connector = 'stdout');
CREATE SINK o2 FROM b WITH (connector = 'stdout');`, "-", "share no group key"},
		{"lookup join over an updating view", lookupTable + `CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT a.k, a.n, l.w FROM a LEFT JOIN lt AS l ON a.k = l.k;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "k", ""},
		{"lookup join over a re-exchanged view", lookupTable + `CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT n, COUNT(*) AS c FROM a GROUP BY n;
CREATE VIEW d AS SELECT b.n, b.c, l.w FROM b JOIN lt AS l ON b.c = l.w;
CREATE SINK o FROM d WITH (connector = 'stdout');`, "k", "b:n"},
		{"lookup join over an updating view without its key", lookupTable + `CREATE VIEW a AS SELECT COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT a.n, l.w FROM a JOIN lt AS l ON a.n = l.w;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "-", "do not carry its group key"},
		{"lookup join over an updating join", lookupTable + `CREATE VIEW c AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW a AS SELECT x.k, c.n FROM t AS x JOIN c ON x.k = c.k;
CREATE VIEW b AS SELECT a.k, l.w FROM a JOIN lt AS l ON a.k = l.k;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "-", "not an aggregate split by a key"},
		{"deduplication by key", `CREATE VIEW a AS SELECT k, v, ts FROM t QUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) = 1;
CREATE SINK o FROM a WITH (connector = 'stdout');`, "k", ""},
		{"top-N over an aggregate, the same key", `CREATE VIEW a AS SELECT k, v, COUNT(*) AS n FROM t GROUP BY k, v;
CREATE VIEW b AS SELECT k, v, n FROM a QUALIFY RANK() OVER (PARTITION BY k ORDER BY n DESC) <= 2;
CREATE VIEW c AS SELECT k, COUNT(*) AS m FROM b GROUP BY k;
CREATE SINK o FROM c WITH (connector = 'stdout');`, "k", ""},
		{"top-N over an aggregate, its own key", `CREATE VIEW a AS SELECT k, v, COUNT(*) AS n FROM t GROUP BY k, v;
CREATE VIEW b AS SELECT k, v, n FROM a QUALIFY ROW_NUMBER() OVER (PARTITION BY v ORDER BY n DESC) <= 2;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "k", "b:v"},
		{"global top-N, gathered", `CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT k, n FROM a ORDER BY n DESC LIMIT 3;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "k", "b:*"},
		{"global top-N over a view of a gathered one", `CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT k, n, RANK() OVER (ORDER BY n DESC) AS r FROM a;
CREATE VIEW c AS SELECT k, n FROM b WHERE r <= 2;
CREATE SINK o FROM c WITH (connector = 'stdout');`, "k", "b:*"},
		{"global top-N of the source's rows in arrival order", `CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT k, v FROM t ORDER BY v DESC LIMIT 3;
CREATE SINK o FROM a WITH (connector = 'stdout');
CREATE SINK o2 FROM b WITH (connector = 'stdout');`, "-", "arrival order"},
		{"row numbers in arrival order by another key", `CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT k, v FROM t QUALIFY ROW_NUMBER() OVER (PARTITION BY v ORDER BY ts) = 1;
CREATE SINK o FROM a WITH (connector = 'stdout');
CREATE SINK o2 FROM b WITH (connector = 'stdout');`, "-", "arrival order"},
		{"late rows sunk", `CREATE VIEW a AS SELECT k, window_start, COUNT(*) AS n FROM TUMBLE(t, ts, INTERVAL '1' MINUTE) GROUP BY k, window_start, window_end;
CREATE VIEW l AS SELECT view, k, ts FROM LATE(t) WHERE view = 'a';
CREATE SINK o FROM a WITH (connector = 'stdout');
CREATE SINK o2 FROM l WITH (connector = 'stdout');`, "k", ""},
		{"late rows counted", `CREATE VIEW a AS SELECT k, window_start, COUNT(*) AS n FROM TUMBLE(t, ts, INTERVAL '1' MINUTE) GROUP BY k, window_start, window_end;
CREATE VIEW l AS SELECT k, COUNT(*) AS n FROM LATE(t) GROUP BY k;
CREATE SINK o FROM a WITH (connector = 'stdout');
CREATE SINK o2 FROM l WITH (connector = 'stdout');`, "k", "l:k"},
		{"two sources", `CREATE VIEW a AS SELECT k FROM t UNION ALL SELECT k FROM u;
CREATE SINK o FROM a WITH (connector = 'stdout');`, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sql := c.sql
			if strings.Contains(sql, "FROM u") {
				sql = sources + sql
			} else {
				sql = oneSource + sql
			}
			res, diags := compiler.CompileWith("t.sql", "t", sql, compiler.Options{})
			if res == nil {
				t.Fatalf("does not compile: %v", diags)
			}
			p := res.Physical
			part := physical.Partition(p)
			switch c.key {
			case "-":
				if part.Partitioned() || !strings.Contains(part.Reason, c.reason) {
					t.Fatalf("got %+v, want one worker because %q", part, c.reason)
				}
			case "":
				if !part.Partitioned() || part.Key >= 0 {
					t.Fatalf("got %+v, want batches split", part)
				}
			default:
				if !part.Partitioned() || part.Key < 0 || p.Pipeline.Sources[0].Schema[part.Key].Name != c.key {
					t.Fatalf("got %+v, want rows exchanged by %s", part, c.key)
				}
				// reason: "view:column", the second exchange of a view's input rows
				var got []string
				for i, col := range part.Exchanged {
					switch {
					case part.Gathers(i):
						got = append(got, p.Operators[i].Name+":*") // all rows to one owner
					case col >= 0:
						op := p.Operators[i]
						got = append(got, op.Name+":"+op.Inputs[0].Output[col].Name)
					}
				}
				if strings.Join(got, ",") != c.reason {
					t.Fatalf("exchanged %v, want %q", got, c.reason)
				}
			}
		})
	}
}

// Exchanges more than one level deep: each exchanged view runs after the
// exchange of its level, a stateless view at its input's.
func TestPartitionLevels(t *testing.T) {
	res, diags := compiler.CompileWith("t.sql", "t", oneSource+`CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT n, COUNT(*) AS c FROM a GROUP BY n;
CREATE VIEW f AS SELECT n, c FROM b WHERE c > 1;
CREATE VIEW d AS SELECT c, COUNT(*) AS m, SUM(n) AS s FROM f GROUP BY c;
CREATE VIEW e AS SELECT m, MAX(s) AS top FROM d GROUP BY m;
CREATE SINK o FROM e WITH (connector = 'stdout');
CREATE SINK o2 FROM f WITH (connector = 'stdout');`, compiler.Options{})
	if res == nil {
		t.Fatalf("does not compile: %v", diags)
	}
	p := res.Physical
	part := physical.Partition(p)
	got := map[string]int{}
	for _, op := range p.Operators {
		got[op.Name] = part.Levels[op.Index]
	}
	want := map[string]int{"a": 0, "b": 1, "f": 1, "d": 2, "e": 3}
	for name, l := range want {
		if got[name] != l {
			t.Errorf("view %s at level %d, want %d (%v)", name, got[name], l, part)
		}
	}
	if part.ExchangeLevels() != 3 {
		t.Errorf("%d exchange levels, want 3", part.ExchangeLevels())
	}
}

// explain shows the exchanges of top-Ns and windows over views.
func TestFormatPartitioningExchanges(t *testing.T) {
	for _, c := range []struct{ sql, want string }{
		{`CREATE VIEW a AS SELECT k, v, COUNT(*) AS n FROM t GROUP BY k, v;
CREATE VIEW b AS SELECT k, v, n FROM a QUALIFY RANK() OVER (PARTITION BY v ORDER BY n DESC) <= 2;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "rows of source t exchanged by hash of k (each worker owns the groups of its keys); rows of a re-exchanged by hash of v for b"},
		{`CREATE VIEW n AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW a AS SELECT k, v, ts FROM t WHERE v > 0;
CREATE VIEW b AS SELECT v, window_start, COUNT(*) AS c FROM TUMBLE(a, ts, INTERVAL '1' MINUTE) GROUP BY v, window_start, window_end;
CREATE SINK o FROM b WITH (connector = 'stdout');
CREATE SINK o2 FROM a WITH (connector = 'stdout');
CREATE SINK o3 FROM n WITH (connector = 'stdout');`, "rows of a re-exchanged by hash of v for b"},
		{`CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT k, n FROM a ORDER BY n DESC LIMIT 3;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "rows of source t exchanged by hash of k (each worker owns the groups of its keys); rows of b/q1 gathered on one worker for b (a global top-N)"},
		{`CREATE VIEW b AS SELECT k, v FROM t QUALIFY DENSE_RANK() OVER (ORDER BY v DESC) <= 2;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "batches of source t split among them; rows of b/q1 gathered on one worker for b (a global top-N; each worker sends only the rows within its own top 2)"},
	} {
		res, diags := compiler.CompileWith("t.sql", "t", oneSource+c.sql, compiler.Options{})
		if res == nil {
			t.Fatalf("does not compile: %v", diags)
		}
		if got := physical.FormatPartitioning(res.Physical, physical.Partition(res.Physical)); !strings.Contains(got, c.want) {
			t.Errorf("explain shows %q, want %q", got, c.want)
		}
	}
}
