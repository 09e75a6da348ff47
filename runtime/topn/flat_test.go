package topn

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"unsafe"

	"github.com/laminar-sql/laminar/runtime/immortal"
)

// strRow has strings at two depths (one in an array) and numbers: a Dedup
// of it keeps its partitions in unscanned memory.
type strRow struct {
	K, V, ID int64
	S        string
	N        struct {
		T     string
		Valid bool
	}
	A [2]string
}

type strOut struct {
	ID int64
	S  string
	A  [2]string
}

func byStrV(a, b *strRow) int { return cmp.Compare(b.V, a.V) }

// projectStr is the output of a partition's row in the Dedup tests of
// strRow: a filter after the ranking drops some, and one string is built
// from the row's.
func projectStr(rw *strRow, o []strOut) []strOut {
	if rw.V%7 == 0 {
		return o // filtered out
	}
	return append(o, strOut{ID: rw.ID, S: rw.S + "!", A: rw.A})
}

func (o strOut) String() string { return fmt.Sprintf("%d/%s/%s/%s", o.ID, o.S, o.A[0], o.A[1]) }

// immortalPool is moved into immortal memory: rows' strings cut from it are
// kept as they are.
var immortalPool = strings.Repeat("immortal-", 1000)

func init() {
	l := []string{immortalPool}
	immortal.Move(l)
	immortalPool = l[0]
}

// TestDedupFlatUnderGC: a Dedup of rows whose only pointers are strings
// (unscanned partitions, strings in its arena) emits exactly the changes
// a State ranking ROW_NUMBER <= 1 emits over the same rows, with a
// collection every few rows and strings built fresh (garbage once added),
// short, long (past an arena chunk's quarter) and immortal; through
// checkpoints restored into a new Dedup, prunes and compactions, with Best
// asked before most rows (of their partition or another); and the
// output rows handed on keep their contents after the state moved on.
func TestDedupFlatUnderGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	if d := NewDedup[int64, strRow, strOut](byStrV, projectStr); !d.flat {
		t.Fatalf("a row of strings and numbers must use the unscanned slab")
	}
	if d := NewDedup[int64, row, out](byV, projectRow); d.flat {
		t.Fatalf("a row without strings needs no arena")
	}
	if d := NewDedup[int64, struct{ P *int }, out](func(a, b *struct{ P *int }) int { return 0 }, nil); d.flat {
		t.Fatalf("a row with another pointer must keep the typed slab")
	}
	compactions := 0
	for seed := range uint64(4) {
		r := rand.New(rand.NewPCG(seed, 9))
		d := NewDedup[int64, strRow, strOut](byStrV, projectStr)
		s := New[int64, strRow, strOut](RowNumber, 1, true, false, byStrV)
		var gotD, gotS []string
		type handed struct {
			o    strOut
			want string
		}
		var kept []handed // output rows handed on, checked at the end
		record := func(dst *[]string, keep bool) func(o *strOut, op byte) {
			return func(o *strOut, op byte) {
				*dst = append(*dst, fmt.Sprintf("%c%v", op, *o))
				if keep && r.IntN(20) == 0 {
					kept = append(kept, handed{*o, o.String()})
				}
			}
		}
		flush := func() {
			d.Flush(record(&gotD, true))
			s.Flush(func(_ int64, p *Partition[strRow, strOut]) {
				var o []strOut
				s.Top(p, func(rw *strRow, _ int64) { o = projectStr(rw, o) })
				s.Emit(p, o, record(&gotS, false))
			})
		}
		mk := func(i int) strRow {
			rw := strRow{K: r.Int64N(40), V: int64(i), ID: int64(i)} // later rows rank first, mostly
			if r.IntN(5) == 0 {
				rw.V = r.Int64N(int64(i) + 1)
			}
			rw.S = fmt.Sprintf("s%d-%s", i, strings.Repeat("x", r.IntN(1500)))
			switch r.IntN(4) {
			case 0:
				rw.N.T, rw.N.Valid = fmt.Sprint("n", i%9), true
			case 1:
				at := r.IntN(len(immortalPool) - 50)
				rw.N.T, rw.N.Valid = immortalPool[at:at+1+r.IntN(40)], true
			}
			if r.IntN(300) == 0 {
				rw.A[0] = strings.Repeat("L", 64<<10/4+1+r.IntN(100))
			}
			rw.A[1] = strings.Repeat(fmt.Sprint(i%10), r.IntN(3))
			return rw
		}
		for i := range 6000 {
			rw := mk(i)
			if r.IntN(2) == 0 {
				// a join read by the deduplication asks for the best row
				// first, mostly of the partition it then adds to
				k := rw.K
				if r.IntN(4) == 0 {
					k = r.Int64N(45)
				}
				got, want := d.Best(k), s.Best(k)
				if (got == nil) != (want == nil) || got != nil && fmt.Sprint(*got) != fmt.Sprint(*want) {
					t.Fatalf("seed %d row %d: Best(%d) = %v, want %v", seed, i, k, got, want)
				}
			}
			d.Add(rw.K, rw)
			s.Add(rw.K, rw, 1)
			if i%50 == 0 {
				runtime.GC()
			}
			if r.IntN(10) == 0 {
				flush()
			}
			switch i {
			case 2000, 4000: // a checkpoint after a flush, restored into a new state
				flush()
				c := NewDedup[int64, strRow, strOut](byStrV, projectStr)
				d.Each(func(k int64, p *DedupPart[strRow, strOut]) {
					rows := append([]strRow(nil), p.Rows()...)
					em := append([]strOut(nil), d.Emitted(p)...)
					for j := range rows {
						rows[j].S = strings.Clone(rows[j].S) // as decoded: fresh strings
					}
					c.Restore(k, rows, em)
				})
				if c.Len() != d.Len() {
					t.Fatalf("restored %d partitions, want %d", c.Len(), d.Len())
				}
				compactions += d.compactions
				d = c
			case 3000: // a worker's share: both drop the same keys
				flush()
				keep := func(k int64) bool { return k%3 != 0 }
				d.Prune(keep)
				s.Prune(keep)
			}
		}
		flush()
		runtime.GC()
		compactions += d.compactions
		if len(gotD) != len(gotS) {
			t.Fatalf("seed %d: %d changes, want %d", seed, len(gotD), len(gotS))
		}
		for i := range gotD {
			if gotD[i] != gotS[i] {
				t.Fatalf("seed %d: change %d is %q, want %q", seed, i, gotD[i], gotS[i])
			}
		}
		if len(gotD) < 500 {
			t.Fatalf("seed %d: only %d changes", seed, len(gotD))
		}
		for _, h := range kept {
			if h.o.String() != h.want {
				t.Fatalf("seed %d: a row handed on changed: %q, was %q", seed, h.o.String(), h.want)
			}
		}
		d.Each(func(k int64, p *DedupPart[strRow, strOut]) {
			b := s.Best(k)
			if b == nil || fmt.Sprint(*b) != fmt.Sprint(*p.Row()) {
				t.Fatalf("seed %d: partition %d keeps %v, want %v", seed, k, *p.Row(), b)
			}
		})
	}
	if compactions == 0 {
		t.Fatalf("no compaction of the arena")
	}
}

// TestDedupKeepsRowsOnly: a Dedup's partition is its row and two words
// (its flags, its place among the changed ones and its join row's id),
// and after a flush its arena holds the strings of the rows kept only, not
// those of the output rows emitted (each is its row's projection again
// when a retraction needs it).
func TestDedupKeepsRowsOnly(t *testing.T) {
	var p DedupPart[strRow, strOut]
	var rw strRow
	if unsafe.Sizeof(p) > unsafe.Sizeof(rw)+16 {
		t.Fatalf("a partition takes %d bytes, its row %d", unsafe.Sizeof(p), unsafe.Sizeof(rw))
	}
	d := NewDedup[int64, strRow, strOut](byStrV, projectStr)
	rows := map[int64]strRow{}
	emitted := 0
	for i := range 300 {
		k := int64(i % 40)
		rw := strRow{K: k, V: int64(i), ID: int64(i), S: fmt.Sprint("s", i, strings.Repeat("y", i%17))}
		rw.N.T, rw.N.Valid = fmt.Sprint("n", i), true
		rw.A = [2]string{fmt.Sprint("a", i), fmt.Sprint("b", i)}
		d.Add(k, rw)
		rows[k] = rw
		if i%25 == 0 {
			d.Flush(func(*strOut, byte) { emitted++ })
		}
	}
	d.Flush(func(*strOut, byte) { emitted++ })
	want := 0
	for _, rw := range rows {
		want += len(rw.S) + len(rw.N.T) + len(rw.A[0]) + len(rw.A[1])
	}
	if got := d.arena.Live(); got != want || emitted < 100 {
		t.Fatalf("arena holds %d bytes, the rows' strings %d (%d changes emitted)", got, want, emitted)
	}
}
