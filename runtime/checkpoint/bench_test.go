package checkpoint

import (
	"fmt"
	"testing"
)

// benchCheckpoint spreads size bytes of state over 8 units.
func benchCheckpoint(epoch uint64, size int) *Checkpoint {
	cp := &Checkpoint{Epoch: epoch, Sources: []SourcePos{{Name: "in", Offset: 1}}}
	for i := range 8 {
		data := make([]byte, size/8)
		for j := range data {
			data[j] = byte(j*31 + i)
		}
		cp.Units = append(cp.Units, Unit{ID: fmt.Sprintf("op:%d", i), Data: data})
	}
	return cp
}

var benchSizes = []int{10 << 20, 100 << 20}

// BenchmarkWrite measures a durable Write (fsyncs included) of 10 and 100 MB
// of unit data.
func BenchmarkWrite(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dMB", size>>20), func(b *testing.B) {
			s := openStore(b, b.TempDir(), Options{Keep: 1})
			cp := benchCheckpoint(0, size)
			b.SetBytes(int64(size))
			b.ResetTimer()
			for i := range b.N {
				cp.Epoch = uint64(i + 1)
				if err := s.Write(cp); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLatest measures loading and verifying 10 and 100 MB of unit data
// (from the page cache, as right after a restart on the same machine).
func BenchmarkLatest(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dMB", size>>20), func(b *testing.B) {
			s := openStore(b, b.TempDir(), Options{})
			mustWrite(b, s, benchCheckpoint(1, size))
			b.SetBytes(int64(size))
			b.ResetTimer()
			for range b.N {
				cp, _, err := s.Latest()
				if err != nil || cp == nil {
					b.Fatal(cp, err)
				}
			}
		})
	}
}
