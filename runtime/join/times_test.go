package join

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTimeQueueOrder checks that the times come out earliest first, every
// one once, over pushes in order, out of order and between pops, and that
// min is the earliest held throughout.
func TestTimeQueueOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		var q timeQueue[int]
		var want []int64
		ts := int64(0)
		check := func() {
			if q.n != len(want) {
				t.Fatalf("round %d: %d times held, want %d", round, q.n, len(want))
			}
			if q.n > 0 && q.min != slices.Min(want) {
				t.Fatalf("round %d: min %d, want %d", round, q.min, slices.Min(want))
			}
		}
		for range 5000 {
			switch x := r.IntN(10); {
			case x < 6: // in order (equal times too)
				ts += int64(r.IntN(3))
				q.push(timedKey[int]{ts, int(ts)})
				want = append(want, ts)
			case x < 8: // out of order
				late := ts - int64(r.IntN(100)) - 1
				q.push(timedKey[int]{late, int(late)})
				want = append(want, late)
			default:
				if q.n == 0 {
					continue
				}
				got := q.pop()
				m := slices.Min(want)
				if got.ts != m || got.key != int(m) {
					t.Fatalf("round %d: pop %v, want time %d", round, got, m)
				}
				want = slices.Delete(want, slices.Index(want, m), slices.Index(want, m)+1)
			}
			check()
		}
		var all []int64
		q.each(func(x timedKey[int]) { all = append(all, x.ts) })
		slices.Sort(all)
		slices.Sort(want)
		if !slices.Equal(all, want) {
			t.Fatalf("round %d: each saw %d times, want %d", round, len(all), len(want))
		}
		q.filter(func(x timedKey[int]) bool { return x.ts%2 == 0 })
		want = slices.DeleteFunc(want, func(v int64) bool { return v%2 != 0 })
		check()
		for q.n > 0 {
			got := q.pop()
			if got.ts != want[0] {
				t.Fatalf("round %d: after filter pop %d, want %d", round, got.ts, want[0])
			}
			want = want[1:]
		}
	}
}

// TestTimeQueueInOrderNoHeap checks that times pushed in order (a window's
// rows at its close) stay in chunks of at most timeChunk that never move,
// with nothing in the heap, and that popping them all keeps one chunk.
func TestTimeQueueInOrderNoHeap(t *testing.T) {
	var q timeQueue[[3]int64]
	const n = 10*timeChunk + 5
	for i := range n {
		q.push(timedKey[[3]int64]{int64(i / 100), [3]int64{int64(i)}})
	}
	if len(q.heap) != 0 || len(q.full) != 10 || len(q.tail) != 5 {
		t.Fatalf("%d times in the heap, %d full chunks, %d in the last: want 0, 10 and 5", len(q.heap), len(q.full), len(q.tail))
	}
	for _, c := range append(q.full, q.tail) {
		if cap(c) > timeChunk {
			t.Fatalf("a chunk of %d times", cap(c))
		}
	}
	first := &q.full[1][0]
	q.push(timedKey[[3]int64]{n, [3]int64{n}})
	if &q.full[1][0] != first {
		t.Fatal("a push moved a full chunk")
	}
	for i := range n + 1 {
		if x := q.pop(); x.key[0] != int64(i) {
			t.Fatalf("pop %d: key %v", i, x.key)
		}
	}
	if q.n != 0 || len(q.full) != 0 || q.large() {
		t.Fatalf("emptied: %d times, %d full chunks, large %v", q.n, len(q.full), q.large())
	}
}
