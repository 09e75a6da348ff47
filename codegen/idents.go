package codegen

import (
	"fmt"
	"go/scanner"
	"go/token"
	"strings"

	"github.com/dave/jennifer/jen"
)

// usesIdent reports whether any of code names identifier name, read off
// its rendered Go (comments and literals do not count).
func usesIdent(code []jen.Code, name string) bool {
	for _, c := range code {
		if identIn(fmt.Sprintf("%#v", c), name) {
			return true
		}
	}
	return false
}

func identIn(src, name string) bool {
	var s scanner.Scanner
	fs := token.NewFileSet()
	s.Init(fs.AddFile("", fs.Base(), len(src)), []byte(src), nil, 0)
	for {
		_, tok, lit := s.Scan()
		switch {
		case tok == token.EOF:
			return false
		case tok == token.IDENT && lit == name:
			return true
		}
	}
}

// dropUnusedDecl leaves out of code the statement declaring name (`name :=
// …`) when no other statement uses name, as Go requires.
func dropUnusedDecl(code []jen.Code, name string) []jen.Code {
	at := -1
	for i, c := range code {
		if strings.HasPrefix(fmt.Sprintf("%#v", c), name+" := ") {
			at = i
			break
		}
	}
	if at < 0 || usesIdent(code[at+1:], name) {
		return code
	}
	return append(code[:at:at], code[at+1:]...)
}
