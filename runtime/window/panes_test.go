package window

import "testing"

// TestPanesEmitEveryWindowOnce: hopping windows of size 30 sliding by 10,
// rows at 5, 15 and 45: windows start at -20, -10, 0, 10, 20, 30, 40, each
// emitted once, in order, merging the right panes.
func TestPanesEmitEveryWindowOnce(t *testing.T) {
	p := NewPanes[key, acc](10, 30, 0)
	for _, ts := range []int64{5, 15, 45} {
		g := p.Pane(ts - ts%10)
		i, _ := g.Find(key{"x"})
		g.State(i).n++
	}
	var starts []int64
	var counts []int64
	for {
		ws, ok := p.NextWindow()
		if !ok {
			break
		}
		var n int64
		for i := 0; i < p.Len(); i++ {
			ps, g := p.At(i)
			if ps >= ws+p.WindowSize {
				break
			}
			n += g.State(0).n
		}
		starts, counts = append(starts, ws), append(counts, n)
		p.Emitted(ws)
	}
	wantStarts := []int64{-20, -10, 0, 10, 20, 30, 40}
	wantCounts := []int64{1, 2, 2, 1, 1, 1, 1}
	if len(starts) != len(wantStarts) {
		t.Fatalf("windows %v counts %v", starts, counts)
	}
	for i := range starts {
		if starts[i] != wantStarts[i] || counts[i] != wantCounts[i] {
			t.Fatalf("windows %v counts %v, want %v %v", starts, counts, wantStarts, wantCounts)
		}
	}
	if p.Pane(35) != nil {
		t.Fatal("a pane whose windows were all emitted must be refused")
	}
}

// TestPanesClosedSkipsEmptyWindows: once the watermark has passed windows
// that were empty, a late row cannot make them appear.
func TestPanesClosedSkipsEmptyWindows(t *testing.T) {
	p := NewPanes[key, acc](10, 30, 0)
	p.Closed(100) // windows ending at or before 100 are closed: the first open one starts at 80
	if p.Next != 80 {
		t.Fatalf("next %d", p.Next)
	}
	if p.Pane(70) != nil {
		t.Fatal("pane 70 only serves closed windows")
	}
	g := p.Pane(90) // windows 70 (closed), 80 and 90 (open)
	i, _ := g.Find(key{"x"})
	g.State(i).n++
	ws, ok := p.NextWindow()
	if !ok || ws != 80 {
		t.Fatalf("next window %d %v", ws, ok)
	}
}
