package value

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// Regexp is a compiled constant pattern of REGEXP_EXTRACT, REGEXP_LIKE or
// REGEXP_REPLACE, with what its analysis found to match it faster than Go's
// regexp engine does, with the same results:
//   - a literal that every match contains (need): a string without it has
//     no match, which strings.Index tells far sooner than the engine, whose
//     unanchored search tries each start position;
//   - the query-parameter idiom `(&|^)key=([^&]*)` (param), matched by
//     string search alone.
type Regexp struct {
	Re    *regexp.Regexp
	need  string
	param *paramPattern
}

// MustCompileRegexp compiles a pattern the binder has checked.
func MustCompileRegexp(pattern string) *Regexp {
	r := &Regexp{Re: regexp.MustCompile(pattern)}
	if t, err := syntax.Parse(pattern, syntax.Perl); err == nil {
		t = t.Simplify()
		r.need = requiredLiteral(t)
		r.param = paramOf(t)
	}
	return r
}

// asciiLiteral is the text of a case-sensitive literal of ASCII runes.
func asciiLiteral(t *syntax.Regexp) (string, bool) {
	if t.Op != syntax.OpLiteral || t.Flags&syntax.FoldCase != 0 || len(t.Rune) == 0 {
		return "", false
	}
	b := make([]byte, len(t.Rune))
	for i, c := range t.Rune {
		if c <= 0 || c >= 0x80 {
			return "", false
		}
		b[i] = byte(c)
	}
	return string(b), true
}

// requiredLiteral is the longest ASCII literal of a top-level
// concatenation: every match contains it (as bytes, since an ASCII byte of
// a string is always a rune of its own, valid UTF-8 or not).
func requiredLiteral(t *syntax.Regexp) string {
	subs := []*syntax.Regexp{t}
	if t.Op == syntax.OpConcat {
		subs = t.Sub
	}
	best := ""
	for _, s := range subs {
		if lit, ok := asciiLiteral(s); ok && len(lit) > len(best) {
			best = lit
		}
	}
	return best
}

// paramPattern is `(SEP|^)KEY([^SEP]*)` (either group optional, the
// alternatives in either order): the value of parameter KEY in a list
// separated by SEP, such as a URL's query. SEP is an ASCII byte and KEY a
// non-empty ASCII string without it.
type paramPattern struct {
	sep       byte
	key       string
	preCap    int // the group of (SEP|^), 0 if none
	postCap   int // the group of ([^SEP]*), 0 if none
	numSubexp int
}

func paramOf(t *syntax.Regexp) *paramPattern {
	if t.Op != syntax.OpConcat || len(t.Sub) != 3 {
		return nil
	}
	p := &paramPattern{}
	pre, post := t.Sub[0], t.Sub[2]
	if pre.Op == syntax.OpCapture {
		p.preCap, pre = pre.Cap, pre.Sub[0]
	}
	if post.Op == syntax.OpCapture {
		p.postCap, post = post.Cap, post.Sub[0]
	}
	p.numSubexp = max(p.preCap, p.postCap)
	if (p.preCap != 0 && p.preCap != 1) || (p.postCap != 0 && p.postCap != p.numSubexp) {
		return nil
	}
	// pre: SEP or the start of the text, in either order
	if pre.Op != syntax.OpAlternate || len(pre.Sub) != 2 {
		return nil
	}
	var sepLit string
	begin := false
	for _, a := range pre.Sub {
		if a.Op == syntax.OpBeginText {
			begin = true
		} else if lit, ok := asciiLiteral(a); ok && len(lit) == 1 {
			sepLit = lit
		}
	}
	if !begin || sepLit == "" {
		return nil
	}
	p.sep = sepLit[0]
	key, ok := asciiLiteral(t.Sub[1])
	if !ok || strings.IndexByte(key, p.sep) >= 0 {
		return nil
	}
	p.key = key
	// post: a greedy run of anything but SEP
	if post.Op != syntax.OpStar || post.Flags&syntax.NonGreedy != 0 || post.Sub[0].Op != syntax.OpCharClass {
		return nil
	}
	c := rune(p.sep)
	if r := post.Sub[0].Rune; len(r) != 4 || r[0] != 0 || r[1] != c-1 || r[2] != c+1 || r[3] != 0x10FFFF || c == 0 {
		return nil
	}
	return p
}

// match returns the submatch indexes as regexp's FindStringSubmatchIndex
// does. The leftmost match starts at the first occurrence of KEY at the
// start of s or after a SEP: a later occurrence starts at or after it, and
// the two alternatives cannot both match at 0 (KEY does not start with SEP).
func (p *paramPattern) match(s string, m *[6]int) bool {
	for from := 0; ; {
		i := strings.Index(s[from:], p.key)
		if i < 0 {
			return false
		}
		i += from
		start := i
		switch {
		case i > 0 && s[i-1] == p.sep:
			start = i - 1
		case i == 0:
		default:
			from = i + 1
			continue
		}
		v := i + len(p.key)
		end := len(s)
		if j := strings.IndexByte(s[v:], p.sep); j >= 0 {
			end = v + j
		}
		m[0], m[1] = start, end
		n := 1
		if p.preCap != 0 {
			m[2], m[3] = start, i
			n++
		}
		if p.postCap != 0 {
			m[2*n], m[2*n+1] = v, end
		}
		return true
	}
}

// RegexpExtract is REGEXP_EXTRACT(s, pattern, group): the text of the given
// capture group (0 = the whole match) of the first match; ok is false (NULL)
// when nothing matches or the group did not take part.
func RegexpExtract(re *Regexp, s string, group int64) (string, bool) {
	if group < 0 || group > int64(re.Re.NumSubexp()) {
		return "", false
	}
	if p := re.param; p != nil {
		var m [6]int
		if !p.match(s, &m) {
			return "", false
		}
		return s[m[2*group]:m[2*group+1]], true
	}
	if re.need != "" && !strings.Contains(s, re.need) {
		return "", false
	}
	m := re.Re.FindStringSubmatchIndex(s)
	if m == nil || m[2*group] < 0 {
		return "", false
	}
	return s[m[2*group]:m[2*group+1]], true
}

// RegexpLike is REGEXP_LIKE(s, pattern): whether the pattern matches
// anywhere in s.
func RegexpLike(re *Regexp, s string) bool {
	if re.need != "" && !strings.Contains(s, re.need) {
		return false
	}
	if p := re.param; p != nil {
		var m [6]int
		return p.match(s, &m)
	}
	return re.Re.MatchString(s)
}
