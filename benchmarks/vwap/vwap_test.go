package vwap

import (
	"bytes"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/benchmarks/vwap/compiled"
	"github.com/laminar-sql/laminar/codegen"
	"github.com/laminar-sql/laminar/compiler"
	"github.com/laminar-sql/laminar/runtime/job"
	"github.com/laminar-sql/laminar/runtime/value"
)

//go:generate go run ../../cmd/laminarc compile --package compiled vwap.sql -o compiled

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

func newCompiled() (*compiled.Pipeline, *job.SinkWriter) {
	sink := &job.SinkWriter{Name: "vwap_out"}
	p := compiled.New(&job.Context{Sinks: []*job.SinkWriter{sink}}).(*compiled.Pipeline)
	return p, sink
}

func runCompiled(rows []compiled.TradesRow, keep bool) ([]byte, int64) {
	p, sink := newCompiled()
	var out []byte
	for i := 0; i < len(rows); i += batch {
		p.ProcessTrades(rows[i:min(i+batch, len(rows))], nil, nil)
		if keep {
			out = append(out, sink.Buf...)
		}
		sink.Buf = sink.Buf[:0]
	}
	p.EndOfInput(0)
	if keep {
		out = append(out, sink.Buf...)
	}
	return out, sink.Rows
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
	res, diags := compiler.Compile("vwap.sql", "vwap", string(src))
	if res == nil {
		t.Fatal(diags)
	}
	want, err := codegen.Generate(res.Physical, string(src), codegen.Options{Package: "compiled", SourceFile: "vwap.sql"})
	if err != nil {
		t.Fatal(err)
	}
	have, _ := os.ReadFile("compiled/pipeline.go")
	if !bytes.Equal(have, want) {
		t.Fatal("compiled/pipeline.go is stale: run go generate ./benchmarks/vwap")
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

// TestStateRoundTrip: saving every state unit mid-stream and loading it into
// a fresh pipeline gives the same output as an uninterrupted run.
func TestStateRoundTrip(t *testing.T) {
	gen, _ := inputs()
	gen = gen[:200_000]
	want, _ := runCompiled(gen, true)

	p, sink := newCompiled()
	var out []byte
	half := 100_000
	for i := 0; i < half; i += batch {
		p.ProcessTrades(gen[i:min(i+batch, half)], nil, nil)
	}
	out = append(out, sink.Buf...)
	var saved [][]byte
	for i := range p.StateUnits() {
		saved = append(saved, p.SaveState(i, nil))
	}
	q, sink2 := newCompiled()
	for i, data := range saved {
		if err := q.LoadState(i, data); err != nil {
			t.Fatalf("unit %s: %v", q.StateUnits()[i].Name, err)
		}
	}
	for i := half; i < len(gen); i += batch {
		q.ProcessTrades(gen[i:min(i+batch, len(gen))], nil, nil)
	}
	q.EndOfInput(0)
	out = append(out, sink2.Buf...)
	if sortedLines(out) != sortedLines(want) {
		t.Fatal("output after restore differs from an uninterrupted run")
	}
	// a damaged snapshot is an error, never a silent misload
	if err := q.LoadState(1, saved[1][:len(saved[1])/2]); err == nil {
		t.Fatal("truncated state loaded without error")
	}
}
