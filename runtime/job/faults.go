package job

import (
	"fmt"
	"reflect"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// failedRecord is a dead-letter line for a row a view could not compute (an
// arithmetic overflow, with its LDB code in Error). The row, or for an output
// row its group, is set aside; the job goes on.
type failedRecord struct {
	Source string `json:"source,omitempty"`
	Line   int64  `json:"line,omitempty"`
	Offset int64  `json:"offset,omitempty"`
	View   string `json:"view"`
	Error  string `json:"error"`
	Record string `json:"record,omitempty"`
	Group  []any  `json:"group,omitempty"`        // the group's key values, NULL as null
	Window *int64 `json:"window_start,omitempty"` // µs since the epoch

}

// RowFailed reports record i of batch (of source src) whose expressions in
// view `view` failed with err (a value.Fault): the row is left out of that
// view, counted, logged and written to the dead-letter output.
func (c *Context) RowFailed(src int, batch *connector.LineBatch, i int, view string, err error) {
	if c.rec != nil {
		c.rec.add(call{kind: callRowFailed, src: src, batch: batch, i: i, view: view, err: err})
		return
	}
	if c.onMalformed != nil {
		c.onMalformed(src, batch.LineNos[i], batch.Offsets[i], batch.Lines[i], fmt.Errorf("view %s: %w", view, err))
		return
	}
	c.release(src, batch.LineNos[i])
	s := &c.sources[src]
	s.Failed++
	c.deadLetter.write(failedRecord{Source: s.Name, Line: batch.LineNos[i], Offset: batch.Offsets[i],
		View: view, Error: err.Error(), Record: string(batch.Lines[i])})
	if s.Failed <= maxLoggedPerSource {
		c.console.logf("source %s line %d (offset %d): view %s: %v; written to %s",
			s.Name, batch.LineNos[i], batch.Offsets[i], view, err, c.deadLetter.where())
	}
}

// RowFailedRow is RowFailed for a row without a raw record (generated or
// pushed): record is the row encoded as JSON.
func (c *Context) RowFailedRow(src int, view string, record []byte, err error) {
	if c.rec != nil {
		c.rec.add(call{kind: callRowFailedRow, src: src, i: -1, view: view, record: record, err: err})
		return
	}
	if c.onMalformed != nil {
		c.onMalformed(src, 0, 0, record, fmt.Errorf("view %s: %w", view, err))
		return
	}
	if c.sources == nil { // a Context not made by Run (benchmarks) only counts
		c.failedUncounted++
		return
	}
	s := &c.sources[src]
	s.Failed++
	c.deadLetter.write(failedRecord{Source: s.Name, View: view, Error: err.Error(), Record: string(record)})
	if s.Failed <= maxLoggedPerSource {
		c.console.logf("source %s: view %s: %v; written to %s", s.Name, view, err, c.deadLetter.where())
	}
}

// OutputFailed reports a result row of view `view` that cannot be
// represented (a SUM out of the BIGINT range): the group (its key, and the
// window's start for a windowed view, µs) emits no row, and the report goes
// to the dead-letter output. An updating view retracts the group's previous
// row, so its table holds no wrong value.
func (c *Context) OutputFailed(view string, windowStart int64, windowed bool, key any, err error) {
	if c.rec != nil {
		c.rec.add(call{kind: callOutputFailed, i: -1, view: view, start: windowStart, windowed: windowed, key: key, err: err})
		return
	}
	c.outputFailed++
	rec := failedRecord{View: view, Error: err.Error(), Group: keyValues(key)}
	if windowed {
		rec.Window = &windowStart
	}
	if c.deadLetter == nil { // embedded or benchmark: counted only
		return
	}
	c.deadLetter.write(rec)
	if c.outputFailed <= maxLoggedPerSource {
		c.console.logf("view %s group %v: %v; written to %s", view, rec.Group, err, c.deadLetter.where())
	}
}

// keyValues lists the fields of a generated group key struct, a nullable
// one (value.Null: V and Valid) as its value or nil. Only failure reports
// use it, so reflection costs nothing on the hot path.
func keyValues(key any) []any {
	v := reflect.ValueOf(key)
	if v.Kind() != reflect.Struct {
		return []any{key}
	}
	out := make([]any, 0, v.NumField())
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() == reflect.Struct {
			if valid := f.FieldByName("Valid"); valid.IsValid() && f.FieldByName("V").IsValid() {
				if !valid.Bool() {
					out = append(out, nil)
					continue
				}
				f = f.FieldByName("V")
			}
		}
		out = append(out, f.Interface())
	}
	return out
}
