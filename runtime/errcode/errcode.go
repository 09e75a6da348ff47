// Package errcode gives the runtime's user-facing failures the stable
// LDB-NNNN codes of docs/errors.md, as the compiler's diagnostics have. A
// coded error reads "LDB-NNNN: message", wherever it is wrapped.
package errcode

import (
	"errors"
	"fmt"
)

// Code is a stable error code. Never renumber one: users search for them.
type Code string

// Codes the runtime reports (docs/errors.md; TestCodesDocumented keeps the
// two in step).
const (
	// PathCollision: two outputs, or an output and an input, are one file.
	// The compiler reports the same code for paths in the SQL.
	PathCollision Code = "LDB-3005"
	// SourceSchema: a source's file does not have a declared column, or
	// has it with a type that cannot be read as the declared one (a
	// Parquet file's schema). The compiler reports the same code for the
	// files that exist at compile time.
	SourceSchema Code = "LDB-3006"
	// StateDirLocked: another running instance holds the state dir.
	StateDirLocked Code = "LDB-5001"
	// InputChanged: a resumed file source is not the input the checkpoint
	// read (replaced, rewritten, lines prepended, truncated).
	InputChanged Code = "LDB-5002"
	// InputChangedWhileRead: a file source shrank or was replaced while the
	// job was reading it.
	InputChangedWhileRead Code = "LDB-5003"
	// EpochFileDamaged: a pending epoch file of an exactly-once sink does
	// not match the checksum its checkpoint recorded; it is not published.
	EpochFileDamaged Code = "LDB-5004"
	// MemoryLimit: the live heap passed the share of --memory-limit the job
	// may use; it stopped after a final checkpoint.
	MemoryLimit Code = "LDB-5101"
	// LookupFailed: a lookup join could not read its table (a file that
	// does not parse, a database that does not answer); the row went to the
	// dead-letter output.
	LookupFailed Code = "LDB-5201"
)

// Error is an error with a code.
type Error struct {
	Code Code
	Err  error
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Errorf makes a coded error; %w wraps as in fmt.Errorf.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}

// Of returns the code of the first coded error in err's chain, or "".
func Of(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
