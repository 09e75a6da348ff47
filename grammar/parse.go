// Package grammar reads Laminar SQL: it holds the ANTLR grammar
// (LaminarSQL.g4), the parser generated from it (grammar/parser) and the code
// that turns the parse tree into the AST of compiler/ast. It is the only
// package that touches ANTLR types; the rest of the compiler calls Parse.
package grammar

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/antlr4-go/antlr/v4"

	"github.com/laminar-sql/laminar/compiler/ast"
	"github.com/laminar-sql/laminar/compiler/diag"
	"github.com/laminar-sql/laminar/grammar/parser"
)

// maxNesting bounds how deeply parentheses, CASE and prefix operators may
// nest. The parser is recursive, and a pathological input must give an
// error, not exhaust the goroutine stack (which Go cannot recover from).
const maxNesting = 200

// Parse reads a whole pipeline. It returns the statements that parsed without
// error, in source order, and the diagnostics (LDB-1001 syntax errors, LDB-1002
// malformed literals, LDB-1003 constructs outside the dialect), sorted by
// position. Each statement is parsed on its own, so an error in one does not
// hide errors in the next. Parse never panics.
func Parse(filename, src string) (script *ast.Script, diags []diag.Diagnostic) {
	var list diag.List
	script = &ast.Script{}
	defer func() {
		// Last resort: the fuzz target keeps this path unused, but a parser
		// bug must surface as a diagnostic, not crash the compiler.
		if r := recover(); r != nil {
			script = &ast.Script{}
			list.Errorf(diag.SyntaxError, ast.Pos{Line: 1, Col: 1, Offset: 0},
				"internal parser error on %s: %v (please report this bug)", filename, r)
		}
		list.Sort()
		diags = list.Items
	}()

	pos := newPositions(src)
	input := antlr.NewInputStream(src)
	lexer := parser.NewLaminarSQLLexer(input)
	lexer.RemoveErrorListeners() // the lexer cannot fail: see UNEXPECTED_CHAR

	for _, st := range splitStatements(lexer) {
		if s := parseStatement(lexer, st, pos, &list); s != nil {
			script.Stmts = append(script.Stmts, s)
		}
	}
	return script, list.Items
}

// statementTokens is one statement's tokens, found by splitting the token
// stream at ';' and before CREATE and INSERT (reserved words that only start
// a statement).
type statementTokens struct {
	tokens []antlr.Token
	end    antlr.Token // what ended it: ';', the next CREATE or INSERT, or EOF
}

func splitStatements(lexer *parser.LaminarSQLLexer) []statementTokens {
	var out []statementTokens
	var cur []antlr.Token
	for {
		tok := lexer.NextToken()
		switch tok.GetTokenType() {
		case antlr.TokenEOF:
			if len(cur) > 0 {
				out = append(out, statementTokens{tokens: cur, end: tok})
			}
			return out
		case parser.LaminarSQLLexerSEMI:
			if len(cur) > 0 {
				out = append(out, statementTokens{tokens: cur, end: tok})
			}
			cur = nil
		case parser.LaminarSQLLexerCREATE, parser.LaminarSQLLexerINSERT:
			if len(cur) > 0 {
				out = append(out, statementTokens{tokens: cur, end: tok})
			}
			cur = []antlr.Token{tok}
		default:
			cur = append(cur, tok)
		}
	}
}

// parseStatement parses and builds one statement. It returns nil when the
// statement has an error (reported to list).
func parseStatement(lexer *parser.LaminarSQLLexer, st statementTokens, pos *positions, list *diag.List) ast.Stmt {
	if !checkTokens(st.tokens, pos, list) {
		return nil
	}

	src := &statementSource{
		LaminarSQLLexer: lexer,
		tokens:          st.tokens,
		eof: antlr.NewCommonToken(st.end.GetSource(), antlr.TokenEOF, antlr.TokenDefaultChannel,
			st.end.GetStart(), st.end.GetStart()-1),
	}
	p := parser.NewLaminarSQLParser(antlr.NewCommonTokenStream(src, antlr.TokenDefaultChannel))
	errs := &firstError{}
	p.RemoveErrorListeners()
	p.AddErrorListener(errs)
	tree := p.Single()
	if errs.found {
		msg := "unexpected " + describeToken(errs.offending, st.end)
		if errs.expected != nil {
			msg += ", expected " + describeExpected(errs.expected)
		}
		list.Errorf(diag.SyntaxError, pos.of(errs.offending.GetStart()), "%s", msg)
		return nil
	}

	b := &builder{pos: pos, diags: list}
	before := len(list.Items)
	stmt := b.statement(tree.Statement())
	if len(list.Items) > before {
		return nil
	}
	if st.end.GetTokenType() != parser.LaminarSQLLexerSEMI {
		last := st.tokens[len(st.tokens)-1]
		list.Errorf(diag.SyntaxError, pos.of(last.GetStop()+1), `missing ";" after statement`)
	}
	return stmt
}

// checkTokens reports the lexer's error tokens and inputs nested too deeply
// to parse safely. It reports at most one problem and returns false if any.
func checkTokens(tokens []antlr.Token, pos *positions, list *diag.List) bool {
	depth, prefixRun := 0, 0
	for _, tok := range tokens {
		at := pos.of(tok.GetStart())
		switch tok.GetTokenType() {
		case parser.LaminarSQLLexerUNTERMINATED_STRING:
			list.Errorf(diag.SyntaxError, at, "unterminated string literal: a ' is missing")
			return false
		case parser.LaminarSQLLexerUNTERMINATED_QUOTED_IDENT:
			list.Errorf(diag.SyntaxError, at, `unterminated quoted name: a " is missing`)
			return false
		case parser.LaminarSQLLexerUNTERMINATED_BACKTICK_IDENT:
			list.Errorf(diag.SyntaxError, at, "unterminated quoted name: a ` is missing")
			return false
		case parser.LaminarSQLLexerUNTERMINATED_COMMENT:
			list.Errorf(diag.SyntaxError, at, "unterminated comment: */ is missing")
			return false
		case parser.LaminarSQLLexerUNEXPECTED_CHAR:
			list.Errorf(diag.SyntaxError, at, "unexpected character %s", quoteChar(tok.GetText()))
			return false
		case parser.LaminarSQLLexerLPAREN, parser.LaminarSQLLexerCASE:
			depth++
		case parser.LaminarSQLLexerRPAREN, parser.LaminarSQLLexerEND:
			depth--
		}
		switch tok.GetTokenType() {
		case parser.LaminarSQLLexerNOT, parser.LaminarSQLLexerMINUS, parser.LaminarSQLLexerPLUS:
			prefixRun++
		default:
			prefixRun = 0
		}
		if depth > maxNesting || prefixRun > maxNesting {
			list.Errorf(diag.SyntaxError, at, "expression nested too deeply (more than %d levels)", maxNesting)
			return false
		}
	}
	return true
}

func quoteChar(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	if r < ' ' || r == utf8.RuneError || r == 0x7f {
		return fmt.Sprintf("%U", r)
	}
	return `"` + s + `"`
}

// statementSource feeds one statement's tokens to a parser, then an EOF that
// sits at the token that ended the statement. It embeds the lexer only to
// satisfy antlr.Lexer; the parser calls NextToken alone.
type statementSource struct {
	*parser.LaminarSQLLexer
	tokens []antlr.Token
	next   int
	eof    antlr.Token
}

func (s *statementSource) NextToken() antlr.Token {
	if s.next < len(s.tokens) {
		s.next++
		return s.tokens[s.next-1]
	}
	return s.eof
}

// firstError keeps the first syntax error of a statement; later ones are
// mostly consequences of the first.
type firstError struct {
	antlr.DefaultErrorListener
	found     bool
	offending antlr.Token
	expected  *antlr.IntervalSet
}

func (e *firstError) SyntaxError(recognizer antlr.Recognizer, offendingSymbol any, _, _ int, _ string, _ antlr.RecognitionException) {
	if e.found {
		return
	}
	tok, ok := offendingSymbol.(antlr.Token)
	if !ok {
		return
	}
	e.found = true
	e.offending = tok
	// When prediction failed on a token after the current one, the parser's
	// expected set describes the current token, not the offending one: better
	// to list nothing than something wrong.
	if p, ok := recognizer.(antlr.Parser); ok && p.GetCurrentToken().GetTokenIndex() >= tok.GetTokenIndex() {
		e.expected = p.GetExpectedTokens()
	}
}

// describeToken names the offending token for a message. The EOF of a
// statement stands for the token that ended it.
func describeToken(tok, end antlr.Token) string {
	if tok.GetTokenType() == antlr.TokenEOF {
		if end.GetTokenType() == antlr.TokenEOF {
			return "end of input"
		}
		tok = end
	}
	text := tok.GetText()
	if i := strings.IndexAny(text, "\r\n"); i >= 0 {
		text = text[:i] + "..."
	}
	if utf8.RuneCountInString(text) > 40 {
		text = string([]rune(text)[:40]) + "..."
	}
	if tok.GetTokenType() == parser.LaminarSQLLexerSTRING {
		return "string " + text
	}
	return `"` + text + `"`
}

// positions converts ANTLR's rune indexes to ast.Pos.
type positions struct {
	byteOffset []int // byte offset of each rune, plus one entry for the end
	lineStart  []int // rune index at which each line starts
}

func newPositions(src string) *positions {
	p := &positions{byteOffset: make([]int, 0, len(src)+1), lineStart: []int{0}}
	// Ranging over a string yields invalid bytes as one rune each, exactly as
	// antlr.NewInputStream's []rune conversion does, so the indexes agree.
	for off, r := range src {
		p.byteOffset = append(p.byteOffset, off)
		if r == '\n' {
			p.lineStart = append(p.lineStart, len(p.byteOffset))
		}
	}
	p.byteOffset = append(p.byteOffset, len(src))
	return p
}

// of returns the position of the rune at index i (the end of the source for
// an index past it).
func (p *positions) of(i int) ast.Pos {
	if i < 0 {
		i = 0
	}
	if i >= len(p.byteOffset) {
		i = len(p.byteOffset) - 1
	}
	line := sort.SearchInts(p.lineStart, i+1) - 1
	return ast.Pos{Line: line + 1, Col: i - p.lineStart[line] + 1, Offset: p.byteOffset[i]}
}
