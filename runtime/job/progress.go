package job

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/laminar-sql/laminar/runtime/nexmark"
)

// sourceExtent is how far a bounded source goes, in the unit of its
// Position's Offset (bytes of a file, events of a Nexmark stream); 0 for a
// source without an end known in advance (stdin, an unbounded generator).
func sourceExtent(baseDir string, s SourceSpec) int64 {
	switch s.Connector {
	case "file":
		p := s.Options["path"]
		if p == "" {
			return 0
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(baseDir, p)
		}
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
			return info.Size()
		}
	case "nexmark":
		n, _ := strconv.ParseInt(s.Options["events"], 10, 64)
		if parts, _ := strconv.Atoi(s.Options["partitions"]); parts > 1 {
			n /= int64(parts)
		}
		return max(n, 0)
	}
	return 0
}

// nexmarkKind is the event kind a Nexmark source keeps (its table option or
// its name), 0 for other sources.
func nexmarkKind(s SourceSpec) nexmark.Kind {
	if s.Connector != "nexmark" {
		return 0
	}
	table := s.Options["table"]
	if table == "" {
		table = s.Name
	}
	for _, k := range []nexmark.Kind{nexmark.KindPerson, nexmark.KindAuction, nexmark.KindBid} {
		if strings.EqualFold(table, k.String()) {
			return k
		}
	}
	return 0
}

// withNexmarkTable names a Nexmark source's table in its options (the
// `table` option, or else the source's name), so that a generator shared by
// the job's Nexmark sources hands each only its table's events.
func withNexmarkTable(s SourceSpec) SourceSpec {
	k := nexmarkKind(s)
	if k == 0 || s.Options["table"] == k.String() {
		return s
	}
	s.Options = maps.Clone(s.Options)
	if s.Options == nil {
		s.Options = map[string]string{}
	}
	s.Options["table"] = k.String()
	return s
}

// progressPercent adds "42% done, 1m10s left" to the progress line when
// every source is bounded; ok is false when one is not.
func (r *runner) progressPercent(elapsed time.Duration) (string, bool) {
	var done, total int64
	for i, ext := range r.extents {
		if r.done[i] {
			done, total = done+max(ext, 1), total+max(ext, 1)
			continue
		}
		if ext <= 0 {
			return "", false
		}
		done += min(r.positions[i].Offset, ext)
		total += ext
	}
	if total == 0 {
		return "", false
	}
	frac := float64(done) / float64(total)
	s := fmt.Sprintf("%.0f%% done", 100*frac)
	if frac > 0.01 && frac < 1 {
		left := time.Duration(float64(elapsed) * (1 - frac) / frac)
		s += ", " + left.Round(time.Second).String() + " left"
	}
	return s, true
}
