package connector

import (
	"fmt"
	"strings"
	"testing"

	"github.com/laminar-sql/laminar/runtime/wal"
)

// readAll reads every batch of s and returns its lines as "lineNo@offset:text"
// and the position after each batch.
func readAll(t *testing.T, s Source) ([]string, []Position) {
	t.Helper()
	var lines []string
	var positions []Position
	var b LineBatch
	for {
		more, err := s.Next(&b, 2)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range b.Lines {
			lines = append(lines, fmt.Sprintf("%d@%d:%s", b.LineNos[i], b.Offsets[i], l))
		}
		positions = append(positions, s.(Positioned).Position())
		if !more {
			return lines, positions
		}
	}
}

func TestWALSourceReplaysAndResumes(t *testing.T) {
	dir := t.TempDir()
	const input = "a\nb\n\nc\nd\ne\n"
	want, _ := readAll(t, NewReaderSource(strings.NewReader(input), "stdin"))

	// First run: the whole input goes through the log.
	s, err := OpenWALSource(dir, strings.NewReader(input), "stdin", Position{}, wal.Options{})
	must(t, err)
	got, positions := readAll(t, s)
	must(t, s.Close())
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("first run read %v, want %v", got, want)
	}

	for i, from := range positions {
		t.Run(fmt.Sprintf("from batch %d", i), func(t *testing.T) {
			// A restart from a checkpoint at `from`: the producer sends
			// only what the log does not hold (nothing here).
			s, err := OpenWALSource(dir, strings.NewReader(""), "stdin", from, wal.Options{})
			must(t, err)
			defer s.Close()
			if acked := s.Acked(); acked.Offset != int64(len(input)) {
				t.Errorf("acked %+v, want offset %d", acked, len(input))
			}
			got, _ := readAll(t, s)
			var rest []string
			for _, l := range want {
				var lineNo int64
				fmt.Sscanf(l, "%d@", &lineNo)
				if lineNo > from.Line {
					rest = append(rest, l)
				}
			}
			if strings.Join(got, " ") != strings.Join(rest, " ") {
				t.Errorf("replayed %v, want %v", got, rest)
			}
		})
	}

	// More input after a restart continues offsets and line numbers.
	s, err = OpenWALSource(dir, strings.NewReader("f\n"), "stdin", positions[len(positions)-1], wal.Options{})
	must(t, err)
	got, _ = readAll(t, s)
	must(t, s.Close())
	if w := fmt.Sprintf("7@%d:f", len(input)); len(got) != 1 || got[0] != w {
		t.Errorf("after the restart read %v, want [%s]", got, w)
	}
}

func TestWALSourceRemovesCoveredSegments(t *testing.T) {
	dir := t.TempDir()
	input := strings.Repeat("0123456789abcdef0123456789abcdef\n", 200)
	s, err := OpenWALSource(dir, strings.NewReader(input), "stdin", Position{}, wal.Options{SegmentSize: 512})
	must(t, err)
	_, positions := readAll(t, s)
	last := positions[len(positions)-1]
	must(t, s.RemoveBefore(last))
	must(t, s.Close())
	if _, err := OpenWALSource(dir, strings.NewReader(""), "stdin", positions[0], wal.Options{SegmentSize: 512}); err == nil {
		t.Error("replay from a removed segment: no error")
	}
	s, err = OpenWALSource(dir, strings.NewReader(""), "stdin", last, wal.Options{SegmentSize: 512})
	must(t, err)
	if got, _ := readAll(t, s); len(got) != 0 {
		t.Errorf("replay from the last position read %v", got)
	}
	must(t, s.Close())
}

func FuzzDecodeBatch(f *testing.F) {
	var b LineBatch
	b.Lines = [][]byte{[]byte("x"), []byte(`{"a":1}`)}
	b.Offsets = []int64{0, 2}
	b.LineNos = []int64{1, 2}
	f.Add(encodeBatch(nil, &b, 10, 3))
	b.Oversized = []Oversized{{Line: 3, Offset: 10, Length: 5000, Prefix: []byte("long")}}
	f.Add(encodeBatch(nil, &b, 5011, 4))
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		var got LineBatch
		end, err := decodeBatch(data, &got)
		if err != nil {
			return
		}
		again := encodeBatch(nil, &got, end.Offset, end.Line)
		var round LineBatch
		if _, err := decodeBatch(again, &round); err != nil || len(round.Lines) != len(got.Lines) || len(round.Oversized) != len(got.Oversized) {
			t.Fatalf("re-encoded batch does not decode: %v", err)
		}
	})
}
