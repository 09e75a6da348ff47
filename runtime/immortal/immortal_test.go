package immortal

import (
	"strings"
	"testing"
)

func TestContains(t *testing.T) {
	pool := strings.Repeat("abcdefgh", 1000)
	small := strings.Clone("channel-7")
	other := strings.Repeat("x", 50)
	if Contains(pool[3:9]) {
		t.Fatal("nothing registered yet")
	}
	Register([]string{pool, "", small})
	for _, c := range []struct {
		s    string
		want bool
	}{{pool[3:9], true}, {pool, true}, {pool[len(pool)-1:], true}, {other, false}, {strings.Clone(pool[3:9]), false},
		{small, true}, {small[:4], true}, {small[1:], false}, {strings.Clone(small), false}} {
		if got := Contains(c.s); got != c.want {
			t.Errorf("Contains(%.10q...) = %v, want %v", c.s, got, c.want)
		}
	}
}
