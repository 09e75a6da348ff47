package connector

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/laminar-sql/laminar/runtime/wal"
)

// WALSource reads input that cannot be replayed from its origin, such as
// stdin, through a write-ahead log: every batch read from the input is
// appended to the log (and fsynced, under the log's default policy) before
// Next returns it, so a batch the job processes is never lost. After a crash
// the source first replays the log from the position the checkpoint
// recorded, then reads the input on.
//
// What the log holds is acknowledged: a producer that restarts the job sends
// its input again from Acked().Offset (the job says so on stderr), not from
// the start, just as a producer that keeps data until it is acknowledged
// would. Offsets and line numbers count through the whole logical input,
// across restarts.
//
// Each log record is one batch: a uvarint line count, then per line its
// line number and offset (uvarints), its length (uvarint) and bytes; then
// the input offset and line count after the batch (uvarints); then, only if
// the batch has over-long records, their count and per record its line
// number, offset, length, prefix length and prefix.
type WALSource struct {
	log    *wal.WAL
	replay *wal.Reader // records after the checkpoint; nil once replayed
	in     *ReaderSource
	name   string

	pos   Position // after the last batch returned
	acked Position // the input the log holds, up to its end
	// recovery is what opening the log found, a torn tail cut included
	recovery wal.Recovery

	// Replayed lines point into these, alternately, so that the lines of
	// the batch returned last stay valid while the next is filled.
	bufs [2][]byte
	cur  int
	enc  []byte // the record being appended
}

// OpenWALSource opens (or creates) the log in dir for input in, named name
// in messages, and positions it at from: the Position a checkpoint recorded,
// or the zero Position to replay the whole log (no checkpoint yet).
func OpenWALSource(dir string, in io.Reader, name string, from Position, opts wal.Options) (*WALSource, error) {
	log, rec, err := wal.Open(dir, opts)
	if err != nil {
		return nil, err
	}
	s := &WALSource{log: log, name: name, pos: from, recovery: rec}
	start, err := parseWALPosition(from.WAL)
	if err == nil {
		s.acked, err = s.scanEnd(start)
	}
	if err == nil {
		s.replay, err = log.NewReader(start)
	}
	if err != nil {
		log.Close()
		return nil, fmt.Errorf("%s: write-ahead log %s: %w", name, dir, err)
	}
	s.in = NewReaderSource(in, name)
	s.in.base, s.in.lineNo = s.acked.Offset, s.acked.Line
	return s, nil
}

func parseWALPosition(text string) (wal.Position, error) {
	var p wal.Position
	if text == "" {
		return p, nil
	}
	if _, err := fmt.Sscanf(text, "%d:%d", &p.Segment, &p.Offset); err != nil {
		return p, fmt.Errorf("bad position %q", text)
	}
	return p, nil
}

// scanEnd reads the log from start to its end and returns the input
// position its last record ends at.
func (s *WALSource) scanEnd(start wal.Position) (Position, error) {
	r, err := s.log.NewReader(start)
	if err != nil {
		return Position{}, err
	}
	defer r.Close()
	end := s.pos
	end.WAL = ""
	for {
		payload, _, err := r.Next()
		if errors.Is(err, io.EOF) {
			return end, nil
		}
		if err != nil {
			return Position{}, err
		}
		var b LineBatch
		if end, err = decodeBatch(payload, &b); err != nil {
			return Position{}, err
		}
	}
}

// Acked is the position in the input up to which the log holds it: a
// producer resumes sending from Acked().Offset.
func (s *WALSource) Acked() Position { return s.acked }

// SetQuotedNewlines makes the input's records CSV records (see
// ReaderSource.SetQuotedNewlines).
func (s *WALSource) SetQuotedNewlines() { s.in.SetQuotedNewlines() }

// SetMaxLine sets the longest record read from the input (n > 0).
func (s *WALSource) SetMaxLine(n int) { s.in.SetMaxLine(n) }

// Recovery is what opening the log found: a torn tail (a batch whose append
// a crash interrupted, never acknowledged) was cut if Recovery().Torn.
func (s *WALSource) Recovery() wal.Recovery { return s.recovery }

// Position implements Positioned.
func (s *WALSource) Position() Position { return s.pos }

// Next implements Source: replayed batches first, then the input's.
func (s *WALSource) Next(b *LineBatch, maxLines int) (bool, error) {
	if s.replay != nil {
		payload, walPos, err := s.replay.Next()
		if err == nil {
			s.cur = 1 - s.cur
			s.bufs[s.cur] = append(s.bufs[s.cur][:0], payload...)
			end, err := decodeBatch(s.bufs[s.cur], b)
			if err != nil {
				return false, fmt.Errorf("%s: write-ahead log: %w", s.name, err)
			}
			end.WAL = walPos.String()
			s.pos = end
			return true, nil
		}
		if !errors.Is(err, io.EOF) {
			return false, fmt.Errorf("%s: write-ahead log: %w", s.name, err)
		}
		s.replay.Close()
		s.replay = nil
	}
	before := s.in.Offset()
	more, err := s.in.Next(b, maxLines)
	if s.in.Offset() != before {
		s.enc = encodeBatch(s.enc[:0], b, s.in.Offset(), s.in.LinesRead())
		walPos, aerr := s.log.Append(s.enc)
		if aerr != nil {
			return false, fmt.Errorf("%s: write-ahead log: %w", s.name, aerr)
		}
		s.pos = Position{Offset: s.in.Offset(), Line: s.in.LinesRead(), WAL: walPos.String()}
		s.acked = s.pos
	}
	return more, err
}

// RemoveBefore deletes the log segments that end before p (a Position this
// source returned), once a durable checkpoint no longer needs them.
func (s *WALSource) RemoveBefore(p Position) error {
	wp, err := parseWALPosition(p.WAL)
	if err != nil || p.WAL == "" {
		return err
	}
	if err := s.log.RemoveBefore(wp); !errors.Is(err, wal.ErrClosed) {
		return err
	}
	// The source ended and closed its log before the job's last checkpoint:
	// the segments go at the next start's second checkpoint.
	return nil
}

// Close closes the log; the input belongs to the caller.
func (s *WALSource) Close() error {
	if s.replay != nil {
		s.replay.Close()
	}
	return s.log.Close()
}

func encodeBatch(buf []byte, b *LineBatch, endOffset, endLine int64) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(b.Lines)))
	for i, line := range b.Lines {
		buf = binary.AppendUvarint(buf, uint64(b.LineNos[i]))
		buf = binary.AppendUvarint(buf, uint64(b.Offsets[i]))
		buf = binary.AppendUvarint(buf, uint64(len(line)))
		buf = append(buf, line...)
	}
	buf = binary.AppendUvarint(buf, uint64(endOffset))
	buf = binary.AppendUvarint(buf, uint64(endLine))
	if len(b.Oversized) > 0 {
		buf = binary.AppendUvarint(buf, uint64(len(b.Oversized)))
		for _, o := range b.Oversized {
			buf = binary.AppendUvarint(buf, uint64(o.Line))
			buf = binary.AppendUvarint(buf, uint64(o.Offset))
			buf = binary.AppendUvarint(buf, uint64(o.Length))
			buf = binary.AppendUvarint(buf, uint64(len(o.Prefix)))
			buf = append(buf, o.Prefix...)
		}
	}
	return buf
}

// errBadRecord is a log record that does not decode as a batch.
var errBadRecord = errors.New("malformed batch record")

// uvarints reads uvarints from data, remembering the first failure.
type uvarints struct {
	data []byte
	err  error
}

func (d *uvarints) next() int64 {
	v, n := binary.Uvarint(d.data)
	if n <= 0 || v > 1<<62 {
		d.err, d.data = errBadRecord, nil
		return 0
	}
	d.data = d.data[n:]
	return int64(v)
}

// decodeBatch fills b with the lines of a record (pointing into data) and
// returns the input position after them.
func decodeBatch(data []byte, b *LineBatch) (Position, error) {
	b.Reset()
	d := uvarints{data: data}
	for n := d.next(); n > 0 && d.err == nil; n-- {
		lineNo, offset, size := d.next(), d.next(), d.next()
		if d.err != nil || size > int64(len(d.data)) {
			return Position{}, errBadRecord
		}
		b.Lines = append(b.Lines, d.data[:size:size])
		b.Offsets = append(b.Offsets, offset)
		b.LineNos = append(b.LineNos, lineNo)
		d.data = d.data[size:]
	}
	end := Position{Offset: d.next(), Line: d.next()}
	if d.err == nil && len(d.data) > 0 {
		for n := d.next(); n > 0 && d.err == nil; n-- {
			o := Oversized{Line: d.next(), Offset: d.next(), Length: d.next()}
			size := d.next()
			if d.err != nil || size > int64(len(d.data)) {
				return Position{}, errBadRecord
			}
			o.Prefix = d.data[:size:size]
			d.data = d.data[size:]
			b.Oversized = append(b.Oversized, o)
		}
	}
	if d.err != nil || len(d.data) != 0 {
		return Position{}, errBadRecord
	}
	return end, nil
}
