package job

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/exchange"
	"github.com/laminar-sql/laminar/runtime/window"
)

// keyedCountFake is a keyed stand-in for a generated GROUP BY k COUNT(*)
// with a combiner, over splitLines (key n/3): Route folds each line into
// the partial counts of its owner's part (a window.Groups, as codegen's
// combiner folds: combiner.go), ProcessPart merges them into the engine's
// counts, EndRound writes each changed group's count to the sink; its
// state is the counts.
type keyedCountFake struct {
	ctx    *Context
	counts *window.Groups[int64, keyedCount]
	// merged counts the rows merged by every engine; stop is called with
	// it after each part
	merged *atomic.Int64
	stop   func(rows int64)
	// made keeps every Groups made, for the test to reset them at its end
	// (window.Live counts them until then; other tests read it)
	made *keyedGroups
}

type keyedGroups struct {
	mu     sync.Mutex
	resets []func()
}

func (m *keyedGroups) add(reset func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.resets = append(m.resets, reset)
}

func (m *keyedGroups) reset() {
	for _, r := range m.resets {
		r()
	}
}

type keyedCount struct {
	n     int64
	dirty bool
}

// keyedCountPart is a part: partial counts by key.
type keyedCountPart struct{ c *window.Groups[int64, int64] }

func keyedCountHash(k int64) uint64 { return exchange.Int(exchange.Seed, uint64(k)) }

func (f *keyedCountFake) ProcessLines(int, *connector.LineBatch) {}
func (f *keyedCountFake) EndOfInput(int)                         {}
func (f *keyedCountFake) Partition() Partition {
	return Partition{Sources: []SourcePartition{{Source: 0, Keyed: true}}}
}
func (f *keyedCountFake) NewPart(int) any {
	c := window.NewGroups[int64, int64]()
	f.made.add(c.Reset)
	return &keyedCountPart{c: c}
}
func (f *keyedCountFake) ResetPart(_ int, x any) { x.(*keyedCountPart).c.Reset() }
func (f *keyedCountFake) Route(_ int, b *connector.LineBatch, parts []any, wm int64) int64 {
	for i, line := range b.Lines {
		if bytes.HasPrefix(line, []byte("bad")) {
			f.ctx.Malformed(0, b, i, fmt.Errorf("cannot decode %q", line))
			continue
		}
		n, err := strconv.ParseInt(string(line[5:11]), 10, 64) // {"n":000123,...
		if err != nil {
			panic(err)
		}
		k := n / 3
		c := parts[exchange.Owner(keyedCountHash(k), len(parts))].(*keyedCountPart).c
		gi, _ := c.Find(k)
		*c.State(gi)++
	}
	return wm
}
func (f *keyedCountFake) ProcessPart(_ int, x any, _ int64) {
	c := x.(*keyedCountPart).c
	var rows int64
	for gi := range c.Count() {
		di, _ := f.counts.Find(*c.Key(gi))
		acc := f.counts.State(di)
		acc.n += *c.State(gi)
		rows += *c.State(gi)
		if !acc.dirty {
			acc.dirty = true
			f.counts.Dirty = append(f.counts.Dirty, di)
		}
	}
	if f.stop != nil {
		f.stop(f.merged.Add(rows))
	}
}
func (f *keyedCountFake) EndRound(int, int64) {
	w := f.ctx.Sinks[0]
	for _, gi := range f.counts.Dirty {
		acc := f.counts.State(gi)
		acc.dirty = false
		w.Buf = fmt.Appendf(w.Buf, "{\"k\":%d,\"n\":%d}\n", *f.counts.Key(gi), acc.n)
		w.Rows++
	}
	f.counts.Dirty = f.counts.Dirty[:0]
}
func (f *keyedCountFake) Prune(owns func(h uint64) bool) {
	var drop []int32
	for gi := range f.counts.Count() {
		if !owns(keyedCountHash(*f.counts.Key(gi))) {
			drop = append(drop, gi)
		}
	}
	f.counts.Remove(drop)
}
func (f *keyedCountFake) StateUnits() []StateUnit {
	return []StateUnit{{ID: "op:keyedcount:1", Name: "view counts"}}
}
func (f *keyedCountFake) SaveState(_ int, buf []byte) []byte {
	for gi := range f.counts.Count() {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(*f.counts.Key(gi)))
		buf = binary.LittleEndian.AppendUint64(buf, uint64(f.counts.State(gi).n))
	}
	return buf
}

// LoadState adds the groups: the merged engine of a checkpoint loads every
// worker's state in turn (workerPool.merged).
func (f *keyedCountFake) LoadState(_ int, data []byte) error {
	if len(data)%16 != 0 {
		return errors.New("bad state")
	}
	for ; len(data) > 0; data = data[16:] {
		gi, _ := f.counts.Find(int64(binary.LittleEndian.Uint64(data)))
		f.counts.State(gi).n += int64(binary.LittleEndian.Uint64(data[8:]))
	}
	return nil
}

// keyedCountRun runs the job over dir's in.jsonl at workers, interrupted
// (a stop at the next round's merge, then the final checkpoint) once the
// engines have merged stopAt rows (0: not). It returns the summary and the
// state's groups the summary counts beyond those held before the run
// (window.Live counts every Groups of the process).
func keyedCountRun(t *testing.T, dir string, workers int, stopAt int64) (Summary, int64) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var merged atomic.Int64
	made := &keyedGroups{}
	defer made.reset()
	factory := func(c *Context) Pipeline {
		f := &keyedCountFake{ctx: c, counts: window.NewGroups[int64, keyedCount](), merged: &merged, made: made}
		made.add(f.counts.Reset)
		if stopAt > 0 {
			f.stop = func(rows int64) {
				if rows >= stopAt {
					cancel()
				}
			}
		}
		return f
	}
	spec := Spec{Name: "counts", Sources: []SourceSpec{fileSource("in", "in.jsonl")}, Sinks: []SinkSpec{fileSink("out", "out.jsonl")}}
	var stderr bytes.Buffer
	opts := testOptions(dir, &stderr)
	opts.BatchSize = 1 // ranges of 1 KiB: about 20 lines
	opts.Workers = workers
	opts.Quiet = true
	opts.StateDir = filepath.Join(dir, "state")
	opts.CheckpointInterval = 1 << 40 // none but the final one
	before, _ := window.Live()
	sum, err := Run(ctx, spec, factory, opts)
	if err != nil {
		t.Fatalf("workers %d, stop at %d: %v\n%s", workers, stopAt, err, stderr.String())
	}
	if sum.Workers == nil || sum.Workers.Workers != workers {
		t.Fatalf("the job did not run on %d workers: %+v", workers, sum.Workers)
	}
	return sum, sum.StateGroups - before
}

// keyedCounts nets the sink's rows: the last count written of each key.
func keyedCounts(t *testing.T, dir string) map[int64]int64 {
	t.Helper()
	counts := map[int64]int64{}
	for _, line := range strings.Split(strings.TrimSpace(readFile(t, filepath.Join(dir, "out.jsonl"))), "\n") {
		var r struct{ K, N int64 }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		counts[r.K] = r.N
	}
	return counts
}

// TestKeyedFileStopsAndResumes: a keyed job over one file read in byte
// ranges (shared rounds: slots, the next round's read and routed before
// the merge; and fixed ranges, LAMINAR_SHARED_ROUNDS=0), stopped after a
// checkpoint at a round's merge while the next round's rows wait routed in
// their parts, then resumed at the same or another worker count (2, 3),
// nets to the counts of an uninterrupted run, reads every line once, and
// its summary's state holds one group a key: not the combiner's partials
// left in the last round's parts (and the next round's, read ahead), which
// window.Live counted as state until dropParts (TestMemoryLimitChecks
// PointsAndResumes in cmd/laminarc: 373,398 groups for 300,000 keys).
func TestKeyedFileStopsAndResumes(t *testing.T) {
	// 156 KB: rounds of 2 or 3 KiB, 20 lines a KiB; every 97th line
	// malformed (reported while routing, the next round's too: held until
	// their round's merge)
	lines := splitLines(3000)
	want := map[int64]int64{}
	for i := range lines {
		if i%97 == 5 {
			lines[i] = "bad " + lines[i]
			continue
		}
		want[int64(i/3)]++
	}
	keys := int64(len(want))
	for _, mode := range []string{"shared", "fixed"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "fixed" {
				t.Setenv("LAMINAR_SHARED_ROUNDS", "0")
			}
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "in.jsonl"), strings.Join(lines, "\n")+"\n")
			sum, groups := keyedCountRun(t, dir, 2, 0)
			if got := keyedCounts(t, dir); !maps.Equal(got, want) || sum.Sources[0].RowsIn != int64(len(lines)) {
				t.Fatalf("uninterrupted: %d keys netted (want %d), %d lines read", len(got), len(want), sum.Sources[0].RowsIn)
			}
			if groups != keys {
				t.Errorf("uninterrupted: the summary's state holds %d groups, want %d", groups, keys)
			}
			dead := readFile(t, filepath.Join(dir, "dead.jsonl"))
			if n := strings.Count(dead, "\n"); n != 31 {
				t.Fatalf("uninterrupted: %d malformed lines in dead.jsonl, want 31", n)
			}
			for _, c := range []struct {
				stopped, resumed int
				stopAt           int64
			}{{2, 2, 1}, {2, 3, 700}, {3, 2, 1500}, {3, 3, 2900}, {2, 2, 2000}} {
				name := fmt.Sprintf("%d->%d at %d", c.stopped, c.resumed, c.stopAt)
				os.RemoveAll(filepath.Join(dir, "state"))
				os.Remove(filepath.Join(dir, "out.jsonl"))
				os.Remove(filepath.Join(dir, "dead.jsonl"))
				first, _ := keyedCountRun(t, dir, c.stopped, c.stopAt)
				if !first.Interrupted || first.Sources[0].RowsIn >= int64(len(lines)) {
					t.Fatalf("%s: the first run was not stopped before the end (%d lines read)", name, first.Sources[0].RowsIn)
				}
				second, groups := keyedCountRun(t, dir, c.resumed, 0)
				got := keyedCounts(t, dir)
				if read := first.Sources[0].RowsIn + second.Sources[0].RowsIn; !maps.Equal(got, want) || read != int64(len(lines)) {
					bad := 0
					for k, n := range want {
						if got[k] != n {
							bad++
						}
					}
					t.Errorf("%s: %d lines read (%d + %d), want %d; %d of %d keys netted to another count", name, read,
						first.Sources[0].RowsIn, second.Sources[0].RowsIn, len(lines), bad, len(want))
				}
				if got := readFile(t, filepath.Join(dir, "dead.jsonl")); got != dead {
					t.Errorf("%s: dead.jsonl after the resume:\n%s\nwant (uninterrupted):\n%s", name, got, dead)
				}
				if groups != keys {
					t.Errorf("%s: the resumed run's summary's state holds %d groups, want %d", name, groups, keys)
				}
			}
		})
	}
}
