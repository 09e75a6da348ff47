// Package lookup runs lookup joins: each row of a stream looks its key up in
// an external table (a file, a PostgreSQL table), read on demand and cached
// with ristretto (a bounded, TTL'd, admission-controlled cache). Generated
// code supplies the key and row types; a table hands rows over as values
// (int64, float64, string, bool, nil for NULL; TIMESTAMP as µs int64).
//
// It is a package of its own so that only jobs with a lookup join link
// ristretto; the PostgreSQL table lives in lookup/pglookup (pgx).
package lookup

import (
	"fmt"
	"hash/maphash"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/ristretto/v2"
	"github.com/laminar-sql/laminar/runtime/errcode"
)

// Table is an external table read by key.
type Table interface {
	// Lookup returns the rows whose key columns equal key (in the order
	// the join names them), each row's values in the table's column order.
	Lookup(key []any) ([][]any, error)
	Close() error
}

// Options bound a lookup join's cache: Rows is the most table rows it holds
// (0: 10,000), TTL how long an entry is believed (0: for the whole run).
type Options struct {
	Rows int64
	TTL  time.Duration
}

// ParseOptions reads the cache options of a lookup table's WITH clause:
// cache_rows (a count) and cache_ttl (a Go duration such as 10m or 1h30m).
func ParseOptions(opts map[string]string) (Options, error) {
	var o Options
	if s, ok := opts["cache_rows"]; ok {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || n < 0 {
			return o, fmt.Errorf("cache_rows %q is not a count of rows", s)
		}
		o.Rows = n
	}
	if s, ok := opts["cache_ttl"]; ok {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d < 0 {
			return o, fmt.Errorf("cache_ttl %q is not a duration such as 10m or 1h", s)
		}
		o.TTL = d
	}
	return o, nil
}

// Counters are a lookup join's cache counters, for /status and /metrics.
type Counters struct {
	Table  string
	Hits   int64
	Misses int64
	Errors int64
}

type entry[K comparable, R any] struct {
	key  K
	rows []R
}

// Cache is one lookup join's view of its table: rows by key, through a
// ristretto cache. It is used from the pipeline's goroutine; its counters
// may be read from any.
type Cache[K comparable, R any] struct {
	name    string
	table   Table
	open    func() (Table, error)
	args    func(K) []any
	decode  func([]any) (R, error)
	cache   *ristretto.Cache[uint64, entry[K, R]]
	ttl     time.Duration
	seed    maphash.Seed
	hits    atomic.Int64
	misses  atomic.Int64
	errors  atomic.Int64
	openErr error
}

// NewCache makes the cache of a lookup join of table name, opened on first
// use by open. args turns a key into the table's key values, decode a table
// row into a row.
func NewCache[K comparable, R any](name string, opts Options, open func() (Table, error), args func(K) []any, decode func([]any) (R, error)) *Cache[K, R] {
	rows := opts.Rows
	if rows <= 0 {
		rows = 10_000
	}
	c, err := ristretto.NewCache(&ristretto.Config[uint64, entry[K, R]]{
		NumCounters: 10 * rows, MaxCost: rows, BufferItems: 64,
		KeyToHash:          func(k uint64) (uint64, uint64) { return k, 0 },
		IgnoreInternalCost: true, // costs are rows
	})
	if err != nil {
		panic(err) // only for a bad config, which the values above are not
	}
	lc := &Cache[K, R]{name: name, open: open, args: args, decode: decode, cache: c, ttl: opts.TTL, seed: maphash.MakeSeed()}
	return lc
}

// Get returns the rows of key k: from the cache, or read from the table
// (and cached, for a while if the table has a TTL).
func (c *Cache[K, R]) Get(k K) ([]R, error) {
	h := maphash.Comparable(c.seed, k)
	if e, ok := c.cache.Get(h); ok && e.key == k {
		c.hits.Add(1)
		return e.rows, nil
	}
	c.misses.Add(1)
	rows, err := c.read(k)
	if err != nil {
		c.errors.Add(1)
		return nil, errcode.Errorf(errcode.LookupFailed, "%w", err)
	}
	// an entry costs its rows (a key without any still takes a place)
	c.cache.SetWithTTL(h, entry[K, R]{k, rows}, int64(max(len(rows), 1)), c.ttl)
	c.cache.Wait() // visible to the next row, which often has the same key
	return rows, nil
}

func (c *Cache[K, R]) read(k K) ([]R, error) {
	if c.table == nil {
		if c.openErr != nil {
			return nil, c.openErr
		}
		t, err := c.open()
		if err != nil {
			return nil, fmt.Errorf("lookup table %s: %w", c.name, err)
		}
		c.table = t
	}
	vals, err := c.table.Lookup(c.args(k))
	if err != nil {
		return nil, fmt.Errorf("lookup table %s: %w", c.name, err)
	}
	rows := make([]R, 0, len(vals))
	for _, v := range vals {
		r, err := c.decode(v)
		if err != nil {
			return nil, fmt.Errorf("lookup table %s: %w", c.name, err)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// Counters reads the cache's counters.
func (c *Cache[K, R]) Counters() Counters {
	return Counters{Table: c.name, Hits: c.hits.Load(), Misses: c.misses.Load(), Errors: c.errors.Load()}
}

// Close closes the table and the cache.
func (c *Cache[K, R]) Close() error {
	c.cache.Close()
	if c.table != nil {
		return c.table.Close()
	}
	return nil
}
