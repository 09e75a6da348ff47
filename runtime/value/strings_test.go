package value

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLowerUpper(t *testing.T) {
	cases := []struct{ in, lower, upper string }{
		{"", "", ""},
		{"abc", "abc", "ABC"},
		{"Hello, World 42", "hello, world 42", "HELLO, WORLD 42"},
		{"ÉCOLE été", "école été", "ÉCOLE ÉTÉ"},
		{"ΣΊΣΥΦΟΣ", "σίσυφοσ", "ΣΊΣΥΦΟΣ"}, // simple case mapping: no final sigma
		{"straße", "straße", "STRAßE"},
		{"日本語", "日本語", "日本語"},
	}
	for _, c := range cases {
		if got := Lower(c.in); got != c.lower {
			t.Errorf("Lower(%q) = %q, want %q", c.in, got, c.lower)
		}
		if got := Upper(c.in); got != c.upper {
			t.Errorf("Upper(%q) = %q, want %q", c.in, got, c.upper)
		}
	}
}

func TestLowerUpperUnchangedNoAlloc(t *testing.T) {
	for _, s := range []string{"already lower ascii", "déjà en minuscules"} {
		if n := testing.AllocsPerRun(100, func() { _ = Lower(s) }); n != 0 {
			t.Errorf("Lower(%q) allocates %v times", s, n)
		}
	}
	for _, s := range []string{"ALREADY UPPER", "DÉJÀ"} {
		if n := testing.AllocsPerRun(100, func() { _ = Upper(s) }); n != 0 {
			t.Errorf("Upper(%q) allocates %v times", s, n)
		}
	}
}

func TestLength(t *testing.T) {
	cases := []struct {
		in   string
		want int64
	}{{"", 0}, {"hello", 5}, {"héllo", 5}, {"日本語", 3}, {"🙂x", 2}}
	for _, c := range cases {
		if got := Length(c.in); got != c.want {
			t.Errorf("Length(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

// The expected values are PostgreSQL's: substring(s from f) and
// substring(s from f for n).
func TestSubstring(t *testing.T) {
	cases := []struct {
		s    string
		from int64
		want string
	}{
		{"hello", 1, "hello"},
		{"hello", 2, "ello"},
		{"hello", 5, "o"},
		{"hello", 6, ""},
		{"hello", 100, ""},
		{"hello", 0, "hello"},
		{"hello", -3, "hello"},
		{"hello", math.MinInt64, "hello"},
		{"hello", math.MaxInt64, ""},
		{"", 1, ""},
		{"héllo", 2, "éllo"},
		{"héllo", 3, "llo"},
		{"日本語テキスト", 3, "語テキスト"},
		{"🙂🙃x", 2, "🙃x"},
	}
	for _, c := range cases {
		if got := Substring(c.s, c.from); got != c.want {
			t.Errorf("Substring(%q, %d) = %q, want %q", c.s, c.from, got, c.want)
		}
	}
}

func TestSubstringLen(t *testing.T) {
	cases := []struct {
		s            string
		from, length int64
		want         string
		ok           bool
	}{
		{"hello", 1, 3, "hel", true},
		{"hello", 2, 3, "ell", true},
		{"hello", 0, 3, "he", true}, // positions 0..2: only 1 and 2 exist
		{"hello", -1, 3, "h", true},
		{"hello", -2, 3, "", true},
		{"hello", -5, 2, "", true},
		{"hello", 1, 0, "", true},
		{"hello", 3, 0, "", true},
		{"hello", 4, 10, "lo", true},
		{"hello", 5, 1, "o", true},
		{"hello", 6, 1, "", true},
		{"hello", 100, 5, "", true},
		{"hello", 1, 5, "hello", true},
		{"hello", 1, 6, "hello", true},
		{"hello", 1, -1, "", false}, // "negative substring length not allowed"
		{"hello", 0, -1, "", false},
		{"hello", 2, math.MaxInt64, "ello", true}, // from+length overflows: to the end
		{"hello", math.MinInt64, math.MaxInt64, "", true},
		{"hello", math.MinInt64, 0, "", true},
		{"hello", math.MaxInt64, math.MaxInt64, "", true},
		{"", 1, 1, "", true},
		{"héllo", 2, 2, "él", true},
		{"héllo", 0, 3, "hé", true},
		{"日本語テキスト", 2, 3, "本語テ", true},
		{"日本語", 3, 5, "語", true},
		{"🙂🙃x", 1, 1, "🙂", true},
		{"🙂🙃x", 2, 1, "🙃", true},
	}
	for _, c := range cases {
		got, ok := SubstringLen(c.s, c.from, c.length)
		if got != c.want || ok != c.ok {
			t.Errorf("SubstringLen(%q, %d, %d) = %q, %v; want %q, %v",
				c.s, c.from, c.length, got, ok, c.want, c.ok)
		}
	}
}

func TestLike(t *testing.T) {
	cases := []struct {
		s, pattern string
		want       bool
	}{
		{"", "", true},
		{"", "%", true},
		{"", "%%", true},
		{"", "_", false},
		{"a", "", false},
		{"abc", "abc", true},
		{"abc", "ABC", false}, // case-sensitive
		{"abc", "ab", false},
		{"ab", "abc", false},
		{"abc", "a%", true},
		{"abc", "%c", true},
		{"abc", "%b%", true},
		{"abc", "%", true},
		{"abc", "a%c", true},
		{"ac", "a%c", true},
		{"abd", "a%c", false},
		{"abc", "_bc", true},
		{"abc", "a_c", true},
		{"abc", "___", true},
		{"abc", "__", false},
		{"abc", "____", false},
		{"abc", "%_", true},
		{"abc", "_%_%_", true},
		{"ab", "_%_%_", false},
		{"mississippi", "%iss%ppi", true},
		{"mississippi", "m%ss%ss%", true},
		{"mississippi", "%sip%", true},
		{"mississippi", "%sipp", false},
		{"aaaaaaaaab", "%a%a%a%a%b", true},
		{"aaaaaaaaaa", "%a%a%a%a%b", false},
		{"100%", "100%", true}, // no escape: % in the pattern is still a wildcard
		{"a.b*c", "a.b*c", true},
		{"a\nb", "a_b", true},
		{"héllo", "h_llo", true}, // _ is one character, é is two bytes
		{"héllo", "h__llo", false},
		{"héllo", "hé%", true},
		{"héllo", "%é%", true},
		{"hello", "%é%", false},
		{"日本語", "___", true},
		{"日本語", "日%", true},
		{"日本語", "%語", true},
		{"日本語", "_本_", true},
		{"日本語", "%本", false},
		{"🙂", "_", true},
		{"🙂🙃", "%🙃", true},
		{"é", "e%", false},
		// Segments with _ between and after %.
		{"abcd", "%b_d", true},
		{"abxcd", "%b_d", false},
		{"abxbcd", "%b_d", true},
		{"xbcdy", "%b_d%", true},
		{"bbbd", "%b_d%", true},
		{"xy", "%_", true},
		{"", "%_", false},
		{"abc", "%_c", true},
		{"ac", "%__c", false},
		{"a_b", "a_b", true},
		{"xaébyé", "%a_b%é", true},
		{"xaébyé", "%a_b%_", true},
		{"xaéby", "%a__b%", false},
		{"日本語日本", "%本_日%", true},
		{"本語日本", "%_本", true},
		{"日本", "%_日", false},
	}
	for _, c := range cases {
		if got := Like(c.s, c.pattern); got != c.want {
			t.Errorf("Like(%q, %q) = %v, want %v", c.s, c.pattern, got, c.want)
		}
		if got := likeRegexp(c.pattern).MatchString(c.s); got != c.want {
			t.Errorf("test oracle disagrees: %q LIKE %q = %v", c.s, c.pattern, got)
		}
	}
}

func TestLikeNoAlloc(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = Like("héllo wörld", "%wö_ld") }); n != 0 {
		t.Errorf("Like allocates %v times", n)
	}
}

// likeRegexp translates a LIKE pattern to an anchored regular expression, the
// slow but obvious oracle for Like.
func likeRegexp(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`^(?s:`)
	for _, r := range pattern {
		switch r {
		case '%':
			b.WriteString(`.*`)
		case '_':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`)$`)
	return regexp.MustCompile(b.String())
}

func FuzzLike(f *testing.F) {
	f.Add("mississippi", "%iss%ppi")
	f.Add("héllo", "h_llo")
	f.Add("", "%")
	f.Add("abc", "a%c_")
	f.Add("日本語テキスト", "%語_キ%")
	f.Add("a.b+c", "a.b+c")
	f.Fuzz(func(t *testing.T, s, pattern string) {
		// The oracle works on characters; Like is defined on valid UTF-8.
		if !utf8.ValidString(s) || !utf8.ValidString(pattern) || len(pattern) > 64 {
			t.Skip()
		}
		want := likeRegexp(pattern).MatchString(s)
		if got := Like(s, pattern); got != want {
			t.Errorf("Like(%q, %q) = %v, regexp says %v", s, pattern, got, want)
		}
	})
}

func FuzzSubstring(f *testing.F) {
	f.Add("hello", int64(0), int64(3))
	f.Add("héllo", int64(2), int64(2))
	f.Add("日本語", int64(-1), int64(math.MaxInt64))
	f.Add("\xff\xfe", int64(2), int64(1))
	f.Add("", int64(math.MinInt64), int64(-1))
	f.Fuzz(func(t *testing.T, s string, from, length int64) {
		rest := Substring(s, from)
		if !strings.HasSuffix(s, rest) {
			t.Fatalf("Substring(%q, %d) = %q is not a suffix", s, from, rest)
		}
		part, ok := SubstringLen(s, from, length)
		if ok != (length >= 0) {
			t.Fatalf("SubstringLen(%q, %d, %d) ok = %v", s, from, length, ok)
		}
		if !strings.HasPrefix(rest, part) {
			t.Fatalf("SubstringLen(%q, %d, %d) = %q is not a prefix of %q", s, from, length, part, rest)
		}
		if ok && Length(part) > length {
			t.Fatalf("SubstringLen(%q, %d, %d) = %q is too long", s, from, length, part)
		}
	})
}

var sinkBool bool
var sinkString string

func BenchmarkLike(b *testing.B) {
	cases := []struct{ name, s, pattern string }{
		{"prefix", "https://example.com/items/12345", "https://%"},
		{"contains", "the quick brown fox jumps over the lazy dog", "%lazy%"},
		{"backtrack", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "%a%a%a%b"},
		{"multibyte", "Grüße aus München, schöne Stadt", "%m_nchen%"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkBool = Like(c.s, c.pattern)
			}
		})
	}
}

func BenchmarkLower(b *testing.B) {
	cases := []struct{ name, s string }{
		{"ascii-unchanged", "the quick brown fox jumps over the lazy dog"},
		{"ascii-changed", "The Quick Brown Fox Jumps Over The Lazy Dog"},
		{"unicode-unchanged", "grüße aus münchen"},
		{"unicode-changed", "GRÜSSE AUS MÜNCHEN"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString = Lower(c.s)
			}
		})
	}
}

func TestLowerEquals(t *testing.T) {
	strs := []string{"", "apple", "Apple", "APPLE", "apples", "Appl", "ÄPPLE", "äpple", "Google", "google", "ǅ", "ǆ", "\xff", "K", "\u212a", "k", "applé", "applÉ", "İ", "i̇"}
	for _, s := range strs {
		for _, lit := range strs {
			if got, want := LowerEquals(s, lit), Lower(s) == lit; got != want {
				t.Errorf("LowerEquals(%q, %q) = %v, LOWER says %v", s, lit, got, want)
			}
		}
	}
}
