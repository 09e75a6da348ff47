package connector

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

type record struct {
	Text   string
	Offset int64
	LineNo int64
}

// splitLines is the obvious, slow definition of what a source yields.
func splitLines(data string, startOffset, startLine int64) []record {
	var out []record
	off, lineNo := startOffset, startLine
	for len(data) > 0 {
		line, rest, found := strings.Cut(data, "\n")
		lineNo++
		text := strings.TrimSuffix(line, "\r")
		if text != "" {
			out = append(out, record{text, off, lineNo})
		}
		off += int64(len(line))
		if found {
			off++
		}
		data = rest
	}
	return out
}

// drain reads src to its end the way the job's reader does, with two batches
// in turn, and checks that the batch returned before stays intact while the
// next one is filled.
func drain(t testing.TB, src Source, maxLines int) ([]record, error) {
	recs, _, err := drainAll(t, src, maxLines)
	return recs, err
}

// drainAll is drain that also returns the over-long records reported.
func drainAll(t testing.TB, src Source, maxLines int) ([]record, []Oversized, error) {
	t.Helper()
	var batches [2]LineBatch
	var prev *LineBatch
	var prevCopy []record
	var out []record
	var over []Oversized
	for i := 0; ; i++ {
		b := &batches[i%2]
		more, err := src.Next(b, maxLines)
		if prev != nil {
			if got := batchRecords(prev); !reflect.DeepEqual(got, prevCopy) {
				t.Fatalf("batch %d changed while batch %d was filled: %+v, want %+v", i-1, i, got, prevCopy)
			}
		}
		if b.Len() > maxLines {
			t.Fatalf("batch of %d lines, max %d", b.Len(), maxLines)
		}
		if n := len(b.Lines); n > 0 {
			last := b.Lines[n-1]
			if int64(len(b.Text)) != b.Offsets[n-1]-b.Offsets[0]+int64(len(last)) || !bytes.HasPrefix(b.Text, b.Lines[0]) || !bytes.HasSuffix(b.Text, last) {
				t.Fatalf("batch %d: Text %q does not span its lines %q", i, b.Text, b.Lines)
			}
		}
		recs := batchRecords(b)
		out = append(out, recs...)
		over = append(over, b.Oversized...)
		if err != nil || !more {
			return out, over, err
		}
		prev, prevCopy = b, recs
		if i > 1e6 {
			t.Fatal("source never ends")
		}
	}
}

func batchRecords(b *LineBatch) []record {
	var recs []record
	for i := range b.Lines {
		recs = append(recs, record{string(b.Lines[i]), b.Offsets[i], b.LineNos[i]})
	}
	return recs
}

var sourceInputs = []struct {
	name string
	data string
}{
	{"empty", ""},
	{"one line", "a\n"},
	{"no final newline", "a\nbb\nccc"},
	{"crlf", "a\r\nbb\r\n\r\nccc\r"},
	{"blank lines", "\n\n a \n\n\nb\n\n"},
	{"only blank", "\n\r\n\n"},
	{"lone cr inside", "a\rb\nc\r\r\n"},
	{"long line", "x\n" + strings.Repeat("0123456789", 50) + "\ny\n"},
	{"many lines", strings.Repeat("{\"k\":1}\n", 300)},
}

func TestReaderSourceMatchesSplit(t *testing.T) {
	for _, in := range sourceInputs {
		for _, bufSize := range []int{1, 3, 8, 64, defaultBufferSize} {
			for _, maxLines := range []int{1, 2, 5, 1024} {
				name := fmt.Sprintf("%s/buf%d/max%d", in.name, bufSize, maxLines)
				t.Run(name, func(t *testing.T) {
					want := splitLines(in.data, 0, 0)
					for _, r := range []io.Reader{
						strings.NewReader(in.data),
						iotest.OneByteReader(strings.NewReader(in.data)),
						iotest.DataErrReader(strings.NewReader(in.data)),
					} {
						src := newReaderSource(r, "test", bufSize, MaxLineBytes)
						got, err := drain(t, src, maxLines)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(got, want) {
							t.Fatalf("got %+v\nwant %+v", got, want)
						}
						if src.Offset() != int64(len(in.data)) {
							t.Errorf("Offset() = %d at the end, want %d", src.Offset(), len(in.data))
						}
						if wantLines := int64(strings.Count(in.data, "\n")); src.LinesRead() < wantLines {
							t.Errorf("LinesRead() = %d, want at least %d", src.LinesRead(), wantLines)
						}
					}
				})
			}
		}
	}
}

// A record longer than the limit is skipped and reported, with its line,
// offset, length and first bytes; the lines after it are read on.
func TestLineTooLong(t *testing.T) {
	long := strings.Repeat("x", 100)
	data := "short\nalso short\n" + long + "\nafter\n" + long
	for _, bufSize := range []int{4, 64, 1024} {
		src := newReaderSource(strings.NewReader(data), "in.jsonl", bufSize, 64)
		got, over, err := drainAll(t, src, 10)
		if err != nil {
			t.Fatal(err)
		}
		if want := splitLines(data, 0, 0); !reflect.DeepEqual(got, []record{want[0], want[1], want[3]}) {
			t.Errorf("buf %d: got %+v", bufSize, got)
		}
		wantOver := []Oversized{{Line: 3, Offset: 17, Length: 100, Prefix: []byte(long)}, {Line: 5, Offset: 124, Length: 100, Prefix: []byte(long)}}
		if !reflect.DeepEqual(over, wantOver) {
			t.Errorf("buf %d: oversized %+v, want %+v", bufSize, over, wantOver)
		}
	}
}

func TestLineOfExactlyMaxLength(t *testing.T) {
	long := strings.Repeat("y", 64)
	// The limit counts the bytes before "\n", a "\r" included.
	data := long + "\n" + long[1:] + "\r\n" + long
	src := newReaderSource(strings.NewReader(data), "in", 4, 64)
	got, err := drain(t, src, 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := splitLines(data, 0, 0); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestReadErrorNamesSource(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("a\nb\n"), iotest.ErrReader(boom))
	src := newReaderSource(r, "feed", 2, 64)
	got, err := drain(t, src, 100)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "read feed") {
		t.Fatalf("err = %v", err)
	}
	if len(got) != 2 {
		t.Errorf("got %d records, want the 2 read before the error", len(got))
	}
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestReaderWithoutProgress(t *testing.T) {
	src := NewReaderSource(zeroReader{}, "stuck")
	var b LineBatch
	if _, err := src.Next(&b, 10); !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("err = %v, want io.ErrNoProgress", err)
	}
}

func TestBatchByteCap(t *testing.T) {
	line := strings.Repeat("z", 100<<10) // 100 KiB
	data := strings.Repeat(line+"\n", 40)
	src := NewReaderSource(strings.NewReader(data), "big")
	var b LineBatch
	total := 0
	for {
		more, err := src.Next(&b, 1000)
		if err != nil {
			t.Fatal(err)
		}
		size := 0
		for _, l := range b.Lines {
			size += len(l)
		}
		if size >= MaxBatchBytes+len(line) {
			t.Fatalf("batch of %d bytes, cap %d", size, MaxBatchBytes)
		}
		total += b.Len()
		if !more {
			break
		}
	}
	if total != 40 {
		t.Errorf("read %d lines, want 40", total)
	}
}

// A pipe's reader gets the lines written so far without waiting for a full
// batch: `laminarc run` over stdin shows results as input arrives.
func TestPipeReturnsWhatIsReady(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	go pw.Write([]byte("a\nb\n"))
	src := NewReaderSource(pr, "stdin")
	var b LineBatch
	more, err := src.Next(&b, 1024)
	if err != nil || !more {
		t.Fatalf("Next = %v, %v", more, err)
	}
	if got := batchRecords(&b); len(got) != 2 {
		t.Fatalf("got %+v, want a and b", got)
	}
}

func writeTemp(t *testing.T, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFileSourceResumesAtOffset(t *testing.T) {
	data := "l1\r\n\nl3\nl4\n\nl6\nl7"
	path := writeTemp(t, data)
	all := splitLines(data, 0, 0)

	// Read a few lines, note the position, resume from it in a new source.
	src, err := OpenFile(path, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b LineBatch
	if _, err := src.Next(&b, 2); err != nil {
		t.Fatal(err)
	}
	first := batchRecords(&b)
	offset, lines := src.Offset(), src.LinesRead()
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if want := all[:2]; !reflect.DeepEqual(first, want) {
		t.Fatalf("first batch %+v, want %+v", first, want)
	}
	if offset != 8 || lines != 3 {
		t.Fatalf("position after 2 records = (%d, %d), want (8, 3)", offset, lines)
	}

	resumed, err := OpenFile(path, offset, lines)
	if err != nil {
		t.Fatal(err)
	}
	defer resumed.Close()
	rest, err := drain(t, resumed, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := all[2:]; !reflect.DeepEqual(rest, want) {
		t.Fatalf("after resume %+v, want %+v", rest, want)
	}
	if got := splitLines(data[offset:], offset, lines); !reflect.DeepEqual(rest, got) {
		t.Fatalf("resume disagrees with reference: %+v vs %+v", rest, got)
	}
}

func TestOpenFileErrors(t *testing.T) {
	path := writeTemp(t, "abc\n")
	if _, err := OpenFile(path, 5, 0); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("offset past the end: err = %v, want one naming the file", err)
	}
	if _, err := OpenFile(path, -1, 0); err == nil {
		t.Error("negative offset: no error")
	}
	missing := filepath.Join(t.TempDir(), "missing.jsonl")
	if _, err := OpenFile(missing, 0, 0); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: err = %v", err)
	}
	// At the very end is a valid (empty) resume point.
	src, err := OpenFile(path, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if got, err := drain(t, src, 10); err != nil || len(got) != 0 {
		t.Errorf("resume at end = %+v, %v", got, err)
	}
}

func TestFileSourceReadErrorNamesPath(t *testing.T) {
	dir := t.TempDir() // reading a directory fails on Read, not on Open
	src, err := OpenFile(dir, 0, 0)
	if err != nil {
		t.Skip("cannot open a directory here:", err)
	}
	defer src.Close()
	var b LineBatch
	if _, err := src.Next(&b, 10); err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("err = %v, want one naming %s", err, dir)
	}
}

// repeatReader yields the same bytes forever.
type repeatReader struct {
	data []byte
	pos  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.data[r.pos:])
		n += c
		r.pos = (r.pos + c) % len(r.data)
	}
	return n, nil
}

func TestNextDoesNotAllocate(t *testing.T) {
	src := NewReaderSource(&repeatReader{data: []byte(`{"symbol":"ACME","price":12.5}` + "\r\n")}, "loop")
	var batches [2]LineBatch
	i := 0
	next := func() {
		if _, err := src.Next(&batches[i%2], 1024); err != nil {
			t.Fatal(err)
		}
		i++
	}
	for range 200 { // warm up: buffers and batch capacities reach steady state
		next()
	}
	if allocs := testing.AllocsPerRun(200, next); allocs != 0 {
		t.Errorf("%v allocations per batch, want 0", allocs)
	}
}

func FuzzReaderSource(f *testing.F) {
	for _, in := range sourceInputs {
		f.Add([]byte(in.data), uint8(3), uint8(2))
	}
	f.Add([]byte("\r\n\r\r\n\n"), uint8(1), uint8(1))
	f.Add([]byte("\uFEFFa\n\uFEFF\n"), uint8(2), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, bufSize, maxLines uint8) {
		const maxLine = 40
		src := newReaderSource(iotest.HalfReader(bytes.NewReader(data)), "fuzz", int(bufSize%16)+1, maxLine)
		got, over, err := drainAll(t, src, int(maxLines%8)+1)
		if err != nil {
			t.Fatal(err)
		}
		// the obvious definition, with records longer than maxLine set aside
		var want []record
		var wantOver []Oversized
		off, lineNo := int64(0), int64(0)
		for rest := string(data); len(rest) > 0; {
			line, after, found := strings.Cut(rest, "\n")
			lineNo++
			if off == 0 && strings.HasPrefix(line, "\uFEFF") {
				line, off = line[3:], 3 // a byte-order mark opens the input
			}
			if len(line) > maxLine {
				wantOver = append(wantOver, Oversized{Line: lineNo, Offset: off, Length: int64(len(line)), Prefix: []byte(line[:min(len(line), OversizedPrefix)])})
			} else if text := strings.TrimSuffix(line, "\r"); text != "" {
				want = append(want, record{text, off, lineNo})
			}
			off += int64(len(line))
			if found {
				off++
			}
			rest = after
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v\nwant %+v", got, want)
		}
		if len(over) != len(wantOver) || (len(over) > 0 && !reflect.DeepEqual(over, wantOver)) {
			t.Fatalf("oversized %+v\nwant %+v", over, wantOver)
		}
	})
}
