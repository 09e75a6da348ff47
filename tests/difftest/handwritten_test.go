package difftest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// handCase is a multi-view pipeline over a few rows with its result worked
// out by hand: the semantics the random cases reach only by chance.
type handCase struct {
	name  string
	views string // CREATE VIEW statements over src; the last view feeds the sink
	input string // JSON lines of src (k, n, ts)
	cols  []Column
	// want is the net result, one JSON object a line, without "_op"
	want     string
	updating bool
	// inserts: the output has no "-" row at all (DISTINCT over append-only
	// input emits each row once)
	inserts bool
}

const handSource = `CREATE SOURCE src (k VARCHAR, n BIGINT NOT NULL, ts TIMESTAMP NOT NULL,
  WATERMARK FOR ts AS ts - INTERVAL '0' SECOND) WITH (connector = 'file', path = 'in.jsonl', format = 'json');
`

// the rows of the windowed cases: 10 s windows [0,10) a a, [10,20) b,
// [50,60) a, [60,70) b
const handWindowRows = `{"k":"a","n":1,"ts":"2024-03-01T00:00:01Z"}
{"k":"a","n":2,"ts":"2024-03-01T00:00:05Z"}
{"k":"b","n":3,"ts":"2024-03-01T00:00:12Z"}
{"k":"a","n":4,"ts":"2024-03-01T00:00:59Z"}
{"k":"b","n":5,"ts":"2024-03-01T00:01:02Z"}
`

const handTenSeconds = `CREATE VIEW v1 AS SELECT window_start, window_end, COUNT(*) AS c
  FROM TUMBLE(src, ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end;
`

var handCases = []handCase{
	{
		name: "join_on_two_integer_keys",
		// a key of two 64-bit integer columns: the sides find it through a
		// keyIndex (join.NewKeyedSide), not a map
		views: `CREATE VIEW v1 AS SELECT a.k, a.n, b.n AS m FROM src a JOIN src b ON a.n = b.n AND a.ts = b.ts;
`,
		input: handWindowRows,
		cols:  []Column{{"k", KindString}, {"n", KindInt}, {"m", KindInt}},
		want: `{"k":"a","n":1,"m":1}
{"k":"a","n":2,"m":2}
{"k":"b","n":3,"m":3}
{"k":"a","n":4,"m":4}
{"k":"b","n":5,"m":5}
`,
		inserts: true,
	},
	{
		name: "left_join_on_two_integer_keys_without_a_match",
		// n+1 = n of a row of the same time: none, every row NULL-padded
		// when the other side's watermark passes it (Evict's gone)
		views: `CREATE VIEW v1 AS SELECT a.k, a.n, b.n AS m FROM src a LEFT JOIN src b ON a.n + 1 = b.n AND a.ts = b.ts;
`,
		input: handWindowRows,
		cols:  []Column{{"k", KindString}, {"n", KindInt}, {"m", KindInt}},
		want: `{"k":"a","n":1,"m":null}
{"k":"a","n":2,"m":null}
{"k":"b","n":3,"m":null}
{"k":"a","n":4,"m":null}
{"k":"b","n":5,"m":null}
`,
		inserts: true, // an interval join (a.ts = b.ts): NULL-padded once the watermark passes
	},
	{
		name: "window_join_on_start_and_end",
		// tumbling windows of one size joined on window_start and
		// window_end: the end is not a key (equal starts mean equal ends)
		views: `CREATE VIEW v1 AS SELECT k, window_start AS ws, window_end AS we, COUNT(*) AS c
  FROM TUMBLE(src, ts, INTERVAL '10' SECOND) GROUP BY k, window_start, window_end;
CREATE VIEW v2 AS SELECT window_start AS ws, window_end AS we, SUM(n) AS s
  FROM TUMBLE(src, ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end;
CREATE VIEW v3 AS SELECT v1.k, v1.ws, v1.c, v2.s FROM v1 JOIN v2 ON v1.ws = v2.ws AND v1.we = v2.we;
`,
		input: handWindowRows,
		cols:  []Column{{"k", KindString}, {"ws", KindTimestamp}, {"c", KindInt}, {"s", KindInt}},
		want: `{"k":"a","ws":"2024-03-01T00:00:00Z","c":2,"s":3}
{"k":"b","ws":"2024-03-01T00:00:10Z","c":1,"s":3}
{"k":"a","ws":"2024-03-01T00:00:50Z","c":1,"s":4}
{"k":"b","ws":"2024-03-01T00:01:00Z","c":1,"s":5}
`,
		inserts: true,
	},
	{
		name: "hop_window_join_on_start_and_end",
		// 10 s windows every 5 s: a row is in two windows, and each window's
		// rows meet only the other view's row of that window
		views: `CREATE VIEW v1 AS SELECT k, window_start AS ws, window_end AS we, COUNT(*) AS c
  FROM HOP(src, ts, INTERVAL '5' SECOND, INTERVAL '10' SECOND) GROUP BY k, window_start, window_end;
CREATE VIEW v2 AS SELECT window_start AS ws, window_end AS we, SUM(n) AS s
  FROM HOP(src, ts, INTERVAL '5' SECOND, INTERVAL '10' SECOND) GROUP BY window_start, window_end;
CREATE VIEW v3 AS SELECT v1.k, v1.ws, v1.c, v2.s FROM v1 JOIN v2 ON v1.ws = v2.ws AND v1.we = v2.we;
`,
		input: handWindowRows,
		cols:  []Column{{"k", KindString}, {"ws", KindTimestamp}, {"c", KindInt}, {"s", KindInt}},
		want: `{"k":"a","ws":"2024-02-29T23:59:55Z","c":1,"s":1}
{"k":"a","ws":"2024-03-01T00:00:00Z","c":2,"s":3}
{"k":"a","ws":"2024-03-01T00:00:05Z","c":1,"s":5}
{"k":"b","ws":"2024-03-01T00:00:05Z","c":1,"s":5}
{"k":"b","ws":"2024-03-01T00:00:10Z","c":1,"s":3}
{"k":"a","ws":"2024-03-01T00:00:50Z","c":1,"s":4}
{"k":"a","ws":"2024-03-01T00:00:55Z","c":1,"s":9}
{"k":"b","ws":"2024-03-01T00:00:55Z","c":1,"s":9}
{"k":"b","ws":"2024-03-01T00:01:00Z","c":1,"s":5}
`,
		inserts: true,
	},
	{
		name: "window_join_of_two_sizes_on_start_and_end",
		// 10 s and 20 s windows of one start have different ends: joined on
		// both bounds they meet nowhere, though both have windows starting
		// at 0 and 60 s (the end stays a key)
		views: `CREATE VIEW v1 AS SELECT k, window_start AS ws, window_end AS we, COUNT(*) AS c
  FROM TUMBLE(src, ts, INTERVAL '10' SECOND) GROUP BY k, window_start, window_end;
CREATE VIEW v2 AS SELECT window_start AS ws, window_end AS we, SUM(n) AS s
  FROM TUMBLE(src, ts, INTERVAL '20' SECOND) GROUP BY window_start, window_end;
CREATE VIEW v3 AS SELECT v1.k, v1.ws, v1.c, v2.s FROM v1 JOIN v2 ON v1.ws = v2.ws AND v1.we = v2.we;
`,
		input: handWindowRows,
		cols:  []Column{{"k", KindString}, {"ws", KindTimestamp}, {"c", KindInt}, {"s", KindInt}},
		want:  "",
	},
	{
		name: "group_retracts_to_zero",
		// a count of counts: a's count moves 1 → 2 → 3, so groups c=1 and c=2
		// net to zero and must leave the result (and b's 1 → 2 moves again)
		views: `CREATE VIEW v1 AS SELECT k, COUNT(*) AS c FROM src GROUP BY k;
CREATE VIEW v2 AS SELECT c, COUNT(*) AS groups, SUM(c) AS total FROM v1 GROUP BY c;
`,
		input: `{"k":"a","n":1,"ts":"2024-03-01T00:00:01Z"}
{"k":"a","n":1,"ts":"2024-03-01T00:00:02Z"}
{"k":"b","n":1,"ts":"2024-03-01T00:00:03Z"}
{"k":"a","n":1,"ts":"2024-03-01T00:00:04Z"}
{"k":"b","n":1,"ts":"2024-03-01T00:00:05Z"}
`,
		cols:     []Column{{"c", KindInt}, {"groups", KindInt}, {"total", KindInt}},
		want:     `{"c":3,"groups":1,"total":3}` + "\n" + `{"c":2,"groups":1,"total":2}` + "\n",
		updating: true,
	},
	{
		name: "having_over_updating_input",
		// the group c=1 passes HAVING, then empties; c=2 passes at the end
		views: `CREATE VIEW v1 AS SELECT k, COUNT(*) AS c FROM src GROUP BY k;
CREATE VIEW v2 AS SELECT c, COUNT(*) AS groups FROM v1 GROUP BY c HAVING COUNT(*) >= 2;
`,
		input: `{"k":"a","n":1,"ts":"2024-03-01T00:00:01Z"}
{"k":"b","n":1,"ts":"2024-03-01T00:00:02Z"}
{"k":"a","n":1,"ts":"2024-03-01T00:00:03Z"}
{"k":"b","n":1,"ts":"2024-03-01T00:00:04Z"}
{"k":"c","n":1,"ts":"2024-03-01T00:00:05Z"}
`,
		cols:     []Column{{"c", KindInt}, {"groups", KindInt}},
		want:     `{"c":2,"groups":2}` + "\n",
		updating: true,
	},
	{
		name: "min_after_its_minimum_retracts",
		// MIN over an updating input: c's count is the minimum 1, then grows
		// past the others; the minimum must fall back to the next value
		views: `CREATE VIEW v1 AS SELECT k, COUNT(*) AS c FROM src GROUP BY k;
CREATE VIEW v2 AS SELECT MIN(c) AS lo, MAX(c) AS hi, COUNT(*) AS groups, MIN(k) AS first FROM v1;
`,
		input: `{"k":"b","n":1,"ts":"2024-03-01T00:00:01Z"}
{"k":"b","n":1,"ts":"2024-03-01T00:00:02Z"}
{"k":"c","n":1,"ts":"2024-03-01T00:00:03Z"}
{"k":"c","n":1,"ts":"2024-03-01T00:00:04Z"}
{"k":"c","n":1,"ts":"2024-03-01T00:00:05Z"}
{"k":"d","n":1,"ts":"2024-03-01T00:00:06Z"}
{"k":"d","n":1,"ts":"2024-03-01T00:00:07Z"}
{"k":"d","n":1,"ts":"2024-03-01T00:00:08Z"}
{"k":"d","n":1,"ts":"2024-03-01T00:00:09Z"}
`,
		cols:     []Column{{"lo", KindInt}, {"hi", KindInt}, {"groups", KindInt}, {"first", KindString}},
		want:     `{"lo":2,"hi":4,"groups":3,"first":"b"}` + "\n",
		updating: true,
	},
	{
		name: "min_per_group_over_updating_input",
		// per-group MIN/MAX of sums whose extreme is retracted and replaced
		views: `CREATE VIEW v1 AS SELECT k, n % 2 AS odd, SUM(n) AS s FROM src GROUP BY k, n % 2;
CREATE VIEW v2 AS SELECT k, MIN(s) AS lo, MAX(s) AS hi FROM v1 GROUP BY k;
`,
		input: `{"k":"a","n":1,"ts":"2024-03-01T00:00:01Z"}
{"k":"a","n":2,"ts":"2024-03-01T00:00:02Z"}
{"k":"a","n":5,"ts":"2024-03-01T00:00:03Z"}
{"k":"b","n":4,"ts":"2024-03-01T00:00:04Z"}
{"k":"a","n":8,"ts":"2024-03-01T00:00:05Z"}
`,
		cols:     []Column{{"k", KindString}, {"lo", KindInt}, {"hi", KindInt}},
		want:     `{"k":"a","lo":6,"hi":10}` + "\n" + `{"k":"b","lo":4,"hi":4}` + "\n",
		updating: true,
	},
	{
		name: "union_all_of_source_and_windowed_view",
		// the 1-minute windows read raw rows (ts 1, 5, 12, 59, 62) and the 10 s
		// view's rows at their window_end (10, 20, 60, 70): it closes by the
		// slower of the two watermarks
		views: `CREATE VIEW v1 AS SELECT k, window_end, COUNT(*) AS c
  FROM TUMBLE(src, ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end, k;
CREATE VIEW v2 AS SELECT k, ts FROM src UNION ALL SELECT k, window_end FROM v1;
CREATE VIEW v3 AS SELECT window_start, COUNT(*) AS c, MAX(k) AS k
  FROM TUMBLE(v2, ts, INTERVAL '1' MINUTE) GROUP BY window_start, window_end;
`,
		input: handWindowRows,
		cols:  []Column{{"window_start", KindTimestamp}, {"c", KindInt}, {"k", KindString}},
		want: `{"window_start":"2024-03-01T00:00:00Z","c":6,"k":"b"}
{"window_start":"2024-03-01T00:01:00Z","c":3,"k":"b"}
`,
	},
	{
		name: "union_of_source_and_windowed_view",
		views: `CREATE VIEW v1 AS SELECT k, window_end, COUNT(*) AS c
  FROM TUMBLE(src, ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end, k;
CREATE VIEW v2 AS SELECT k, n FROM src UNION SELECT k, c FROM v1;
`,
		input: handWindowRows,
		cols:  []Column{{"k", KindString}, {"n", KindInt}},
		// (a,1) is both a source row and [50,60)'s count; (b,1) is two counts
		want: `{"k":"a","n":1}
{"k":"a","n":2}
{"k":"a","n":4}
{"k":"b","n":3}
{"k":"b","n":5}
{"k":"b","n":1}
`,
		updating: true,
		inserts:  true,
	},
	{
		name: "cte_reads_cte",
		views: `CREATE VIEW v1 AS
  WITH big AS (SELECT k, n FROM src WHERE n > 1),
       sums AS (SELECT k, SUM(n) AS s, COUNT(*) AS c FROM big GROUP BY k)
  SELECT k, s, c FROM sums WHERE s > 5;
`,
		input: `{"k":"a","n":1,"ts":"2024-03-01T00:00:01Z"}
{"k":"a","n":3,"ts":"2024-03-01T00:00:02Z"}
{"k":"a","n":4,"ts":"2024-03-01T00:00:03Z"}
{"k":"b","n":2,"ts":"2024-03-01T00:00:04Z"}
{"k":"b","n":2,"ts":"2024-03-01T00:00:05Z"}
{"k":"c","n":9,"ts":"2024-03-01T00:00:06Z"}
`,
		cols:     []Column{{"k", KindString}, {"s", KindInt}, {"c", KindInt}},
		want:     `{"k":"a","s":7,"c":2}` + "\n" + `{"k":"c","s":9,"c":1}` + "\n",
		updating: true,
	},
	{
		name: "distinct_over_append_only_inserts_once",
		views: `CREATE VIEW v1 AS SELECT DISTINCT k FROM (SELECT k, n FROM src WHERE n < 5) AS s;
`,
		input:    handWindowRows,
		cols:     []Column{{"k", KindString}},
		want:     `{"k":"a"}` + "\n" + `{"k":"b"}` + "\n",
		updating: true,
		inserts:  true,
	},
	{
		name: "ten_seconds_rolled_up_by_window_end",
		// window_end 10, 20 fall in [0,60); 60, 70 in [60,120)
		views: handTenSeconds + `CREATE VIEW v2 AS SELECT window_start, SUM(c) AS c, COUNT(*) AS w
  FROM TUMBLE(v1, window_end, INTERVAL '1' MINUTE) GROUP BY window_start, window_end;
`,
		input: handWindowRows,
		cols:  []Column{{"window_start", KindTimestamp}, {"c", KindInt}, {"w", KindInt}},
		want: `{"window_start":"2024-03-01T00:00:00Z","c":3,"w":2}
{"window_start":"2024-03-01T00:01:00Z","c":2,"w":2}
`,
	},
	{
		name: "ten_seconds_rolled_up_by_window_start",
		// window_start 0, 10, 50 fall in [0,60); 60 in [60,120)
		views: handTenSeconds + `CREATE VIEW v2 AS SELECT window_start, window_end, SUM(c) AS c, COUNT(*) AS w
  FROM TUMBLE(v1, window_start, INTERVAL '1' MINUTE) GROUP BY window_start, window_end;
`,
		input: handWindowRows,
		cols:  []Column{{"window_start", KindTimestamp}, {"window_end", KindTimestamp}, {"c", KindInt}, {"w", KindInt}},
		want: `{"window_start":"2024-03-01T00:00:00Z","window_end":"2024-03-01T00:01:00Z","c":4,"w":3}
{"window_start":"2024-03-01T00:01:00Z","window_end":"2024-03-01T00:02:00Z","c":1,"w":1}
`,
	},
	{
		name: "updating_view_over_windowed_over_windowed",
		// how many 1-minute windows had each total
		views: handTenSeconds + `CREATE VIEW v2 AS SELECT window_start, SUM(c) AS c
  FROM TUMBLE(v1, window_start, INTERVAL '1' MINUTE) GROUP BY window_start, window_end;
CREATE VIEW v3 AS SELECT c, COUNT(*) AS windows FROM v2 GROUP BY c;
`,
		input:    handWindowRows + `{"k":"a","n":1,"ts":"2024-03-01T00:02:30Z"}` + "\n",
		cols:     []Column{{"c", KindInt}, {"windows", KindInt}},
		want:     `{"c":4,"windows":1}` + "\n" + `{"c":1,"windows":2}` + "\n",
		updating: true,
	},
}

// TestHandWritten runs the hand-worked multi-view cases at every batch size.
func TestHandWritten(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	cases := make([]*testCase, len(handCases))
	for i, h := range handCases {
		sql := handSource + "\n" + h.views + "\n"
		last := strings.LastIndex(h.views, "CREATE VIEW ")
		name := strings.Fields(h.views[last+len("CREATE VIEW "):])[0]
		sql += fmt.Sprintf("CREATE SINK out FROM %s WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n", name)
		cases[i] = &testCase{index: i, pkg: fmt.Sprintf("hcase%d", i), multi: true, input: []byte(h.input),
			query: Query{Pipeline: sql, Columns: h.cols, Updating: h.updating}}
	}
	bin := buildJobs(t, root, work, cases)
	for i, h := range handCases {
		c := cases[i]
		t.Run(h.name, func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.query.Pipeline, c.err)
			}
			want, err := ParseLaminar([]byte(h.want), h.cols, false)
			if err != nil {
				t.Fatalf("the test's expected rows: %v", err)
			}
			for _, bs := range batchSizes {
				dir := filepath.Join(work, "run", c.pkg, fmt.Sprintf("bs%d", bs))
				runJob(t, bin, dir, c, bs, 0, want)
				if !h.inserts {
					continue
				}
				out, err := os.ReadFile(filepath.Join(dir, "out.jsonl"))
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(out), `"_op":"-"`) {
					t.Errorf("%s\n-- at batch size %d the output retracts a row, want inserts only:\n%s", c.query.Pipeline, bs, out)
				}
			}
		})
	}
}
