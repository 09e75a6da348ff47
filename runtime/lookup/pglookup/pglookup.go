// Package pglookup is the PostgreSQL table of lookup joins: each miss of the
// join's cache is one SELECT by key over a connection of its own (pgx). A
// package of its own, so that only jobs with a PostgreSQL lookup table link pgx.
package pglookup

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/laminar-sql/laminar/runtime/lookup"
)

// Table is a PostgreSQL table read by key.
type Table struct {
	url   string
	sql   string
	cols  []lookup.Column
	conn  *pgx.Conn
	retry time.Duration
}

// Open connects to the table of options (table, and url or url_env: the
// name of an environment variable holding the URL, so that a password stays
// out of the SQL); lookups compare the key columns.
func Open(options map[string]string, cols []lookup.Column, keys []int) (*Table, error) {
	table := options["table"]
	url := options["url"]
	if name := options["url_env"]; name != "" {
		v, ok := os.LookupEnv(name)
		if !ok {
			return nil, fmt.Errorf("postgres table %s: url_env names %s, which is not set", table, name)
		}
		url = v
	}
	if url == "" {
		return nil, fmt.Errorf("postgres table %s: needs the option url or url_env", table)
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = pgx.Identifier{c.Name}.Sanitize()
	}
	var where []string
	for i, k := range keys {
		where = append(where, fmt.Sprintf("%s = $%d", names[k], i+1))
	}
	t := &Table{url: url, cols: cols, retry: time.Second,
		sql: fmt.Sprintf("SELECT %s FROM %s WHERE %s", strings.Join(names, ", "), pgx.Identifier(strings.Split(table, ".")).Sanitize(), strings.Join(where, " AND "))}
	if err := t.connect(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Table) connect() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, t.url)
	if err != nil {
		return err
	}
	t.conn = conn
	return nil
}

// Lookup implements lookup.Table. A failed query is tried once more on a
// new connection (the server restarted, the connection dropped).
func (t *Table) Lookup(key []any) ([][]any, error) {
	rows, err := t.query(key)
	if err == nil {
		return rows, nil
	}
	if t.conn != nil {
		t.conn.Close(context.Background())
		t.conn = nil
	}
	time.Sleep(t.retry)
	if cerr := t.connect(); cerr != nil {
		return nil, fmt.Errorf("%v (reconnecting: %v)", err, cerr)
	}
	return t.query(key)
}

func (t *Table) query(key []any) ([][]any, error) {
	if t.conn == nil {
		if err := t.connect(); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := t.conn.Query(ctx, t.sql, key...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, err
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			if row[i], err = convert(v, t.cols[i]); err != nil {
				return nil, fmt.Errorf("column %s: %w", t.cols[i].Name, err)
			}
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// convert maps a value pgx read to the column's kind.
func convert(v any, c lookup.Column) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k := c.Kind; k {
	case lookup.Decimal, lookup.Decimal128:
		switch x := v.(type) {
		case pgtype.Numeric: // digits × 10^exp, exactly
			if !x.Valid || x.NaN || x.InfinityModifier != pgtype.Finite {
				break
			}
			return lookup.ParseDecimal([]byte(x.Int.String()+"e"+strconv.Itoa(int(x.Exp))), c)
		case int64, int32, int16:
			return lookup.ParseDecimal([]byte(fmt.Sprint(x)), c)
		case string:
			return lookup.ParseDecimal([]byte(x), c)
		}
	case lookup.Int:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int32:
			return int64(x), nil
		case int16:
			return int64(x), nil
		case pgtype.Numeric:
			i := new(big.Int).Set(x.Int)
			if x.Exp != 0 || !i.IsInt64() {
				break
			}
			return i.Int64(), nil
		}
	case lookup.Float:
		switch x := v.(type) {
		case float64:
			return x, nil
		case float32:
			return float64(x), nil
		case int64:
			return float64(x), nil
		case int32:
			return float64(x), nil
		case pgtype.Numeric:
			f, err := x.Float64Value()
			if err == nil && f.Valid {
				return f.Float64, nil
			}
		}
	case lookup.String:
		switch x := v.(type) {
		case string:
			return x, nil
		case fmt.Stringer:
			return x.String(), nil
		}
	case lookup.Bool:
		if x, ok := v.(bool); ok {
			return x, nil
		}
	case lookup.Timestamp:
		if x, ok := v.(time.Time); ok {
			if x.Year() < -290000 || x.Year() > 290000 {
				return int64(math.MinInt64), fmt.Errorf("%v is out of range", x)
			}
			return x.UnixMicro(), nil
		}
	}
	return nil, fmt.Errorf("%v (%T) does not fit the column's type", v, v)
}

// Close implements lookup.Table.
func (t *Table) Close() error {
	if t.conn != nil {
		return t.conn.Close(context.Background())
	}
	return nil
}
