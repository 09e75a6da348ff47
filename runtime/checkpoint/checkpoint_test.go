package checkpoint

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// sample returns a checkpoint with units, sinks and sources of every kind:
// a unit and a sink without data included.
func sample(epoch uint64) *Checkpoint {
	return &Checkpoint{
		Epoch:    epoch,
		Pipeline: "vwap:3f2a",
		Sources: []SourcePos{
			{Name: "trades", Offset: int64(100 * epoch), Line: int64(epoch)},
			{Name: "pushed", WAL: "2:4096"},
			{Name: "done", Offset: 7, Line: 1, Done: true},
		},
		Sinks: []SinkState{
			{Name: "vwap_out", Epoch: epoch, Data: []byte("pending-" + string(rune('a'+epoch%26)))},
			{Name: "stdout", Epoch: epoch},
		},
		Units: []Unit{
			{ID: "source:trades:01ab", Name: "source trades", Data: []byte{byte(epoch), 1, 2, 3}},
			{ID: "op:9f00", Name: "view vwap", Data: bytes.Repeat([]byte("state"), 1000)},
			{ID: "op:empty", Name: "view idle"},
		},
		Created: time.Date(2025, 3, 1, 12, 0, 0, int(epoch)*1000, time.UTC),
	}
}

func openStore(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustWrite(t testing.TB, s *Store, cp *Checkpoint) {
	t.Helper()
	if err := s.Write(cp); err != nil {
		t.Fatalf("Write(epoch %d): %v", cp.Epoch, err)
	}
}

// latest opens dir afresh on the real filesystem and returns Latest.
func latest(t testing.TB, dir string) (*Checkpoint, []Skipped) {
	t.Helper()
	cp, skipped, err := openStore(t, dir, Options{}).Latest()
	if err != nil {
		t.Fatalf("Latest: %v", err)
	}
	return cp, skipped
}

func checkEqual(t testing.TB, got, want *Checkpoint) {
	t.Helper()
	if got == nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Latest returned\n%+v\nwant\n%+v", got, want)
	}
}

// names lists the entries of dir.
func names(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	if cp, skipped, err := s.Latest(); cp != nil || skipped != nil || err != nil {
		t.Fatalf("empty store: Latest = %v, %v, %v", cp, skipped, err)
	}
	want := sample(7)
	mustWrite(t, s, want)

	cp, skipped := latest(t, dir)
	checkEqual(t, cp, want)
	if len(skipped) != 0 {
		t.Fatalf("skipped %v", skipped)
	}
	if u := cp.Unit("op:9f00"); u == nil || u.Name != "view vwap" {
		t.Fatalf("Unit(op:9f00) = %+v", u)
	}
	if cp.Unit("op:none") != nil {
		t.Fatal("Unit of an unknown id is not nil")
	}

	// The layout the package documents: units and sinks with data have a
	// file each, MANIFEST ends with its checksum line.
	cpDir := filepath.Join(dir, "cp-00000000000000000007")
	if got, want := names(t, cpDir), []string{"MANIFEST", "sink-000000", "unit-000000", "unit-000001"}; !slices.Equal(got, want) {
		t.Fatalf("checkpoint files %v, want %v", got, want)
	}
	m, err := os.ReadFile(filepath.Join(cpDir, "MANIFEST"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(m, []byte(`"format": "laminar-checkpoint"`)) || !bytes.HasPrefix(m[len(m)-crcLineLen:], []byte("crc32c ")) {
		t.Fatalf("MANIFEST:\n%s", m)
	}
}

func TestCreatedDefaultsToNow(t *testing.T) {
	dir := t.TempDir()
	before := time.Now()
	mustWrite(t, openStore(t, dir, Options{}), &Checkpoint{Epoch: 1})
	cp, _ := latest(t, dir)
	if cp.Created.Before(before.Add(-time.Second)) || cp.Created.After(time.Now().Add(time.Second)) {
		t.Fatalf("Created = %v, want about %v", cp.Created, before)
	}
}

func TestEpochMustIncrease(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	mustWrite(t, s, sample(5))
	for _, epoch := range []uint64{5, 3, 0} {
		if err := s.Write(sample(epoch)); err == nil {
			t.Fatalf("Write of epoch %d after epoch 5 succeeded", epoch)
		}
	}
	// A reopened store knows its newest epoch, damaged or not.
	os.Remove(filepath.Join(dir, "cp-00000000000000000005", "MANIFEST"))
	s = openStore(t, dir, Options{})
	if s.LastEpoch() != 5 {
		t.Fatalf("LastEpoch = %d, want 5", s.LastEpoch())
	}
	if err := s.Write(sample(5)); err == nil {
		t.Fatal("Write of epoch 5 after reopening succeeded")
	}
	mustWrite(t, s, sample(6))
}

func TestKeepPruning(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{Keep: 2})
	for epoch := uint64(1); epoch <= 5; epoch++ {
		mustWrite(t, s, sample(epoch))
	}
	want := []string{"cp-00000000000000000004", "cp-00000000000000000005"}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Fatalf("after 5 writes with Keep 2: %v, want %v", got, want)
	}

	// A damaged checkpoint does not count as kept: the two newest valid
	// ones stay, and so does the damaged one between them.
	os.Remove(filepath.Join(dir, "cp-00000000000000000005", "unit-000000"))
	mustWrite(t, s, sample(6))
	want = []string{"cp-00000000000000000004", "cp-00000000000000000005", "cp-00000000000000000006"}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Fatalf("with epoch 5 damaged: %v, want %v", got, want)
	}
	mustWrite(t, s, sample(7))
	want = []string{"cp-00000000000000000006", "cp-00000000000000000007"}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Fatalf("after epoch 7: %v, want %v", got, want)
	}

	s = openStore(t, t.TempDir(), Options{})
	for epoch := uint64(1); epoch <= 5; epoch++ {
		mustWrite(t, s, sample(epoch))
	}
	if got := len(names(t, s.Dir())); got != DefaultKeep {
		t.Fatalf("default Keep left %d checkpoints, want %d", got, DefaultKeep)
	}
	if _, err := Open(t.TempDir(), Options{Keep: -1}); err == nil {
		t.Fatal("Open with Keep -1 succeeded")
	}
}

func TestLeftoverTempDirsIgnoredAndCleaned(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	mustWrite(t, s, sample(1))
	// A crash mid-write of epoch 2 (a complete-looking directory that was
	// never renamed) and mid-prune; and files that are not checkpoints.
	leftovers := []string{"cp-00000000000000000002.tmp-0123456789abcdef", "cp-00000000000000000000.tmp-prune"}
	for _, name := range leftovers {
		copyDir(t, filepath.Join(dir, "cp-00000000000000000001"), filepath.Join(dir, name))
	}
	for _, name := range []string{"cp-2", "cp-000000000000000000003x", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	cp, skipped := latest(t, dir)
	checkEqual(t, cp, sample(1))
	if len(skipped) != 0 {
		t.Fatalf("skipped %v", skipped)
	}
	mustWrite(t, s, sample(2))
	want := []string{"cp-000000000000000000003x", "cp-00000000000000000001", "cp-00000000000000000002", "cp-2", "notes.txt"}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Fatalf("after Write: %v, want %v", got, want)
	}
}

// damage changes one checkpoint directory.
type damage struct {
	name   string
	apply  func(t *testing.T, cpDir string)
	reason string // in the reported error
}

func truncateFile(name string, size int64) func(*testing.T, string) {
	return func(t *testing.T, cpDir string) {
		if err := os.Truncate(filepath.Join(cpDir, name), size); err != nil {
			t.Fatal(err)
		}
	}
}

func flipByte(name string, off int) func(*testing.T, string) {
	return func(t *testing.T, cpDir string) {
		path := filepath.Join(cpDir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if off < 0 {
			off += len(data)
		}
		data[off] ^= 0x20
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func removeFile(name string) func(*testing.T, string) {
	return func(t *testing.T, cpDir string) {
		if err := os.Remove(filepath.Join(cpDir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

// rewriteManifest replaces MANIFEST with edit's result and a correct
// checksum line, for damage that only the contents check can find.
func rewriteManifest(edit func(string) string) func(*testing.T, string) {
	return func(t *testing.T, cpDir string) {
		path := filepath.Join(cpDir, "MANIFEST")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		body := edit(string(data[:len(data)-crcLineLen]))
		m, err := encodeRaw([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, m, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDamagedNewestFallsBack(t *testing.T) {
	damages := []damage{
		{"unit file truncated", truncateFile("unit-000001", 100), "unit-000001 has 100 bytes, expected 5000"},
		{"unit file longer", func(t *testing.T, d string) {
			f, _ := os.OpenFile(filepath.Join(d, "unit-000000"), os.O_APPEND|os.O_WRONLY, 0)
			f.Write([]byte{0})
			f.Close()
		}, "unit-000000 has 5 bytes, expected 4"},
		{"unit byte flipped", flipByte("unit-000001", 2500), "unit-000001 checksum mismatch"},
		{"sink byte flipped", flipByte("sink-000000", 0), "sink-000000 checksum mismatch"},
		{"unit file deleted", removeFile("unit-000000"), "unit-000000 is missing"},
		{"manifest byte flipped", flipByte("MANIFEST", 40), "MANIFEST checksum mismatch"},
		{"manifest checksum flipped", flipByte("MANIFEST", -3), "MANIFEST checksum"},
		{"manifest truncated", truncateFile("MANIFEST", 200), "MANIFEST has no checksum line"},
		{"manifest tiny", truncateFile("MANIFEST", 3), "MANIFEST is truncated"},
		{"manifest empty", truncateFile("MANIFEST", 0), "MANIFEST is truncated"},
		{"manifest deleted", removeFile("MANIFEST"), "no MANIFEST"},
		{"manifest of another epoch", rewriteManifest(func(s string) string {
			return strings.Replace(s, `"epoch": 2,`, `"epoch": 9,`, 1)
		}), "MANIFEST epoch 9 in the directory of epoch 2"},
		{"manifest of a newer version", rewriteManifest(func(s string) string {
			return strings.Replace(s, `"version": 1`, `"version": 2`, 1)
		}), "MANIFEST version 2"},
		{"manifest not JSON", rewriteManifest(func(s string) string { return s[:len(s)/2] }), "MANIFEST: unexpected end of JSON"},
		{"manifest names a file outside", rewriteManifest(func(s string) string {
			return strings.Replace(s, `"unit-000000"`, `"../cp-00000000000000000001/unit-000000"`, 1)
		}), `has file name "../cp-`},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openStore(t, dir, Options{})
			mustWrite(t, s, sample(1))
			mustWrite(t, s, sample(2))
			newest := filepath.Join(dir, "cp-00000000000000000002")
			d.apply(t, newest)

			cp, skipped := latest(t, dir)
			checkEqual(t, cp, sample(1))
			if len(skipped) != 1 || skipped[0].Path != newest || skipped[0].Epoch != 2 {
				t.Fatalf("skipped %+v, want %s", skipped, newest)
			}
			if err := skipped[0].Err; !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), d.reason) {
				t.Fatalf("reason %q, want ErrDamaged with %q", err, d.reason)
			}
			if msg := skipped[0].String(); !strings.Contains(msg, "cp-00000000000000000002 is damaged") {
				t.Fatalf("message %q", msg)
			}
		})
	}
}

func TestAllDamaged(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	mustWrite(t, s, sample(1))
	mustWrite(t, s, sample(2))
	for _, e := range []string{"cp-00000000000000000001", "cp-00000000000000000002"} {
		flipByte("unit-000000", 0)(t, filepath.Join(dir, e))
	}
	cp, skipped := latest(t, dir)
	if cp != nil || len(skipped) != 2 || skipped[0].Epoch != 2 || skipped[1].Epoch != 1 {
		t.Fatalf("Latest = %v, skipped %+v; want nil and both, newest first", cp, skipped)
	}
}

func TestWriterUnitByUnit(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	w, err := s.Begin(1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Begin(2); err == nil {
		t.Fatal("second Begin while writing succeeded")
	}
	buf := []byte("first")
	if err := w.AddUnit("op:1", "view a", buf); err != nil {
		t.Fatal(err)
	}
	copy(buf, "XXXXX") // the data was written out; the buffer is free
	if err := w.AddUnit("op:2", "view b", []byte("second")); err != nil {
		t.Fatal(err)
	}
	cp := &Checkpoint{Epoch: 1, Units: []Unit{{ID: "op:3", Name: "view c", Data: []byte("third")}}}
	if err := w.Commit(cp); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(cp); err == nil {
		t.Fatal("second Commit succeeded")
	}
	got, _ := latest(t, dir)
	wantUnits := []Unit{{"op:1", "view a", []byte("first")}, {"op:2", "view b", []byte("second")}, {"op:3", "view c", []byte("third")}}
	if !reflect.DeepEqual(got.Units, wantUnits) {
		t.Fatalf("units %+v, want %+v", got.Units, wantUnits)
	}

	// Errors end a Writer and leave nothing behind.
	w, err = s.Begin(2)
	if err != nil {
		t.Fatal(err)
	}
	w.AddUnit("op:1", "a", []byte("x"))
	if err := w.AddUnit("op:1", "again", []byte("y")); err == nil {
		t.Fatal("duplicate unit id accepted")
	}
	if err := w.Commit(&Checkpoint{Epoch: 2}); err == nil {
		t.Fatal("Commit after a failed AddUnit succeeded")
	}
	w, err = s.Begin(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(&Checkpoint{Epoch: 3}); err == nil {
		t.Fatal("Commit of another epoch succeeded")
	}
	w, err = s.Begin(2)
	if err != nil {
		t.Fatal(err)
	}
	w.AddUnit("op:1", "a", []byte("x"))
	w.Abort()
	if got := names(t, dir); !slices.Equal(got, []string{"cp-00000000000000000001"}) {
		t.Fatalf("after failed and aborted writes: %v", got)
	}
	if err := s.Write(&Checkpoint{Epoch: 2, Units: []Unit{{ID: "u", Data: []byte("a")}, {ID: "u", Data: []byte("b")}}}); err == nil {
		t.Fatal("Write with a duplicate unit id succeeded")
	}
}

// copyDir copies a directory of plain files, without fsync (test setup).
func copyDir(t testing.TB, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		src, dst := filepath.Join(from, e.Name()), filepath.Join(to, e.Name())
		if e.IsDir() {
			copyDir(t, src, dst)
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLatestSkippingUnits(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.Begin(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.AddUnit("op:1", "view v", []byte("state")); err != nil {
		t.Fatal(err)
	}
	cp := &Checkpoint{Epoch: 1, Sources: []SourcePos{{Name: "in", Offset: 9, Done: true}},
		Sinks: []SinkState{{Name: "out", Epoch: 1, Data: []byte(`{"base":0}`)}}}
	if err := w.Commit(cp); err != nil {
		t.Fatal(err)
	}
	// damage the unit's data: it is not read
	units, _ := filepath.Glob(filepath.Join(dir, "cp-*", "unit-*"))
	if len(units) != 1 {
		t.Fatalf("unit files %v", units)
	}
	os.WriteFile(units[0], []byte("STATE"), 0o644)
	got, skipped, err := s.LatestSkippingUnits(func(src []SourcePos) bool { return src[0].Done })
	if err != nil || len(skipped) != 0 {
		t.Fatal(err, skipped)
	}
	if got.Epoch != 1 || !got.UnitsSkipped || got.Units[0].Data != nil || string(got.Sinks[0].Data) != `{"base":0}` {
		t.Errorf("LatestSkippingUnits = %+v", got)
	}
	if _, skipped, _ := s.Latest(); len(skipped) != 1 {
		t.Errorf("Latest did not find the damage: %v", skipped)
	}
}
