package window

import (
	"math"
	"testing"
)

type key struct{ s string }
type acc struct{ n int64 }

func TestGroupsOrderAndReset(t *testing.T) {
	g := NewGroups[key, acc]()
	for _, k := range []string{"b", "a", "b", "c", "a"} {
		i, _ := g.Find(key{k})
		g.States[i].n++
	}
	want := []struct {
		k string
		n int64
	}{{"b", 2}, {"a", 2}, {"c", 1}}
	if g.Len() != len(want) {
		t.Fatalf("len %d", g.Len())
	}
	for i, w := range want {
		if g.Keys[i].s != w.k || g.States[i].n != w.n {
			t.Errorf("group %d = %v %v, want %v", i, g.Keys[i], g.States[i], w)
		}
	}
	g.Reset()
	if g.Len() != 0 {
		t.Fatal("reset kept groups")
	}
	if i, added := g.Find(key{"a"}); i != 0 || !added || g.States[0].n != 0 {
		t.Fatal("state not zeroed after reset")
	}
}

func TestWindowsCloseInOrder(t *testing.T) {
	w := NewWindows[key, acc](10)
	if w.NextEnd() != math.MaxInt64 {
		t.Fatal("empty windows must never close")
	}
	for _, s := range []int64{20, 0, 10, 20, -10} {
		g := w.Window(s)
		i, _ := g.Find(key{"x"})
		g.States[i].n++
	}
	var got []int64
	var counts []int64
	for w.NextEnd() <= 25 {
		s, g := w.PopEarliest()
		got = append(got, s)
		counts = append(counts, g.States[0].n)
		w.Release(g)
	}
	if len(got) != 3 || got[0] != -10 || got[1] != 0 || got[2] != 10 {
		t.Fatalf("closed %v", got)
	}
	if w.Len() != 1 || w.NextEnd() != 30 {
		t.Fatalf("open %d next %d", w.Len(), w.NextEnd())
	}
	if counts[0] != 1 || counts[1] != 1 {
		t.Fatalf("counts %v", counts)
	}
	// a recycled window starts empty
	g := w.Window(100)
	if g.Len() != 0 {
		t.Fatal("recycled window not empty")
	}
	if s, g2 := w.At(0); s != 20 || g2.States[0].n != 2 {
		t.Fatalf("window 20 = %d %v", s, g2.States)
	}
}

func BenchmarkFindSteadyState(b *testing.B) {
	w := NewWindows[key, acc](1000)
	keys := []key{{"AAPL"}, {"MSFT"}, {"GOOG"}, {"AMZN"}}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ts := int64(i)
		start := ts - ts%1000
		g := w.Window(start)
		j, _ := g.Find(keys[i&3])
		g.States[j].n++
		for w.NextEnd() <= ts-500 {
			_, g := w.PopEarliest()
			w.Release(g)
		}
	}
}
