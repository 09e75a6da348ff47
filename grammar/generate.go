package grammar

// The parser in grammar/parser is generated from LaminarSQL.g4 and committed,
// so building needs neither Node nor the ANTLR tool; only regenerating does.
//go:generate ./regenerate.sh
