// Package vwap benchmarks the compiled tumbling VWAP pipeline against a
// hand-written Go program doing the same work: per symbol and 1-minute
// tumbling window, SUM(price*volume)/SUM(volume) and COUNT(*), watermark
// ts - 5 s, late rows counted, rows encoded as JSON lines at window close.
package vwap

import (
	"math"
	"strconv"

	"github.com/laminar-sql/laminar/runtime/format/jsonl"
)

// Trade is the hand-written program's input row.
type Trade struct {
	Symbol      string
	Price       float64
	PriceValid  bool
	Volume      int64
	VolumeValid bool
	Ts          int64 // µs
}

type acc struct {
	pv   float64
	pvN  int64
	vol  int64
	volN int64
	n    int64
}

type window struct {
	start  int64
	groups map[string]*acc
	order  []string
}

// Handwritten is what a senior engineer would write for this one query.
type Handwritten struct {
	wm      int64
	windows []*window // open, ascending by start
	free    []*window
	Out     []byte
	Rows    int64
	Late    int64
}

const size = 60_000_000 // 1 minute in µs
const delay = 5_000_000

// NewHandwritten returns an empty program state.
func NewHandwritten() *Handwritten { return &Handwritten{wm: math.MinInt64} }

// Process runs a batch of trades.
func (h *Handwritten) Process(batch []Trade) {
	for i := range batch {
		t := &batch[i]
		start := t.Ts - ((t.Ts%size)+size)%size
		if start+size <= h.wm {
			h.Late++
		} else {
			w := h.window(start)
			a := w.groups[t.Symbol]
			if a == nil {
				a = &acc{}
				w.groups[t.Symbol] = a
				w.order = append(w.order, t.Symbol)
			}
			if t.PriceValid && t.VolumeValid {
				a.pv += t.Price * float64(t.Volume)
				a.pvN++
			}
			if t.VolumeValid {
				a.vol += t.Volume
				a.volN++
			}
			a.n++
		}
		if wm := t.Ts - delay; wm > h.wm {
			h.wm = wm
			for len(h.windows) > 0 && h.windows[0].start+size <= wm {
				h.close(h.windows[0])
				h.free = append(h.free, h.windows[0])
				h.windows = h.windows[1:]
			}
		}
	}
}

// End closes every window.
func (h *Handwritten) End() {
	for _, w := range h.windows {
		h.close(w)
	}
	h.windows = nil
}

func (h *Handwritten) window(start int64) *window {
	for i := len(h.windows) - 1; i >= 0; i-- {
		if h.windows[i].start == start {
			return h.windows[i]
		}
		if h.windows[i].start < start {
			break
		}
	}
	var w *window
	if n := len(h.free); n > 0 {
		w, h.free = h.free[n-1], h.free[:n-1]
		clear(w.groups)
		w.order = w.order[:0]
	} else {
		w = &window{groups: map[string]*acc{}}
	}
	w.start = start
	i := len(h.windows)
	for i > 0 && h.windows[i-1].start > start {
		i--
	}
	h.windows = append(h.windows, nil)
	copy(h.windows[i+1:], h.windows[i:])
	h.windows[i] = w
	return w
}

func (h *Handwritten) close(w *window) {
	for _, sym := range w.order {
		a := w.groups[sym]
		b := append(h.Out, `{"symbol":`...)
		b = jsonl.AppendString(b, sym)
		b = append(b, `,"window_start":`...)
		b = jsonl.AppendTimestamp(b, w.start)
		b = append(b, `,"window_end":`...)
		b = jsonl.AppendTimestamp(b, w.start+size)
		b = append(b, `,"vwap":`...)
		if a.pvN > 0 && a.volN > 0 && a.vol != 0 {
			b = jsonl.AppendFloat(b, a.pv/float64(a.vol))
		} else {
			b = append(b, "null"...)
		}
		b = append(b, `,"n":`...)
		b = strconv.AppendInt(b, a.n, 10)
		h.Out = append(b, "}\n"...)
		h.Rows++
	}
}
