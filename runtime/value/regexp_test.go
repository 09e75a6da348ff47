package value

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// TestRegexpFastPaths checks the literal filter and the parameter matcher
// against Go's regexp on strings made of the patterns' own pieces, so that
// near misses (a key without its separator, a separator at the start, a
// key twice, invalid UTF-8) come up often.
func TestRegexpFastPaths(t *testing.T) {
	patterns := []struct {
		p     string
		param bool
	}{
		{`(&|^)channel_id=([^&]*)`, true},
		{`(^|&)channel_id=([^&]*)`, true},
		{`(?:&|^)id=([^&]*)`, true},
		{`(;|^)k([^;]*)`, true},
		{`(&|^)id=[^&]*`, true},
		{`(&|^)id=([^&]*?)`, false},    // non-greedy: the empty run
		{`(?i)(&|^)id=([^&]*)`, false}, // case folded
		{`(?m)(&|^)id=([^&]*)`, false}, // ^ at every line
		{`(&|^)i&d=([^&]*)`, false},    // the key holds the separator
		{`(&|^)id=([^;]*)`, false},     // another separator
		{`a(b+)c`, false},
		{`x[0-9]+yz`, false},
		{`(é|^)id=([^é]*)`, false},
	}
	pieces := []string{"&", ";", "channel_id=", "id=", "k", "i", "d", "=", "x", "a", "b", "c", "yz", "7", "é", "\xff", "\n", "ID="}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range patterns {
		rx := MustCompileRegexp(c.p)
		if (rx.param != nil) != c.param {
			t.Fatalf("%s: parameter matcher %v, want %v", c.p, rx.param != nil, c.param)
		}
		re := regexp.MustCompile(c.p)
		for n := 0; n < 20000; n++ {
			s := ""
			for k := rng.IntN(8); k > 0; k-- {
				s += pieces[rng.IntN(len(pieces))]
			}
			for g := int64(-1); g <= int64(re.NumSubexp())+1; g++ {
				got, ok := RegexpExtract(rx, s, g)
				want, wok := "", false
				if g >= 0 && g <= int64(re.NumSubexp()) {
					if m := re.FindStringSubmatchIndex(s); m != nil && m[2*g] >= 0 {
						want, wok = s[m[2*g]:m[2*g+1]], true
					}
				}
				if got != want || ok != wok {
					t.Fatalf("RegexpExtract(%s, %q, %d) = %q %v, regexp says %q %v", c.p, s, g, got, ok, want, wok)
				}
			}
			if got, want := RegexpLike(rx, s), re.MatchString(s); got != want {
				t.Fatalf("RegexpLike(%s, %q) = %v, regexp says %v", c.p, s, got, want)
			}
			if got, want := RegexpReplace(rx, s, `<\0>`, true), re.ReplaceAllString(s, "<${0}>"); got != want {
				t.Fatalf("RegexpReplace(%s, %q) = %q, regexp says %q", c.p, s, got, want)
			}
		}
	}
}

func BenchmarkRegexpExtractParam(b *testing.B) {
	rx := MustCompileRegexp(`(&|^)channel_id=([^&]*)`)
	urls := []string{
		"https://www.nexmark.com/abcde/fghij/klmno/item.htm?query=1&channel_id=1234567",
		"https://www.nexmark.com/abcde/fghij/klmno/item.htm?query=1",
	}
	for i := 0; b.Loop(); i++ {
		RegexpExtract(rx, urls[i&1], 2)
	}
}
