// Command baseline runs one hand-written Nexmark query over the generator and
// prints its throughput: events per second of wall time and events per
// CPU-second (user + system time of the process), e.g.
//
//	go run ./benchmarks/nexmark/baseline/cmd/baseline -q q5 -events 10000000
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/laminar-sql/laminar/benchmarks/nexmark/baseline"
	"github.com/laminar-sql/laminar/runtime/nexmark"
)

func main() {
	query := flag.String("q", "q5", "query: "+strings.Join(baseline.Queries(), ", "))
	events := flag.Int64("events", 10_000_000, "number of events to generate")
	rate := flag.Float64("rate", nexmark.DefaultRate, "events per second of event time")
	seed := flag.Int64("seed", 0, "generator seed")
	outOfOrder := flag.Int("out-of-order-group", 1, "permute events within groups of this many (1 = in order)")
	flag.Parse()

	cfg := nexmark.Config{Events: *events, Rate: *rate, Seed: *seed, OutOfOrderGroupSize: *outOfOrder}
	cpuBefore := cpuTime()
	start := time.Now()
	res, err := baseline.Run(*query, cfg)
	wall := time.Since(start)
	cpu := cpuTime() - cpuBefore
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("query %s: %d events, %d rows, checksum %016x\n", *query, res.Events, res.Rows, res.Checksum)
	fmt.Printf("wall %.3f s: %.0f events/s\n", wall.Seconds(), float64(res.Events)/wall.Seconds())
	fmt.Printf("cpu  %.3f s: %.0f events per CPU-second\n", cpu.Seconds(), float64(res.Events)/cpu.Seconds())
}

// cpuTime is the user plus system time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
