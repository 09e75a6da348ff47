package nexmark

import (
	"strings"
	"testing"
)

func TestParseOptions(t *testing.T) {
	cfg, err := ParseOptions(map[string]string{
		"connector": "nexmark", "events": "10_000_000", "rate": "100000", "seed": "-7",
		"partitions": "4", "partition": "3", "base_time": "2020-01-02 03:04:05",
		"out_of_order_group": "10",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Events: 10_000_000, Rate: 100_000, Seed: -7, Partitions: 4, Partition: 3,
		BaseTime: 1577934245_000_000, OutOfOrderGroupSize: 10}
	if cfg != want {
		t.Errorf("got %+v, want %+v", cfg, want)
	}
	if _, err := NewGenerator(cfg); err != nil {
		t.Errorf("NewGenerator(ParseOptions(...)): %v", err)
	}
	for value, us := range map[string]int64{"123": 123, "2015-07-15T00:00:00Z": DefaultBaseTime, "2015-07-15": DefaultBaseTime} {
		cfg, err := ParseOptions(map[string]string{"base_time": value})
		if err != nil || cfg.BaseTime != us {
			t.Errorf("base_time %q: got %d, %v, want %d", value, cfg.BaseTime, err, us)
		}
	}
}

func TestParseOptionsErrorsNameTheOption(t *testing.T) {
	for _, c := range []struct {
		opts map[string]string
		want string
	}{
		{map[string]string{"events": "-1"}, `"events"`},
		{map[string]string{"events": "many"}, `"events"`},
		{map[string]string{"rate": "0"}, `"rate"`},
		{map[string]string{"rate": "NaN"}, `"rate"`},
		{map[string]string{"rate": "+Inf"}, `"rate"`},
		{map[string]string{"seed": "1.5"}, `"seed"`},
		{map[string]string{"partitions": "0"}, `"partitions"`},
		{map[string]string{"partition": "-1"}, `"partition"`},
		{map[string]string{"partition": "2", "partitions": "2"}, `"partition"`},
		{map[string]string{"partition": "1"}, `"partition"`},
		{map[string]string{"base_time": "yesterday"}, `"base_time"`},
		{map[string]string{"out_of_order_group": "0"}, `"out_of_order_group"`},
		{map[string]string{"out_of_order_group": "1906"}, `"out_of_order_group"`},
		{map[string]string{"evnets": "10"}, `"evnets"`},
	} {
		_, err := ParseOptions(c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseOptions(%v) = %v, want an error naming %s", c.opts, err, c.want)
		}
	}
}

func FuzzParseOptions(f *testing.F) {
	f.Add("events", "100", "rate", "1e3")
	f.Add("partitions", "3", "partition", "2")
	f.Add("base_time", "2015-07-15 00:00:00", "out_of_order_group", "953")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		cfg, err := ParseOptions(map[string]string{k1: v1, k2: v2})
		if err != nil {
			return
		}
		// Whatever ParseOptions accepts, NewGenerator accepts.
		if _, err := NewGenerator(cfg); err != nil {
			t.Fatalf("ParseOptions accepted %q=%q %q=%q but NewGenerator says %v", k1, v1, k2, v2, err)
		}
	})
}
