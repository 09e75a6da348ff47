package job

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/window"
)

// hoardPipeline keeps 2,000 new groups of 2 KB each per line: keyed state
// that grows without bound, as a view over ever new keys does.
type hoardPipeline struct {
	groups *window.Groups[int64, [2048]byte]
	next   int64
	lines  int
}

func (p *hoardPipeline) ProcessLines(src int, b *connector.LineBatch) {
	for range b.Lines {
		p.lines++
		for i := 0; i < 2000; i++ {
			gi, _ := p.groups.Find(p.next)
			(*p.groups.State(gi))[0] = 1
			p.next++
		}
	}
}

func (p *hoardPipeline) EndOfInput(int) {}

// TestMemoryLimitStopsCleanly: a job whose state outgrows --memory-limit
// stops between batches with LDB-5101 naming the state's size, instead of
// dying of "out of memory"; the process's own limit is restored after.
func TestMemoryLimitStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in.jsonl"), strings.Repeat("x\n", 1000)) // 4 GB of state if it all ran
	spec := Spec{Name: "hoard", Sources: []SourceSpec{fileSource("in", "in.jsonl")}, Sinks: []SinkSpec{fileSink("out", "out.jsonl")}}
	var stderr bytes.Buffer
	opts := testOptions(dir, &stderr)
	opts.BatchSize = 1
	opts.MemoryLimit = 256 << 20
	p := &hoardPipeline{groups: window.NewGroups[int64, [2048]byte]()}
	sum, err := Run(context.Background(), spec, func(*Context) Pipeline { return p }, opts)
	if err == nil || !strings.Contains(err.Error(), "LDB-5101") || !strings.Contains(err.Error(), "groups") {
		t.Fatalf("want an LDB-5101 error, got %v", err)
	}
	if p.lines >= 1000 || p.lines < 10 {
		t.Errorf("stopped after %d lines", p.lines)
	}
	if sum.StateGroups < int64(p.lines)*2000 || sum.StateBytes < sum.StateGroups*2048 {
		t.Errorf("summary state: %d groups, %d bytes for %d lines", sum.StateGroups, sum.StateBytes, p.lines)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit left at %d", got)
	}
	p.groups.Reset() // give the memory back to the other tests
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"512MiB": 512 << 20, "4GB": 4e9, "1e9": 1e9, "2 GiB": 2 << 30, "100kb": 1e5, "64B": 64} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "-1GB", "lots", "1e30GB"} {
		if _, err := parseBytes(in); err == nil {
			t.Errorf("parseBytes(%q) accepted", in)
		}
	}
}
