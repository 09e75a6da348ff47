// Package diag holds laminarc's user-facing diagnostics: a stable LDB-NNNN code,
// a position, a one-line message and an optional hint. docs/errors.md lists
// every code; TestCodesDocumented keeps the two in step.
package diag

import (
	"fmt"
	"sort"
	"strings"

	"github.com/laminar-sql/laminar/compiler/ast"
)

// Code is a stable error code. Never renumber one: users search for them.
type Code string

// Syntax errors (LDB-1xxx).
const (
	SyntaxError       Code = "LDB-1001" // the parser could not read the statement
	BadLiteral        Code = "LDB-1002" // a malformed number, timestamp or interval literal
	UnsupportedSyntax Code = "LDB-1003" // parsed, but this form is not part of the dialect
	TooLarge          Code = "LDB-1004" // beyond a size limit: columns, expression depth or terms, IN list
)

// Name and type errors (LDB-2xxx).
const (
	UnknownTable       Code = "LDB-2001" // FROM names no source or view
	UnknownColumn      Code = "LDB-2002" // a column name that is not in scope
	AmbiguousColumn    Code = "LDB-2003"
	DuplicateName      Code = "LDB-2004" // two statements define the same name
	DuplicateColumn    Code = "LDB-2005"
	UnknownType        Code = "LDB-2006"
	TypeMismatch       Code = "LDB-2007" // an operator or function applied to the wrong types
	UnknownFunction    Code = "LDB-2008"
	WrongArgCount      Code = "LDB-2009"
	BadWatermark       Code = "LDB-2010" // watermark column or expression invalid
	BadWindow          Code = "LDB-2011" // window function arguments invalid
	NotGrouped         Code = "LDB-2012" // a column neither grouped nor aggregated
	MisplacedAggregate Code = "LDB-2013" // aggregate in WHERE, GROUP BY or nested
	UnknownSink        Code = "LDB-2014" // INSERT INTO names no sink
	DuplicateSinkInput Code = "LDB-2015" // a sink fed twice, or fed by FROM and INSERT
	SinkWithoutInput   Code = "LDB-2016" // a sink with neither FROM nor INSERT INTO
	BadFunction        Code = "LDB-2017" // CREATE FUNCTION that its Go function does not match
)

// Connector and option errors (LDB-3xxx).
const (
	UnknownConnector Code = "LDB-3001"
	MissingOption    Code = "LDB-3002"
	BadOption        Code = "LDB-3003" // an option's value is invalid
	UnknownOption    Code = "LDB-3004"
	PathCollision    Code = "LDB-3005" // two outputs, or an output and an input, are one file
	SourceSchema     Code = "LDB-3006" // a declared column its file (a Parquet footer) does not have, or has with another type
)

// Plan errors: constructs that parse and bind but cannot run yet (LDB-4xxx).
const (
	Unsupported     Code = "LDB-4001" // a construct the planner or runtime cannot execute
	EmitNeedsWindow Code = "LDB-4002" // EMIT ON WINDOW CLOSE without a window
	NoWatermark     Code = "LDB-4003" // a window over a source without a watermark
)

// Warnings (LDB-9xxx) do not stop compilation.
const (
	ViewWithoutSink Code = "LDB-9001" // a view that feeds no sink produces nothing
	UnusedSource    Code = "LDB-9002" // a source no view reads
)

// Severity tells errors from warnings.
type Severity int

const (
	Error Severity = iota
	Warning
)

// Diagnostic is one message about the pipeline source.
type Diagnostic struct {
	Code     Code
	Severity Severity
	Pos      ast.Pos
	Msg      string
	Hint     string // optional, e.g. "did you mean `price`?"
}

func (d Diagnostic) Error() string {
	return fmt.Sprintf("%d:%d: %s %s", d.Pos.Line, d.Pos.Col, d.Code, d.Msg)
}

// List collects diagnostics.
type List struct {
	Items []Diagnostic
}

// Errorf adds an error.
func (l *List) Errorf(code Code, pos ast.Pos, format string, args ...any) *Diagnostic {
	l.Items = append(l.Items, Diagnostic{Code: code, Pos: pos, Msg: fmt.Sprintf(format, args...)})
	return &l.Items[len(l.Items)-1]
}

// Warnf adds a warning.
func (l *List) Warnf(code Code, pos ast.Pos, format string, args ...any) *Diagnostic {
	l.Items = append(l.Items, Diagnostic{Code: code, Severity: Warning, Pos: pos, Msg: fmt.Sprintf(format, args...)})
	return &l.Items[len(l.Items)-1]
}

// HasErrors reports whether any diagnostic is an error.
// ErrorCount is the number of errors so far.
func (l *List) ErrorCount() (n int) {
	for _, d := range l.Items {
		if d.Severity == Error {
			n++
		}
	}
	return n
}

func (l *List) HasErrors() bool {
	for _, d := range l.Items {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Sort orders diagnostics by position, keeping insertion order for ties.
func (l *List) Sort() {
	sort.SliceStable(l.Items, func(i, j int) bool { return l.Items[i].Pos.Offset < l.Items[j].Pos.Offset })
}

// MaxShown caps how many diagnostics Format prints.
const MaxShown = 20

// Format renders diagnostics the way a compiler does:
//
//	file:line:col: error LDB-2002: unknown column "prize"
//	    SELECT prize FROM trades
//	           ^
//	  hint: did you mean "price"?
func Format(file string, src string, items []Diagnostic) string {
	var b strings.Builder
	lines := strings.Split(src, "\n")
	for i, d := range items {
		if i == MaxShown {
			fmt.Fprintf(&b, "... and %d more\n", len(items)-MaxShown)
			break
		}
		kind := "error"
		if d.Severity == Warning {
			kind = "warning"
		}
		fmt.Fprintf(&b, "%s:%d:%d: %s %s: %s\n", file, d.Pos.Line, d.Pos.Col, kind, d.Code, shorten(d.Msg, maxMsg))
		if d.Pos.Line >= 1 && d.Pos.Line <= len(lines) {
			line := strings.TrimRight(lines[d.Pos.Line-1], "\r")
			col := d.Pos.Col
			if col < 1 {
				col = 1
			}
			line, col = window(strings.ReplaceAll(line, "\t", " "), col)
			fmt.Fprintf(&b, "    %s\n", line)
			fmt.Fprintf(&b, "    %s^\n", strings.Repeat(" ", col-1))
		}
		if d.Hint != "" {
			fmt.Fprintf(&b, "  hint: %s\n", d.Hint)
		}
	}
	return b.String()
}

// A diagnostic quotes at most a window of its source line around the caret,
// and at most maxMsg characters of its message: a generated pipeline can have
// a line of megabytes, which must not be printed whole for every error.
const (
	maxLineShown = 120 // characters of the source line
	maxMsg       = 300
)

// window cuts line to at most maxLineShown characters around column col
// (1-based, in characters), marking the cuts with "…", and returns the
// caret's column in the result.
func window(line string, col int) (string, int) {
	r := []rune(line)
	if len(r) <= maxLineShown {
		return line, col
	}
	lo := max(0, min(col-1-maxLineShown/2, len(r)-maxLineShown))
	hi := min(len(r), lo+maxLineShown)
	out := string(r[lo:hi])
	col -= lo
	if lo > 0 {
		out, col = "…"+out, col+1
	}
	if hi < len(r) {
		out += "…"
	}
	return out, col
}

// shorten cuts s to n characters, ending it with "…" when it was longer.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
