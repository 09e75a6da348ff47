// Package udfs holds the user-defined functions of the Nexmark suite, as Go
// functions that queries declare with CREATE FUNCTION … LANGUAGE GO.
package udfs

import "strings"

// CountChar is q14's count_char(s, c): how many times c occurs in s.
func CountChar(s, c string) int64 { return int64(strings.Count(s, c)) }
