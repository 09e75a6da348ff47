package window

import "github.com/laminar-sql/laminar/runtime/value"

// Panes holds the state of hopping windows as non-overlapping panes one
// slide long: a row updates the one pane it falls in, instead of every
// window it belongs to (size/slide of them), and a window is emitted by
// merging its panes. Windows are emitted in order of start.
type Panes[K comparable, S any] struct {
	*Windows[K, S] // the panes, by start; their Size is the slide
	WindowSize     int64
	Offset         int64 // windows start at Offset + k*slide
	// Next is the start of the next window to emit; windows before it were
	// emitted (once Started). Checkpoints save both.
	Next    int64
	Started bool
	// Scratch is where a window's panes are merged before it is emitted.
	Scratch *Groups[K, S]
}

// NewPanes returns empty panes for windows of size, sliding by slide,
// starting at offset + k*slide.
func NewPanes[K comparable, S any](slide, size, offset int64) *Panes[K, S] {
	return &Panes[K, S]{Windows: NewWindows[K, S](slide), WindowSize: size, Offset: offset, Scratch: NewGroups[K, S]()}
}

// Pane returns the pane starting at start, opening it if needed, or nil
// when every window that contains it has been emitted.
func (p *Panes[K, S]) Pane(start int64) *Groups[K, S] {
	if p.Started && start < p.Next {
		return nil
	}
	return p.Window(start)
}

// NextWindow is the start of the earliest window not yet emitted that holds
// rows; ok is false when no pane holds any.
func (p *Panes[K, S]) NextWindow() (start int64, ok bool) {
	if p.Len() == 0 {
		return 0, false
	}
	first, _ := p.At(0)
	start = first - p.WindowSize + p.Size
	if p.Started && start < p.Next {
		start = p.Next
	}
	return start, true
}

// Emitted records that the window starting at start was emitted and
// releases the panes no later window needs.
func (p *Panes[K, S]) Emitted(start int64) {
	p.Next, p.Started = start+p.Size, true
	p.release()
}

// Closed records that the watermark reached wm after every window ending at
// or before it was emitted: windows that closed empty are passed over, so a
// late row can never bring one of them back.
func (p *Panes[K, S]) Closed(wm int64) {
	// the first window still open: the smallest start on the grid with
	// start + WindowSize > wm
	open := value.FloorDiv(wm-p.WindowSize-p.Offset, p.Size)*p.Size + p.Offset + p.Size
	if !p.Started || open > p.Next {
		p.Next, p.Started = open, true
	}
	p.release()
}

// release drops the panes before Next.
func (p *Panes[K, S]) release() {
	for p.Len() > 0 {
		if first, _ := p.At(0); first >= p.Next {
			break
		}
		_, g := p.PopEarliest()
		p.Release(g)
	}
}
