package codegen

import (
	"fmt"
	"go/token"
	"strings"
	"unicode"
	"unicode/utf8"
)

// exportedName turns a SQL name into an exported Go identifier: letters and
// digits only, CamelCased at underscores and other separators. A name that
// leaves nothing usable becomes fallback. The result is never a Go keyword.
func exportedName(sql, fallback string) string {
	var b strings.Builder
	up := true
	for _, r := range sql {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if up {
				b.WriteRune(unicode.ToUpper(r))
			} else {
				b.WriteRune(r)
			}
			up = false
		default:
			up = true
		}
	}
	s := b.String()
	if s == "" || !unicode.IsLetter(rune(s[0])) {
		s = fallback + s
	}
	if token.IsKeyword(s) {
		s += "_"
	}
	return s
}

// uniqueNames makes names unique by appending a counter to repeats.
func uniqueNames(names []string) []string {
	seen := map[string]int{}
	out := make([]string, len(names))
	for i, n := range names {
		seen[n]++
		if seen[n] > 1 {
			n = fmt.Sprintf("%s%d", n, seen[n])
			for seen[n] > 0 {
				n += "_"
			}
			seen[n]++
		}
		out[i] = n
	}
	return out
}

// commentLines makes text safe to place in // comments: one comment per
// line, valid UTF-8, no control characters that could end a comment or upset
// the Go scanner.
func commentLines(text string) []string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.Map(func(r rune) rune {
			if r == '\t' {
				return ' '
			}
			if unicode.IsControl(r) || r == '\uFEFF' || r == '\u2028' || r == '\u2029' {
				return '?'
			}
			return r
		}, l)
	}
	return lines
}

// partitioned tells that the source keeps a watermark per partition
// (window.PartitionWatermarks): it has a watermark and partitions.
func (s *sourceInfo) partitioned() bool { return s.src.Partitioned && s.src.TimeCol >= 0 }
