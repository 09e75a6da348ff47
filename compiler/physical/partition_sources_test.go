package physical_test

import (
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/physical"
)

// The planner's partitioning of several sources: each source split by a key
// column of its own such that every join's and aggregate's rows of one key
// reach one worker, or its batches split when its rows reach no state.
func TestPartitionSources(t *testing.T) {
	cases := []struct {
		name, sql string
		keys      string // per source "name=column" ("name=": batches split); "-": one worker
		reason    string
	}{
		{"union all", `CREATE VIEW a AS SELECT k, v FROM t UNION ALL SELECT k, v FROM u;
CREATE SINK o FROM a WITH (connector = 'stdout');`, "t=,u=", ""},
		{"aggregate over a union", `CREATE VIEW a AS SELECT k, v FROM t WHERE v > 0 UNION ALL SELECT k, v FROM u;
CREATE VIEW b AS SELECT v, COUNT(*) AS n FROM a GROUP BY v;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "t=v,u=v", ""},
		{"regular join", `CREATE VIEW a AS SELECT t.k, t.v, u.v AS w FROM t JOIN u ON t.k = u.k;
CREATE SINK o FROM a WITH (connector = 'stdout');`, "t=k,u=k", ""},
		{"join of different columns", `CREATE VIEW a AS SELECT t.k, u.k AS j FROM t JOIN u ON t.v = u.v;
CREATE SINK o FROM a WITH (connector = 'stdout');`, "t=v,u=v", ""},
		{"interval join", `CREATE VIEW a AS SELECT t.k, t.v, u.v AS w FROM t LEFT JOIN u ON t.k = u.k AND u.ts BETWEEN t.ts AND t.ts + INTERVAL '1' SECOND;
CREATE SINK o FROM a WITH (connector = 'stdout');`, "t=k,u=k", ""},
		{"join key pair picked by an aggregate", `CREATE VIEW a AS SELECT t.k, t.v, u.ts FROM t JOIN u ON t.k = u.k AND t.v = u.v;
CREATE VIEW b AS SELECT v, COUNT(*) AS n FROM t GROUP BY v;
CREATE SINK o FROM a WITH (connector = 'stdout');
CREATE SINK o2 FROM b WITH (connector = 'stdout');`, "t=v,u=v", ""},
		{"join and aggregate by another key", `CREATE VIEW a AS SELECT t.k, u.v FROM t JOIN u ON t.k = u.k;
CREATE VIEW b AS SELECT v, COUNT(*) AS n FROM t GROUP BY v;
CREATE SINK o FROM a WITH (connector = 'stdout');
CREATE SINK o2 FROM b WITH (connector = 'stdout');`, "-", "share no key"},
		{"aggregates per source over a join of them", `CREATE VIEW a AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
CREATE VIEW b AS SELECT k, SUM(v) AS s FROM u GROUP BY k;
CREATE VIEW c AS SELECT a.k, a.n, b.s FROM a JOIN b ON a.k = b.k;
CREATE SINK o FROM c WITH (connector = 'stdout');`, "t=k,u=k", ""},
		{"join by a computed key", `CREATE VIEW a AS SELECT t.k FROM t JOIN u ON t.v + 1 = u.v;
CREATE SINK o FROM a WITH (connector = 'stdout');`, "-", "joins on no key"},
		{"aggregate over a join", `CREATE VIEW a AS SELECT t.k, u.v FROM t JOIN u ON t.k = u.k;
CREATE VIEW b AS SELECT k, COUNT(*) AS n FROM a GROUP BY k;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "-", "no group key that is a column of every source"},
		{"window over a union", `CREATE VIEW a AS SELECT k, ts FROM t UNION ALL SELECT k, ts FROM u;
CREATE VIEW b AS SELECT k, window_start, COUNT(*) AS n FROM TUMBLE(a, ts, INTERVAL '1' MINUTE) GROUP BY k, window_start, window_end;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "t=k,u=k", ""},
		{"window over a union by a column of one branch only", `CREATE VIEW a AS SELECT k, ts FROM t UNION ALL SELECT CAST(v AS VARCHAR) AS k, ts FROM u;
CREATE VIEW b AS SELECT k, window_start, COUNT(*) AS n FROM TUMBLE(a, ts, INTERVAL '1' MINUTE) GROUP BY k, window_start, window_end;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "-", "no group key that is a column of every source"},
		{"window over a view of one source", `CREATE VIEW a AS SELECT k, v, ts FROM t WHERE v > 0;
CREATE VIEW b AS SELECT v, window_start, COUNT(*) AS n FROM TUMBLE(a, ts, INTERVAL '1' MINUTE) GROUP BY v, window_start, window_end;
CREATE VIEW c AS SELECT k, v FROM u;
CREATE SINK o FROM b WITH (connector = 'stdout');
CREATE SINK o2 FROM c WITH (connector = 'stdout');`, "t=v,u=", ""},
		{"window top-N over a union, numbered in arrival order", `CREATE VIEW a AS SELECT k, v, ts FROM t UNION ALL SELECT k, v, ts FROM u;
CREATE VIEW b AS SELECT k, v, window_start FROM (SELECT k, v, window_start, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY v DESC) AS rn FROM TUMBLE(a, ts, INTERVAL '1' MINUTE)) WHERE rn <= 2;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "-", "arrival order"},
		{"window top-N over a union, ranked", `CREATE VIEW a AS SELECT k, v, ts FROM t UNION ALL SELECT k, v, ts FROM u;
CREATE VIEW b AS SELECT k, v, window_start FROM (SELECT k, v, window_start, RANK() OVER (PARTITION BY window_start, window_end, k ORDER BY v DESC) AS rn FROM TUMBLE(a, ts, INTERVAL '1' MINUTE)) WHERE rn <= 2;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "t=k,u=k", ""},
		{"top-N over an aggregate of a union", `CREATE VIEW a AS SELECT k, v FROM t UNION ALL SELECT k, v FROM u;
CREATE VIEW c AS SELECT k, v, COUNT(*) AS n FROM a GROUP BY k, v;
CREATE VIEW b AS SELECT k, v, n FROM c QUALIFY ROW_NUMBER() OVER (PARTITION BY v ORDER BY n DESC, k) <= 2;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "t=v,u=v", ""},
		{"top-N over a join", `CREATE VIEW a AS SELECT t.k, u.v FROM t JOIN u ON t.k = u.k;
CREATE VIEW b AS SELECT k, v FROM a QUALIFY RANK() OVER (PARTITION BY k ORDER BY v DESC) = 1;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "-", "ranks by no PARTITION BY column"},
		{"global top-N over a union", `CREATE VIEW a AS SELECT k, v FROM t UNION ALL SELECT k, v FROM u;
CREATE VIEW b AS SELECT k, v FROM a QUALIFY RANK() OVER (ORDER BY v DESC) <= 3;
CREATE SINK o FROM b WITH (connector = 'stdout');`, "-", "ranks by no PARTITION BY column"},
		{"late rows", `CREATE VIEW a AS SELECT k, window_start, COUNT(*) AS n FROM TUMBLE(t, ts, INTERVAL '1' MINUTE) GROUP BY k, window_start, window_end;
CREATE VIEW l AS SELECT k, ts FROM LATE(t);
CREATE VIEW b AS SELECT k, v FROM u;
CREATE SINK o FROM a WITH (connector = 'stdout');
CREATE SINK o2 FROM l WITH (connector = 'stdout');
CREATE SINK o3 FROM b WITH (connector = 'stdout');`, "t=k,u=", ""},
		{"late rows counted", `CREATE VIEW a AS SELECT k, window_start, COUNT(*) AS n FROM TUMBLE(t, ts, INTERVAL '1' MINUTE) GROUP BY k, window_start, window_end;
CREATE VIEW l AS SELECT k, COUNT(*) AS n FROM LATE(t) GROUP BY k;
CREATE VIEW b AS SELECT k, v FROM u;
CREATE SINK o FROM a WITH (connector = 'stdout');
CREATE SINK o2 FROM l WITH (connector = 'stdout');
CREATE SINK o3 FROM b WITH (connector = 'stdout');`, "-", "view l aggregates the late rows of a source"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, diags := compiler.CompileWith("t.sql", "t", sources+c.sql, compiler.Options{})
			if res == nil {
				t.Fatalf("does not compile: %v", diags)
			}
			p := res.Physical
			part := physical.Partition(p)
			if c.keys == "-" {
				if part.Partitioned() || !strings.Contains(part.Reason, c.reason) {
					t.Fatalf("got %+v, want one worker because %q", part, c.reason)
				}
				return
			}
			if !part.Partitioned() {
				t.Fatalf("one worker: %s", part.Reason)
			}
			var got []string
			for i, src := range p.Pipeline.Sources {
				col := ""
				if k := part.Keys[i]; k >= 0 {
					col = src.Schema[k].Name
				}
				got = append(got, src.Name+"="+col)
			}
			if strings.Join(got, ",") != c.keys {
				t.Fatalf("keys %v, want %s", got, c.keys)
			}
			if part.Exchanges() {
				t.Fatalf("exchanged %v: several sources do not re-exchange", part.Exchanged)
			}
			// every join, aggregate and top-N knows the key that splits its state
			for _, op := range p.Operators {
				if (op.Join != nil || op.Agg != nil || op.TopN != nil) && part.OpKeys[op.Index] < 0 {
					t.Fatalf("operator %s has no split key", op.Name)
				}
			}
			if line := physical.FormatPartitioning(p, part); !strings.Contains(line, "every source") {
				t.Fatalf("explain: %s", line)
			}
		})
	}
}
