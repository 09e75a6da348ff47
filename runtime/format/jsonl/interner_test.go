package jsonl

import (
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

func TestInternerReusesStrings(t *testing.T) {
	var in Interner
	first := in.Bytes([]byte("AAPL"))
	second := in.Bytes([]byte("AAPL"))
	if first != "AAPL" || unsafe.StringData(first) != unsafe.StringData(second) {
		t.Error("the same bytes gave two different strings")
	}
	if other := in.Bytes([]byte("MSFT")); other != "MSFT" || in.Len() != 2 {
		t.Errorf("got %q, Len %d", other, in.Len())
	}
	if empty := in.Bytes(nil); empty != "" {
		t.Errorf("Bytes(nil) = %q", empty)
	}
	buf := []byte("GOOG")
	s := in.Bytes(buf)
	buf[0] = 'X'
	if s != "GOOG" {
		t.Error("the interned string aliases the caller's bytes")
	}
}

func TestInternerNoAllocationOnHit(t *testing.T) {
	var in Interner
	keys := [][]byte{[]byte("AAPL"), []byte("MSFT"), []byte("a-channel-name")}
	for _, k := range keys {
		in.Bytes(k)
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, k := range keys {
			in.Bytes(k)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run on hits", allocs)
	}
}

func TestInternerBounds(t *testing.T) {
	var in Interner
	long := []byte(strings.Repeat("x", internMaxLen+1))
	if s := in.Bytes(long); s != string(long) || in.Len() != 0 {
		t.Errorf("long string interned: Len %d", in.Len())
	}
	for i := 0; i < internMaxEntries; i++ {
		in.Bytes([]byte(strconv.Itoa(i)))
	}
	if in.Len() != internMaxEntries {
		t.Fatalf("Len = %d, want %d", in.Len(), internMaxEntries)
	}
	if s := in.Bytes([]byte("one more")); s != "one more" || in.Len() != 1 {
		t.Errorf("past the limit: got %q, Len %d; want a fresh start", s, in.Len())
	}
}

func BenchmarkInternerHit(b *testing.B) {
	var in Interner
	key := []byte("AAPL")
	in.Bytes(key)
	b.ReportAllocs()
	for b.Loop() {
		in.Bytes(key)
	}
}

// TestInternerColumnSkipsUniqueValues: a column of unique values stops being
// looked up after a probe, while a repeating one stays interned.
func TestInternerColumnSkipsUniqueValues(t *testing.T) {
	var in Interner
	for i := range internProbe {
		in.Column(0, []byte("id-"+strconv.Itoa(i)))
		in.Column(1, []byte("AAPL"))
	}
	if in.cols[0].skip != internSkip || in.cols[1].skip != 0 {
		t.Fatalf("skip counters %d, %d; want %d, 0", in.cols[0].skip, in.cols[1].skip, internSkip)
	}
	before := in.Len()
	if s := in.Column(0, []byte("id-new")); s != "id-new" || in.Len() != before {
		t.Errorf("a skipped column's value went into the map (%q, Len %d -> %d)", s, before, in.Len())
	}
	a, b := in.Column(1, []byte("AAPL")), in.Column(1, []byte("AAPL"))
	if unsafe.StringData(a) != unsafe.StringData(b) {
		t.Error("the repeating column is no longer interned")
	}
	allocs := testing.AllocsPerRun(100, func() { in.Column(1, []byte("AAPL")) })
	if allocs != 0 {
		t.Errorf("%v allocations per hit", allocs)
	}
}
