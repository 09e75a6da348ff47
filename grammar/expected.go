package grammar

import (
	"strings"

	"github.com/antlr4-go/antlr/v4"

	"github.com/laminar-sql/laminar/grammar/parser"
)

// reservedWords are the keywords that cannot be used as names. Every other
// keyword of the grammar is non-reserved (TestKeywordsUsableAsNames checks
// that this list and the grammar agree).
var reservedWords = map[int]bool{
	parser.LaminarSQLLexerAND: true, parser.LaminarSQLLexerAS: true, parser.LaminarSQLLexerBETWEEN: true,
	parser.LaminarSQLLexerBY: true, parser.LaminarSQLLexerCASE: true, parser.LaminarSQLLexerCAST: true,
	parser.LaminarSQLLexerCREATE: true, parser.LaminarSQLLexerDISTINCT: true, parser.LaminarSQLLexerELSE: true,
	parser.LaminarSQLLexerEMIT: true, parser.LaminarSQLLexerEND: true, parser.LaminarSQLLexerFALSE: true,
	parser.LaminarSQLLexerFROM: true, parser.LaminarSQLLexerGROUP: true, parser.LaminarSQLLexerHAVING: true,
	parser.LaminarSQLLexerIN: true, parser.LaminarSQLLexerINSERT: true, parser.LaminarSQLLexerINTO: true,
	parser.LaminarSQLLexerIS: true, parser.LaminarSQLLexerLIKE: true, parser.LaminarSQLLexerNOT: true,
	parser.LaminarSQLLexerNULL: true, parser.LaminarSQLLexerOR: true, parser.LaminarSQLLexerSELECT: true,
	parser.LaminarSQLLexerTHEN: true, parser.LaminarSQLLexerTRUE: true, parser.LaminarSQLLexerWHEN: true,
	parser.LaminarSQLLexerWHERE: true, parser.LaminarSQLLexerWITH: true,
}

// Tokens that continue an expression; dropped from "expected ..." when
// anything else is expected, since listing every operator helps nobody.
var operatorTokens = map[int]bool{
	parser.LaminarSQLLexerEQ: true, parser.LaminarSQLLexerNEQ: true, parser.LaminarSQLLexerLT: true,
	parser.LaminarSQLLexerLTE: true, parser.LaminarSQLLexerGT: true, parser.LaminarSQLLexerGTE: true,
	parser.LaminarSQLLexerPLUS: true, parser.LaminarSQLLexerMINUS: true, parser.LaminarSQLLexerSTAR: true,
	parser.LaminarSQLLexerSLASH: true, parser.LaminarSQLLexerPERCENT: true, parser.LaminarSQLLexerCONCAT: true,
	parser.LaminarSQLLexerIS: true, parser.LaminarSQLLexerIN: true, parser.LaminarSQLLexerNOT: true,
	parser.LaminarSQLLexerBETWEEN: true, parser.LaminarSQLLexerLIKE: true, parser.LaminarSQLLexerAND: true,
	parser.LaminarSQLLexerOR: true, parser.LaminarSQLLexerDOT: true, parser.LaminarSQLLexerOVER: true,
}

// Tokens that can only start an expression (besides names, which are
// counted with "a name").
var expressionStartTokens = map[int]bool{
	parser.LaminarSQLLexerINTEGER: true, parser.LaminarSQLLexerDECIMAL: true, parser.LaminarSQLLexerSTRING: true,
	parser.LaminarSQLLexerTRUE: true, parser.LaminarSQLLexerFALSE: true, parser.LaminarSQLLexerNULL: true,
	parser.LaminarSQLLexerCASE: true, parser.LaminarSQLLexerCAST: true, parser.LaminarSQLLexerNOT: true,
	parser.LaminarSQLLexerMINUS: true, parser.LaminarSQLLexerPLUS: true, parser.LaminarSQLLexerLPAREN: true,
}

// maxListed caps how many alternatives a message lists.
const maxListed = 4

// describeExpected turns ANTLR's set of expected tokens into words a user
// reads: `";"`, `FROM or ","`, `an expression`, `a name`.
func describeExpected(set *antlr.IntervalSet) string {
	if set == nil {
		return "something else"
	}
	var types []int
	for _, iv := range set.GetIntervals() {
		for t := iv.Start; t < iv.Stop; t++ {
			types = append(types, t)
		}
	}
	has := func(t int) bool {
		for _, x := range types {
			if x == t {
				return true
			}
		}
		return false
	}

	if has(parser.LaminarSQLLexerCREATE) && has(parser.LaminarSQLLexerINSERT) {
		return "a statement (CREATE ... or INSERT INTO ...)"
	}
	expression := has(parser.LaminarSQLLexerINTEGER)
	name := has(parser.LaminarSQLLexerIDENT)

	var items []string
	for _, t := range types {
		switch {
		case expression && (expressionStartTokens[t] || isNameToken(t)):
		case name && isNameToken(t):
		case operatorTokens[t]:
		case t == antlr.TokenEOF:
		default:
			items = append(items, tokenDisplayName(t))
		}
	}
	// Punctuation first: it is usually the missing piece.
	sortPunctuationFirst(items)
	if expression {
		items = append(items, "an expression")
	} else if name {
		items = append(items, "a name")
	}
	if has(antlr.TokenEOF) {
		items = append(items, `";"`)
	}
	if len(items) == 0 {
		// Only operators remain: say so rather than list them all.
		return "an operator"
	}
	if len(items) > maxListed {
		items = append(items[:maxListed-1], "...")
		return strings.Join(items, ", ")
	}
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// isNameToken reports whether a token can be a name: an identifier, quoted or
// not, or a non-reserved keyword.
func isNameToken(t int) bool {
	switch t {
	case parser.LaminarSQLLexerIDENT, parser.LaminarSQLLexerQUOTED_IDENT, parser.LaminarSQLLexerBACKTICK_IDENT:
		return true
	}
	return isKeyword(t) && !reservedWords[t]
}

// isKeyword reports whether a token type is a word of the grammar.
func isKeyword(t int) bool {
	lit := literalName(t)
	if len(lit) < 3 {
		return false
	}
	for _, r := range lit[1 : len(lit)-1] {
		if (r < 'A' || r > 'Z') && r != '_' {
			return false
		}
	}
	return true
}

func literalName(t int) string {
	parser.LaminarSQLLexerInit()
	names := parser.LaminarSQLLexerLexerStaticData.LiteralNames
	if t <= 0 || t >= len(names) {
		return ""
	}
	return names[t]
}

// tokenDisplayName is how a token type appears in a message: keywords bare
// (FROM), punctuation quoted (")").
func tokenDisplayName(t int) string {
	lit := literalName(t)
	switch {
	case isKeyword(t):
		return lit[1 : len(lit)-1]
	case lit != "":
		return `"` + lit[1:len(lit)-1] + `"`
	case t == parser.LaminarSQLLexerINTEGER:
		return "an integer"
	case t == parser.LaminarSQLLexerSTRING:
		return "a string"
	}
	parser.LaminarSQLLexerInit()
	if names := parser.LaminarSQLLexerLexerStaticData.SymbolicNames; t > 0 && t < len(names) {
		return names[t]
	}
	return "something else"
}

func sortPunctuationFirst(items []string) {
	punct := items[:0:0]
	var words []string
	for _, it := range items {
		if strings.HasPrefix(it, `"`) {
			punct = append(punct, it)
		} else {
			words = append(words, it)
		}
	}
	copy(items, append(punct, words...))
}
