package laminar

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/runtime/job"
)

// noState is a pipeline without state units.
type noState struct{}

func (noState) StateUnits() []job.StateUnit  { return nil }
func (noState) SaveState(int, []byte) []byte { return nil }
func (noState) LoadState(int, []byte) error  { return nil }

// TestDurableReportsATornTail: a push whose WAL append a crash interrupted
// is cut off on reopen, and said so (it was never acknowledged), not
// dropped silently; the pushes before it replay.
func TestDurableReportsATornTail(t *testing.T) {
	dir := t.TempDir()
	d, err := OpenDurable("p", noState{}, func([]byte) error { return nil }, DurableOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := d.Log([]byte(fmt.Sprintf(`{"n":%d}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.log.Close(); err != nil { // a crash: no final checkpoint
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "wal", "*"))
	if len(segs) != 1 {
		t.Fatalf("segments %v", segs)
	}
	f, err := os.OpenFile(segs[0], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{9, 0, 0, 0, 1, 2}) // the first bytes of a fourth record's header
	f.Close()

	var logged []string
	var replayed []string
	d, err = OpenDurable("p", noState{}, func(r []byte) error { replayed = append(replayed, string(r)); return nil },
		DurableOptions{Dir: dir, Logf: func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if r := d.Recovery(); !r.Torn || r.DroppedBytes != 6 {
		t.Errorf("recovery %v", r)
	}
	if len(logged) != 1 || !strings.Contains(logged[0], "torn tail") || !strings.Contains(logged[0], "not acknowledged") {
		t.Errorf("logged %q", logged)
	}
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	if len(replayed) != 3 {
		t.Errorf("replayed %q", replayed)
	}
}
