// Command duckdb runs one Nexmark query in DuckDB over a JSON-lines file of
// bids, as the Nexmark harness's peer on the same input as the compiled jobs:
//
//	go run . -file bids.jsonl -q q2 -threads 1
//
// It prints "query q2: 15870 rows". The query's result is materialized in a
// temporary table (DuckDB computes every output column, as a compiled job does
// for its blackhole sink) and counted. It is a module of its own so that the
// main module never imports DuckDB (cgo, a static library).
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2"
)

// bidView reads the file as the compiled jobs' bid source declares it:
// explicit column types, "dateTime" in epoch milliseconds as a TIMESTAMP.
const bidView = `CREATE VIEW bid AS
SELECT auction, bidder, price, channel, url, epoch_ms("dateTime") AS "dateTime", extra
FROM read_json(%s, format = 'newline_delimited', columns = {
  auction: 'BIGINT', bidder: 'BIGINT', price: 'BIGINT', channel: 'VARCHAR',
  url: 'VARCHAR', "dateTime": 'BIGINT', extra: 'VARCHAR'})`

// Queries are the suite's, in DuckDB's dialect, computing what the files of
// benchmarks/nexmark/queries compute (0.908 as a DOUBLE, as there).
var Queries = map[string]string{
	"q0": `SELECT auction, bidder, price, "dateTime", extra FROM bid`,
	"q1": `SELECT auction, bidder, 0.908::DOUBLE * price AS price, "dateTime", extra FROM bid`,
	"q2": `SELECT auction, price FROM bid WHERE auction % 123 = 0`,
	"q5_tumble": `SELECT auction, count(*) AS num, window_start, window_start + INTERVAL 10 SECOND AS window_end
FROM (SELECT auction, time_bucket(INTERVAL 10 SECOND, "dateTime", TIMESTAMP '1970-01-01') AS window_start FROM bid)
GROUP BY auction, window_start`,
	"q7_max": `SELECT window_start, window_start + INTERVAL 10 SECOND AS window_end, max(price) AS maxprice
FROM (SELECT price, time_bucket(INTERVAL 10 SECOND, "dateTime", TIMESTAMP '1970-01-01') AS window_start FROM bid)
GROUP BY window_start`,
	"q14": `SELECT auction, bidder, 0.908::DOUBLE * price AS price,
  CASE
    WHEN hour("dateTime") >= 8 AND hour("dateTime") <= 18 THEN 'dayTime'
    WHEN hour("dateTime") <= 6 OR hour("dateTime") >= 20 THEN 'nightTime'
    ELSE 'otherTime'
  END AS "bidTimeType",
  "dateTime", extra, length(extra) - length(replace(extra, 'c', '')) AS c_counts
FROM bid
WHERE 0.908::DOUBLE * price > 1000000 AND 0.908::DOUBLE * price < 50000000`,
	"q22": `SELECT auction, bidder, price, channel,
  split_part(url, '/', 4) AS dir1, split_part(url, '/', 5) AS dir2, split_part(url, '/', 6) AS dir3
FROM bid`,
}

func main() {
	file := flag.String("file", "", "JSON-lines file of bids")
	q := flag.String("q", "", "query: "+strings.Join(names(), ", "))
	threads := flag.Int("threads", 1, "DuckDB threads (0 = DuckDB's default, every core)")
	flag.Parse()
	rows, err := run(*file, *q, *threads)
	if err != nil {
		fmt.Fprintln(os.Stderr, "duckdb:", err)
		os.Exit(1)
	}
	fmt.Printf("query %s: %d rows\n", *q, rows)
}

func run(file, q string, threads int) (int64, error) {
	query, ok := Queries[q]
	if !ok {
		return 0, fmt.Errorf("unknown query %q (have %s)", q, strings.Join(names(), ", "))
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection: the settings and the temp table live there
	if threads > 0 {
		if _, err := db.Exec(fmt.Sprintf("SET threads = %d", threads)); err != nil {
			return 0, err
		}
	}
	// a view cannot take a parameter: the path goes in as a quoted literal
	if _, err := db.Exec(fmt.Sprintf(bidView, "'"+strings.ReplaceAll(file, "'", "''")+"'")); err != nil {
		return 0, fmt.Errorf("bid view: %w", err)
	}
	if _, err := db.Exec("CREATE TEMP TABLE result AS " + query); err != nil {
		return 0, fmt.Errorf("%s: %w", q, err)
	}
	var n int64
	err = db.QueryRow("SELECT count(*) FROM result").Scan(&n)
	return n, err
}

func names() []string {
	var ns []string
	for n := range Queries {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}
