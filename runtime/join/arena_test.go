package join

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/laminar-sql/laminar/runtime/immortal"
	"github.com/laminar-sql/laminar/runtime/strarena"
)

// arenaRow has strings at two depths (one in an array) and numbers.
type arenaRow struct {
	A int64
	S string
	N struct {
		V     string
		Valid bool
	}
	T    [2]string
	Tail int64
}

func TestStringOffsets(t *testing.T) {
	offs, ok := strarena.Offsets(reflectTypeOf[arenaRow]())
	if !ok || len(offs) != 4 {
		t.Fatalf("offsets %v, %v: want 4 strings", offs, ok)
	}
	if _, ok := strarena.Offsets(reflectTypeOf[struct{ P *int }]()); ok {
		t.Fatalf("a pointer field must keep the typed slab")
	}
	if _, ok := strarena.Offsets(reflectTypeOf[struct{ B []byte }]()); ok {
		t.Fatalf("a slice field must keep the typed slab")
	}
	if s := NewSide[int, arenaRow](); s.strs == nil {
		t.Fatalf("a row of strings and numbers must use the arena")
	}
	if s := NewSide[int, int64](); s.strs != nil {
		t.Fatalf("a row without strings needs no arena")
	}
}

// TestArenaSideUnderGC: adds, merged retractions, evictions, prunes and
// compactions of rows with strings, with a collection every few
// operations and strings built fresh (garbage once added), keep exactly
// the rows of a model, with their bytes intact; rows read out of the side
// before their entries went keep their contents too.
func TestArenaSideUnderGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	r := rand.New(rand.NewPCG(3, 4))
	s := NewSide[int, arenaRow]()
	model := map[int]map[arenaRow]int64{}
	var handed []arenaRow // rows read out of the side, compared at the end
	var handedWant []string
	mk := func(i int) arenaRow {
		long := strings.Repeat(fmt.Sprint(i%10), 1+r.IntN(400)) // short and, rarely, past a chunk's quarter
		if r.IntN(500) == 0 {
			long = strings.Repeat("L", arenaChunk/4+1+r.IntN(100))
		}
		row := arenaRow{A: int64(i % 50), S: fmt.Sprintf("s%d", i%50), T: [2]string{long, ""}, Tail: int64(i % 3)}
		if i%2 == 0 {
			row.N.V, row.N.Valid = fmt.Sprintf("n%d", i%7), true
		}
		return row
	}
	check := func(when string) {
		n := 0
		for k, rows := range model {
			got := map[arenaRow]int64{}
			for e := s.First(k); e != nil; e = s.Next(e) {
				got[e.Row] += e.W
			}
			if len(got) != len(rows) {
				t.Fatalf("%s: key %d has %d rows, want %d", when, k, len(got), len(rows))
			}
			for row, w := range rows {
				if got[row] != w {
					t.Fatalf("%s: key %d row %+v weight %d, want %d", when, k, row, got[row], w)
				}
			}
			n += len(rows)
		}
		if s.Len() != n {
			t.Fatalf("%s: Len %d, want %d", when, s.Len(), n)
		}
	}
	for i := range 60_000 {
		k := r.IntN(40)
		row := mk(i)
		w := int64(1)
		if rows := model[k]; len(rows) > 0 && r.IntN(3) == 0 {
			// retract a row held (a copy of it, built anew)
			for h := range rows {
				row = h
				break
			}
			row.S = strings.Clone(row.S)
			w = -1
		}
		s.Add(k, Entry[arenaRow]{Row: row, W: w}, true, false)
		if model[k] == nil {
			model[k] = map[arenaRow]int64{}
		}
		if model[k][row] += w; model[k][row] == 0 {
			delete(model[k], row)
		}
		if i%2500 == 0 {
			if e := s.First(k); e != nil {
				handed = append(handed, e.Row)
				handedWant = append(handedWant, fmt.Sprint(e.Row))
			}
			runtime.GC()
			check(fmt.Sprintf("after %d", i))
		}
		if i == 30_000 {
			s.Prune(func(k int) bool { return k%2 == 0 })
			for k := range model {
				if k%2 != 0 {
					delete(model, k)
				}
			}
			runtime.GC()
			check("after the prune")
		}
	}
	if s.arena.dead > s.arena.live+compactMin {
		t.Fatalf("the arena was not compacted: %d dead bytes, %d live", s.arena.dead, s.arena.live)
	}
	runtime.GC()
	for i := range handed {
		if got := fmt.Sprint(handed[i]); got != handedWant[i] {
			t.Fatalf("a row read out of the side changed: %s, want %s", got, handedWant[i])
		}
	}
	// every row goes by time, then by the end of input
	for k := range model {
		for row := range model[k] {
			s.Add(k, Entry[arenaRow]{Row: row, W: 1}, true, false)
			model[k][row]++
		}
	}
	check("before the end")
	keys := slices.Collect(func(yield func(int) bool) {
		for k := range model {
			if !yield(k) {
				return
			}
		}
	})
	s.Prune(func(int) bool { return false })
	if s.Len() != 0 || len(keys) == 0 {
		t.Fatalf("%d rows left after pruning every key", s.Len())
	}
}

// TestArenaEvictTimed: an interval join's rows with strings go by time and
// all at once at the end, keeping their contents through collections.
func TestArenaEvictTimed(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	s := NewSide[int, bidRow]()
	for i := range 20_000 {
		s.Add(i%13, Entry[bidRow]{Row: bidRow{Auction: int64(i), Channel: fmt.Sprintf("c%d", i), Extra: strings.Repeat("e", i%90)}, W: 1, TS: int64(i)}, false, true)
	}
	seen := 0
	s.Evict(15_000, func(_ int, e *Entry[bidRow]) {
		if e.Row.Channel != fmt.Sprintf("c%d", e.Row.Auction) || len(e.Row.Extra) != int(e.Row.Auction%90) {
			t.Fatalf("evicted row %+v changed", e.Row)
		}
		seen++
		if seen%1000 == 0 {
			runtime.GC()
		}
	})
	runtime.GC()
	for k := range 13 {
		for e := s.First(k); e != nil; e = s.Next(e) {
			if e.Row.Channel != fmt.Sprintf("c%d", e.Row.Auction) || e.TS < 15_000 {
				t.Fatalf("kept row %+v changed", e.Row)
			}
		}
	}
	s.Add(99, Entry[bidRow]{Row: bidRow{Channel: "late"}, W: 1, TS: 1 << 62}, false, true)
	s.Evict(1<<62, nil)
	runtime.GC()
	if s.Len() != 1 || s.First(99).Row.Channel != "late" || seen != 15_000 {
		t.Fatalf("after the end: %d rows, %d evicted", s.Len(), seen)
	}
}

func reflectTypeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// TestArenaReusesAfterEmptying: a side emptied after every row (a window
// join past the end of its input) fills one chunk, not one per row, and
// keeps the rows handed on intact.
func TestArenaReusesAfterEmptying(t *testing.T) {
	s := NewSide[int, bidRow]()
	var out []bidRow
	for i := range 1000 {
		s.Add(i, Entry[bidRow]{Row: bidRow{Auction: int64(i), Channel: fmt.Sprintf("c%d", i)}, W: 1, TS: 1}, false, true)
		out = append(out, s.First(i).Row)
		s.Evict(math.MaxInt64, nil)
		if s.Len() != 0 || len(s.arena.chunks) > 1 {
			t.Fatalf("row %d: %d rows, %d chunks", i, s.Len(), len(s.arena.chunks))
		}
		if i%100 == 0 {
			runtime.GC()
		}
	}
	for i := range out {
		if out[i].Channel != fmt.Sprintf("c%d", i) {
			t.Fatalf("row %d handed on became %+v", i, out[i])
		}
	}
}

// TestArenaKeepsImmortalStrings: strings in immortal memory are kept as
// they are (no byte of the arena), others are copied; both read back
// intact through collections, and releasing them counts only the copies.
func TestArenaKeepsImmortalStrings(t *testing.T) {
	l := []string{strings.Repeat("0123456789", 1000)}
	immortal.Move(l)
	pool := l[0]
	s := NewSide[int, bidRow]()
	for i := range 1000 {
		s.Add(i%10, Entry[bidRow]{Row: bidRow{Auction: int64(i), Channel: pool[i : i+5], URL: fmt.Sprint(i), Extra: pool[i%7 : i%7+100]}, W: 1}, true, false)
	}
	if s.arena.live != 2890 {
		t.Fatalf("arena holds %d bytes, want only the URLs' 2890", s.arena.live)
	}
	runtime.GC()
	for k := range 10 {
		for e := s.First(k); e != nil; e = s.Next(e) {
			i := int(e.Row.Auction)
			if e.Row.Channel != pool[i:i+5] || e.Row.URL != fmt.Sprint(i) || e.Row.Extra != pool[i%7:i%7+100] ||
				unsafe.StringData(e.Row.Channel) != unsafe.StringData(pool[i:]) {
				t.Fatalf("row %d read back as %+v", i, e.Row)
			}
		}
	}
	for i := range 100 { // retract rows 0-99: their URLs' 190 bytes go dead
		s.Add(i%10, Entry[bidRow]{Row: bidRow{Auction: int64(i), Channel: pool[i : i+5], URL: fmt.Sprint(i), Extra: pool[i%7 : i%7+100]}, W: -1}, true, false)
	}
	if s.arena.live != 2700 || s.arena.dead != 190 || s.Len() != 900 {
		t.Fatalf("after retracting 100 rows: %d live, %d dead bytes, %d rows; want 2700, 190, 900", s.arena.live, s.arena.dead, s.Len())
	}
}
