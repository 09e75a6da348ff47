package immortal

import (
	"strings"
	"testing"
)

func TestContains(t *testing.T) {
	pool := strings.Repeat("abcdefgh", 100)
	other := strings.Repeat("x", 50)
	if Contains(pool[3:9]) {
		t.Fatal("nothing registered yet")
	}
	Register(pool)
	Register("")
	for _, c := range []struct {
		s    string
		want bool
	}{{pool[3:9], true}, {pool, true}, {pool[len(pool)-1:], true}, {other, false}, {strings.Clone(pool[3:9]), false}} {
		if got := Contains(c.s); got != c.want {
			t.Errorf("Contains(%.10q...) = %v, want %v", c.s, got, c.want)
		}
	}
}
