package window

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

type count struct{ n int64 }

func mergeCount(dst, src *count) { dst.n += src.n }

// TestSessionsMerge: a row bridging two sessions merges them; sessions close
// in order of their ends once the watermark passes them.
func TestSessionsMerge(t *testing.T) {
	ss := NewSessions[string, count](10, mergeCount, true)
	for _, ts := range []int64{0, 18, 9} {
		ss.Assign("a", ts, math.MinInt64).n++
	}
	ss.Assign("b", 5, math.MinInt64).n++
	if ss.Len() != 2 || len(ss.Absorbed) != 1 {
		t.Fatalf("%d open, %d absorbed; want 2 and 1", ss.Len(), len(ss.Absorbed))
	}
	if s := ss.NextClosed(15); s != nil {
		t.Fatalf("closed %+v at 15", s)
	}
	s := ss.NextClosed(16) // b: [5, 15)
	if s == nil || s.Key != "b" || s.Start != 5 || s.End != 15 || s.State.n != 1 {
		t.Fatalf("got %+v, want b [5, 15) 1", s)
	}
	if s := ss.NextClosed(28); s != nil {
		t.Fatalf("closed %+v at 28: a row at 28 still joins [0, 28)", s)
	}
	ss.Assign("a", 28, 28).n++ // touches: gap 10 exactly
	s = ss.NextClosed(math.MaxInt64)
	if s == nil || s.Start != 0 || s.End != 38 || s.State.n != 4 {
		t.Fatalf("got %+v, want a [0, 38) 4", s)
	}
	if ss.Len() != 0 || ss.NextClosed(math.MaxInt64) != nil {
		t.Fatal("sessions left open")
	}
}

// TestSessionsLate: a row joining no open session whose own window ended
// before the watermark is late; one bridging into an open session is not.
func TestSessionsLate(t *testing.T) {
	ss := NewSessions[int, count](10, mergeCount, false)
	ss.Assign(1, 100, 0).n++
	if ss.Assign(1, 50, 90) != nil {
		t.Error("a row of a closed window was taken")
	}
	if p := ss.Assign(1, 92, 101); p == nil {
		t.Error("a row bridging into the open session [100, 110) is late")
	} else {
		p.n++
	}
	open := ss.Open()
	if len(open) != 1 || open[0].Start != 92 || open[0].End != 110 || open[0].State.n != 2 {
		t.Fatalf("open %d: %+v", len(open), *open[0])
	}
	// a snapshot restores the same sessions
	rs := NewSessions[int, count](10, mergeCount, false)
	for _, s := range open {
		rs.Restore(s.Key, s.Start, s.End, s.State)
	}
	if s := rs.NextClosed(111); s == nil || s.Start != 92 || s.State.n != 2 {
		t.Fatalf("restored %+v", s)
	}
}

// TestSessionsPrune: the sessions of the keys not kept are gone (not
// counted, never closed, not in Dirty's changes); the others are as before.
func TestSessionsPrune(t *testing.T) {
	ss := NewSessions[string, count](10, mergeCount, true)
	ss.Assign("a", 0, math.MinInt64).n++
	ss.Assign("a", 50, math.MinInt64).n++
	ss.Assign("b", 5, math.MinInt64).n++
	ss.Prune(func(k string) bool { return k == "b" })
	if ss.Len() != 1 || ss.Groups() != 1 {
		t.Fatalf("%d open after the prune, want 1", ss.Len())
	}
	live := 0
	for _, s := range ss.Dirty {
		if s.Live() {
			live++
			if s.Key != "b" {
				t.Errorf("pruned session %+v still changed", s)
			}
		}
	}
	if live != 1 {
		t.Errorf("%d live dirty sessions, want 1", live)
	}
	if open := ss.Open(); len(open) != 1 || open[0].Key != "b" {
		t.Fatalf("open %v, want b's", open)
	}
	s := ss.NextClosed(math.MaxInt64)
	if s == nil || s.Key != "b" || s.State.n != 1 || ss.NextClosed(math.MaxInt64) != nil {
		t.Fatalf("closed %+v, want b's session only", s)
	}
	if ss.Assign("a", 100, math.MinInt64) == nil || ss.Len() != 1 {
		t.Fatal("a pruned key's new row should open a session")
	}
}

// TestSessionsEndOfInput: at the end of input (a watermark of +infinity)
// the open sessions close in the order a finite watermark past them all
// closes them (by end, then creation), the sort of the closing heap then
// giving way to the heap again when a session reopens afterwards.
func TestSessionsEndOfInput(t *testing.T) {
	build := func() *Sessions[int, count] {
		ss := NewSessions[int, count](10, mergeCount, false)
		r := rand.New(rand.NewPCG(7, 7))
		wm := int64(math.MinInt64)
		for i := range 5000 {
			ts := int64(i) + r.Int64N(40)
			if acc := ss.Assign(r.IntN(300), ts, wm); acc != nil {
				acc.n++
			}
			if i%100 == 0 {
				// a watermark that closes some sessions on the way (and
				// leaves grown ones to queue again)
				wm = int64(i) - 30
				for ss.NextClosed(wm) != nil {
				}
			}
		}
		return ss
	}
	drain := func(ss *Sessions[int, count], wm int64) (out []string) {
		for s := ss.NextClosed(wm); s != nil; s = ss.NextClosed(wm) {
			out = append(out, fmt.Sprint(s.Key, s.Start, s.End, s.State.n))
		}
		return out
	}
	want, got := drain(build(), math.MaxInt64-1), drain(build(), math.MaxInt64)
	if len(want) < 100 || !slices.Equal(got, want) {
		t.Fatalf("end of input closed %d sessions, want %d in the same order", len(got), len(want))
	}
	// after the end, a session opened (and another grown) closes as before
	ss := build()
	drain(ss, math.MaxInt64)
	ss.Assign(1, 100_000, 0).n++
	ss.Assign(2, 100_001, 0).n++
	ss.Assign(1, 100_005, 0).n++
	if got := drain(ss, math.MaxInt64); !slices.Equal(got, []string{"2 100001 100011 1", "1 100000 100015 2"}) {
		t.Errorf("after the end: %v", got)
	}
}

// sessionModel is Sessions the obvious way: a list of sessions per key.
type sessionModel struct {
	gap  int64
	seq  uint64
	open map[int][]*modelSession // by Start
}

type modelSession struct {
	start, end, n int64
	seq           uint64
}

func (m *sessionModel) assign(k int, t, wm int64) *modelSession {
	lo, hi := t, t+m.gap
	if t > math.MaxInt64-m.gap {
		hi = math.MaxInt64
	}
	var dst *modelSession
	var keep []*modelSession
	for _, s := range m.open[k] {
		switch {
		case s.end < lo || s.start > hi:
			keep = append(keep, s)
		case dst == nil:
			dst = s
			dst.start, dst.end = min(dst.start, lo), max(dst.end, hi)
			keep = append(keep, s)
		default:
			dst.end = max(dst.end, s.end)
			dst.n += s.n
		}
	}
	if dst == nil {
		if hi < wm {
			return nil
		}
		dst = &modelSession{start: lo, end: hi, seq: m.seq}
		m.seq++
		keep = append(keep, dst)
		slices.SortFunc(keep, func(a, b *modelSession) int { return cmp.Compare(a.start, b.start) })
	}
	m.open[k] = keep
	return dst
}

// next removes the open session of the least (end, seq) if it ended before wm.
func (m *sessionModel) next(wm int64) (int, *modelSession) {
	bk, bi := 0, -1
	for k, l := range m.open {
		for i, s := range l {
			if s.end < wm && (bi < 0 || s.end < m.open[bk][bi].end || s.end == m.open[bk][bi].end && s.seq < m.open[bk][bi].seq) {
				bk, bi = k, i
			}
		}
	}
	if bi < 0 {
		return 0, nil
	}
	s := m.open[bk][bi]
	m.open[bk] = slices.Delete(m.open[bk], bi, bi+1)
	return bk, s
}

func (m *sessionModel) list() (out []string) {
	var all []*modelSession
	keys := map[*modelSession]int{}
	for k, l := range m.open {
		for _, s := range l {
			all = append(all, s)
			keys[s] = k
		}
	}
	slices.SortFunc(all, func(a, b *modelSession) int { return cmpUint(a.seq, b.seq) })
	for _, s := range all {
		out = append(out, fmt.Sprint(keys[s], s.start, s.end, s.n))
	}
	return out
}

// TestSessionsModel: random rows, watermarks, end-of-input drains stopped
// part way (rows after them, times whose sessions end at +infinity and never
// close), snapshots and prunes, against sessionModel.
func TestSessionsModel(t *testing.T) {
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 3))
		changes := seed%2 == 1 // Dirty kept, its closed sessions' slots reused after Flushed
		ss := NewSessions[int, count](10, mergeCount, changes)
		m := &sessionModel{gap: 10, open: map[int][]*modelSession{}}
		wm, base := int64(math.MinInt64), int64(0)
		check := func(what string, got *Session[int, count], gk int, want *modelSession) {
			t.Helper()
			switch {
			case (got == nil) != (want == nil):
				t.Fatalf("seed %d, %s: got %+v, want %+v", seed, what, got, want)
			case got != nil && (got.Key != gk || got.Start != want.start || got.End != want.end || got.State.n != want.n):
				t.Fatalf("seed %d, %s: got %d [%d, %d) %d, want %d %+v", seed, what, got.Key, got.Start, got.End, got.State.n, gk, *want)
			}
		}
		for i := range 3000 {
			switch op := r.IntN(100); {
			case op < 70:
				k := r.IntN(12)
				ts := base + r.Int64N(60)
				if r.IntN(50) == 0 {
					ts = math.MaxInt64 - r.Int64N(20) // a session that never closes
				}
				got, want := ss.Assign(k, ts, wm), m.assign(k, ts, wm)
				if (got == nil) != (want == nil) {
					t.Fatalf("seed %d, row %d: late %v, model says %v", seed, i, got == nil, want == nil)
				}
				if got != nil {
					got.n++
					want.n++
				}
				base += r.Int64N(3)
			case op < 85:
				wm = max(wm, base-r.Int64N(30))
				for {
					gk, want := m.next(wm)
					got := ss.NextClosed(wm)
					check("close", got, gk, want)
					if got == nil {
						break
					}
				}
			case op < 93:
				// the end of input, stopped after a few sessions
				for range r.IntN(4) {
					gk, want := m.next(math.MaxInt64)
					check("drain", ss.NextClosed(math.MaxInt64), gk, want)
				}
			case op < 97:
				var got []string
				for _, s := range ss.Open() {
					got = append(got, fmt.Sprint(s.Key, s.Start, s.End, s.State.n))
				}
				if want := m.list(); !slices.Equal(got, want) {
					t.Fatalf("seed %d: open %v, want %v", seed, got, want)
				}
			default:
				drop := r.IntN(12)
				ss.Prune(func(k int) bool { return k != drop })
				delete(m.open, drop)
			}
			if changes && r.IntN(10) == 0 {
				for _, s := range ss.Dirty {
					if s.Live() && s.Dirty() && s.End < wm {
						s.Clean()
					}
				}
				ss.Flushed(wm)
				for _, s := range ss.Dirty {
					if !s.Live() || s.End < wm {
						t.Fatalf("seed %d: %+v dirty after Flushed(%d)", seed, s, wm)
					}
				}
			}
			if ss.Len() != len(m.list()) {
				t.Fatalf("seed %d, step %d: %d open, want %d", seed, i, ss.Len(), len(m.list()))
			}
		}
		for {
			gk, want := m.next(math.MaxInt64)
			got := ss.NextClosed(math.MaxInt64)
			check("end", got, gk, want)
			if got == nil {
				break
			}
		}
	}
}

// TestClosingSort: the radix sort of the closing heap's entries orders them
// as the comparison sort does, by end then seq, over ranges of every width
// (ends at both extremes of int64, seqs in order or not).
func TestClosingSort(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, n := range []int{0, 1, 1023, 1024, 5000} {
		for _, span := range []int64{1, 300, 1 << 40, math.MaxInt64} {
			for _, inOrder := range []bool{true, false} {
				h := make(closing, n)
				for i := range h {
					end := r.Int64N(span)
					if span == math.MaxInt64 && r.IntN(2) == 0 {
						end = math.MinInt64 + r.Int64N(1000) // below zero as well
					}
					h[i] = closingEntry{end: end, seq: uint64(i) * 3, id: int32(i)}
				}
				if !inOrder {
					r.Shuffle(n, func(i, j int) { h[i], h[j] = h[j], h[i] })
				}
				want := slices.Clone(h)
				slices.SortFunc(want, func(a, b closingEntry) int {
					if a.end != b.end {
						return cmp.Compare(a.end, b.end)
					}
					return cmpUint(a.seq, b.seq)
				})
				h.sort()
				if !slices.Equal(h, want) {
					t.Fatalf("n %d, span %d, in order %v: sorted wrong", n, span, inOrder)
				}
			}
		}
	}
}
