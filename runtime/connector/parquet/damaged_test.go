package parquet

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// TestSourceDamagedFiles reads 5000 damaged copies of a file (bytes
// changed, deleted or inserted, a fifth truncated too): each ends in rows
// or an error, never a panic or a hang (arrow-go's ReadBatch loops forever
// on some of them; see readN), nor gigabytes allocated by a size its
// metadata claims (a fifth of the changes write such a claim; guard.go):
// at most 512 MiB a file. FuzzSource explores further with go test -fuzz.
func TestSourceDamagedFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.parquet")
	writeTestFile(t, good, 0, 40, 10, func(i int) bool { return i == 7 })
	data, _ := os.ReadFile(good)
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 5000; i++ {
		file := slices.Clone(data)
		for range 1 + r.IntN(4) {
			switch at := r.IntN(len(file)); r.IntN(5) {
			case 4:
				// a size or count claimed huge: the claims arrow-go
				// allocates by (guard.go bounds them)
				if at+4 <= len(file) {
					binary.LittleEndian.PutUint32(file[at:], []uint32{0xffffffff, 0x7fffffff, 0xc7fffff8, 1 << 28, 0xfff0}[r.IntN(5)])
				}
			case 0:
				file[at] ^= byte(1 << r.IntN(8))
			case 1:
				file[at] = byte(r.IntN(256))
			case 2:
				file = slices.Delete(file, at, at+1)
			case 3:
				file = slices.Insert(file, at, byte(r.IntN(256)))
			}
		}
		if r.IntN(5) == 0 {
			file = file[:r.IntN(len(file))]
		}
		p := filepath.Join(dir, "f.parquet")
		os.WriteFile(p, file, 0o644)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		done := make(chan bool)
		go func() {
			defer close(done)
			s, err := openSource(connector.Env{Logf: func(string, ...any) {}}, map[string]string{"path": p, SourceColumnsOption: testColumns, PredicateOption: `[[{"col":0,"op":">","int":15}]]`}, connector.Position{})
			if err == nil {
				var b connector.LineBatch
				for range 1000 {
					more, err := s.Next(&b, 7)
					if err != nil || !more {
						break
					}
				}
			}
		}()
		select {
		case <-done:
			runtime.ReadMemStats(&after)
			if d := after.TotalAlloc - before.TotalAlloc; d > 512<<20 {
				t.Fatalf("damaged file %d (%d bytes): reading it allocated %d MiB", i, len(file), d>>20)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("damaged file %d (%d bytes): still reading after 10 s", i, len(file))
		}
	}
}
