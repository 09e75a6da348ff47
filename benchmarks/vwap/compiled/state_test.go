package compiled

import (
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/runtime/job"
	"github.com/laminar-sql/laminar/runtime/value"
)

// TestStateRoundTrip: saving every state unit mid-stream and loading it into
// a fresh engine gives the same output as an uninterrupted run.
func TestStateRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	rows := make([]TradesRow, 200_000)
	for i := range rows {
		rows[i] = TradesRow{Symbol: []string{"A", "B", "C"}[r.IntN(3)], Price: value.Of(r.Float64()), Volume: value.Of(r.Int64N(9) + 1),
			Ts: int64(i)*1000 - r.Int64N(3_000_000)}
	}
	run := func(e *engine, sink *job.SinkWriter, part []TradesRow) {
		for i := 0; i < len(part); i += 1024 {
			e.ProcessTrades(part[i:min(i+1024, len(part))], nil, nil)
		}
	}
	newEngineSink := func() (*engine, *job.SinkWriter) {
		sink := &job.SinkWriter{Name: "vwap_out"}
		return newEngine(&job.Context{Sinks: []*job.SinkWriter{sink}}), sink
	}
	e, sink := newEngineSink()
	run(e, sink, rows)
	e.EndOfInput(0)
	want := sink.Buf

	e1, s1 := newEngineSink()
	run(e1, s1, rows[:100_000])
	var saved [][]byte
	for i := range e1.StateUnits() {
		saved = append(saved, e1.SaveState(i, nil))
	}
	e2, s2 := newEngineSink()
	for i, data := range saved {
		if err := e2.LoadState(i, data); err != nil {
			t.Fatalf("unit %s: %v", e2.StateUnits()[i].Name, err)
		}
	}
	run(e2, s2, rows[100_000:])
	e2.EndOfInput(0)
	got := append(append([]byte{}, s1.Buf...), s2.Buf...)
	if sortedLines(got) != sortedLines(want) {
		t.Fatal("output after restore differs from an uninterrupted run")
	}
	if err := e2.LoadState(1, saved[1][:len(saved[1])/2]); err == nil {
		t.Fatal("truncated state loaded without error")
	}
}

func sortedLines(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
