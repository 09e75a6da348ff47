// Package job is the lifecycle of a compiled Laminar job: it parses the job's
// flags, opens the sources and sinks that the generated Spec names, feeds raw
// batches to the generated Pipeline, and reports counters. Generated code calls
// into it once per batch, never per event: the per-event work lives in the
// generated, fused loops.
package job

import (
	"github.com/laminar-sql/laminar/runtime/connector"
)

// APIVersion is the version of the contract between generated code and this
// runtime. Generated code references RequireAPIVersion3 (or whichever matches the
// laminarc that produced it), so a mismatched runtime fails to build with a name
// that says what to do.
const APIVersion = 1

// RequireAPIVersion1 exists while the runtime speaks API version 1. Generated
// code refers to it as `var _ = job.RequireAPIVersion1`; when it is gone, the
// build error names it: regenerate with a laminarc matching this runtime.
const RequireAPIVersion1 = true

// SourceSpec is one CREATE SOURCE, as the generated code describes it.
type SourceSpec struct {
	Name      string            // SQL name of the source
	Connector string            // "file", "stdin", ...
	Format    string            // "json" or "csv"
	Options   map[string]string // every WITH option, keys lower-case
	Columns   []string          // column names in declaration order (CSV field order)
	// DecoderChecksText: the generated decoder counts the records with
	// invalid text (LineBatch.InvalidText) as it decodes them, so the
	// runtime of a single engine does not check them beforehand.
	DecoderChecksText bool
}

// SinkSpec is one CREATE SINK.
type SinkSpec struct {
	Name      string
	Connector string // "file", "stdout", "blackhole"
	Format    string // "json"
	Options   map[string]string
}

// Spec describes a whole pipeline for the runtime.
type Spec struct {
	Name    string // the pipeline's name (the .sql file's base name)
	SQL     string // the pipeline's source text, for --help and logs
	Sources []SourceSpec
	Sinks   []SinkSpec
}

// Pipeline is implemented by generated code. The runtime calls it from one
// goroutine only.
type Pipeline interface {
	// ProcessLines decodes and processes one batch of raw records of source
	// src (an index into Spec.Sources). Records that do not decode are reported
	// through Context.Malformed; the batch goes on.
	ProcessLines(src int, batch *connector.LineBatch)
	// EndOfInput tells the pipeline that source src is exhausted: its watermark
	// moves to +infinity, so every window over it closes.
	EndOfInput(src int)
}

// Factory builds the pipeline over a Context that holds the opened sinks.
type Factory func(ctx *Context) Pipeline
