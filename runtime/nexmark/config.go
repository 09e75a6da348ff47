package nexmark

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Defaults of the reference generator.
const (
	// DefaultRate is the reference's first-event rate: 10M events per second of
	// event time, so 100M events span about 10 s.
	DefaultRate = 10_000_000
	// DefaultBaseTime is 2015-07-15 00:00:00 UTC in µs, the reference's base time.
	DefaultBaseTime int64 = 1436918400 * 1_000_000
)

// outOfOrderStride permutes event numbers within a group, as the reference does
// (offset = eventNumber*953 mod groupSize). 953 is prime, so this is a
// permutation of the group unless the group's size is a multiple of it.
const outOfOrderStride = 953

// Config controls a Generator. The zero value of a field means its default.
type Config struct {
	// Events is the number of events of the whole stream, over all partitions;
	// 0 means unbounded.
	Events int64
	// Rate is the number of events per second of event time (the reference's
	// first-event rate); 0 means DefaultRate. Event n has the time
	// BaseTime + n*1e6/Rate µs, whatever the wall-clock speed.
	Rate float64
	// Seed selects the random values of the events; every event is a pure
	// function of (Seed, event number).
	Seed int64
	// Partitions splits the stream for parallel generation (0 means 1).
	// Partition p in [0, Partitions) generates the event numbers n with
	// n mod Partitions = p; the union of all partitions is the stream of a single
	// generator, event for event.
	Partitions int
	Partition  int
	// BaseTime is the event time of event 0, in µs since the epoch; 0 means
	// DefaultBaseTime (to start at the epoch itself, use 1).
	BaseTime int64
	// OutOfOrderGroupSize permutes the event numbers within consecutive groups
	// of this many (0 or 1: in order). It must not be a multiple of 953.
	OutOfOrderGroupSize int
}

// withDefaults returns cfg with every zero field replaced by its default, or an
// error naming the first field that is out of range.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Rate == 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.Partitions == 0 {
		cfg.Partitions = 1
	}
	if cfg.BaseTime == 0 {
		cfg.BaseTime = DefaultBaseTime
	}
	if cfg.OutOfOrderGroupSize == 0 {
		cfg.OutOfOrderGroupSize = 1
	}
	switch {
	case cfg.Events < 0:
		return cfg, fmt.Errorf("nexmark: Events must be >= 0 (0 = unbounded), got %d", cfg.Events)
	case !(cfg.Rate > 0) || math.IsInf(cfg.Rate, 0):
		return cfg, fmt.Errorf("nexmark: Rate must be a positive number of events per second, got %v", cfg.Rate)
	case cfg.Partitions < 1:
		return cfg, fmt.Errorf("nexmark: Partitions must be >= 1, got %d", cfg.Partitions)
	case cfg.Partition < 0 || cfg.Partition >= cfg.Partitions:
		return cfg, fmt.Errorf("nexmark: Partition must be in [0, %d), got %d", cfg.Partitions, cfg.Partition)
	case cfg.OutOfOrderGroupSize < 1:
		return cfg, fmt.Errorf("nexmark: OutOfOrderGroupSize must be >= 1, got %d", cfg.OutOfOrderGroupSize)
	case cfg.OutOfOrderGroupSize%outOfOrderStride == 0:
		return cfg, fmt.Errorf("nexmark: OutOfOrderGroupSize must not be a multiple of %d, got %d", outOfOrderStride, cfg.OutOfOrderGroupSize)
	}
	return cfg, nil
}

// Option names accepted by ParseOptions.
const (
	OptionEvents          = "events"
	OptionRate            = "rate"
	OptionSeed            = "seed"
	OptionPartitions      = "partitions"
	OptionPartition       = "partition"
	OptionBaseTime        = "base_time"
	OptionOutOfOrderGroup = "out_of_order_group"
)

// connectorOptions belong to the connector layer, not to the generator; they may
// appear in the map given to ParseOptions and are ignored.
var connectorOptions = map[string]bool{"connector": true, "format": true}

// ParseOptions reads a Config from the WITH options of a nexmark source (keys
// lower-case). Every error names its option. Unknown options are errors, so a
// misspelt option never silently does nothing; "connector" and "format" are left
// to the connector layer. The result is not yet validated as a whole
// (NewGenerator does that), except that partition must be below partitions.
func ParseOptions(opts map[string]string) (Config, error) {
	var cfg Config
	var err error
	// Sorted so that the first error reported does not depend on map order.
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		value := strings.TrimSpace(opts[key])
		switch key {
		case OptionEvents:
			cfg.Events, err = parseInt(key, value, 0, math.MaxInt64, "a number of events >= 0 (0 = unbounded)")
		case OptionRate:
			cfg.Rate, err = parseRate(value)
		case OptionSeed:
			cfg.Seed, err = parseInt(key, value, math.MinInt64, math.MaxInt64, "an integer")
		case OptionPartitions:
			var n int64
			n, err = parseInt(key, value, 1, math.MaxInt32, "an integer >= 1")
			cfg.Partitions = int(n)
		case OptionPartition:
			var n int64
			n, err = parseInt(key, value, 0, math.MaxInt32, "an integer >= 0")
			cfg.Partition = int(n)
		case OptionBaseTime:
			cfg.BaseTime, err = parseBaseTime(value)
		case OptionOutOfOrderGroup:
			var n int64
			n, err = parseInt(key, value, 1, math.MaxInt32, "an integer >= 1 (1 = in order)")
			cfg.OutOfOrderGroupSize = int(n)
			if err == nil && n%outOfOrderStride == 0 {
				err = fmt.Errorf("nexmark option %q: must not be a multiple of %d, got %q", key, outOfOrderStride, value)
			}
		default:
			if !connectorOptions[key] {
				err = fmt.Errorf("nexmark option %q: unknown option (known: %s)", key, strings.Join(optionNames(), ", "))
			}
		}
		if err != nil {
			return Config{}, err
		}
	}
	partitions := max(cfg.Partitions, 1)
	if cfg.Partition >= partitions {
		return Config{}, fmt.Errorf("nexmark option %q: must be below partitions (%d), got %d", OptionPartition, partitions, cfg.Partition)
	}
	return cfg, nil
}

func optionNames() []string {
	return []string{OptionBaseTime, OptionEvents, OptionOutOfOrderGroup, OptionPartition, OptionPartitions, OptionRate, OptionSeed}
}

func parseInt(key, value string, lo, hi int64, want string) (int64, error) {
	n, err := strconv.ParseInt(strings.ReplaceAll(value, "_", ""), 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("nexmark option %q: want %s, got %q", key, want, value)
	}
	return n, nil
}

func parseRate(value string) (float64, error) {
	r, err := strconv.ParseFloat(strings.ReplaceAll(value, "_", ""), 64)
	if err != nil || !(r > 0) || math.IsInf(r, 0) {
		return 0, fmt.Errorf("nexmark option %q: want a positive number of events per second, got %q", OptionRate, value)
	}
	return r, nil
}

// parseBaseTime accepts µs since the epoch, or a UTC timestamp in RFC 3339 or
// SQL form ('2015-07-15 00:00:00').
func parseBaseTime(value string) (int64, error) {
	if us, err := strconv.ParseInt(value, 10, 64); err == nil {
		return us, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999", "2006-01-02"} {
		if t, err := time.Parse(layout, value); err == nil {
			return t.UnixMicro(), nil
		}
	}
	return 0, fmt.Errorf("nexmark option %q: want µs since the epoch or a timestamp like '2015-07-15 00:00:00', got %q", OptionBaseTime, value)
}
