package connector

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// A UTF-8 byte-order mark at the start of the input is not part of the
// first record (JSON and CSV alike); anywhere else it is data.
func TestByteOrderMarkIsSkipped(t *testing.T) {
	data := "\uFEFF{\"a\":1}\n\uFEFFkept\n"
	for _, bufSize := range []int{1, 2, 4, 64} {
		src := newReaderSource(strings.NewReader(data), "in", bufSize, MaxLineBytes)
		got, err := drain(t, src, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []record{{`{"a":1}`, 3, 1}, {"\uFEFFkept", 11, 2}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("buf %d: got %+v, want %+v", bufSize, got, want)
		}
	}
}

// CSV records follow RFC 4180: a newline inside a quoted field belongs to
// the record, whose line number is the line it starts on.
func TestCSVQuotedNewlines(t *testing.T) {
	data := "a,b\n1,\"two\nlines\"\r\n\"x\"\"\n\",3\n4,\"\"\n\"open\n"
	want := []record{
		{"a,b", 0, 1},
		{"1,\"two\nlines\"", 4, 2},
		{"\"x\"\"\n\",3", 19, 4},
		{"4,\"\"", 28, 6},
		{"\"open\n", 33, 7}, // unterminated: the rest of the input, for the decoder to reject
	}
	for _, bufSize := range []int{1, 3, 8, 64} {
		for _, maxLines := range []int{1, 2, 10} {
			src := newReaderSource(strings.NewReader(data), "in.csv", bufSize, MaxLineBytes)
			src.SetQuotedNewlines()
			got, err := drain(t, src, maxLines)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("buf %d, max %d: got %+v\nwant %+v", bufSize, maxLines, got, want)
			}
			if src.LinesRead() != 8 {
				t.Errorf("LinesRead %d, want 8", src.LinesRead())
			}
		}
	}
}

// csvRecords is the obvious definition of the records a CSV source yields,
// byte by byte; records longer than maxLine are set aside.
func csvRecords(data string, maxLine int) (recs []record, over []Oversized) {
	const (
		fieldStart = iota
		unquoted
		quoted
		quoteInQuoted
	)
	emit := func(a, b int) {
		line := int64(1 + strings.Count(data[:a], "\n"))
		text := data[a:b]
		if len(text) > maxLine {
			over = append(over, Oversized{Line: line, Offset: int64(a), Length: int64(len(text)), Prefix: []byte(text[:min(len(text), OversizedPrefix)])})
		} else if text = strings.TrimSuffix(text, "\r"); text != "" {
			recs = append(recs, record{text, int64(a), line})
		}
	}
	st, start := fieldStart, 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '\n' && st != quoted {
			emit(start, i)
			start, st = i+1, fieldStart
			continue
		}
		switch {
		case st == fieldStart && c == '"':
			st = quoted
		case st == fieldStart && c != ',':
			st = unquoted
		case st == unquoted && c == ',':
			st = fieldStart
		case st == quoted && c == '"':
			st = quoteInQuoted
		case st == quoteInQuoted && c == '"':
			st = quoted
		case st == quoteInQuoted:
			st = map[bool]int{true: fieldStart, false: unquoted}[c == ',']
		}
	}
	if start < len(data) {
		emit(start, len(data))
	}
	return recs, over
}

// A stray quote in an unquoted field opens nothing: the line stays one
// record (for the decoder to reject).
func TestCSVStrayQuote(t *testing.T) {
	data := "a,5\" screen,b\nc,d\n\"ok\"x,\"y\nz\"\n"
	src := newReaderSource(strings.NewReader(data), "in.csv", 4, MaxLineBytes)
	src.SetQuotedNewlines()
	got, err := drain(t, src, 10)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := csvRecords(data, MaxLineBytes)
	if len(want) != 3 || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func FuzzCSVRecords(f *testing.F) {
	f.Add([]byte("a,b\n1,\"two\nlines\"\r\n\"x\"\"\n\",3\n4,\"\"\n\"open\n"), uint8(3), uint8(2))
	f.Add([]byte("a,5\" screen\nb\n"), uint8(1), uint8(1))
	f.Add([]byte("\""+strings.Repeat("x\n", 30)+"\"\nafter\n"), uint8(5), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, bufSize, maxLines uint8) {
		const maxLine = 40
		data = bytes.TrimPrefix(data, utf8BOM) // covered by TestByteOrderMarkIsSkipped
		src := newReaderSource(iotest.HalfReader(bytes.NewReader(data)), "fuzz", int(bufSize%16)+1, maxLine)
		src.SetQuotedNewlines()
		got, over, err := drainAll(t, src, int(maxLines%8)+1)
		if err != nil {
			t.Fatal(err)
		}
		want, wantOver := csvRecords(string(data), maxLine)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v\nwant %+v", got, want)
		}
		if len(over) != len(wantOver) || (len(over) > 0 && !reflect.DeepEqual(over, wantOver)) {
			t.Fatalf("oversized %+v\nwant %+v", over, wantOver)
		}
	})
}
