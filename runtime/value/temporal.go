package value

import (
	"strings"
	"time"
)

// Hour is the hour of day (0-23, UTC) of a timestamp in µs.
func Hour(us int64) int64 {
	const hourUs, dayUs = 3600e6, 86400e6
	return FloorDiv(us-FloorDiv(us, dayUs)*dayUs, hourUs)
}

// FormatTime formats a timestamp in µs (UTC) with a Go time layout. The
// compiler translates DATE_FORMAT's Java-style pattern to the layout once.
func FormatTime(us int64, layout string) string {
	return time.UnixMicro(us).UTC().Format(layout)
}

// SplitIndex is SPLIT_INDEX(s, delim, index): the index-th (0-based) part of
// s split at delim; ok is false (NULL) when there is no such part.
func SplitIndex(s, delim string, index int64) (string, bool) {
	if index < 0 || delim == "" {
		return "", false
	}
	for i := int64(0); ; i++ {
		j := strings.Index(s, delim)
		if i == index {
			if j < 0 {
				return s, true
			}
			return s[:j], true
		}
		if j < 0 {
			return "", false
		}
		s = s[j+len(delim):]
	}
}
