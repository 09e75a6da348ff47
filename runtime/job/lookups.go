package job

import "github.com/laminar-sql/laminar/runtime/connector"

// LookupStatus is one lookup join's cache counters: rows found in the cache
// (hits), read from the table (misses), and lookups that failed (their rows
// went to the dead-letter output).
type LookupStatus struct {
	Table  string `json:"table"`
	View   string `json:"view"`
	Hits   int64  `json:"hits"`
	Misses int64  `json:"misses"`
	Errors int64  `json:"errors"`
}

// LookupCounted is implemented by generated pipelines with lookup joins:
// their caches' counters appended to dst. Called between batches.
type LookupCounted interface {
	LookupCounters(dst []LookupStatus) []LookupStatus
}

// Env is what opening a connector depends on in this job (the base
// directory of relative paths): lookup tables open through it.
func (c *Context) Env() connector.Env { return c.env }
