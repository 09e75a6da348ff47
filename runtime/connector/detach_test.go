package connector

import (
	"fmt"
	"strings"
	"testing"
)

// TestDetachKeepsBatches fills many batches before looking at any: each keeps
// its own lines, offsets and line numbers, as the wrapped source read them.
func TestDetachKeepsBatches(t *testing.T) {
	var in strings.Builder
	var want []string
	for i := range 500 {
		line := fmt.Sprintf("line %d %s", i, strings.Repeat("y", i%17))
		want = append(want, line)
		in.WriteString(line + "\n")
	}
	// Small buffers, so that the wrapped source reuses them many times over.
	s := Detach(newReaderSource(strings.NewReader(in.String()), "test", 64, 1<<10))
	var batches []*LineBatch
	for more := true; more; {
		b := new(LineBatch)
		var err error
		if more, err = s.Next(b, 5); err != nil {
			t.Fatal(err)
		}
		batches = append(batches, b)
	}
	var offset int64
	n := 0
	for _, b := range batches {
		for i, line := range b.Lines {
			if string(line) != want[n] || b.Offsets[i] != offset || b.LineNos[i] != int64(n+1) {
				t.Fatalf("line %d: %q at offset %d (line %d), want %q at %d", n+1, line, b.Offsets[i], b.LineNos[i], want[n], offset)
			}
			offset += int64(len(line)) + 1
			n++
		}
	}
	if n != len(want) {
		t.Fatalf("read %d lines, want %d", n, len(want))
	}
	if p := s.(Positioned).Position(); p.Offset != offset || p.Line != int64(n) {
		t.Errorf("position %+v, want offset %d line %d", p, offset, n)
	}
}

// TestDetachCopiesText checks the one-copy path: the detached batch's Text
// is the stretch of input with its lines (CRLF ends and blank lines
// between them included), and each line is the Text at its offset.
func TestDetachCopiesText(t *testing.T) {
	var in strings.Builder
	var want []string
	for i := range 300 {
		line := fmt.Sprintf("line %d %s", i, strings.Repeat("z", i%23))
		want = append(want, line)
		in.WriteString(line)
		switch i % 3 {
		case 0:
			in.WriteString("\r\n")
		case 1:
			in.WriteString("\n\n")
		default:
			in.WriteString("\n")
		}
	}
	input := in.String()
	s := Detach(newReaderSource(strings.NewReader(input), "test", 128, 1<<10))
	var batches []*LineBatch
	for more := true; more; {
		b := new(LineBatch)
		var err error
		if more, err = s.Next(b, 7); err != nil {
			t.Fatal(err)
		}
		batches = append(batches, b)
	}
	n := 0
	for _, b := range batches {
		if len(b.Lines) == 0 {
			continue
		}
		first := b.Offsets[0]
		last := b.Offsets[len(b.Lines)-1] + int64(len(b.Lines[len(b.Lines)-1]))
		if string(b.Text) != input[first:last] {
			t.Fatalf("batch at %d: Text %q, want %q", first, b.Text, input[first:last])
		}
		for i, line := range b.Lines {
			at := b.Offsets[i] - first
			if string(line) != want[n] || string(b.Text[at:at+int64(len(line))]) != want[n] {
				t.Fatalf("line %d: %q, want %q", n+1, line, want[n])
			}
			n++
		}
	}
	if n != len(want) {
		t.Fatalf("read %d lines, want %d", n, len(want))
	}
}
