// Command echojob is a stand-in for a generated job binary: it copies each
// stdin line to stdout as {"value":...}, reports lines starting with "bad" as
// malformed, and is used by the job package's tests to check Main end to end
// (flags, signals, exit codes).
package main

import (
	"bytes"
	"errors"
	"strconv"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/laminar-sql/laminar/runtime/job"
)

var _ = job.RequireAPIVersion1

type echo struct{ ctx *job.Context }

func (e echo) ProcessLines(src int, b *connector.LineBatch) {
	w := e.ctx.Sinks[0]
	for i, line := range b.Lines {
		if bytes.HasPrefix(line, []byte("bad")) {
			e.ctx.Malformed(src, b, i, errors.New("not a record"))
			continue
		}
		w.Buf = append(w.Buf, `{"value":`...)
		w.Buf = strconv.AppendQuote(w.Buf, string(line))
		w.Buf = append(w.Buf, "}\n"...)
		w.Rows++
	}
}

func (e echo) EndOfInput(int) {}

func main() {
	job.Main(job.Spec{
		Name:    "echojob",
		SQL:     "CREATE SOURCE lines (value VARCHAR) WITH (connector = 'stdin');",
		Sources: []job.SourceSpec{{Name: "lines", Connector: "stdin", Format: "json"}},
		Sinks:   []job.SinkSpec{{Name: "out", Connector: "stdout", Format: "json"}},
	}, func(ctx *job.Context) job.Pipeline { return echo{ctx} })
}
