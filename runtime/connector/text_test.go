package connector

import (
	"reflect"
	"strings"
	"testing"
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
