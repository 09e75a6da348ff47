package difftest

import (
	"database/sql"
	"fmt"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

func TestProbe(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"SELECT -7 // 2, 7 // -2, -7 % 3, 7 % -3, 1 // 0, 1 % 0", "SELECT typeof(-7 // 2), typeof(5::BIGINT // 2::BIGINT)",
		"SELECT round(2.5::DOUBLE), round(-2.5::DOUBLE), round(0.125::DOUBLE, 2), -7.5::DOUBLE % 2, 1.0::DOUBLE / 0",
		"SELECT substring('abc', 0, 2), substring('abc', 2), substring('abc', -1, 2), 'B' < 'a', length(''), CAST(2.5::DOUBLE AS BIGINT), CAST(-2.5::DOUBLE AS BIGINT)",
		"SELECT typeof(sum(1::BIGINT)), typeof(avg(1::BIGINT)), typeof(floor(1::BIGINT)), typeof(abs(1::BIGINT)), typeof(round(1::BIGINT)), typeof(1::BIGINT * 0.5)"} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(q, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			fmt.Printf("%s\n  %#v\n", q, vals)
		}
		rows.Close()
	}
}
