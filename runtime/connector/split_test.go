package connector

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// splitRecord is a line or an oversized record as a reader reports it.
type splitRecord struct {
	text           string
	offset, line   int64
	oversized      bool
	length         int64
	oversizePrefix string
}

// readWhole reads the file with a FileSource, the one reader's way.
func readWhole(t *testing.T, path string, maxLine int) ([]splitRecord, Position) {
	t.Helper()
	src, err := OpenFile(path, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	src.SetMaxLine(maxLine)
	var out []splitRecord
	var b LineBatch
	for {
		more, err := src.Next(&b, 7)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, splitBatchRecords(&b, 0)...)
		if !more {
			return out, src.Position()
		}
	}
}

func splitBatchRecords(b *LineBatch, lineBase int64) []splitRecord {
	var out []splitRecord
	for i, l := range b.Lines {
		out = append(out, splitRecord{text: string(l), offset: b.Offsets[i], line: b.LineNos[i] + lineBase})
	}
	for _, o := range b.Oversized {
		out = append(out, splitRecord{offset: o.Offset, line: o.Line + lineBase, oversized: true, length: o.Length, oversizePrefix: string(o.Prefix)})
	}
	return out
}

// readSplits reads the file in ranges of size step, n at a time from the
// position after the last round, as the workers do.
func readSplits(t *testing.T, path string, maxLine int, step int64, n int) ([]splitRecord, Position) {
	t.Helper()
	src, err := OpenFile(path, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	src.SetMaxLine(maxLine)
	fs := src.Splits()
	if fs == nil {
		t.Fatal("no splits of a regular file")
	}
	size, _ := fs.Size()
	var out []splitRecord
	pos := Position{}
	var sb SplitBuffer
	var b LineBatch
	for pos.Offset < size {
		base := pos.Offset
		for w := range n {
			lo := base + int64(w)*step
			next, lines, err := fs.Read(&b, &sb, lo, lo+step, size, w == 0)
			if err != nil {
				t.Fatal(err)
			}
			recs := splitBatchRecords(&b, pos.Line)
			out = append(out, recs...)
			pos.Line += lines
			if next >= 0 {
				if next < pos.Offset {
					t.Fatalf("next %d before %d", next, pos.Offset)
				}
				pos.Offset = next
			}
		}
		if pos.Offset < base+int64(n)*step && pos.Offset < size {
			t.Fatalf("round from %d ended at %d, before its ranges' end", base, pos.Offset)
		}
	}
	return out, pos
}

// TestFileSplitsReadAsOneReader: a file read in ranges by several readers
// gives the one reader's records, offsets, line numbers and oversized
// records, and its end position, whatever the range size.
func TestFileSplitsReadAsOneReader(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(1))
	for c := range 60 {
		var buf bytes.Buffer
		if c%5 == 0 {
			buf.Write(utf8BOM)
		}
		lines := rng.Intn(60)
		for i := range lines {
			switch rng.Intn(12) {
			case 11:
				// longer than the slack read past a range's end
				buf.WriteString(fmt.Sprintf(`{"huge":%d,"pad":"%s"}`, i, bytes.Repeat([]byte("z"), 5000+rng.Intn(9000))))
			case 0:
				// blank
			case 1:
				buf.WriteString("\r")
			case 2:
				buf.WriteString(fmt.Sprintf(`{"long":%d,"pad":"%s"}`, i, bytes.Repeat([]byte("x"), 50+rng.Intn(300))))
			default:
				buf.WriteString(fmt.Sprintf(`{"n":%d,"s":"%s"}`, i, bytes.Repeat([]byte("y"), rng.Intn(20))))
			}
			if rng.Intn(8) == 0 {
				buf.WriteString("\r")
			}
			if i < lines-1 || rng.Intn(2) == 0 {
				buf.WriteString("\n")
			}
		}
		path := filepath.Join(dir, fmt.Sprintf("in%d.jsonl", c))
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		maxLine := []int{MaxLineBytes, 100, 40}[c%3]
		want, wantPos := readWhole(t, path, maxLine)
		for _, step := range []int64{1, 2, 7, 33, 100, 1000, 1 << 20} {
			for _, n := range []int{1, 2, 3} {
				got, pos := readSplits(t, path, maxLine, step, n)
				sortRecords(got)
				w := append([]splitRecord(nil), want...)
				sortRecords(w)
				if fmt.Sprint(got) != fmt.Sprint(w) {
					t.Fatalf("file %d (max line %d), ranges of %d by %d:\n got %v\nwant %v", c, maxLine, step, n, got, w)
				}
				if pos.Offset != wantPos.Offset || pos.Line != wantPos.Line {
					t.Fatalf("file %d, ranges of %d by %d: end at %d line %d, want %d line %d", c, step, n, pos.Offset, pos.Line, wantPos.Offset, wantPos.Line)
				}
			}
		}
	}
}

func sortRecords(r []splitRecord) {
	for i := 1; i < len(r); i++ {
		for j := i; j > 0 && r[j].offset < r[j-1].offset; j-- {
			r[j], r[j-1] = r[j-1], r[j]
		}
	}
}

// TestFileSplitsCheck: the input check of a position reached by ranges is
// the one reader's at the same offset.
func TestFileSplitsCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.jsonl")
	var buf bytes.Buffer
	for i := range 2000 {
		fmt.Fprintf(&buf, `{"n":%d}`+"\n", i)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := OpenFile(path, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	fs := src.Splits()
	var b LineBatch
	for {
		more, err := src.Next(&b, 100)
		if err != nil {
			t.Fatal(err)
		}
		p := src.Position()
		got, err := fs.Check(p.Offset)
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != p.Check.String() {
			t.Fatalf("at %d: check %s, the reader's %s", p.Offset, got, p.Check)
		}
		if !more {
			break
		}
	}
}

// FuzzFileSplits: a file read in ranges of any size by one to three
// readers gives the one reader's records, offsets, line numbers, oversized
// records and end position.
func FuzzFileSplits(f *testing.F) {
	f.Add([]byte("a\nbb\n\n\r\nccc\r\n"+strings.Repeat("0123456789\n", 30)+"tail"), uint8(3), uint8(2), uint8(1))
	f.Add([]byte("\uFEFFa\n\uFEFF\n"+strings.Repeat("y", 70)+"\nz\n"), uint8(1), uint8(3), uint8(0))
	f.Add(bytes.Repeat([]byte{'\n'}, 2100), uint8(200), uint8(2), uint8(2))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, step, n, limit uint8) {
		path := filepath.Join(dir, "in.jsonl")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		maxLine := []int{MaxLineBytes, 40, 5}[limit%3]
		want, wantPos := readWhole(t, path, maxLine)
		got, pos := readSplits(t, path, maxLine, int64(step)+1, int(n%3)+1)
		sortRecords(got)
		sortRecords(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("ranges of %d by %d (max line %d):\n got %v\nwant %v", int64(step)+1, n%3+1, maxLine, got, want)
		}
		if pos.Offset != wantPos.Offset || pos.Line != wantPos.Line {
			t.Fatalf("end at %d line %d, want %d line %d", pos.Offset, pos.Line, wantPos.Offset, wantPos.Line)
		}
	})
}
