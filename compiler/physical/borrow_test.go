package physical_test

import (
	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/compiler/physical"
	"slices"
	"strings"
	"testing"
)

// TestBorrowedStrings: a source's string columns are read in place (views
// of the read buffer) only where every reader is done with them within the
// batch: q0's pass-through to a sink, a filter, a UNION ALL of such views;
// not where state, a lookup, late rows, a Go function or an embedding
// program may keep them.
func TestBorrowedStrings(t *testing.T) {
	const bid = `CREATE SOURCE bid (auction BIGINT NOT NULL, price BIGINT NOT NULL, channel VARCHAR, url VARCHAR NOT NULL,
  "dateTime" TIMESTAMP NOT NULL, extra VARCHAR NOT NULL,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND) WITH (connector = 'file', path = 'bids.jsonl', format = 'json');
`
	const out = "CREATE SINK o FROM v WITH (connector = 'file', path = 'o.jsonl', format = 'json');\n"
	for _, tc := range []struct {
		name, sql string
		lib       bool
		want      []string // the borrowed columns of bid
	}{
		{"q0: pass-through to a sink", `CREATE VIEW v AS SELECT auction, price, "dateTime", extra FROM bid;` + out, false, []string{"extra"}},
		{"nullable and filtered", `CREATE VIEW v AS SELECT auction, channel FROM bid WHERE url LIKE '%item%' AND channel <> 'x';` + out, false, []string{"channel", "url"}},
		{"an expression over the string", `CREATE VIEW v AS SELECT auction, UPPER(SUBSTRING(extra, 1, 3)) AS e FROM bid;` + out, false, []string{"extra"}},
		{"a stateless view of a stateless view", `CREATE VIEW w AS SELECT auction, extra FROM bid WHERE price > 10;
CREATE VIEW v AS SELECT extra FROM w;` + out, false, []string{"extra"}},
		{"blackhole sink", `CREATE VIEW v AS SELECT extra FROM bid;
CREATE SINK o FROM v WITH (connector = 'blackhole');`, false, []string{"extra"}},
		{"embedded: the program receives the rows", `CREATE VIEW v AS SELECT auction, extra FROM bid;` + out, true, nil},
		{"a window keeps its rows' groups", `CREATE VIEW v AS SELECT extra, COUNT(*) AS n, window_start FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR("dateTime"), INTERVAL '10' SECOND))
  GROUP BY extra, window_start, window_end;` + out, false, nil},
		{"a group by keeps its keys", `CREATE VIEW v AS SELECT channel, COUNT(*) AS n FROM bid GROUP BY channel;` + out, false, nil},
		{"a view read by an aggregate as well as a sink", `CREATE VIEW w AS SELECT auction, extra FROM bid;
CREATE VIEW a AS SELECT extra, COUNT(*) AS n FROM w GROUP BY extra;
CREATE SINK oa FROM a WITH (connector = 'stdout');
CREATE VIEW v AS SELECT * FROM w;` + out, false, nil},
		{"a join keeps its sides' rows", `CREATE VIEW v AS SELECT b.extra, c.extra AS e2 FROM bid b JOIN bid c ON b.auction = c.auction
  AND c."dateTime" BETWEEN b."dateTime" - INTERVAL '1' SECOND AND b."dateTime";` + out, false, nil},
		{"a top-N keeps its rows", `CREATE VIEW v AS SELECT * FROM (SELECT auction, extra, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bid) WHERE rn <= 1;` + out, false, nil},
		{"late rows forwarded (LATE)", `CREATE VIEW v AS SELECT extra FROM bid;
CREATE VIEW l AS SELECT * FROM LATE(bid);
CREATE SINK lo FROM l WITH (connector = 'stdout');` + out, false, nil},
		{"a Go function may keep its argument", `CREATE FUNCTION keep(s VARCHAR) RETURNS BIGINT LANGUAGE GO AS 'example.com/udfs.Keep';
CREATE VIEW v AS SELECT auction, keep(extra) AS k FROM bid;` + out, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := buildWith(t, bid, tc.sql, tc.lib)
			got := p.BorrowedColumns(0)
			if !slices.Equal(got, tc.want) {
				t.Errorf("borrowed %v, want %v", got, tc.want)
			}
		})
	}
}

// TestBorrowedNotCSV: a CSV source's fields are copied (only the JSON
// decoder reads strings in place).
func TestBorrowedNotCSV(t *testing.T) {
	p := buildWith(t, "", `CREATE SOURCE c (k VARCHAR NOT NULL, v BIGINT) WITH (connector = 'file', path = 'c.csv', format = 'csv');
CREATE VIEW v AS SELECT k FROM c;
CREATE SINK o FROM v WITH (connector = 'stdout');`, false)
	if got := p.BorrowedColumns(0); len(got) != 0 {
		t.Errorf("CSV: borrowed %v", got)
	}
}

// TestBorrowedExplain: explain shows the columns read in place under the
// source's decoded columns.
func TestBorrowedExplain(t *testing.T) {
	p := build(t, `CREATE VIEW v AS SELECT k, v FROM t;
CREATE SINK o FROM v WITH (connector = 'stdout');`, false)
	want := "Source t (file, json; decode [k, v, ts]; watermark ts - 1 SECOND)\n  strings read in place (views of the read buffer, no copy; every reader is done with them within the batch): k\n"
	if got := physicalFormat(p); !strings.Contains(got, want) {
		t.Errorf("explain:\n%s\nwant it to hold:\n%s", got, want)
	}
}

func buildWith(t *testing.T, srcs, sql string, lib bool) *physical.Plan {
	t.Helper()
	res, diags := compiler.CompileWith("t.sql", "t", srcs+sql, compiler.Options{Lib: lib})
	if res == nil {
		t.Fatalf("does not compile: %v", diags)
	}
	return res.Physical
}

func physicalFormat(p *physical.Plan) string { return physical.Format(p) }
