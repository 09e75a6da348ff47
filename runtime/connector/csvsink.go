package connector

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
)

// NewCSVSink writes the rows a job hands a sink (JSON objects, one a line,
// keys in SELECT order; "_op" last for an updating view) to inner as CSV
// records (RFC 4180): the values in the same order, NULL as an empty field,
// strings quoted when they need it, numbers and booleans as JSON writes
// them. An exactly-once inner sink stays one: the epochs are inner's.
func NewCSVSink(inner Sink) Sink {
	c := csvSink{inner: inner}
	if es, ok := inner.(EpochSink); ok {
		return &csvEpochSink{csvSink: c, epochs: es}
	}
	return &c
}

type csvSink struct {
	inner  Sink
	buf    bytes.Buffer
	fields []string
}

type csvEpochSink struct {
	csvSink
	epochs EpochSink
}

func (s *csvEpochSink) Recover(epoch uint64, data []byte) error { return s.epochs.Recover(epoch, data) }
func (s *csvEpochSink) Prepare(epoch uint64) ([]byte, error)    { return s.epochs.Prepare(epoch) }
func (s *csvEpochSink) Commit(epoch uint64) error               { return s.epochs.Commit(epoch) }
func (s *csvEpochSink) Abort(epoch uint64) error                { return s.epochs.Abort(epoch) }

// Write transcodes whole lines of JSON rows.
func (s *csvSink) Write(p []byte) error {
	s.buf.Reset()
	w := csv.NewWriter(&s.buf)
	for len(p) > 0 {
		line := p
		if i := bytes.IndexByte(p, '\n'); i >= 0 {
			line, p = p[:i], p[i+1:]
		} else {
			p = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		fields, err := csvFields(line, s.fields[:0])
		if err != nil {
			return fmt.Errorf("csv sink: row %.200q: %w", line, err)
		}
		s.fields = fields
		if err := w.Write(fields); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return s.inner.Write(s.buf.Bytes())
}

func (s *csvSink) Flush() error { return s.inner.Flush() }
func (s *csvSink) Close() error { return s.inner.Close() }

// csvFields are the values of a JSON object, in order, as CSV fields.
func csvFields(line []byte, out []string) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	for {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if t == json.Delim('}') {
			break
		}
		// t is a key; its value follows
		v, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch v := v.(type) {
		case nil:
			out = append(out, "")
		case string:
			out = append(out, v)
		case json.Number:
			out = append(out, v.String())
		case bool:
			out = append(out, fmt.Sprint(v))
		default:
			return nil, fmt.Errorf("a value that is not a scalar")
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("text after the object")
	}
	return out, nil
}
