// Package window holds the keyed state of aggregating operators: groups of
// aggregate state in arrival order, and the set of open event-time windows.
// Generated code supplies the key and state types (plain structs), so the
// per-row work is a map lookup and field updates the compiler sees whole.
package window

import (
	"math"
	"slices"
)

// Groups maps group keys to aggregate state, remembering the order in which
// groups first appeared so that emitted rows come out in a deterministic order.
// The zero value is not ready: use NewGroups or Reset.
type Groups[K comparable, S any] struct {
	index  map[K]int32
	Keys   []K
	States []S
	// Dirty lists the groups changed since the last ClearDirty, for operators
	// that emit changes per batch; generated code appends to it.
	Dirty []int32
}

// NewGroups returns an empty set of groups.
func NewGroups[K comparable, S any]() *Groups[K, S] {
	return &Groups[K, S]{index: make(map[K]int32)}
}

// Find returns the index of key k's state, adding a zero state when k is new.
// Pointers into States are valid only until the next Find.
func (g *Groups[K, S]) Find(k K) (i int32, added bool) {
	if i, ok := g.index[k]; ok {
		return i, false
	}
	i = int32(len(g.Keys))
	g.index[k] = i
	g.Keys = append(g.Keys, k)
	var zero S
	g.States = append(g.States, zero)
	return i, true
}

// Grow makes room for n more groups (restoring a checkpoint knows how many).
func (g *Groups[K, S]) Grow(n int) {
	if len(g.Keys) == 0 {
		g.index = make(map[K]int32, n)
	}
	g.Keys = slices.Grow(g.Keys, n)
	g.States = slices.Grow(g.States, n)
}

// Len is the number of groups.
func (g *Groups[K, S]) Len() int { return len(g.Keys) }

// Reset empties g, keeping its memory for reuse.
func (g *Groups[K, S]) Reset() {
	if g.index == nil {
		g.index = make(map[K]int32)
	}
	clear(g.index)
	var zk K
	var zs S
	for i := range g.Keys {
		g.Keys[i] = zk // drop references (strings) for the GC
		g.States[i] = zs
	}
	g.Keys, g.States, g.Dirty = g.Keys[:0], g.States[:0], g.Dirty[:0]
}

// Windows holds the open windows of one windowed operator, each with its own
// Groups, ordered by start. Windows end at start+Size and close, in order,
// when the watermark reaches their end.
type Windows[K comparable, S any] struct {
	Size   int64
	starts []int64 // open window starts, ascending
	open   []*Groups[K, S]
	free   []*Groups[K, S]
	last   int // index of the last window returned by Window, a cache for in-order input
}

// NewWindows returns an empty set of windows of the given size (µs).
func NewWindows[K comparable, S any](size int64) *Windows[K, S] {
	return &Windows[K, S]{Size: size}
}

// Window returns the groups of the window starting at start, opening it if needed.
func (w *Windows[K, S]) Window(start int64) *Groups[K, S] {
	if w.last < len(w.starts) && w.starts[w.last] == start {
		return w.open[w.last]
	}
	i, found := slices.BinarySearch(w.starts, start)
	if !found {
		var g *Groups[K, S]
		if n := len(w.free); n > 0 {
			g, w.free = w.free[n-1], w.free[:n-1]
		} else {
			g = NewGroups[K, S]()
		}
		w.starts = slices.Insert(w.starts, i, start)
		w.open = slices.Insert(w.open, i, g)
	}
	w.last = i
	return w.open[i]
}

// NextEnd is the end of the earliest open window, or MaxInt64 when none is open.
func (w *Windows[K, S]) NextEnd() int64 {
	if len(w.starts) == 0 {
		return math.MaxInt64
	}
	return w.starts[0] + w.Size
}

// Len is the number of open windows.
func (w *Windows[K, S]) Len() int { return len(w.starts) }

// At returns the i-th open window (by start) and its start.
func (w *Windows[K, S]) At(i int) (int64, *Groups[K, S]) { return w.starts[i], w.open[i] }

// PopEarliest removes the earliest open window and returns it; the caller
// emits its rows and then hands it back with Release.
func (w *Windows[K, S]) PopEarliest() (int64, *Groups[K, S]) {
	start, g := w.starts[0], w.open[0]
	w.starts = slices.Delete(w.starts, 0, 1)
	w.open = slices.Delete(w.open, 0, 1)
	w.last = 0
	return start, g
}

// Release recycles the groups of a closed window.
func (w *Windows[K, S]) Release(g *Groups[K, S]) {
	g.Reset()
	w.free = append(w.free, g)
}
