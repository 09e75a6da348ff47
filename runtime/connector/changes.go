package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/laminar-sql/laminar/runtime/format/jsonl"
)

// Rejected is a record of a batch that is not a change of its format (a
// Debezium event without "op", say): the job reports it to the dead-letter
// output with where it was, and the batch goes on without it.
type Rejected struct {
	Line      int64  // 1-based line number; 0 for a partitioned input
	Offset    int64  // byte offset, or the record's offset in Partition
	Partition int32  // -1 for an input without partitions
	Record    []byte // a copy
	Err       error
}

// ChangeFormats are the formats whose records are changes, read by
// NewChangeSource: "changelog" (a JSON row with "_op": "+" or "-", as the
// file sink writes updating views) and "debezium" (Debezium's JSON change
// events).
var ChangeFormats = []string{"changelog", "debezium"}

// IsChangeFormat tells whether format is one of ChangeFormats.
func IsChangeFormat(format string) bool {
	return format == "changelog" || format == "debezium"
}

// ChangeSource reads a source whose records are changes and hands out
// plain JSON rows with weights (LineBatch.Weights): a Debezium update
// becomes its "before" row retracted and its "after" row inserted. The
// rows of a batch are those of the records of the inner source's batch,
// so positions (Position) are the inner source's.
type ChangeSource struct {
	inner  Source
	format string
	in     LineBatch
	// two buffers for the rows of Debezium events: a batch's lines stay
	// valid while the next one is filled (see Source)
	bufs [2][]byte
	cur  int
	scan jsonl.Scanner
}

// NewChangeSource reads inner's records as changes in format (one of
// ChangeFormats).
func NewChangeSource(inner Source, format string) *ChangeSource {
	return &ChangeSource{inner: inner, format: format}
}

// Position implements Positioned.
func (s *ChangeSource) Position() Position {
	if p, ok := s.inner.(Positioned); ok {
		return p.Position()
	}
	return Position{}
}

// Close closes the inner source.
func (s *ChangeSource) Close() error { return s.inner.Close() }

// Next implements Source.
func (s *ChangeSource) Next(b *LineBatch, maxLines int) (bool, error) {
	more, err := s.inner.Next(&s.in, maxLines)
	b.Reset()
	b.Oversized = append(b.Oversized, s.in.Oversized...)
	b.AllPartitions = append(b.AllPartitions, s.in.AllPartitions...)
	b.IdlePartitions = append(b.IdlePartitions, s.in.IdlePartitions...)
	s.cur ^= 1
	buf := s.bufs[s.cur][:0]
	// rows point into buf: find their places once it stops growing
	type span struct{ start, end int }
	var spans []span
	for i, line := range s.in.Lines {
		part := int32(-1)
		if i < len(s.in.Partitions) {
			part = s.in.Partitions[i]
		}
		reject := func(err error) {
			b.Rejected = append(b.Rejected, Rejected{Line: s.in.LineNos[i], Offset: s.in.Offsets[i], Partition: part,
				Record: bytes.Clone(line), Err: err})
		}
		add := func(row []byte, w int8, copied bool) {
			if copied {
				spans = append(spans, span{len(buf), len(buf) + len(row)})
				buf = append(buf, row...)
				b.Lines = append(b.Lines, nil)
			} else {
				spans = append(spans, span{-1, -1})
				b.Lines = append(b.Lines, line)
			}
			b.Offsets = append(b.Offsets, s.in.Offsets[i])
			b.LineNos = append(b.LineNos, s.in.LineNos[i])
			if len(s.in.Partitions) > 0 {
				b.Partitions = append(b.Partitions, part)
			}
			b.Weights = append(b.Weights, w)
			b.appendMeta(&s.in, i)
		}
		if s.format == "changelog" {
			w, err := s.changelogWeight(line)
			if err != nil {
				reject(err)
				continue
			}
			add(line, w, false)
			continue
		}
		before, after, skip, err := debezium(line)
		switch {
		case err != nil:
			reject(err)
		case skip:
		default:
			if before != nil {
				add(before, -1, true)
			}
			if after != nil {
				add(after, 1, true)
			}
		}
	}
	for i, sp := range spans {
		if sp.start >= 0 {
			b.Lines[i] = buf[sp.start:sp.end:sp.end]
		}
	}
	s.bufs[s.cur] = buf
	return more, err
}

// changelogWeight reads the "_op" of a changelog row: "+" (or Flink's
// "+I", "+U") an insertion, "-" ("-U", "-D") a retraction; a row without
// one is an insertion. Other keys are the row's columns, decoded later.
func (s *ChangeSource) changelogWeight(line []byte) (int8, error) {
	s.scan.Reset(line)
	w := int8(1)
	for {
		key, ok := s.scan.NextKey()
		if !ok {
			break
		}
		if string(key) != "_op" {
			s.scan.Skip()
			continue
		}
		switch op := string(s.scan.Str()); op {
		case "+", "+I", "+U":
		case "-", "-U", "-D":
			w = -1
		default:
			if s.scan.Err() == nil {
				return 0, fmt.Errorf(`"_op" is %q: a changelog row's _op is "+" or "-"`, op)
			}
		}
	}
	if err := s.scan.Err(); err != nil {
		return 0, err
	}
	return w, nil
}

// debezium reads a Debezium JSON change event (with or without the
// "schema"/"payload" wrapper): the rows it retracts and inserts. A
// tombstone (an empty or null record, which follows a delete in a
// compacted topic) is skipped: it carries no change.
func debezium(line []byte) (before, after []byte, skip bool, err error) {
	t := bytes.TrimSpace(line)
	if len(t) == 0 || string(t) == "null" {
		return nil, nil, true, nil
	}
	var ev struct {
		Payload json.RawMessage `json:"payload"`
		Before  json.RawMessage `json:"before"`
		After   json.RawMessage `json:"after"`
		Op      string          `json:"op"`
	}
	if err := json.Unmarshal(t, &ev); err != nil {
		return nil, nil, false, fmt.Errorf("not a Debezium change event: %v", err)
	}
	if ev.Op == "" && len(ev.Payload) > 0 && string(ev.Payload) != "null" {
		p := ev.Payload
		ev.Payload = nil
		if err := json.Unmarshal(p, &ev); err != nil {
			return nil, nil, false, fmt.Errorf("not a Debezium change event: payload: %v", err)
		}
	}
	isRow := func(r json.RawMessage) bool { return len(r) > 0 && r[0] == '{' }
	switch ev.Op {
	case "c", "r":
		if !isRow(ev.After) {
			return nil, nil, false, fmt.Errorf(`Debezium event with op %q has no "after" row`, ev.Op)
		}
		return nil, ev.After, false, nil
	case "u":
		if !isRow(ev.Before) {
			return nil, nil, false, errors.New(`Debezium update without a "before" row: retracting the old row needs it (PostgreSQL: REPLICA IDENTITY FULL)`)
		}
		if !isRow(ev.After) {
			return nil, nil, false, errors.New(`Debezium update without an "after" row`)
		}
		return ev.Before, ev.After, false, nil
	case "d":
		if !isRow(ev.Before) {
			return nil, nil, false, errors.New(`Debezium delete without a "before" row: retracting it needs the whole old row (PostgreSQL: REPLICA IDENTITY FULL)`)
		}
		return ev.Before, nil, false, nil
	case "":
		return nil, nil, false, errors.New(`not a Debezium change event: no "op"`)
	}
	return nil, nil, false, fmt.Errorf("Debezium event with op %q: only c, r, u and d are changes of rows", ev.Op)
}
