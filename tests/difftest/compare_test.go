package difftest

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

var testCols = []Column{{"window_start", KindTimestamp}, {"k", KindString}, {"c", KindInt}, {"a", KindFloat}}

func TestParseLaminar(t *testing.T) {
	tests := []struct {
		name     string
		out      string
		updating bool
		want     map[string]int // rowKey -> count
		err      string
	}{
		{
			name: "append-only",
			out: `{"window_start":"2024-03-01T00:00:10Z","k":"a","c":2,"a":1.5}
{"window_start":"2024-03-01T00:00:10.5Z","k":null,"c":1,"a":null}
{"window_start":"2024-03-01T00:00:10Z","k":"a","c":2,"a":1.5}
`,
			want: map[string]int{`1709251210000000|"a"|2|1.5`: 2, `1709251210500000|NULL|1|NULL`: 1},
		},
		{
			name: "updating nets retractions",
			out: `{"window_start":"2024-03-01T00:00:10Z","k":"a","c":1,"a":3,"_op":"+"}
{"window_start":"2024-03-01T00:00:10Z","k":"a","c":1,"a":3,"_op":"-"}
{"window_start":"2024-03-01T00:00:10Z","k":"a","c":2,"a":-0,"_op":"+"}
`,
			updating: true,
			want:     map[string]int{`1709251210000000|"a"|2|0`: 1},
		},
		{name: "retracted too often", updating: true, err: "weight -1",
			out: `{"window_start":"2024-03-01T00:00:10Z","k":"a","c":1,"a":3,"_op":"-"}` + "\n"},
		{name: "columns out of order", err: "want the columns",
			out: `{"k":"a","window_start":"2024-03-01T00:00:10Z","c":1,"a":3}` + "\n"},
		{name: "missing column", err: "3 columns",
			out: `{"window_start":"2024-03-01T00:00:10Z","k":"a","c":1}` + "\n"},
		{name: "_op in append-only view", err: "unexpected _op",
			out: `{"window_start":"2024-03-01T00:00:10Z","k":"a","c":1,"a":3,"_op":"+"}` + "\n"},
		{name: "no _op in updating view", updating: true, err: "want _op",
			out: `{"window_start":"2024-03-01T00:00:10Z","k":"a","c":1,"a":3}` + "\n"},
		{name: "timestamp not UTC", err: "not in UTC",
			out: `{"window_start":"2024-03-01T01:00:10+01:00","k":"a","c":1,"a":3}` + "\n"},
		{name: "string for a number", err: "unexpected string",
			out: `{"window_start":"2024-03-01T00:00:10Z","k":"a","c":"1","a":3}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLaminar([]byte(tt.out), testCols, tt.updating)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d distinct rows, want %d: %v", len(got), len(tt.want), got)
			}
			for k, n := range tt.want {
				if e := got[k]; e == nil || e.count != n {
					t.Errorf("row %s: got %v, want count %d", k, e, n)
				}
			}
		})
	}
}

func bag(rows ...ResultRow) Multiset {
	m := Multiset{}
	for _, r := range rows {
		m.add(r, 1)
	}
	return m
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name              string
		want, got         Multiset
		onlyWant, onlyGot int
	}{
		{"equal", bag(ResultRow{int64(1), "a"}, ResultRow{nil, "b"}), bag(ResultRow{nil, "b"}, ResultRow{int64(1), "a"}), 0, 0},
		{"float within tolerance", bag(ResultRow{0.1 + 0.2}), bag(ResultRow{0.3}), 0, 0},
		{"float near zero", bag(ResultRow{1e-12}), bag(ResultRow{-1e-13}), 0, 0},
		{"float too far", bag(ResultRow{1.0}), bag(ResultRow{1.000001}), 1, 1},
		{"duplicate missing", bag(ResultRow{"a"}, ResultRow{"a"}), bag(ResultRow{"a"}), 1, 0},
		{"extra row", bag(), bag(ResultRow{false}), 0, 1},
		{"NULL is not zero", bag(ResultRow{nil}), bag(ResultRow{int64(0)}), 1, 1},
		{"int is not string", bag(ResultRow{int64(1)}), bag(ResultRow{"1"}), 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, g := Diff(tt.want, tt.got)
			if len(w) != tt.onlyWant || len(g) != tt.onlyGot {
				t.Errorf("only in want %v, only in got %v; want %d and %d rows", w, g, tt.onlyWant, tt.onlyGot)
			}
		})
	}
}

// TestGenerationIsDeterministic: a seed must reproduce its case exactly.
func TestGenerationIsDeterministic(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		for _, gen := range []func(int, uint64) *testCase{newCase, newMultiCase} {
			a, b := gen(0, seed), gen(0, seed)
			if a.query.Pipeline != b.query.Pipeline || a.query.DuckSQL != b.query.DuckSQL || !bytes.Equal(a.input, b.input) {
				t.Fatalf("seed %d generated two different cases (multi-view: %v)", seed, a.multi)
			}
		}
	}
}

// TestRowsStayWithinWatermark: without late rows, every row is at or after
// the watermark before it, so no window it belongs to has closed.
func TestRowsStayWithinWatermark(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		delay := []int64{0, 500_000, 2_000_000}[seed%3]
		for i, row := range GenRows(r, DataParams{Rows: 500, DelayUS: delay}) {
			if row.TS < row.WM {
				t.Fatalf("seed %d row %d: ts %d is behind the watermark %d", seed, i, row.TS, row.WM)
			}
		}
	}
}
