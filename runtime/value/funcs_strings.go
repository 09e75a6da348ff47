package value

import (
	"cmp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The string functions of the SQL library, as PostgreSQL and DuckDB define
// them (positions and lengths count characters, not bytes).

// Trim removes spaces from both ends of s (TRIM(s), as PostgreSQL and
// DuckDB: spaces only, not tabs or newlines).
func Trim(s string) string { return strings.Trim(s, " ") }

// LTrim removes leading spaces.
func LTrim(s string) string { return strings.TrimLeft(s, " ") }

// RTrim removes trailing spaces.
func RTrim(s string) string { return strings.TrimRight(s, " ") }

// TrimChars removes every character of chars from both ends of s.
func TrimChars(s, chars string) string { return strings.Trim(s, chars) }

// LTrimChars removes every character of chars from the start of s.
func LTrimChars(s, chars string) string { return strings.TrimLeft(s, chars) }

// RTrimChars removes every character of chars from the end of s.
func RTrimChars(s, chars string) string { return strings.TrimRight(s, chars) }

// Replace replaces every occurrence of from in s by to; an empty from
// replaces nothing (strings.ReplaceAll would insert to between characters).
func Replace(s, from, to string) string {
	if from == "" {
		return s
	}
	return strings.ReplaceAll(s, from, to)
}

// Position is POSITION(sub IN s): the 1-based character position of the
// first sub in s, 0 when there is none (1 for an empty sub).
func Position(s, sub string) int64 {
	i := strings.Index(s, sub)
	if i < 0 {
		return 0
	}
	return int64(utf8.RuneCountInString(s[:i])) + 1
}

// SplitPart is SPLIT_PART(s, delim, n): the n-th (1-based) part of s split
// at delim, counted from the end when n is negative; empty past either end. An
// empty delimiter does not split (s is the one part).
func SplitPart(s, delim string, n int64) string {
	var parts []string
	if delim == "" {
		parts = []string{s}
	} else {
		parts = strings.Split(s, delim)
	}
	if n < 0 {
		n += int64(len(parts)) + 1
	}
	if n < 1 || n > int64(len(parts)) {
		return ""
	}
	return parts[n-1]
}

// ConcatAll is CONCAT(a, b, …): NULL arguments are left out, so the result
// is never NULL.
func ConcatAll(args ...Null[string]) string {
	var b strings.Builder
	for _, a := range args {
		if a.Valid {
			b.WriteString(a.V)
		}
	}
	return b.String()
}

// ConcatWS is CONCAT_WS(sep, a, b, …): the non-NULL arguments joined by sep;
// NULL when sep is.
func ConcatWS(sep Null[string], args ...Null[string]) Null[string] {
	if !sep.Valid {
		return Null[string]{}
	}
	var b strings.Builder
	first := true
	for _, a := range args {
		if !a.Valid {
			continue
		}
		if !first {
			b.WriteString(sep.V)
		}
		first = false
		b.WriteString(a.V)
	}
	return Of(b.String())
}

// pad fills s to n characters with fill on the left or right; a longer s is
// cut to its first n characters (PostgreSQL, DuckDB). An empty fill cannot
// pad: s is only cut.
func pad(s string, n int64, fill string, left bool) string {
	if n <= 0 {
		return ""
	}
	length := int64(utf8.RuneCountInString(s))
	if length >= n {
		return s[:runeOffset(s, n)]
	}
	if fill == "" {
		return s
	}
	var b strings.Builder
	need := n - length
	fr := []rune(fill)
	if !left {
		b.WriteString(s)
	}
	for i := int64(0); i < need; i++ {
		b.WriteRune(fr[i%int64(len(fr))])
	}
	if left {
		b.WriteString(s)
	}
	return b.String()
}

// LPad is LPAD(s, n, fill).
func LPad(s string, n int64, fill string) string { return pad(s, n, fill, true) }

// RPad is RPAD(s, n, fill).
func RPad(s string, n int64, fill string) string { return pad(s, n, fill, false) }

// InitCap is INITCAP(s) as PostgreSQL: the first letter of each word upper
// case, the others lower case; words are runs of letters and digits.
func InitCap(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	inWord := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if inWord {
				b.WriteRune(unicode.ToLower(r))
			} else {
				b.WriteRune(unicode.ToUpper(r))
			}
			inWord = true
			continue
		}
		inWord = false
		b.WriteRune(r)
	}
	return b.String()
}

// RegexpReplace is REGEXP_REPLACE(s, pattern, replacement [, 'g']): the first
// match (every match when all) replaced. In the replacement \1 … \9 are
// capture groups and \0 the match, as in DuckDB and PostgreSQL; any other
// character is literal ($ included).
func RegexpReplace(rx *Regexp, s, repl string, all bool) string {
	if rx.need != "" && !strings.Contains(s, rx.need) {
		return s
	}
	re := rx.Re
	tmpl := goTemplate(repl)
	if all {
		return re.ReplaceAllString(s, tmpl)
	}
	m := re.FindStringSubmatchIndex(s)
	if m == nil {
		return s
	}
	return s[:m[0]] + string(re.ExpandString(nil, tmpl, s, m)) + s[m[1]:]
}

// goTemplate turns a SQL replacement (\N groups) into a Go one (${N}, $$).
func goTemplate(repl string) string {
	if !strings.ContainsAny(repl, `\$`) {
		return repl
	}
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		switch c := repl[i]; {
		case c == '$':
			b.WriteString("$$")
		case c == '\\' && i+1 < len(repl) && repl[i+1] >= '0' && repl[i+1] <= '9':
			b.WriteString("${" + string(repl[i+1]) + "}")
			i++
		case c == '\\' && i+1 < len(repl):
			b.WriteByte(repl[i+1]) // \\ is a backslash, \x is x
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Greatest is GREATEST(a, b) over nullable values: NULL arguments are left
// out (PostgreSQL, DuckDB), NULL only when both are.
func Greatest[T cmp.Ordered](a, b Null[T]) Null[T] {
	if !a.Valid || b.Valid && b.V > a.V {
		return b
	}
	return a
}

// Least is LEAST(a, b), as Greatest.
func Least[T cmp.Ordered](a, b Null[T]) Null[T] {
	if !a.Valid || b.Valid && b.V < a.V {
		return b
	}
	return a
}

// NullIf is NULLIF(a, b): NULL when a equals b, else a.
func NullIf[T comparable](a, b Null[T]) Null[T] {
	if a.Valid && b.Valid && a.V == b.V {
		return Null[T]{}
	}
	return a
}

// Distinct is a IS DISTINCT FROM b: NULL is not distinct from NULL and
// distinct from every value; never NULL itself.
func Distinct[T comparable](a, b Null[T]) bool {
	if a.Valid != b.Valid {
		return true
	}
	return a.Valid && a.V != b.V
}
