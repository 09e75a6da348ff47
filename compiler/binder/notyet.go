package binder

import "strings"

// processingTime are the names of the wall clock in other engines: a result
// that depends on when the job runs is not one Laminar computes.
var processingTime = map[string]bool{
	"CURRENT_TIMESTAMP": true, "LOCALTIMESTAMP": true, "CURRENT_DATE": true, "CURRENT_TIME": true,
	"LOCALTIME": true, "CURRENT_ROW_TIMESTAMP": true, "NOW": true,
}

const processingTimeHint = "results would depend on when the job runs; use the event-time column (the source's WATERMARK column), or PROCTIME() for processing time"

// notYet are functions users of other engines write that Laminar knows and
// does not run yet: an error that names them (LDB-4001), not "unknown function".
var notYet = map[string][2]string{
	"ROLLUP":         {"(GROUP BY ROLLUP) is not supported yet", "write one view per grouping and UNION ALL them"},
	"CUBE":           {"(GROUP BY CUBE) is not supported yet", "write one view per grouping and UNION ALL them"},
	"GROUPING":       {"is not supported yet (no GROUPING SETS)", "write one view per grouping and UNION ALL them"},
	"ROW_NUMBER":     {"is a window function: OVER windows are not supported yet", "for the first row per key, use MIN/MAX or FIRST_VALUE by event time"},
	"LISTAGG":        {"is not supported yet", "the aggregates are COUNT, SUM, MIN, MAX, AVG, FIRST_VALUE, LAST_VALUE, STDDEV, VARIANCE, APPROX_COUNT_DISTINCT"},
	"STRING_AGG":     {"is not supported yet", "the aggregates are COUNT, SUM, MIN, MAX, AVG, FIRST_VALUE, LAST_VALUE, STDDEV, VARIANCE, APPROX_COUNT_DISTINCT"},
	"ARRAY_AGG":      {"is not supported yet (no ARRAY type)", "the aggregates are COUNT, SUM, MIN, MAX, AVG, FIRST_VALUE, LAST_VALUE, STDDEV, VARIANCE, APPROX_COUNT_DISTINCT"},
	"COLLECT":        {"is not supported yet (no MULTISET type)", "COUNT(DISTINCT x) counts the distinct values"},
	"UNIX_TIMESTAMP": {"is not supported: without an argument it is processing time", "EPOCH(ts) is seconds since the epoch of a TIMESTAMP; TO_TIMESTAMP(s) parses a string"},
}

func init() {
	for name := range processingTime {
		notYet[name] = [2]string{"is processing time, which is not supported", processingTimeHint}
	}
}

// typeHint says what to write instead of a type Laminar does not have.
func typeHint(name string) string {
	switch strings.ToUpper(name) {
	case "DATE":
		return "; DATE is not supported: use TIMESTAMP (a date is its midnight, UTC)"
	case "TIME":
		return "; TIME is not supported: use TIMESTAMP, or EXTRACT(HOUR FROM ts) and friends"
	}
	return ""
}
