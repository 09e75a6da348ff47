package vwap

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/benchmarks/vwap/compiled"
	"github.com/laminar-sql/laminar/codegen"
	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/runtime/format/jsonl"
	"github.com/laminar-sql/laminar/runtime/laminar"
	"github.com/laminar-sql/laminar/runtime/timestamp"
	"github.com/laminar-sql/laminar/runtime/value"
)

//go:generate go run ../../cmd/laminarc compile --lib --expose-sources vwap.sql -o compiled

const events = 1 << 20
const batch = 1024

// inputs makes the same trades for both programs: 64 symbols, 1 ms apart,
// out of order by up to 3 s, some NULL prices.
func inputs() ([]compiled.TradesRow, []Trade) {
	r := rand.New(rand.NewPCG(1, 2))
	syms := make([]string, 64)
	for i := range syms {
		syms[i] = "SYM" + string(rune('A'+i%26)) + string(rune('A'+i/26))
	}
	gen := make([]compiled.TradesRow, events)
	hand := make([]Trade, events)
	for i := range gen {
		ts := int64(1_700_000_000_000_000) + int64(i)*1000 - r.Int64N(3_000_000)
		sym := syms[r.IntN(len(syms))]
		price, vol := 100+r.Float64()*10, r.Int64N(500)+1
		gen[i] = compiled.TradesRow{Symbol: sym, Price: value.Of(price), Volume: value.Of(vol), Ts: ts}
		hand[i] = Trade{Symbol: sym, Price: price, PriceValid: true, Volume: vol, VolumeValid: true, Ts: ts}
		if i%97 == 0 {
			gen[i].Price = value.Null[float64]{}
			hand[i].PriceValid = false
		}
	}
	return gen, hand
}

// runCompiled pushes rows through the embedded pipeline (laminarc compile
// --lib) in batches; keep collects the rows it emits as JSON lines.
func runCompiled(rows []compiled.TradesRow, keep bool) ([]byte, int64) {
	p, err := compiled.Open(context.Background(), compiled.Options{})
	if err != nil {
		panic(err)
	}
	defer p.Close()
	var out []byte
	var n int64
	p.Vwap.OnRow(func(r compiled.VwapRow, op laminar.Op) {
		n++
		if keep {
			out = fmt.Appendf(out, "{\"symbol\":%q,\"window_start\":%q,\"window_end\":%q,\"vwap\":%s,\"n\":%d}\n",
				r.Symbol, timestamp.Format(r.WindowStart), timestamp.Format(r.WindowEnd), floatText(r.Vwap), r.N)
		}
	})
	for i := 0; i < len(rows); i += batch {
		if err := p.Trades.PushBatch(rows[i:min(i+batch, len(rows))]); err != nil {
			panic(err)
		}
	}
	if err := p.Trades.End(); err != nil {
		panic(err)
	}
	return out, n
}

func floatText(v value.Null[float64]) string {
	if !v.Valid {
		return "null"
	}
	return string(jsonl.AppendFloat(nil, v.V))
}

func runHandwritten(rows []Trade, keep bool) ([]byte, int64) {
	h := NewHandwritten()
	var out []byte
	for i := 0; i < len(rows); i += batch {
		h.Process(rows[i:min(i+batch, len(rows))])
		if keep {
			out = append(out, h.Out...)
		}
		h.Out = h.Out[:0]
	}
	h.End()
	if keep {
		out = append(out, h.Out...)
	}
	return out, h.Rows
}

// TestSameOutput: the two programs agree row for row, so the benchmark
// compares the same work.
func TestSameOutput(t *testing.T) {
	gen, hand := inputs()
	a, na := runCompiled(gen, true)
	b, nb := runHandwritten(hand, true)
	if na != nb || na == 0 {
		t.Fatalf("rows: compiled %d, hand-written %d", na, nb)
	}
	sa, sb := sortedLines(a), sortedLines(b)
	if sa != sb {
		t.Fatalf("outputs differ:\n%.500s\n---\n%.500s", sa, sb)
	}
}

func sortedLines(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestCompiledFresh: the checked-in compiled package is what laminarc emits.
func TestCompiledFresh(t *testing.T) {
	src, err := os.ReadFile("vwap.sql")
	if err != nil {
		t.Fatal(err)
	}
	res, diags := compiler.CompileWith("vwap.sql", "vwap", string(src), compiler.Options{Lib: true})
	if res == nil {
		t.Fatal(diags)
	}
	files, err := codegen.LibFiles(res.Physical, string(src), "vwap.sql", "compiled", true)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		have, _ := os.ReadFile("compiled/" + name)
		if !bytes.Equal(have, want) {
			t.Fatalf("compiled/%s is stale: run go generate ./benchmarks/vwap", name)
		}
	}
}

// BenchmarkVWAP runs both programs over the same 1M trades in batches of
// 1024; the ratio compiled/hand-written events/s is the figure that matters.
func BenchmarkVWAP(b *testing.B) {
	gen, hand := inputs()
	b.Run("compiled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			runCompiled(gen, false)
		}
		b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("handwritten", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			runHandwritten(hand, false)
		}
		b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}

// BenchmarkPush measures the embedded API one row at a time: Push until the
// view's callback has run for the rows it emits. It reports events/s,
// allocations per event, and the p50/p99 latency of a Push call.
func BenchmarkPush(b *testing.B) {
	gen, _ := inputs()
	p, err := compiled.Open(context.Background(), compiled.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	var rows int64
	p.Vwap.OnRow(func(compiled.VwapRow, laminar.Op) { rows++ })
	lat := make([]time.Duration, 0, events)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := gen[i%len(gen)]
		r.Ts += int64(i/len(gen)) * int64(len(gen)) * 1000 // keep event time moving forward across laps
		start := time.Now()
		if err := p.Trades.Push(r); err != nil {
			b.Fatal(err)
		}
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(start))
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if n := len(lat); n > 0 {
		b.ReportMetric(float64(lat[n/2].Nanoseconds()), "p50-ns")
		b.ReportMetric(float64(lat[n*99/100].Nanoseconds()), "p99-ns")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
