package job

import (
	"fmt"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"

	"github.com/laminar-sql/laminar/runtime/errcode"
	"github.com/laminar-sql/laminar/runtime/window"
)

// memoryStopShare is the share of the memory limit the live heap may reach
// before the job stops: the rest leaves the garbage collector room to work
// (the Go memory limit covers the whole runtime, not only live data) and the
// final checkpoint room to be encoded.
const memoryStopShare = 0.75

// memoryGuard keeps a job under --memory-limit: Go's soft memory limit
// makes the collector work harder as the heap nears it, and a check of the
// live heap between batches stops the job with an error (after a final
// checkpoint) before it would run out of memory, instead of a crash.
type memoryGuard struct {
	limit   int64
	sample  []metrics.Sample
	prevSet int64 // the soft limit before, restored at the end
}

func newMemoryGuard(limit int64) *memoryGuard {
	if limit <= 0 {
		return nil
	}
	return &memoryGuard{
		limit:   limit,
		sample:  []metrics.Sample{{Name: "/gc/heap/live:bytes"}},
		prevSet: debug.SetMemoryLimit(limit),
	}
}

// check returns an error when the live heap (as of the last collection) is
// past the share of the limit the job may use; settle, if not nil, is run
// then, before the state's groups are counted for the error (the workers
// drop what is no state: workerPool.dropParts).
func (g *memoryGuard) check(settle func()) error {
	if g == nil {
		return nil
	}
	metrics.Read(g.sample)
	if g.sample[0].Value.Kind() != metrics.KindUint64 {
		return nil
	}
	heapLive := int64(g.sample[0].Value.Uint64())
	if float64(heapLive) < memoryStopShare*float64(g.limit) {
		return nil
	}
	if settle != nil {
		settle()
	}
	groups, bytes := window.Live()
	return errcode.Errorf(errcode.MemoryLimit, "memory limit: the live heap is %s, past %.0f%% of --memory-limit %s; keyed state holds %d groups (about %s); "+
		"stopped after a final checkpoint: raise --memory-limit to resume, or use a key-value state backend for views with many keys",
		formatBytes(heapLive), memoryStopShare*100, formatBytes(g.limit), groups, formatBytes(bytes))
}

func (g *memoryGuard) close() {
	if g != nil {
		debug.SetMemoryLimit(g.prevSet)
	}
}

// parseBytes reads a size: a number of bytes with an optional unit, decimal
// (KB, MB, GB, TB) or binary (KiB, MiB, GiB, TiB): "512MiB", "4GB", "1e9".
func parseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}}
	mult := 1.0
	for _, u := range units { // binary units first: "MIB" also ends in "B"
		if up := strings.ToUpper(t); strings.HasSuffix(up, strings.ToUpper(u.suffix)) {
			t, mult = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || math.IsInf(v*mult, 0) || v*mult >= math.MaxInt64 {
		return 0, fmt.Errorf("invalid size %q: want bytes with an optional unit, e.g. 512MiB or 4GB", s)
	}
	return int64(v * mult), nil
}

// formatBytes renders n in MB or GB, as the summary does.
func formatBytes(n int64) string {
	if n >= 1e9 {
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
