package kvstate

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// Benchmark entries: a 16-byte key and an 84-byte incompressible value,
// 100 bytes of state each.
const (
	benchKeyLen   = 16
	benchValLen   = 84
	benchEntryLen = benchKeyLen + benchValLen
)

func benchKey(dst []byte, i int) []byte {
	dst = binary.BigEndian.AppendUint64(dst[:0], uint64(i)*0x9E3779B97F4A7C15) // spread keys
	return binary.BigEndian.AppendUint64(dst, uint64(i))
}

func benchValue(dst []byte, rng *rand.Rand) []byte {
	dst = dst[:0]
	for len(dst) < benchValLen {
		dst = binary.LittleEndian.AppendUint64(dst, rng.Uint64())
	}
	return dst[:benchValLen]
}

// fill puts n entries (keys 0..n-1) with fresh random values.
func fill(tb *Table, n int, rng *rand.Rand) {
	var k, v []byte
	for i := range n {
		k = benchKey(k, i)
		v = benchValue(v, rng)
		tb.Put(k, v)
	}
}

func benchOpen(b *testing.B, dir string, opts Options) *Store {
	b.Helper()
	opts.Logger = quiet
	s, err := Open(dir, opts)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkCommit is the checkpoint pause: Commit of 10 MB and 100 MB of
// changed state, against writing the same bytes to one file with fsync.
func BenchmarkCommit(b *testing.B) {
	for _, mb := range []int{10, 100} {
		n := mb << 20 / benchEntryLen
		b.Run(fmt.Sprintf("badger/%dMB", mb), func(b *testing.B) {
			s := benchOpen(b, b.TempDir(), Options{PendingBytes: 4 << 30})
			defer s.Close()
			tb := s.Table("t")
			rng := rand.New(rand.NewPCG(1, 1))
			b.SetBytes(int64(n * benchEntryLen))
			epoch := uint64(0)
			for b.Loop() {
				b.StopTimer()
				fill(tb, n, rng)
				b.StartTimer()
				epoch++
				if err := s.Commit(epoch); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("file-fsync/%dMB", mb), func(b *testing.B) {
			buf := make([]byte, 0, n*benchEntryLen)
			rng := rand.New(rand.NewPCG(1, 1))
			var k, v []byte
			for i := range n {
				k, v = benchKey(k, i), benchValue(v, rng)
				buf = append(append(buf, k...), v...)
			}
			path := filepath.Join(b.TempDir(), "state")
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				f, err := os.Create(path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := f.Write(buf); err != nil {
					b.Fatal(err)
				}
				if err := f.Sync(); err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
		})
	}
}

// BenchmarkRecover is recovery of the state: Open, Rollback to the last
// commit and a full Scan. KVSTATE_BENCH_MB sets the size (default 100).
// The "after-crash" case also has a spilled, never committed epoch of 10%
// of the state on disk, which Rollback must undo.
func BenchmarkRecover(b *testing.B) {
	mb := 100
	if v := os.Getenv("KVSTATE_BENCH_MB"); v != "" {
		fmt.Sscan(v, &mb)
	}
	n := mb << 20 / benchEntryLen
	for _, crash := range []bool{false, true} {
		name := fmt.Sprintf("clean/%dMB", mb)
		if crash {
			name = fmt.Sprintf("after-crash/%dMB", mb)
		}
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			s := benchOpen(b, dir, Options{PendingBytes: 256 << 20})
			rng := rand.New(rand.NewPCG(2, 2))
			fill(s.Table("t"), n, rng)
			if err := s.Commit(1); err != nil {
				b.Fatal(err)
			}
			if crash {
				fill(s.Table("t"), n/10, rng)
				if err := s.spill(); err != nil {
					b.Fatal(err)
				}
			}
			// Close stands in for the crash: the spilled epoch stays on disk.
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(n * benchEntryLen))
			for b.Loop() {
				s := benchOpen(b, dir, Options{})
				if err := s.Rollback(1); err != nil {
					b.Fatal(err)
				}
				count := 0
				if err := s.Table("t").Scan(func(key, val []byte) error { count++; return nil }); err != nil {
					b.Fatal(err)
				}
				if count != n {
					b.Fatalf("scanned %d keys, want %d", count, n)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGetPut: hot keys are in the pending buffer; cold keys are
// random keys of a committed 100 MB state read through a 16 MB cache.
func BenchmarkGetPut(b *testing.B) {
	const n = 100 << 20 / benchEntryLen
	s := benchOpen(b, b.TempDir(), Options{CacheBytes: 16 << 20})
	defer s.Close()
	tb := s.Table("t")
	rng := rand.New(rand.NewPCG(3, 3))
	fill(tb, n, rng)
	if err := s.Commit(1); err != nil {
		b.Fatal(err)
	}
	const hot = 1000
	fill(tb, hot, rng) // keys 0..hot-1 now pending
	var k, v, dst []byte
	v = benchValue(v, rng)

	b.Run("Get/hot", func(b *testing.B) {
		i := 0
		for b.Loop() {
			k = benchKey(k, i%hot)
			dst, _, _ = tb.Get(k, dst)
			i++
		}
	})
	b.Run("Get/cold", func(b *testing.B) {
		for b.Loop() {
			k = benchKey(k, hot+rng.IntN(n-hot))
			var ok bool
			var err error
			if dst, ok, err = tb.Get(k, dst); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("Put/hot", func(b *testing.B) {
		i := 0
		for b.Loop() {
			tb.Put(benchKey(k, i%hot), v)
			i++
		}
	})
	b.Run("Put/new", func(b *testing.B) { // spills included, at the default 64 MB buffer
		i := n
		for b.Loop() {
			tb.Put(benchKey(k, i), v)
			i++
		}
	})
}
