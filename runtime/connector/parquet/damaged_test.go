package parquet

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// TestSourceDamagedFiles reads 1500 damaged copies of a file (a byte
// changed, a third of them truncated too): each ends in rows or an error,
// never a panic, and none takes more than 5 s (FuzzSource explores further
// with go test -fuzz).
func TestSourceDamagedFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.parquet")
	writeTestFile(t, good, 0, 40, 10, func(i int) bool { return i == 7 })
	data, _ := os.ReadFile(good)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1500; i++ {
		file := slices.Clone(data)
		at, x := r.IntN(len(file)), byte(r.IntN(256))
		file[at] ^= x
		if r.IntN(3) == 0 {
			file = file[:r.IntN(len(file))]
		}
		p := filepath.Join(dir, "f.parquet")
		os.WriteFile(p, file, 0o644)
		done := make(chan bool)
		go func() {
			defer close(done)
			s, err := openSource(connector.Env{Logf: func(string, ...any) {}}, map[string]string{"path": p, SourceColumnsOption: testColumns}, connector.Position{})
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
		case <-time.After(5 * time.Second):
			t.Fatalf("damaged file (byte %d xor %d, %d bytes): still reading after 5 s", at, x, len(file))
		}
	}
}
