package window

import (
	"cmp"
	"slices"
)

// TimedSet is a bag of (event time, value) pairs with weights, for
// FIRST_VALUE and LAST_VALUE over an updating input: a retraction removes one
// copy of its pair, and the first (last) value is found again from the pairs
// left. Among pairs of one time, First takes the least value and Last the
// greatest, so the result does not depend on the order changes arrive in.
// The zero value is empty.
type TimedSet[T Key] struct {
	counts map[Timed[T]]int64
}

// Timed is a value at an event time (µs).
type Timed[T Key] struct {
	TS int64
	V  T
}

// Add adds w copies of v at time ts (w < 0 removes them).
func (m *TimedSet[T]) Add(ts int64, v T, w int64) {
	if m.counts == nil {
		m.counts = make(map[Timed[T]]int64)
	}
	k := Timed[T]{ts, v}
	c := m.counts[k] + w
	if c == 0 {
		delete(m.counts, k)
	} else {
		m.counts[k] = c
	}
}

func (a Timed[T]) compare(b Timed[T]) int {
	if c := cmp.Compare(a.TS, b.TS); c != 0 {
		return c
	}
	return compareKeys(a.V, b.V)
}

// First returns the value of the earliest pair; ok is false when empty.
func (m *TimedSet[T]) First() (v T, ok bool) {
	var best Timed[T]
	for x, c := range m.counts {
		if c > 0 && (!ok || x.compare(best) < 0) {
			best, ok = x, true
		}
	}
	return best.V, ok
}

// Last returns the value of the latest pair; ok is false when empty.
func (m *TimedSet[T]) Last() (v T, ok bool) {
	var best Timed[T]
	for x, c := range m.counts {
		if c > 0 && (!ok || x.compare(best) > 0) {
			best, ok = x, true
		}
	}
	return best.V, ok
}

// Sorted returns the pairs and their counts in ascending order, for
// snapshots (a deterministic encoding).
func (m *TimedSet[T]) Sorted() ([]Timed[T], []int64) {
	pairs := make([]Timed[T], 0, len(m.counts))
	for x := range m.counts {
		pairs = append(pairs, x)
	}
	slices.SortFunc(pairs, Timed[T].compare)
	counts := make([]int64, len(pairs))
	for i, x := range pairs {
		counts[i] = m.counts[x]
	}
	return pairs, counts
}

// Moments folds the values of m, in ascending order, into the count and the
// sum of squared deviations from their mean of STDDEV and VARIANCE over an
// updating input: computed afresh from the values left, the result does not
// depend on how the retractions before it came in batches (a running state
// retracted value by value would carry their rounding).
func Moments[T int64 | float64](m *Multiset[T]) (n int64, m2 float64) {
	vals, counts := m.Sorted()
	var mean float64
	for i, v := range vals {
		for c := counts[i]; c > 0; c-- {
			n++
			d := float64(v) - mean
			mean += d / float64(n)
			m2 += d * (float64(v) - mean)
		}
	}
	return n, m2
}
