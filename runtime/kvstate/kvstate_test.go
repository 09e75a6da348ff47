package kvstate

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// quiet keeps badger's warnings out of test output.
var quiet = slog.New(slog.DiscardHandler)

func open(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	opts.Logger = quiet
	if opts.CacheBytes == 0 {
		opts.CacheBytes = 8 << 20
	}
	// Small preallocated files keep copying a store (TestRecoverAbandonedStore) fast.
	opts.tune = func(o badger.Options) badger.Options {
		return o.WithMemTableSize(4 << 20).WithValueLogFileSize(8 << 20).WithValueThreshold(64 << 10)
	}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// model is the expected content of one table.
type model map[string]string

func (m model) clone() model { return maps.Clone(m) }

// check compares a table with m through Get (present and absent keys) and
// Scan (content and order).
func check(t *testing.T, tb *Table, m model, absent ...string) {
	t.Helper()
	for k, want := range m {
		got, ok, err := tb.Get([]byte(k), nil)
		if err != nil || !ok || string(got) != want {
			t.Fatalf("Get(%q) = %q, %v, %v; want %q", k, got, ok, err, want)
		}
	}
	for _, k := range absent {
		if _, ok := m[k]; ok {
			continue
		}
		if got, ok, err := tb.Get([]byte(k), nil); ok || err != nil {
			t.Fatalf("Get(%q) = %q, %v, %v; want absent", k, got, ok, err)
		}
	}
	var keys []string
	err := tb.Scan(func(key, val []byte) error {
		if want, ok := m[string(key)]; !ok || want != string(val) {
			return fmt.Errorf("Scan: %q = %q, want %q (present %v)", key, val, want, ok)
		}
		keys = append(keys, string(key))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(keys) || len(keys) != len(m) {
		t.Fatalf("Scan gave %d keys (sorted %v), want %d", len(keys), slices.IsSorted(keys), len(m))
	}
}

func TestPutGetDeleteScanAcrossCommits(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	defer s.Close()
	tb := s.Table("agg")
	type step struct {
		put    map[string]string
		del    []string
		commit uint64 // 0: no commit after the step
	}
	steps := []step{
		{put: map[string]string{"b": "1", "a": "2", "c": "3"}},
		{put: map[string]string{"a": "20"}, del: []string{"c"}, commit: 1},
		{put: map[string]string{"c": "30", "d": ""}, del: []string{"b"}},
		{del: []string{"a", "missing"}, commit: 2},
		{put: map[string]string{"a": "200", "aa": "x"}, commit: 5},
		{put: map[string]string{"b": "pending"}, del: []string{"d"}},
	}
	m := model{}
	for i, st := range steps {
		for k, v := range st.put {
			tb.Put([]byte(k), []byte(v))
			m[k] = v
		}
		for _, k := range st.del {
			tb.Delete([]byte(k))
			delete(m, k)
		}
		if st.commit != 0 {
			if err := s.Commit(st.commit); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		check(t, tb, m, "a", "b", "c", "d", "aa", "missing")
	}
	if err := s.Commit(5); err == nil {
		t.Fatal("Commit of an epoch not above the last one succeeded")
	}
}

func TestTablesAreSeparate(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	defer s.Close()
	a, ab := s.Table("a"), s.Table("ab")
	if s.Table("a") != a {
		t.Fatal("Table returned a new table for the same name")
	}
	a.Put([]byte("bc"), []byte("in a"))
	ab.Put([]byte("c"), []byte("in ab"))
	if err := s.Commit(1); err != nil {
		t.Fatal(err)
	}
	a.Put([]byte("x"), []byte("pending in a"))
	check(t, a, model{"bc": "in a", "x": "pending in a"}, "c")
	check(t, ab, model{"c": "in ab"}, "bc", "x")
}

func TestHotPutAndGetDoNotAllocate(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	defer s.Close()
	tb := s.Table("t")
	key, val := []byte("key"), []byte("value-123")
	tb.Put(key, val)
	dst := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		tb.Put(key, val)
		dst, _, _ = tb.Get(key, dst)
	})
	if allocs != 0 {
		t.Fatalf("Put+Get of a pending key: %v allocs, want 0", allocs)
	}
}

// TestRollbackHidesUncommittedAndSpilled forces spills with a tiny buffer
// and checks that neither Rollback nor a later Commit lets them show.
func TestRollbackHidesUncommittedAndSpilled(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{PendingBytes: 4 << 10})
	tb := s.Table("t")
	committed := model{}
	for i := range 200 {
		k, v := fmt.Sprintf("k%03d", i), fmt.Sprintf("v1-%d", i)
		tb.Put([]byte(k), []byte(v))
		committed[k] = v
	}
	if err := s.Commit(1); err != nil {
		t.Fatal(err)
	}
	// Epoch 2, never committed: overwrite, delete and add, past several spills.
	for i := range 300 {
		k := fmt.Sprintf("k%03d", i)
		if i%3 == 0 {
			tb.Delete([]byte(k))
		} else {
			tb.Put([]byte(k), []byte("uncommitted"))
		}
	}
	if s.version < 3 {
		t.Fatalf("no spill happened (version %d)", s.version)
	}
	if err := s.Rollback(1); err != nil {
		t.Fatal(err)
	}
	check(t, tb, committed, "k250")

	// A new epoch 2 touching few keys must not uncover the spilled writes.
	tb.Put([]byte("k000"), []byte("v2"))
	tb.Delete([]byte("k001"))
	want := committed.clone()
	want["k000"] = "v2"
	delete(want, "k001")
	if err := s.Commit(2); err != nil {
		t.Fatal(err)
	}
	check(t, tb, want, "k001", "k250")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir, Options{})
	defer s.Close()
	check(t, s.Table("t"), want, "k001", "k250")
}

func TestRollbackToOlderEpoch(t *testing.T) {
	s := open(t, t.TempDir(), Options{RetainCommits: 2})
	defer s.Close()
	tb := s.Table("t")
	states := []model{{}}
	m := model{}
	for epoch := uint64(1); epoch <= 4; epoch++ {
		tb.Put([]byte("common"), fmt.Appendf(nil, "e%d", epoch))
		tb.Put(fmt.Appendf(nil, "only%d", epoch), []byte("x"))
		tb.Delete(fmt.Appendf(nil, "only%d", epoch-1))
		m["common"] = fmt.Sprintf("e%d", epoch)
		m[fmt.Sprintf("only%d", epoch)] = "x"
		delete(m, fmt.Sprintf("only%d", epoch-1))
		if err := s.Commit(epoch); err != nil {
			t.Fatal(err)
		}
		states = append(states, m.clone())
	}
	for _, epoch := range []uint64{2, 5} {
		if err := s.Rollback(epoch); !errors.Is(err, ErrNotRestorable) {
			t.Fatalf("Rollback(%d) = %v, want ErrNotRestorable", epoch, err)
		}
	}
	if err := s.Rollback(3); err != nil {
		t.Fatal(err)
	}
	check(t, tb, states[3], "only2", "only4")
	// Epoch 4 was rolled back: it is no longer restorable and can be redone.
	if err := s.Rollback(4); !errors.Is(err, ErrNotRestorable) {
		t.Fatalf("Rollback(4) after Rollback(3) = %v", err)
	}
	tb.Put([]byte("redo"), []byte("4"))
	if err := s.Commit(4); err != nil {
		t.Fatal(err)
	}
	want := states[3].clone()
	want["redo"] = "4"
	check(t, tb, want, "only4")

	if err := s.Rollback(0); err != nil {
		t.Fatal(err)
	}
	check(t, tb, model{}, "common", "redo")
}

func TestReopenAfterClose(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	s.Table("t").Put([]byte("k"), []byte("committed"))
	if err := s.Commit(7); err != nil {
		t.Fatal(err)
	}
	s.Table("t").Put([]byte("k"), []byte("lost"))
	s.Table("t").Put([]byte("k2"), []byte("lost"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir, Options{})
	defer s.Close()
	check(t, s.Table("t"), model{"k": "committed"}, "k2")
	if err := s.Commit(7); err == nil {
		t.Fatal("Commit(7) after reopen at epoch 7 succeeded")
	}
	if err := s.Rollback(7); err != nil {
		t.Fatal(err)
	}
}

// copyDir copies a store's files while it is open, as a crash would leave
// them (everything badger wrote is in the page cache, so the copy holds it).
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		in, err := os.Open(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(filepath.Join(dst, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		in.Close()
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestRecoverAbandonedStore copies an open store (a crash) at three
// points: mid-epoch after spills, and after a commit whose checkpoint
// manifest never became visible; recovery must give the last checkpoint's
// state exactly.
func TestRecoverAbandonedStore(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{PendingBytes: 8 << 10})
	defer s.Close()
	tb := s.Table("t")
	m := model{}
	for i := range 500 {
		k, v := fmt.Sprintf("key-%04d", i), fmt.Sprintf("e1-%d", i)
		tb.Put([]byte(k), []byte(v))
		m[k] = v
	}
	if err := s.Commit(1); err != nil {
		t.Fatal(err)
	}
	for i := range 600 {
		tb.Put(fmt.Appendf(nil, "key-%04d", i), []byte("e2"))
	}
	midEpoch := copyDir(t, dir) // crash with spilled, uncommitted writes
	tb.Delete([]byte("key-0000"))
	if err := s.Commit(2); err != nil {
		t.Fatal(err)
	}
	orphanCommit := copyDir(t, dir) // crash before manifest 2 was visible

	for _, c := range []struct {
		name     string
		dir      string
		rollback bool // the manifest says epoch 1; Open alone suffices mid-epoch
	}{
		{"mid-epoch, Open only", midEpoch, false},
		{"mid-epoch, Rollback", midEpoch, true},
		{"orphan commit", orphanCommit, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := open(t, copyDir(t, c.dir), Options{})
			defer r.Close()
			if c.rollback {
				if err := r.Rollback(1); err != nil {
					t.Fatal(err)
				}
			}
			check(t, r.Table("t"), m, "key-0599")
			// Redoing epoch 2 with one change uncovers nothing.
			r.Table("t").Put([]byte("new"), []byte("v"))
			if err := r.Commit(2); err != nil {
				t.Fatal(err)
			}
			want := m.clone()
			want["new"] = "v"
			check(t, r.Table("t"), want, "key-0599")
		})
	}
}

// TestRandomOpsMatchModel runs random puts, deletes, commits, rollbacks and
// reopens against an in-memory model of committed and pending state.
func TestRandomOpsMatchModel(t *testing.T) {
	dir := t.TempDir()
	opts := Options{PendingBytes: 2 << 10, RetainCommits: 3}
	s := open(t, dir, opts)
	defer func() { s.Close() }()
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"x", "xy"}
	cur := map[string]model{"x": {}, "xy": {}}
	snapshots := map[uint64]map[string]model{0: {"x": {}, "xy": {}}}
	var epochs []uint64 // committed and retained, oldest first
	epoch := uint64(0)
	cloneAll := func(m map[string]model) map[string]model {
		c := map[string]model{}
		for k, v := range m {
			c[k] = v.clone()
		}
		return c
	}
	for i := range 3000 {
		name := names[rng.IntN(len(names))]
		key := fmt.Sprintf("k%02d", rng.IntN(60))
		switch r := rng.IntN(100); {
		case r < 60:
			v := fmt.Sprintf("v%d", i)
			s.Table(name).Put([]byte(key), []byte(v))
			cur[name][key] = v
		case r < 85:
			s.Table(name).Delete([]byte(key))
			delete(cur[name], key)
		case r < 93:
			epoch += 1 + uint64(rng.IntN(3))
			if err := s.Commit(epoch); err != nil {
				t.Fatal(err)
			}
			snapshots[epoch] = cloneAll(cur)
			epochs = append(epochs, epoch)
			if len(epochs) > opts.RetainCommits {
				epochs = epochs[1:]
			}
		case r < 97:
			to := uint64(0)
			if len(epochs) > 0 && rng.IntN(4) > 0 {
				n := rng.IntN(len(epochs))
				to, epochs = epochs[n], epochs[:n+1]
			} else {
				epochs = nil
			}
			if err := s.Rollback(to); err != nil {
				t.Fatalf("op %d: Rollback(%d): %v", i, to, err)
			}
			cur = cloneAll(snapshots[to])
			epoch = to
		default:
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = open(t, dir, opts)
			if len(epochs) > 0 {
				epoch = epochs[len(epochs)-1]
			} else {
				epoch = 0
			}
			cur = cloneAll(snapshots[epoch])
		}
		if i%50 == 0 {
			for _, name := range names {
				check(t, s.Table(name), cur[name])
			}
		}
	}
}

func TestManyKeysRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("100k keys")
	}
	const n = 100_000
	dir := t.TempDir()
	s := open(t, dir, Options{PendingBytes: 2 << 20})
	tb := s.Table("big")
	for i := range n {
		tb.Put(fmt.Appendf(nil, "key-%07d", i), fmt.Appendf(nil, "value-%d-%040d", i, i))
	}
	if err := s.Commit(1); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir, Options{})
	defer s.Close()
	tb = s.Table("big")
	i := 0
	err := tb.Scan(func(key, val []byte) error {
		if string(key) != fmt.Sprintf("key-%07d", i) || string(val) != fmt.Sprintf("value-%d-%040d", i, i) {
			return fmt.Errorf("entry %d: %q = %q", i, key, val)
		}
		i++
		return nil
	})
	if err != nil || i != n {
		t.Fatalf("Scan: %d keys, %v", i, err)
	}
	for _, j := range []int{0, 1, n / 2, n - 1} {
		val, ok, err := tb.Get(fmt.Appendf(nil, "key-%07d", j), nil)
		if !ok || err != nil || string(val) != fmt.Sprintf("value-%d-%040d", j, j) {
			t.Fatalf("Get(%d) = %q, %v, %v", j, val, ok, err)
		}
	}
}

func TestScanStopsOnError(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	defer s.Close()
	tb := s.Table("t")
	tb.Put([]byte("a"), []byte("1"))
	tb.Put([]byte("b"), []byte("2"))
	stop := errors.New("stop")
	calls := 0
	if err := tb.Scan(func(key, val []byte) error { calls++; return stop }); err != stop || calls != 1 {
		t.Fatalf("Scan = %v after %d calls", err, calls)
	}
}
