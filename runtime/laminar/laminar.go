// Package laminar is the runtime side of pipelines embedded in a Go program
// (laminarc compile --lib): the weight of an output row, delivery of rows to
// callbacks and iterators, and the errors the generated API returns.
package laminar

import (
	"context"
	"errors"
	"iter"
)

// Op is the weight of an output row: an insertion, or the retraction of a
// row emitted before. Summing them per row gives an updating view's table.
type Op byte

const (
	Insert Op = '+'
	Delete Op = '-'
)

func (o Op) String() string {
	if o == Delete {
		return "-"
	}
	return "+"
}

// Errors the generated API returns; compare with errors.Is.
var (
	// ErrClosed: the pipeline was closed.
	ErrClosed = errors.New("laminar: pipeline is closed")
	// ErrEnded: the input was ended with End; it takes no more rows.
	ErrEnded = errors.New("laminar: input has ended")
)

// Subscribers delivers a view's rows to callbacks, in emission order, on
// the goroutine that pushed the input. The zero value is ready to use.
type Subscribers[R any] struct {
	list []*subscriber[R]
}

type subscriber[R any] struct {
	f func(R, Op)
}

// Add registers f and returns a function that removes it. Both must be
// called with the pipeline's lock held (the generated API does).
func (s *Subscribers[R]) Add(f func(R, Op)) (remove func()) {
	sub := &subscriber[R]{f: f}
	s.list = append(s.list, sub)
	return func() {
		for i, x := range s.list {
			if x == sub {
				s.list = append(s.list[:i:i], s.list[i+1:]...)
				return
			}
		}
	}
}

// Emit delivers one row to every callback. It takes a pointer so that a
// pipeline without callbacks (a job) does not copy the row.
func (s *Subscribers[R]) Emit(r *R, op Op) {
	for _, x := range s.list {
		x.f(*r, op)
	}
}

// Stream turns callback delivery into an iterator. subscribe registers a
// callback and returns its removal; both take the pipeline's lock. Rows are
// buffered; when the buffer is full, pushing waits for the reader
// (backpressure). The iterator ends when the loop breaks or ctx is done.
func Stream[R any](ctx context.Context, buffer int, subscribe func(func(R, Op)) (remove func())) iter.Seq2[R, Op] {
	return func(yield func(R, Op) bool) {
		type item struct {
			r  R
			op Op
		}
		ch := make(chan item, buffer)
		done := make(chan struct{})
		remove := subscribe(func(r R, op Op) {
			select {
			case ch <- item{r, op}:
			case <-done: // the reader left: drop rather than block the pipeline
			}
		})
		defer func() {
			close(done) // first: a callback blocked on a full buffer lets go of the lock
			remove()
		}()
		for {
			select {
			case it := <-ch:
				if !yield(it.r, it.op) {
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}
}
