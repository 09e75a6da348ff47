// Package exchange is what the workers of a partitioned job share: the hash
// that picks the worker owning a key, and the barrier at which they meet
// between the phases of a round (docs/architecture.md, "Workers").
//
// The hash is fixed (no per-process seed): a checkpoint's groups are
// re-partitioned by it when a job restarts with another number of workers.
package exchange

import (
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Seed is the starting value of a key's hash.
const Seed uint64 = 0x9e3779b97f4a7c15

// Int mixes v into the hash h (a bijective finalizer: every bit of v
// reaches every bit of the result).
func Int(h, v uint64) uint64 {
	h ^= v
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// String mixes s into h, eight bytes at a time.
func String(h uint64, s string) uint64 {
	for len(s) >= 8 {
		v := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = Int(h, v)
		s = s[8:]
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		v |= uint64(s[i]) << (8 * i)
	}
	return Int(h, v^uint64(len(s))<<56)
}

// Bool mixes b into h.
func Bool(h uint64, b bool) uint64 {
	if b {
		return Int(h, 1)
	}
	return Int(h, 0)
}

// Null mixes a NULL into h (distinct from every value's hash in practice).
func Null(h uint64) uint64 { return Int(h, 0x6e756c6c) }

// Owner is the worker, of n, that owns the key of hash h: a multiply
// instead of a modulo, uniform for a well-mixed h.
func Owner(h uint64, n int) int {
	hi, _ := bits.Mul64(h, uint64(n))
	return int(hi)
}

// Barrier is where n goroutines meet: Wait returns once all n have called
// it, after the last to arrive ran the action. It can be reused round after
// round.
//
// A goroutine that arrives early spins for up to barrierSpin before it
// parks: the workers of a job meet once a round, a few milliseconds apart,
// and one parked has to be woken by the OS (a futex wake, then its thread
// scheduled), which on a busy machine takes longer than the rest of the
// wait; a spinning one sees the round end at once.
type Barrier struct {
	n      int
	action func()
	mu     sync.Mutex
	cond   *sync.Cond
	count  int
	round  atomic.Uint64
	// spin is how long an early arrival spins; barrierSpin unless set
	spin time.Duration
}

// barrierSpin is how long a goroutine waits at a Barrier before it parks:
// 200 µs, not 50. A parked worker's wake took 50-75 µs on this 2-core VM
// (the goroutine is readied on the waker's P and the other P's thread
// steals it after runtime.runqgrab's usleep(3), stretched by the timer
// slack), during which the other worker may already wait at the next
// barrier: at 50 µs two of three waits of groupby_many parked (its rounds
// of about 0.85 ms, a worker late by 150-200 µs in most); at 200 µs a few
// hundred of 2,443 in a run (voluntary context switches 3,300 -> 570, wall
// at 2 workers 1.20 -> 1.05 s, on an idle machine).
const barrierSpin = 200 * time.Microsecond

// spinYield is how often a spinning arrival yields its P (runtime.Gosched)
// to a goroutine waiting for it. Every 64 reads of the round (about 0.1
// µs), as before, made the spin mostly the scheduler's work: a yield puts
// the goroutine on the global run queue under the scheduler's lock and
// wakes an idle P's thread when there is one (wakep), 12% of groupby_many's
// CPU time at two workers; 10 µs leaves a goroutine waiting for the P (a
// file's reader, the sink writer, the collector) as prompt a turn against
// a spin of 200 µs. With fewer Ps than parties (GOMAXPROCS below n) a
// spinner would hold the P the late arrival needs: those park at once.
const spinYield = 10 * time.Microsecond

// NewBarrier returns a barrier for n goroutines; action (may be nil) runs
// on the last goroutine to arrive, while the others wait.
func NewBarrier(n int, action func()) *Barrier {
	b := &Barrier{n: n, action: action, spin: barrierSpin}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// Wait blocks until all n goroutines have called Wait.
func (b *Barrier) Wait() {
	b.mu.Lock()
	round := b.round.Load()
	b.count++
	if b.count == b.n {
		if b.action != nil {
			b.action()
		}
		b.count = 0
		b.round.Add(1) // after the action: a spinner that sees it sees the action's writes
		b.mu.Unlock()
		b.cond.Broadcast()
		return
	}
	b.mu.Unlock()
	if b.spin > 0 && runtime.GOMAXPROCS(0) >= b.n {
		began := time.Now()
		yielded := time.Duration(0)
		for i := 1; ; i++ {
			if b.round.Load() != round {
				return
			}
			if i%64 == 0 {
				since := time.Since(began)
				if since > b.spin {
					break
				}
				if since-yielded > spinYield {
					// let a goroutine waiting for this P run (a
					// reader, the sink writer, the collector)
					runtime.Gosched()
					yielded = since
				}
			}
		}
	}
	b.mu.Lock()
	for round == b.round.Load() {
		b.cond.Wait()
	}
	b.mu.Unlock()
}
