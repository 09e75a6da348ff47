package lookup

// Held is the state of a lookup join over an updating input: per input row
// still in it (by weight), the table rows its first insertion read. A
// retraction joins with those rows, not with what the table holds now, so
// it retracts exactly the rows the insertion emitted, however the table (or
// the cache) changed meanwhile; later copies of an equal row join the same.
type Held[R comparable, T any] struct {
	m map[R]*heldRows[T]
}

type heldRows[T any] struct {
	w    int64
	rows []T
}

// NewHeld returns an empty Held.
func NewHeld[R comparable, T any]() *Held[R, T] {
	return &Held[R, T]{m: make(map[R]*heldRows[T])}
}

// Get returns the table rows held for input row r, if it is held.
func (h *Held[R, T]) Get(r R) ([]T, bool) {
	e, ok := h.m[r]
	if !ok {
		return nil, false
	}
	return e.rows, true
}

// Add changes r's weight by w, keeping rows (copied) when r is new; r goes
// when its weight nets to zero.
func (h *Held[R, T]) Add(r R, w int64, rows []T) {
	e, ok := h.m[r]
	if !ok {
		h.m[r] = &heldRows[T]{w: w, rows: append([]T(nil), rows...)}
		return
	}
	if e.w += w; e.w == 0 {
		delete(h.m, r)
	}
}

// Len is the number of input rows held.
func (h *Held[R, T]) Len() int { return len(h.m) }

// Each calls f with every held row, for snapshots (in no particular order).
func (h *Held[R, T]) Each(f func(r *R, w int64, rows []T)) {
	for r, e := range h.m {
		f(&r, e.w, e.rows)
	}
}

// Restore adds a row read from a snapshot.
func (h *Held[R, T]) Restore(r R, w int64, rows []T) {
	h.m[r] = &heldRows[T]{w: w, rows: rows}
}

// Prune drops the rows keep reports false for (a worker's share of a
// checkpoint loaded into every worker, codegen/parallel.go).
func (h *Held[R, T]) Prune(keep func(r *R) bool) {
	for r := range h.m {
		if !keep(&r) {
			delete(h.m, r)
		}
	}
}
