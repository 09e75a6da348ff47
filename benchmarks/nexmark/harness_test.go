package main

import (
	"strconv"
	"strings"
	"testing"
)

func TestSpliceSection(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"empty file", "", sectionBegin + "\nnew\n" + sectionEnd + "\n"},
		{"no markers", "# Benchmarks\ntext", "# Benchmarks\ntext\n\n" + sectionBegin + "\nnew\n" + sectionEnd + "\n"},
		{"replace", "a\n" + sectionBegin + "\nold\nold\n" + sectionEnd + "\nb\n", "a\n" + sectionBegin + "\nnew\n" + sectionEnd + "\nb\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := spliceSection(tt.doc, "new\n"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestQueryFiles checks the suite's files: every query is there, a runnable
// one ends in a blackhole sink and sets the options the harness rewrites.
func TestQueryFiles(t *testing.T) {
	qs, err := loadQueries("queries")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, q := range qs {
		names[q.Name] = true
		if q.Unsupported != "" {
			continue
		}
		if !strings.Contains(q.SQL, "connector = 'blackhole'") {
			t.Errorf("%s: no blackhole sink", q.Name)
		}
		if !eventsOption.MatchString(q.SQL) {
			t.Errorf("%s: no events option", q.Name)
		}
		if rate, seed, err := generatorOptions(q.SQL); err != nil || rate != 10_000_000 || seed != 1 {
			t.Errorf("%s: rate %v, seed %v, %v; want the suite's 10000000 and 1", q.Name, rate, seed, err)
		}
		if got := withEvents(q.SQL, 123); !strings.Contains(got, "events = '123'") || strings.Contains(got, "events = '10000000'") {
			t.Errorf("%s: withEvents did not rewrite the events option", q.Name)
		}
	}
	for i := 0; i <= 22; i++ {
		if name := "q" + strconv.Itoa(i); !names[name] {
			t.Errorf("query %s is missing from queries/", name)
		}
	}
	for i := 1; i < len(qs); i++ {
		if !lessQueryName(qs[i-1].Name, qs[i].Name) {
			t.Errorf("order: %s before %s", qs[i-1].Name, qs[i].Name)
		}
	}
}

func TestRenderSVG(t *testing.T) {
	rep := report{Events: 1000, Results: []queryResult{
		{query: query{Name: "q0"}, Single: usage{CPU: 1e6}, Baseline: "q0", Base: usage{CPU: 5e5}},
		{query: query{Name: "q3", Unsupported: "joins"}},
	}, EKuiper: &ekuiperReport{Events: 100, Rules: []ekuiperRule{{Name: "q0", Usage: usage{CPU: 1e9}}, {Name: "tumble_count", Usage: usage{CPU: 1e9}}}}}
	svg := string(renderSVG(rep))
	for _, want := range []string{"<svg", "</svg>", ">q0<", ">tumble_count<", "1.00M", "2.00M", "100"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if strings.Contains(svg, ">q3<") {
		t.Error("SVG has a bar group for an unsupported query")
	}
}

// TestWithFileSource: every query of the same-file table turns into one that
// reads the bids file, with nothing else changed.
func TestWithFileSource(t *testing.T) {
	qs, err := loadQueries("queries")
	if err != nil {
		t.Fatal(err)
	}
	picked, err := selectQueries(qs, fileQueries)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range picked {
		got, err := withFileSource(q.SQL, "/data/bids.jsonl")
		if err != nil {
			t.Fatalf("%s: %v", q.Name, err)
		}
		if strings.Contains(got, "'nexmark'") || !strings.Contains(got, "WITH (connector = 'file', path = '/data/bids.jsonl', format = 'json')") {
			t.Errorf("%s: rewritten to\n%s", q.Name, got)
		}
	}
}

// TestFileQueriesOf: -queries narrows the same-file table to the queries it
// names, in the table's order; without it the table has them all.
func TestFileQueriesOf(t *testing.T) {
	for _, c := range [][2]string{
		{"", fileQueries},
		{"q7_max, q2,q0,q5_tumble", "q0,q2,q5_tumble,q7_max"},
		{"q3,q2", "q2"},
		{"q3", ""},
	} {
		if got := fileQueriesOf(c[0]); got != c[1] {
			t.Errorf("fileQueriesOf(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}
