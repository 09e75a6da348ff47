package exchange

import (
	"sync"
	"testing"
	"time"
)

func TestOwnerSpreadsKeys(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7} {
		counts := make([]int, n)
		for k := range 30000 {
			counts[Owner(Int(Seed, uint64(k)), n)]++
		}
		for w, c := range counts {
			if c < 30000/n*9/10 || c > 30000/n*11/10 {
				t.Errorf("n=%d: worker %d owns %d of 30000 keys", n, w, c)
			}
		}
	}
}

func TestHashIsFixed(t *testing.T) {
	// checkpoints re-partition by this hash: it must not change between runs or versions
	if got := String(Seed, "auction-42"); got != String(Seed, "auction-42") {
		t.Fatal("String is not deterministic")
	}
	if Int(Seed, 1) == Int(Seed, 2) || String(Seed, "a") == String(Seed, "a\x00") {
		t.Fatal("collisions on trivial keys")
	}
}

func TestBarrierRunsActionOncePerRound(t *testing.T) {
	const n, rounds = 3, 200
	var actions, arrivals int
	var mu sync.Mutex
	b := NewBarrier(n, func() {
		mu.Lock()
		defer mu.Unlock()
		if arrivals != n*(actions+1) {
			t.Errorf("action %d ran after %d arrivals", actions, arrivals)
		}
		actions++
	})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for range rounds {
				mu.Lock()
				arrivals++
				mu.Unlock()
				b.Wait()
			}
		})
	}
	wg.Wait()
	if actions != rounds {
		t.Fatalf("%d actions, want %d", actions, rounds)
	}
}

// TestBarrierSpinsThenParks: goroutines that arrive early see the action's
// writes whether they see the round end while spinning or after parking
// (one arrival late by more than the spin, or no spin at all), round after
// round: the action writes a plain variable that the others read (the race
// detector checks the happens-before edge).
func TestBarrierSpinsThenParks(t *testing.T) {
	for _, spin := range []time.Duration{0, barrierSpin, time.Second} {
		const n, rounds = 3, 40
		var round int // written by the action only
		b := NewBarrier(n, func() { round++ })
		b.spin = spin
		var wg sync.WaitGroup
		for w := range n {
			wg.Go(func() {
				for k := range rounds {
					if w == k%n && k%4 == 0 {
						time.Sleep(2 * barrierSpin) // late: the others park (unless spin is long)
					}
					b.Wait()
					if round != k+1 {
						t.Errorf("spin %v: worker %d after round %d sees %d", spin, w, k, round)
						return
					}
				}
			})
		}
		wg.Wait()
	}
}

// BenchmarkBarrier is the cost of one round's meeting of two goroutines
// (keyed workers meet twice per round): ns/op per Wait of each.
func BenchmarkBarrier(b *testing.B) {
	bar := NewBarrier(2, nil)
	done := make(chan struct{})
	go func() {
		for range b.N {
			bar.Wait()
		}
		close(done)
	}()
	for range b.N {
		bar.Wait()
	}
	<-done
}
