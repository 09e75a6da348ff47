package job

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/laminar-sql/laminar/runtime/connector"
)

func TestHasLoneSurrogate(t *testing.T) {
	for in, want := range map[string]bool{
		`{"a":"plain"}`:               false,
		`{"a":"\u00e9\u20ac"}`:        false,
		`{"a":"\ud83d\ude00"}`:        false, // a pair
		`{"a":"\uD83D\uDE00 \ud800"}`: true,
		`{"a":"\ud800"}`:              true,
		`{"a":"\ud800x"}`:             true,
		`{"a":"\udc00\ud800"}`:        true, // low before high
		`{"a":"\ud800\u0041"}`:        true,
		`{"a":"\u12"}`:                false, // not an escape the decoder accepts either
	} {
		if got := hasLoneSurrogate([]byte(in)); got != want {
			t.Errorf("%s: %v, want %v", in, got, want)
		}
		// the batch-wide prefilter of badText finds every lone surrogate
		if want && !mayHaveSurrogate([]byte(in)) {
			t.Errorf("%s: mayHaveSurrogate missed it", in)
		}
	}
	for in, want := range map[string]bool{
		`{"u":"a\u0026b"}`: false, `{"u":"\\ud800"}`: true, `\uD`: true, `\ud`: true, `x\u`: false, `\`: false,
	} {
		if got := mayHaveSurrogate([]byte(in)); got != want {
			t.Errorf("mayHaveSurrogate(%s) = %v, want %v", in, got, want)
		}
	}
}

// TestBadTextBatch: badText over a batch whose text is valid UTF-8 and
// has escapes counts the lines with a lone surrogate, whichever line
// holds it, and none for other escapes.
func TestBadTextBatch(t *testing.T) {
	lines := []string{`{"u":"a\u0026b"}`, `{"u":"\ud800"}`, `{"u":"\u00e9"}`, `{"u":"\uDC00"}`}
	text := []byte(strings.Join(lines, "\n"))
	var b connector.LineBatch
	b.Text = text
	for i, at := 0, 0; i < len(lines); i++ {
		b.Lines = append(b.Lines, text[at:at+len(lines[i])])
		at += len(lines[i]) + 1
	}
	if n := badText(&b, true); n != 2 {
		t.Errorf("badText = %d, want 2", n)
	}
	b.Lines, b.Text = b.Lines[:1], text[:len(lines[0])]
	if n := badText(&b, true); n != 0 {
		t.Errorf("badText of a line with \\u0026 = %d, want 0", n)
	}
}

// A CSV header is not a row in rows in; records with invalid UTF-8 are
// counted; a quoted field spanning lines is one record.
func TestCSVHeaderAndInvalidTextCounted(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in.csv"), "\uFEFFname,n\nx,1\n\"two\nlines\",2\n\xff\xfe,3\n")
	src := SourceSpec{Name: "in", Connector: "file", Format: "csv", Options: map[string]string{"path": "in.csv"}, Columns: []string{"name", "n"}}
	spec := Spec{Name: "p", Sources: []SourceSpec{src}, Sinks: []SinkSpec{fileSink("out", "out.jsonl")}}
	var stderr bytes.Buffer
	var p *copyPipeline
	summary, err := Run(context.Background(), spec, newCopyFactory(t, spec, &p), testOptions(dir, &stderr))
	if err != nil {
		t.Fatal(err)
	}
	s := summary.Sources[0]
	if s.RowsIn != 3 || s.InvalidText != 1 {
		t.Errorf("rows in %d (want 3), invalid %d (want 1)", s.RowsIn, s.InvalidText)
	}
	if p.rows[0] != 4 { // the pipeline still sees the header, and skips it itself
		t.Errorf("pipeline saw %d records, want 4", p.rows[0])
	}
	var b connector.LineBatch
	b.Lines, b.LineNos = [][]byte{[]byte(`"name",n`)}, []int64{1}
	if !isCSVHeader(src, &b) {
		t.Error("a quoted header is not recognized")
	}
}

// TestValidUTF8 checks the fast walk against utf8.Valid at every cut of
// strings with runes at each offset of the 8- and 32-byte words it tests.
func TestValidUTF8(t *testing.T) {
	ascii := strings.Repeat("abcdefgh", 17) // past asciiPrefix's 64-byte step
	pieces := []string{"é", "€", "𝄞", "\xff", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf"}
	for _, p := range pieces {
		for at := 0; at <= len(ascii); at++ {
			s := ascii[:at] + p + ascii[at:] + p
			for cut := 0; cut <= len(s); cut++ {
				b := []byte(s[:cut])
				if got, want := validUTF8(b), utf8.Valid(b); got != want {
					t.Fatalf("validUTF8(%q) = %v, utf8.Valid says %v", b, got, want)
				}
			}
		}
	}
}

func FuzzValidUTF8(f *testing.F) {
	f.Add([]byte(strings.Repeat("x", 40) + "é" + strings.Repeat("y", 30)))
	f.Add([]byte("\xe2\x82" + strings.Repeat("a", 8)))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validUTF8(b), utf8.Valid(b); got != want {
			t.Fatalf("validUTF8(%q) = %v, utf8.Valid says %v", b, got, want)
		}
	})
}

// FuzzMayHaveSurrogate: the batch-wide prefilter never misses a line that
// hasLoneSurrogate counts, so badText counts the same with it as without.
func FuzzMayHaveSurrogate(f *testing.F) {
	f.Add([]byte(`{"a":"\\\ud800","b":"\u0026"}`))
	f.Add([]byte(`{"a":"\uD83D\uDE00 \udc00"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if hasLoneSurrogate(b) && !mayHaveSurrogate(b) {
			t.Fatalf("mayHaveSurrogate(%q) is false, hasLoneSurrogate true", b)
		}
	})
}

// TestASCIIPrefix puts a byte above 0x7f at every offset of inputs up to
// 150 bytes long, after every start: asciiPrefix agrees with a byte loop,
// and so does its Go version.
func TestASCIIPrefix(t *testing.T) {
	for n := 0; n <= 150; n++ {
		for at := 0; at <= n; at++ {
			for _, c := range []byte{0x80, 0xff, 0xc3} {
				b := bytes.Repeat([]byte{0x7f}, n+1)
				b[at] = c
				for start := 0; start <= n; start += 1 + start/16 {
					in := b[start:n]
					want := bytes.IndexFunc(in, func(r rune) bool { return r >= utf8.RuneSelf })
					if want < 0 {
						want = len(in)
					}
					if got := asciiPrefix(in); got != want {
						t.Fatalf("asciiPrefix of %d bytes with 0x%x at %d = %d, want %d", len(in), c, at-start, got, want)
					}
					if got := asciiPrefixGeneric(in); got != want {
						t.Fatalf("asciiPrefixGeneric of %d bytes with 0x%x at %d = %d, want %d", len(in), c, at-start, got, want)
					}
				}
			}
		}
	}
}

// TestPlainPrefix puts a byte above 0x7f, a backslash, or a byte that is
// neither, at every offset of inputs up to 150 bytes long, after every
// start: plainPrefix agrees with a byte loop, and so does its Go version;
// with AVX2, where the CPU has it, and without.
func TestPlainPrefix(t *testing.T) {
	ref := func(b []byte) int {
		for i, c := range b {
			if c >= 0x80 || c == '\\' {
				return i
			}
		}
		return len(b)
	}
	test := func(t *testing.T) {
		for n := 0; n <= 150; n++ {
			for at := 0; at <= n; at++ {
				for _, m := range []byte{0x80, 0xff, '\\', 0x5b, 0x5d, 0xdc, 0x7f} {
					b := bytes.Repeat([]byte{'a'}, n+1)
					b[at] = m
					for _, start := range []int{0, 1, 7, 15, 31, 33, 63} {
						if start > n {
							break
						}
						in := b[start:n]
						want := ref(in)
						if got := plainPrefix(in); got != want {
							t.Fatalf("plainPrefix(%q) = %d, want %d", in, got, want)
						}
						if got := plainPrefixGeneric(in); got != want {
							t.Fatalf("plainPrefixGeneric(%q) = %d, want %d", in, got, want)
						}
					}
				}
			}
		}
	}
	t.Run("sse2", func(t *testing.T) {
		defer func(avx2 bool) { useAVX2 = avx2 }(useAVX2)
		useAVX2 = false
		test(t)
	})
	if useAVX2 {
		t.Run("avx2", test)
	}
}

// TestPlainJSONText: the one walk says what validUTF8 and mayHaveSurrogate
// say together, with runes, escapes and surrogates at every offset of
// the 8-, 16- and 64-byte steps, and at every cut.
func TestPlainJSONText(t *testing.T) {
	ascii := strings.Repeat("abcdefgh", 17)
	pieces := []string{"é", "€", "\xff", "\xe2\x82", `\u0026`, `\ud800`, `\uDC00`, `\\`, `é\ud8`, `\`, `\u`, "\xc3\\ud800", `é12345\ud800`, `é1234\ud800`, `é123456\ud800`}
	for _, p := range pieces {
		for at := 0; at <= len(ascii); at++ {
			s := ascii[:at] + p + ascii[at:at+min(len(ascii)-at, 9)] + p
			for cut := 0; cut <= len(s); cut++ {
				b := []byte(s[:cut])
				if got, want := plainJSONText(b), validUTF8(b) && !mayHaveSurrogate(b); got != want {
					t.Fatalf("plainJSONText(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
}

func FuzzPlainJSONText(f *testing.F) {
	f.Add([]byte(strings.Repeat("x", 40) + "é\\ud800" + strings.Repeat("y", 30)))
	f.Add([]byte(`{"url":"https://a.com/?q=1\u0026c=2","x":"é"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := plainJSONText(b), validUTF8(b) && !mayHaveSurrogate(b); got != want {
			t.Fatalf("plainJSONText(%q) = %v, want %v", b, got, want)
		}
	})
}
