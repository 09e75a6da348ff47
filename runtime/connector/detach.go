package connector

import "errors"

// Detach wraps s so that the lines of each batch live in memory of that
// batch alone: they stay valid until the same batch is passed to Next again,
// however many other batches are filled meanwhile. A source's own batches
// point into its two buffers (see Source), which allows one batch in work
// while the next is read; decoding batches on several goroutines needs more
// in flight, and copying the lines costs far less than decoding them.
//
// Offsets, line numbers, positions and errors are those of s, so checkpoints
// and dead-letter reports stay exact. It is for line sources only: a typed
// source's records are owned by its batch and fail Next.
func Detach(s Source) Source {
	return &detached{src: s, arenas: make(map[*LineBatch][]byte)}
}

type detached struct {
	src    Source
	inner  LineBatch
	arenas map[*LineBatch][]byte // each batch's copy of its lines, reused
}

// Next implements Source.
func (d *detached) Next(b *LineBatch, maxLines int) (more bool, err error) {
	more, err = d.src.Next(&d.inner, maxLines)
	b.Reset()
	n := 0
	for _, l := range d.inner.Lines {
		n += len(l)
	}
	arena := d.arenas[b][:0]
	if text := d.inner.Text; d.contiguous() {
		// A reader's batch: its lines lie in Text at their offsets from the
		// first line's. One copy of the stretch, line ends included, and
		// the copy is the batch's Text, checked in one pass by its readers.
		if cap(arena) < len(text) {
			arena = make([]byte, 0, len(text)+len(text)/4)
		}
		arena = append(arena, text...)
		base := d.inner.Offsets[0]
		for i, l := range d.inner.Lines {
			at := int(d.inner.Offsets[i] - base)
			b.Lines = append(b.Lines, arena[at:at+len(l):at+len(l)])
		}
		b.Text = arena
	} else {
		if cap(arena) < n {
			// Grown before copying: the lines must not move once sliced.
			arena = make([]byte, 0, n+n/4)
		}
		for _, l := range d.inner.Lines {
			start := len(arena)
			arena = append(arena, l...)
			b.Lines = append(b.Lines, arena[start:len(arena):len(arena)])
		}
	}
	d.arenas[b] = arena
	b.Offsets = append(b.Offsets, d.inner.Offsets...)
	b.LineNos = append(b.LineNos, d.inner.LineNos...)
	b.Partitions = append(b.Partitions, d.inner.Partitions...)
	b.Weights = append(b.Weights, d.inner.Weights...)
	// keys and header values point into the source's records, which Kafka
	// does not reuse
	b.Keys = append(b.Keys, d.inner.Keys...)
	b.Timestamps = append(b.Timestamps, d.inner.Timestamps...)
	b.Headers = append(b.Headers, d.inner.Headers...)
	b.AllPartitions = append(b.AllPartitions, d.inner.AllPartitions...)
	b.IdlePartitions = append(b.IdlePartitions, d.inner.IdlePartitions...)
	b.Rejected = append(b.Rejected, d.inner.Rejected...) // copies already
	b.SkippedRecords += d.inner.SkippedRecords
	// Oversized records carry copies of their prefixes already. Text is
	// nil unless the lines were copied as one stretch: its readers then
	// look at the lines one by one.
	b.Oversized = append(b.Oversized, d.inner.Oversized...)
	if d.inner.TypedLen > 0 && err == nil {
		// A typed source's records live in its batch, reused by the next
		// Next: they cannot be handed on like lines.
		return false, errors.New("connector: Detach of a typed source")
	}
	return more, err
}

// contiguous tells whether the inner batch's lines lie in its Text at
// their input offsets from the first line's, which Text promises for a
// reader's batch (Offsets are offsets in one input, not per partition).
func (d *detached) contiguous() bool {
	in := &d.inner
	n := len(in.Lines)
	if in.Text == nil || n == 0 || len(in.Offsets) != n || len(in.Partitions) != 0 {
		return false
	}
	for i, l := range in.Lines {
		at := in.Offsets[i] - in.Offsets[0]
		if at < 0 || at+int64(len(l)) > int64(len(in.Text)) {
			return false
		}
	}
	return true
}

// Position implements Positioned: the wrapped source's position, or the
// zero Position if it has none.
func (d *detached) Position() Position {
	if p, ok := d.src.(Positioned); ok {
		return p.Position()
	}
	return Position{}
}

// Close closes the wrapped source.
func (d *detached) Close() error { return d.src.Close() }
