package connector

import (
	"bytes"
	"fmt"
)

// A Transcoder turns one record of a binary format into a JSON row (the
// object the generated JSON decoder reads), appended to dst.
type Transcoder func(dst, record []byte) ([]byte, error)

var formats = map[string]func(env Env, options map[string]string) (Transcoder, error){}

// RegisterFormat makes a format whose records are transcoded to JSON rows
// known by name; called from the init of a format package of its own
// (runtime/format/avro), which generated code imports only when the SQL
// names the format.
func RegisterFormat(name string, open func(env Env, options map[string]string) (Transcoder, error)) {
	formats[name] = open
}

// IsTranscoded tells whether records of format are transcoded (a format
// package registered it).
func IsTranscoded(format string) bool { _, ok := formats[format]; return ok }

// NewTranscodeSource reads inner's records through the transcoder of
// format; records it cannot read go to LineBatch.Rejected.
func NewTranscodeSource(env Env, inner Source, format string, options map[string]string) (Source, error) {
	open, ok := formats[format]
	if !ok {
		return nil, fmt.Errorf("format %q is not linked into this job", format)
	}
	t, err := open(env, options)
	if err != nil {
		return nil, err
	}
	return &transcodeSource{inner: inner, t: t}, nil
}

type transcodeSource struct {
	inner Source
	t     Transcoder
	in    LineBatch
	bufs  [2][]byte // a batch's rows stay valid while the next is filled
	cur   int
}

func (s *transcodeSource) Position() Position {
	if p, ok := s.inner.(Positioned); ok {
		return p.Position()
	}
	return Position{}
}

func (s *transcodeSource) Close() error { return s.inner.Close() }

func (s *transcodeSource) Next(b *LineBatch, maxLines int) (bool, error) {
	more, err := s.inner.Next(&s.in, maxLines)
	b.Reset()
	b.Oversized = append(b.Oversized, s.in.Oversized...)
	b.AllPartitions = append(b.AllPartitions, s.in.AllPartitions...)
	b.IdlePartitions = append(b.IdlePartitions, s.in.IdlePartitions...)
	s.cur ^= 1
	buf := s.bufs[s.cur][:0]
	var ends []int
	for i, rec := range s.in.Lines {
		out, terr := s.t(buf, rec)
		if terr != nil {
			part := int32(-1)
			if i < len(s.in.Partitions) {
				part = s.in.Partitions[i]
			}
			b.Rejected = append(b.Rejected, Rejected{Line: s.in.LineNos[i], Offset: s.in.Offsets[i], Partition: part,
				Record: bytes.Clone(rec), Err: terr})
			continue
		}
		buf = out
		ends = append(ends, len(buf))
		b.Offsets = append(b.Offsets, s.in.Offsets[i])
		b.LineNos = append(b.LineNos, s.in.LineNos[i])
		if i < len(s.in.Partitions) {
			b.Partitions = append(b.Partitions, s.in.Partitions[i])
		}
		b.appendMeta(&s.in, i)
	}
	start := 0
	for _, end := range ends {
		b.Lines = append(b.Lines, buf[start:end:end])
		start = end
	}
	s.bufs[s.cur] = buf
	return more, err
}

var sinkFormats = map[string]func(env Env, options map[string]string) (Transcoder, error){}

// RegisterSinkFormat makes a format that sinks write known by name: its
// transcoder turns one JSON row (a line the pipeline writes, without its
// newline) into a record value. Called from the init of a format package
// of its own (runtime/format/avro), imported only when the SQL names it.
func RegisterSinkFormat(name string, open func(env Env, options map[string]string) (Transcoder, error)) {
	sinkFormats[name] = open
}

// OpenSinkFormat is the transcoder of a sink format a package registered.
func OpenSinkFormat(env Env, format string, options map[string]string) (Transcoder, error) {
	open, ok := sinkFormats[format]
	if !ok {
		return nil, fmt.Errorf("sink format %q is not linked into this job", format)
	}
	return open(env, options)
}
