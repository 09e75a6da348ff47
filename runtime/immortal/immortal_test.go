package immortal

import (
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// TestMove: moved strings read back intact through collections, every
// substring of one is immortal, and a string elsewhere (its original, a
// clone) is not.
func TestMove(t *testing.T) {
	pool := strings.Repeat("abcdefgh", 1000)
	small := strings.Clone("channel-7")
	other := strings.Repeat("x", 50)
	if Contains(pool[3:9]) {
		t.Fatal("nothing moved yet")
	}
	l := []string{pool, "", small}
	Move(l)
	if l[0] != pool || l[1] != "" || l[2] != small {
		t.Fatalf("moved strings read %.10q, %q, %q", l[0], l[1], l[2])
	}
	if unsafe.StringData(l[0]) == unsafe.StringData(pool) {
		t.Fatal("Move kept the string where it was")
	}
	runtime.GC()
	moved, msmall := l[0], l[2]
	for _, c := range []struct {
		s    string
		want bool
	}{{moved[3:9], true}, {moved, true}, {moved[len(moved)-1:], true}, {msmall, true}, {msmall[:4], true}, {msmall[1:], true},
		{pool, false}, {pool[3:9], false}, {small, false}, {other, false}, {strings.Clone(moved[3:9]), false}} {
		if got := Contains(c.s); got != c.want {
			t.Errorf("Contains(%.10q...) = %v, want %v", c.s, got, c.want)
		}
	}
	// a second call adds a block; the first stays
	l2 := []string{"second"}
	Move(l2)
	if !Contains(l2[0]) || !Contains(moved[5:]) || moved != pool {
		t.Fatal("a second Move lost a block")
	}
}
