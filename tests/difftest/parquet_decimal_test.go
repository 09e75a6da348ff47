package difftest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// decimalRows is the DuckDB query whose rows the Parquet decimal cases
// read: DECIMAL(18,2) (INT64 in DuckDB's file), DECIMAL(38,10)
// (FIXED_LEN_BYTE_ARRAY) and DECIMAL(9,3) (INT32) columns with negatives,
// NULLs and values near the limits of their precision, from the rows of
// table t.
const decimalRows = `SELECT rowid AS id, k,
  CASE WHEN n % 97 = 0 THEN CAST(CASE WHEN n % 2 = 0 THEN '9999999999999999.99' ELSE '-9999999999999999.99' END AS DECIMAL(18,2))
    ELSE CAST(CAST((n - 500) * 12345678901234 AS VARCHAR) || '.' || lpad(CAST(n % 100 AS VARCHAR), 2, '0') AS DECIMAL(18,2)) END AS a,
  CASE WHEN x IS NULL THEN NULL
    WHEN n % 89 = 0 THEN CAST(CASE WHEN n % 2 = 0 THEN '9999999999999999999999999999.9999999999' ELSE '-9999999999999999999999999999.9999999999' END AS DECIMAL(38,10))
    ELSE CAST(CAST(CAST(n - 500 AS HUGEINT) * 123456789012345678 AS VARCHAR) || '.' || lpad(CAST((n * 7919) % 10000000000 AS VARCHAR), 10, '0') AS DECIMAL(38,10)) END AS b,
  CAST(CAST(g AS DOUBLE) / 7 AS DECIMAL(9,3)) AS c,
  make_timestamp(ts) AS ts
FROM t`

// TestParquetDecimalAgainstDuckDB: DECIMAL columns of a Parquet file
// DuckDB writes (COPY … TO 'in.parquet') read exactly: the rows as read
// and an aggregate over them (SUM, MIN, MAX per key; no SUM of the
// DECIMAL(38,10) column: its values near the limit would pass 38 digits,
// which DuckDB's HUGEINT sum lets through and ours reports, LDB-6005) equal DuckDB's answer
// over the same rows, at batch sizes 1, 7 and 1024; and the same rows
// written by the job's Parquet sink read back by DuckDB's read_parquet
// with their DECIMAL types equal the rows DuckDB wrote.
func TestParquetDecimalAgainstDuckDB(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	const source = "CREATE SOURCE src (id BIGINT NOT NULL, k VARCHAR, a DECIMAL(18,2), b DECIMAL(38,10), c DECIMAL(9,3), ts TIMESTAMP NOT NULL,\n" +
		"  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND\n) WITH (connector = 'file', path = 'in.parquet', format = 'parquet');\n"
	queries := []Query{
		{
			Pipeline: source + "CREATE VIEW v AS SELECT id, a, b, c FROM src;\n" +
				"CREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n" +
				"CREATE SINK pq FROM v WITH (connector = 'parquet', path = 'outpq');\n",
			DuckSQL: "SELECT id, a, b, c FROM (" + decimalRows + ")",
			Columns: []Column{{"id", KindInt}, {"a", KindDecimal}, {"b", KindDecimal}, {"c", KindDecimal}},
		},
		{
			Pipeline: source + "CREATE VIEW v AS SELECT k, SUM(a) AS sa, MIN(b) AS nb, SUM(c) AS sc, MIN(c) AS mc, MAX(b) AS mb, MIN(a) AS ma, COUNT(c) AS nc FROM src GROUP BY k;\n" +
				"CREATE SINK out FROM v WITH (connector = 'file', path = 'out.jsonl', format = 'json');\n",
			DuckSQL:  "SELECT k, SUM(a), MIN(b), SUM(c), MIN(c), MAX(b), MIN(a), COUNT(c) FROM (" + decimalRows + ") GROUP BY k",
			Columns:  []Column{{"k", KindString}, {"sa", KindDecimal}, {"nb", KindDecimal}, {"sc", KindDecimal}, {"mc", KindDecimal}, {"mb", KindDecimal}, {"ma", KindDecimal}, {"nc", KindInt}},
			Updating: true,
		},
	}
	var cases []*testCase
	for i, q := range queries {
		for d := range 2 {
			seed := uint64(100*i + d + 1)
			r := rand.New(rand.NewPCG(seed, seed))
			rows := GenRows(r, DataParams{Rows: 300 + r.IntN(400), DelayUS: 2_000_000})
			cases = append(cases, &testCase{index: len(cases), seed: seed, pkg: fmt.Sprintf("pdec%d_%d", i, d), multi: true,
				rows: rows, input: WriteJSONL(r, rows), query: q,
				repro: "go test -run TestParquetDecimalAgainstDuckDB"})
		}
	}
	bin := buildJobs(t, root, work, cases)
	db := openDuckDB(t)
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.pkg, func(t *testing.T) {
			if c.err != "" {
				t.Fatalf("%s\n-- %s", c.query.Pipeline, c.err)
			}
			want, err := duckResult(db, c) // loads the rows into table t
			if err != nil {
				t.Fatalf("%s\n-- DuckDB: %v", c.describe(), err)
			}
			if want.Size() == 0 {
				t.Fatal("DuckDB's result is empty: the case tests nothing")
			}
			for _, bs := range batchSizes {
				dir := filepath.Join(work, "run", c.pkg, fmt.Sprintf("bs%d", bs))
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				in := filepath.Join(dir, "in.parquet")
				if _, err := db.ExecContext(ctx, fmt.Sprintf(`COPY (%s) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 100)`, decimalRows, in)); err != nil {
					t.Fatalf("DuckDB writing the Parquet file: %v", err)
				}
				if bs == 1 {
					// the physical types the reader must handle
					var types string
					q := fmt.Sprintf(`SELECT string_agg(name || ' ' || type || ' ' || coalesce(logical_type, converted_type, ''), '; ' ORDER BY name) FROM parquet_schema('%s') WHERE name IN ('a', 'b', 'c')`, in)
					if err := db.QueryRowContext(ctx, q).Scan(&types); err != nil {
						t.Fatal(err)
					}
					t.Logf("DuckDB's file: %s", types)
				}
				runJob(t, bin, dir, c, bs, 0, want)
				if c.query.Updating {
					continue
				}
				// the job's Parquet sink, read by DuckDB
				out := filepath.Join(dir, "outpq", "*.parquet")
				var typ string
				if err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT typeof(a) || ' ' || typeof(b) || ' ' || typeof(c) FROM read_parquet('%s') LIMIT 1`, out)).Scan(&typ); err != nil {
					t.Fatal(err)
				}
				if typ != "DECIMAL(18,2) DECIMAL(38,10) DECIMAL(9,3)" {
					t.Errorf("batch size %d: DuckDB reads the sink's columns as %s", bs, typ)
				}
				var extra, missing int
				q := fmt.Sprintf(`SELECT (SELECT count(*) FROM (SELECT id, a, b, c FROM read_parquet('%[1]s') EXCEPT ALL SELECT id, a, b, c FROM (%[2]s))),
  (SELECT count(*) FROM (SELECT id, a, b, c FROM (%[2]s) EXCEPT ALL SELECT id, a, b, c FROM read_parquet('%[1]s')))`, out, decimalRows)
				if err := db.QueryRowContext(ctx, q).Scan(&extra, &missing); err != nil {
					t.Fatal(err)
				}
				if extra != 0 || missing != 0 {
					t.Errorf("batch size %d: the sink's Parquet files have %d rows DuckDB's do not, and lack %d of them", bs, extra, missing)
				}
			}
		})
	}
}
