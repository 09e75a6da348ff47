package value

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Character positions and lengths below count runes (characters), not bytes.
// An invalid UTF-8 byte counts as one character, as in utf8.RuneCountInString.

// Concat returns a || b, NULL if any input is NULL.
func Concat(a, b Null[string]) Null[string] {
	if a.Valid && b.Valid {
		return Null[string]{V: a.V + b.V, Valid: true}
	}
	return Null[string]{}
}

// Lower returns s in lower case (Unicode simple case mapping). It returns s
// itself, without allocating, when nothing changes; strings.ToLower has the
// fast ASCII path and that guarantee.
func Lower(s string) string { return strings.ToLower(s) }

// LowerEquals is LOWER(s) = lit without building LOWER(s). Lowering goes
// rune by rune, so the ASCII bytes at the start of s are compared with lit
// as they lower; from the first other byte on, the rest of s is lowered
// and compared with the rest of lit.
func LowerEquals(s, lit string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return i <= len(lit) && Lower(s[i:]) == lit[i:]
		}
		if i >= len(lit) {
			return false // LOWER(s) is longer
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lit[i] {
			return false
		}
	}
	return len(s) == len(lit)
}

// Upper returns s in upper case (Unicode simple case mapping), s itself when
// nothing changes.
func Upper(s string) string { return strings.ToUpper(s) }

// Length returns the number of characters of s.
func Length(s string) int64 { return int64(utf8.RuneCountInString(s)) }

// Substring is SUBSTRING(s FROM from): the characters from the 1-based
// position from to the end. Positions before 1 are before the string, so
// they take nothing away: SUBSTRING('hello' FROM -3) = 'hello'.
func Substring(s string, from int64) string {
	if from <= 1 {
		return s
	}
	return s[runeOffset(s, from-1):]
}

// SubstringLen is SUBSTRING(s FROM from FOR length) with PostgreSQL
// semantics: the characters at 1-based positions [from, from+length) that
// exist in s, so positions before 1 shorten the result
// (SUBSTRING('hello', 0, 3) = 'he'). A negative length is an error in SQL:
// ok is false and the caller makes the result NULL.
func SubstringLen(s string, from, length int64) (string, bool) {
	if length < 0 {
		return "", false
	}
	if from > math.MaxInt64-length {
		// from+length overflows: the substring runs to the end of s.
		return Substring(s, from), true
	}
	end := from + length // exclusive
	start := max(from, 1)
	if end <= start {
		return "", true
	}
	i := runeOffset(s, start-1)
	j := i + runeOffset(s[i:], end-start)
	return s[i:j], true
}

// runeOffset returns the byte offset of the character with 0-based index n,
// or len(s) when s has no more than n characters.
func runeOffset(s string, n int64) int {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return i
}

// runeWidth returns the byte length of the character starting at s[i].
func runeWidth(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, w := utf8.DecodeRuneInString(s[i:])
	return w
}

// Like reports whether s matches the SQL LIKE pattern: % matches any
// sequence of characters (also none), _ exactly one character, and every
// other character itself, case-sensitively. There is no escape character.
//
// The pattern is cut at each % into segments, each matching a fixed number
// of characters. The first segment must match at the start of s, the last at
// its end, and each one between at its leftmost place after the previous one:
// the leftmost match leaves the most room for the rest, so no backtracking is
// needed. Segments without _ are found with strings.Index. No allocation.
//
// Literal characters are compared as bytes, which compares characters of
// valid UTF-8: a lead byte fixes the length of its character.
func Like(s, pattern string) bool {
	seg, rest, found := strings.Cut(pattern, "%")
	n, ok := matchPrefix(s, seg)
	if !ok {
		return false
	}
	if !found {
		return n == len(s)
	}
	s = s[n:]
	for {
		seg, rest, found = strings.Cut(rest, "%")
		if !found {
			return matchSuffix(s, seg)
		}
		i, n := indexSegment(s, seg)
		if i < 0 {
			return false
		}
		s = s[i+n:]
	}
}

// matchPrefix reports whether s starts with a match of the %-free LIKE
// segment seg, and the byte length of that match.
func matchPrefix(s, seg string) (n int, ok bool) {
	if strings.IndexByte(seg, '_') < 0 {
		return len(seg), strings.HasPrefix(s, seg)
	}
	for i := 0; i < len(seg); i++ {
		if n >= len(s) {
			return 0, false
		}
		if seg[i] == '_' {
			n += runeWidth(s, n)
			continue
		}
		if s[n] != seg[i] {
			return 0, false
		}
		n++
	}
	return n, true
}

// matchSuffix reports whether s ends with a match of the %-free segment seg.
func matchSuffix(s, seg string) bool {
	if strings.IndexByte(seg, '_') < 0 {
		return strings.HasSuffix(s, seg)
	}
	for i := len(seg) - 1; i >= 0; i-- {
		if s == "" {
			return false
		}
		if seg[i] == '_' {
			_, w := utf8.DecodeLastRuneInString(s)
			s = s[:len(s)-w]
			continue
		}
		if s[len(s)-1] != seg[i] {
			return false
		}
		s = s[:len(s)-1]
	}
	return true
}

// indexSegment returns the byte offset and length of the leftmost match of
// the %-free segment seg in s, or -1.
func indexSegment(s, seg string) (i, n int) {
	lit, _, hasWildcard := strings.Cut(seg, "_")
	if !hasWildcard {
		return strings.Index(s, seg), len(seg)
	}
	// Candidates start where the literal text before the first _ occurs, or
	// at every character when the segment starts with _.
	// A segment with _ never matches the empty rest of s.
	for i < len(s) {
		if lit != "" {
			j := strings.Index(s[i:], lit)
			if j < 0 {
				return -1, 0
			}
			i += j
		}
		if n, ok := matchPrefix(s[i:], seg); ok {
			return i, n
		}
		i += runeWidth(s, i)
	}
	return -1, 0
}
